"""
The badges REST API: who may list, create, change and archive classes, award (one person, many, idempotently),
read, revoke and renew awards; learners' privacy (their own awards only; another's is a 404); uploads (a PNG made
with Pillow is re-encoded, an SVG's script is dropped, what is not an image is refused with the field named);
the error format; pagination; a fixed number of queries per list; and the OpenAPI schema.
"""
from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image
from rest_framework.test import APIClient

from mentora_plugin.badges import api
from mentora_plugin.badges.models import BadgeAward, BadgeClass
from mentora_plugin.host import api as host_api
from tests import test_badges_classes as class_tests
from tests.conftest import COURSE, OTHER_COURSE, at
from tests.test_badges_classes import make_class, png_bytes

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/badges/"
cast = class_tests.cast


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    settings.MENTORA_BADGES_BASE_URL = "http://127.0.0.1:8000"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def badge(cast):
    """A course badge lasting 365 days, with a skill."""
    return make_class(cast["course_staff"], expiry="duration", valid_days=365, skills=["python"])


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def upload(data: bytes, name: str = "badge.png") -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def form(**overrides) -> dict:
    values = {"name": "Testing", "description": "Writes tests.", "criteria": "Write **ten** tests.",
              "image": upload(png_bytes(text={"Author": "secret-author"})), "course_id": str(COURSE)}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def create(user, **overrides):
    return client_for(user).post(V1 + "classes/", form(**overrides), format="multipart")


def award(user, badge_class, **body):
    return client_for(user).post(f"{V1}classes/{badge_class.public_id}/awards/", body, format="json")


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code and body["message"], body
    return body


# --- access -----------------------------------------------------------------------------------------------------------


def test_nobody_signed_in_gets_a_401_in_mentora_s_format(cast, badge):
    response = APIClient().get(V1 + "me/awards/")
    assert response.status_code in (401, 403) and response.json()["error_code"] == "not_authenticated"
    assert APIClient().post(V1 + "classes/", form(), format="multipart").status_code in (401, 403)
    assert not BadgeClass.objects.filter(name="Testing").exists()


# --- classes ----------------------------------------------------------------------------------------------------------


