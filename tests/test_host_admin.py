"""The Django admin drives the same host API: projections read-only, grants through api."""
import pytest

from mentora_plugin.host import api
from mentora_plugin.host.models import TrainerGrant
from tests.conftest import COURSE, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, make_user):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client, admin


def test_projections_cannot_be_edited(admin_client_, make_user):
    client, _admin = admin_client_
    learner = make_user()
    api.record_enrollment(learner.pk, COURSE, "audit", True, at(0))
    assert client.get("/admin/mentora_host/enrollment/").status_code == 200
    assert client.get("/admin/mentora_host/enrollment/add/").status_code == 403


def test_grant_and_withdraw_from_the_admin(admin_client_, make_user):
    client, admin = admin_client_
    trainer = make_user("trainee")
    response = client.post(
        "/admin/mentora_host/trainergrant/add/",
        {"user": trainer.pk, "course_key": str(COURSE), "reason": "Vetted centrally"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = TrainerGrant.objects.get()
    assert (grant.user, grant.granted_by, grant.reason, grant.is_active) == (trainer, admin, "Vetted centrally", True)
    response = client.post(
        "/admin/mentora_host/trainergrant/", {"action": "withdraw", "_selected_action": [grant.pk]}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.is_active, grant.revoked_by) == (False, admin)
