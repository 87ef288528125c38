"""
What the communities' REST views share: their base classes, with ``CommunitiesError`` mapped to Mentora's error
body plus the two things a client of a community needs to act on a refusal: ``field`` (the input at fault, "" when
none; also given as ``field_errors`` like the other domains) and ``until`` (when a time-bound refusal ends: a
suspension, a mute, slow mode, the weekly priority quota; null otherwise); and the parsing of query strings.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.host import api as host_api
from mentora_plugin.rest.errors import MentoraAPIError
from mentora_plugin.rest.errors import exception_handler as mentora_exception_handler
from mentora_plugin.rest.views import ErrorSerializer, MentoraAPIView, MentoraGenericAPIView, document

#: The domain's names of fields that the API calls otherwise.
FIELD_NAMES = {"course_key": "course_id"}
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off", ""})


def communities_exception_handler(error: Exception, context: dict) -> Response | None:
    """
    Mentora's handler, with the communities domain's errors mapped to their code and status, and every error of
    these endpoints carrying ``field`` and ``until`` (so a client reads one shape whatever refused it).
    """
    field, until = "", None
    if isinstance(error, CommunitiesError):
        field = FIELD_NAMES.get(error.field, error.field or "")
        until = error.until
        error = MentoraAPIError(str(error), code=error.code, status_code=error.status)
    elif isinstance(error, exceptions.ValidationError) and isinstance(error.detail, dict) and error.detail:
        field = str(next(iter(error.detail)))
    response = mentora_exception_handler(error, context)
    if response is None or not isinstance(response.data, dict) or "error_code" not in response.data:
        return response
    if field and "field_errors" not in response.data:
        response.data["field_errors"] = {field: [response.data["message"]]}
    response.data["field"] = field
    response.data["until"] = until.isoformat() if isinstance(until, datetime) else until
    return response


class _CommunitiesErrors:
    def get_exception_handler(self) -> Any:
        return communities_exception_handler


class CommunitiesAPIView(_CommunitiesErrors, MentoraAPIView):
    """A communities endpoint (JWT or session, throttled, Mentora's error format with ``field`` and ``until``)."""


class CommunitiesGenericAPIView(_CommunitiesErrors, MentoraGenericAPIView):
    """A communities list endpoint paginated by Mentora's pagination (the domain returns the whole list)."""

    def paginated(self, items: Any) -> Response:
        """The requested page of ``items`` (the domain's whole list), each by the view's ``serializer_class``."""
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def created(serializer_class: Any, instance: Any) -> Response:
    """A 201 with what was just created, by ``serializer_class``."""
    return Response(serializer_class(instance).data, status=status.HTTP_201_CREATED)


class CommunityErrorSerializer(ErrorSerializer):
    """A communities error: Mentora's body, with the field at fault and when a time-bound refusal ends."""

    field = serializers.CharField(help_text="The input at fault (\"\" when none).")
    until = serializers.DateTimeField(allow_null=True, help_text="When the refusal ends (suspended, muted, "
                                      "slow_mode, priority_quota_exhausted); else null.")


def validated(serializer_class: Any, data: Any, **kwargs: Any) -> Any:
    """The serializer's validated data, or a 400 ``invalid_input`` naming the field."""
    if not isinstance(data, dict):
        raise CommunitiesError("invalid_input", _("Send the fields as a JSON object or a form."))
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def course_key(value: str) -> Any:
    """The course key of a path; 400 ``invalid_course_key`` (field ``course_id``) when it is not one."""
    try:
        return host_api.parse_course_key(value)
    except host_api.HostError:
        raise CommunitiesError("invalid_course_key", _("This is not a valid course key."), 400,
                               field="course_key") from None


def boolean(request: Any, name: str, default: bool = False) -> bool:
    """A query-string flag ("true", "1", "yes"... or "false", "0"...); anything else is a 400 ``invalid_input``."""
    value = request.query_params.get(name)
    if value is None:
        return default
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CommunitiesError("invalid_input", _("“{name}” is true or false.").format(name=name), field=name)


def number(request: Any, name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number of the query string within bounds; else 400 ``invalid_input`` naming it."""
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < minimum or (maximum and int(value) > maximum):
        bounds = (_("between {low} and {high}").format(low=minimum, high=maximum) if maximum
                  else _("at least {low}").format(low=minimum))
        raise CommunitiesError("invalid_input", _("“{name}” is a whole number {bounds}.").format(
            name=name, bounds=bounds), field=name)
    return int(value)


def page_of(request: Any) -> tuple[int, int]:
    """``page`` (from 1) and ``page_size`` (the API's default and maximum) of a list the domain pages itself."""
    return (number(request, "page", 1, maximum=100_000),
            number(request, "page_size", settings.MENTORA_API_PAGE_SIZE, maximum=settings.MENTORA_API_MAX_PAGE_SIZE))


PAGE = OpenApiParameter("page", int, description="The page, from 1.")
PAGE_SIZE = OpenApiParameter("page_size", int, description="Items per page (at most the API's maximum, 100).")
COURSE_ID = OpenApiParameter("course_id", str, OpenApiParameter.PATH, description="A course key.")


def path_id(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.PATH, description=f"A {what} id.")


ERRORS = {
    status: OpenApiResponse(CommunityErrorSerializer, description=description)
    for status, description in (
        (400, "Invalid input (error_code says what, field where)."),
        (401, "Not signed in, or the JWT is not valid."),
        (403, "Refused: not_enrolled, suspended (until), muted (until), permission_denied..."),
        (404, "No such object, or not visible to you."),
        (409, "Conflicts with the object's state (locked, closed, duplicate_post...)."),
        (429, "Throttled, or the community's own limits (slow_mode, rate_limited; until)."),
    )
}


def documented(**schema_kwargs: Any) -> Any:
    """Mentora's ``document`` with the communities' error body on every error status."""
    responses = schema_kwargs.get("responses")
    if responses is not None:
        if not isinstance(responses, dict):
            responses = {200: responses}
        schema_kwargs["responses"] = {**ERRORS, **responses}
    schema_kwargs.setdefault("tags", ["communities"])
    return document(**schema_kwargs)
