"""
Booking REST API (v1): session types, free slots, the trainer's calendar, and bookings.

Thin views: they parse and validate input, ask ``user.has_perm`` where the domain API leaves it to the caller, and
call ``mentora_plugin.booking.api``. A ``BookingError`` becomes Mentora's error body with its own code and status
(plus ``reason`` for ``slot_unavailable``). A booking that is not the requester's is answered 404, as if it did not
exist.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mentora_plugin.booking import api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.rest_api.v1 import serializers
from mentora_plugin.host import api as host_api
from mentora_plugin.rest.errors import MentoraAPIError
from mentora_plugin.rest.errors import exception_handler as mentora_exception_handler
from mentora_plugin.rest.views import ErrorSerializer, MentoraAPIView, MentoraGenericAPIView, document

COURSE_ID = OpenApiParameter(
    "course_id", str, OpenApiParameter.PATH, description="A course key, e.g. course-v1:Org+Num+Run"
)
SESSION_TYPE_ID = OpenApiParameter("session_type_id", int, OpenApiParameter.PATH, description="A session type id.")
BOOKING_ID = OpenApiParameter("booking_id", int, OpenApiParameter.PATH, description="A booking id.")
OVERRIDE_ID = OpenApiParameter("override_id", int, OpenApiParameter.PATH, description="An override id.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Up to 64 characters chosen by the client; a retried request with the same key returns the first "
    "booking (200) instead of booking again.",
)


class BookingAPIError(MentoraAPIError):
    """A ``BookingError`` on its way to Mentora's error format, keeping the slot's ``reason``."""

    def __init__(self, error: api.BookingError) -> None:
        super().__init__(str(error), code=error.code, status_code=error.status)
        self.reason = error.reason


def booking_exception_handler(error: Exception, context: dict) -> Response | None:
    """Mentora's handler, with the booking domain's errors mapped to their code, status and reason."""
    if isinstance(error, api.BookingError):
        error = BookingAPIError(error)
    response = mentora_exception_handler(error, context)
    if response is not None and getattr(error, "reason", None):
        response.data["reason"] = error.reason
    return response


class _BookingAPIMixin:
    """The booking views' shared helpers."""

    def get_exception_handler(self):
        return booking_exception_handler

    def session_type(self, session_type_id: int, permission: str = "mentora_host.view_course"):
        """The session type, when the requester has a part in its course (else 404, as for an unknown id)."""
        session_type = api.get_session_type(session_type_id)
        user = self.request.user
        if session_type.trainer_id != user.pk and not user.has_perm(permission, session_type.course_key):
            raise api.BookingError("session_type_not_found", _("No such session type."), status=404)
        return session_type

    def visible_booking(self, booking_id: int):
        """The booking when the requester may see it; 404 otherwise (someone else's booking does not exist)."""
        return api.get_booking(booking_id, self.request.user)


def _course(course_id: str):
    course_key = host_api.parse_course_key(course_id)
    course = host_api.get_course(course_key)
    if course is None:
        raise MentoraAPIError(_("This course is not known to Mentora."), code="course_not_found", status_code=404)
    return course


def _date_param(request, name: str, default: date | None) -> date:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise MentoraAPIError(_("“{name}” is required.").format(name=name), code="invalid_date")
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise MentoraAPIError(
            _("“{name}” must be a date as YYYY-MM-DD.").format(name=name), code="invalid_date"
        ) from None


