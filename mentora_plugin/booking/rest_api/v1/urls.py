"""Booking REST API (v1), mounted under ``/api/mentora/v1/``."""
from django.urls import path, re_path

from mentora_plugin.booking.rest_api.v1 import views

# Course keys contain "+" and ":"; the views parse and validate them (a malformed key is a 400, not a 404).
COURSE_ID = r"(?P<course_id>[^/]+)"

urlpatterns = [
    re_path(
        rf"^courses/{COURSE_ID}/session-types/$", views.CourseSessionTypesView.as_view(), name="course-session-types"
    ),
    path("session-types/<int:session_type_id>/", views.SessionTypeView.as_view(), name="session-type"),
    path("session-types/<int:session_type_id>/slots/", views.SlotsView.as_view(), name="session-type-slots"),
    path(
        "session-types/<int:session_type_id>/slots/check/",
        views.SlotCheckView.as_view(),
        name="session-type-slot-check",
    ),
    path("me/calendar/", views.MyCalendarView.as_view(), name="my-calendar"),
    path("me/calendar/overrides/", views.MyOverridesView.as_view(), name="my-calendar-overrides"),
    path("me/calendar/overrides/<int:override_id>/", views.MyOverrideView.as_view(), name="my-calendar-override"),
    path("bookings/", views.BookingsView.as_view(), name="bookings"),
    path("bookings/<int:booking_id>/", views.BookingView.as_view(), name="booking"),
    path("bookings/<int:booking_id>/confirm/", views.ConfirmBookingView.as_view(), name="booking-confirm"),
    path("bookings/<int:booking_id>/decline/", views.DeclineBookingView.as_view(), name="booking-decline"),
    path("bookings/<int:booking_id>/cancel/", views.CancelBookingView.as_view(), name="booking-cancel"),
    path("bookings/<int:booking_id>/reschedule/", views.RescheduleBookingView.as_view(), name="booking-reschedule"),
    path("bookings/<int:booking_id>/complete/", views.CompleteBookingView.as_view(), name="booking-complete"),
    # The waitlist of full group sessions.
    path(
        "session-types/<int:session_type_id>/full-sessions/",
        views.FullSessionsView.as_view(),
        name="session-type-full-sessions",
    ),
    path("sessions/<int:session_id>/waitlist/", views.JoinWaitlistView.as_view(), name="session-waitlist"),
    path("bookings/<int:booking_id>/accept/", views.AcceptOfferView.as_view(), name="booking-accept"),
    path("bookings/<int:booking_id>/leave-waitlist/", views.LeaveWaitlistView.as_view(), name="booking-leave-waitlist"),
    # The session record.
    path("bookings/<int:booking_id>/record/", views.SessionRecordView.as_view(), name="booking-record"),
    path("bookings/<int:booking_id>/rating/", views.RatingView.as_view(), name="booking-rating"),
    path("bookings/history/", views.HistoryView.as_view(), name="booking-history"),
    # Mentors.
    re_path(rf"^courses/{COURSE_ID}/mentor/$", views.MyMentorView.as_view(), name="course-my-mentor"),
    re_path(rf"^courses/{COURSE_ID}/mentors/$", views.MentorOptionsView.as_view(), name="course-mentor-options"),
    re_path(
        rf"^courses/{COURSE_ID}/mentorships/$", views.CourseMentorshipsView.as_view(), name="course-mentorships"
    ),
    path("mentorships/<int:mentorship_id>/end/", views.EndMentorshipView.as_view(), name="mentorship-end"),
    path("me/mentees/", views.MyMenteesView.as_view(), name="my-mentees"),
]
