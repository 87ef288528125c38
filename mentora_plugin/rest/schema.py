"""How Mentora's authentication shows in its OpenAPI schema (drf-spectacular extensions, registered on import)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class OpenEdxJwtScheme(OpenApiAuthenticationExtension):
    """Open edX JWTs go in the Authorization header with the ``JWT`` prefix (not ``Bearer``)."""

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "openedxJwt"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An Open edX JWT: `Authorization: JWT <token>` (MFEs send it as the split JWT cookies).",
        }


class LmsSessionScheme(OpenApiAuthenticationExtension):
    """The LMS session cookie; writes also need the CSRF token."""

    target_class = "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser"
    name = "lmsSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
