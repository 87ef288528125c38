"""Throttles whose rates come from ``MENTORA_API_THROTTLE_RATES``, not the platform's global DRF settings."""
from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _MentoraRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        return settings.MENTORA_API_THROTTLE_RATES.get(self.scope)


class MentoraUserThrottle(_MentoraRateMixin, UserRateThrottle):
    """Every request of a signed-in user, across the Mentora API."""

    scope = "user"
    cache_format = "mentora_throttle_%(scope)s_%(ident)s"


class MentoraAnonThrottle(_MentoraRateMixin, AnonRateThrottle):
    """Requests without a user (the schema and the docs)."""

    scope = "anon"
    cache_format = "mentora_throttle_%(scope)s_%(ident)s"


class MentoraWriteThrottle(_MentoraRateMixin, UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) of a signed-in user, on top of the general rate."""

    scope = "write"
    cache_format = "mentora_throttle_%(scope)s_%(ident)s"

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
