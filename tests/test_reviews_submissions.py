"""
Submissions: drafts that autosave, dates and extensions, file limits checked on the server (a refused file leaves the
draft as it was), versions that keep earlier work, resubmission limits, team mode, self-assessment, the
edx-submissions record under the learner's anonymous id, notifications to trainers, privacy (a learner never reads
another's submission, through the API or REST), the REST endpoints, and the host's anonymous user id.
"""
from __future__ import annotations

import sys
import types
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from submissions import api as submissions_api

from mentora_plugin import reviews as reviews_package
from mentora_plugin.host import api as host_api
from mentora_plugin.host import compat
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import (
    FeedbackReply,
    InlineComment,
    Project,
    Review,
    ReviewFile,
    Submission,
    SubmissionFile,
    SubmissionVersion,
)
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/reviews/"
USAGE = COURSE.make_usage_key("mentora_project", "essay")
TEAM_USAGE = COURSE.make_usage_key("mentora_project", "group")
MB = 1024 * 1024

RUBRIC = [
    {"key": "content", "title": "Content", "weight": 2,
     "levels": [{"points": 0, "label": "Weak"}, {"points": 5, "label": "Good"}, {"points": 10, "label": "Great"}]},
    {"key": "form", "title": "Form", "weight": 1,
     "levels": [{"points": 0, "label": "Messy"}, {"points": 4, "label": "Clear"}]},
]


def config(**changes) -> dict:
    now = timezone.now()
    values = {
        "title": "Portfolio", "rubric": RUBRIC, "accepts_text": True, "accepts_files": True, "accepts_links": True,
        "max_files": 2, "max_file_mb": 1, "allowed_extensions": ["pdf", "txt"],
        "start": now - timedelta(days=1), "due": now + timedelta(days=3), "cutoff": now + timedelta(days=5),
        "max_resubmissions": 1,
    }
    values.update(changes)
    return values


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def sent(monkeypatch):
    """Every ``notifications.notify`` call, instead of queueing an email (a stand-in module if it is missing)."""
    calls = []

    def record(kind, recipient, key, /, **context):
        calls.append((kind, recipient.pk, key, context))

    try:
        from mentora_plugin.reviews import notifications
    except ImportError:
        notifications = types.ModuleType("mentora_plugin.reviews.notifications")
        monkeypatch.setitem(sys.modules, notifications.__name__, notifications)
        monkeypatch.setattr(reviews_package, "notifications", notifications, raising=False)
    monkeypatch.setattr(notifications, "notify", record, raising=False)
    return calls


