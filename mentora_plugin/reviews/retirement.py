"""
What reviews erases when the platform retires a user (GDPR), on the platform's USER_RETIRE_LMS_MISC signal.

The platform keeps the retired account's row (with a scrambled username), so records other people need stay,
emptied of what the person wrote and unlinked from them where the link is what would identify them:

- Their own work (their submissions, not their team's): the draft's text and links, every version's text, links
  and self-assessment, every file (the stored files are deleted), the self-assessment reviews' scores and comments,
  and the passages that inline comments quote from their text. The submissions, their status and grades stay (the
  gradebook has them already, through edx-submissions) and so does the trainers' feedback on the work.
- Team work belongs to the other members too: it stays, and the person leaves the team; versions they submitted
  no longer name them.
- The gallery: entries of any work of theirs (their own or their team's) are deleted with their kudos, so nothing
  they made is shown any more; the kudos they gave are deleted (the entries' counts follow); entries they featured
  stay without them.
- Their replies to feedback keep their place in the conversation with an erased text and no author.
- Their comment bank is deleted, as are their claims (the submissions go back to the queue) and the extensions
  granted to them.
- Reviews they wrote keep their scores, feedback and grade (the learner's record) but no longer name them; grade
  changes, confirmations and extensions they made lose them as the actor.

Everything runs in one transaction; stored files are deleted once it commits (a rolled-back retirement keeps them).
Running it twice changes nothing more.
"""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from mentora_plugin.host import api as host_api
from mentora_plugin.host import compat
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

log = logging.getLogger(__name__)


def retire_user(user: Any) -> None:
    """Erase ``user``'s review data (see the module docstring). Idempotent."""
    user_id = host_api._user_id(user)
    files: list[Any] = []
    with transaction.atomic():
        own = list(Submission.objects.select_for_update().filter(learner_id=user_id).values_list("pk", flat=True))
        team_ids = list(Team.objects.filter(members__id=user_id).values_list("pk", flat=True))
        teams = list(Submission.objects.filter(team_id__in=team_ids).values_list("pk", flat=True))
        _erase_work(own, files)
        Team.members.through.objects.filter(user_id=user_id).delete()
        SubmissionVersion.objects.filter(submitted_by_id=user_id).update(submitted_by=None)
        _retire_gallery(user_id, own + teams)
        FeedbackReply.objects.filter(author_id=user_id).update(author=None, body=_("(erased at the user's request)"))
        CommentBankEntry.objects.filter(trainer_id=user_id).delete()
        _free_claims(user_id)
        Extension.objects.filter(learner_id=user_id).delete()
        for model, field in (
            (Review, "reviewer"),
            (Review, "confirmed_by"),
            (Review, "returned_by"),
            (RubricTemplate, "created_by"),
            (GradeChange, "actor"),
            (Extension, "granted_by"),
            (GalleryEntry, "featured_by"),
        ):
            model.objects.filter(**{f"{field}_id": user_id}).update(**{field: None})
        transaction.on_commit(lambda: _delete_files(files))
    log.info("Mentora reviews data retired for user %s", user_id)


def _free_claims(trainer_id: int) -> None:
    """The retired trainer's claims go; the work they held waits in the queue again (under each submission's lock)."""
    from mentora_plugin.reviews import reviewing

    for submission_id in list(Claim.objects.filter(trainer_id=trainer_id).values_list("submission_id", flat=True)):
        submission = reviewing._lock(submission_id)
        Claim.objects.filter(submission=submission).delete()
        reviewing._free_status(submission)


def _erase_work(submission_ids: list[int], files: list[Any]) -> None:
    """Empty the learner's own submissions of what they wrote and uploaded."""
    if not submission_ids:
        return
    Submission.objects.filter(pk__in=submission_ids).update(draft_text="", draft_links=[])
    SubmissionVersion.objects.filter(submission_id__in=submission_ids).update(text="", links=[], self_assessment={})
    stored = SubmissionFile.objects.filter(submission_id__in=submission_ids)
    files.extend(item.file for item in stored if item.file)
    stored.delete()
    Review.objects.filter(version__submission_id__in=submission_ids, role=Review.Role.SELF).update(
        scores={}, feedback=""
    )
    InlineComment.objects.filter(review__version__submission_id__in=submission_ids).update(quote="")


def _retire_gallery(user_id: int, submission_ids: list[int]) -> None:
    """Delete the entries of their work (kudos go with them) and their kudos, then recount what they touched."""
    GalleryEntry.objects.filter(submission_id__in=submission_ids).delete()
    touched = list(Kudos.objects.filter(user_id=user_id).values_list("entry_id", flat=True))
    Kudos.objects.filter(user_id=user_id).delete()
    if touched:
        for entry in GalleryEntry.objects.filter(pk__in=touched).annotate(counted=Count("kudos")):
            GalleryEntry.objects.filter(pk=entry.pk).update(kudos_count=entry.counted)
    # A consent they gave on an entry that is not theirs any more (they left a team before) goes too.
    for entry in GalleryEntry.objects.filter(consented_by__icontains=str(user_id)):
        if user_id in entry.consented_by:
            entry.consented_by = [value for value in entry.consented_by if value != user_id]
            entry.save(update_fields=["consented_by"])


def _delete_files(files: list[Any]) -> None:
    """Delete stored files after the commit; a file already gone is not an error."""
    for stored in files:
        try:
            stored.storage.delete(stored.name)
        except OSError:
            log.warning("Could not delete the retired user's file %s", stored.name)


def _on_user_retire(sender: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        retire_user(user)


def connect_receivers() -> None:
    """Connect to the platform's retirement signal (or its stand-in outside the LMS). Idempotent."""
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].connect(
        _on_user_retire, dispatch_uid="mentora.reviews.retire_user", weak=False
    )
