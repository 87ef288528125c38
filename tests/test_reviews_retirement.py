"""
Retiring a user erases their review data (the platform's USER_RETIRE_LMS_MISC signal): their drafts, versions, files
(the stored files after the commit), self-assessments, replies, comment bank, gallery entries of their work and their
kudos; reviews they wrote keep their scores without their name; grade changes lose them as actor. Other people's
records stay.
"""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from mentora_plugin.host import compat
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import (
    Claim,
    CommentBankEntry,
    Extension,
    FeedbackReply,
    GalleryEntry,
    GradeChange,
    InlineComment,
    Kudos,
    Review,
    RubricTemplate,
    Submission,
    SubmissionFile,
    SubmissionVersion,
    Team,
)
from mentora_plugin.reviews.retirement import retire_user
from tests import test_reviews_queue as queue_tests
from tests.conftest import COURSE
from tests.test_reviews_gallery import make_advanced
from tests.test_reviews_queue import approve, claim, make_project, make_submission, make_team

pytestmark = pytest.mark.django_db

# The queue tests' fixtures: the people of two courses, and throttles out of the way.
cast = queue_tests.cast
_fresh_throttles = queue_tests._fresh_throttles


@pytest.fixture
def world(cast, settings, tmp_path, make_user, django_capture_on_commit_callbacks):
    """Lea's approved, featured, consented essay with a file, a self-assessment, a reply; Tara reviewed it."""
    settings.MEDIA_ROOT = str(tmp_path)
    make_advanced(cast["trainer"])
    learner, trainer, peer = cast["learner"], cast["trainer"], cast["learner2"]
    project = make_project(title="Essay")
    essay = make_submission(project, learner, text="My private essay.", links=["https://example.com/me"])
    version = essay.versions.get()
    version.self_assessment = {"quality": 1}
    version.save()
    Submission.objects.filter(pk=essay.pk).update(draft_text="Next draft", draft_links=["https://example.com/d"])
    stored = SubmissionFile.objects.create(submission=essay, version=version, name="essay.pdf", size=4,
                                           file=ContentFile(b"%PDF", name="essay.pdf"), uploaded_at=timezone.now())
    draft_file = SubmissionFile.objects.create(submission=essay, name="draft.txt", size=5,
                                               file=ContentFile(b"draft", name="draft.txt"),
                                               uploaded_at=timezone.now())
    self_review = Review.objects.create(version=version, reviewer=learner, role="self", feedback="I did well.",
                                        scores={"quality": {"level": 1, "comment": "Mine."}})
    review = approve(essay, trainer, feedback="Very good.", points=40)
    InlineComment.objects.create(review=review, start=3, end=10, quote="private", comment="Nice word.")
    GradeChange.objects.create(submission=essay, version=version, new_points=40, points_possible=50, actor=trainer,
                               reason="Released", kind="release", at=timezone.now())
    FeedbackReply.objects.create(version=version, author=learner, body="Thank you, Tara!")
    FeedbackReply.objects.create(version=version, author=trainer, body="You're welcome.")
    CommentBankEntry.objects.create(trainer=trainer, text="Well argued.")
    api.set_gallery_consent(learner, essay.pk, True)
    entry = api.feature_submission(trainer, essay.pk)
    api.give_kudos(peer, entry.id)
    # Lea's kudos to Leo's entry, and Lea in a team with Leo.
    theirs = make_submission(make_project(name="poster", title="Poster"), peer, text="Leo's poster")
    approve(theirs, trainer)
    api.set_gallery_consent(peer, theirs.pk, True)
    their_entry = api.feature_submission(trainer, theirs.pk)
    api.give_kudos(learner, their_entry.id)
    api.give_kudos(cast["trainer2"], their_entry.id)
    team_project = make_project(name="team", title="Team", team_mode=True)
    team = make_team(team_project, "Owls", learner, peer)
    team_work = make_submission(team_project, team=team, text="Our work")
    SubmissionVersion.objects.filter(submission=team_work).update(submitted_by=learner)
    approve(team_work, trainer)
    for member in (learner, peer):
        api.set_gallery_consent(member, team_work.pk, True)
    api.feature_submission(trainer, team_work.pk)
    Extension.objects.create(project=project, learner=learner, granted_by=trainer, reason="Ill.",
                             granted_at=timezone.now())
    return {
        "essay": essay, "version": version, "stored": stored, "draft_file": draft_file, "self_review": self_review,
        "review": review, "entry": entry, "their_entry": their_entry, "team": team, "team_work": team_work,
        "files": [stored.file.name, draft_file.file.name], "capture": django_capture_on_commit_callbacks,
    }


