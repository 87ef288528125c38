"""
What trainers erases when the platform retires a user (GDPR), on the platform's USER_RETIRE_LMS_MISC signal.

The platform keeps the retired account's row (with a scrambled username), so rows that other people's records need
stay, emptied of what the person wrote or showed, and unlinked from them where the link itself is what would
identify them:

- Their trainer profile: headline, biography, experience, languages, links, photo (the file is deleted), the
  staff's lock reason; time zone back to UTC; status SUSPENDED, so nothing of theirs shows publicly; their skills
  and portfolio items (with their stored files) go; their level history keeps its kinds and dates, without the
  reasons and the figures.
- Their applications: motivation, micro-task answer, interview notes and the decision's reason are erased, as are
  the reasons and details of their applications' transitions.
- As a reviewer: their votes' reasons and their scores' comments are erased; the scores stay (the other applicants'
  audit keeps the figures). Transitions they made on other people's applications keep their reason (the applicant's
  audit) without them as the actor.
- Ratings they gave: the comment is erased and they are unlinked; the stars stay for the trainer's figures. Their
  public answers to ratings they received are erased.
- Interactions where they were the learner: unlinked.
- Disputes: they are unlinked as reporter or reported; a description they wrote is replaced by a neutral text; notes
  they wrote lose their author.
- Everywhere else they are named as the staff member who acted (validated a skill, hid a rating, assigned a
  reviewer, changed a level, handled a dispute), the link goes and the record stays.

Everything runs in one transaction; stored files are deleted once it commits (a rolled-back retirement keeps them).
"""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mentora_plugin.host import api as host_api
from mentora_plugin.host import compat
from mentora_plugin.trainers.models import (
    ApplicationReviewer,
    ApplicationScore,
    ApplicationTransition,
    Dispute,
    DisputeNote,
    LevelChange,
    PortfolioItem,
    TrainerActivity,
    TrainerApplication,
    TrainerProfile,
    TrainerRating,
    TrainerSkill,
)

log = logging.getLogger(__name__)


def retire_user(user: Any) -> None:
    """Erase ``user``'s trainer data (see the module docstring). Idempotent."""
    user_id = host_api._user_id(user)
    files: list[Any] = []
    with transaction.atomic():
        profile = TrainerProfile.objects.select_for_update().filter(user_id=user_id).first()
        if profile is not None:
            _retire_profile(profile, files)
        _retire_reviews(user_id)
        TrainerRating.objects.filter(learner_id=user_id).update(comment="", learner=None)
        TrainerRating.objects.filter(trainer_id=user_id).exclude(response="").update(response="", responded_at=None)
        TrainerActivity.objects.filter(learner_id=user_id).update(learner=None)
        Dispute.objects.filter(reporter_id=user_id).update(
            reporter=None, description=_("(erased at the user's request)")
        )
        Dispute.objects.filter(reported_id=user_id).update(reported=None)
        DisputeNote.objects.filter(author_id=user_id).update(author=None)
        # Where they acted as staff or reviewer on other people's records: the record stays, without them.
        for model, field in (
            (TrainerSkill, "validated_by"),
            (TrainerRating, "hidden_by"),
            (ApplicationReviewer, "assigned_by"),
            (ApplicationTransition, "actor"),
            (LevelChange, "actor"),
            (Dispute, "assignee"),
            (Dispute, "resolved_by"),
        ):
            model.objects.filter(**{f"{field}_id": user_id}).update(**{field: None})
        transaction.on_commit(lambda: _delete_files(files))
    log.info("Mentora trainers data retired for user %s", user_id)


def _retire_profile(profile: TrainerProfile, files: list[Any]) -> None:
    if profile.photo:
        files.append(profile.photo)
    for item in PortfolioItem.objects.filter(profile=profile).exclude(evidence=""):
        files.append(item.evidence)
    PortfolioItem.objects.filter(profile=profile).delete()
    TrainerSkill.objects.filter(profile=profile).delete()
    profile.headline = ""
    profile.bio = ""
    profile.experience = ""
    profile.experience_years = 0
    profile.languages = []
    profile.links = []
    profile.photo = ""
    profile.time_zone = "UTC"
    profile.level_lock_reason = ""
    profile.status = TrainerProfile.Status.SUSPENDED
    profile.save()
    applications = TrainerApplication.objects.filter(profile=profile)
    applications.update(motivation="", micro_task_answer="", interview_notes="", decision_reason="")
    ApplicationTransition.objects.filter(application__profile=profile).update(reason="", details={})
    LevelChange.objects.filter(profile=profile).update(reason="", snapshot={})


def _retire_reviews(user_id: int) -> None:
    ApplicationReviewer.objects.filter(reviewer_id=user_id).exclude(vote_reason="").update(vote_reason="")
    ApplicationScore.objects.filter(reviewer_id=user_id).exclude(comment="").update(comment="")


def _delete_files(files: list[Any]) -> None:
    """Delete stored files after the commit; a file already gone is not an error."""
    for stored in files:
        try:
            stored.storage.delete(stored.name)
        except OSError:
            log.warning("Could not delete the retired trainer file %s", stored.name, exc_info=True)


def _on_user_retire(sender: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        retire_user(user)


def connect_receivers() -> None:
    """Connect to the platform's retirement signal (or its stand-in outside the LMS). Idempotent."""
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].connect(
        _on_user_retire, dispatch_uid="mentora.trainers.retire_user", weak=False
    )
