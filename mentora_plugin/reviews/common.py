"""What every part of reviews shares: its error, and the grade policy (read by reviewing and by the learner's state)."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: The grade policies ``MENTORA_REVIEWS_GRADE_POLICY`` may name.
GRADE_POLICIES = ("latest", "highest")


class ReviewsError(ValueError):
    """
    A reviews request that cannot be honoured. ``code`` is machine-readable, ``status`` the HTTP status a REST view
    answers with, and the message says why for people (translated).
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


#: The message of each 404, whole sentences for translators (``not_found``'s ``what``).
_NOT_FOUND = {
    "comment_bank_entry": gettext_lazy("There is no such saved comment."),
    "file": gettext_lazy("There is no such file."),
    "gallery_entry": gettext_lazy("There is no such gallery entry."),
    "inline_comment": gettext_lazy("There is no such inline comment."),
    "project": gettext_lazy("There is no such project."),
    "review": gettext_lazy("There is no such review."),
    "review_file": gettext_lazy("There is no such feedback file."),
    "submission": gettext_lazy("There is no such submission."),
    "team": gettext_lazy("There is no such team."),
    "user": gettext_lazy("There is no such user."),
    "version": gettext_lazy("There is no such version."),
}


def not_found(what: str) -> ReviewsError:
    """The 404 of ``what`` (also for what exists but the user may not see: no existence leak)."""
    message = _NOT_FOUND.get(what) or _("Not found.")
    return ReviewsError(f"{what}_not_found", str(message), status=404)


def forbidden(message: str) -> ReviewsError:
    return ReviewsError("permission_denied", message, status=403)


def grade_policy() -> str:
    """
    ``MENTORA_REVIEWS_GRADE_POLICY``, read at call time: which approved grade the gradebook keeps when a learner is
    graded again ("latest" or "highest"). Shared so that what the learner is told is what reviewing applies.

    Raises:
        ValueError: the setting names another policy (a configuration error, not a learner's).
    """
    policy = getattr(settings, "MENTORA_REVIEWS_GRADE_POLICY", "latest") or "latest"
    if policy not in GRADE_POLICIES:
        raise ValueError(f"MENTORA_REVIEWS_GRADE_POLICY must be one of {GRADE_POLICIES}, not {policy!r}")
    return policy