class TestListingClasses:
    def test_people_of_a_course_see_its_classes_and_the_platform_s(self, cast, badge):
        platform = make_class(cast["platform_staff"], course_key=None, name="Platform citizen")
        make_class(cast["other_staff"], course_key=OTHER_COURSE, name="Elsewhere")
        mentors = make_class(cast["platform_staff"], course_key=None, for_trainers=True, name="Great mentor")
        for who in ("learner", "trainer", "course_staff", "platform_staff"):
            response = client_for(cast[who]).get(V1 + "classes/", {"course_id": str(COURSE)})
            assert response.status_code == 200, who
            names = [item["name"] for item in response.json()["results"]]
            assert names == ["Great mentor", "Platform citizen", "Python basics"], who
        only_platform = client_for(cast["outsider"]).get(V1 + "classes/").json()["results"]
        assert {item["public_id"] for item in only_platform} == {str(platform.public_id), str(mentors.public_id)}
        learners = client_for(cast["learner"]).get(V1 + "classes/", {"course_id": str(COURSE),
                                                                      "for_trainers": "false"}).json()["results"]
        assert [item["name"] for item in learners] == ["Platform citizen", "Python basics"]
        trainers = client_for(cast["learner"]).get(V1 + "classes/", {"for_trainers": "true"}).json()["results"]
        assert [item["name"] for item in trainers] == ["Great mentor"]

    def test_what_a_class_says(self, cast, badge):
        item = client_for(cast["learner"]).get(V1 + "classes/", {"course_id": str(COURSE)}).json()["results"][0]
        base = f"http://127.0.0.1:8000/badges/classes/{badge.public_id}/"
        assert (item["url"], item["criteria_url"], item["image_url"]) == (base, base + "criteria/", base + "image")
        assert item["skills"] == [{"slug": "python", "name": "Python"}]
        assert (item["course_id"], item["expiry"], item["valid_days"], item["version"]) == (str(COURSE), "duration",
                                                                                            365, 1)
        assert "<strong>three</strong>" in item["criteria_html"]

    def test_a_course_one_has_no_part_in_is_a_404_and_a_bad_key_a_400(self, cast, badge):
        error_of(client_for(cast["outsider"]).get(V1 + "classes/", {"course_id": str(COURSE)}), 404,
                 "course_not_found")
        body = error_of(client_for(cast["learner"]).get(V1 + "classes/", {"course_id": "nonsense"}), 400,
                        "invalid_course_key")
        assert list(body["field_errors"]) == ["course_id"]
        error_of(client_for(cast["learner"]).get(V1 + "classes/", {"for_trainers": "perhaps"}), 400, "invalid_input")

    def test_archived_classes_are_listed_for_their_managers_only(self, cast, badge):
        api.archive_badge_class(cast["course_staff"], badge.id)
        query = {"course_id": str(COURSE), "include_archived": "true"}
        assert client_for(cast["learner"]).get(V1 + "classes/", {"course_id": str(COURSE)}).json()["count"] == 0
        error_of(client_for(cast["learner"]).get(V1 + "classes/", query), 403, "permission_denied")
        error_of(client_for(cast["trainer"]).get(V1 + "classes/", query), 403, "permission_denied")
        listed = client_for(cast["course_staff"]).get(V1 + "classes/", query).json()["results"]
        assert [(item["name"], item["is_active"]) for item in listed] == [("Python basics", False)]

    def test_the_pagination_envelope(self, cast):
        for number in range(3):
            make_class(cast["course_staff"], name=f"Badge {number}")
        page = client_for(cast["learner"]).get(V1 + "classes/", {"course_id": str(COURSE), "page_size": 2,
                                                                  "page": 2}).json()
        assert (page["count"], page["num_pages"], page["current_page"]) == (3, 2, 2)
        assert page["previous"] and page["next"] is None
        assert [item["name"] for item in page["results"]] == ["Badge 2"]