@pytest.fixture
def cast(make_user):
    host_api.record_course(COURSE, at(0), title="Projects 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    people = {name: make_user(name) for name in (
        "learner", "peer", "third", "trainer", "trainer2", "staff", "outsider", "other_trainer",
    )}
    for name in ("learner", "peer", "third"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    host_api.grant_trainer_role(COURSE, people["trainer2"], granted_by=None)
    host_api.grant_trainer_role(OTHER_COURSE, people["other_trainer"], granted_by=None)
    host_api.record_course_role(CourseRoleRecord(people["staff"].pk, COURSE.org, COURSE, "staff"), at(0))
    return people


@pytest.fixture
def project(cast):
    return api.sync_project(USAGE, COURSE, config())


def refused(call, *args, **kwargs) -> api.ReviewsError:
    with pytest.raises(api.ReviewsError) as error:
        call(*args, **kwargs)
    return error.value


def upload(name="report.pdf", size=1000, content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else b"x" * size)


def stored_files(root) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


def request_changes(submission_id: int) -> None:
    """What reviewing does when a trainer asks for changes (its module is another's)."""
    Submission.objects.filter(pk=submission_id).update(status=Submission.Status.CHANGES_REQUESTED)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- the anonymous user id ------------------------------------------------------------------------------------------


class TestAnonymousUserId:
    def test_stable_32_hex_and_different_per_course_and_user(self, cast):
        first = host_api.anonymous_user_id(cast["learner"], COURSE)
        assert len(first) == 32 and int(first, 16) >= 0
        assert host_api.anonymous_user_id(cast["learner"], str(COURSE)) == first
        assert host_api.anonymous_user_id(cast["learner"].pk, COURSE) == first
        assert host_api.anonymous_user_id(cast["learner"], OTHER_COURSE) != first
        assert host_api.anonymous_user_id(cast["peer"], COURSE) != first

    def test_depends_on_the_secret(self, cast, settings):
        before = host_api.anonymous_user_id(cast["learner"], COURSE)
        settings.SECRET_KEY = "another secret entirely"
        assert host_api.anonymous_user_id(cast["learner"], COURSE) != before

    def test_the_platforms_own_in_the_lms(self, cast, monkeypatch):
        platform = types.ModuleType(compat._STUDENT_MODELS_MODULE)
        platform.anonymous_id_for_user = lambda user, course_id: f"platform-{user.pk}-{course_id.run}"
        monkeypatch.setitem(sys.modules, compat._STUDENT_MODELS_MODULE, platform)
        assert host_api.anonymous_user_id(cast["learner"], COURSE) == f"platform-{cast['learner'].pk}-2026"

    def test_bad_input(self, cast):
        with pytest.raises(host_api.InvalidCourseKeyError):
            host_api.anonymous_user_id(cast["learner"], "nope")
        with pytest.raises(host_api.UnknownUserError):
            host_api.anonymous_user_id(987654, COURSE)


# --- drafts ---------------------------------------------------------------------------------------------------------


class TestDrafts:
    def test_nothing_is_written_by_reading(self, cast, project):
        info = api.get_learner_submission(cast["learner"], USAGE)
        assert (info.id, info.status, info.blocked, info.can_edit, info.versions) == (None, "draft", "", True, ())
        assert info.resubmissions_left == 1 and info.project == project
        assert not Submission.objects.exists()

    def test_autosave_text_and_links(self, cast, project):
        info = api.save_draft(cast["learner"], USAGE, text="My *work*", links=["https://example.com/a "])
        assert (info.draft_text, info.draft_links) == ("My *work*", ("https://example.com/a",))
        assert info.draft_saved_at is not None and info.id is not None
        # None leaves a part as it was.
        again = api.save_draft(cast["learner"], USAGE, links=[])
        assert (again.draft_text, again.draft_links) == ("My *work*", ())
        assert again.draft_saved_at >= info.draft_saved_at
        assert Submission.objects.get().learner == cast["learner"]

    @pytest.mark.parametrize(("kwargs", "code"), [
        ({"links": ["ftp://example.com/file"]}, "invalid_links"),
        ({"links": ["javascript:alert(1)"]}, "invalid_links"),
        ({"links": "https://example.com"}, "invalid_links"),
        ({"links": [f"https://example.com/{n}" for n in range(11)]}, "invalid_links"),
        ({"links": ["https://example.com/" + "a" * 2000]}, "invalid_links"),
        ({"text": 5}, "invalid_text"),
        ({"text": "x" * 50_001}, "text_too_long"),
    ])
    def test_refused_drafts_change_nothing(self, cast, project, kwargs, code):
        api.save_draft(cast["learner"], USAGE, text="kept", links=["https://example.com/kept"])
        error = refused(api.save_draft, cast["learner"], USAGE, **kwargs)
        assert (error.code, error.status) == (code, 400)
        draft = Submission.objects.get()
        assert (draft.draft_text, draft.draft_links) == ("kept", ["https://example.com/kept"])

    def test_only_the_kinds_the_project_accepts(self, cast):
        api.sync_project(USAGE, COURSE, config(accepts_text=False, accepts_links=False, accepts_files=True))
        assert refused(api.save_draft, cast["learner"], USAGE, text="hello").code == "text_not_accepted"
        assert refused(api.save_draft, cast["learner"], USAGE, links=["https://x.org"]).code == "links_not_accepted"
        api.sync_project(USAGE, COURSE, config(accepts_files=False))
        assert refused(api.add_draft_file, cast["learner"], USAGE, upload()).code == "files_not_accepted"

    def test_only_enrolled_learners_of_the_course(self, cast, project):
        for name in ("outsider", "trainer", "other_trainer"):
            error = refused(api.save_draft, cast[name], USAGE, text="hi")
            assert (error.code, error.status) == ("permission_denied", 403)
            assert refused(api.submit, cast[name], USAGE).status == 403
        assert api.get_learner_submission(cast["outsider"], USAGE).blocked == "not_enrolled"
        assert not Submission.objects.exists()

    def test_unknown_project(self, cast):
        assert refused(api.save_draft, cast["learner"], USAGE, text="x").code == "project_not_found"


# --- dates ----------------------------------------------------------------------------------------------------------


class TestDates:
    def test_not_open_before_start(self, cast):
        api.sync_project(USAGE, COURSE, config(start=timezone.now() + timedelta(hours=1)))
        error = refused(api.save_draft, cast["learner"], USAGE, text="early")
        assert (error.code, error.status) == ("not_open", 409)
        assert api.get_learner_submission(cast["learner"], USAGE).blocked == "not_open"

    def test_closed_after_the_cutoff_unless_extended(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="almost done")
        now = timezone.now()
        api.sync_project(USAGE, COURSE, config(start=now - timedelta(days=5), due=now - timedelta(days=2),
                                               cutoff=now - timedelta(hours=1)))
        for call in (lambda: api.submit(cast["learner"], USAGE),
                     lambda: api.save_draft(cast["learner"], USAGE, text="x"),
                     lambda: api.add_draft_file(cast["learner"], USAGE, upload())):
            error = refused(call)
            assert (error.code, error.status) == ("closed", 409)
        assert api.get_learner_submission(cast["learner"], USAGE).blocked == "closed"
        api.grant_extension(cast["staff"], USAGE, cast["learner"], cutoff=now + timedelta(days=1))
        info = api.submit(cast["learner"], USAGE)
        assert info.status == "submitted" and info.dates.extended
        assert info.versions[0].late is True

    def test_after_due_before_cutoff_is_accepted_and_late(self, cast):
        now = timezone.now()
        api.sync_project(USAGE, COURSE, config(due=now - timedelta(hours=1), cutoff=now + timedelta(days=1)))
        api.save_draft(cast["learner"], USAGE, text="late work")
        assert api.get_learner_submission(cast["learner"], USAGE).is_late
        info = api.submit(cast["learner"], USAGE)
        assert info.versions[0].late is True

    def test_on_time(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="on time")
        assert api.submit(cast["learner"], USAGE).versions[0].late is False


# --- files ----------------------------------------------------------------------------------------------------------


class TestFiles:
    def test_an_accepted_file_with_a_sanitised_stored_name(self, cast, project, settings):
        added = api.add_draft_file(cast["learner"], USAGE, upload("../../etc/My Report (v2).PDF", content=b"%PDF-1"))
        assert (added.name, added.size, added.content_type, added.version_number) == (
            "My Report (v2).PDF", 6, "application/pdf", None
        )
        row = SubmissionFile.objects.get()
        assert row.file.name.startswith("mentora/reviews/submissions/")
        assert ".." not in row.file.name and " " not in row.file.name and row.file.name.endswith("My_Report_v2.pdf")
        assert [path.read_bytes() for path in stored_files(settings.MEDIA_ROOT)] == [b"%PDF-1"]
        assert api.get_learner_submission(cast["learner"], USAGE).files == (added,)
        assert added.url == f"{V1}submissions/{row.submission_id}/files/{row.pk}/"

    @pytest.mark.parametrize(("file", "code"), [
        (lambda: upload("virus.exe"), "file_type_not_allowed"),
        (lambda: upload("no-extension"), "file_type_not_allowed"),
        (lambda: upload("big.pdf", size=MB + 1), "file_too_large"),
        (lambda: upload("empty.pdf", size=0), "empty_file"),
        (lambda: upload("third.pdf"), "too_many_files"),
    ])
    def test_a_refused_file_leaves_the_draft_exactly_as_it_was(self, cast, project, settings, file, code):
        api.save_draft(cast["learner"], USAGE, text="my text", links=["https://example.com/work"])
        first = api.add_draft_file(cast["learner"], USAGE, upload("one.pdf"))
        second = api.add_draft_file(cast["learner"], USAGE, upload("two.txt", size=MB))  # exactly the limit
        before = api.get_learner_submission(cast["learner"], USAGE)
        on_disk = stored_files(settings.MEDIA_ROOT)
        if code != "too_many_files":
            api.remove_draft_file(cast["learner"], USAGE, second.id)
            before = api.get_learner_submission(cast["learner"], USAGE)
            on_disk = stored_files(settings.MEDIA_ROOT)
        error = refused(api.add_draft_file, cast["learner"], USAGE, file())
        assert (error.code, error.status) == (code, 400)
        assert str(error)
        after = api.get_learner_submission(cast["learner"], USAGE)
        assert after == before
        assert (after.draft_text, after.draft_links) == ("my text", ("https://example.com/work",))
        assert first in after.files
        assert stored_files(settings.MEDIA_ROOT) == on_disk

    def test_any_type_when_the_project_lists_none(self, cast):
        api.sync_project(USAGE, COURSE, config(allowed_extensions=[]))
        assert api.add_draft_file(cast["learner"], USAGE, upload("notes.odt")).name == "notes.odt"

    def test_removing_draft_files_only_ones_own(self, cast, project, settings, django_capture_on_commit_callbacks):
        mine = api.add_draft_file(cast["learner"], USAGE, upload("mine.pdf"))
        theirs = api.add_draft_file(cast["peer"], USAGE, upload("theirs.pdf"))
        assert refused(api.remove_draft_file, cast["learner"], USAGE, theirs.id).code == "file_not_found"
        assert refused(api.remove_draft_file, cast["third"], USAGE, mine.id).code == "file_not_found"
        with django_capture_on_commit_callbacks(execute=True):
            api.remove_draft_file(cast["learner"], USAGE, mine.id)
        assert list(SubmissionFile.objects.values_list("name", flat=True)) == ["theirs.pdf"]
        assert len(stored_files(settings.MEDIA_ROOT)) == 1

    def test_a_submitted_versions_files_cannot_be_removed(self, cast, project):
        kept = api.add_draft_file(cast["learner"], USAGE, upload("kept.pdf"))
        info = api.submit(cast["learner"], USAGE)
        request_changes(info.id)
        assert refused(api.remove_draft_file, cast["learner"], USAGE, kept.id).code == "file_not_found"
        assert SubmissionFile.objects.get().version.number == 1


# --- submitting -----------------------------------------------------------------------------------------------------


class TestSubmit:
    def test_creates_a_version_and_the_edx_submission(self, cast, project, sent):
        api.save_draft(cast["learner"], USAGE, text="Final text", links=["https://example.com/demo"])
        api.add_draft_file(cast["learner"], USAGE, upload("report.pdf"))
        info = api.submit(cast["learner"], USAGE)
        assert (info.status, info.blocked, info.resubmissions_used, info.resubmissions_left) == (
            "submitted", "waiting_for_review", 0, 1
        )
        version = info.versions[0]
        assert (version.number, version.text, version.links) == (1, "Final text", ("https://example.com/demo",))
        assert [file.name for file in version.files] == ["report.pdf"] and version.files[0].version_number == 1
        assert version.submitted_by_id == cast["learner"].pk and info.submitted_at == version.submitted_at
        # The files went with the version; the next draft starts without files, with the text kept.
        assert info.files == () and info.draft_text == "Final text"
        # The edx-submissions record, under the learner's anonymous id in the course.
        row = SubmissionVersion.objects.get()
        assert row.edx_submission_uuids == [row.edx_submission_uuid]
        recorded = submissions_api.get_submission(row.edx_submission_uuid)
        assert recorded["answer"] == {"text": "Final text", "links": ["https://example.com/demo"],
                                      "files": ["report.pdf"]}
        assert recorded["attempt_number"] == 1
        student_item = submissions_api.get_submission_and_student(row.edx_submission_uuid)["student_item"]
        assert {key: student_item[key] for key in ("student_id", "course_id", "item_id", "item_type")} == {
            "student_id": host_api.anonymous_user_id(cast["learner"], COURSE),
            "course_id": str(COURSE),
            "item_id": str(USAGE),
            "item_type": "mentora_project",
        }
        # Each trainer of the course is told once.
        assert sorted((kind, user, key) for kind, user, key, _ in sent) == sorted(
            ("submission_received", cast[name].pk, f"received:{row.pk}:{cast[name].pk}")
            for name in ("trainer", "trainer2")
        )
        assert sent[0][3] == {"project": "Portfolio", "course_id": str(COURSE), "submission_id": info.id}

    def test_the_runtimes_anonymous_id_when_given(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="text")
        api.submit(cast["learner"], USAGE, student_id="runtime-anon-id")
        uuid = SubmissionVersion.objects.get().edx_submission_uuid
        assert submissions_api.get_submission_and_student(uuid)["student_item"]["student_id"] == "runtime-anon-id"
        assert refused(api.submit, cast["peer"], USAGE, student_id=" ").code == "invalid_student_id"

    def test_a_text_too_long_for_edx_submissions_is_recorded_shortened(self, cast, project):
        text = "é" * 50_000  # 300 KB once JSON-escaped
        api.save_draft(cast["learner"], USAGE, text=text)
        info = api.submit(cast["learner"], USAGE)
        assert info.versions[0].text == text
        answer = submissions_api.get_submission(info.versions[0].edx_submission_uuid)["answer"]
        assert answer["text_truncated"] is True and 0 < len(answer["text"]) < len(text)

    def test_nothing_to_submit(self, cast, project):
        assert refused(api.submit, cast["learner"], USAGE).code == "nothing_to_submit"
        api.save_draft(cast["learner"], USAGE, text="   \n")
        assert refused(api.submit, cast["learner"], USAGE).code == "nothing_to_submit"
        assert not SubmissionVersion.objects.exists()

    def test_a_file_alone_is_enough(self, cast, project):
        api.add_draft_file(cast["learner"], USAGE, upload())
        assert api.submit(cast["learner"], USAGE).versions[0].text == ""

    def test_no_change_while_a_version_waits_for_review(self, cast, project, sent):
        api.save_draft(cast["learner"], USAGE, text="v1")
        api.submit(cast["learner"], USAGE)
        calls = (
            lambda: api.submit(cast["learner"], USAGE),
            lambda: api.save_draft(cast["learner"], USAGE, text="sneaky"),
            lambda: api.add_draft_file(cast["learner"], USAGE, upload()),
        )
        for status in ("submitted", "in_review"):
            Submission.objects.update(status=status)
            for call in calls:
                error = refused(call)
                assert (error.code, error.status) == ("waiting_for_review", 409)
        assert SubmissionVersion.objects.count() == 1 and len(sent) == 2
        assert Submission.objects.get().draft_text == "v1"

    def test_resubmission_keeps_every_version_and_its_feedback(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="first try")
        api.add_draft_file(cast["learner"], USAGE, upload("v1.pdf"))
        first = api.submit(cast["learner"], USAGE)
        version_one = SubmissionVersion.objects.get()
        Review.objects.create(version=version_one, reviewer=cast["trainer"], outcome="changes_requested",
                              feedback="Add a conclusion.", released_at=timezone.now())
        request_changes(first.id)
        ready = api.get_learner_submission(cast["learner"], USAGE)
        assert (ready.status, ready.blocked, ready.resubmissions_left) == ("changes_requested", "", 1)
        api.save_draft(cast["learner"], USAGE, text="second try, with a conclusion")
        api.add_draft_file(cast["learner"], USAGE, upload("v2.pdf"))
        second = api.submit(cast["learner"], USAGE)
        assert [version.number for version in second.versions] == [1, 2]
        old, new = second.versions
        assert (old.text, [file.name for file in old.files]) == ("first try", ["v1.pdf"])
        assert old.reviews[0].feedback == "Add a conclusion." and old.reviews[0].released
        assert (new.text, [file.name for file in new.files]) == ("second try, with a conclusion", ["v2.pdf"])
        assert (second.resubmissions_used, second.resubmissions_left) == (1, 0)
        assert submissions_api.get_submission(new.edx_submission_uuid)["attempt_number"] == 2

    def test_resubmission_limits(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="v1")
        info = api.submit(cast["learner"], USAGE)
        request_changes(info.id)
        api.submit(cast["learner"], USAGE)
        request_changes(info.id)  # max_resubmissions is 1: used up
        assert api.get_learner_submission(cast["learner"], USAGE).blocked == "no_resubmission_left"
        for call in (lambda: api.submit(cast["learner"], USAGE), lambda: api.save_draft(cast["learner"], USAGE,
                                                                                         text="v3")):
            error = refused(call)
            assert (error.code, error.status) == ("no_resubmission_left", 409)
        Submission.objects.update(status=Submission.Status.APPROVED)
        error = refused(api.submit, cast["learner"], USAGE)
        assert (error.code, error.status) == ("not_resubmittable", 409)
        assert SubmissionVersion.objects.count() == 2

    def test_no_resubmission_at_all_when_none_allowed(self, cast):
        api.sync_project(USAGE, COURSE, config(max_resubmissions=0))
        api.save_draft(cast["learner"], USAGE, text="v1")
        info = api.submit(cast["learner"], USAGE)
        request_changes(info.id)
        assert refused(api.submit, cast["learner"], USAGE).code == "no_resubmission_left"


class TestResubmitAfterApproval:
    """
    ``resubmit_after_approval``: an approved work may still be improved while resubmissions are left and the project
    is open; every resubmission counts, whatever the earlier outcome. Without it an approval stays final.
    """

    @staticmethod
    def approve(submission_id: int) -> None:
        """What reviewing does when a trainer approves (its module is another's)."""
        Submission.objects.filter(pk=submission_id).update(status=Submission.Status.APPROVED)

    def submitted(self, learner, text: str) -> int:
        api.save_draft(learner, USAGE, text=text)
        return api.submit(learner, USAGE).id

    def test_the_option_is_off_by_default_and_checked(self, cast, project):
        assert project.resubmit_after_approval is False
        assert api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True)).resubmit_after_approval is True
        assert Project.objects.get().resubmit_after_approval is True
        error = refused(api.sync_project, USAGE, COURSE, config(resubmit_after_approval="yes"))
        assert (error.code, error.status) == ("invalid_project", 400)
        assert "resubmit_after_approval" in str(error)
        assert Project.objects.get().resubmit_after_approval is True  # a refusal changes nothing

    def test_without_the_option_an_approval_is_final(self, cast):
        api.sync_project(USAGE, COURSE, config(max_resubmissions=3))
        work = self.submitted(cast["learner"], "v1")
        self.approve(work)
        state = api.get_learner_submission(cast["learner"], USAGE)
        assert (state.blocked, state.may_improve, state.grade_policy) == ("not_resubmittable", False, "")
        for call in (lambda: api.submit(cast["learner"], USAGE),
                     lambda: api.save_draft(cast["learner"], USAGE, text="v2")):
            error = refused(call)
            assert (error.code, error.status) == ("not_resubmittable", 409)
        response = client_for(cast["learner"]).post(f"{V1}projects/{USAGE}/submission/submit/", {}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (409, "not_resubmittable")
        assert SubmissionVersion.objects.count() == 1 and Submission.objects.get().status == "approved"

    def test_an_approved_work_may_be_improved_until_resubmissions_run_out(self, cast, sent):
        api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True, max_resubmissions=2))
        work = self.submitted(cast["learner"], "v1")
        received = [call for call in sent if call[0] == "submission_received"]
        assert received
        self.approve(work)
        state = api.get_learner_submission(cast["learner"], USAGE)
        assert (state.status, state.blocked, state.may_improve, state.can_edit) == ("approved", "", True, True)
        assert (state.resubmissions_used, state.resubmissions_left, state.grade_policy) == (0, 2, "latest")
        assert state.draft_text == "v1"  # the approved text is the starting point of the improvement

        improved = api.submit(cast["learner"], USAGE)  # the draft as it is: resubmitting needs no edit
        assert (improved.status, improved.blocked, improved.may_improve) == ("submitted", "waiting_for_review", False)
        assert [version.number for version in improved.versions] == [1, 2]
        assert (improved.resubmissions_used, improved.resubmissions_left) == (1, 1)
        again = [call for call in sent if call[0] == "submission_received"][len(received):]
        assert sorted(call[1] for call in again) == sorted(call[1] for call in received)  # the trainers hear again

        self.approve(work)
        assert api.get_learner_submission(cast["learner"], USAGE).resubmissions_left == 1
        self.submitted(cast["learner"], "v3")
        self.approve(work)
        state = api.get_learner_submission(cast["learner"], USAGE)
        assert (state.blocked, state.may_improve, state.resubmissions_left) == ("no_resubmission_left", False, 0)
        error = refused(api.submit, cast["learner"], USAGE)
        assert (error.code, error.status) == ("no_resubmission_left", 409)
        assert SubmissionVersion.objects.count() == 3

    def test_every_resubmission_counts_whatever_the_earlier_outcome(self, cast):
        api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True, max_resubmissions=1))
        work = self.submitted(cast["learner"], "v1")
        request_changes(work)
        self.submitted(cast["learner"], "v2")  # the one resubmission, after a request for changes
        self.approve(work)
        state = api.get_learner_submission(cast["learner"], USAGE)
        assert (state.blocked, state.may_improve) == ("no_resubmission_left", False)
        assert refused(api.save_draft, cast["learner"], USAGE, text="v3").code == "no_resubmission_left"

    def test_changes_requested_on_an_improvement_leave_the_resubmissions_that_are_left(self, cast):
        api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True, max_resubmissions=2))
        work = self.submitted(cast["learner"], "v1")
        self.approve(work)
        self.submitted(cast["learner"], "v2")
        request_changes(work)
        state = api.get_learner_submission(cast["learner"], USAGE)
        assert (state.status, state.blocked, state.may_improve, state.resubmissions_left) == (
            "changes_requested", "", False, 1)
        assert api.submit(cast["learner"], USAGE).versions[-1].number == 3

    def test_the_dates_still_close_an_approved_work(self, cast):
        api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True))
        work = self.submitted(cast["learner"], "v1")
        self.approve(work)
        now = timezone.now()
        api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True, start=now - timedelta(days=5),
                                               due=now - timedelta(days=2), cutoff=now - timedelta(hours=1)))
        state = api.get_learner_submission(cast["learner"], USAGE)
        assert (state.blocked, state.may_improve) == ("closed", False)
        assert refused(api.submit, cast["learner"], USAGE).code == "closed"
        api.grant_extension(cast["staff"], USAGE, cast["learner"], cutoff=now + timedelta(days=1))
        assert api.get_learner_submission(cast["learner"], USAGE).may_improve is True

    @pytest.mark.parametrize("policy", ["latest", "highest"])
    def test_the_state_says_which_grade_counts(self, cast, policy):
        api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True))
        self.approve(self.submitted(cast["learner"], "v1"))
        with override_settings(MENTORA_REVIEWS_GRADE_POLICY=policy):
            assert api.get_learner_submission(cast["learner"], USAGE).grade_policy == policy
            body = client_for(cast["learner"]).get(f"{V1}projects/{USAGE}/submission/").json()
        assert (body["may_improve"], body["grade_policy"], body["blocked"]) == (True, policy, "")
        assert body["project"]["resubmit_after_approval"] is True

    def test_a_misconfigured_policy_only_concerns_projects_that_use_it(self, cast, project):
        self.approve(self.submitted(cast["learner"], "v1"))
        with override_settings(MENTORA_REVIEWS_GRADE_POLICY="average"):
            assert api.get_learner_submission(cast["learner"], USAGE).blocked == "not_resubmittable"
            api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True))
            with pytest.raises(ValueError, match="MENTORA_REVIEWS_GRADE_POLICY"):
                api.get_learner_submission(cast["learner"], USAGE)


