"""
One error format for the whole Mentora API.

Every error response is ``{"error_code": "<machine-readable>", "message": "<for people, translated>"}``, plus
``"field_errors": {field: [messages]}`` for invalid input and ``"retry_after"`` (seconds) when throttled.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class MentoraAPIError(exceptions.APIException):
    """An API error with its own code. Domain code raises subclasses or passes ``code`` and ``message``."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_request"

    def __init__(self, message: str, code: str | None = None, status_code: int | None = None) -> None:
        super().__init__(detail=message, code=code or self.default_code)
        self.error_code = code or self.default_code
        if status_code:
            self.status_code = status_code


_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_request",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "invalid_input",
}


def _messages(detail: Any) -> dict[str, list[str]] | None:
    if isinstance(detail, dict):
        return {
            str(field): [str(item) for item in (value if isinstance(value, list) else [value])]
            for field, value in detail.items()
        }
    return None


def _human_message(error: exceptions.APIException) -> str:
    if isinstance(error, exceptions.ValidationError):
        return _("Some of the values sent are not valid.")
    detail = error.detail
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    return str(detail)


def exception_handler(error: Exception, context: dict) -> Response | None:
    """DRF exception handler producing Mentora's error body; used by Mentora's views only."""
    from mentora_plugin.host.api import HostError  # imported here: host's views import this module

    if isinstance(error, HostError):
        error = MentoraAPIError(str(error), code=error.code)
    elif isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied()
    response = drf_exception_handler(error, context)
    if response is None or not isinstance(error, exceptions.APIException):
        return response
    code = getattr(error, "error_code", None) or next(
        (code for kind, code in _CODES.items() if isinstance(error, kind)), "error"
    )
    body: dict[str, Any] = {"error_code": code, "message": _human_message(error)}
    if isinstance(error, exceptions.ValidationError):
        field_errors = _messages(error.detail)
        if field_errors:
            body["field_errors"] = field_errors
        else:
            body["message"] = _human_message(exceptions.APIException(error.detail))
    if isinstance(error, exceptions.Throttled) and error.wait is not None:
        body["retry_after"] = int(error.wait + 0.999)
    response.data = body
    return response
