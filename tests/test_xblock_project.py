"""
The "Mentora project" block in xblock-sdk's workbench runtime: its views, its JSON handlers (which call the reviews
API and keep its codes and messages), who may use it, what a learner may see (their own work only), and Studio
editing with the domain's validation.

Every block below is the same usage (one project) seen by different people: a usage is parsed once, then each
viewer gets their own ``WorkbenchRuntime`` over it, as each learner's request does in the LMS.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import polib
import pytest
import webob
from django.utils import translation
from opaque_keys.edx.keys import CourseKey
from submissions import api as submissions_api
from workbench.runtime import WorkbenchRuntime
from workbench.runtime_util import reset_global_state
from workbench.scenarios import get_scenarios
from xblock.reference.user_service import UserService, XBlockUser

from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import Project, Submission, SubmissionFile
from mentora_xblocks import identity
from mentora_xblocks.project import ProjectXBlock
from mentora_xblocks.project.block import STRINGS
from tests.conftest import at

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FRENCH_CATALOG = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
DEMO_COURSE = CourseKey.from_string("course-v1:MentoraDemo+MENT101+2026")
RUBRIC = [
    {"key": "design", "title": "Design", "description": "How the pipeline is built.", "weight": 2, "levels": [
        {"points": 0, "label": "Weak", "description": ""},
        {"points": 2, "label": "Sound", "description": ""},
        {"points": 4, "label": "Elegant", "description": "Clear stages."},
    ]},
    {"key": "report", "title": "Report", "description": "", "weight": 1, "levels": [
        {"points": 0, "label": "Missing", "description": ""},
        {"points": 1, "label": "Present", "description": ""},
    ]},
]


def block_xml(**attributes) -> str:
    values = {
        "fallback_course_key": str(DEMO_COURSE),
        "title": "Build a data pipeline",
        "brief": "Read a **CSV** file.\n\n<script>alert(1)</script>",
        "accepts_files": "true",
        "accepts_links": "true",
        "allowed_extensions": '["pdf", "txt"]',
        "max_file_mb": "1",
        "max_files": "2",
        "rubric": json.dumps(RUBRIC),
        **attributes,
    }
    return "<mentora_project " + " ".join(f"{name}={quoteattr(value)}" for name, value in values.items()) + "/>"


@pytest.fixture(scope="module", autouse=True)
def assembled_assets():
    subprocess.run([sys.executable, str(ROOT / "scripts" / "assemble_assets.py")], check=True, cwd=ROOT)


@pytest.fixture(autouse=True)
def workbench_settings(settings, tmp_path):
    if not hasattr(settings, "WORKBENCH"):
        settings.WORKBENCH = {"reset_state_on_restart": False, "services": {}}
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def cast(make_user):
    host_api.record_course(DEMO_COURSE, at(0), title="Mentoring in Practice")
    people = {
        "learner": make_user("alice", first_name="Alice", last_name="Martin"),
        "peer": make_user("bruno", first_name="Bruno", last_name="Costa"),
        "trainer": make_user("tariq", first_name="Tariq", last_name="Benali"),
        "staff": make_user("sofia", first_name="Sofia", last_name="Rossi"),
        "outsider": make_user("olga"),
    }
    for name in ("learner", "peer"):
        host_api.record_enrollment(people[name].pk, DEMO_COURSE, "verified", True, at(0))
    host_api.grant_trainer_role(DEMO_COURSE, people["trainer"], granted_by=None)
    host_api.record_course_role(
        CourseRoleRecord(user_id=people["staff"].pk, org=DEMO_COURSE.org, course_key=DEMO_COURSE, role="staff"), at(0)
    )
    return people


@pytest.fixture
def usage(cast):
    """One project block, parsed once: its usage id."""
    runtime = WorkbenchRuntime("setup")
    runtime.id_generator.set_scenario("mentora-project-tests")
    return runtime.parse_xml_string(block_xml())


def viewer_block(usage_id, who) -> ProjectXBlock:
    student = who if isinstance(who, str) else str(who.pk)
    return WorkbenchRuntime(student).get_block(usage_id)


def render(block, view: str = "student_view") -> str:
    return block.runtime.render(block, view).body_html()


def call(block, handler: str, data=None, raw: bytes | None = None) -> tuple[int, dict]:
    body = raw if raw is not None else json.dumps(data or {}).encode()
    request = webob.Request.blank("/", method="POST", body=body, content_type="application/json")
    response = block.runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body)


def upload(block, name: str, content: bytes) -> tuple[int, dict]:
    """A multipart POST as a browser's FormData sends it: WebOb hands the handler a FieldStorage."""
    boundary = "mentora-boundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = webob.Request.blank(
        "/", method="POST", body=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    response = block.runtime.handle(block, "upload_file", request)
    return response.status_code, json.loads(response.body)