def retire(world, user):
    with world["capture"](execute=True):
        retire_user(user)


class TestLearnerRetired:
    def test_their_work_is_erased_and_the_grade_stays(self, cast, world):
        assert all(default_storage.exists(name) for name in world["files"])
        retire(world, cast["learner"])
        essay = Submission.objects.get(pk=world["essay"].pk)
        assert (essay.draft_text, essay.draft_links, essay.status, essay.points_earned) == ("", [], "approved", 40)
        version = SubmissionVersion.objects.get(pk=world["version"].pk)
        assert (version.text, version.links, version.self_assessment, version.submitted_by) == ("", [], {}, None)
        assert not SubmissionFile.objects.filter(submission=essay).exists()
        assert not any(default_storage.exists(name) for name in world["files"])
        self_review = Review.objects.get(pk=world["self_review"].pk)
        assert (self_review.scores, self_review.feedback, self_review.reviewer) == ({}, "", None)
        review = Review.objects.get(pk=world["review"].pk)
        assert (review.feedback, review.points, review.reviewer_id) == ("Very good.", 40, cast["trainer"].pk)
        assert InlineComment.objects.get(review=review).quote == ""
        replies = {reply.author_id: reply.body for reply in FeedbackReply.objects.filter(version=version)}
        assert replies[None] != "Thank you, Tara!" and replies[cast["trainer"].pk] == "You're welcome."
        assert not Extension.objects.filter(learner=cast["learner"]).exists()

    def test_gallery_entries_of_their_work_and_their_kudos_go(self, cast, world):
        retire(world, cast["learner"])
        assert not GalleryEntry.objects.filter(submission__in=[world["essay"], world["team_work"]]).exists()
        assert not Kudos.objects.filter(user=cast["learner"]).exists()
        their = GalleryEntry.objects.get(pk=world["their_entry"].id)
        assert their.kudos_count == 1 and their.kudos.count() == 1
        assert [entry.project_title for entry in api.list_gallery(viewer=cast["learner2"])] == ["Poster"]

    def test_team_work_stays_for_the_others_without_them(self, cast, world):
        retire(world, cast["learner"])
        team = Team.objects.get(pk=world["team"].pk)
        assert list(team.members.values_list("username", flat=True)) == ["learner2"]
        version = SubmissionVersion.objects.get(submission=world["team_work"])
        assert (version.text, version.submitted_by) == ("Our work", None)

    def test_the_platform_signal_retires_and_twice_is_harmless(self, cast, world):
        with world["capture"](execute=True):
            compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].send(sender=None, user=cast["learner"])
        assert SubmissionVersion.objects.get(pk=world["version"].pk).text == ""
        retire(world, cast["learner"])
        assert SubmissionVersion.objects.get(pk=world["version"].pk).text == ""


class TestTrainerRetired:
    def test_their_reviews_keep_scores_without_their_name(self, cast, world):
        held = make_submission(make_project(name="q"), cast["learner2"])
        claim(held, cast["trainer"])
        Review.objects.filter(pk=world["review"].pk).update(returned_by=cast["trainer"])
        template = RubricTemplate.objects.create(course_key=COURSE, title="Essays", created_by=cast["trainer"])
        retire(world, cast["trainer"])
        review = Review.objects.get(pk=world["review"].pk)
        assert (review.reviewer, review.points, review.scores["quality"]["level"]) == (None, 40, 1)
        assert review.returned_by is None and RubricTemplate.objects.get(pk=template.pk).created_by is None
        assert Submission.objects.get(pk=held.pk).status == "submitted"  # the work they held waits again
        assert GradeChange.objects.get(submission=world["essay"]).actor is None
        assert not CommentBankEntry.objects.exists() and not Claim.objects.exists()
        assert Extension.objects.get(learner=cast["learner"]).granted_by is None
        entry = GalleryEntry.objects.get(pk=world["entry"].id)
        assert entry.featured_by is None and entry.featured_at is not None  # the learner's showcase stays
        # The learner's own work is untouched.
        assert SubmissionVersion.objects.get(pk=world["version"].pk).text == "My private essay."
        replies = set(FeedbackReply.objects.values_list("body", flat=True))
        assert "Thank you, Tara!" in replies
