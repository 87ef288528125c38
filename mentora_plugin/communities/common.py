"""What every part of communities shares: its error and the lookups each module starts from."""
from __future__ import annotations

from django.utils.translation import gettext as _


class CommunitiesError(ValueError):
    """
    A communities request that cannot be honoured. ``code`` is machine-readable, ``status`` the HTTP status a REST
    view answers with, ``field`` the form field it concerns (if any), ``until`` when a time-bound refusal ends (a
    suspension, slow mode), and the message says why for people (translated).
    """

    def __init__(self, code: str, message: str, status: int = 400, field: str = "", until=None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.field = field
        self.until = until


def forbidden(message: str, code: str = "permission_denied", until=None) -> CommunitiesError:
    return CommunitiesError(code, message, status=403, until=until)


def not_found(what: str, message: str | None = None) -> CommunitiesError:
    """The 404 of ``what`` (also for what exists but the user may not see: no existence leak)."""
    return CommunitiesError(f"{what}_not_found", message or _("Not found."), status=404)