class TestCreatingClasses:
    def test_course_staff_create_one_with_a_png_that_is_re_encoded(self, cast):
        response = create(cast["course_staff"], skills="python, writing", kind="competency", expiry="date",
                          expires_on=str((timezone.now() + timedelta(days=30)).date()))
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["name"], body["kind"], body["image_type"], body["version"], body["is_active"]) == (
            "Testing", "competency", "png", 1, True)
        assert [skill["slug"] for skill in body["skills"]] == ["python", "writing"]
        assert body["expiry"] == "date" and body["expires_on"]
        stored = BadgeClass.objects.get(public_id=body["public_id"])
        assert (stored.course_key, stored.created_by_id) == (COURSE, cast["course_staff"].pk)
        with stored.image.open("rb") as handle:
            data = handle.read()
        assert b"secret-author" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (64, 64)
        served = client_for(cast["learner"]).get(body["image_url"].removeprefix("http://127.0.0.1:8000"))
        assert served.status_code == 200 and b"".join(served.streaming_content) == data

    def test_skills_may_come_as_the_field_repeated(self, cast):
        response = create(cast["course_staff"], skills=["writing", "python"])
        assert [skill["slug"] for skill in response.json()["skills"]] == ["writing", "python"]

    def test_an_svg_s_script_is_dropped(self, cast):
        svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
               b'<script>alert(2)</script><circle r="4"/></svg>')
        response = create(cast["course_staff"], image=upload(svg, "badge.svg"))
        assert response.status_code == 201 and response.json()["image_type"] == "svg"
        with BadgeClass.objects.get(public_id=response.json()["public_id"]).image.open("rb") as handle:
            stored = handle.read().decode()
        assert "<circle" in stored and "script" not in stored and "alert" not in stored and "onload" not in stored

    @pytest.mark.parametrize("image, code", [
        (upload(b"GIF89a\x01\x00\x01\x00", "badge.gif"), "image_type"),
        (upload(b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "broken.svg"), "image_invalid"),
        (upload(b'<!DOCTYPE svg [<!ENTITY a "lol">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "x.svg"),
         "image_invalid"),
        (None, "image_required"),
    ])
    def test_what_is_not_a_clean_image_is_refused_on_its_field(self, cast, image, code):
        body = error_of(create(cast["course_staff"], image=image), 400, code)
        assert list(body["field_errors"]) == ["image"]
        assert not BadgeClass.objects.exists()

    def test_values_are_checked_by_the_domain_with_its_codes(self, cast):
        body = error_of(create(cast["course_staff"], name="  "), 400, "name_required")
        assert body["field_errors"] == {"name": [body["message"]]}
        assert error_of(create(cast["course_staff"], skills="python,cobol"), 400,
                        "invalid_skill")["field_errors"].keys() == {"skills"}
        error_of(create(cast["course_staff"], expiry="duration", valid_days="0"), 400, "invalid_valid_days")
        error_of(create(cast["course_staff"], course_id="nonsense"), 400, "invalid_course_key")
        error_of(create(cast["course_staff"], for_trainers="perhaps"), 400, "invalid_input")
        assert not BadgeClass.objects.exists()

    def test_json_cannot_carry_the_image_and_malformed_json_is_a_400(self, cast):
        client = client_for(cast["course_staff"])
        body = {"name": "Testing", "description": "x", "criteria": "y", "course_id": str(COURSE), "image": "aGk="}
        error_of(client.post(V1 + "classes/", body, format="json"), 400, "image_required")
        error_of(client.post(V1 + "classes/", "{not json", content_type="application/json"), 400,
                 "malformed_request")
        error_of(client.post(V1 + "classes/", "[1, 2]", content_type="application/json"), 400, "invalid_input")

    @pytest.mark.parametrize("who, overrides", [
        ("learner", {}),
        ("trainer", {}),  # even one whose level lets them award badges
        ("other_staff", {}),
        ("course_staff", {"course_id": None}),  # the platform's classes
        ("course_staff", {"for_trainers": "true"}),  # trainers' classes
    ])
    def test_who_may_not_create(self, cast, who, overrides):
        error_of(create(cast[who], **overrides), 403, "permission_denied")
        assert not BadgeClass.objects.exists()

    def test_platform_staff_create_the_platform_s_and_trainers_classes(self, cast):
        response = create(cast["platform_staff"], course_id=None, for_trainers="true")
        assert response.status_code == 201
        assert (response.json()["course_id"], response.json()["for_trainers"]) == (None, True)

    def test_messages_are_in_the_requester_s_language(self, cast):
        response = client_for(cast["course_staff"]).post(V1 + "classes/", form(name=""), format="multipart",
                                                         HTTP_ACCEPT_LANGUAGE="fr")
        with translation.override("fr"):
            assert response.json()["message"] == gettext("Give the badge a name.")


class TestOneClass:
    def test_read_it_by_its_public_id_only(self, cast, badge):
        body = client_for(cast["outsider"]).get(f"{V1}classes/{badge.public_id}/").json()
        assert (body["public_id"], body["name"]) == (str(badge.public_id), "Python basics")
        error_of(client_for(cast["learner"]).get(f"{V1}classes/{uuid.uuid4()}/"), 404, "badge_class_not_found")
        error_of(client_for(cast["learner"]).get(f"{V1}classes/{badge.id}/"), 404, "badge_class_not_found")

    def test_an_archived_class_is_a_404_but_for_its_managers_and_holders(self, cast, badge):
        api.award_badge(cast["course_staff"], badge.id, cast["learner"])
        response = client_for(cast["course_staff"]).post(f"{V1}classes/{badge.public_id}/archive/")
        assert response.status_code == 200 and response.json()["is_active"] is False
        url = f"{V1}classes/{badge.public_id}/"
        error_of(client_for(cast["learner2"]).get(url), 404, "badge_class_not_found")
        assert client_for(cast["learner"]).get(url).status_code == 200
        assert client_for(cast["course_staff"]).get(url).status_code == 200
        error_of(award(cast["course_staff"], badge, username="learner2"), 409, "badge_class_archived")

    def test_only_managers_archive(self, cast, badge):
        for who in ("learner", "trainer", "other_staff"):
            error_of(client_for(cast[who]).post(f"{V1}classes/{badge.public_id}/archive/"), 403, "permission_denied")
        assert BadgeClass.objects.get(pk=badge.id).is_active

    def test_a_change_of_meaning_raises_the_version(self, cast, badge):
        client = client_for(cast["course_staff"])
        url = f"{V1}classes/{badge.public_id}/"
        response = client.patch(url, {"kind": "certificate"}, format="json")
        assert (response.json()["kind"], response.json()["version"]) == ("certificate", 2)
        response = client.patch(url, {"name": "Python, the basics", "skills": []}, format="json")
        assert (response.json()["name"], response.json()["skills"], response.json()["version"]) == (
            "Python, the basics", [], 3)
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
        response = client.patch(url, {"image": upload(svg, "new.svg"), "skills": "writing"}, format="multipart")
        assert response.status_code == 200, response.content
        assert (response.json()["image_type"], response.json()["version"]) == ("svg", 4)
        assert [skill["slug"] for skill in response.json()["skills"]] == ["writing"]

    def test_changes_are_checked(self, cast, badge):
        client = client_for(cast["course_staff"])
        url = f"{V1}classes/{badge.public_id}/"
        body = error_of(client.patch(url, {"course_id": str(OTHER_COURSE)}, format="json"), 400, "unknown_field")
        assert list(body["field_errors"]) == ["course_id"]
        error_of(client.patch(url, {"description": ""}, format="json"), 400, "description_required")
        error_of(client.patch(url, {"image": None}, format="json"), 400, "image_required")
        error_of(client.patch(url, {"expiry": "date", "expires_on": "2001-01-01"}, format="json"), 400,
                 "expiry_date_past")
        error_of(client.patch(url, "{", content_type="application/json"), 400, "malformed_request")
        assert BadgeClass.objects.get(pk=badge.id).version == 1

    @pytest.mark.parametrize("who", ["learner", "trainer", "other_staff"])
    def test_only_managers_change_it(self, cast, badge, who):
        response = client_for(cast[who]).patch(f"{V1}classes/{badge.public_id}/", {"name": "Hacked"}, format="json")
        error_of(response, 403, "permission_denied")
        assert BadgeClass.objects.get(pk=badge.id).name == "Python basics"


# --- awards -----------------------------------------------------------------------------------------------------------


class TestAwarding:
    @pytest.mark.parametrize("who", ["course_staff", "platform_staff", "trainer"])
    def test_managers_and_trainers_whose_level_allows(self, cast, badge, who):
        evidence = [{"url": "https://example.com/p", "name": "Project", "narrative": "Graded A."}]
        response = award(cast[who], badge, username="learner", narrative="Well **done**.", evidence=evidence)
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["recipient_username"], body["issued_by_id"], body["status"]) == ("learner", cast[who].pk,
                                                                                      "active")
        assert body["evidence"] == evidence and "<strong>done</strong>" in body["narrative_html"]
        assert body["verify_url"] == f"http://127.0.0.1:8000/badges/assertions/{body['public_id']}/verify/"
        assert body["baked_url"].endswith(f"/badges/assertions/{body['public_id']}/baked.png")

    def test_a_trainer_whose_level_does_not_allow_is_refused(self, cast, badge):
        error_of(award(cast["beginner"], badge, username="learner"), 403, "capability_refused")
        for who in ("learner2", "other_trainer", "other_staff"):
            error_of(award(cast[who], badge, username="learner"), 403, "permission_denied")
        assert not BadgeAward.objects.exists()

    def test_by_user_id_and_who_is_unknown(self, cast, badge):
        assert award(cast["course_staff"], badge, user_id=cast["learner"].pk).status_code == 201
        body = error_of(award(cast["course_staff"], badge, username="nobody"), 400, "unknown_user")
        assert list(body["field_errors"]) == ["username"]
        error_of(award(cast["course_staff"], badge, user_id=987654), 400, "unknown_user")
        error_of(award(cast["course_staff"], badge, username="learner", user_id=cast["learner"].pk), 400,
                 "invalid_entries")
        error_of(award(cast["course_staff"], badge), 400, "invalid_entries")

    def test_who_may_not_award_learns_nothing_about_usernames(self, cast, badge):
        error_of(award(cast["learner"], badge, username="nobody"), 403, "permission_denied")
        error_of(award(cast["beginner"], badge, username="nobody"), 403, "capability_refused")

    def test_the_recipient_s_refusals_name_the_field_used(self, cast, badge):
        body = error_of(award(cast["course_staff"], badge, username="outsider"), 400, "not_enrolled")
        assert list(body["field_errors"]) == ["username"]
        error_of(award(cast["trainer"], badge, user_id=cast["trainer"].pk), 403, "own_award")
        assert award(cast["course_staff"], badge, username="learner").status_code == 201
        error_of(award(cast["trainer"], badge, username="learner"), 409, "already_awarded")
        error_of(award(cast["course_staff"], badge, username="learner2", evidence=[{"url": "ftp://x"}]), 400,
                 "invalid_evidence_url")
        error_of(client_for(cast["course_staff"]).post(f"{V1}classes/{badge.public_id}/awards/", "{",
                                                       content_type="application/json"), 400, "malformed_request")

    def test_an_idempotency_key_returns_the_first_award(self, cast, badge):
        client = client_for(cast["course_staff"])
        url = f"{V1}classes/{badge.public_id}/awards/"
        first = client.post(url, {"username": "learner"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        again = client.post(url, {"username": "learner"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["public_id"] == again.json()["public_id"] and BadgeAward.objects.count() == 1
        error_of(client.post(url, {"username": "learner2"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 65), 400,
                 "invalid_idempotency_key")


class TestBulk:
    def test_each_entry_is_awarded_or_said_why_not(self, cast, badge):
        api.award_badge(cast["course_staff"], badge.id, cast["learner2"])
        entries = [
            {"username": "learner", "narrative": "Great."},
            {"username": "learner2"},
            {"username": "nobody"},
            {"username": "outsider"},
            {"user_id": cast["learner"].pk},
            {"narrative": "Whom?"},
        ]
        response = client_for(cast["trainer"]).post(f"{V1}classes/{badge.public_id}/awards/bulk/",
                                                    {"entries": entries}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert [(item["recipient_username"], item["narrative"]) for item in body["awarded"]] == [("learner",
                                                                                                  "Great.")]
        assert sorted((item["username"], item["user_id"]) for item in body["already_awarded"]) == [
            ("learner", cast["learner"].pk), ("learner2", cast["learner2"].pk)]
        assert [(item["index"], item["username"], item["error_code"]) for item in body["refused"]] == [
            (2, "nobody", "unknown_user"), (3, "outsider", "not_enrolled"), (5, "", "invalid_entries")]
        assert BadgeAward.objects.filter(recipient=cast["learner"]).count() == 1

    def test_the_batch_s_own_refusals(self, cast, badge):
        url = f"{V1}classes/{badge.public_id}/awards/bulk/"
        error_of(client_for(cast["beginner"]).post(url, {"entries": [{"username": "nobody"}]}, format="json"), 403,
                 "capability_refused")
        error_of(client_for(cast["learner"]).post(url, {"entries": []}, format="json"), 403, "permission_denied")
        client = client_for(cast["course_staff"])
        error_of(client.post(url, {"entries": "learner"}, format="json"), 400, "invalid_entries")
        error_of(client.post(url, {"entries": [{"username": "learner"}] * 501}, format="json"), 400,
                 "too_many_entries")
        assert not BadgeAward.objects.exists()


class TestReadingAwards:
    @pytest.fixture
    def awards(self, cast, badge):
        other = make_class(cast["other_staff"], course_key=OTHER_COURSE, name="Elsewhere")
        return {
            "learner": api.award_badge(cast["course_staff"], badge.id, cast["learner"]),
            "learner2": api.award_badge(cast["trainer"], badge.id, cast["learner2"]),
            "outsider": api.award_badge(cast["other_staff"], other.id, cast["outsider"]),
        }

    def test_a_learner_sees_their_own_awards_only(self, cast, badge, awards):
        mine = client_for(cast["learner"]).get(V1 + "me/awards/").json()
        assert [item["public_id"] for item in mine["results"]] == [str(awards["learner"].public_id)]
        item = mine["results"][0]
        assert (item["badge_class"]["name"], item["status"]) == ("Python basics", "active")
        assert item["badge_class"]["image_url"] == f"http://127.0.0.1:8000/badges/classes/{badge.public_id}/image"
        assert item["verify_url"].endswith("/verify/") and item["baked_url"].endswith("baked.png")
        listed = client_for(cast["learner"]).get(f"{V1}classes/{badge.public_id}/awards/").json()["results"]
        assert [entry["recipient_username"] for entry in listed] == ["learner"]
        assert client_for(cast["learner"]).get(f"{V1}awards/{awards['learner'].public_id}/").status_code == 200
        error_of(client_for(cast["learner"]).get(f"{V1}awards/{awards['learner2'].public_id}/"), 404,
                 "award_not_found")
        error_of(client_for(cast["learner"]).get(f"{V1}awards/nonsense/"), 404, "award_not_found")

    @pytest.mark.parametrize("who, sees", [
        ("course_staff", True), ("platform_staff", True), ("trainer", True),
        ("beginner", False), ("other_staff", False), ("other_trainer", False), ("outsider", False),
    ])
    def test_those_who_may_award_the_class_see_its_awards(self, cast, badge, awards, who, sees):
        listed = client_for(cast[who]).get(f"{V1}classes/{badge.public_id}/awards/").json()["results"]
        assert sorted(item["recipient_username"] for item in listed) == (["learner", "learner2"] if sees else [])
        response = client_for(cast[who]).get(f"{V1}awards/{awards['learner'].public_id}/")
        assert response.status_code == (200 if sees else 404)

    def test_lists_run_a_fixed_number_of_queries(self, cast, badge, make_user):
        learners = [make_user(f"many{number}") for number in range(12)]
        for learner in learners:
            host_api.record_enrollment(learner.pk, COURSE, "audit", True, at(1))

        def queries(url: str, who, params=None) -> int:
            client = client_for(who)
            client.get(url, params)  # the session and caches warmed alike
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, params).status_code == 200
            return len(captured)

        classes_url, awards_url = V1 + "classes/", f"{V1}classes/{badge.public_id}/awards/"
        course = {"course_id": str(COURSE)}
        for learner in learners[:2]:
            api.award_badge(cast["course_staff"], badge.id, learner)
        make_class(cast["course_staff"], name="Second", skills=["writing"])
        few = (queries(classes_url, cast["learner"], course), queries(awards_url, cast["course_staff"]),
               queries(awards_url, cast["trainer"]))
        for learner in learners[2:]:
            api.award_badge(cast["course_staff"], badge.id, learner)
        for number in range(10):
            make_class(cast["course_staff"], name=f"More {number}", skills=["python", "writing"])
        many = (queries(classes_url, cast["learner"], course), queries(awards_url, cast["course_staff"]),
                queries(awards_url, cast["trainer"]))
        assert few == many
        portfolio = [make_class(cast["course_staff"], name=f"Portfolio {number}") for number in range(12)]
        api.award_badge(cast["course_staff"], portfolio[0].id, cast["learner"])
        api.award_badge(cast["course_staff"], portfolio[1].id, cast["learner"])
        two = queries(V1 + "me/awards/", cast["learner"])
        for badge_class in portfolio[2:]:
            api.award_badge(cast["course_staff"], badge_class.id, cast["learner"])
        assert queries(V1 + "me/awards/", cast["learner"]) == two
        assert client_for(cast["learner"]).get(V1 + "me/awards/").json()["count"] == 12


class TestRevokingAndRenewing:
    def test_revoke_with_a_reason(self, cast, badge):
        given = api.award_badge(cast["trainer"], badge.id, cast["learner"])
        url = f"{V1}awards/{given.public_id}/revoke/"
        error_of(client_for(cast["learner"]).post(url, {"reason": "Mine."}, format="json"), 403, "permission_denied")
        body = error_of(client_for(cast["course_staff"]).post(url, {"reason": " "}, format="json"), 400,
                        "reason_required")
        assert list(body["field_errors"]) == ["reason"]
        response = client_for(cast["trainer"]).post(url, {"reason": "Copied the project."}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["revocation_reason"], body["baked_url"]) == ("revoked", "Copied the project.",
                                                                                  None)
        error_of(client_for(cast["course_staff"]).post(url, {"reason": "Again."}, format="json"), 409,
                 "already_revoked")
        mine = client_for(cast["learner"]).get(V1 + "me/awards/").json()["results"]
        assert [item["status"] for item in mine] == ["revoked"]

    def test_renew_an_award_about_to_expire_once(self, cast):
        short = make_class(cast["course_staff"], name="Short", expiry="duration", valid_days=10)
        old = api.award_badge(cast["course_staff"], short.id, cast["learner"])
        url = f"{V1}awards/{old.public_id}/renew/"
        error_of(client_for(cast["learner"]).post(url), 403, "permission_denied")
        error_of(client_for(cast["beginner"]).post(url), 403, "capability_refused")
        first = client_for(cast["trainer"]).post(url)
        again = client_for(cast["course_staff"]).post(url)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["public_id"] == again.json()["public_id"] != str(old.public_id)
        assert first.json()["status"] == "active"
        assert api.get_award(old.public_id).status == "expired"

    def test_an_award_far_from_expiry_is_not_renewable(self, cast, badge):
        given = api.award_badge(cast["course_staff"], badge.id, cast["learner"])
        error_of(client_for(cast["course_staff"]).post(f"{V1}awards/{given.public_id}/renew/"), 409, "not_renewable")
        error_of(client_for(cast["course_staff"]).post(f"{V1}awards/{uuid.uuid4()}/renew/"), 404, "award_not_found")


# --- schema -----------------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_badges_endpoints(client, capsys):
    response = client.get("/api/mentora/v1/schema/?format=json")
    assert response.status_code == 200
    warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line or "Error" in line]
    assert not [line for line in warnings if "badge" in line.lower()], warnings
    paths = response.json()["paths"]
    for path, methods in (
        ("classes/", {"get", "post"}),
        ("classes/{public_id}/", {"get", "patch"}),
        ("classes/{public_id}/archive/", {"post"}),
        ("classes/{public_id}/awards/", {"get", "post"}),
        ("classes/{public_id}/awards/bulk/", {"post"}),
        ("awards/{public_id}/", {"get"}),
        ("awards/{public_id}/revoke/", {"post"}),
        ("awards/{public_id}/renew/", {"post"}),
        ("me/awards/", {"get"}),
    ):
        assert methods <= set(paths[V1 + path]), path
    create_op = paths[V1 + "classes/"]["post"]
    assert "multipart/form-data" in create_op["requestBody"]["content"]
    assert {"201", "400", "403"} <= set(create_op["responses"])
    assert {"201", "200", "409"} <= set(paths[V1 + "classes/{public_id}/awards/"]["post"]["responses"])
    listed = paths[V1 + "me/awards/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "results" in str(listed) or "Paginated" in str(listed)