def _validated(serializer_class, data: Any, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- session types --------------------------------------------------------------------------------------------------


class CourseSessionTypesView(_BookingAPIMixin, MentoraGenericAPIView):
    """The session types offered in a course; its trainers add their own."""

    serializer_class = serializers.SessionTypeSerializer

    @document(
        parameters=[COURSE_ID], responses=serializers.SessionTypeSerializer(many=True), tags=["booking: session types"]
    )
    def get(self, request, course_id: str) -> Response:
        """The course's active session types, by title. Anyone with a part in the course."""
        course = _course(course_id)
        if not request.user.has_perm("mentora_host.view_course", course.course_key):
            raise PermissionDenied(_("You do not have access to this course's mentoring."))
        page = self.paginate_queryset(api.list_session_types(course_key=course.course_key))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(
        parameters=[COURSE_ID],
        request=serializers.SessionTypeWriteSerializer,
        responses={201: serializers.SessionTypeSerializer},
        tags=["booking: session types"],
    )
    def post(self, request, course_id: str) -> Response:
        """Offer a session type in the course, in the requester's own calendar. The course's trainers only."""
        course = _course(course_id)
        if not request.user.has_perm("mentora_booking.offer_sessions", course.course_key):
            raise PermissionDenied(_("Only the course's trainers can offer sessions in it."))
        fields = _validated(serializers.SessionTypeWriteSerializer, request.data)
        created = api.create_session_type(request.user, course.course_key, **fields)
        return Response(serializers.SessionTypeSerializer(created).data, status=status.HTTP_201_CREATED)


class SessionTypeView(_BookingAPIMixin, MentoraAPIView):
    """One session type."""

    @document(
        parameters=[SESSION_TYPE_ID], responses=serializers.SessionTypeSerializer, tags=["booking: session types"]
    )
    def get(self, request, session_type_id: int) -> Response:
        """A session type, for anyone with a part in its course."""
        return Response(serializers.SessionTypeSerializer(self.session_type(session_type_id)).data)

    @document(
        parameters=[SESSION_TYPE_ID],
        request=serializers.SessionTypeWriteSerializer,
        responses=serializers.SessionTypeSerializer,
        tags=["booking: session types"],
    )
    def patch(self, request, session_type_id: int) -> Response:
        """Change some fields of one's own session type; sessions already booked keep their times and length."""
        session_type = self.session_type(session_type_id)
        if session_type.trainer_id != request.user.pk:
            raise PermissionDenied(_("Only its trainer can change a session type."))
        fields = _validated(serializers.SessionTypeWriteSerializer, request.data, partial=True)
        updated = api.update_session_type(request.user, session_type_id, **fields)
        return Response(serializers.SessionTypeSerializer(updated).data)


# --- slots ----------------------------------------------------------------------------------------------------------


RANGE_PARAMETERS = [
    OpenApiParameter("start", date, description="First day (YYYY-MM-DD, in the viewer's zone); today."),
    OpenApiParameter("end", date, description="Last day, inclusive; 13 days after start. At most 93 days."),
    OpenApiParameter("tz", str, description="The viewer's IANA zone, e.g. Europe/Paris; the trainer's."),
]


def _range_params(request) -> tuple[date, date, str | None]:
    """``start``, ``end`` (two weeks by default, from today in the viewer's zone) and ``tz`` of a slots request."""
    zone_name = request.query_params.get("tz") or None
    zone = api.parse_zone(zone_name) if zone_name else None
    today = timezone.now().astimezone(zone).date() if zone else timezone.now().date()
    start = _date_param(request, "start", today)
    return start, _date_param(request, "end", start + timedelta(days=13)), zone_name


class SlotsView(_BookingAPIMixin, MentoraAPIView):
    """Free slots of a session type."""

    @document(
        parameters=[SESSION_TYPE_ID, *RANGE_PARAMETERS],
        responses=serializers.SlotSerializer(many=True),
        tags=["booking: slots"],
    )
    def get(self, request, session_type_id: int) -> Response:
        """Free starts between two dates, in the viewer's zone (ISO 8601 with offset), soonest first."""
        session_type = self.session_type(session_type_id)
        start, end, zone_name = _range_params(request)
        found = api.get_free_slots(session_type.id, start, end, zone_name)
        return Response(serializers.SlotSerializer(found, many=True).data)


class SlotCheckView(_BookingAPIMixin, MentoraAPIView):
    """Why a time is, or is not, bookable."""

    @document(
        parameters=[
            SESSION_TYPE_ID,
            OpenApiParameter("start", str, required=True, description="ISO 8601 date and time with its UTC offset."),
        ],
        responses=serializers.SlotCheckSerializer,
        tags=["booking: slots"],
    )
    def get(self, request, session_type_id: int) -> Response:
        """Whether ``start`` can be booked now, with a stable code and a message saying why not."""
        session_type = self.session_type(session_type_id)
        start = serializers.parse_aware_datetime(request.query_params.get("start"))
        if start is None:
            raise MentoraAPIError(
                _("Give a date and time in ISO 8601 with its UTC offset, e.g. 2026-03-30T09:00:00+02:00."),
                code="invalid_time",
            )
        verdict = api.explain_slot(session_type.id, start)
        return Response({"bookable": verdict.bookable, "code": verdict.code, "message": verdict.message})


# --- the trainer's calendar -----------------------------------------------------------------------------------------


class MyCalendarView(_BookingAPIMixin, MentoraAPIView):
    """The signed-in user's booking calendar (as a trainer)."""

    @document(responses=serializers.CalendarSerializer, tags=["booking: calendar"])
    def get(self, request) -> Response:
        """Zone, limits, weekly rules and the overrides from yesterday on."""
        return Response(serializers.CalendarSerializer(api.get_calendar(request.user)).data)

    @document(
        request=serializers.CalendarWriteSerializer,
        responses=serializers.CalendarSerializer,
        tags=["booking: calendar"],
    )
    def put(self, request) -> Response:
        """Change the zone, the limits and (when given) replace the weekly rules; all or nothing."""
        data = _validated(serializers.CalendarWriteSerializer, request.data)
        limits = {name: data[name] for name in ("max_sessions_per_day", "max_sessions_per_week") if name in data}
        with transaction.atomic():
            calendar = api.set_calendar(request.user, time_zone=data.get("time_zone"), **limits)
            if "rules" in data:
                rules = [WeeklyRule(rule["weekday"], rule["start"], rule["end"]) for rule in data["rules"]]
                calendar = api.set_weekly_rules(request.user, rules)
        return Response(serializers.CalendarSerializer(calendar).data)


class MyOverridesView(_BookingAPIMixin, MentoraAPIView):
    """Dates whose availability differs from the weekly rules."""

    @document(
        request=serializers.OverrideSerializer,
        responses={201: serializers.OverrideSerializer},
        tags=["booking: calendar"],
    )
    def post(self, request) -> Response:
        """Add extra hours, or time off (all day without times), on a date of the trainer's local calendar."""
        data = _validated(serializers.OverrideSerializer, request.data)
        override = api.add_override(
            request.user, data["date"], data["kind"], data.get("start"), data.get("end"), data.get("note", "")
        )
        return Response(serializers.OverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class MyOverrideView(_BookingAPIMixin, MentoraAPIView):
    """One of the signed-in trainer's overrides."""

    @document(parameters=[OVERRIDE_ID], responses={204: None}, tags=["booking: calendar"])
    def delete(self, request, override_id: int) -> Response:
        """Remove the override; another trainer's override id is a 404."""
        api.delete_override(request.user, override_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- bookings -------------------------------------------------------------------------------------------------------


def _flag_param(request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise MentoraAPIError(_("“{name}” is true or false.").format(name=name), code="invalid_filter")


class BookingsView(_BookingAPIMixin, MentoraGenericAPIView):
    """The requester's bookings (as learner, or of their sessions as trainer); learners book here."""

    serializer_class = serializers.BookingSerializer

    @document(
        parameters=[
            OpenApiParameter("role", str, enum=["learner", "trainer"], description="Whose side; learner by default."),
            OpenApiParameter("upcoming", bool, description="Only upcoming (true) or only past and ended (false)."),
            OpenApiParameter("course_id", str, description="Only this course's bookings."),
        ],
        responses=serializers.BookingSerializer(many=True),
        tags=["booking: bookings"],
    )
    def get(self, request) -> Response:
        """Upcoming bookings soonest first; others latest first. A fixed number of queries whatever the page size."""
        role = request.query_params.get("role") or "learner"
        if role not in ("learner", "trainer"):
            raise MentoraAPIError(_("“role” is learner or trainer."), code="invalid_filter")
        upcoming = _flag_param(request, "upcoming")
        course_id = request.query_params.get("course_id") or None
        course_key = host_api.parse_course_key(course_id) if course_id else None
        found = api.list_bookings(request.user, as_trainer=role == "trainer", upcoming=upcoming, course_key=course_key)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(
        parameters=[IDEMPOTENCY_KEY],
        request=serializers.BookingCreateSerializer,
        responses={
            201: serializers.BookingSerializer,
            200: OpenApiResponse(serializers.BookingSerializer, description="A replay of an earlier request."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The time is taken or not bookable (reason says why), or a limit is reached.",
            ),
        },
        tags=["booking: bookings"],
    )
    def post(self, request) -> Response:
        """Book a start of a session type. Enrolled learners of the session type's course only."""
        data = _validated(serializers.BookingCreateSerializer, request.data)
        key = (request.headers.get("Idempotency-Key") or "").strip()[:64] or None
        booking = api.book(request.user, data["session_type_id"], data["start"], goal=data["goal"], idempotency_key=key)
        answer = status.HTTP_201_CREATED if booking.created else status.HTTP_200_OK
        return Response(serializers.BookingSerializer(booking).data, status=answer)


class BookingView(_BookingAPIMixin, MentoraAPIView):
    """One booking."""

    @document(parameters=[BOOKING_ID], responses=serializers.BookingSerializer, tags=["booking: bookings"])
    def get(self, request, booking_id: int) -> Response:
        """The booking, for its learner, its trainer, or staff; 404 for anyone else."""
        return Response(serializers.BookingSerializer(self.visible_booking(booking_id)).data)


class _BookingActionView(_BookingAPIMixin, MentoraAPIView):
    """A change to a booking: 404 unless the requester may see it, then the domain API decides."""

    request_serializer: type | None = None

    def act(self, request, booking_id: int, data: dict):
        raise NotImplementedError

    def post(self, request, booking_id: int) -> Response:
        self.visible_booking(booking_id)
        data = _validated(self.request_serializer, request.data) if self.request_serializer else {}
        return Response(serializers.BookingSerializer(self.act(request, booking_id, data)).data)


def _action_schema(request_serializer, summary: str):
    return document(
        parameters=[BOOKING_ID],
        request=request_serializer,
        responses=serializers.BookingSerializer,
        tags=["booking: bookings"],
        description=summary,
    )


@_action_schema(None, "The trainer (or course staff) confirms a requested booking.")
class ConfirmBookingView(_BookingActionView):
    """Confirm a requested booking."""

    def act(self, request, booking_id, data):
        return api.confirm_booking(booking_id, request.user)


@_action_schema(serializers.DeclineSerializer, "The trainer (or course staff) turns a request down; the seat is freed.")
class DeclineBookingView(_BookingActionView):
    """Decline a requested booking."""

    request_serializer = serializers.DeclineSerializer

    def act(self, request, booking_id, data):
        return api.decline_booking(booking_id, request.user, data["reason"])


@_action_schema(
    serializers.ReasonSerializer,
    "Either side cancels. A learner cannot within the cancellation cut-off (409 cutoff_passed); the trainer may "
    "with override_cutoff.",
)
class CancelBookingView(_BookingActionView):
    """Cancel a booking."""

    request_serializer = serializers.ReasonSerializer

    def act(self, request, booking_id, data):
        return api.cancel_booking(booking_id, request.user, data["reason"], override_cutoff=data["override_cutoff"])


@_action_schema(
    serializers.RescheduleSerializer, "Move the booking to another free start, within the cut-off and the cap."
)
class RescheduleBookingView(_BookingActionView):
    """Reschedule a booking."""

    request_serializer = serializers.RescheduleSerializer

    def act(self, request, booking_id, data):
        return api.reschedule_booking(booking_id, request.user, data["start"])


@_action_schema(
    serializers.CompleteSerializer, "After it started: the session took place, or one side did not come."
)
class CompleteBookingView(_BookingActionView):
    """Record how a session went."""

    request_serializer = serializers.CompleteSerializer

    def act(self, request, booking_id, data):
        return api.complete_booking(booking_id, request.user, data["outcome"])


# --- the waitlist ---------------------------------------------------------------------------------------------------

SESSION_ID = OpenApiParameter("session_id", int, OpenApiParameter.PATH, description="A session id.")


class FullSessionsView(_BookingAPIMixin, MentoraAPIView):
    """Full group sessions of a session type, whose waitlist a learner may join."""

    @document(
        parameters=[SESSION_TYPE_ID, *RANGE_PARAMETERS],
        responses=serializers.SlotSerializer(many=True),
        tags=["booking: waitlist"],
    )
    def get(self, request, session_type_id: int) -> Response:
        """Full sessions not started yet, soonest first, in the viewer's zone (``session_id`` to join the waitlist)."""
        session_type = self.session_type(session_type_id)
        start, end, zone_name = _range_params(request)
        found = api.list_full_sessions(session_type.id, start, end, zone_name)
        return Response(serializers.SlotSerializer(found, many=True).data)


class JoinWaitlistView(_BookingAPIMixin, MentoraAPIView):
    """The waitlist of a full group session."""

    @document(
        parameters=[SESSION_ID],
        request=None,
        responses={
            201: serializers.BookingSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="not_full (book instead), already_waiting, already_booked, session_closed."
            ),
        },
        tags=["booking: waitlist"],
    )
    def post(self, request, session_id: int) -> Response:
        """Join the waitlist (status ``waitlisted``); the first in line is offered the next freed seat."""
        booking = api.join_waitlist(request.user, session_id)
        return Response(serializers.BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


@_action_schema(
    None,
    "The learner takes the seat offered from the waitlist: confirmed (or requested, when the trainer approves "
    "bookings). 409 offer_expired when the offer lapsed.",
)
class AcceptOfferView(_BookingActionView):
    """Accept an offered seat."""

    def act(self, request, booking_id, data):
        return api.accept_offer(booking_id, request.user)


@_action_schema(None, "The learner leaves the waitlist, or turns the offered seat down (it goes to the next in line).")
class LeaveWaitlistView(_BookingActionView):
    """Leave the waitlist."""

    def act(self, request, booking_id, data):
        return api.leave_waitlist(booking_id, request.user)


# --- the session record ---------------------------------------------------------------------------------------------


class SessionRecordView(_BookingAPIMixin, MentoraAPIView):
    """Goal, notes and rating of a booking; private notes for the trainer and course staff only."""

    @document(parameters=[BOOKING_ID], responses=serializers.SessionRecordSerializer, tags=["booking: record"])
    def get(self, request, booking_id: int) -> Response:
        """The booking's record as the requester may see it; 404 for someone else's booking."""
        return Response(serializers.SessionRecordSerializer(api.get_session_record(booking_id, request.user)).data)

    @document(
        parameters=[BOOKING_ID],
        request=serializers.NotesWriteSerializer,
        responses=serializers.SessionRecordSerializer,
        tags=["booking: record"],
    )
    def patch(self, request, booking_id: int) -> Response:
        """Write the shared notes (both sides) or the private notes (the trainer); Markdown, at most 20000 chars."""
        data = _validated(serializers.NotesWriteSerializer, request.data)
        record = api.update_notes(
            booking_id, request.user, shared_notes=data.get("shared_notes"), private_notes=data.get("private_notes")
        )
        return Response(serializers.SessionRecordSerializer(record).data)


class RatingView(_BookingAPIMixin, MentoraAPIView):
    """The learner's rating of a completed session."""

    @document(
        parameters=[BOOKING_ID],
        request=serializers.RatingWriteSerializer,
        responses={
            200: serializers.RatingSerializer,
            409: OpenApiResponse(ErrorSerializer, description="not_completed, or rating_locked (7 days passed)."),
        },
        tags=["booking: record"],
    )
    def put(self, request, booking_id: int) -> Response:
        """Rate 1 to 5 stars with an optional comment; changeable for 7 days. 400 invalid_stars out of range."""
        data = _validated(serializers.RatingWriteSerializer, request.data)
        rating = api.rate_booking(booking_id, request.user, data["stars"], data["comment"])
        return Response(serializers.RatingSerializer(rating).data)


class HistoryView(_BookingAPIMixin, MentoraGenericAPIView):
    """Every booking between a learner and a trainer, newest first."""

    serializer_class = serializers.BookingSerializer

    @document(
        parameters=[
            OpenApiParameter("learner_id", int, description="As a trainer: the history with this learner."),
            OpenApiParameter("trainer_id", int, description="As a learner: the history with this trainer."),
        ],
        responses=serializers.BookingSerializer(many=True),
        tags=["booking: record"],
    )
    def get(self, request) -> Response:
        """Give exactly one of learner_id (the requester is the trainer) or trainer_id (the requester learns)."""
        learner_id = request.query_params.get("learner_id")
        trainer_id = request.query_params.get("trainer_id")
        if bool(learner_id) == bool(trainer_id) or not (learner_id or trainer_id).isdigit():
            raise MentoraAPIError(_("Give either learner_id or trainer_id, a user id."), code="invalid_filter")
        if learner_id:
            found = api.session_history(int(learner_id), request.user)
        else:
            found = api.session_history(request.user, int(trainer_id))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- mentors --------------------------------------------------------------------------------------------------------

MENTORSHIP_ID = OpenApiParameter("mentorship_id", int, OpenApiParameter.PATH, description="A mentorship id.")


class MyMentorView(_BookingAPIMixin, MentoraAPIView):
    """The requester's mentor in a course."""

    @document(parameters=[COURSE_ID], responses=serializers.MyMentorSerializer, tags=["booking: mentors"])
    def get(self, request, course_id: str) -> Response:
        """``{"mentor": ...}``, or ``{"mentor": null}``."""
        course = _course(course_id)
        return Response({"mentor": _mentorship_data(api.get_mentor(request.user, course.course_key))})

    @document(
        parameters=[COURSE_ID],
        request=serializers.ChooseMentorSerializer,
        responses={
            200: serializers.MyMentorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="mentee_cap_reached: the trainer has no room."),
        },
        tags=["booking: mentors"],
    )
    def put(self, request, course_id: str) -> Response:
        """Choose a trainer of the course as one's mentor (ends the current one). Enrolled learners only."""
        course = _course(course_id)
        data = _validated(serializers.ChooseMentorSerializer, request.data)
        mentorship = api.choose_mentor(request.user, course.course_key, data["trainer_id"])
        return Response({"mentor": _mentorship_data(mentorship)})

    @document(parameters=[COURSE_ID], responses={204: None}, tags=["booking: mentors"])
    def delete(self, request, course_id: str) -> Response:
        """End one's mentorship in the course; 404 mentorship_not_found when there is none."""
        course = _course(course_id)
        current = api.get_mentor(request.user, course.course_key)
        if current is None:
            raise api.BookingError("mentorship_not_found", _("No such mentorship."), status=404)
        api.end_mentorship(current.id, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _mentorship_data(mentorship) -> dict | None:
    return serializers.MentorshipSerializer(mentorship).data if mentorship else None


class MentorOptionsView(_BookingAPIMixin, MentoraAPIView):
    """The course's trainers one may choose as mentor."""

    @document(
        parameters=[COURSE_ID], responses=serializers.MentorOptionSerializer(many=True), tags=["booking: mentors"]
    )
    def get(self, request, course_id: str) -> Response:
        """Each trainer with their mentees and cap (``has_room``). Anyone with a part in the course."""
        course = _course(course_id)
        if not request.user.has_perm("mentora_host.view_course", course.course_key):
            raise PermissionDenied(_("You do not have access to this course's mentoring."))
        options = api.list_mentor_options(course.course_key)
        return Response(serializers.MentorOptionSerializer(options, many=True).data)


class CourseMentorshipsView(_BookingAPIMixin, MentoraGenericAPIView):
    """A course's mentorships, for its staff, who assign mentors here."""

    serializer_class = serializers.MentorshipSerializer

    @document(
        parameters=[COURSE_ID], responses=serializers.MentorshipSerializer(many=True), tags=["booking: mentors"]
    )
    def get(self, request, course_id: str) -> Response:
        """The course's active mentorships, latest first. Course staff only."""
        course = _course(course_id)
        if not request.user.has_perm("mentora_booking.assign_mentor", course.course_key):
            raise PermissionDenied(_("Only the course's staff can see its mentorships."))
        page = self.paginate_queryset(api.list_course_mentorships(course.course_key))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(
        parameters=[COURSE_ID],
        request=serializers.AssignMentorSerializer,
        responses={201: serializers.MentorshipSerializer},
        tags=["booking: mentors"],
    )
    def post(self, request, course_id: str) -> Response:
        """Assign a trainer of the course as an enrolled learner's mentor (the trainer's cap holds)."""
        course = _course(course_id)
        data = _validated(serializers.AssignMentorSerializer, request.data)
        mentorship = api.assign_mentor(request.user, course.course_key, data["learner_id"], data["trainer_id"])
        return Response(serializers.MentorshipSerializer(mentorship).data, status=status.HTTP_201_CREATED)


class EndMentorshipView(_BookingAPIMixin, MentoraAPIView):
    """End a mentorship."""

    @document(
        parameters=[MENTORSHIP_ID], request=None, responses=serializers.MentorshipSerializer, tags=["booking: mentors"]
    )
    def post(self, request, mentorship_id: int) -> Response:
        """Its learner, its trainer or the course's staff end it; 404 for anyone else."""
        return Response(serializers.MentorshipSerializer(api.end_mentorship(mentorship_id, request.user)).data)


class MyMenteesView(_BookingAPIMixin, MentoraGenericAPIView):
    """The requester's mentees (as a trainer)."""

    serializer_class = serializers.MentorshipSerializer

    @document(
        parameters=[OpenApiParameter("course_id", str, description="Only this course's mentees.")],
        responses=serializers.MentorshipSerializer(many=True),
        tags=["booking: mentors"],
    )
    def get(self, request) -> Response:
        """Active mentorships where the requester is the mentor, latest first; with the cap that applies."""
        course_id = request.query_params.get("course_id") or None
        course_key = host_api.parse_course_key(course_id) if course_id else None
        page = self.paginate_queryset(api.list_mentees(request.user, course_key))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
