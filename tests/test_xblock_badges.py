"""
The "Mentora badges" block in xblock-sdk's workbench runtime (the runtime the demo serves): the course's badges
with the viewer's status (earned, revoked, not yet) and verification link, progress toward each condition of a
badge's rules (``badges.api.badge_progress``), the author's choice of badges, anonymous viewers, French, the Studio
form and its ``studio_submit`` validation (who may save, which badges may be chosen), and the workbench scenario.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from xml.sax.saxutils import quoteattr

import polib
import pytest
import webob
from django.utils import translation
from workbench.runtime import WorkbenchRuntime
from workbench.runtime_util import reset_global_state
from workbench.scenarios import get_scenarios

from mentora_plugin.badges import api
from mentora_plugin.trainers import api as trainers_api
from mentora_xblocks.badges import BadgesXBlock
from mentora_xblocks.badges.block import STATUS_LABELS
from tests import test_badges_classes as class_tests
from tests.conftest import COURSE, OTHER_COURSE, at
from tests.test_badges_classes import make_class

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FRENCH_CATALOG = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
BASE = "http://127.0.0.1:8000"
cast = class_tests.cast


@pytest.fixture(scope="module", autouse=True)
def assembled_assets():
    subprocess.run([sys.executable, str(ROOT / "scripts" / "assemble_assets.py")], check=True, cwd=ROOT)


@pytest.fixture(autouse=True)
def workbench_settings(settings):
    if not hasattr(settings, "WORKBENCH"):
        settings.WORKBENCH = {"reset_state_on_restart": False, "services": {}}
    settings.MENTORA_BADGES_BASE_URL = BASE


@pytest.fixture
def classes(cast):
    """The course's badges: Python (earned by the learner), Team player (with a rule: 2 sessions and passing the
    course), Writing (awarded then revoked); the other course's and a trainers' badge, which the block never shows."""
    staff, trainer, learner = cast["course_staff"], cast["trainer"], cast["learner"]
    made = {
        "python": make_class(staff, name="Python basics", skills=["python"], kind="competency"),
        "team": make_class(staff, name="Team player", criteria="Attend **two** sessions and pass the course."),
        "writing": make_class(staff, name="Writing basics", kind="certificate"),
        "elsewhere": make_class(cast["other_staff"], name="Elsewhere", course_key=OTHER_COURSE),
        "trainers": make_class(cast["platform_staff"], name="Mentor of the year", for_trainers=True),
    }
    made["award"] = api.award_badge(trainer, made["python"].id, learner)
    revoked = api.award_badge(trainer, made["writing"].id, learner)
    api.revoke_award(staff, revoked.id, "Wrong person.")
    api.create_rule(staff, made["team"].id, [{"kind": "sessions_attended", "count": 2}, {"kind": "course_passed"}])
    trainers_api.record_activity("session", "s-1", trainer, learner, COURSE, at(5))
    return made


def block_xml(**attributes) -> str:
    values = {"fallback_course_key": str(COURSE), **attributes}
    return "<mentora_badges " + " ".join(f"{name}={quoteattr(value)}" for name, value in values.items()) + "/>"


def viewer_block(who, xml: str | None = None) -> BadgesXBlock:
    student = who if isinstance(who, str) else str(who.pk)
    runtime = WorkbenchRuntime(student)
    runtime.id_generator.set_scenario("mentora-badges-tests")
    return runtime.get_block(runtime.parse_xml_string(xml or block_xml()))


def render(block, view: str = "student_view") -> str:
    return block.runtime.render(block, view).body_html()


def item(html: str, public_id) -> str:
    match = re.search(rf'<li class="mentora-badges__badge" data-badge="{public_id}"(.*?)</li>\s*(?=<li class="mentora'
                      rf'-badges__badge"|</ul>\s*</section>)', html, re.S)
    assert match, f"no badge {public_id}"
    return match.group(1)


def submit(block, values) -> tuple[int, dict]:
    request = webob.Request.blank("/", method="POST", body=json.dumps({"values": values}).encode(),
                                  content_type="application/json")
    response = block.runtime.handle(block, "studio_submit", request)
    return response.status_code, json.loads(response.body)


# --- the learner's view -----------------------------------------------------------------------------------------------


class TestLearnerView:
    def test_the_course_badges_with_the_viewer_status(self, cast, classes):
        block = viewer_block(cast["learner"])
        fragment = block.runtime.render(block, "student_view")
        html = fragment.body_html()
        assert 'data-status="ok"' in html and "Badges of this course" in html
        shown = re.findall(r'data-badge="([^"]+)"', html)
        assert shown == [str(classes[name].public_id) for name in ("python", "team", "writing")]  # by name
        assert "Elsewhere" not in html and "Mentor of the year" not in html

        python = item(html, classes["python"].public_id)
        assert 'data-award-status="active"' in python and "Your status: Earned" in python
        assert 'alt="Image of the badge Python basics"' in python and "Competency" in python
        assert f'href="{BASE}/badges/assertions/{classes["award"].public_id}/verify/"' in python
        assert "Verification page of your badge Python basics" in python
        assert "Your progress" not in python

        team = item(html, classes["team"].public_id)
        assert "Your status: Not earned yet" in team and "/verify/" not in team
        assert "<strong>two</strong>" in team and "<details" in team and "<summary>How to earn it</summary>" in team
        conditions = [unescape(re.sub(r"<[^>]+>", "", text)).split() for text in
                      re.findall(r'<li class="mentora-badges__condition[^"]*">(.*?)</li>', team, re.S)]
        assert [" ".join(words) for words in conditions] == [
            "Attend 2 sessions: 1 of 2", "Pass the course “Badges 101”: 0 of 1"]

        writing = item(html, classes["writing"].public_id)
        assert "Your status: Revoked" in writing and "/verify/" in writing  # the page says why
        urls = [resource.data for resource in fragment.resources if resource.kind == "url"]
        assert any(url.endswith("/public/xblocks/badges.css") for url in urls)
        assert not any("mentora_badges" in url and url.endswith(".js") for url in urls)  # no script of its own

    def test_a_met_condition_says_done(self, cast, classes):
        from mentora_plugin.host import api as host_api

        host_api.record_passing_status(cast["learner"].pk, COURSE, True, at(10))
        data = viewer_block(cast["learner"]).badges_data()
        team = next(badge for badge in data["badges"] if badge["name"] == "Team player")
        assert [(row["met"], row["text"]) for row in team["progress"]] == [(False, "1 of 2"), (True, "Done")]

    def test_another_learner_sees_only_their_own(self, cast, classes):
        data = viewer_block(cast["learner2"]).badges_data()
        assert [badge["status"] for badge in data["badges"]] == ["none", "none", "none"]
        assert all(badge["verify_url"] is None for badge in data["badges"])
        team = data["badges"][1]
        assert [row["text"] for row in team["progress"]] == ["0 of 2", "0 of 1"]

    def test_anonymous_viewers_see_the_badges_and_are_asked_to_sign_in(self, cast, classes):
        html = render(viewer_block("student_1"))
        assert "Sign in to see which of these badges you have earned." in html
        assert "Python basics" in html and "Your status" not in html and "Your progress" not in html

    def test_the_author_chooses_which_badges_and_their_order(self, cast, classes):
        chosen = [str(classes["writing"].public_id), str(classes["python"].public_id),
                  str(classes["elsewhere"].public_id)]
        data = viewer_block(cast["learner"], block_xml(badge_classes=json.dumps(chosen),
                                                       display_name="Earn these")).badges_data()
        assert data["title"] == "Earn these"
        assert [badge["name"] for badge in data["badges"]] == ["Writing basics", "Python basics"]  # not another's

    def test_archived_badges_drop_out_and_an_empty_course_says_so(self, cast, classes):
        for name in ("python", "team", "writing"):
            api.archive_badge_class(cast["course_staff"], classes[name].id)
        data = viewer_block(cast["learner"]).badges_data()
        assert data["badges"] == [] and data["message"] == "This course offers no badge yet."

    def test_no_course_no_badges(self, cast, classes):
        data = viewer_block(cast["learner"], "<mentora_badges/>").badges_data()
        assert data["status"] == "no_course" and data["badges"] == []

    def test_in_french(self, cast, classes):
        french = {entry.msgid: entry.msgstr for entry in polib.pofile(str(FRENCH_CATALOG))
                  if entry.msgstr and not entry.msgctxt and not entry.fuzzy}
        with translation.override("fr"):
            block = viewer_block(cast["learner"])
            data = block.badges_data()
            html = render(block)
        python = data["badges"][0]
        assert python["kind_label"] == "Compétence"
        assert 'alt="Image du badge Python basics"' in html
        for badge in data["badges"]:  # the block's wording, in French once the lead has translated it
            english = STATUS_LABELS[badge["status"]]
            assert badge["status_label"] == french.get(english, english)
        for text in ("Badges of this course", "How to earn it", "Your progress"):
            if text in french:
                assert french[text] in html and f">{text}<" not in html


# --- Studio ---------------------------------------------------------------------------------------------------------


class TestStudio:
    def test_the_form_lists_the_course_badges_with_the_chosen_ones_ticked(self, cast, classes):
        chosen = json.dumps([str(classes["team"].public_id)])
        block = viewer_block(cast["course_staff"], block_xml(badge_classes=chosen))
        fragment = block.runtime.render(block, "studio_view")
        html = fragment.body_html()
        boxes = re.findall(r'<input type="checkbox" id="[^"]+" name="badge_classes" value="([^"]+)"( checked)?>', html)
        assert boxes == [(str(classes["python"].public_id), ""), (str(classes["team"].public_id), " checked"),
                         (str(classes["writing"].public_id), "")]
        assert "<legend>Badges to show</legend>" in html and 'name="fallback_course_key"' in html
        assert re.search(r'<label for="[^"]+-display_name">Display name</label>', html)
        urls = [resource.data for resource in fragment.resources if resource.kind == "url"]
        assert any(url.endswith("/public/xblocks/badges.js") for url in urls)
        assert "MentoraBadgesStudio" in html
        assert BadgesXBlock.open_local_resource("public/xblocks/badges.js").read().startswith(b"/*")

    def test_staff_save_a_title_and_a_choice(self, cast, classes):
        block = viewer_block(cast["course_staff"])
        team, python = str(classes["team"].public_id), str(classes["python"].public_id)
        status, body = submit(block, {"display_name": "  Earn these  ", "badge_classes": [team, python, team],
                                      "fallback_course_key": str(COURSE)})
        assert (status, body) == (200, {"saved": True})
        assert block.display_name == "Earn these" and block.badge_classes == [team, python]
        assert [badge["name"] for badge in block.badges_data()["badges"]] == ["Team player", "Python basics"]
        status, _body = submit(block, {"display_name": "", "badge_classes": []})
        assert status == 200 and block.badge_classes == [] and block.display_name == "Badges of this course"

    @pytest.mark.parametrize("values, field", [
        ({"badge_classes": ["not-a-uuid"]}, "badge_classes"),
        ({"badge_classes": "all"}, "badge_classes"),
        ({"display_name": "x" * 256}, "display_name"),
        ({"fallback_course_key": "not a key"}, "fallback_course_key"),
    ])
    def test_bad_values_are_refused_field_by_field_and_nothing_is_saved(self, cast, classes, values, field):
        block = viewer_block(cast["course_staff"])
        status, body = submit(block, values)
        assert status == 400 and body["error_code"] == "invalid_settings" and field in body["field_errors"]
        assert block.badge_classes == [] and block.display_name == "Badges of this course"
        assert block.fallback_course_key == str(COURSE)

    @pytest.mark.parametrize("name", ["elsewhere", "trainers"])
    def test_only_the_course_own_learner_badges_may_be_chosen(self, cast, classes, name):
        block = viewer_block(cast["course_staff"])
        chosen = str(classes[name].public_id)
        status, body = submit(block, {"badge_classes": [chosen]})
        assert status == 400 and chosen in body["field_errors"]["badge_classes"]
        assert block.badge_classes == []

    @pytest.mark.parametrize("who", ["learner", "trainer", "other_staff", "student_1"])
    def test_only_those_who_manage_the_course_badges_may_save(self, cast, classes, who):
        block = viewer_block(cast.get(who, who))
        status, body = submit(block, {"display_name": "Mine now"})
        assert (status, body["error_code"]) == (403, "permission_denied")
        assert block.display_name == "Badges of this course"

    def test_platform_staff_may_save_and_a_get_is_refused(self, cast, classes):
        block = viewer_block(cast["platform_staff"])
        assert submit(block, {"display_name": "Ours"})[0] == 200
        response = block.runtime.handle(block, "studio_submit", webob.Request.blank("/", method="GET"))
        assert response.status_code == 405

    def test_without_a_course_the_course_key_is_asked_for(self, cast, classes):
        block = viewer_block(cast["course_staff"], "<mentora_badges/>")
        status, body = submit(block, {"display_name": "Ours"})
        assert status == 400 and "fallback_course_key" in body["field_errors"]


# --- the workbench ----------------------------------------------------------------------------------------------------


def test_the_demo_scenario_is_listed():
    reset_global_state()
    assert "mentora_badges.0" in get_scenarios()
    xml = BadgesXBlock.workbench_scenarios()[0][1]
    assert 'fallback_course_key="course-v1:MentoraDemo+MENT101+2026"' in xml
