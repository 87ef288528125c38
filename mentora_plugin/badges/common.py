"""What every part of badges shares: its error."""
from __future__ import annotations

from django.utils.translation import gettext as _


class BadgesError(ValueError):
    """
    A badges request that cannot be honoured. ``code`` is machine-readable, ``status`` the HTTP status a REST view
    answers with, ``field`` the form field it concerns (if any), and the message says why for people (translated).
    """

    def __init__(self, code: str, message: str, status: int = 400, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.field = field


def forbidden(message: str) -> BadgesError:
    return BadgesError("permission_denied", message, status=403)


def not_found(what: str, message: str | None = None) -> BadgesError:
    """The 404 of ``what`` (also for what exists but the user may not see: no existence leak)."""
    return BadgesError(f"{what}_not_found", message or _("Not found."), status=404)


def recipient_hash(email: str, salt: str) -> str:
    """The Open Badges 2.0 hashed identity of a recipient: ``sha256$`` and the hex digest of the email and salt."""
    import hashlib

    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def public_base_url() -> str:
    """
    The absolute origin of the public Open Badges URLs (hosted assertions must be fetchable by anyone):
    ``MENTORA_BADGES_BASE_URL``, else the platform's ``LMS_ROOT_URL``, read at call time.

    Raises:
        ImproperlyConfigured: neither is set (awards could not be verified).
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    base = getattr(settings, "MENTORA_BADGES_BASE_URL", None) or getattr(settings, "LMS_ROOT_URL", None)
    if not base:
        raise ImproperlyConfigured("Set MENTORA_BADGES_BASE_URL (or LMS_ROOT_URL) for badges' public URLs.")
    return str(base).rstrip("/")
