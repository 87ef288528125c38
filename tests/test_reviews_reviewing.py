"""
Reviewing: claims (renewal, expiry, another trainer's claim, freeing), scoring validation and points, inline comments
anchored by offsets or by a quoted passage, feedback files checked on the server, release outcomes, the second
marker's flow (confirm, return), permissions (a learner never reads another's feedback; nobody reviews their own
work), replies, the comment bank, the REST endpoints and the reviewing page.
"""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.reviews import api, notifications, reviewing, tasks
from mentora_plugin.reviews.models import Claim, InlineComment, Review, ReviewFile, Submission
from mentora_plugin.trainers.models import TrainerActivity
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/reviews/"
USAGE = COURSE.make_usage_key("mentora_project", "essay")
TEAM_USAGE = COURSE.make_usage_key("mentora_project", "group")
TEXT = "The quick brown fox jumps over the lazy dog.\nThe fox runs away from the dog."

RUBRIC = [
    {"key": "clarity", "title": "Clarity", "weight": 2,
     "levels": [{"points": 0, "label": "Unclear"}, {"points": 2, "label": "Partly clear"},
                {"points": 4, "label": "Clear", "description": "Anyone can follow it."}]},
    {"key": "depth", "title": "Depth", "weight": 1,
     "levels": [{"points": 0, "label": "Shallow"}, {"points": 5, "label": "Fair"}, {"points": 10, "label": "Deep"}]},
]
#: Clear (4 of 4, weight 2) and Fair (5 of 10, weight 1): (2 + 0.5) / 3 of the points possible.
GOOD = {"clarity": {"level": 2, "comment": "Well put."}, "depth": {"level": 1, "comment": "Go further."}}
PDF = b"%PDF-1.4\n% feedback\n"


def config(**changes) -> dict:
    now = timezone.now()
    values = {
        "title": "Essay", "rubric": RUBRIC, "accepts_text": True, "accepts_links": True, "points_possible": 30,
        "start": now - timedelta(days=1), "due": now + timedelta(days=3), "max_resubmissions": 2,
    }
    values.update(changes)
    return values


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    settings.MENTORA_REVIEWS_CLAIM_MINUTES = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def sent(monkeypatch):
    """Every ``notifications.notify`` call, instead of queueing an email."""
    calls = []

    def record(kind, recipient, key, /, **context):
        calls.append((kind, recipient.pk, key, context))

    monkeypatch.setattr(notifications, "notify", record)
    return calls


@pytest.fixture
def cast(make_user):
    host_api.record_course(COURSE, at(0), title="Projects 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    people = {name: make_user(name, first_name=name.capitalize()) for name in (
        "learner", "peer", "mate", "trainer", "trainer2", "staff", "outsider", "other_trainer",
    )}
    for name in ("learner", "peer", "mate"):
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


def submit(learner, text=TEXT, usage=USAGE, **kwargs) -> int:
    """The learner's draft saved and submitted through the submissions API; returns the submission id."""
    api.save_draft(learner, usage, text=text, links=kwargs.pop("links", None))
    return api.submit(learner, usage, **kwargs).id


@pytest.fixture
def work(cast, project) -> int:
    return submit(cast["learner"])


def refused(call, *args, **kwargs) -> api.ReviewsError:
    with pytest.raises(api.ReviewsError) as error:
        call(*args, **kwargs)
    return error.value


def claimed(trainer, submission_id) -> int:
    """Claim and return the trainer's draft review id."""
    return api.claim_submission(trainer, submission_id).review_id


def reviewed(trainer, submission_id, outcome="approved", scores=GOOD, feedback="Nice work.", **kwargs):
    """Claim, score and release; returns the released review."""
    review_id = claimed(trainer, submission_id)
    api.save_review(trainer, submission_id, scores=scores, feedback=feedback, **kwargs)
    return api.release_review(trainer, review_id, outcome)


