"""
The "Mentora course team" block, run in xblock-sdk's workbench runtime (the runtime the demo serves), with the
course, enrollments and roles announced through the platform's real openedx-events signals.

The LMS's own runtime cannot run here (it needs all of edx-platform). What the block takes from it, the user
service's ``edx-platform.user_id``, a usage key inside a course and an i18n service backed by the block's own
``text.mo``, is played by the small stand-ins of ``LmsLikeRuntime``; those tests say so.
"""
from __future__ import annotations

import gettext
import json
import subprocess
import sys
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import polib
import pytest
import webob
from django.utils import translation
from opaque_keys.edx.keys import CourseKey
from openedx_events.content_authoring.data import CourseCatalogData, CourseScheduleData
from openedx_events.content_authoring.data import CourseData as AuthoringCourseData
from openedx_events.content_authoring.signals import COURSE_CATALOG_INFO_CHANGED, COURSE_CREATED
from openedx_events.learning.data import CourseAccessRoleData
from openedx_events.learning.signals import (
    COURSE_ACCESS_ROLE_ADDED,
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)
from workbench.runtime import WorkbenchRuntime
from workbench.runtime_util import reset_global_state
from workbench.scenarios import get_scenarios
from xblock.field_data import DictFieldData
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.test.tools import TestRuntime

from mentora_plugin.host import api
from mentora_plugin.trainers import api as trainers_api
from mentora_xblocks import identity
from mentora_xblocks.course_team import CourseTeamXBlock
from tests.conftest import enrollment_data, user_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
DEMO_COURSE = CourseKey.from_string("course-v1:MentoraDemo+MENT101+2026")
OTHER_COURSE = CourseKey.from_string("course-v1:MentoraDemo+OTHER+2026")
BLOCK_XML = f'<mentora_course_team fallback_course_key="{DEMO_COURSE}"/>'
HOME_URL = f"/mentora/courses/{DEMO_COURSE}/"


# --- the platform's events --------------------------------------------------------------------------------------


def announce_course(course_key: CourseKey, title: str) -> None:
    """What Studio sends when a course is created, then published."""
    COURSE_CREATED.send_event(course=AuthoringCourseData(course_key=course_key))
    COURSE_CATALOG_INFO_CHANGED.send_event(
        catalog_info=CourseCatalogData(
            course_key=course_key,
            name=title,
            schedule_data=CourseScheduleData(start=datetime(2026, 9, 1, tzinfo=UTC), pacing="self"),
        )
    )


def enroll(user, course_key: CourseKey = DEMO_COURSE) -> None:
    """What the LMS sends on every enroll: CHANGED, then CREATED."""
    data = enrollment_data(user, course_key, mode="verified", is_active=True)
    COURSE_ENROLLMENT_CHANGED.send_event(enrollment=data)
    COURSE_ENROLLMENT_CREATED.send_event(enrollment=data)


def unenroll(user, course_key: CourseKey = DEMO_COURSE) -> None:
    """What the LMS sends when a learner leaves: CHANGED (inactive), then UNENROLLMENT_COMPLETED."""
    data = enrollment_data(user, course_key, mode="verified", is_active=False)
    COURSE_ENROLLMENT_CHANGED.send_event(enrollment=data)
    COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=data)


def add_course_role(user, role: str, course_key: CourseKey = DEMO_COURSE) -> None:
    """What the LMS sends when course staff add someone to the course team."""
    COURSE_ACCESS_ROLE_ADDED.send_event(
        course_access_role_data=CourseAccessRoleData(
            user=user_data(user), org_key=course_key.org, course_key=course_key, role=role
        )
    )


