"""
Capabilities unlocked by level: who gets which row of ``MENTORA_TRAINER_CAPABILITIES`` (levels, probation caps,
scopes, course staff's grants), the same refusal through every door (the booking API over REST, the availability
page, the booking block), and the levels' pages and REST API.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import webob
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_django_utils.cache import RequestCache
from rest_framework.test import APIClient
from workbench.runtime import WorkbenchRuntime

from mentora_plugin.booking import api as booking_api
from mentora_plugin.booking.models import SessionType
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.settings.common import DEFAULTS
from mentora_plugin.trainers import api, capabilities, rules
from mentora_plugin.trainers.models import LevelChange, TrainerProfile, TrainerScope
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db

ELSEWHERE = "course-v1:OtherOrg+X1+2026"
TRAINERS_V1 = "/api/mentora/v1/trainers/"
BOOKING_V1 = "/api/mentora/v1/"
AVAILABILITY = "/mentora/booking/availability/"
BEGINNER = DEFAULTS["MENTORA_TRAINER_CAPABILITIES"]["beginner"]
EXPERT = DEFAULTS["MENTORA_TRAINER_CAPABILITIES"]["expert"]


@pytest.fixture(autouse=True)
def _defaults(settings):
    """The shipped table and probation caps (another test module may have changed them), fresh throttles."""
    settings.MENTORA_TRAINER_CAPABILITIES = DEFAULTS["MENTORA_TRAINER_CAPABILITIES"]
    settings.MENTORA_TRAINER_PROBATION_LIMITS = DEFAULTS["MENTORA_TRAINER_PROBATION_LIMITS"]
    settings.MENTORA_TRAINER_LEVELS = DEFAULTS["MENTORA_TRAINER_LEVELS"]
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    # The host memoises course roles in the thread's request cache even outside requests; SQLite gives the next
    # test's users the same ids, so what a previous test remembered must go.
    RequestCache.clear_all_namespaces()
    yield
    cache.clear()
    RequestCache.clear_all_namespaces()


@pytest.fixture
def courses():
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Mentoring 102")
    host_api.record_course(ELSEWHERE, at(0), title="Elsewhere")


@pytest.fixture
def make_trainer(make_user):
    """An active trainer at ``level`` with the given scopes, on probation for ``probation_days`` (None: not)."""

    def make(level="beginner", scopes=(("platform", "", None),), probation_days=None, status="active", **user):
        trainer = make_user(**user)
        now = timezone.now()
        profile = TrainerProfile.objects.create(
            user=trainer, status=status, level=level, activated_at=now,
            probation_until=now + timedelta(days=probation_days) if probation_days is not None else None,
        )
        for kind, org, course_key in scopes:
            TrainerScope.objects.create(profile=profile, kind=kind, org=org, course_key=course_key, granted_at=now)
        return trainer

    return make


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- capabilities -----------------------------------------------------------------------------------------------------


class TestTheTable:
    def test_the_names_are_the_default_settings_keys_with_labels(self):
        for row in DEFAULTS["MENTORA_TRAINER_CAPABILITIES"].values():
            assert tuple(row) == capabilities.CAPABILITIES
        assert set(capabilities.CAPABILITY_LABELS) == set(capabilities.CAPABILITIES)
        assert {"can", "limit", "capabilities_of", "is_active_trainer", "CAPABILITIES"} <= set(api.__all__)

    @pytest.mark.parametrize("level", ["beginner", "intermediate", "advanced", "expert"])
    def test_each_level_gets_its_row(self, make_trainer, level):
        trainer = make_trainer(level)
        row = DEFAULTS["MENTORA_TRAINER_CAPABILITIES"][level]
        assert api.capabilities_of(trainer, COURSE) == row
        assert api.limit(trainer, "max_active_mentees", COURSE) == row["max_active_mentees"]
        assert api.can(trainer, "review_applications") is row["review_applications"]
        assert api.can(trainer, "host_live_sessions", COURSE) is row["host_live_sessions"]
        assert api.is_active_trainer(trainer, COURSE)

    def test_permissions_count_as_one_as_limits(self, make_trainer):
        expert = make_trainer("expert")
        assert api.limit(expert, "issue_badges") == 1
        assert api.limit(make_trainer("beginner"), "issue_badges") == 0

    def test_unknown_capability_is_a_programming_error(self, make_trainer):
        trainer = make_trainer("expert")
        with pytest.raises(ValueError, match="unknown trainer capability"):
            api.can(trainer, "fly")
        with pytest.raises(ValueError):
            api.limit(AnonymousUser(), "issue_certificates")
        with pytest.raises(ValueError):
            rules.has_capability("fly")

    def test_nobody_else_has_any(self, make_user, make_trainer):
        assert api.capabilities_of(AnonymousUser()) == {}
        assert api.capabilities_of(None, COURSE) == {}
        assert api.capabilities_of(make_user()) == {}
        inactive = make_trainer("expert", is_active=False)
        assert api.capabilities_of(inactive) == {} and not api.can(inactive, "issue_badges")
        applicant = make_trainer("", status="applicant")
        assert not api.is_active_trainer(applicant) and api.limit(applicant, "max_active_mentees") == 0

    def test_settings_changed_at_run_time_apply(self, make_trainer, settings):
        trainer = make_trainer("intermediate")
        assert api.limit(trainer, "group_session_size", COURSE) == 8
        settings.MENTORA_TRAINER_CAPABILITIES = {
            **DEFAULTS["MENTORA_TRAINER_CAPABILITIES"], "intermediate": {"group_session_size": 12},
        }
        assert api.limit(trainer, "group_session_size", COURSE) == 12
        assert api.limit(trainer, "max_active_mentees", COURSE) == 0  # a capability missing grants nothing
        assert api.can(trainer, "host_live_sessions", COURSE) is False
        settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": BEGINNER}  # the level is missing from the table
        assert api.capabilities_of(trainer, COURSE) == {name: 0 if name in capabilities.LIMIT_CAPABILITIES else False
                                                        for name in capabilities.CAPABILITIES}
        assert api.is_active_trainer(trainer, COURSE)  # still a trainer, granted nothing

    def test_malformed_values_grant_nothing(self, make_trainer, settings):
        settings.MENTORA_TRAINER_CAPABILITIES = {
            "beginner": {"max_active_mentees": -3, "group_session_size": True, "issue_badges": "yes",
                         "lead_forums": 1},
        }
        trainer = make_trainer("beginner")
        values = api.capabilities_of(trainer)
        assert (values["max_active_mentees"], values["group_session_size"], values["issue_badges"]) == (0, 0, False)
        assert values["lead_forums"] is True


class TestProbation:
    def test_the_lower_of_the_cap_and_the_level(self, make_trainer):
        trainer = make_trainer("beginner", probation_days=10)
        values = api.capabilities_of(trainer, COURSE)
        assert (values["max_active_mentees"], values["group_session_size"]) == (2, 3)
        assert api.on_probation(trainer)
        assert [item.key for item in api.describe_capabilities("beginner", True) if item.capped] == [
            "max_active_mentees", "group_session_size",
        ]

    def test_a_cap_above_the_level_changes_nothing(self, make_trainer, settings):
        settings.MENTORA_TRAINER_PROBATION_LIMITS = {"max_active_mentees": 50, "issue_badges": False}
        trainer = make_trainer("expert", probation_days=10)
        values = api.capabilities_of(trainer)
        assert values["max_active_mentees"] == EXPERT["max_active_mentees"]
        assert values["issue_badges"] is False  # a permission can be withheld during probation

    def test_after_probation_the_level_applies(self, make_trainer):
        trainer = make_trainer("beginner", probation_days=10)
        TrainerProfile.objects.filter(user=trainer).update(probation_until=timezone.now() - timedelta(seconds=1))
        assert api.limit(trainer, "max_active_mentees") == BEGINNER["max_active_mentees"]
        assert not api.on_probation(trainer)

    def test_the_first_level_through_the_engine_starts_on_probation(self, make_user, settings):
        settings.MENTORA_TRAINER_PROBATION_DAYS = 30
        trainer = make_user()
        api.start_first_level(trainer)
        TrainerScope.objects.create(profile=trainer.mentora_trainer_profile, kind="platform",
                                    granted_at=timezone.now())
        assert api.limit(trainer, "group_session_size", COURSE) == 3


class TestScopes:
    def test_platform_scope_covers_every_course(self, make_trainer, courses):
        trainer = make_trainer("advanced")
        assert all(api.can(trainer, "issue_badges", key) for key in (COURSE, OTHER_COURSE, ELSEWHERE, None))

    def test_org_scope_covers_its_organisation(self, make_trainer, courses):
        trainer = make_trainer("advanced", scopes=[("org", COURSE.org, None)])
        assert api.can(trainer, "issue_badges", COURSE) and api.can(trainer, "issue_badges", str(OTHER_COURSE))
        assert api.capabilities_of(trainer, ELSEWHERE) == {}
        assert api.can(trainer, "issue_badges")  # without a course, any scope counts

    def test_course_scope_covers_that_course(self, make_trainer, courses):
        trainer = make_trainer("advanced", scopes=[("course", "", COURSE)])
        assert api.can(trainer, "issue_badges", COURSE)
        assert not api.can(trainer, "issue_badges", OTHER_COURSE)
        assert not api.is_active_trainer(trainer, ELSEWHERE) and api.is_active_trainer(trainer)

    def test_an_inactive_scope_or_no_scope_counts_for_nothing(self, make_trainer):
        trainer = make_trainer("advanced", scopes=[("course", "", COURSE)])
        TrainerScope.objects.update(is_active=False)
        assert api.capabilities_of(trainer, COURSE) == {} and api.capabilities_of(trainer) == {}
        assert api.capabilities_of(make_trainer("expert", scopes=())) == {}

    def test_a_suspended_trainer_has_nothing_even_where_granted(self, make_trainer, courses):
        trainer = make_trainer("expert", status="suspended")
        host_api.grant_trainer_role(COURSE, trainer, granted_by=None)
        assert api.capabilities_of(trainer, COURSE) == {} and api.capabilities_of(trainer) == {}

    def test_a_malformed_course_key(self, make_trainer):
        with pytest.raises(host_api.InvalidCourseKeyError):
            api.can(make_trainer(), "issue_badges", "not a key")
        assert rules.has_capability("issue_badges")(make_trainer("expert"), "not a key") is False


class TestCourseStaffGrants:
    def test_a_granted_trainer_who_never_applied_has_the_first_level_there(self, make_user, courses):
        trainer = make_user()
        host_api.grant_trainer_role(COURSE, trainer, granted_by=None)
        assert api.capabilities_of(trainer, COURSE) == BEGINNER  # no probation
        assert api.capabilities_of(trainer) == BEGINNER  # a limit across courses
        assert api.capabilities_of(trainer, OTHER_COURSE) == {}
        host_api.revoke_trainer_role(COURSE, trainer, revoked_by=None)
        assert api.capabilities_of(trainer, COURSE) == {} and api.capabilities_of(trainer) == {}

    def test_a_platform_role_listed_as_trainers_counts_too(self, make_user, courses, settings):
        settings.MENTORA_TRAINER_ROLES_FROM_PLATFORM = ["staff"]
        person = make_user()
        host_api.record_course_role(CourseRoleRecord(person.pk, COURSE.org, None, "staff"), at(0))
        assert api.capabilities_of(person, OTHER_COURSE) == BEGINNER
        assert api.capabilities_of(person) == BEGINNER
        assert api.capabilities_of(person, ELSEWHERE) == {}

    def test_an_applicant_granted_by_course_staff_has_the_first_level_without_probation(self, make_trainer, courses):
        applicant = make_trainer("", status="applicant", probation_days=10)
        host_api.grant_trainer_role(COURSE, applicant, granted_by=None)
        assert api.limit(applicant, "max_active_mentees", COURSE) == BEGINNER["max_active_mentees"]

    def test_an_active_trainer_keeps_their_own_level_where_granted(self, make_trainer, courses):
        trainer = make_trainer("expert", scopes=[("course", "", OTHER_COURSE)])
        assert api.capabilities_of(trainer, COURSE) == {}
        host_api.grant_trainer_role(COURSE, trainer, granted_by=None)
        assert api.capabilities_of(trainer, COURSE) == EXPERT


class TestMemo:
    def test_a_request_reads_a_profile_once_and_a_change_is_seen(self, make_trainer, courses):
        trainer = make_trainer("intermediate")
        uids = {entry[0][0] for entry in (*request_started.receivers, *request_finished.receivers)}
        assert {"mentora.trainers.capabilities.start", "mentora.trainers.capabilities.end"} <= uids
        # What those signals run (sending request_started itself would close the test's database connection).
        capabilities._request_starts()
        try:
            with CaptureQueriesContext(connection) as first:
                api.capabilities_of(trainer, COURSE)
            with CaptureQueriesContext(connection) as again:
                for _ in range(5):
                    api.can(trainer, "host_live_sessions", COURSE)
            assert len(first) >= 1 and len(again) == 0
            profile = TrainerProfile.objects.get(user=trainer)
            profile.level = "expert"
            profile.save()  # a save forgets what the request remembered
            assert api.can(trainer, "review_applications", COURSE)
        finally:
            capabilities._request_ends()
        with CaptureQueriesContext(connection) as outside:
            api.capabilities_of(trainer, COURSE)
            api.capabilities_of(trainer, COURSE)
        assert len(outside) == 2 * len(first)  # outside a request, nothing is remembered

    def test_rules_use_the_capabilities(self, make_trainer, make_user):
        assert make_trainer("expert").has_perm("mentora_trainers.review_application")
        assert not make_trainer("advanced").has_perm("mentora_trainers.review_application")
        assert make_user(is_staff=True).has_perm("mentora_trainers.review_application")
        badges = rules.has_capability("issue_badges")
        assert badges(make_trainer("advanced"), COURSE) and not badges(make_trainer("beginner"), COURSE)


# --- every door refuses a capability the level does not grant ---------------------------------------------------------


@pytest.fixture
def bookable(make_user, courses):
    """A trainer made by course staff (the first level: groups of 4, 3 mentees), and enrolled learners."""
    trainer = make_user("tara", first_name="Tara", last_name="Iner")
    host_api.grant_trainer_role(COURSE, trainer, granted_by=None)
    learners = [make_user(f"learner{index}") for index in range(4)]
    for learner in learners:
        host_api.record_enrollment(learner.pk, COURSE, "verified", True, at(0))
    return trainer, learners


class TestBookingAPI:
    def test_mentee_cap_is_the_levels_limit(self, bookable, make_trainer):
        trainer, _learners = bookable
        assert booking_api.mentee_cap(trainer) == BEGINNER["max_active_mentees"]
        assert booking_api.mentee_cap(make_trainer("expert")) == EXPERT["max_active_mentees"]
        assert booking_api.mentee_cap(make_trainer("expert", probation_days=5)) == 2

    def test_group_size_over_the_level_is_refused_and_one_to_one_always_allowed(self, bookable, settings):
        trainer, _learners = bookable
        with pytest.raises(booking_api.BookingError) as error:
            booking_api.create_session_type(trainer, COURSE, title="Big group", duration_minutes=60, capacity=5)
        assert (error.value.code, error.value.status) == ("capacity_over_level", 403)
        assert "at most 4 seats" in str(error.value)
        assert not SessionType.objects.exists()
        group = booking_api.create_session_type(trainer, COURSE, title="Group", duration_minutes=60, capacity=4)
        settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": {"group_session_size": 0}}
        with pytest.raises(booking_api.BookingError) as error:
            booking_api.create_session_type(trainer, COURSE, title="Pair", duration_minutes=60, capacity=2)
        assert error.value.code == "capacity_over_level" and "does not allow group sessions" in str(error.value)
        assert booking_api.create_session_type(trainer, COURSE, title="1:1", duration_minutes=30, capacity=1)
        # A trainer whose level went down keeps (and may edit) what they offer, but cannot raise it.
        assert booking_api.update_session_type(trainer, group.id, title="Group (renamed)", capacity=4).capacity == 4
        with pytest.raises(booking_api.BookingError) as error:
            booking_api.update_session_type(trainer, group.id, capacity=5)
        assert error.value.code == "capacity_over_level"
        assert booking_api.get_session_type(group.id).capacity == 4

    def test_a_higher_level_unlocks_larger_groups(self, make_trainer, courses):
        trainer = make_trainer("intermediate", scopes=[("course", "", COURSE)])
        host_api.grant_trainer_role(COURSE, trainer, granted_by=None)  # booking's own permission to offer sessions
        assert booking_api.create_session_type(trainer, COURSE, title="Eight", duration_minutes=60, capacity=8)
        with pytest.raises(booking_api.BookingError):
            booking_api.create_session_type(trainer, COURSE, title="Nine", duration_minutes=60, capacity=9)


class TestEveryDoor:
    def test_rest(self, bookable):
        trainer, _learners = bookable
        client = client_for(trainer)
        url = BOOKING_V1 + f"courses/{COURSE}/session-types/"
        response = client.post(url, {"title": "Crowd", "duration_minutes": 45, "capacity": 6}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (403, "capacity_over_level")
        assert "4" in response.json()["message"]
        created = client.post(url, {"title": "Small", "duration_minutes": 45, "capacity": 3}, format="json")
        assert created.status_code == 201
        response = client.patch(BOOKING_V1 + f"session-types/{created.json()['id']}/", {"capacity": 10},
                                format="json")
        assert (response.status_code, response.json()["error_code"]) == (403, "capacity_over_level")
        assert SessionType.objects.get().capacity == 3

    def test_the_availability_page(self, bookable, client):
        trainer, _learners = bookable
        client.force_login(trainer)
        prefix = "new-course-v1-TestOrg-T101-2026"
        fields = {"title": "Crowd", "duration_minutes": "60", "capacity": "7", "location": "video",
                  "buffer_before_minutes": "0", "buffer_after_minutes": "0", "minimum_notice_minutes": "60",
                  "window_days": "30", "slot_interval_minutes": "30", "cancellation_cutoff_hours": "12",
                  "is_active": "on"}
        response = client.post(AVAILABILITY, {"action": "create_type", "course_id": str(COURSE),
                                               **{f"{prefix}-{k}": v for k, v in fields.items()}})
        assert response.status_code == 400
        assert "Your trainer level allows at most 4 seats in a group session here." in response.content.decode()
        assert not SessionType.objects.exists()

    def test_the_booking_block(self, bookable, settings):
        """The learners' mentor choice in the block hits the level's mentee cap (here the first level's, set to 2)."""
        if not hasattr(settings, "WORKBENCH"):
            settings.WORKBENCH = {"reset_state_on_restart": False, "services": {}}
        settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": {**BEGINNER, "max_active_mentees": 2}}
        trainer, learners = bookable
        for learner in learners[:2]:
            status, body = call_block(learner, "choose_mentor", {"trainer_id": trainer.pk})
            assert status == 200, body
        status, body = call_block(learners[2], "choose_mentor", {"trainer_id": trainer.pk})
        assert (status, body["error_code"]) == (409, "mentee_cap_reached")
        _status, state = call_block(learners[2], "state", {})
        assert state["mentor_options"][0]["has_room"] is False
        settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": {**BEGINNER, "max_active_mentees": 3}}
        assert call_block(learners[2], "choose_mentor", {"trainer_id": trainer.pk})[0] == 200


def call_block(user, handler: str, data: dict) -> tuple[int, dict]:
    """A JSON handler of the booking block in xblock-sdk's workbench runtime, as ``user``."""
    runtime = WorkbenchRuntime(str(user.pk))
    runtime.id_generator.set_scenario("mentora-capabilities-tests")
    block = runtime.get_block(runtime.parse_xml_string(f'<mentora_booking fallback_course_key="{COURSE}"/>'))
    request = webob.Request.blank("/", method="POST", body=json.dumps(data).encode(),
                                  content_type="application/json")
    response = block.runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body)


