"""URLs of booking: the REST API under /api/mentora/v1/ and the calendar feed."""
from django.urls import include, path

urlpatterns = [
    path("api/mentora/v1/", include("mentora_plugin.booking.rest_api.v1.urls")),
]
