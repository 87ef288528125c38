"""What the reviews' REST views share: their base classes, with ``ReviewsError`` mapped to Mentora's errors."""
from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from mentora_plugin.rest.errors import MentoraAPIError
from mentora_plugin.rest.errors import exception_handler as mentora_exception_handler
from mentora_plugin.rest.views import MentoraAPIView, MentoraGenericAPIView
from mentora_plugin.reviews.common import ReviewsError


def reviews_exception_handler(error: Exception, context: dict) -> Response | None:
    """Mentora's handler, with the reviews domain's errors mapped to their code and status."""
    if isinstance(error, ReviewsError):
        error = MentoraAPIError(str(error), code=error.code, status_code=error.status)
    return mentora_exception_handler(error, context)


class _ReviewsErrors:
    def get_exception_handler(self) -> Any:
        return reviews_exception_handler


class ReviewsAPIView(_ReviewsErrors, MentoraAPIView):
    """A reviews endpoint (JWT or session, throttled, Mentora's error format)."""


class ReviewsGenericAPIView(_ReviewsErrors, MentoraGenericAPIView):
    """A paginated reviews list endpoint."""


def validated(serializer_class: Any, data: Any, **kwargs: Any) -> Any:
    """The serializer's validated data, or a 400 with the field errors."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