# --- the levels' pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    return make_user("sam", is_staff=True, first_name="Sam", last_name="Staff")


class TestPages:
    def test_my_level_criterion_by_criterion(self, client, make_trainer):
        trainer = make_trainer("beginner", probation_days=20, username="bea")
        LevelChange.objects.create(profile=trainer.mentora_trainer_profile, kind="initial", to_level="beginner",
                                   at=timezone.now())
        client.force_login(trainer)
        page = client.get("/mentora/trainers/me/level/").content.decode()
        assert "Your trainer level" in page and 'data-level="beginner"' in page
        assert 'data-criterion="sessions_delivered"' in page and "at least 10" in page  # what the next level needs
        assert "Intermediate needs" in page and "Not yet" in page
        assert 'data-capability="max_active_mentees"' in page and "capped during probation" in page
        assert "Probation" in page and 'data-change="initial"' in page

    def test_my_level_for_others(self, client, make_user, courses):
        person = make_user()
        client.force_login(person)
        assert "You are not an active trainer yet" in client.get("/mentora/trainers/me/level/").content.decode()
        host_api.grant_trainer_role(COURSE, person, granted_by=None)
        page = client.get("/mentora/trainers/me/level/").content.decode()
        assert "Course staff made you a trainer" in page and 'data-capability="group_session_size"' in page
        client.logout()
        assert client.get("/mentora/trainers/me/level/").status_code == 302

    def test_the_ladder_for_anyone_signed_in(self, client, make_user):
        assert client.get("/mentora/trainers/levels/").status_code == 302
        client.force_login(make_user())
        page = client.get("/mentora/trainers/levels/").content.decode()
        for key in ("beginner", "intermediate", "advanced", "expert"):
            assert f'data-level="{key}"' in page
        assert "Review trainer applications" in page and "kept down to" in page
        assert "A new trainer is on probation for 30 days" in page

    def test_staff_pages_refuse_others(self, client, make_trainer, make_user):
        trainer = make_trainer("expert")
        client.force_login(trainer)
        assert client.get("/mentora/trainers/levels/staff/").status_code == 403
        url = f"/mentora/trainers/levels/staff/{trainer.username}/"
        assert client.get(url).status_code == 403
        assert client.post(url, {"action": "override", "override-level": "beginner",
                                 "override-reason": "Mine"}).status_code == 403
        assert TrainerProfile.objects.get(user=trainer).level == "expert"

    def test_staff_list_filters_by_level(self, client, staff, make_trainer):
        make_trainer("expert", username="ezra")
        make_trainer("beginner", username="bob")
        client.force_login(staff)
        page = client.get("/mentora/trainers/levels/staff/").content.decode()
        assert 'data-trainer="ezra"' in page and 'data-trainer="bob"' in page
        page = client.get("/mentora/trainers/levels/staff/?level=expert").content.decode()
        assert 'data-trainer="ezra"' in page and 'data-trainer="bob"' not in page

    def test_override_needs_a_reason_then_lock_unlock_and_recompute(self, client, staff, make_trainer):
        trainer = make_trainer("beginner", username="olive")
        url = f"/mentora/trainers/levels/staff/{trainer.username}/"
        client.force_login(staff)
        page = client.get(url)
        assert page.status_code == 200 and 'id="override-form"' in page.content.decode()
        response = client.post(url, {"action": "override", "override-level": "advanced", "override-reason": " "})
        assert response.status_code == 400
        assert 'id="id_override-reason-error"' in response.content.decode()
        assert TrainerProfile.objects.get(user=trainer).level == "beginner"
        response = client.post(url, {"action": "override", "override-level": "advanced",
                                     "override-reason": "Ran the spring cohort"})
        assert response.status_code == 302
        profile = TrainerProfile.objects.get(user=trainer)
        assert (profile.level, profile.level_locked) == ("advanced", True)
        assert api.can(trainer, "issue_badges", COURSE)  # the override bites at once
        page = client.get(url).content.decode()
        assert "Ran the spring cohort" in page and "Unlock the level" in page
        response = client.post(url, {"action": "unlock", "unlock-reason": "Back to the figures"})
        assert response.status_code == 302 and not TrainerProfile.objects.get(user=trainer).level_locked
        response = client.post(url, {"action": "lock", "lock-reason": ""})
        assert response.status_code == 400 and not TrainerProfile.objects.get(user=trainer).level_locked
        assert client.post(url, {"action": "lock", "lock-reason": "Under review"}).status_code == 302
        assert TrainerProfile.objects.get(user=trainer).level_lock_reason == "Under review"
        assert client.post(url, {"action": "recompute"}).status_code == 302
        assert TrainerProfile.objects.get(user=trainer).level_computed_at is not None
        kinds = list(LevelChange.objects.filter(profile__user=trainer).values_list("kind", flat=True))
        assert sorted(kinds) == ["lock", "override", "unlock"]

    def test_unknown_people(self, client, staff, make_user):
        client.force_login(staff)
        assert client.get("/mentora/trainers/levels/staff/nobody/").status_code == 404
        page = client.get(f"/mentora/trainers/levels/staff/{make_user().username}/").content.decode()
        assert "is not an active trainer" in page and "override-form" not in page


