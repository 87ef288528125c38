"""
URLs of booking (namespace ``mentora-booking``): the REST API under /api/mentora/v1/, the trainers' pages, and the
calendar feed (/mentora/calendar/<token>.ics).
"""
from django.urls import include, path

from mentora_plugin.booking import feed, views
from mentora_plugin.db import outside_request_transactions

urlpatterns = outside_request_transactions([
    path("api/mentora/v1/", include("mentora_plugin.booking.rest_api.v1.urls")),
    path("mentora/booking/availability/", views.availability, name="availability"),
    path("mentora/booking/sessions/", views.sessions, name="sessions"),
    path("mentora/booking/calendar/", views.calendar_feed_page, name="calendar"),
    path("mentora/calendar/<str:token>.ics", feed.calendar_feed, name="calendar-feed"),
])