class TestSelfAssessment:
    def test_required_validated_and_stored(self, cast):
        api.sync_project(USAGE, COURSE, config(self_assessment=True))
        api.save_draft(cast["learner"], USAGE, text="work")
        assert refused(api.submit, cast["learner"], USAGE).code == "self_assessment_required"
        for bad in ({"content": 1}, {"content": 1, "form": 2}, {"content": 1, "form": True},
                    {"content": 1, "form": 0, "extra": 0}, {"content": -1, "form": 0}, ["content"]):
            assert refused(api.submit, cast["learner"], USAGE, self_assessment=bad).code == "invalid_self_assessment"
        assert not SubmissionVersion.objects.exists()
        info = api.submit(cast["learner"], USAGE, self_assessment={"form": 1, "content": 2})
        assert info.versions[0].self_assessment == {"content": 2, "form": 1}

    def test_ignored_when_the_project_asks_none(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="work")
        assert api.submit(cast["learner"], USAGE, self_assessment={"content": 9}).versions[0].self_assessment == {}


# --- team mode ------------------------------------------------------------------------------------------------------


class TestTeams:
    @pytest.fixture
    def team(self, cast):
        api.sync_project(TEAM_USAGE, COURSE, config(team_mode=True))
        return api.create_team(cast["staff"], TEAM_USAGE, "Alpha", [cast["learner"], cast["peer"]])

    def test_a_learner_without_a_team_cannot_work(self, cast, team):
        error = refused(api.save_draft, cast["third"], TEAM_USAGE, text="alone")
        assert (error.code, error.status) == ("no_team", 409)
        assert api.get_learner_submission(cast["third"], TEAM_USAGE).blocked == "no_team"

    def test_one_member_submits_for_all_and_every_member_sees_it(self, cast, team, sent):
        api.save_draft(cast["learner"], TEAM_USAGE, text="our work")
        api.add_draft_file(cast["peer"], TEAM_USAGE, upload("ours.pdf"))
        seen_by_peer = api.get_learner_submission(cast["peer"], TEAM_USAGE)
        assert seen_by_peer.draft_text == "our work" and seen_by_peer.team == team
        info = api.submit(cast["peer"], TEAM_USAGE)
        submission = Submission.objects.get()
        assert (submission.team_id, submission.learner_id) == (team.id, None)
        mine = api.get_learner_submission(cast["learner"], TEAM_USAGE)
        assert mine.versions == info.versions and mine.versions[0].submitted_by_id == cast["peer"].pk
        assert mine.blocked == "waiting_for_review"
        assert refused(api.submit, cast["learner"], TEAM_USAGE).code == "waiting_for_review"
        # Every member has an edx-submissions submission for the grade, the submitter's first.
        version = SubmissionVersion.objects.get()
        students = [submissions_api.get_submission_and_student(uuid)["student_item"]["student_id"]
                    for uuid in version.edx_submission_uuids]
        assert students == [host_api.anonymous_user_id(cast["peer"], COURSE),
                            host_api.anonymous_user_id(cast["learner"], COURSE)]
        assert version.edx_submission_uuid == version.edx_submission_uuids[0]
        for name in ("learner", "peer"):
            assert api.get_submission(info.id, cast[name]).team == team
        assert refused(api.get_submission, info.id, cast["third"]).status == 404
        assert {user for _, user, _, _ in sent} == {cast["trainer"].pk, cast["trainer2"].pk}


