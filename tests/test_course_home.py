"""The course's Mentora home page: who sees it, and course staff managing trainers from it."""
import pytest

from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.host.models import TrainerGrant
from tests.conftest import COURSE, at

pytestmark = pytest.mark.django_db
URL = f"/mentora/courses/{COURSE}/"


@pytest.fixture
def cast(make_user):
    api.record_course(COURSE, at(0), title="Mentoring 101")
    cast = {name: make_user(name) for name in ("learner", "staff", "stranger", "trainer")}
    api.record_enrollment(cast["learner"].pk, COURSE, "audit", True, at(0))
    api.record_course_role(CourseRoleRecord(cast["staff"].pk, COURSE.org, COURSE, "staff"), at(0))
    api.grant_trainer_role(COURSE, cast["trainer"], granted_by=cast["staff"], reason="Expert")
    return cast


def page_for(client, user, method="get", **data):
    client.force_login(user)
    return getattr(client, method)(URL, data) if method == "post" else client.get(URL)


def test_anonymous_is_sent_to_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302


def test_learner_sees_trainers_but_no_management(client, cast):
    response = page_for(client, cast["learner"])
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mentoring: Mentoring 101" in page
    assert "trainer" in page and "Learner" in page
    assert "Manage trainers" not in page
    assert "Expert" not in page  # grant reasons are for staff


def test_staff_manage_trainers(client, cast):
    page = page_for(client, cast["staff"]).content.decode()
    assert "Manage trainers" in page and "Expert" in page
    response = page_for(client, cast["staff"], "post", action="grant", username="learner", reason="Peer mentor")
    assert response.status_code == 302
    assert TrainerGrant.objects.get(user=cast["learner"]).reason == "Peer mentor"
    response = page_for(client, cast["staff"], "post", action="revoke", username="learner")
    assert not TrainerGrant.objects.get(user=cast["learner"]).is_active


def test_bad_form_input_is_reported_and_changes_nothing(client, cast):
    client.force_login(cast["staff"])
    response = client.post(URL, {"action": "grant", "username": "nobody"}, follow=True)
    assert "No active user has the username" in response.content.decode()
    response = client.post(URL, {"action": "explode", "username": "learner"}, follow=True)
    assert "Unknown action." in response.content.decode()
    assert TrainerGrant.objects.count() == 1


def test_learners_cannot_post(client, cast):
    response = page_for(client, cast["learner"], "post", action="grant", username="learner")
    assert response.status_code == 403
    assert TrainerGrant.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "status"),
    [(URL, 403), ("/mentora/courses/course-v1:No+Such+Run/", 404), ("/mentora/courses/garbage/", 404)],
)
def test_strangers_and_unknown_courses(client, cast, url, status):
    client.force_login(cast["stranger"])
    assert client.get(url).status_code == status


def test_french(client, cast):
    client.force_login(cast["learner"])
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="fr"' in response.content.decode()
    assert "Formateurs" in response.content.decode()
