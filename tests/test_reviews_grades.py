"""
Grades: an approved review's grade reaches edx-submissions through ``set_score`` and ``get_score`` reads it back under
the learner's anonymous id (each member's, for a team); only approvals grade; ``MENTORA_REVIEWS_GRADE_POLICY``
("latest", "highest") decides what the gradebook keeps, and a resubmission leaves the earlier grade in place until a
new review is released; staff overrides are audited; every change is in the history; the reviewer's activity records
the turnaround that feeds their level; the rubric result for badges.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from submissions import api as submissions_api

from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import GradeChange, Review, Submission, SubmissionVersion
from mentora_plugin.trainers.models import TrainerActivity
from tests import test_reviews_reviewing as reviewing_tests
from tests.conftest import COURSE
from tests.test_reviews_reviewing import GOOD, TEAM_USAGE, TEXT, USAGE, claimed, config, refused, reviewed, submit

# The reviewing tests' fixtures: the media directory, the recorded notifications, the people, the project, a work.
_media = reviewing_tests._media
sent = reviewing_tests.sent
cast = reviewing_tests.cast
project = reviewing_tests.project
work = reviewing_tests.work

pytestmark = pytest.mark.django_db

#: Every criterion at its top level: all the points.
TOP = {"clarity": {"level": 2}, "depth": {"level": 2}}
#: Partly clear (2 of 4, weight 2) and Shallow (0 of 10): 1 / 3 of the points.
LOW = {"clarity": {"level": 1}, "depth": {"level": 0}}


def student_item(learner, usage=USAGE) -> dict:
    return {
        "student_id": host_api.anonymous_user_id(learner, COURSE),
        "course_id": str(COURSE),
        "item_id": str(usage),
        "item_type": "mentora_project",
    }


def gradebook(learner, usage=USAGE) -> tuple[int, int] | None:
    """What edx-submissions (so the LMS gradebook) holds for the learner: (earned, possible), or None."""
    score = submissions_api.get_score(student_item(learner, usage))
    return (score["points_earned"], score["points_possible"]) if score else None


def resubmit(learner, text=TEXT + "\nRevised.") -> None:
    api.save_draft(learner, USAGE, text=text)
    api.submit(learner, USAGE)


def history(submission_id, viewer) -> list[tuple]:
    return [(change.kind, change.old_points, change.new_points) for change in api.grade_history(submission_id, viewer)]


class TestReleaseGrades:
    def test_an_approval_reaches_edx_submissions(self, cast, work):
        assert gradebook(cast["learner"]) is None
        released = reviewed(cast["trainer"], work)
        assert gradebook(cast["learner"]) == (25, 30)
        version = SubmissionVersion.objects.get(submission_id=work)
        latest = submissions_api.get_latest_score_for_submission(version.edx_submission_uuid)
        assert (latest["points_earned"], latest["points_possible"]) == (25, 30)
        change = GradeChange.objects.get()
        assert (change.kind, change.old_points, change.new_points, change.points_possible) == ("release", None,
                                                                                                25.0, 30.0)
        assert (change.actor, change.version, change.submission_id) == (cast["trainer"], version, work)
        assert Submission.objects.get(pk=work).points_earned == released.points == 25.0

    def test_edx_submissions_keeps_whole_points_and_mentora_keeps_two_decimals(self, cast):
        api.sync_project(USAGE, COURSE, config(points_possible=100))
        work = submit(cast["learner"])
        assert reviewed(cast["trainer"], work).points == 83.33
        assert gradebook(cast["learner"]) == (83, 100)
        assert Submission.objects.get(pk=work).points_earned == 83.33

    def test_changes_requested_grades_nothing(self, cast, work):
        reviewed(cast["trainer"], work, "changes_requested", feedback="Add an example.")
        assert gradebook(cast["learner"]) is None
        assert not GradeChange.objects.exists() and Submission.objects.get(pk=work).points_earned is None

    def test_an_ungraded_project_never_touches_the_gradebook(self, cast):
        api.sync_project(USAGE, COURSE, config(graded=False))
        work = submit(cast["learner"])
        assert reviewed(cast["trainer"], work).points == 25.0  # the rubric result is still kept
        assert gradebook(cast["learner"]) is None and not GradeChange.objects.exists()
        error = refused(api.override_grade, cast["staff"], work, 10, "Because.")
        assert (error.code, error.status) == ("not_graded", 409)

    def test_a_version_missing_from_edx_submissions_is_not_released(self, cast, work, sent):
        SubmissionVersion.objects.filter(submission_id=work).update(edx_submission_uuid="", edx_submission_uuids=[])
        review_id = claimed(cast["trainer"], work)
        api.save_review(cast["trainer"], work, scores=GOOD)
        error = refused(api.release_review, cast["trainer"], review_id, "approved")
        assert (error.code, error.status) == ("not_in_gradebook", 409)
        review = Review.objects.get(pk=review_id)
        assert (review.released_at, review.outcome) == (None, "")
        assert Submission.objects.get(pk=work).status == "in_review"
        assert not [call for call in sent if call[0] == "review_released"]

    def test_every_member_of_a_team_is_graded(self, cast):
        api.sync_project(TEAM_USAGE, COURSE, config(team_mode=True))
        api.create_team(cast["staff"], TEAM_USAGE, "Blue", [cast["learner"], cast["mate"]])
        team_work = submit(cast["mate"], usage=TEAM_USAGE)
        reviewed(cast["trainer"], team_work)
        assert gradebook(cast["learner"], TEAM_USAGE) == gradebook(cast["mate"], TEAM_USAGE) == (25, 30)
        assert gradebook(cast["peer"], TEAM_USAGE) is None
        override = api.override_grade(cast["staff"], team_work, 29, "Extra effort.")
        assert override.new_points == 29.0
        assert gradebook(cast["learner"], TEAM_USAGE) == gradebook(cast["mate"], TEAM_USAGE) == (29, 30)


class TestPolicy:
    """
    Only approvals grade and an approval is final, so the gradebook holds an earlier grade when a resubmission is
    reviewed only if staff gave one meanwhile (an override); the policy then decides between the two.
    """

    @pytest.fixture
    def provisional(self, cast, work):
        """Version 1 sent back for changes, with a provisional grade of 12 from staff."""
        reviewed(cast["trainer"], work, "changes_requested", feedback="Add an example.")
        api.override_grade(cast["staff"], work, 12, "Provisional grade until the revision.")
        assert gradebook(cast["learner"]) == (12, 30)
        return work

    def test_a_resubmission_leaves_the_earlier_grade_until_a_new_release(self, cast, provisional):
        resubmit(cast["learner"])
        assert SubmissionVersion.objects.filter(submission_id=provisional).count() == 2
        assert gradebook(cast["learner"]) == (12, 30)
        review_id = claimed(cast["trainer2"], provisional)
        api.save_review(cast["trainer2"], provisional, scores=TOP)
        assert gradebook(cast["learner"]) == (12, 30)  # a draft changes nothing either
        api.release_review(cast["trainer2"], review_id, "approved")
        assert gradebook(cast["learner"]) == (30, 30)

    def test_latest_keeps_the_new_release_even_when_lower(self, cast, provisional, settings):
        settings.MENTORA_REVIEWS_GRADE_POLICY = "latest"
        resubmit(cast["learner"])
        reviewed(cast["trainer2"], provisional, scores=LOW)
        assert gradebook(cast["learner"]) == (10, 30)
        assert Submission.objects.get(pk=provisional).points_earned == 10.0
        assert history(provisional, cast["staff"]) == [("override", None, 12.0), ("release", 12.0, 10.0)]

    def test_highest_keeps_the_higher_grade(self, cast, provisional, settings):
        settings.MENTORA_REVIEWS_GRADE_POLICY = "highest"
        resubmit(cast["learner"])
        lower = reviewed(cast["trainer2"], provisional, scores=LOW)
        assert lower.points == 10.0  # the review keeps what it gave ...
        assert gradebook(cast["learner"]) == (12, 30)  # ... and the gradebook the higher grade
        assert Submission.objects.get(pk=provisional).points_earned == 12.0
        assert history(provisional, cast["staff"]) == [("override", None, 12.0)]

    def test_highest_takes_a_higher_release(self, cast, provisional, settings):
        settings.MENTORA_REVIEWS_GRADE_POLICY = "highest"
        resubmit(cast["learner"])
        reviewed(cast["trainer2"], provisional, scores=GOOD)
        assert gradebook(cast["learner"]) == (25, 30)
        assert history(provisional, cast["staff"])[-1] == ("release", 12.0, 25.0)

    def test_an_unknown_policy_is_a_configuration_error(self, cast, work, settings):
        settings.MENTORA_REVIEWS_GRADE_POLICY = "average"
        review_id = claimed(cast["trainer"], work)
        api.save_review(cast["trainer"], work, scores=GOOD)
        with pytest.raises(ValueError, match="MENTORA_REVIEWS_GRADE_POLICY"):
            api.release_review(cast["trainer"], review_id, "approved")


class TestImprovingApprovedWork:
    """
    ``resubmit_after_approval``: after an approval the learner may submit an improved version. While it waits the
    gradebook keeps the approved grade; its approval applies the policy ("latest" even if lower, "highest" the better
    one, on ``points_earned`` and in edx-submissions alike); changes requested on it leave the approved grade alone.
    """

    @pytest.fixture
    def approved(self, cast):
        """Version 1 approved with 25 of 30 points, on a project whose approved work may be improved."""
        api.sync_project(USAGE, COURSE, config(resubmit_after_approval=True))
        work = submit(cast["learner"])
        reviewed(cast["trainer"], work, scores=GOOD)
        assert gradebook(cast["learner"]) == (25, 30)
        return work

    def test_while_the_improvement_waits_the_approved_grade_stays(self, cast, approved):
        first = SubmissionVersion.objects.get(submission_id=approved)
        resubmit(cast["learner"])
        second = SubmissionVersion.objects.get(submission_id=approved, number=2)
        assert second.edx_submission_uuid and second.edx_submission_uuid != first.edx_submission_uuid
        # Creating the new edx-submissions submission leaves the student item's score summary as it was ...
        score = submissions_api.get_score(student_item(cast["learner"]))
        assert (score["points_earned"], score["points_possible"]) == (25, 30)
        assert str(score["submission_uuid"]) == first.edx_submission_uuid
        # ... which is also what the LMS's grades read (get_scores: the summary's latest score per item) ...
        lms = submissions_api.get_scores(str(COURSE), student_item(cast["learner"])["student_id"])
        assert (lms[str(USAGE)]["points_earned"], lms[str(USAGE)]["points_possible"]) == (25, 30)
        # ... while the new submission itself has no score until a review of it is released.
        assert submissions_api.get_latest_score_for_submission(second.edx_submission_uuid) is None
        submission = Submission.objects.get(pk=approved)
        assert (submission.status, submission.points_earned) == ("submitted", 25.0)
        review_id = claimed(cast["trainer2"], approved)
        api.save_review(cast["trainer2"], approved, scores=LOW)
        assert gradebook(cast["learner"]) == (25, 30)  # a claim and a draft change nothing either
        assert Review.objects.get(pk=review_id).version == second
        assert history(approved, cast["staff"]) == [("release", None, 25.0)]

    def test_latest_sets_the_new_approval_even_when_lower(self, cast, approved):
        resubmit(cast["learner"])
        with override_settings(MENTORA_REVIEWS_GRADE_POLICY="latest"):
            lower = reviewed(cast["trainer2"], approved, scores=LOW)
        assert lower.points == 10.0
        assert gradebook(cast["learner"]) == (10, 30)
        submission = Submission.objects.get(pk=approved)
        assert (submission.status, submission.points_earned) == ("approved", 10.0)
        assert history(approved, cast["staff"]) == [("release", None, 25.0), ("release", 25.0, 10.0)]
        second = SubmissionVersion.objects.get(submission_id=approved, number=2)
        assert submissions_api.get_latest_score_for_submission(second.edx_submission_uuid)["points_earned"] == 10
        with override_settings(MENTORA_REVIEWS_GRADE_POLICY="latest"):  # badges read what the gradebook keeps
            assert api.rubric_result(cast["learner"], USAGE).points == 10.0

    def test_highest_keeps_the_better_grade_and_takes_a_higher_one(self, cast, approved):
        resubmit(cast["learner"])
        with override_settings(MENTORA_REVIEWS_GRADE_POLICY="highest"):
            lower = reviewed(cast["trainer2"], approved, scores=LOW)
            assert lower.points == 10.0  # the review keeps what it gave ...
            assert gradebook(cast["learner"]) == (25, 30)  # ... edx-submissions the higher grade ...
            submission = Submission.objects.get(pk=approved)
            assert (submission.status, submission.points_earned) == ("approved", 25.0)  # ... and Mentora too
            assert history(approved, cast["staff"]) == [("release", None, 25.0)]
            second = SubmissionVersion.objects.get(submission_id=approved, number=2)
            assert submissions_api.get_latest_score_for_submission(second.edx_submission_uuid) is None
            assert api.rubric_result(cast["learner"], USAGE).points == 25.0  # badges read the kept grade
            resubmit(cast["learner"], text=TEXT + "\nRevised again.")  # the second and last resubmission
            reviewed(cast["trainer"], approved, scores=TOP)
        assert gradebook(cast["learner"]) == (30, 30)
        assert Submission.objects.get(pk=approved).points_earned == 30.0
        assert history(approved, cast["staff"])[-1] == ("release", 25.0, 30.0)

    @pytest.mark.parametrize("policy", ["latest", "highest"])
    def test_changes_requested_on_the_improvement_keep_the_approved_grade(self, cast, approved, policy):
        resubmit(cast["learner"])
        with override_settings(MENTORA_REVIEWS_GRADE_POLICY=policy):
            # Scored higher than the approval, so that neither policy could mistake it for a better grade.
            sent_back = reviewed(cast["trainer2"], approved, "changes_requested", scores=TOP,
                                 feedback="The new chart is wrong.")
        assert sent_back.points == 30.0 and sent_back.outcome == "changes_requested"
        submission = Submission.objects.get(pk=approved)
        assert (submission.status, submission.points_earned) == ("changes_requested", 25.0)
        assert gradebook(cast["learner"]) == (25, 30)
        assert history(approved, cast["staff"]) == [("release", None, 25.0)]
        state = api.get_learner_submission(cast["learner"], USAGE)
        assert (state.points_earned, state.blocked, state.may_improve, state.resubmissions_left) == (25.0, "", False,
                                                                                                     1)

    def test_the_improvement_waits_in_the_queue_and_may_be_claimed(self, cast, approved):
        assert approved not in [item.submission_id for item in api.trainer_queue(cast["trainer2"])]
        error = refused(api.claim_submission, cast["trainer2"], approved)
        assert (error.code, error.status) == ("already_reviewed", 409)
        resubmit(cast["learner"])
        [item] = [item for item in api.trainer_queue(cast["trainer2"]) if item.submission_id == approved]
        assert item.status == "submitted" and item.claimed_by_id is None
        assert api.queue_counts(cast["trainer2"]).waiting == 1
        claim = api.claim_submission(cast["trainer2"], approved)
        assert claim.review_id == Review.objects.get(version__number=2).pk
        assert Submission.objects.get(pk=approved).status == "in_review"
        assert [item.status for item in api.trainer_queue(cast["trainer2"], state="in_review")] == ["in_review"]

    def test_without_the_option_an_approval_stays_final(self, cast, work):
        reviewed(cast["trainer"], work)
        assert api.get_learner_submission(cast["learner"], USAGE).blocked == "not_resubmittable"
        for call in (lambda: api.submit(cast["learner"], USAGE),
                     lambda: api.save_draft(cast["learner"], USAGE, text=TEXT + "\nBetter.")):
            error = refused(call)
            assert (error.code, error.status) == ("not_resubmittable", 409)
        assert gradebook(cast["learner"]) == (25, 30)
        assert SubmissionVersion.objects.filter(submission_id=work).count() == 1


class TestOverride:
    def test_staff_override_with_a_reason_audited_and_in_the_gradebook(self, cast, work):
        reviewed(cast["trainer"], work)
        change = api.override_grade(cast["staff"], work, "27.456", "  Late credit restored.  ")
        assert (change.kind, change.old_points, change.new_points, change.reason, change.actor_id) == (
            "override", 25.0, 27.46, "Late credit restored.", cast["staff"].pk)
        assert gradebook(cast["learner"]) == (27, 30)
        score = submissions_api.get_score(student_item(cast["learner"]))
        assert [(note["annotation_type"], note["reason"]) for note in score["annotations"]] == [
            ("staff_override", "Late credit restored.")]
        row = GradeChange.objects.get(kind="override")
        assert (row.actor, row.reason, row.at is not None) == (cast["staff"], "Late credit restored.", True)
        # An override is not subject to the policy: it may lower the grade.
        api.override_grade(cast["staff"], work, 0, "Plagiarism found.")
        assert gradebook(cast["learner"]) == (0, 30)

    @pytest.mark.parametrize(("points", "reason", "code"), [
        (31, "Too much.", "invalid_points"),
        (-1, "Negative.", "invalid_points"),
        ("lots", "Not a number.", "invalid_points"),
        (True, "Not a number.", "invalid_points"),
        (float("nan"), "Not a number.", "invalid_points"),
        (10, "   ", "reason_required"),
        (10, "x" * 5001, "reason_too_long"),
    ])
    def test_refused_overrides(self, cast, work, points, reason, code):
        error = refused(api.override_grade, cast["staff"], work, points, reason)
        assert (error.code, error.status) == (code, 400)
        assert gradebook(cast["learner"]) is None and not GradeChange.objects.exists()

    def test_only_course_staff_override(self, cast, work):
        for name, status in (("trainer", 403), ("learner", 403), ("peer", 404), ("other_trainer", 404)):
            assert refused(api.override_grade, cast[name], work, 10, "Mine.").status == status, name
        assert gradebook(cast["learner"]) is None

    def test_an_override_before_any_review_grades_the_latest_version(self, cast, work):
        assert api.override_grade(cast["staff"], work, 15, "Graded by hand.").version_number == 1
        assert gradebook(cast["learner"]) == (15, 30)


class TestHistory:
    def test_every_change_oldest_first_and_learners_do_not_see_who(self, cast, work):
        reviewed(cast["trainer"], work)
        api.override_grade(cast["staff"], work, 20, "Rubric misapplied.")
        for_staff = api.grade_history(work, cast["trainer2"])
        assert [(c.kind, c.kind_label, c.actor_name, c.version_number) for c in for_staff] == [
            ("release", "Review released", "Trainer", 1), ("override", "Staff override", "Staff", 1)]
        for_learner = api.grade_history(work, cast["learner"])
        assert [(c.actor_id, c.actor_name, c.reason) for c in for_learner] == [
            (None, "", ""), (None, "", "Rubric misapplied.")]
        assert refused(api.grade_history, work, cast["peer"]).status == 404


class TestTrainerActivity:
    def test_the_turnaround_from_submission_to_release_is_recorded(self, cast, work):
        SubmissionVersion.objects.filter(submission_id=work).update(submitted_at=timezone.now() - timedelta(hours=3))
        released = reviewed(cast["trainer"], work)
        activity = TrainerActivity.objects.get(kind="review", source_id=str(released.id))
        assert (activity.trainer, activity.learner, activity.course_key) == (cast["trainer"], cast["learner"], COURSE)
        assert 3 * 3600 <= activity.turnaround_seconds <= 3 * 3600 + 60
        assert activity.occurred_at == Review.objects.get(pk=released.id).released_at

    def test_a_request_for_changes_counts_too(self, cast, work):
        released = reviewed(cast["trainer"], work, "changes_requested", feedback="More.")
        assert TrainerActivity.objects.get(kind="review").source_id == str(released.id)

    def test_with_a_second_marker_the_wait_ends_at_confirmation(self, cast):
        api.sync_project(USAGE, COURSE, config(second_marker=True))
        work = submit(cast["learner"])
        SubmissionVersion.objects.filter(submission_id=work).update(submitted_at=timezone.now() - timedelta(hours=5))
        waiting = reviewed(cast["trainer"], work)
        assert not TrainerActivity.objects.exists()
        api.confirm_review(cast["staff"], waiting.id)
        activity = TrainerActivity.objects.get(kind="review")
        assert activity.trainer == cast["trainer"] and activity.turnaround_seconds >= 5 * 3600


class TestRubricResult:
    def test_the_approved_reviews_points_per_criterion(self, cast, project, work):
        assert api.rubric_result(cast["learner"], USAGE) is None
        reviewed(cast["trainer"], work, "changes_requested", feedback="More.")
        assert api.rubric_result(cast["learner"], USAGE) is None  # not approved
        resubmit(cast["learner"])
        released = reviewed(cast["trainer"], work)
        result = api.rubric_result(cast["learner"], str(USAGE))
        assert (result.review_id, result.points, result.points_possible, result.submission_id) == (
            released.id, 25.0, 30, work)
        assert round(result.fraction, 4) == round(25 / 30, 4)
        clarity = result.criterion("clarity")
        assert (clarity.level, clarity.level_label, clarity.points, clarity.max_points, clarity.weight) == (
            2, "Clear", 4.0, 4.0, 2.0)
        assert result.criterion("depth").points == 5.0 and result.criterion("style") is None
        assert api.rubric_result(cast["peer"], USAGE) is None
        assert api.rubric_result(cast["learner"], "not a key") is None
        assert api.rubric_result(cast["learner"], COURSE.make_usage_key("mentora_project", "none")) is None

    def test_team_members_share_the_result(self, cast):
        api.sync_project(TEAM_USAGE, COURSE, config(team_mode=True))
        api.create_team(cast["staff"], TEAM_USAGE, "Blue", [cast["learner"], cast["mate"]])
        team_work = submit(cast["learner"], usage=TEAM_USAGE)
        reviewed(cast["trainer"], team_work, scores=TOP)
        assert api.rubric_result(cast["mate"], TEAM_USAGE).points == 30.0
