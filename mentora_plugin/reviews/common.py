"""What every part of reviews shares: its error."""
from __future__ import annotations

from django.utils.translation import gettext as _


class ReviewsError(ValueError):
    """
    A reviews request that cannot be honoured. ``code`` is machine-readable, ``status`` the HTTP status a REST view
    answers with, and the message says why for people (translated).
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def not_found(what: str) -> ReviewsError:
    """The 404 of ``what`` (also for what exists but the user may not see: no existence leak)."""
    return ReviewsError(f"{what}_not_found", _("No such {what}.").format(what=what.replace("_", " ")), status=404)


def forbidden(message: str) -> ReviewsError:
    return ReviewsError("permission_denied", message, status=403)
