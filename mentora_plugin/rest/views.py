"""Base classes of Mentora's REST views, and the API schema and documentation views."""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.session.authentication import SessionAuthenticationAllowInactiveUser
from rest_framework import generics, permissions, serializers
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.views import APIView

from mentora_plugin import __version__
from mentora_plugin.rest import schema as _schema_extensions  # noqa: F401  (registers the auth schemes)
from mentora_plugin.rest.errors import exception_handler
from mentora_plugin.rest.pagination import MentoraPagination
from mentora_plugin.rest.throttling import MentoraAnonThrottle, MentoraUserThrottle, MentoraWriteThrottle


class ErrorSerializer(serializers.Serializer):
    """Every Mentora error response (see ``mentora_plugin.rest.errors``)."""

    error_code = serializers.CharField(help_text="Machine-readable, e.g. invalid_course_key, permission_denied.")
    message = serializers.CharField(help_text="For people, in the requester's language.")
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False, help_text="Invalid input only."
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait, when throttled.")


ERROR_RESPONSES = {
    status: OpenApiResponse(ErrorSerializer, description=description)
    for status, description in (
        (400, "Invalid input (error_code says what)."),
        (401, "Not signed in, or the JWT is not valid."),
        (403, "Not allowed."),
        (404, "No such course or object."),
        (429, "Throttled: retry after retry_after seconds."),
    )
}


def document(**schema_kwargs):
    """
    ``drf_spectacular.utils.extend_schema`` for Mentora's views and their methods.

    On a method, drf-spectacular builds on the platform's global ``DEFAULT_SCHEMA_CLASS`` (not drf-spectacular's
    in the LMS); naming drf-spectacular's AutoSchema here keeps Mentora's schema right without touching the
    platform's settings.
    """

    responses = schema_kwargs.get("responses")
    if responses is not None:
        if not isinstance(responses, dict):
            responses = {200: responses}
        schema_kwargs["responses"] = {**ERROR_RESPONSES, **responses}

    def decorate(view):
        if not hasattr(view, "schema"):
            view.schema = AutoSchema
        return extend_schema(**schema_kwargs)(view)

    return decorate


class MentoraAPIMixin:
    """
    The policy of every Mentora endpoint: Open edX JWT (``Authorization: JWT …`` or the MFE split cookies, joined
    by the platform's middleware) or the LMS session; signed-in users only; Mentora's throttles, pagination and
    error format; documented in Mentora's OpenAPI schema.
    """

    authentication_classes = (JwtAuthentication, SessionAuthenticationAllowInactiveUser)
    permission_classes = (permissions.IsAuthenticated,)
    throttle_classes = (MentoraUserThrottle, MentoraWriteThrottle)
    pagination_class = MentoraPagination
    renderer_classes = (JSONRenderer, BrowsableAPIRenderer)
    schema = AutoSchema()

    def get_exception_handler(self):
        return exception_handler


class MentoraAPIView(MentoraAPIMixin, APIView):
    """An APIView with Mentora's policy."""


class MentoraGenericAPIView(MentoraAPIMixin, generics.GenericAPIView):
    """A GenericAPIView with Mentora's policy."""


#: drf-spectacular settings for Mentora's schema only; the platform's own settings stay untouched.
SCHEMA_SETTINGS = {
    "TITLE": "Mentora API",
    "DESCRIPTION": (
        "Human mentoring for Open edX. Authenticate with an Open edX JWT (`Authorization: JWT <token>`) or the LMS "
        "session. Errors are `{\"error_code\": ..., \"message\": ...}`; lists are paginated with `page` and "
        "`page_size`."
    ),
    "VERSION": __version__,
    "PREPROCESSING_HOOKS": ["mentora_plugin.rest.views.only_mentora_endpoints"],
    "SCHEMA_PATH_PREFIX": r"/api/mentora/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Several domains have a field named "status" with their own choices: each set gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "DisputeStatusEnum": [(value, value) for value in ("open", "in_progress", "resolved", "dismissed")],
        "DisputeWorkflowStatusEnum": [("open", "open"), ("in_progress", "in_progress")],
    },
}


def only_mentora_endpoints(endpoints: list) -> list:
    """Keep Mentora's endpoints, without the schema and docs views, out of whatever else the platform serves."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith("/api/mentora/")
        and getattr(callback, "cls", None) not in (MentoraSchemaView, MentoraDocsView)
    ]


class MentoraSchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of ``/api/mentora/v1/`` (JSON with ``?format=json``, YAML otherwise)."""

    custom_settings = SCHEMA_SETTINGS
    permission_classes = (permissions.AllowAny,)
    authentication_classes = (SessionAuthenticationAllowInactiveUser,)
    throttle_classes = (MentoraAnonThrottle,)


class MentoraDocsView(SpectacularSwaggerView):
    """Browsable documentation of the API (Swagger UI, served from this site: no third-party CDN)."""

    url_name = "mentora:api-schema"
    title = "Mentora API"
    permission_classes = (permissions.AllowAny,)
    authentication_classes = (SessionAuthenticationAllowInactiveUser,)
    throttle_classes = (MentoraAnonThrottle,)

    def get(self, request, *args, **kwargs):
        with patched_settings(SCHEMA_SETTINGS):
            return super().get(request, *args, **kwargs)
