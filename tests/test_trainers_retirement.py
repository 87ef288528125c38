"""
The platform's retirement signal erases a user's trainer data in every trainers model, field by field, deletes
their stored files once the erasure commits, and leaves other people's records (and the figures they need) alone.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mentora_plugin.host import compat
from mentora_plugin.trainers import retirement
from mentora_plugin.trainers.models import (
    ApplicationReviewer,
    ApplicationScore,
    ApplicationTransition,
    Dispute,
    DisputeNote,
    LevelChange,
    PortfolioItem,
    Skill,
    TrainerActivity,
    TrainerApplication,
    TrainerProfile,
    TrainerRating,
    TrainerSkill,
)
from tests.conftest import COURSE

pytestmark = pytest.mark.django_db

ERASED = "(erased at the user's request)"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def retire(user) -> None:
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].send(sender=None, user=user)


def activity(source: str, trainer, learner, days_ago: int = 1) -> TrainerActivity:
    return TrainerActivity.objects.create(
        kind="session", source_id=source, trainer=trainer, learner=learner, course_key=COURSE,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


def rating(on: TrainerActivity, stars: int, comment: str, response: str = "") -> TrainerRating:
    return TrainerRating.objects.create(
        activity=on, trainer=on.trainer, learner=on.learner, course_key=COURSE, stars=stars, comment=comment,
        response=response, responded_at=timezone.now() if response else None, created=timezone.now(),
    )


@pytest.fixture
def world(make_user):
    """
    ``ret`` is a trainer (full profile, files, applications, ratings received and answered), a learner of ``coach``
    (activity, a rating given, a dispute reported), a reviewer of ``applicant`` and a staff member acting on others.
    """
    ret = make_user("ret", is_staff=True)
    coach, applicant, learner = make_user("coach"), make_user("applicant"), make_user("learner")
    now = timezone.now()
    skill = Skill.objects.create(slug="python", name="Python")

    profile = TrainerProfile.objects.create(
        user=ret, status=TrainerProfile.Status.ACTIVE, headline="Data mentor", bio="I **love** data.",
        experience_years=12, experience="Ten years at ACME.", languages=["fr", "en"], time_zone="Europe/Paris",
        links=[{"label": "Site", "url": "https://ret.example.com"}], level="advanced", level_locked=True,
        level_lock_reason="Under review after a complaint.", rating_count=1, rating_sum=5,
    )
    profile.photo.save("ret.png", ContentFile(b"\x89PNG fake"), save=True)
    TrainerSkill.objects.create(profile=profile, skill=skill, declared_level=3)
    item = PortfolioItem.objects.create(profile=profile, title="Thesis", description="My thesis.")
    item.evidence.save("thesis.pdf", ContentFile(b"%PDF fake"), save=True)
    own_app = TrainerApplication.objects.create(
        profile=profile, state="active", motivation="I want to help.", micro_task_answer="42",
        interview_notes="Very clear.", decision_reason="Strong portfolio.",
    )
    ApplicationTransition.objects.create(application=own_app, from_state="decision", to_state="onboarding",
                                         actor=coach, reason="Approved: strong portfolio.", details={"votes": 2},
                                         at=now)
    LevelChange.objects.create(profile=profile, kind="lock", from_level="advanced", to_level="advanced", actor=coach,
                               reason="Complaint pending.", snapshot={"sessions_delivered": 40}, at=now)

    # Someone else's application that ret reviewed, scored and moved on.
    other_profile = TrainerProfile.objects.create(user=applicant, headline="Applicant", bio="Applicant's bio.")
    other_app = TrainerApplication.objects.create(profile=other_profile, state="rejected", motivation="Theirs.")
    ApplicationReviewer.objects.create(application=other_app, reviewer=ret, assigned_by=ret, assigned_at=now,
                                       vote="reject", vote_reason="Thin portfolio.", voted_at=now)
    ApplicationScore.objects.create(application=other_app, reviewer=ret, criterion="expertise", score=1,
                                    comment="Not enough evidence.")
    ApplicationTransition.objects.create(application=other_app, from_state="decision", to_state="rejected",
                                         actor=ret, reason="Rejected: thin portfolio.", at=now)
    coach_profile = TrainerProfile.objects.create(user=coach, status=TrainerProfile.Status.ACTIVE, level="beginner")
    coach_skill = TrainerSkill.objects.create(profile=coach_profile, skill=skill, validated_level=2, validated_by=ret,
                                              validated_at=now)
    LevelChange.objects.create(profile=coach_profile, kind="override", from_level="beginner", to_level="advanced",
                               actor=ret, reason="Known expert.", at=now)

    # As a trainer: a learner rated ret, and ret answered.
    taught = activity("taught", ret, learner)
    received = rating(taught, 5, "Great mentor.", response="Thank you!")
    # As a learner of coach: ret rated coach (hidden by ret as staff, too) and reported coach.
    learned = activity("learned", coach, ret)
    given = rating(learned, 2, "Coach was late.")
    given.is_hidden, given.hidden_by, given.hidden_reason = True, ret, "Testing."
    given.save()
    reported_by_ret = Dispute.objects.create(reporter=ret, reported=coach, against_trainer=True, course_key=COURSE,
                                             activity=learned, description="Coach was late twice.")
    about_ret = Dispute.objects.create(reporter=learner, reported=ret, against_trainer=True, course_key=COURSE,
                                       activity=taught, description="Ret was rude.", assignee=ret, status="resolved",
                                       upheld=True, resolution="Upheld.", resolved_by=ret, resolved_at=now)
    by_ret = DisputeNote.objects.create(dispute=about_ret, author=ret, body="Looked into it.")
    by_other = DisputeNote.objects.create(dispute=about_ret, author=coach, body="Second opinion.")
    return {
        "ret": ret, "coach": coach, "applicant": applicant, "learner": learner, "profile": profile, "item": item,
        "own_app": own_app, "other_app": other_app, "taught": taught, "learned": learned, "received": received,
        "given": given, "reported_by_ret": reported_by_ret, "about_ret": about_ret, "by_ret": by_ret,
        "by_other": by_other, "coach_skill": coach_skill, "other_profile": other_profile,
    }


def test_the_retirement_signal_erases_every_field_and_file(world, media, django_capture_on_commit_callbacks):
    profile = world["profile"]
    photo, evidence = media / profile.photo.name, media / world["item"].evidence.name
    assert photo.exists() and evidence.exists()

    with django_capture_on_commit_callbacks(execute=True):
        retire(world["ret"])

    profile.refresh_from_db()
    assert (profile.headline, profile.bio, profile.experience, profile.experience_years) == ("", "", "", 0)
    assert (profile.languages, profile.links, profile.photo.name, profile.time_zone) == ([], [], "", "UTC")
    assert (profile.status, profile.level_lock_reason) == (TrainerProfile.Status.SUSPENDED, "")
    assert not photo.exists() and not evidence.exists()
    assert not TrainerSkill.objects.filter(profile=profile).exists()
    assert not PortfolioItem.objects.filter(profile=profile).exists()

    own_app = TrainerApplication.objects.get(pk=world["own_app"].pk)
    assert (own_app.motivation, own_app.micro_task_answer, own_app.interview_notes, own_app.decision_reason) == (
        "", "", "", ""
    )
    own_transition = ApplicationTransition.objects.get(application=own_app)
    assert (own_transition.reason, own_transition.details, own_transition.actor) == ("", {}, world["coach"])
    own_level = LevelChange.objects.get(profile=profile)
    assert (own_level.kind, own_level.reason, own_level.snapshot) == ("lock", "", {})

    # As a reviewer: reasons and comments go, the votes and scores stay for the applicant's audit.
    vote = ApplicationReviewer.objects.get(application=world["other_app"])
    assert (vote.vote, vote.vote_reason, vote.assigned_by) == ("reject", "", None)
    score = ApplicationScore.objects.get(application=world["other_app"])
    assert (score.score, score.comment) == (1, "")
    decision = ApplicationTransition.objects.get(application=world["other_app"])
    assert (decision.actor, decision.reason) == (None, "Rejected: thin portfolio.")
    assert TrainerSkill.objects.get(pk=world["coach_skill"].pk).validated_by is None
    assert LevelChange.objects.get(profile__user=world["coach"]).actor is None

    # Ratings: the one given keeps its stars without comment or author; answers to received ones are erased.
    given = TrainerRating.objects.get(pk=world["given"].pk)
    assert (given.stars, given.comment, given.learner, given.hidden_by) == (2, "", None, None)
    received = TrainerRating.objects.get(pk=world["received"].pk)
    assert (received.response, received.responded_at, received.comment) == ("", None, "Great mentor.")
    assert TrainerActivity.objects.get(pk=world["learned"].pk).learner is None
    assert TrainerActivity.objects.get(pk=world["taught"].pk).learner == world["learner"]

    # Disputes: unlinked; the description is replaced only where they wrote it; notes lose their author.
    mine = Dispute.objects.get(pk=world["reported_by_ret"].pk)
    assert (mine.reporter, mine.reported, mine.description) == (None, world["coach"], ERASED)
    about = Dispute.objects.get(pk=world["about_ret"].pk)
    assert (about.reporter, about.reported, about.description) == (world["learner"], None, "Ret was rude.")
    assert (about.assignee, about.resolved_by, about.upheld) == (None, None, True)
    assert DisputeNote.objects.get(pk=world["by_ret"].pk).author is None
    assert DisputeNote.objects.get(pk=world["by_other"].pk).author == world["coach"]


def test_other_peoples_data_stays(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        retire(world["ret"])
    other = TrainerProfile.objects.get(pk=world["other_profile"].pk)
    assert (other.headline, other.bio, other.status) == ("Applicant", "Applicant's bio.", "applicant")
    assert TrainerApplication.objects.get(pk=world["other_app"].pk).motivation == "Theirs."
    assert TrainerProfile.objects.get(user=world["coach"]).status == TrainerProfile.Status.ACTIVE
    assert DisputeNote.objects.get(pk=world["by_other"].pk).body == "Second opinion."


def test_a_rolled_back_retirement_keeps_the_files(world, media, django_capture_on_commit_callbacks):
    photo = media / world["profile"].photo.name
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        retirement.retire_user(world["ret"])
        raise RuntimeError("the retirement pipeline failed later on")
    assert photo.exists()
    assert TrainerProfile.objects.get(pk=world["profile"].pk).headline == "Data mentor"


def test_a_user_without_trainer_data_and_a_second_run_are_fine(world, make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        retire(make_user("nobody"))
        retire(world["ret"])
        retire(world["ret"])
    assert TrainerProfile.objects.get(pk=world["profile"].pk).status == TrainerProfile.Status.SUSPENDED
    assert not TrainerProfile.objects.filter(user__username="nobody").exists()
