"""
The WSGI application of the booking load benchmark (the demo site has none), and its URLs: the demo site's, plus
two floors that the same gunicorn serves in the same run (PERFORMANCE.md, "The framework floor"):

- ``/bench/floor/``: the smallest Django view, ``ok`` in plain text, through the whole middleware stack;
- ``/bench/floor-jwt/``: a DRF view with the same JWT authentication as Mentora's API and nothing else, to tell
  the cost of authenticating a request from the cost of booking.

    gunicorn benchmarks.wsgi_load:application      (DJANGO_SETTINGS_MODULE defaults to benchmarks.settings_load)
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings_load")

application = get_wsgi_application()

# After Django is set up: the URL configuration (this module, ROOT_URLCONF of the load settings) is read at the
# first request.
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication  # noqa: E402
from rest_framework.permissions import IsAuthenticated  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from devsite.urls import urlpatterns as site_urlpatterns  # noqa: E402


def floor(request):
    """The framework floor: a Django view that does nothing."""
    return HttpResponse("ok", content_type="text/plain")


class JwtFloor(APIView):
    """The floor of an authenticated API call: Mentora's JWT authentication, then nothing."""

    authentication_classes = (JwtAuthentication,)
    permission_classes = (IsAuthenticated,)
    renderer_classes = (JSONRenderer,)

    def post(self, request):
        return Response({"ok": True, "user": request.user.pk}, status=201)


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor-jwt/", JwtFloor.as_view()),
    *site_urlpatterns,
]