# --- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def assembled_assets():
    """The block's CSS and the compiled catalogs, where the runtimes look for them (as ``make assets`` does)."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "assemble_assets.py")], check=True, cwd=ROOT)


@pytest.fixture(autouse=True)
def workbench_settings(settings):
    """
    xblock-sdk's runtime reads ``settings.WORKBENCH``. Its own defaults are used only if the site has none, so a
    WORKBENCH setting in the demo's settings is what these tests exercise once it exists.
    """
    if not hasattr(settings, "WORKBENCH"):
        settings.WORKBENCH = {"reset_state_on_restart": False, "services": {}}


@pytest.fixture
def cast(make_user):
    """The demo course with a learner, a trainer, course staff, an outsider and platform staff."""
    announce_course(DEMO_COURSE, "Mentoring in Practice")
    people = {
        "learner": make_user("alice", first_name="Alice", last_name="Martin"),
        "trainer": make_user("tariq", first_name="Tariq", last_name="Benali"),
        "plain_trainer": make_user("zed"),
        "staff": make_user("sofia", first_name="Sofia", last_name="Rossi"),
        "outsider": make_user("olga", first_name="Olga", last_name="Outside"),
        "platform_staff": make_user("ada", is_staff=True),
    }
    enroll(people["learner"])
    add_course_role(people["staff"], "staff")
    api.grant_trainer_role(DEMO_COURSE, people["trainer"], granted_by=people["staff"])
    api.grant_trainer_role(DEMO_COURSE, people["plain_trainer"], granted_by=people["staff"])
    return people


def workbench_block(student_id: str, xml: str = BLOCK_XML) -> CourseTeamXBlock:
    """Parse ``xml`` into a fresh workbench runtime acting as the workbench student ``student_id``."""
    runtime = WorkbenchRuntime(student_id)
    runtime.id_generator.set_scenario("mentora-course-team-tests")
    return runtime.get_block(runtime.parse_xml_string(xml))


def render(block: CourseTeamXBlock) -> str:
    return block.runtime.render(block, "student_view").body_html()


def call_get_team(block: CourseTeamXBlock) -> dict:
    request = webob.Request.blank("/", method="POST", body=b"{}", content_type="application/json")
    response = block.runtime.handle(block, "get_team", request)
    assert response.status_code == 200
    return json.loads(response.body)


# --- the block in the workbench -------------------------------------------------------------------------------------


class TestWorkbenchView:
    def test_learner_sees_the_trainers_their_role_and_the_course_home_link(self, cast):
        html = render(workbench_block(str(cast["learner"].pk)))
        assert 'data-status="ok"' in html
        assert "Tariq Benali" in html and "(tariq)" in html
        assert "zed" in html  # a trainer without a full name is listed by username
        assert "Learner" in html
        assert f'href="{HOME_URL}"' in html
        assert "Your mentors" in html
        # Only trainers are listed: neither the learner nor the course staff appear as mentors.
        assert "Sofia Rossi" not in html and "Alice Martin" not in html

    def test_the_block_asks_for_its_stylesheet_from_public(self, cast):
        block = workbench_block(str(cast["learner"].pk))
        fragment = block.runtime.render(block, "student_view")
        css_urls = [resource.data for resource in fragment.resources if resource.kind == "url"]
        assert any(url.endswith("/public/xblocks/course_team.css") for url in css_urls), css_urls
        assert CourseTeamXBlock.open_local_resource("public/xblocks/course_team.css").read().startswith(b"/*")

    def test_non_enrolled_user_sees_the_no_access_message_and_no_trainer(self, cast):
        html = render(workbench_block(str(cast["outsider"].pk)))
        assert 'data-status="no_access"' in html
        assert "Enroll in the course to see them." in html
        assert "Tariq Benali" not in html and HOME_URL not in html

    def test_learner_who_left_the_course_loses_access(self, cast):
        unenroll(cast["learner"])
        html = render(workbench_block(str(cast["learner"].pk)))
        assert 'data-status="no_access"' in html
        assert "Tariq Benali" not in html

    def test_course_staff_and_trainer_see_their_roles(self, cast):
        assert "Course staff" in render(workbench_block(str(cast["staff"].pk)))
        trainer_html = render(workbench_block(str(cast["trainer"].pk)))
        assert "Trainer" in trainer_html and "Learner" not in trainer_html

    def test_platform_staff_without_a_role_see_the_team_and_why(self, cast):
        html = render(workbench_block(str(cast["platform_staff"].pk)))
        assert 'data-status="ok"' in html and "Tariq Benali" in html
        assert "you see its mentors as platform staff" in html

    def test_workbench_student_who_is_no_user_is_asked_to_sign_in(self, cast):
        html = render(workbench_block("student_1"))
        assert 'data-status="anonymous"' in html
        assert "Sign in to see who mentors in this course." in html
        assert "Tariq Benali" not in html

    @pytest.mark.parametrize("course_key", [str(OTHER_COURSE), "not a course key", ""])
    def test_unknown_missing_or_invalid_course(self, cast, course_key):
        xml = f'<mentora_course_team fallback_course_key="{course_key}"/>'
        html = render(workbench_block(str(cast["learner"].pk), xml))
        assert 'data-status="unknown_course"' in html
        assert "not in a course that Mentora knows" in html
        assert "Tariq Benali" not in html

    def test_author_title_replaces_the_default(self, cast):
        xml = f'<mentora_course_team display_name="Who helps you" fallback_course_key="{DEMO_COURSE}"/>'
        html = render(workbench_block(str(cast["learner"].pk), xml))
        assert "Who helps you" in html and "Your mentors" not in html

    def test_headings_and_lists_structure_the_view(self, cast):
        html = render(workbench_block(str(cast["learner"].pk)))
        assert html.count("<h2") == 1 and html.count("<h3") == 2
        assert 'class="mentora-course-team__trainers"' in html and "<li" in html


class TestGetTeamHandler:
    def test_returns_what_the_view_shows(self, cast):
        team = call_get_team(workbench_block(str(cast["learner"].pk)))
        assert team["status"] == "ok"
        assert team["course_key"] == str(DEMO_COURSE)
        assert team["course_title"] == "Mentoring in Practice"
        assert team["trainers"] == [
            {"username": "tariq", "full_name": "Tariq Benali", "profile_url": None, "level_name": None},
            # no name on record: the username stands in
            {"username": "zed", "full_name": "zed", "profile_url": None, "level_name": None},
        ]
        assert team["roles"] == ["learner"] and team["role_labels"] == ["Learner"]
        assert team["course_home_url"] == HOME_URL

    def test_an_active_trainer_links_to_their_public_profile_with_their_level(self, cast):
        trainers_api.start_first_level(cast["trainer"])
        team = call_get_team(workbench_block(str(cast["learner"].pk)))
        tariq = next(trainer for trainer in team["trainers"] if trainer["username"] == "tariq")
        assert tariq["profile_url"] == "/mentora/trainers/profile/tariq/" and tariq["level_name"] == "Beginner"
        zed = next(trainer for trainer in team["trainers"] if trainer["username"] == "zed")
        assert zed["profile_url"] is None  # granted by course staff, never applied: no public profile
        html = render(workbench_block(str(cast["learner"].pk)))
        assert 'href="/mentora/trainers/profile/tariq/"' in html and "Level: Beginner" in html

    def test_revoked_trainer_disappears(self, cast):
        api.revoke_trainer_role(DEMO_COURSE, cast["trainer"], revoked_by=cast["staff"])
        team = call_get_team(workbench_block(str(cast["learner"].pk)))
        assert [trainer["username"] for trainer in team["trainers"]] == ["zed"]

    def test_refuses_the_team_to_outsiders(self, cast):
        team = call_get_team(workbench_block(str(cast["outsider"].pk)))
        assert team["status"] == "no_access"
        assert team["trainers"] == [] and team["roles"] == [] and team["course_home_url"] is None


class TestDemoScenario:
    def test_scenario_is_mentora_course_team_0_and_renders_as_the_signed_in_person(self, cast, client):
        """The demo landing page links /workbench/scenario/mentora_course_team.0/; the middleware picks the user."""
        reset_global_state()  # scenario definitions live in the (per-test) database
        assert "mentora_course_team.0" in get_scenarios()
        client.force_login(cast["learner"])
        response = client.get("/workbench/scenario/mentora_course_team.0/?student=student_1")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Tariq Benali" in body and "Learner" in body


class TestStudioEditing:
    def test_studio_view_edits_the_title_and_the_fallback_course_key(self):
        block = workbench_block("student_1")
        html = block.runtime.render(block, "studio_view").body_html()
        assert 'for="xb-field-edit-display_name"' in html and 'for="xb-field-edit-fallback_course_key"' in html

    def test_invalid_fallback_course_key_is_refused(self, cast):
        block = workbench_block(str(cast["staff"].pk))
        request = webob.Request.blank(
            "/",
            method="POST",
            body=json.dumps({"values": {"fallback_course_key": "nonsense"}, "defaults": []}).encode(),
            content_type="application/json",
        )
        assert block.runtime.handle(block, "submit_studio_edits", request).status_code == 400
        request = webob.Request.blank(
            "/",
            method="POST",
            body=json.dumps({"values": {"display_name": "Mentors", "fallback_course_key": str(OTHER_COURSE)},
                             "defaults": []}).encode(),
            content_type="application/json",
        )
        assert block.runtime.handle(block, "submit_studio_edits", request).status_code == 200
        assert block.display_name == "Mentors" and block.fallback_course_key == str(OTHER_COURSE)


# --- the identity helper --------------------------------------------------------------------------------------------


class FakeLmsUserService(UserService):
    """The LMS user service's shape: the platform user id and friends in ``opt_attrs`` (a stand-in, see above)."""

    def __init__(self, user_id, username="", is_staff=False):
        user = XBlockUser(is_current_user=True, emails=[], full_name="")
        user.opt_attrs.update({
            identity.LMS_USER_ID: user_id,
            "edx-platform.username": username,
            "edx-platform.user_is_staff": is_staff,
            "edx-platform.anonymous_user_id": "d1e2a3d4",
        })
        super().__init__(user=user)

    def get_current_user(self):
        return self._user