# --- the levels' REST API ---------------------------------------------------------------------------------------------


class TestREST:
    def test_my_level_and_capabilities(self, make_trainer, make_user, courses):
        trainer = make_trainer("intermediate", scopes=[("course", "", COURSE)], probation_days=3)
        body = client_for(trainer).get(TRAINERS_V1 + "me/level/").json()
        assert body["standing"]["level"] == "intermediate" and body["standing"]["next_level"] == "advanced"
        assert {item["key"]: item["value"] for item in body["standing"]["capabilities"]}["max_active_mentees"] == 2
        body = client_for(trainer).get(TRAINERS_V1 + "me/capabilities/", {"course_id": str(COURSE)}).json()
        assert body["is_trainer"] and body["on_probation"] and body["capabilities"]["group_session_size"] == 3
        body = client_for(trainer).get(TRAINERS_V1 + "me/capabilities/", {"course_id": str(OTHER_COURSE)}).json()
        assert body == {"course_id": str(OTHER_COURSE), "is_trainer": False, "on_probation": False,
                        "capabilities": {}}
        response = client_for(trainer).get(TRAINERS_V1 + "me/capabilities/", {"course_id": "nope"})
        assert (response.status_code, response.json()["error_code"]) == (400, "invalid_course_key")
        response = client_for(make_user()).get(TRAINERS_V1 + "me/level/")
        assert (response.status_code, response.json()["error_code"]) == (404, "trainer_not_found")
        assert APIClient().get(TRAINERS_V1 + "me/capabilities/").status_code == 401

    def test_the_ladder(self, make_user):
        body = client_for(make_user()).get(TRAINERS_V1 + "levels/").json()
        levels = body["results"]
        assert [level["key"] for level in levels] == ["beginner", "intermediate", "advanced", "expert"]
        expert = {item["key"]: item["value"] for item in levels[3]["capabilities"]}
        assert expert["review_applications"] is True and expert["group_session_size"] == 30
        assert {c["key"] for c in levels[1]["criteria"]} >= {"sessions_delivered", "no_show_rate"}

    def test_staff_actions(self, staff, make_trainer):
        trainer = make_trainer("beginner", username="theo")
        base = TRAINERS_V1 + f"levels/staff/{trainer.username}/"
        response = client_for(trainer).get(base)
        assert (response.status_code, response.json()["error_code"]) == (403, "permission_denied")
        response = client_for(trainer).post(base + "override/", {"level": "expert", "reason": "me"}, format="json")
        assert response.status_code == 403 and TrainerProfile.objects.get(user=trainer).level == "beginner"
        client = client_for(staff)
        assert client.get(base).json()["standing"]["level"] == "beginner"
        response = client.post(base + "override/", {"level": "expert"}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, "reason_required")
        response = client.post(base + "override/", {"level": "master", "reason": "x"}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, "unknown_level")
        response = client.post(base + "override/", {"level": "expert", "reason": "Leads the guild"}, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["standing"]["level"] == "expert" and body["standing"]["locked"] is True
        assert body["history"][0]["reason"] == "Leads the guild" and body["history"][0]["actor_name"] == "Sam Staff"
        assert {item["key"]: item["value"] for item in body["standing"]["capabilities"]}["review_applications"]
        response = client.post(base + "unlock/", {"reason": "Figures again"}, format="json")
        assert response.status_code == 200 and response.json()["standing"]["locked"] is False
        response = client.post(base + "unlock/", {"reason": "Twice"}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, "not_locked")
        response = client.post(base + "lock/", {"reason": ""}, format="json")
        assert response.json()["error_code"] == "reason_required"
        assert client.post(base + "lock/", {"reason": "Audit"}, format="json").json()["standing"]["locked"]
        assert client.post(base + "recompute/").status_code == 200
        response = client.get(TRAINERS_V1 + "levels/staff/nobody/")
        assert (response.status_code, response.json()["error_code"]) == (404, "trainer_not_found")