def expire_claim(submission_id) -> None:
    Claim.objects.filter(submission_id=submission_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def status_of(submission_id) -> str:
    return Submission.objects.get(pk=submission_id).status


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- claims ---------------------------------------------------------------------------------------------------------


class TestClaims:
    def test_a_claim_puts_the_work_in_review_with_a_draft_and_renews(self, cast, work):
        before = timezone.now()
        claim = api.claim_submission(cast["trainer"], work)
        assert status_of(work) == "in_review"
        assert (claim.trainer_id, claim.trainer_name, claim.is_valid) == (cast["trainer"].pk, "Trainer", True)
        assert before + timedelta(minutes=59) < claim.expires_at <= timezone.now() + timedelta(minutes=60)
        draft = Review.objects.get(pk=claim.review_id)
        assert (draft.reviewer, draft.outcome, draft.released_at) == (cast["trainer"], "", None)
        Claim.objects.filter(submission_id=work).update(expires_at=timezone.now() + timedelta(minutes=5))
        again = api.claim_submission(cast["trainer"], work)
        assert again.review_id == claim.review_id and again.expires_at > timezone.now() + timedelta(minutes=59)
        assert Claim.objects.count() == 1 and Review.objects.count() == 1

    def test_another_trainers_valid_claim_refuses_and_changes_nothing(self, cast, work):
        first = api.claim_submission(cast["trainer"], work)
        error = refused(api.claim_submission, cast["trainer2"], work)
        assert (error.code, error.status) == ("already_claimed", 409)
        assert "Trainer is reviewing this submission" in str(error)
        claim = Claim.objects.get()
        assert (claim.trainer, claim.expires_at) == (cast["trainer"], first.expires_at)
        assert list(Review.objects.values_list("reviewer__username", flat=True)) == ["trainer"]
        # Even staff do not take a valid claim: they free it first.
        assert refused(api.claim_submission, cast["staff"], work).code == "already_claimed"

    def test_an_expired_claim_is_free_and_its_holder_loses_it(self, cast, work):
        mine = claimed(cast["trainer"], work)
        expire_claim(work)
        error = refused(api.save_review, cast["trainer"], work, scores=GOOD)
        assert (error.code, error.status) == ("claim_expired", 409)
        theirs = api.claim_submission(cast["trainer2"], work)
        assert theirs.trainer_id == cast["trainer2"].pk and theirs.review_id != mine
        error = refused(api.save_review, cast["trainer"], work, scores=GOOD)
        assert (error.code, error.status) == ("claim_required", 409)
        assert refused(api.release_review, cast["trainer"], mine, "approved").code == "claim_required"
        assert api.save_review(cast["trainer2"], work, scores=GOOD).id == theirs.review_id

    def test_saving_renews_the_claim(self, cast, work):
        claimed(cast["trainer"], work)
        Claim.objects.filter(submission_id=work).update(expires_at=timezone.now() + timedelta(minutes=1))
        api.save_review(cast["trainer"], work, scores={})
        assert Claim.objects.get().expires_at > timezone.now() + timedelta(minutes=59)

    def test_freeing_a_claim(self, cast, work):
        draft = claimed(cast["trainer"], work)
        api.save_review(cast["trainer"], work, scores={"clarity": {"level": 1}})
        error = refused(api.release_claim, cast["trainer2"], work)
        assert (error.code, error.status) == ("permission_denied", 403)
        api.release_claim(cast["trainer"], work)
        assert status_of(work) == "submitted" and not Claim.objects.exists()
        assert refused(api.release_claim, cast["trainer"], work).code == "not_claimed"
        # Claiming again continues the same draft.
        assert claimed(cast["trainer"], work) == draft
        assert Review.objects.get(pk=draft).scores["clarity"]["level"] == 1
        api.release_claim(cast["staff"], work)  # staff free a claim that is not theirs
        assert status_of(work) == "submitted"

    def test_expired_claims_are_tidied_by_the_periodic_cleanup(self, cast, project, work, settings):
        other = submit(cast["peer"])
        claimed(cast["trainer"], work)
        claimed(cast["trainer2"], other)
        expire_claim(work)
        assert tasks.release_expired_claims.delay().get() == 1  # the beat task (eager in tests)
        assert (status_of(work), status_of(other)) == ("submitted", "in_review")
        assert settings.CELERY_BEAT_SCHEDULE["mentora-reviews-release-expired-claims"]["task"] == (
            tasks.release_expired_claims.name)
        assert list(Claim.objects.values_list("submission_id", flat=True)) == [other]

    def test_only_waiting_work_is_claimed(self, cast, project, work):
        api.save_draft(cast["peer"], USAGE, text="Not yet submitted.")
        draft_only = Submission.objects.get(learner=cast["peer"]).pk
        assert refused(api.claim_submission, cast["trainer"], draft_only).code == "not_submitted"
        reviewed(cast["trainer"], work)
        error = refused(api.claim_submission, cast["trainer2"], work)
        assert (error.code, error.status) == ("already_reviewed", 409)


class TestWhoReviews:
    def test_trainers_and_staff_of_the_course_only_and_never_their_own_work(self, cast, project, work):
        for name, code, status in (
            ("learner", "permission_denied", 403),  # their own work
            ("peer", "submission_not_found", 404),
            ("outsider", "submission_not_found", 404),
            ("other_trainer", "submission_not_found", 404),  # a trainer of another course
        ):
            error = refused(api.claim_submission, cast[name], work)
            assert (error.code, error.status) == (code, status), name
        assert refused(api.claim_submission, cast["trainer"], 999999).code == "submission_not_found"
        assert api.claim_submission(cast["staff"], work).trainer_id == cast["staff"].pk

    def test_a_trainer_who_is_also_a_learner_of_the_work_may_not_review_it(self, cast, project):
        host_api.record_enrollment(cast["trainer"].pk, COURSE, "audit", True, at(0))
        own = submit(cast["trainer"])
        error = refused(api.claim_submission, cast["trainer"], own)
        assert (error.code, error.status) == ("permission_denied", 403)
        assert claimed(cast["trainer2"], own)
        # Their page shows it to them as a learner: no draft, no claim.
        work = api.review_workspace(own, cast["trainer"])
        assert work.viewer_is_member and work.claim is None and work.draft is None

    def test_a_team_member_may_not_review_the_teams_work(self, cast):
        api.sync_project(TEAM_USAGE, COURSE, config(team_mode=True))
        host_api.grant_trainer_role(COURSE, cast["mate"], granted_by=None)
        api.create_team(cast["staff"], TEAM_USAGE, "Blue", [cast["learner"], cast["mate"]])
        team_work = submit(cast["learner"], usage=TEAM_USAGE)
        assert refused(api.claim_submission, cast["mate"], team_work).status == 403


# --- scoring --------------------------------------------------------------------------------------------------------


class TestScoring:
    def test_a_draft_may_be_partial_and_is_replaced_on_each_save(self, cast, work):
        claimed(cast["trainer"], work)
        draft = api.save_review(cast["trainer"], work, scores={"clarity": {"level": 1, "comment": " Fine. "}},
                                feedback="  **Start** here.  ")
        clarity = draft.score("clarity")
        assert (clarity.level, clarity.level_label, clarity.points, clarity.comment) == (1, "Partly clear", 2.0,
                                                                                         "Fine.")
        assert draft.score("depth").level is None and draft.feedback == "**Start** here."
        assert (draft.state, draft.points) == ("draft", None)
        # A comment without a level is kept; an empty criterion is dropped; the next save replaces everything.
        draft = api.save_review(cast["trainer"], work, scores={"depth": {"comment": "Think again."},
                                                               "clarity": {"level": None, "comment": ""}})
        assert draft.score("clarity").level is None and draft.score("depth").comment == "Think again."
        assert Review.objects.get(pk=draft.id).scores == {"depth": {"level": None, "points": None,
                                                                    "comment": "Think again."}}
        # A bare level index is accepted too.
        assert api.save_review(cast["trainer"], work, scores={"depth": 2}).score("depth").level_label == "Deep"

    @pytest.mark.parametrize(("scores", "code"), [
        ({"style": {"level": 0}}, "unknown_criterion"),
        ({"clarity": {"level": 3}}, "invalid_level"),
        ({"clarity": {"level": -1}}, "invalid_level"),
        ({"clarity": {"level": True}}, "invalid_level"),
        ({"clarity": {"level": "two"}}, "invalid_level"),
        ({"clarity": {"level": 1, "comment": "x" * 5001}}, "comment_too_long"),
        ({"clarity": {"level": 1, "comment": 7}}, "invalid_comment"),
        ({"clarity": "high"}, "invalid_scores"),
        (["clarity"], "invalid_scores"),
    ])
    def test_scores_are_checked_against_the_rubric(self, cast, work, scores, code):
        claimed(cast["trainer"], work)
        error = refused(api.save_review, cast["trainer"], work, scores=scores)
        assert (error.code, error.status) == (code, 400)
        assert Review.objects.get().scores == {}

    def test_feedback_length(self, cast, work):
        claimed(cast["trainer"], work)
        assert refused(api.save_review, cast["trainer"], work, scores={}, feedback="x" * 20001).code == (
            "feedback_too_long")
        assert len(api.save_review(cast["trainer"], work, scores={}, feedback="x" * 20000).feedback) == 20000

    def test_release_needs_every_criterion_and_feedback_to_request_changes(self, cast, work):
        review_id = claimed(cast["trainer"], work)
        api.save_review(cast["trainer"], work, scores={"clarity": {"level": 2}})
        error = refused(api.release_review, cast["trainer"], review_id, "approved")
        assert (error.code, error.status) == ("scores_incomplete", 400) and "Depth" in str(error)
        api.save_review(cast["trainer"], work, scores=GOOD, feedback="  ")
        assert refused(api.release_review, cast["trainer"], review_id, "changes_requested").code == (
            "feedback_required")
        assert refused(api.release_review, cast["trainer"], review_id, "maybe").code == "invalid_outcome"
        assert status_of(work) == "in_review" and Review.objects.get().released_at is None

    def test_points_are_the_weighted_rubric_scaled_to_the_points_possible(self):
        criteria = reviewing._criteria(type("P", (), {"rubric": RUBRIC})())
        assert api.review_points(criteria, GOOD, 30) == 25.0
        assert api.review_points(criteria, GOOD, 100) == 83.33
        assert api.review_points(criteria, {"clarity": {"level": 2}, "depth": {"level": 2}}, 30) == 30.0
        assert api.review_points(criteria, {"clarity": {"level": 0}, "depth": {"level": 0}}, 30) == 0.0
        assert api.review_points(criteria, {"clarity": {"level": 1}, "depth": {"level": 2}}, 100) == 66.67
        assert api.review_points(criteria, {"clarity": {"level": 0}, "depth": {"level": 2}}, 100) == 33.33
        # A criterion without weight counts for nothing.
        weightless = reviewing._criteria(type("P", (), {"rubric": [{**RUBRIC[0], "weight": 0}, RUBRIC[1]]})())
        assert api.review_points(weightless, {"clarity": {"level": 0}, "depth": {"level": 2}}, 30) == 30.0

    def test_only_the_reviewer_changes_their_draft(self, cast, work):
        review_id = claimed(cast["trainer"], work)
        api.release_claim(cast["staff"], work)
        claimed(cast["trainer2"], work)
        error = refused(api.release_review, cast["trainer2"], review_id, "approved")
        assert (error.code, error.status) == ("permission_denied", 403)


# --- inline comments ------------------------------------------------------------------------------------------------


class TestInlineComments:
    def test_offsets_anchor_and_the_quote_is_taken_from_the_text(self, cast, work):
        claimed(cast["trainer"], work)
        draft = api.save_review(cast["trainer"], work, scores={}, inline_comments=[
            {"start": 4, "end": 9, "comment": "Which one?"},
            {"start": 0, "end": 3, "comment": "Capital."},
        ])
        assert [(c.start, c.end, c.quote, c.comment) for c in draft.inline_comments] == [
            (0, 3, "The", "Capital."), (4, 9, "quick", "Which one?"),
        ]

    @pytest.mark.parametrize("anchor", [
        {"start": 5, "end": 5}, {"start": 9, "end": 4}, {"start": -1, "end": 3}, {"start": 0, "end": len(TEXT) + 1},
        {"start": "0", "end": "3"}, {},
    ])
    def test_offsets_out_of_the_text_are_refused(self, cast, work, anchor):
        claimed(cast["trainer"], work)
        error = refused(api.save_review, cast["trainer"], work, scores={},
                        inline_comments=[{**anchor, "comment": "Hm."}])
        assert (error.code, error.status) == ("invalid_anchor", 400)
        assert not InlineComment.objects.exists()

    def test_the_whole_text_may_be_anchored(self, cast, work):
        claimed(cast["trainer"], work)
        draft = api.save_review(cast["trainer"], work, scores={},
                                inline_comments=[{"start": 0, "end": len(TEXT), "comment": "All of it."}])
        assert draft.inline_comments[0].quote == TEXT

    def test_a_quoted_passage_is_found_in_the_text(self, cast, work):
        claimed(cast["trainer"], work)
        draft = api.save_review(cast["trainer"], work, scores={}, inline_comments=[
            {"quote": "lazy   dog", "comment": "Spaces do not matter."},
            {"quote": "fox", "comment": "The first fox."},
            {"quote": "fox", "occurrence": 2, "comment": "The second fox."},
            {"quote": "THE FOX RUNS", "comment": "Case is ignored when nothing matches exactly."},
            {"quote": "dog.\nThe", "comment": "Across lines."},
        ])
        found = {c.comment: (c.start, c.end, c.quote) for c in draft.inline_comments}
        assert found["Spaces do not matter."] == (35, 43, "lazy dog")
        assert found["The first fox."] == (16, 19, "fox")
        second = TEXT.index("fox", 20)
        assert found["The second fox."] == (second, second + 3, "fox")
        assert found["Case is ignored when nothing matches exactly."][2] == "The fox runs"
        assert found["Across lines."][2] == "dog.\nThe"

    def test_a_selection_near_a_passage_picks_that_occurrence(self, cast, work):
        second = TEXT.index("fox", 20)
        assert api.locate_passage(TEXT, "fox", near=second - 2) == (second, second + 3)
        assert api.locate_passage(TEXT, "fox") == (16, 19)
        # A selection whose offsets drifted (line endings) still finds its passage.
        claimed(cast["trainer"], work)
        draft = api.save_review(cast["trainer"], work, scores={}, inline_comments=[
            {"start": second + 1, "end": second + 4, "quote": "fox", "comment": "This one."},
        ])
        assert draft.inline_comments[0].start == second

    @pytest.mark.parametrize(("item", "code"), [
        ({"quote": "cat", "comment": "x"}, "passage_not_found"),
        ({"quote": "fox", "occurrence": 3, "comment": "x"}, "passage_not_found"),
        ({"quote": "   ", "comment": "x"}, "quote_required"),
        ({"quote": "fox", "comment": " "}, "comment_required"),
        ({"quote": "fox", "comment": "x" * 5001}, "comment_too_long"),
    ])
    def test_refused_quotes_and_comments(self, cast, work, item, code):
        claimed(cast["trainer"], work)
        assert refused(api.save_review, cast["trainer"], work, scores={}, inline_comments=[item]).code == code

    def test_adding_and_removing_one_comment_and_keeping_them_on_save(self, cast, work):
        claimed(cast["trainer"], work)
        added = api.add_inline_comment(cast["trainer"], work, quote="brown fox", comment="Colour?")
        assert (added.start, added.end, added.quote) == (10, 19, "brown fox")
        api.save_review(cast["trainer"], work, scores=GOOD)  # inline comments left out: kept
        assert InlineComment.objects.count() == 1
        assert refused(api.remove_inline_comment, cast["trainer2"], added.id).code == "inline_comment_not_found"
        api.remove_inline_comment(cast["trainer"], added.id)
        assert not InlineComment.objects.exists()
        api.add_inline_comment(cast["trainer"], work, start=0, end=3, comment="Again.")
        api.save_review(cast["trainer"], work, scores=GOOD, inline_comments=[])  # an empty list clears them
        assert not InlineComment.objects.exists()

    def test_a_version_without_text_takes_no_inline_comment(self, cast, project):
        api.save_draft(cast["peer"], USAGE, text="", links=["https://example.com/work"])
        links_only = api.submit(cast["peer"], USAGE).id
        claimed(cast["trainer"], links_only)
        error = refused(api.add_inline_comment, cast["trainer"], links_only, start=0, end=1, comment="x")
        assert error.code == "no_text"


# --- feedback files -------------------------------------------------------------------------------------------------


class TestFeedbackFiles:
    def test_checked_on_the_server(self, cast, work, monkeypatch):
        review_id = claimed(cast["trainer"], work)
        info = api.attach_feedback_file(cast["trainer"], review_id, SimpleUploadedFile("Notes on it.pdf", PDF))
        assert (info.name, info.size) == ("Notes on it.pdf", len(PDF))
        assert info.url == f"{V1}reviews/{review_id}/files/{info.id}/"
        for upload, code in (
            (SimpleUploadedFile("run.exe", b"MZ"), "file_type_not_allowed"),
            (SimpleUploadedFile("fake.pdf", b"not a pdf"), "file_content_mismatch"),
            (SimpleUploadedFile("fake.docx", PDF), "file_content_mismatch"),
            (SimpleUploadedFile("binary.txt", b"\xff\xfe\x00"), "file_content_mismatch"),
            (None, "file_required"),
        ):
            error = refused(api.attach_feedback_file, cast["trainer"], review_id, upload)
            assert (error.code, error.status) == (code, 400)
        monkeypatch.setattr(reviewing, "FEEDBACK_FILE_MAX_BYTES", 10)
        assert refused(api.attach_feedback_file, cast["trainer"], review_id,
                       SimpleUploadedFile("big.txt", b"x" * 11)).code == "file_too_large"
        monkeypatch.setattr(reviewing, "FEEDBACK_FILE_MAX_BYTES", 10 * 1024 * 1024)
        for number in range(4):
            api.attach_feedback_file(cast["trainer"], review_id, SimpleUploadedFile(f"n{number}.md", b"# ok"))
        error = refused(api.attach_feedback_file, cast["trainer"], review_id, SimpleUploadedFile("six.txt", b"x"))
        assert (error.code, error.status) == ("too_many_files", 400)
        assert ReviewFile.objects.count() == 5

    def test_the_real_limit_is_ten_megabytes(self, cast, work):
        review_id = claimed(cast["trainer"], work)
        big = SimpleUploadedFile("big.txt", b"x" * (10 * 1024 * 1024 + 1))
        assert refused(api.attach_feedback_file, cast["trainer"], review_id, big).code == "file_too_large"
        exact = SimpleUploadedFile("fits.txt", b"x" * (10 * 1024 * 1024))
        assert api.attach_feedback_file(cast["trainer"], review_id, exact).size == 10 * 1024 * 1024

    def test_only_the_claimant_attaches_and_removes(self, cast, work, django_capture_on_commit_callbacks):
        review_id = claimed(cast["trainer"], work)
        info = api.attach_feedback_file(cast["trainer"], review_id, SimpleUploadedFile("a.txt", b"hello"))
        assert refused(api.attach_feedback_file, cast["trainer2"], review_id,
                       SimpleUploadedFile("b.txt", b"x")).status == 403
        assert refused(api.remove_feedback_file, cast["trainer"], review_id, 999999).code == "review_file_not_found"
        stored = Path(ReviewFile.objects.get().file.path)
        with django_capture_on_commit_callbacks(execute=True):
            api.remove_feedback_file(cast["trainer"], review_id, info.id)
        assert not ReviewFile.objects.exists() and not stored.exists()

    def test_who_downloads_a_feedback_file(self, cast, work):
        review_id = claimed(cast["trainer"], work)
        info = api.attach_feedback_file(cast["trainer"], review_id, SimpleUploadedFile("a.txt", b"hello"))
        # Not released yet: the learner gets nothing, reviewers do.
        assert refused(api.open_feedback_file, cast["learner"], review_id, info.id).status == 404
        assert api.open_feedback_file(cast["trainer2"], review_id, info.id).file.read() == b"hello"
        api.save_review(cast["trainer"], work, scores=GOOD)
        api.release_review(cast["trainer"], review_id, "approved")
        content = api.open_feedback_file(cast["learner"], review_id, info.id)
        assert (content.name, content.content_type, content.file.read()) == ("a.txt", "text/plain", b"hello")
        content.file.close()
        for name in ("peer", "outsider", "other_trainer"):
            assert refused(api.open_feedback_file, cast[name], review_id, info.id).code == "review_file_not_found"


# --- release --------------------------------------------------------------------------------------------------------


class TestRelease:
    def test_approved(self, cast, work, sent):
        other_draft = claimed(cast["trainer2"], work)
        expire_claim(work)
        review_id = claimed(cast["trainer"], work)
        api.add_inline_comment(cast["trainer"], work, quote="lazy dog", comment="Unkind.")
        api.save_review(cast["trainer"], work, scores=GOOD, feedback="Good.")
        released = api.release_review(cast["trainer"], review_id, "approved")
        assert (released.state, released.outcome, released.points, released.points_possible) == (
            "released", "approved", 25.0, 30)
        assert released.released_at is not None and released.inline_comments[0].quote == "lazy dog"
        submission = Submission.objects.get(pk=work)
        assert (submission.status, submission.points_earned) == ("approved", 25.0)
        assert not Claim.objects.exists()
        assert not Review.objects.filter(pk=other_draft).exists()  # a draft that can no longer be released
        assert [call for call in sent if call[0] == "review_released"] == [(
            "review_released", cast["learner"].pk, f"released:{review_id}:{cast['learner'].pk}",
            {"project": "Essay", "outcome": "approved", "submission_id": work, "review_id": review_id},
        )]
        activity = TrainerActivity.objects.get(kind="review")
        assert (activity.source_id, activity.trainer, activity.learner, activity.course_key) == (
            str(review_id), cast["trainer"], cast["learner"], COURSE)
        # Nothing more can be done to it.
        assert refused(api.release_review, cast["trainer"], review_id, "approved").code == "review_not_editable"
        assert refused(api.save_review, cast["trainer"], work, scores=GOOD).code == "claim_required"

    def test_changes_requested_lets_the_learner_resubmit_for_a_new_review(self, cast, work, sent):
        first = reviewed(cast["trainer"], work, "changes_requested", feedback="Add an example.")
        assert (first.outcome, first.points) == ("changes_requested", 25.0)
        assert status_of(work) == "changes_requested"
        assert Submission.objects.get(pk=work).points_earned is None  # only an approval grades
        assert sent[-1][3]["outcome"] == "changes_requested"
        assert refused(api.claim_submission, cast["trainer2"], work).code == "already_reviewed"
        api.save_draft(cast["learner"], USAGE, text=TEXT + "\nFor example, a wolf.")
        api.submit(cast["learner"], USAGE)
        assert status_of(work) == "submitted"
        second = claimed(cast["trainer2"], work)
        assert Review.objects.get(pk=second).version.number == 2
        # The first review's draft is on version 1 and can no longer be changed.
        error = refused(api.release_review, cast["trainer"], first.id, "approved")
        assert (error.code, error.status) == ("review_not_editable", 409)
        api.save_review(cast["trainer2"], work, scores={"clarity": {"level": 2}, "depth": {"level": 2}})
        assert api.release_review(cast["trainer2"], second, "approved").points == 30.0
        work_view = api.review_workspace(work, cast["learner"])
        assert [v.released_review.outcome for v in work_view.versions] == ["changes_requested", "approved"]

    def test_a_resubmission_while_a_draft_is_open_is_reviewed_on_the_new_version(self, cast, work):
        review_id = claimed(cast["trainer"], work)
        # (The learner cannot resubmit while waiting; a version added by other means is what reviewing follows.)
        from mentora_plugin.reviews.models import SubmissionVersion
        SubmissionVersion.objects.create(submission_id=work, number=2, text="Other.", submitted_at=timezone.now())
        assert refused(api.release_review, cast["trainer"], review_id, "approved").code == "outdated_version"
        draft = api.save_review(cast["trainer"], work, scores={"depth": 1})
        assert draft.version_number == 2 and draft.id != review_id


# --- second marker --------------------------------------------------------------------------------------------------


class TestSecondMarker:
    @pytest.fixture
    def marked(self, cast):
        api.sync_project(USAGE, COURSE, config(second_marker=True))
        return submit(cast["learner"])

    def test_a_trainers_review_waits_for_the_lead_who_confirms_it(self, cast, marked, sent):
        waiting = reviewed(cast["trainer"], marked)
        assert (waiting.state, waiting.role, waiting.outcome, waiting.released_at) == (
            "awaiting_confirmation", "second", "approved", None)
        assert status_of(marked) == "in_review" and not Claim.objects.exists()
        assert not [call for call in sent if call[0] == "review_released"]
        assert Submission.objects.get(pk=marked).points_earned is None
        assert not TrainerActivity.objects.filter(kind="review").exists()
        # Nobody else claims it meanwhile, and the learner sees nothing of it.
        assert refused(api.claim_submission, cast["trainer2"], marked).code == "awaiting_confirmation"
        assert api.review_workspace(marked, cast["learner"]).versions[0].reviews == ()
        assert [item.id for item in api.list_awaiting_confirmation(cast["staff"])] == [waiting.id]
        assert api.list_awaiting_confirmation(cast["trainer2"]) == []
        # Only course staff confirm.
        error = refused(api.confirm_review, cast["trainer2"], waiting.id)
        assert (error.code, error.status) == ("permission_denied", 403)
        assert refused(api.confirm_review, cast["other_trainer"], waiting.id).status == 404
        confirmed = api.confirm_review(cast["staff"], waiting.id)
        assert (confirmed.state, confirmed.confirmed_by_id, confirmed.confirmed_by_name) == (
            "released", cast["staff"].pk, "Staff")
        assert confirmed.released_at is not None and status_of(marked) == "approved"
        assert Submission.objects.get(pk=marked).points_earned == 25.0
        assert [call[2] for call in sent if call[0] == "review_released"] == [
            f"released:{waiting.id}:{cast['learner'].pk}"]
        # The marker's work counts for the marker.
        assert TrainerActivity.objects.get(kind="review").trainer == cast["trainer"]
        assert refused(api.confirm_review, cast["staff"], waiting.id).code == "not_awaiting_confirmation"

    def test_the_lead_returns_it_with_a_reason_and_the_marker_revises(self, cast, marked, sent):
        waiting = reviewed(cast["trainer"], marked)
        assert refused(api.return_review, cast["staff"], waiting.id, "  ").code == "reason_required"
        assert refused(api.return_review, cast["trainer2"], waiting.id, "No.").status == 403
        returned = api.return_review(cast["staff"], waiting.id, "Depth deserves more.")
        assert (returned.state, returned.outcome, returned.points, returned.returned_reason) == (
            "draft", "", None, "Depth deserves more.")
        claim = Claim.objects.get()
        assert claim.trainer == cast["trainer"] and claim.expires_at > timezone.now()
        assert api.get_draft_review(cast["trainer"], marked).id == waiting.id
        # The learner never sees why it was returned.
        assert api.review_workspace(marked, cast["learner"]).versions[0].reviews == ()
        api.save_review(cast["trainer"], marked, scores={"clarity": {"level": 2}, "depth": {"level": 2}})
        again = api.release_review(cast["trainer"], waiting.id, "approved")
        assert (again.state, again.points) == ("awaiting_confirmation", 30.0)
        assert api.confirm_review(cast["staff"], waiting.id).points == 30.0
        assert not [call for call in sent if call[0] == "review_released" and call[1] != cast["learner"].pk]

    def test_staff_release_their_own_review_directly(self, cast, marked):
        released = reviewed(cast["staff"], marked)
        assert (released.state, released.role, released.confirmed_by_id) == ("released", "marker", None)
        assert status_of(marked) == "approved"


# --- privacy --------------------------------------------------------------------------------------------------------


class TestPrivacy:
    def test_a_learner_reads_only_their_own_released_feedback(self, cast, project, work):
        theirs = submit(cast["peer"])
        reviewed(cast["trainer"], theirs, feedback="Peer's feedback.")
        review_id = claimed(cast["trainer"], work)
        api.save_review(cast["trainer"], work, scores=GOOD, feedback="Draft words.")
        mine = api.review_workspace(work, cast["learner"])
        assert mine.viewer_is_member and mine.versions[0].reviews == () and mine.draft is None
        assert mine.claim is None
        for call, args in (
            (api.review_workspace, (theirs, cast["learner"])),
            (api.grade_history, (theirs, cast["learner"])),
            (api.list_replies, (Review.objects.get(version__submission_id=theirs).version_id, cast["learner"])),
        ):
            assert refused(call, *args).status == 404
        for name in ("outsider", "other_trainer"):
            assert refused(api.review_workspace, work, cast[name]).status == 404
        api.release_review(cast["trainer"], review_id, "approved")
        released = api.review_workspace(work, cast["learner"]).versions[0].reviews
        assert [review.feedback for review in released] == ["Draft words."]

    def test_reviewers_see_their_draft_and_not_other_trainers_drafts(self, cast, work):
        claimed(cast["trainer"], work)
        api.save_review(cast["trainer"], work, scores={}, feedback="Mine.")
        assert api.review_workspace(work, cast["trainer"]).draft.feedback == "Mine."
        other = api.review_workspace(work, cast["trainer2"])
        assert other.draft is None and other.versions[0].reviews == ()
        assert (other.claim.trainer_id, other.claim.review_id) == (cast["trainer"].pk, None)

    def test_rest_gives_nothing_to_other_learners(self, cast, project, work):
        reviewed(cast["trainer"], work)
        version_id = Review.objects.get().version_id
        peer = client_for(cast["peer"])
        for url in (f"{V1}submissions/{work}/grades/", f"{V1}versions/{version_id}/replies/",
                    f"{V1}submissions/{work}/review/"):
            assert peer.get(url).status_code == 404, url
        assert peer.post(f"{V1}versions/{version_id}/replies/", {"body": "Hi"}, format="json").status_code == 404
        assert peer.get(reverse("mentora-reviews:reviewing-submission", args=[work])).status_code == 404


# --- replies --------------------------------------------------------------------------------------------------------


class TestReplies:
    def test_after_release_the_learner_and_reviewers_converse(self, cast, work):
        review_id = claimed(cast["trainer"], work)
        version_id = Review.objects.get(pk=review_id).version_id
        error = refused(api.add_reply, cast["learner"], version_id, "Thanks?")
        assert (error.code, error.status) == ("no_released_review", 409)
        api.save_review(cast["trainer"], work, scores=GOOD, feedback="Add a source.")
        api.release_review(cast["trainer"], review_id, "changes_requested")
        question = api.add_reply(cast["learner"], version_id, "  Which kind of source?  ")
        answer = api.add_reply(cast["trainer2"], version_id, "A book.")
        assert (question.body, question.by_reviewer, answer.by_reviewer) == ("Which kind of source?", False, True)
        assert [(r.author_name, r.body) for r in api.list_replies(version_id, cast["learner"])] == [
            ("Learner", "Which kind of source?"), ("Trainer2", "A book.")]
        assert refused(api.add_reply, cast["peer"], version_id, "Me too").status == 404
        assert refused(api.add_reply, cast["learner"], version_id, " ").code == "body_required"
        assert refused(api.add_reply, cast["learner"], version_id, "x" * 5001).code == "body_too_long"
        assert refused(api.add_reply, cast["learner"], 999999, "x").code == "version_not_found"

    def test_team_members_reply_too(self, cast, sent):
        api.sync_project(TEAM_USAGE, COURSE, config(team_mode=True))
        api.create_team(cast["staff"], TEAM_USAGE, "Blue", [cast["learner"], cast["mate"]])
        team_work = submit(cast["learner"], usage=TEAM_USAGE)
        released = reviewed(cast["trainer"], team_work)
        assert api.add_reply(cast["mate"], released.version_id, "We agree.").by_reviewer is False
        # Each member is told, and the trainer's activity counts each member.
        assert sorted(call[1] for call in sent if call[0] == "review_released") == sorted(
            [cast["learner"].pk, cast["mate"].pk])
        assert sorted(TrainerActivity.objects.filter(kind="review").values_list("source_id", flat=True)) == sorted(
            [f"{released.id}:{cast['learner'].pk}", f"{released.id}:{cast['mate'].pk}"])


# --- comment bank ---------------------------------------------------------------------------------------------------


class TestCommentBank:
    def test_a_trainers_own_saved_comments(self, cast, monkeypatch):
        first = api.add_comment_bank_entry(cast["trainer"], " Cite your sources. ")
        second = api.add_comment_bank_entry(cast["trainer"], "Good structure.")
        api.add_comment_bank_entry(cast["trainer2"], "Theirs.")
        assert [entry.text for entry in api.list_comment_bank(cast["trainer"])] == [
            "Good structure.", "Cite your sources."]
        assert refused(api.remove_comment_bank_entry, cast["trainer2"], first.id).status == 404
        api.remove_comment_bank_entry(cast["trainer"], first.id)
        assert [entry.id for entry in api.list_comment_bank(cast["trainer"])] == [second.id]
        assert refused(api.add_comment_bank_entry, cast["trainer"], "").code == "text_required"
        assert refused(api.add_comment_bank_entry, cast["trainer"], "x" * 5001).code == "text_too_long"
        monkeypatch.setattr(reviewing, "COMMENT_BANK_MAX", 1)
        error = refused(api.add_comment_bank_entry, cast["trainer"], "One more.")
        assert (error.code, error.status) == ("comment_bank_full", 409)


# --- REST -----------------------------------------------------------------------------------------------------------


class TestRest:
    def test_claim_draft_files_release(self, cast, work, sent):
        client = client_for(cast["trainer"])
        response = client.post(f"{V1}submissions/{work}/claim/")
        assert response.status_code == 200
        review_id = response.json()["review_id"]
        taken = client_for(cast["trainer2"]).post(f"{V1}submissions/{work}/claim/")
        assert (taken.status_code, taken.json()["error_code"]) == (409, "already_claimed")
        assert client.get(f"{V1}submissions/{work}/review/").json()["state"] == "draft"
        body = {"scores": {"clarity": {"level": 2, "comment": "Clear."}, "depth": {"level": 1}},
                "feedback": "Good.", "inline_comments": [{"quote": "lazy dog", "comment": "Unkind."}]}
        saved = client.put(f"{V1}submissions/{work}/review/", body, format="json")
        assert saved.status_code == 200, saved.json()
        assert saved.json()["inline_comments"][0]["quote"] == "lazy dog"
        kept = client.put(f"{V1}submissions/{work}/review/", {"scores": body["scores"]}, format="json").json()
        assert len(kept["inline_comments"]) == 1 and kept["feedback"] == ""
        bad = client.put(f"{V1}submissions/{work}/review/", {"scores": {"clarity": {"level": 9}}}, format="json")
        assert (bad.status_code, bad.json()["error_code"]) == (400, "invalid_level")
        upload = client.post(f"{V1}reviews/{review_id}/files/", {"file": SimpleUploadedFile("n.pdf", PDF)},
                             format="multipart")
        assert upload.status_code == 201, upload.json()
        file_url = upload.json()["url"]
        assert client.get(file_url).status_code == 200
        refused_type = client.post(f"{V1}reviews/{review_id}/files/", {"file": SimpleUploadedFile("x.exe", b"MZ")},
                                   format="multipart")
        assert refused_type.json()["error_code"] == "file_type_not_allowed"
        released = client.post(f"{V1}reviews/{review_id}/release/", {"outcome": "approved"}, format="json")
        assert released.status_code == 200 and released.json()["state"] == "released"
        assert released.json()["points"] == 25.0
        learner = client_for(cast["learner"])
        download = learner.get(file_url)
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
        assert client_for(cast["peer"]).get(file_url).status_code == 404

    def test_freeing_and_deleting(self, cast, work):
        client = client_for(cast["trainer"])
        review_id = client.post(f"{V1}submissions/{work}/claim/").json()["review_id"]
        file_id = client.post(f"{V1}reviews/{review_id}/files/", {"file": SimpleUploadedFile("a.txt", b"a")},
                              format="multipart").json()["id"]
        assert client.delete(f"{V1}reviews/{review_id}/files/{file_id}/").status_code == 204
        assert client_for(cast["trainer2"]).delete(f"{V1}submissions/{work}/claim/").status_code == 403
        assert client.delete(f"{V1}submissions/{work}/claim/").status_code == 204
        assert status_of(work) == "submitted"
        missing = client.get(f"{V1}submissions/{work}/review/")
        assert missing.status_code == 200  # the draft stays after freeing the claim
        fresh = client_for(cast["trainer2"]).get(f"{V1}submissions/{work}/review/")
        assert (fresh.status_code, fresh.json()["error_code"]) == (404, "review_not_found")

    def test_second_marker_override_history_replies_and_bank(self, cast, sent):
        api.sync_project(USAGE, COURSE, config(second_marker=True))
        marked = submit(cast["learner"])
        waiting = reviewed(cast["trainer"], marked)
        lead = client_for(cast["staff"])
        returned = lead.post(f"{V1}reviews/{waiting.id}/return/", {"reason": "More depth."}, format="json")
        assert returned.status_code == 200 and returned.json()["returned_reason"] == "More depth."
        api.release_review(cast["trainer"], waiting.id, "approved")
        assert client_for(cast["trainer2"]).post(f"{V1}reviews/{waiting.id}/confirm/").status_code == 403
        assert lead.post(f"{V1}reviews/{waiting.id}/confirm/").json()["state"] == "released"
        override = lead.post(f"{V1}submissions/{marked}/grade/", {"points": "27.5", "reason": "Late credit."},
                             format="json")
        assert override.status_code == 201 and override.json()["new_points"] == 27.5
        trainer_override = client_for(cast["trainer"]).post(f"{V1}submissions/{marked}/grade/",
                                                            {"points": "30", "reason": "x"}, format="json")
        assert trainer_override.status_code == 403
        history = lead.get(f"{V1}submissions/{marked}/grades/").json()
        assert [row["kind"] for row in history["results"]] == ["release", "override"]
        assert history["results"][1]["actor_name"] == "Staff"
        seen_by_learner = client_for(cast["learner"]).get(f"{V1}submissions/{marked}/grades/").json()
        assert seen_by_learner["results"][1]["actor_name"] == "" and seen_by_learner["results"][1]["actor_id"] is None
        replies = f"{V1}versions/{waiting.version_id}/replies/"
        posted = client_for(cast["learner"]).post(replies, {"body": "Thank you."}, format="json")
        assert posted.status_code == 201
        assert [row["body"] for row in lead.get(replies).json()["results"]] == ["Thank you."]
        bank = client_for(cast["trainer"])
        entry = bank.post(f"{V1}comment-bank/", {"text": "Well argued."}, format="json")
        assert entry.status_code == 201
        assert [row["text"] for row in bank.get(f"{V1}comment-bank/").json()["results"]] == ["Well argued."]
        assert client_for(cast["trainer2"]).delete(f"{V1}comment-bank/{entry.json()['id']}/").status_code == 404
        assert bank.delete(f"{V1}comment-bank/{entry.json()['id']}/").status_code == 204

    def test_lists_cost_the_same_queries_whatever_their_length(self, cast, work):
        released = reviewed(cast["trainer"], work, "changes_requested", feedback="More.")
        api.override_grade(cast["staff"], work, 10, "First.")
        api.add_reply(cast["learner"], released.version_id, "One.")
        lead = client_for(cast["staff"])
        urls = (f"{V1}submissions/{work}/grades/", f"{V1}versions/{released.version_id}/replies/")

        def counts() -> list[int]:
            found = []
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    assert lead.get(url).status_code == 200
                found.append(len(queries))
            return found

        few = counts()
        for number in range(4):
            api.override_grade(cast["staff"], work, number, f"Again {number}.")
            api.add_reply(cast["trainer2"] if number % 2 else cast["learner"], released.version_id, f"Reply {number}.")
        assert counts() == few

    def test_the_schema_describes_the_endpoints(self, client, capsys):
        schema = client.get("/api/mentora/v1/schema/?format=json").json()
        assert "Warning" not in capsys.readouterr().err
        for route in ("submissions/{submission_id}/claim/", "reviews/{review_id}/release/", "comment-bank/",
                      "versions/{version_id}/replies/", "reviews/{review_id}/files/{file_id}/"):
            assert f"/api/mentora/v1/reviews/{route}" in schema["paths"], route


# --- the page -------------------------------------------------------------------------------------------------------


def page_url(submission_id: int) -> str:
    return reverse("mentora-reviews:reviewing-submission", args=[submission_id])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class TestPage:
    def test_a_trainer_claims_scores_comments_and_releases(self, cast, work, client, sent):
        api.add_comment_bank_entry(cast["trainer"], "Cite your sources.")
        client.force_login(cast["trainer"])
        url = page_url(work)
        page = client.get(url)
        assert page.status_code == 200 and "Claim this submission" in text_of(page)
        assert 'name="score_0"' not in text_of(page)
        assert client.post(url, {"action": "claim"}).status_code == 302
        page = text_of(client.get(url))
        assert 'name="score_0"' in page and "review_anchor.js" in page and "Free the claim" in page
        # An inline comment by quoting the passage; a refusal stays next to its field.
        missing = client.post(url, {"action": "inline_add", "inline-quote": "purple cat", "inline-comment": "?"})
        assert missing.status_code == 400
        assert 'id="id_inline-quote-error"' in text_of(missing)
        assert client.post(url, {"action": "inline_add", "inline-quote": "lazy dog",
                                 "inline-comment": "Unkind to the dog."}).status_code == 302
        page = text_of(client.get(url))
        assert "<mark>lazy dog</mark>" in page and "Unkind to the dog." in page
        # Save with a comment from the bank inserted into the feedback.
        entry = api.list_comment_bank(cast["trainer"])[0]
        saved = client.post(url, {"action": "save", "score_0": "2", "comment_0": "Clear.", "score_1": "1",
                                  "feedback": "Well done.", "bank_entry": str(entry.id), "bank_target": "feedback"})
        assert saved.status_code == 302
        draft = Review.objects.get()
        assert draft.feedback == "Well done.\n\nCite your sources."
        assert draft.scores["clarity"] == {"level": 2, "points": 4.0, "comment": "Clear."}
        # Releasing without an outcome is refused next to the outcome, the draft being saved.
        no_outcome = client.post(url, {"action": "release", "score_0": "2", "score_1": "1", "feedback": "Well."})
        assert no_outcome.status_code == 400 and 'id="id_outcome-error"' in text_of(no_outcome)
        assert "Your draft is saved." in text_of(no_outcome) and Review.objects.get().feedback == "Well."
        released = client.post(url, {"action": "release", "score_0": "2", "score_1": "1", "feedback": "Well.",
                                     "outcome": "approved"}, follow=True)
        assert "The review is released" in text_of(released)
        assert status_of(work) == "approved" and Review.objects.get().feedback == "Well."
        assert "25 of 30 points" in text_of(released)

    def test_reviewers_see_the_self_assessment_beside_their_scoring(self, cast, client):
        api.sync_project(USAGE, COURSE, config(self_assessment=True))
        assessed = submit(cast["learner"], self_assessment={"clarity": 1, "depth": 2})
        work = api.review_workspace(assessed, cast["trainer"])
        assert [(item.key, item.level, item.level_label) for item in work.latest.self_assessment] == [
            ("clarity", 1, "Partly clear"), ("depth", 2, "Deep")]
        client.force_login(cast["trainer"])
        before = text_of(client.get(page_url(assessed)))
        assert "The learner's self-assessment" in before and "Clarity: Partly clear" in before
        client.post(page_url(assessed), {"action": "claim"})
        scoring = text_of(client.get(page_url(assessed)))
        assert "The learner's self-assessment: Partly clear." in scoring
        assert "The learner's self-assessment: Deep." in scoring

    def test_the_learner_reads_the_feedback_and_replies(self, cast, work, client):
        client.force_login(cast["learner"])
        waiting = text_of(client.get(page_url(work)))
        assert "appears here once it is released" in waiting and "Claim" not in waiting
        reviewed(cast["trainer"], work, inline_comments=[{"quote": "brown fox", "comment": "Colour?"}])
        page = text_of(client.get(page_url(work)))
        assert "Your project: Essay" in page and "Nice work." in page and "<mark>brown fox</mark>" in page
        assert "Colour?" in page and "Well put." in page
        version_id = Review.objects.get().version_id
        posted = client.post(page_url(work), {"action": "reply", "version_id": str(version_id),
                                              f"reply-{version_id}-body": "Thanks!"}, follow=True)
        assert "Your reply is posted." in text_of(posted) and "Thanks!" in text_of(posted)
        # A learner cannot act as a reviewer on the page.
        client.post(page_url(work), {"action": "override", "override-points": "30", "override-reason": "x"})
        assert Submission.objects.get(pk=work).points_earned == 25.0

    def test_leads_confirm_and_override_on_the_page(self, cast, client):
        api.sync_project(USAGE, COURSE, config(second_marker=True))
        marked = submit(cast["learner"])
        waiting = reviewed(cast["trainer"], marked)
        client.force_login(cast["staff"])
        page = text_of(client.get(page_url(marked)))
        assert "Review awaiting confirmation" in page and "Confirm and release" in page
        empty = client.post(page_url(marked), {"action": "return", "return-reason": ""})
        assert empty.status_code == 400 and 'id="id_return-reason-error"' in text_of(empty)
        done = client.post(page_url(marked), {"action": "confirm"}, follow=True)
        assert "confirmed and released" in text_of(done)
        assert Review.objects.get(pk=waiting.id).confirmed_by == cast["staff"]
        too_much = client.post(page_url(marked), {"action": "override", "override-points": "31",
                                                  "override-reason": "Bonus."})
        assert too_much.status_code == 400 and 'id="id_override-points-error"' in text_of(too_much)
        client.post(page_url(marked), {"action": "override", "override-points": "28", "override-reason": "Bonus."})
        assert Submission.objects.get(pk=marked).points_earned == 28.0
        assert "Bonus." in text_of(client.get(page_url(marked)))

    def test_a_claim_taken_meanwhile_is_shown_above_the_page(self, cast, work, client):
        claimed(cast["trainer2"], work)
        client.force_login(cast["trainer"])
        response = client.post(page_url(work), {"action": "claim"})
        assert response.status_code == 409
        assert "Trainer2 is reviewing this submission" in text_of(response)

    def test_the_comment_bank_page(self, cast, client):
        client.force_login(cast["trainer"])
        url = reverse("mentora-reviews:reviewing-comment-bank")
        assert client.post(url, {"action": "bank_add", "bank-text": "Be concise."}).status_code == 302
        entry = api.list_comment_bank(cast["trainer"])[0]
        assert "Be concise." in text_of(client.get(url))
        assert client.post(url, {"action": "bank_remove", "entry_id": str(entry.id)}).status_code == 302
        assert api.list_comment_bank(cast["trainer"]) == []
        assert client.post(url, {"action": "bank_add", "bank-text": ""}).status_code == 400