class LmsLikeI18nService:
    """Like edx-platform's XBlockI18nService: everything is delegated to the block's own gettext catalog."""

    def __init__(self, translator):
        self.translator = translator

    def __getattr__(self, name):
        return getattr(self.translator, "gettext" if name == "ugettext" else name)


class LmsLikeRuntime(TestRuntime):
    """A runtime with what the LMS gives blocks: a user service, an i18n service, usage keys inside a course."""

    def __init__(self, user_service, i18n_service=None, course_id=None, **fields):
        services = {"user": user_service, "field-data": DictFieldData(fields)}
        if i18n_service is not None:
            services["i18n"] = i18n_service
        super().__init__(services=services)
        if course_id is not None:
            self.course_id = course_id

    def local_resource_url(self, block, uri):
        return f"/xblock/resource/{block.scope_ids.block_type}/{uri}"

    def handler_url(self, *args, **kwargs):
        return "/handler/"


def lms_block(runtime, usage_id=None) -> CourseTeamXBlock:
    usage_id = usage_id or DEMO_COURSE.make_usage_key("mentora_course_team", "team1")
    return runtime.construct_xblock_from_class(CourseTeamXBlock, ScopeIds("user", "mentora_course_team", "d", usage_id))


class TestIdentity:
    def test_lms_user_id_maps_to_the_django_user(self, make_user):
        """A stand-in for the LMS user service (the LMS runtime cannot run here)."""
        user = make_user()
        block = lms_block(LmsLikeRuntime(FakeLmsUserService(user.pk, user.username)))
        assert identity.get_current_user(block) == user

    def test_lms_anonymous_user_is_nobody(self, make_user):
        make_user()
        assert identity.get_current_user(lms_block(LmsLikeRuntime(FakeLmsUserService(None)))) is None

    def test_workbench_user_id_string_maps_to_the_django_user(self, make_user):
        user = make_user()
        assert identity.get_current_user(workbench_block(str(user.pk))) == user

    @pytest.mark.parametrize("student", ["student_1", "0", "-1", "", "\u0661"])
    def test_workbench_students_who_are_no_user_are_nobody(self, make_user, student):
        make_user()
        assert identity.get_current_user(workbench_block(student)) is None

    def test_unknown_user_id_is_nobody(self, make_user):
        user = make_user()
        assert identity.get_current_user(workbench_block(str(user.pk + 1000))) is None

    def test_course_comes_from_the_usage_key_and_wins_over_the_field(self, make_user):
        block = lms_block(LmsLikeRuntime(FakeLmsUserService(None), fallback_course_key=str(OTHER_COURSE)))
        assert identity.get_course_key(block) == DEMO_COURSE

    def test_studio_branch_and_version_are_dropped(self):
        draft = DEMO_COURSE.for_branch("draft-branch").replace(version_guid="0123456789abcdef01234567")
        block = lms_block(LmsLikeRuntime(FakeLmsUserService(None)), draft.make_usage_key("mentora_course_team", "x"))
        assert identity.get_course_key(block) == DEMO_COURSE

    def test_runtime_course_id_when_the_usage_key_has_no_course(self):
        runtime = LmsLikeRuntime(FakeLmsUserService(None), course_id=DEMO_COURSE)
        assert identity.get_course_key(lms_block(runtime, usage_id="plain-usage-id")) == DEMO_COURSE

    def test_workbench_course_comes_from_the_field_not_the_patched_course_id(self, make_user):
        block = workbench_block("student_1")
        block.runtime.render(block, "student_view")  # the workbench patches block.course_id while rendering
        assert block.course_id != str(DEMO_COURSE)
        assert identity.get_course_key(block) == DEMO_COURSE


