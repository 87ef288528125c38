"""
What the badges' REST views share: their base classes, with ``BadgesError`` mapped to Mentora's error body (and to
``field_errors`` when the domain names the field at fault), and the parsing of the loosely typed values that
multipart forms send (booleans, lists, public ids).
"""
from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from mentora_plugin.badges import api
from mentora_plugin.rest.errors import MentoraAPIError
from mentora_plugin.rest.errors import exception_handler as mentora_exception_handler
from mentora_plugin.rest.views import MentoraAPIView, MentoraGenericAPIView

#: The domain's names of fields that the API calls otherwise.
FIELD_NAMES = {"course_key": "course_id"}
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off", ""})


def badges_exception_handler(error: Exception, context: dict) -> Response | None:
    """Mentora's handler, with the badges domain's errors mapped to their code, status and field."""
    field = ""
    if isinstance(error, api.BadgesError):
        field = FIELD_NAMES.get(error.field, error.field)
        error = MentoraAPIError(str(error), code=error.code, status_code=error.status)
    response = mentora_exception_handler(error, context)
    if response is not None and field:
        response.data["field_errors"] = {field: [response.data["message"]]}
    return response


class _BadgesErrors:
    def get_exception_handler(self) -> Any:
        return badges_exception_handler


class BadgesAPIView(_BadgesErrors, MentoraAPIView):
    """A badges endpoint (JWT or session, throttled, Mentora's error format)."""


class BadgesGenericAPIView(_BadgesErrors, MentoraGenericAPIView):
    """A paginated badges list endpoint."""


def validated(serializer_class: Any, data: Any, **kwargs: Any) -> Any:
    """The serializer's validated data, or a 400 with the field errors."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def public_id(value: str, what: str, message: str) -> uuid.UUID:
    """
    The public id in a path as a UUID; anything else is the same 404 as an unknown id (the domain would also accept
    numeric ids, which the API never shows).
    """
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise api.BadgesError(f"{what}_not_found", message, status=404) from None


def boolean(value: Any, name: str, default: bool = False) -> bool:
    """A boolean from JSON (true/false) or a form or query string ("true", "1", "on"...); else 400 invalid_input."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise api.BadgesError("invalid_input", _("“{name}” is true or false.").format(name=name), field=name)


def text_list(data: Any, name: str) -> list[str] | None:
    """
    A list of strings from JSON (a list, or a comma-separated string) or from a form (the field repeated, or one
    comma-separated value); None when absent. An empty string is the empty list (a form's way to clear it).
    """
    if name not in data:
        return None
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        return values  # the domain refuses it with its own code
    if len(values) == 1 and isinstance(values[0], str):
        values = values[0].split(",")
    return [value.strip() if isinstance(value, str) else value for value in values
            if not (isinstance(value, str) and not value.strip())]


def uuid_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)