def project_usage_key(block) -> object:
    return block._usage_key(identity.get_course_key(block))


def submit_draft(block, text: str = "My pipeline reads the CSV and counts rows.") -> dict:
    status, body = call(block, "save_draft", {"text": text})
    assert status == 200, body
    status, body = call(block, "submit", {})
    assert status == 200, body
    return body["submission"]


def release(trainer, submission_id: int, outcome: str = "approved", feedback: str = "Well **done**."):
    api.claim_submission(trainer, submission_id)
    review = api.save_review(
        trainer, submission_id,
        scores={"design": {"level": 2, "comment": "Clear stages."}, "report": {"level": 1, "comment": "Good."}},
        feedback=feedback,
        inline_comments=[{"start": 3, "end": 11, "comment": "Name the library."}],
    )
    return api.release_review(trainer, review.id, outcome)


# --- views ------------------------------------------------------------------------------------------------------------


class TestView:
    def test_learner_sees_the_brief_the_rubric_and_the_workspace(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        fragment = block.runtime.render(block, "student_view")
        html = fragment.body_html()
        assert 'data-status="ok"' in html and "Build a data pipeline" in html
        assert "<strong>CSV</strong>" in html  # the brief's Markdown, rendered
        assert "<script>alert(1)</script>" not in html  # and sanitised
        assert "Elegant" in html and "Clear stages." in html and "(weight 2)" in html  # the rubric while working
        assert 'role="status"' in html and 'aria-live="polite"' in html
        assert "<label for=" in html and "mentora-project__text" in html and 'type="file"' in html
        assert 'name="' in html and "Assess your own work" not in html  # no self-assessment unless asked
        assert "/mentora/reviews/queue/" not in html  # learners get no queue link
        urls = [resource.data for resource in fragment.resources if resource.kind == "url"]
        assert any(url.endswith("/public/xblocks/project.js") for url in urls)
        assert any(url.endswith("/public/xblocks/project.css") for url in urls)
        assert "MentoraProjectXBlock" in html
        assert ProjectXBlock.open_local_resource("public/xblocks/project.js").read().startswith(b"/*")

    def test_rendering_mirrors_the_settings_to_the_domain(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        render(block)
        project = api.get_project(project_usage_key(block))
        assert project.title == "Build a data pipeline" and project.max_files == 2
        assert [criterion.key for criterion in project.rubric] == ["design", "report"]
        assert project.allowed_extensions == ("pdf", "txt") and project.course_key == DEMO_COURSE

    def test_an_unchanged_block_writes_nothing_a_changed_one_syncs_on_render(self, cast, usage):
        render(viewer_block(usage, cast["learner"]))
        modified = Project.objects.get().modified
        render(viewer_block(usage, cast["peer"]))
        assert Project.objects.get().modified == modified
        block = viewer_block(usage, cast["staff"])  # as a course import changes the block's settings
        block.max_files = 1
        block.save()
        render(viewer_block(usage, cast["learner"]))
        assert Project.objects.get().max_files == 1

    def test_a_configuration_the_domain_refuses_keeps_the_last_accepted_one(self, cast, usage):
        render(viewer_block(usage, cast["learner"]))
        block = viewer_block(usage, cast["staff"])
        block.rubric = []
        block.save()
        html = render(viewer_block(usage, cast["learner"]))
        assert 'data-status="ok"' in html and "Elegant" in html
        assert len(Project.objects.get().rubric) == 2

    def test_dates_are_machine_readable_for_the_viewers_zone(self, cast):
        runtime = WorkbenchRuntime("setup")
        runtime.id_generator.set_scenario("mentora-project-dates")
        usage_id = runtime.parse_xml_string(block_xml(submission_due="2030-05-31T17:00:00Z"))
        html = render(viewer_block(usage_id, cast["learner"]))
        assert '<time datetime="2030-05-31T17:00:00+00:00">2030-05-31 17:00 UTC</time>' in html

    def test_reviewers_get_the_queue_link(self, cast, usage):
        html = render(viewer_block(usage, cast["trainer"]))
        assert 'href="/mentora/reviews/queue/"' in html and 'data-status="no_access"' in html
        assert "mentora-project__text" not in html  # trainers review; they do not submit here

    @pytest.mark.parametrize(("who", "status", "text"), [
        ("outsider", "no_access", "Enroll in the course to submit."),
        ("nobody", "anonymous", "Sign in to work on this project."),
    ])
    def test_who_cannot_submit_is_told_why(self, cast, usage, who, status, text):
        html = render(viewer_block(usage, "student_1" if who == "nobody" else cast[who]))
        assert f'data-status="{status}"' in html and text in html
        assert "mentora-project__text" not in html
        assert "Elegant" in html  # the brief and rubric stay readable

    def test_a_project_the_domain_never_accepted_is_not_ready(self, cast):
        runtime = WorkbenchRuntime("setup")
        runtime.id_generator.set_scenario("mentora-project-unready")
        usage_id = runtime.parse_xml_string(block_xml(rubric="[]"))
        html = render(viewer_block(usage_id, cast["learner"]))
        assert 'data-status="not_ready"' in html and "not ready yet" in html
        assert "mentora-project__text" not in html and not Project.objects.exists()
        status, body = call(viewer_block(usage_id, cast["learner"]), "save_draft", {"text": "x"})
        assert (status, body["error_code"]) == (404, "not_ready")

    def test_without_a_course(self, cast):
        runtime = WorkbenchRuntime(str(cast["learner"].pk))
        runtime.id_generator.set_scenario("mentora-project-nocourse")
        block = runtime.get_block(runtime.parse_xml_string("<mentora_project/>"))
        assert 'data-status="no_course"' in render(block)

    def test_in_french(self, cast, usage):
        """The block's texts come from the French catalog (the lead translates ``locale/``; whatever it holds shows)."""
        french = {entry.msgid: entry.msgstr for entry in polib.pofile(str(FRENCH_CATALOG))
                  if entry.msgstr and not entry.msgctxt and not entry.fuzzy}
        with translation.override("fr"):
            block = viewer_block(usage, cast["learner"])
            _, body = call(block, "state")
            html = render(block)
        assert body["language"] == "fr"
        assert body["strings"]["error"] == "Une erreur s'est produite. Veuillez réessayer."
        assert body["submission"]["status_label"] == french["Draft"]
        for name, text in STRINGS.items():  # Mentora's wording, even where Django's catalogs share a msgid
            if french.get(text, text) != text:
                assert body["strings"][name] == french[text], name
        for text in ("Your work", "Rubric", "Submit for review"):
            if text in french:
                assert french[text] in html and f">{text}<" not in html


# --- the learner's handlers -------------------------------------------------------------------------------------------


class TestLearnerHandlers:
    def test_state_before_any_work(self, cast, usage):
        status, body = call(viewer_block(usage, cast["learner"]), "state")
        assert status == 200 and body["status"] == "ok"
        submission = body["submission"]
        assert submission["id"] is None and submission["status"] == "draft" and submission["can_edit"]
        assert submission["versions"] == [] and submission["files"] == []
        assert body["strings"]["draft_saved_at"] == "Draft saved at {time}."
        assert [c["key"] for c in body["project"]["rubric"]] == ["design", "report"]

    def test_draft_autosave(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        status, body = call(block, "save_draft", {"text": "First idea", "links": ["https://example.org/repo"]})
        assert status == 200, body
        assert body["submission"]["draft_text"] == "First idea"
        assert body["submission"]["draft_links"] == ["https://example.org/repo"]
        assert body["submission"]["draft_saved_at"]
        status, body = call(block, "save_draft", {"text": "Second idea"})  # links left as they were
        assert body["submission"]["draft_links"] == ["https://example.org/repo"]
        _, state = call(viewer_block(usage, cast["learner"]), "state")
        assert state["submission"]["draft_text"] == "Second idea"

    def test_bad_link_is_refused_with_the_domains_message(self, cast, usage):
        status, body = call(viewer_block(usage, cast["learner"]), "save_draft", {"links": ["javascript:alert(1)"]})
        assert (status, body["error_code"]) == (400, "invalid_links")
        assert "http://" in body["message"]

    def test_file_upload_and_removal(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        status, body = upload(block, "notes.txt", b"three figures")
        assert status == 200, body
        files = body["submission"]["files"]
        assert [(f["name"], f["size"]) for f in files] == [("notes.txt", 13)]
        status, body = call(block, "remove_file", {"file_id": files[0]["id"]})
        assert status == 200 and body["submission"]["files"] == []

    @pytest.mark.parametrize(("name", "content", "code", "words"), [
        ("big.pdf", b"x" * (1024 * 1024 + 1), "file_too_large", "at most 1 MB"),
        ("tool.exe", b"MZ", "file_type_not_allowed", ".pdf, .txt"),
    ])
    def test_refused_file_leaves_the_draft_intact(self, cast, usage, name, content, code, words):
        block = viewer_block(usage, cast["learner"])
        call(block, "save_draft", {"text": "Keep me"})
        upload(block, "kept.txt", b"kept")
        status, body = upload(block, name, content)
        assert (status, body["error_code"]) == (400, code)
        assert words in body["message"]
        _, state = call(block, "state")
        assert state["submission"]["draft_text"] == "Keep me"
        assert [f["name"] for f in state["submission"]["files"]] == ["kept.txt"]
        assert SubmissionFile.objects.count() == 1

    def test_too_many_files(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        assert upload(block, "a.txt", b"a")[0] == 200
        assert upload(block, "b.txt", b"b")[0] == 200
        status, body = upload(block, "c.txt", b"c")
        assert (status, body["error_code"]) == (400, "too_many_files")
        assert SubmissionFile.objects.count() == 2

    def test_upload_without_a_file(self, cast, usage):
        request = webob.Request.blank("/", method="POST", POST={"other": "x"})
        response = viewer_block(usage, cast["learner"]).runtime.handle(
            viewer_block(usage, cast["learner"]), "upload_file", request
        )
        assert response.status_code == 400 and json.loads(response.body)["error_code"] == "no_file"

    def test_submit_records_a_version_in_edx_submissions(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        submission = submit_draft(block)
        assert submission["status"] == "submitted" and not submission["can_edit"]
        assert submission["blocked"] == "waiting_for_review"
        [version] = submission["versions"]
        assert version["number"] == 1 and version["text"].startswith("My pipeline")
        assert version["status"] == "submitted" and version["reviews"] == []
        student_id = host_api.anonymous_user_id(cast["learner"], DEMO_COURSE)  # the workbench has none of its own
        recorded = submissions_api.get_submissions({
            "student_id": student_id, "course_id": str(DEMO_COURSE),
            "item_id": str(project_usage_key(block)), "item_type": "mentora_project",
        })
        assert len(recorded) == 1 and recorded[0]["answer"]["text"].startswith("My pipeline")
        status, body = call(block, "save_draft", {"text": "changed"})  # nothing changes while it waits
        assert (status, body["error_code"]) == (409, "waiting_for_review")

    def test_submit_uses_the_runtimes_anonymous_id(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        block.runtime._services["user"] = LmsLikeUserService(cast["learner"].pk, "anon-alice-42")
        assert identity.get_anonymous_user_id(block) == "anon-alice-42"
        submit_draft(block)
        recorded = submissions_api.get_submissions({
            "student_id": "anon-alice-42", "course_id": str(DEMO_COURSE),
            "item_id": str(project_usage_key(block)), "item_type": "mentora_project",
        })
        assert len(recorded) == 1

    def test_nothing_to_submit(self, cast, usage):
        status, body = call(viewer_block(usage, cast["learner"]), "submit", {})
        assert (status, body["error_code"]) == (400, "nothing_to_submit")

    def test_self_assessment_before_submitting(self, cast):
        runtime = WorkbenchRuntime("setup")
        runtime.id_generator.set_scenario("mentora-project-self")
        usage_id = runtime.parse_xml_string(block_xml(self_assessment="true"))
        block = viewer_block(usage_id, cast["learner"])
        html = render(block)
        assert "Assess your own work" in html and 'type="radio"' in html and "Elegant (4 points)" in html
        assert "Present (1 point)" in html
        call(block, "save_draft", {"text": "Done"})
        status, body = call(block, "submit", {})
        assert (status, body["error_code"]) == (400, "self_assessment_required")
        status, body = call(block, "submit", {"self_assessment": {"design": 2}})
        assert (status, body["error_code"]) == (400, "invalid_self_assessment")
        status, body = call(block, "submit", {"self_assessment": {"design": 2, "report": 0}})
        assert status == 200, body
        assessed = body["submission"]["versions"][0]["self_assessment"]
        assert {item["criterion"]: item["level"] for item in assessed} == {"design": 2, "report": 0}

    def test_feedback_once_released_and_the_reply(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        submission = submit_draft(block)
        api.claim_submission(cast["trainer"], submission["id"])
        api.save_review(cast["trainer"], submission["id"], scores={"design": {"level": 1, "comment": "Draft!"}},
                        feedback="NOT RELEASED YET")
        _, state = call(block, "state")
        assert "NOT RELEASED YET" not in json.dumps(state)  # a draft review stays with its trainer
        assert state["submission"]["versions"][0]["can_reply"] is False
        release(cast["trainer"], submission["id"])

        _, state = call(block, "state")
        version = state["submission"]["versions"][0]
        [review] = version["reviews"]
        assert review["outcome"] == "approved" and review["outcome_label"] == "Approved"
        assert "<strong>done</strong>" in review["feedback_html"]
        assert {s["criterion"]: (s["level"], s["comment"]) for s in review["scores"]} == {
            "design": (2, "Clear stages."), "report": (1, "Good."),
        }
        assert review["inline_comments"] == [
            {"start": 3, "end": 11, "quote": "pipeline", "comment": "Name the library."}
        ]
        assert review["points"] == 100 and review["points_possible"] == 100
        assert state["submission"]["status"] == "approved" and version["can_reply"]

        status, body = call(block, "reply", {"version_id": version["id"], "body": "Thank you, *really*."})
        assert status == 200, body
        [reply] = body["submission"]["versions"][0]["replies"]
        assert reply["mine"] and reply["author"] == "Alice Martin" and "<em>really</em>" in reply["body_html"]
        status, body = call(block, "reply", {"version_id": version["id"], "body": "   "})
        assert (status, body["error_code"]) == (400, "invalid_reply")

    def test_changes_requested_then_resubmission_keeps_the_first_feedback(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        submission = submit_draft(block)
        release(cast["trainer"], submission["id"], outcome="changes_requested", feedback="Add the report.")
        _, state = call(block, "state")
        assert state["submission"]["can_edit"] and state["submission"]["resubmissions_left"] == 2
        submission = submit_draft(block, "My pipeline reads the CSV, counts rows, and reports.")
        assert [v["number"] for v in submission["versions"]] == [2, 1]  # newest first
        assert "Add the report." in submission["versions"][1]["reviews"][0]["feedback_html"]
        assert submission["resubmissions_left"] == 1

    def test_an_approved_work_is_final_unless_the_project_lets_it_be_improved(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        release(cast["trainer"], submit_draft(block)["id"])
        _, state = call(block, "state")
        submission = state["submission"]
        assert (submission["can_submit"], submission["blocked"], submission["may_improve"]) == (
            False, "not_resubmittable", False)
        assert (submission["improve_note"], submission["grade_kept"]) == ("", False)
        status, body = call(block, "submit", {})
        assert (status, body["error_code"]) == (409, "not_resubmittable")

    @pytest.mark.parametrize(("policy", "note", "words"), [
        ("latest", "improve_latest", "even if it is lower"),
        ("highest", "improve_highest", "the better of the two"),
    ])
    def test_approved_work_may_be_improved_and_the_learner_is_told_which_grade_counts(
        self, cast, settings, monkeypatch, policy, note, words,
    ):
        from mentora_plugin.trainers import api as trainers_api

        settings.MENTORA_REVIEWS_GRADE_POLICY = policy
        runtime = WorkbenchRuntime("setup")
        runtime.id_generator.set_scenario(f"mentora-project-improve-{policy}")
        usage_id = runtime.parse_xml_string(block_xml(resubmit_after_approval="true"))
        block = viewer_block(usage_id, cast["learner"])
        first = submit_draft(block)
        release(cast["trainer"], first["id"])
        monkeypatch.setattr(trainers_api, "can", lambda user, capability, course_key=None: True)
        api.feature_submission(cast["trainer"], first["id"])

        _, state = call(block, "state")
        submission = state["submission"]
        assert (submission["status"], submission["can_submit"], submission["blocked"]) == ("approved", True, "")
        assert (submission["may_improve"], submission["improve_note"], submission["grade_kept"]) == (
            True, note, False)
        assert submission["resubmissions_left"] == 2 and submission["next_number"] == 2
        assert words in state["strings"][note] and "{count} left" in state["strings"][note]

        improved = submit_draft(block, "My pipeline reads the CSV, counts rows, and plots them.")
        assert (improved["status"], improved["blocked"], improved["improve_note"]) == (
            "submitted", "waiting_for_review", "")
        assert improved["grade_kept"] is True and improved["resubmissions_left"] == 1
        assert [v["status"] for v in improved["versions"]] == ["submitted", "approved"]  # newest first
        assert improved["gallery"]["featured"] is True  # the featured work's consent stays within reach

        release(cast["trainer"], improved["id"], outcome="changes_requested", feedback="The plot is empty.")
        _, state = call(block, "state")
        submission = state["submission"]
        assert (submission["status"], submission["can_submit"], submission["grade_kept"]) == (
            "changes_requested", True, True)
        assert submission["improve_note"] == "" and "approved version" in state["strings"]["grade_kept"]

    def test_an_ungraded_project_says_nothing_about_grades(self, cast):
        runtime = WorkbenchRuntime("setup")
        runtime.id_generator.set_scenario("mentora-project-improve-ungraded")
        usage_id = runtime.parse_xml_string(block_xml(resubmit_after_approval="true", graded="false"))
        block = viewer_block(usage_id, cast["learner"])
        release(cast["trainer"], submit_draft(block)["id"])
        _, state = call(block, "state")
        assert state["submission"]["improve_note"] == "improve"
        assert "grade" not in state["strings"]["improve"]
        improved = submit_draft(block, "Better.")
        assert improved["grade_kept"] is False

    def test_the_script_shows_the_notes(self):
        script = ProjectXBlock.open_local_resource("public/xblocks/project.js").read().decode()
        assert "t(submission.improve_note, {count: submission.resubmissions_left})" in script
        assert 't("grade_kept")' in script
        assert {"improve", "improve_latest", "improve_highest", "grade_kept"} <= set(STRINGS)

    def test_gallery_consent_once_approved_and_featured(self, cast, usage, settings, monkeypatch):
        from mentora_plugin.trainers import api as trainers_api

        block = viewer_block(usage, cast["learner"])
        submission = submit_draft(block)
        release(cast["trainer"], submission["id"])
        _, state = call(block, "state")
        assert state["submission"]["gallery"]["featured"] is False  # approved, not featured: no toggle yet
        monkeypatch.setattr(trainers_api, "can", lambda user, capability, course_key=None: True)
        api.feature_submission(cast["trainer"], submission["id"])
        _, state = call(block, "state")
        assert state["submission"]["gallery"] == {"featured": True, "consent": False, "shown": False,
                                                  "all_consented": False}
        status, body = call(block, "gallery_consent", {"consent": True})
        assert status == 200 and body["submission"]["gallery"]["shown"] is True
        shown = api.list_gallery(course_key=DEMO_COURSE, viewer=cast["peer"])
        assert [entry.submission_id for entry in shown] == [submission["id"]]
        status, body = call(block, "gallery_consent", {"consent": False})
        assert status == 200 and body["submission"]["gallery"]["shown"] is False
        assert list(api.list_gallery(course_key=DEMO_COURSE, viewer=cast["peer"])) == []
        status, body = call(block, "gallery_consent", {"consent": "yes"})
        assert (status, body["error_code"]) == (400, "invalid_consent")

    def test_outsiders_and_anonymous_change_nothing(self, cast, usage):
        for who, code in (("outsider", 403), ("nobody", 401)):
            block = viewer_block(usage, "student_1" if who == "nobody" else cast[who])
            status, body = call(block, "save_draft", {"text": "intrusion"})
            assert status == code and body["error_code"] in ("no_access", "anonymous")
            _, state = call(block, "state")
            assert state["submission"] is None
        assert Submission.objects.count() == 0

    def test_malformed_requests(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        status, body = call(block, "state", raw=b"{nope")
        assert (status, body["error_code"]) == (400, "malformed_request")
        for handler, data in (("remove_file", {"file_id": "1"}), ("reply", {"version_id": "x", "body": "hi"}),
                              ("save_draft", {"links": "https://example.org"})):
            status, body = call(block, handler, data)
            assert 400 <= status < 500 and body["error_code"] and body["message"]
        request = webob.Request.blank("/", method="GET")
        assert block.runtime.handle(block, "state", request).status_code == 405


class TestPrivacy:
    def test_a_learner_never_sees_another_learners_work_through_the_block(self, cast, usage):
        alice = viewer_block(usage, cast["learner"])
        call(alice, "save_draft", {"text": "ALICE-SECRET draft", "links": ["https://example.org/alice"]})
        status, uploaded = upload(alice, "alice.txt", b"ALICE-FILE")
        submission = submit_draft(alice, "ALICE-SECRET version")
        release(cast["trainer"], submission["id"], feedback="ALICE-FEEDBACK")
        alice_version = submission["versions"][0]["id"]
        alice_file = uploaded["submission"]["files"][0]["id"]

        bruno = viewer_block(usage, cast["peer"])
        _, state = call(bruno, "state")
        dumped = json.dumps(state)
        assert "ALICE" not in dumped and "example.org/alice" not in dumped
        assert state["submission"]["id"] is None and state["submission"]["versions"] == []
        assert "ALICE" not in render(bruno)
        status, body = call(bruno, "reply", {"version_id": alice_version, "body": "intrusion"})
        assert (status, body["error_code"]) == (404, "version_not_found")
        status, body = call(bruno, "remove_file", {"file_id": alice_file})
        assert (status, body["error_code"]) == (404, "file_not_found")
        status, body = call(bruno, "gallery_consent", {"consent": True})
        assert (status, body["error_code"]) == (404, "submission_not_found")
        # Alice's work is as she left it.
        assert SubmissionFile.objects.filter(pk=alice_file).exists()
        _, mine = call(alice, "state")
        assert [reply for version in mine["submission"]["versions"] for reply in version["replies"]] == []


# --- Studio -----------------------------------------------------------------------------------------------------------


def studio_submit(block, values: dict) -> tuple[int, dict]:
    return call(block, "studio_submit", {"values": values})


class TestStudio:
    def test_the_form_has_a_labelled_control_for_every_setting(self, cast, usage):
        block = viewer_block(usage, cast["staff"])
        fragment = block.runtime.render(block, "studio_view")
        html = fragment.body_html()
        for name in ("display_name", "title", "brief", "accepts_text", "accepts_files", "accepts_links",
                     "max_files", "max_file_mb", "allowed_extensions", "submission_start", "submission_due",
                     "submission_cutoff", "max_resubmissions", "resubmit_after_approval", "team_mode", "graded",
                     "points_possible",
                     "self_assessment", "second_marker", "target_turnaround_hours", "fallback_course_key"):
            assert f'<label for="{block._dom_id()}-{name}">' in html, name
        assert "MentoraProjectStudio" in html and "Add a criterion" in html
        assert "Save this rubric to the library" in html and "Start from a rubric of the library" in html
        assert '"key": "design"' in html  # the rubric for the editor, as JSON

    def test_author_saves_and_the_domain_follows(self, cast, usage):
        block = viewer_block(usage, cast["staff"])
        rubric = [dict(RUBRIC[0], title="Architecture")]
        status, body = studio_submit(block, {
            "title": "Build a better pipeline", "max_files": 3, "allowed_extensions": "pdf, .ZIP",
            "submission_due": "2030-06-01T12:00", "rubric": rubric, "points_possible": 20, "graded": True,
        })
        assert status == 200, body
        assert block.title == "Build a better pipeline" and block.allowed_extensions == ["pdf", "zip"]
        assert block.submission_due == "2030-06-01T12:00:00Z"
        project = api.get_project(project_usage_key(block))
        assert project.title == "Build a better pipeline" and project.max_files == 3
        assert project.due == datetime(2030, 6, 1, 12, tzinfo=UTC)
        assert [c.title for c in project.rubric] == ["Architecture"] and project.points_possible == 20
        assert block.max_score() == 20
        status, body = studio_submit(block, {"graded": False})
        assert status == 200 and block.max_score() == 0

    def test_the_author_lets_approved_work_be_improved(self, cast, usage):
        block = viewer_block(usage, cast["staff"])
        html = render(block, "studio_view")
        control = f'<input type="checkbox" id="{block._dom_id()}-resubmit_after_approval"'
        assert control in html and "Approved work may be improved" in html
        assert "within the resubmissions allowed" in html  # the help says what the option does
        render(viewer_block(usage, cast["learner"]))
        assert api.get_project(project_usage_key(block)).resubmit_after_approval is False  # off by default
        status, body = studio_submit(block, {"resubmit_after_approval": "yes"})
        assert (status, body["error_code"]) == (400, "invalid_project")
        assert set(body["field_errors"]) == {"resubmit_after_approval"} and block.resubmit_after_approval is False
        status, body = studio_submit(block, {"resubmit_after_approval": True})
        assert status == 200, body
        assert block.resubmit_after_approval is True
        assert api.get_project(project_usage_key(block)).resubmit_after_approval is True

    def test_invalid_rubric_is_refused_and_nothing_is_saved(self, cast, usage):
        block = viewer_block(usage, cast["staff"])
        render(block)
        before = Project.objects.get().rubric
        bad = [dict(RUBRIC[0], levels=[{"points": 1, "label": "Only one", "description": ""}])]
        status, body = studio_submit(block, {"title": "Renamed", "rubric": bad})
        assert (status, body["error_code"]) == (400, "invalid_rubric")
        assert "Criterion 1" in body["message"] and "rubric" in body["field_errors"]
        assert block.title == "Build a data pipeline" and block.rubric == RUBRIC  # nothing saved
        assert Project.objects.get().rubric == before and Project.objects.get().title == "Build a data pipeline"

    def test_domain_refusals_are_shown_next_to_their_field(self, cast, usage):
        block = viewer_block(usage, cast["staff"])
        status, body = studio_submit(block, {"max_files": 99})
        assert (status, body["error_code"]) == (400, "invalid_project")
        assert "Most files per submission" in body["field_errors"]["max_files"]
        status, body = studio_submit(block, {"submission_due": "2030-06-01T12:00",
                                             "submission_cutoff": "2030-05-01T12:00"})
        assert status == 400 and {"submission_due", "submission_cutoff"} <= set(body["field_errors"])
        status, body = studio_submit(block, {"submission_start": "someday", "max_file_mb": "ten"})
        assert status == 400 and set(body["field_errors"]) == {"submission_start", "max_file_mb"}
        assert block.max_files == 2 and block.submission_due is None

    def test_in_studio_the_settings_stay_a_draft_until_published(self, cast, usage):
        """Studio's runtimes say ``is_author_mode``: saving and previewing there change nothing learners follow."""
        render(viewer_block(usage, cast["learner"]))  # the published block, as the LMS renders it
        studio = viewer_block(usage, cast["staff"])
        studio.runtime.is_author_mode = True
        status, body = studio_submit(studio, {"title": "Draft title", "max_files": 5})
        assert status == 200, body
        assert studio.title == "Draft title"  # the block's draft is saved
        assert "Draft title" in render(studio)  # and previewed
        project = Project.objects.get()
        assert (project.title, project.max_files) == ("Build a data pipeline", 2)  # the live rules did not move
        status, body = studio_submit(studio, {"max_files": 99})  # still checked by the domain
        assert (status, body["error_code"]) == (400, "invalid_project")
        published = viewer_block(usage, cast["learner"])
        published.title, published.max_files = "Draft title", 5  # what publishing hands the LMS
        render(published)
        assert (Project.objects.get().title, Project.objects.get().max_files) == ("Draft title", 5)

    def test_odd_numbers_and_dates_are_form_errors(self, cast, usage):
        block = viewer_block(usage, cast["staff"])
        status, body = studio_submit(block, {"max_files": "²", "submission_due": "0001-01-01T00:00:00+05:00"})
        assert (status, body["error_code"]) == (400, "invalid_project")
        assert set(body["field_errors"]) == {"max_files", "submission_due"}
        assert block.max_files == 2 and block.submission_due is None

    def test_only_course_staff_may_save(self, cast, usage):
        for who in ("learner", "trainer"):
            status, body = studio_submit(viewer_block(usage, cast[who]), {"title": "Mine now"})
            assert (status, body["error_code"]) == (403, "permission_denied")
        assert viewer_block(usage, cast["staff"]).title == "Build a data pipeline"

    def test_rubric_library(self, cast, usage):
        block = viewer_block(usage, cast["staff"])
        status, body = call(block, "rubric_templates")
        assert status == 200 and body["templates"] == []
        status, body = call(block, "save_rubric_template", {"title": "Pipelines", "criteria": RUBRIC})
        assert status == 200, body
        assert body["template"]["title"] == "Pipelines"
        _, body = call(block, "rubric_templates")
        assert [t["title"] for t in body["templates"]] == ["Pipelines"]
        assert body["templates"][0]["criteria"][0]["levels"][2]["label"] == "Elegant"
        status, body = call(block, "save_rubric_template", {"title": "Broken", "criteria": []})
        assert (status, body["error_code"]) == (400, "invalid_rubric")
        status, body = call(viewer_block(usage, cast["learner"]), "rubric_templates")
        assert status == 403


class TestScenarioAndIdentity:
    def test_scenario_renders_as_the_signed_in_person(self, cast, client):
        reset_global_state()
        assert "mentora_project.0" in get_scenarios()
        client.force_login(cast["learner"])
        response = client.get("/workbench/scenario/mentora_project.0/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-status="ok"' in html and "Build a data pipeline" in html

    def test_anonymous_id_comes_from_the_lms_user_service_only(self, cast, usage):
        block = viewer_block(usage, cast["learner"])
        assert identity.get_anonymous_user_id(block) is None  # the workbench's fixed fake id is never used
        block.runtime._services["user"] = LmsLikeUserService(cast["learner"].pk, "  ")
        assert identity.get_anonymous_user_id(block) is None

    def test_weight_and_icon(self):
        assert ProjectXBlock.has_score is True and ProjectXBlock.icon_class == "problem"


class LmsLikeUserService(UserService):
    """The LMS user service's shape (a stand-in: the LMS runtime cannot run here)."""

    def __init__(self, user_id, anonymous_id):
        user = XBlockUser(is_current_user=True, emails=[], full_name="")
        user.opt_attrs.update({identity.LMS_USER_ID: user_id, identity.LMS_ANONYMOUS_USER_ID: anonymous_id})
        super().__init__(user=user)

    def get_current_user(self):
        return self._user