# --- French ------------------------------------------------------------------------------------------------------


#: Msgids the block shows that the French catalog (locale/fr/LC_MESSAGES/django.po) is expected to translate.
FRENCH_MSGIDS = ("Your mentors", "Mentors in this course", "Learner")


class TestFrench:
    def test_block_renders_in_french_from_the_project_catalog(self, cast):
        """
        In the workbench (and the demo) the i18n service is Django's: the block's strings come from the project's
        French catalog, compiled from ``locale/fr`` by ``scripts/assemble_assets.py``.
        """
        with translation.override("fr"):
            expected = {msgid: translation.gettext(msgid) for msgid in FRENCH_MSGIDS}
            html = unescape(render(workbench_block(str(cast["learner"].pk))))
        untranslated = [msgid for msgid, text in expected.items() if text == msgid]
        assert not untranslated, f"locale/fr/LC_MESSAGES/django.po does not translate {untranslated}"
        for msgid, text in expected.items():
            assert text in html, (msgid, text)
        assert "Your mentors" not in html and "Mentors in this course" not in html

    def test_block_renders_in_french_through_an_lms_style_i18n_service(self, cast, tmp_path):
        """
        The LMS gives the block an i18n service backed by the block's own ``translations/fr/.../text.mo``: a
        stand-in service over a catalog written here shows that every string, in Python and in the template, goes
        through it in the active language.
        """
        catalog = polib.POFile()
        catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "fr"}
        translations = {
            "Your mentors": "Vos mentors (catalogue du bloc)",
            "Mentors in this course": "Mentors de ce cours (catalogue du bloc)",
            "Learner": "Apprenant·e (catalogue du bloc)",
            "Your role in this course": "Votre rôle (catalogue du bloc)",
        }
        for msgid, msgstr in translations.items():
            catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        mo_path = tmp_path / "text.mo"
        catalog.save_as_mofile(str(mo_path))

        with mo_path.open("rb") as mo_file:
            i18n = LmsLikeI18nService(gettext.GNUTranslations(mo_file))
        runtime = LmsLikeRuntime(FakeLmsUserService(cast["learner"].pk), i18n_service=i18n)
        with translation.override("fr"):
            html = runtime.render(lms_block(runtime), "student_view").body_html()
        for msgstr in translations.values():
            assert msgstr in html
        assert "Tariq Benali" in html