# --- reading and privacy --------------------------------------------------------------------------------------------


class TestPrivacy:
    @pytest.fixture
    def submitted(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="private work")
        api.add_draft_file(cast["learner"], USAGE, upload("private.pdf", content=b"%PDF-secret"))
        info = api.submit(cast["learner"], USAGE)
        version = SubmissionVersion.objects.get()
        Review.objects.create(version=version, reviewer=cast["trainer"], feedback="Draft thoughts")
        released = Review.objects.create(version=version, reviewer=cast["trainer"], feedback="Well done",
                                         outcome="approved", points=40, released_at=timezone.now())
        ReviewFile.objects.create(review=released, file="mentora/reviews/feedback/notes.pdf", name="notes.pdf",
                                  size=10, uploaded_at=timezone.now())
        InlineComment.objects.create(review=released, start=0, end=7, quote="private", comment="Good start")
        FeedbackReply.objects.create(version=version, author=cast["learner"], body="Thanks!")
        Review.objects.create(version=version, reviewer=cast["trainer2"], role="second", feedback="Unconfirmed",
                              outcome="approved", released_at=timezone.now())
        api.add_draft_file(cast["peer"], USAGE, upload("peer.pdf"))
        return info

    def test_the_learner_reads_their_own_with_released_reviews_only(self, cast, submitted):
        detail = api.get_submission(submitted.id, cast["learner"])
        assert not detail.viewer_is_reviewer and detail.learner_username == "learner"
        assert [review.feedback for review in detail.versions[0].reviews] == ["Well done"]
        review = detail.versions[0].reviews[0]
        assert review.files[0].url == f"{V1}reviews/{review.id}/files/{review.files[0].id}/"
        assert review.inline_comments == (api.VersionCommentInfo(0, 7, "private", "Good start"),)
        assert [reply.body for reply in detail.versions[0].replies] == ["Thanks!"]
        assert [review.feedback for review in api.get_learner_submission(cast["learner"], USAGE)
                .versions[0].reviews] == ["Well done"]

    def test_reviewers_of_the_course_read_everything(self, cast, submitted):
        for name in ("trainer", "trainer2", "staff"):
            detail = api.get_submission(submitted.id, cast[name])
            assert detail.viewer_is_reviewer
            assert [review.released for review in detail.versions[0].reviews] == [False, True, False]
            assert detail.versions[0].text == "private work"

    def test_anyone_else_gets_404(self, cast, submitted):
        for name in ("peer", "third", "outsider", "other_trainer"):
            error = refused(api.get_submission, submitted.id, cast[name])
            assert (error.code, error.status) == ("submission_not_found", 404)
        assert str(refused(api.get_submission, 999_999, cast["peer"])) == str(
            refused(api.get_submission, submitted.id, cast["peer"]))
        file_id = SubmissionFile.objects.get(name="private.pdf").pk
        assert refused(api.open_submission_file, cast["peer"], submitted.id, file_id).status == 404
        # A learner's own state never shows anyone else's work.
        peer_state = api.get_learner_submission(cast["peer"], USAGE)
        assert peer_state.versions == () and [file.name for file in peer_state.files] == ["peer.pdf"]

    def test_files_download_for_whoever_may_read(self, cast, submitted):
        file_id = SubmissionFile.objects.get(name="private.pdf").pk
        for name in ("learner", "trainer"):
            found = api.open_submission_file(cast[name], submitted.id, file_id)
            with found.file as handle:
                assert handle.read() == b"%PDF-secret"
        # A draft file is its owner's only, even for reviewers.
        peer_submission = Submission.objects.get(learner=cast["peer"])
        draft_file = SubmissionFile.objects.get(name="peer.pdf").pk
        assert refused(api.open_submission_file, cast["trainer"], peer_submission.pk, draft_file).status == 404
        api.open_submission_file(cast["peer"], peer_submission.pk, draft_file).file.close()


