"""The REST foundation, through the host endpoints: authentication, permissions, errors, pagination, schema."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_rest_framework_extensions.auth.jwt.tests.utils import generate_jwt_token, generate_latest_version_payload
from rest_framework.test import APIClient

from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.host.models import TrainerGrant
from tests.conftest import COURSE, at

pytestmark = pytest.mark.django_db

BASE = f"/api/mentora/v1/courses/{COURSE}/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(make_user):
    api.record_course(COURSE, at(0), title="Mentoring 101")
    people = {
        "learner": make_user("learner", first_name="Lea", last_name="Rner"),
        "trainer": make_user("trainer"),
        "staff": make_user("staff"),
        "stranger": make_user("stranger"),
        "admin": make_user("admin", is_staff=True),
    }
    api.record_enrollment(people["learner"].pk, COURSE, "verified", True, at(0))
    api.record_course_role(CourseRoleRecord(people["staff"].pk, COURSE.org, COURSE, "staff"), at(0))
    api.grant_trainer_role(COURSE, people["trainer"], granted_by=people["staff"])
    return people


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


class TestAuthentication:
    def test_anonymous_gets_401_with_a_code(self, people):
        response = APIClient().get(BASE)
        assert response.status_code == 401
        assert response.json()["error_code"] == "not_authenticated"
        assert response.json()["message"]

    def test_open_edx_jwt_with_the_jwt_prefix(self, people):
        token = generate_jwt_token(generate_latest_version_payload(people["learner"]))
        response = APIClient().get(BASE, HTTP_AUTHORIZATION=f"JWT {token}")
        assert response.status_code == 200, response.content
        assert response.json()["my_roles"] == ["learner"]

    def test_a_forged_jwt_is_refused(self, people):
        token = generate_jwt_token(generate_latest_version_payload(people["admin"]), signing_key="not-the-key")
        response = APIClient().get(BASE, HTTP_AUTHORIZATION=f"JWT {token}")
        assert response.status_code == 401
        assert response.json()["error_code"] == "authentication_failed"

    def test_session(self, people):
        response = client_for(people["staff"]).get(BASE)
        assert response.status_code == 200
        assert response.json() == {
            "course_key": str(COURSE),
            "org": "TestOrg",
            "title": "Mentoring 101",
            "start": None,
            "end": None,
            "my_roles": ["staff"],
        }


class TestCourseEndpoints:
    def test_strangers_are_refused(self, people):
        response = client_for(people["stranger"]).get(BASE)
        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_denied"

    def test_malformed_course_key_is_a_400(self, people):
        response = client_for(people["admin"]).get("/api/mentora/v1/courses/not-a-course/")
        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_course_key"

    def test_unknown_course_is_a_404(self, people):
        response = client_for(people["admin"]).get("/api/mentora/v1/courses/course-v1:No+Such+Run/")
        assert response.status_code == 404
        assert response.json()["error_code"] == "course_not_found"

    def test_learners_are_for_trainers_and_staff(self, people):
        assert client_for(people["learner"]).get(BASE + "learners/").status_code == 403
        response = client_for(people["trainer"]).get(BASE + "learners/")
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        assert body["results"] == [{"username": "learner", "name": "Lea Rner"}]

    def test_learner_list_costs_the_same_queries_whatever_the_page_size(self, people, make_user):
        client = client_for(people["staff"])
        client.get(BASE + "learners/?page_size=1")
        for index in range(30):
            api.record_enrollment(make_user(f"more{index:02d}").pk, COURSE, "audit", True, at(0))
        counts = []
        for size in (1, 30):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(BASE + f"learners/?page_size={size}")
            assert len(response.json()["results"]) == size
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_page_size_is_capped(self, people, settings):
        settings.MENTORA_API_MAX_PAGE_SIZE = 2
        for index in range(4):
            api.record_enrollment(
                type(people["learner"]).objects.create(username=f"p{index}").pk, COURSE, "audit", True, at(0)
            )
        body = client_for(people["staff"]).get(BASE + "learners/?page_size=50").json()
        assert len(body["results"]) == 2
        assert body["num_pages"] == 3


class TestTrainerEndpoints:
    def test_course_staff_grant_and_revoke(self, people):
        client = client_for(people["staff"])
        grant = {"username": "learner", "reason": "Great peer mentor"}
        response = client.post(BASE + "trainers/", grant, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["username"] == "learner"
        assert response.json()["granted_by"] == "staff"
        listing = client_for(people["learner"]).get(BASE + "trainers/").json()
        assert sorted(grant["username"] for grant in listing["results"]) == ["learner", "trainer"]
        assert client.delete(BASE + "trainers/learner/", {"reason": "Moved on"}, format="json").status_code == 204
        grant = TrainerGrant.objects.get(user=people["learner"])
        assert (grant.is_active, grant.revoke_reason) == (False, "Moved on")
        again = client.delete(BASE + "trainers/learner/", format="json")
        assert again.status_code == 404
        assert again.json()["error_code"] == "not_a_trainer"

    def test_learners_and_trainers_cannot_grant(self, people):
        for who in ("learner", "trainer", "stranger"):
            response = client_for(people[who]).post(BASE + "trainers/", {"username": "stranger"}, format="json")
            assert response.status_code == 403, who
        assert not TrainerGrant.objects.filter(user=people["stranger"]).exists()

    def test_operators_can_reserve_grants_to_platform_staff(self, people, settings):
        settings.MENTORA_TRAINER_GRANTS_BY_COURSE_STAFF = False
        refused = client_for(people["staff"]).post(BASE + "trainers/", {"username": "learner"}, format="json")
        assert refused.status_code == 403
        allowed = client_for(people["admin"]).post(BASE + "trainers/", {"username": "learner"}, format="json")
        assert allowed.status_code == 201

    def test_bad_input(self, people):
        client = client_for(people["staff"])
        missing = client.post(BASE + "trainers/", {}, format="json")
        assert missing.status_code == 400
        assert missing.json()["error_code"] == "invalid_input"
        assert "username" in missing.json()["field_errors"]
        unknown = client.post(BASE + "trainers/", {"username": "nobody"}, format="json")
        assert unknown.status_code == 400
        assert unknown.json()["error_code"] == "unknown_user"
        malformed = client.post(BASE + "trainers/", "{not json", content_type="application/json")
        assert malformed.status_code == 400
        assert malformed.json()["error_code"] == "malformed_request"
        assert TrainerGrant.objects.count() == 1

    def test_session_writes_need_csrf(self, people):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(people["staff"])
        response = client.post(BASE + "trainers/", {"username": "learner"}, format="json")
        assert response.status_code == 403
        assert not TrainerGrant.objects.filter(user=people["learner"]).exists()


class TestThrottling:
    def test_writes_are_throttled_with_retry_after(self, people, settings):
        settings.MENTORA_API_THROTTLE_RATES = {"user": "100/minute", "write": "2/minute", "anon": "5/minute"}
        client = client_for(people["staff"])
        codes = [client.post(BASE + "trainers/", {"username": "learner"}, format="json").status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        body = client.post(BASE + "trainers/", {"username": "learner"}, format="json").json()
        assert body["error_code"] == "throttled"
        assert body["retry_after"] > 0
        assert client.get(BASE).status_code == 200


class TestSchemaAndDocs:
    def test_schema_lists_mentora_endpoints_only(self, client, capsys):
        response = client.get("/api/mentora/v1/schema/?format=json")
        assert "Warning" not in capsys.readouterr().err, "drf-spectacular could not describe something"
        assert response.status_code == 200
        schema = response.json()
        assert schema["info"]["title"] == "Mentora API"
        assert "/api/mentora/v1/courses/{course_id}/trainers/" in schema["paths"]
        assert all(path.startswith("/api/mentora/") for path in schema["paths"])
        assert "post" in schema["paths"]["/api/mentora/v1/courses/{course_id}/trainers/"]
        assert set(schema["components"]["securitySchemes"]) == {"openedxJwt", "lmsSession"}
        grant = schema["paths"]["/api/mentora/v1/courses/{course_id}/trainers/"]["post"]["responses"]
        assert {"201", "400", "403", "429"} <= set(grant)
        assert grant["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")

    def test_docs_page_serves_swagger_ui_from_this_site(self, client):
        response = client.get("/api/mentora/v1/docs/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
        assert "cdn" not in page.lower()
        assert "/api/mentora/v1/schema/" in page