# --- REST -----------------------------------------------------------------------------------------------------------


class TestRest:
    def url(self, suffix: str = "", usage=USAGE) -> str:
        return f"{V1}projects/{usage}/submission/{suffix}"

    def test_the_learners_flow(self, cast, project, sent):
        client = client_for(cast["learner"])
        empty = client.get(self.url())
        assert empty.status_code == 200 and empty.json()["id"] is None
        assert empty.json()["project"]["rubric"][0]["key"] == "content"
        saved = client.patch(self.url(), {"text": "REST text", "links": ["https://example.com"]}, format="json")
        assert saved.status_code == 200 and saved.json()["draft_links"] == ["https://example.com"]
        added = client.post(self.url("files/"), {"file": upload("a.pdf")}, format="multipart")
        assert added.status_code == 201 and added.json()["name"] == "a.pdf"
        extra = client.post(self.url("files/"), {"file": upload("b.txt")}, format="multipart").json()
        assert client.delete(self.url(f"files/{extra['id']}/")).status_code == 204
        assert client.delete(self.url(f"files/{extra['id']}/")).json()["error_code"] == "file_not_found"
        done = client.post(self.url("submit/"), {}, format="json")
        assert done.status_code == 201 and done.json()["status"] == "submitted"
        body = done.json()
        assert body["versions"][0]["files"][0]["name"] == "a.pdf" and body["blocked"] == "waiting_for_review"
        again = client.post(self.url("submit/"), {}, format="json")
        assert (again.status_code, again.json()["error_code"]) == (409, "waiting_for_review")
        detail = client.get(f"{V1}submissions/{body['id']}/")
        assert detail.status_code == 200 and detail.json()["versions"][0]["text"] == "REST text"
        download = client.get(body["versions"][0]["files"][0]["url"])
        assert download.status_code == 200 and b"".join(download.streaming_content) == b"x" * 1000
        assert "attachment" in download["Content-Disposition"]

    def test_file_refusals_keep_the_draft(self, cast, project):
        client = client_for(cast["learner"])
        client.patch(self.url(), {"text": "keep me"}, format="json")
        for file, code in ((upload("x.exe"), "file_type_not_allowed"), (upload("x.pdf", size=MB + 1),
                                                                         "file_too_large")):
            response = client.post(self.url("files/"), {"file": file}, format="multipart")
            assert (response.status_code, response.json()["error_code"]) == (400, code)
        missing = client.post(self.url("files/"), {}, format="multipart")
        assert (missing.status_code, missing.json()["error_code"]) == (400, "no_file")
        state = client.get(self.url()).json()
        assert state["draft_text"] == "keep me" and state["files"] == []

    def test_privacy_through_rest(self, cast, project):
        api.save_draft(cast["learner"], USAGE, text="mine alone")
        info = api.submit(cast["learner"], USAGE)
        file_url = f"{V1}submissions/{info.id}/"
        for name in ("peer", "outsider", "other_trainer"):
            response = client_for(cast[name]).get(file_url)
            assert (response.status_code, response.json()["error_code"]) == (404, "submission_not_found")
            assert "mine alone" not in response.content.decode()
        assert client_for(cast["trainer"]).get(file_url).json()["viewer_is_reviewer"] is True
        assert APIClient().get(file_url).status_code == 401
        # The peer's own submission endpoint shows their (empty) work only.
        assert client_for(cast["peer"]).get(self.url()).json()["versions"] == []
        # Someone outside the course learns nothing of the project, its brief or its rubric.
        outside = client_for(cast["outsider"]).get(self.url())
        assert (outside.status_code, outside.json()["error_code"]) == (404, "project_not_found")
        assert "rubric" not in outside.json()

    def test_codes(self, cast, project):
        bad = client_for(cast["learner"]).get(f"{V1}projects/not-a-key/submission/")
        assert (bad.status_code, bad.json()["error_code"]) == (400, "invalid_usage_key")
        unknown = client_for(cast["learner"]).get(self.url(usage=COURSE.make_usage_key("mentora_project", "none")))
        assert (unknown.status_code, unknown.json()["error_code"]) == (404, "project_not_found")
        outsider = client_for(cast["outsider"]).patch(self.url(), {"text": "x"}, format="json")
        assert (outsider.status_code, outsider.json()["error_code"]) == (403, "permission_denied")
        links = client_for(cast["learner"]).patch(self.url(), {"links": ["ftp://x"]}, format="json")
        assert (links.status_code, links.json()["error_code"]) == (400, "invalid_links")
        nothing = client_for(cast["learner"]).post(self.url("submit/"), {}, format="json")
        assert (nothing.status_code, nothing.json()["error_code"]) == (400, "nothing_to_submit")

    def test_self_assessment_through_rest(self, cast):
        api.sync_project(USAGE, COURSE, config(self_assessment=True))
        client = client_for(cast["learner"])
        client.patch(self.url(), {"text": "work"}, format="json")
        missing = client.post(self.url("submit/"), {}, format="json")
        assert missing.json()["error_code"] == "self_assessment_required"
        done = client.post(self.url("submit/"), {"self_assessment": {"content": 1, "form": 0}}, format="json")
        assert done.status_code == 201 and done.json()["versions"][0]["self_assessment"] == {"content": 1, "form": 0}

    def test_the_schema_documents_every_endpoint(self, client, capsys):
        paths = client.get("/api/mentora/v1/schema/?format=json").json()["paths"]
        warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line]
        assert not [line for line in warnings if "submission" in line.lower() or "project" in line.lower()], warnings
        for path in ("projects/{usage_key}/", "projects/{usage_key}/submission/",
                     "projects/{usage_key}/submission/files/", "projects/{usage_key}/submission/files/{file_id}/",
                     "projects/{usage_key}/submission/submit/", "projects/{usage_key}/extensions/",
                     "submissions/{submission_id}/", "submissions/{submission_id}/files/{file_id}/",
                     "courses/{course_id}/rubric-templates/"):
            assert V1 + path in paths, path
        assert {"get", "patch"} <= set(paths[V1 + "projects/{usage_key}/submission/"])
        assert "409" in paths[V1 + "projects/{usage_key}/submission/submit/"]["post"]["responses"]
