"""
The "Mentora booking" XBlock: book a mentoring session from inside a course unit.

A thin block. It reads who is viewing and in which course through ``mentora_xblocks.identity``, asks the
``mentora_host`` permission rules whether the viewer takes part in the course, and calls
``mentora_plugin.booking.api`` for everything else: free slots, booking, cancelling, rescheduling, and the
cut-offs, limits and messages that come with them. It stores no user state of its own and never touches models,
so the block, the REST API and the trainers' pages always agree.

The student view renders a skeleton; ``static/xblocks/booking.js`` (plain JavaScript) fills it from the JSON
handlers below, with the texts of the ``strings`` catalog that ``state`` returns in the viewer's language.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.utils import timezone, translation
from opaque_keys.edx.keys import CourseKey
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.utils.studio_editable import StudioEditableXBlockMixin
from xblock.validation import ValidationMessage

from mentora_plugin.booking import api
from mentora_plugin.host import api as host_api
from mentora_xblocks import identity
from mentora_xblocks.common import MentoraBlockMixin

loader = ResourceLoader(__name__)


def _(text: str) -> str:
    """Mark a string for extraction only: the runtime's i18n service translates it when the block renders."""
    return text


DEFAULT_TITLE = _("Book a mentoring session")
CSS_RESOURCE = "public/xblocks/booking.css"
JS_RESOURCE = "public/xblocks/booking.js"
#: How far ahead the block shows free times.
DAYS_SHOWN = 14
#: How many past sessions the block lists.
PAST_SHOWN = 20
#: Zones offered in the zone menu (the viewer's own browser zone is added when it is not here).
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Athens",
    "Europe/Moscow", "Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires", "America/Bogota", "America/Mexico_City", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Montreal",
)
HOLDING = ("requested", "confirmed")

#: Statuses, locations and interface texts, marked for extraction and translated per request.
STATUS_LABELS = {
    "requested": _("Waiting for the trainer's approval"),
    "confirmed": _("Confirmed"),
    "cancelled": _("Cancelled"),
    "declined": _("Declined"),
    "expired": _("Expired"),
    "completed": _("Completed"),
    "no_show_learner": _("You did not come"),
    "no_show_trainer": _("The trainer did not come"),
    "waitlisted": _("On the waitlist"),
    "offered": _("A seat is held for you"),
}
LOCATION_LABELS = {"video": _("Video call"), "in_person": _("In person"), "provider": _("Video provider")}
STRINGS = {
    "loading": _("Loading…"),
    "no_types": _("No mentoring session is offered here yet."),
    "no_slots": _("No free time in the next 14 days. Try another session type or come back later."),
    "slots_found": _("{count} free times found."),
    "choose_slot": _("Choose a time below."),
    "selected": _("Selected: {time}"),
    "book": _("Book this time"),
    "booking": _("Booking…"),
    "booked": _("Booked: {title} on {time}."),
    "requested": _("Requested: {title} on {time}. The trainer will confirm it."),
    "cancel": _("Cancel"),
    "cancel_label": _("Cancel the session of {time}"),
    "cancelled": _("Your session of {time} is cancelled."),
    "reschedule": _("Reschedule"),
    "reschedule_label": _("Reschedule the session of {time}"),
    "rescheduling": _("Choose a new time for your session of {time}, then press “Move here”."),
    "move": _("Move here"),
    "stop_rescheduling": _("Keep the current time"),
    "rescheduled": _("Your session is moved to {time}."),
    "no_upcoming": _("You have no upcoming session."),
    "no_past": _("No past session yet."),
    "with_trainer": _("with {name}"),
    "seats_left": _("{count} seats left"),
    "goal": _("Your goal: {goal}"),
    "error": _("Something went wrong. Please try again."),
    "confirm_cancel": _("Cancel this session?"),
    "full_sessions": _("Full sessions: join the waitlist and get the next free seat"),
    "join_waitlist": _("Join the waitlist for {time}"),
    "joined_waitlist": _("You are on the waitlist for {time}."),
    "accept_offer": _("Take the seat"),
    "accept_offer_label": _("Take the seat offered for {time}"),
    "offer_until": _("Held for you until {time}."),
    "accepted": _("The seat of {time} is yours."),
    "leave_waitlist": _("Leave the waitlist"),
    "left_waitlist": _("You left the waitlist for {time}."),
    "shared_notes": _("Shared notes (your trainer sees them)"),
    "save_notes": _("Save notes"),
    "notes_saved": _("Your notes are saved."),
    "rate": _("Rate this session"),
    "stars": _("Stars (1 to 5)"),
    "comment": _("Comment (optional)"),
    "send_rating": _("Send rating"),
    "rated": _("Thank you: you rated this session {stars} out of 5."),
    "your_rating": _("Your rating: {stars} out of 5"),
    "your_mentor": _("Your mentor"),
    "no_mentor": _("You have no mentor in this course yet."),
    "mentor_is": _("Your mentor is {name}."),
    "choose_mentor": _("Choose a mentor"),
    "choose": _("Choose"),
    "mentor_chosen": _("{name} is now your mentor."),
    "mentor_full": _("{name} (no room left)"),
}


class BlockStatus(StrEnum):
    """What the block can show the viewer: the booking interface, or why not."""

    OK = "ok"
    UNKNOWN_COURSE = "unknown_course"
    ANONYMOUS = "anonymous"
    NO_ACCESS = "no_access"


class _HandlerError(Exception):
    """A refusal with a code, an HTTP status and a message for people."""

    def __init__(self, code: str, message: str, status: int = 400, reason: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.reason = code, message, status, reason


def _json_handler(method: Callable) -> Callable:
    """
    A JSON handler whose refusals keep their status and code: ``{"error_code", "message", "reason"?}``. The domain
    API's ``BookingError`` (cut-offs, taken slots, limits) reaches the learner with its own, translated, message.
    """

    @XBlock.handler
    def wrapper(self, request, suffix=""):
        if request.method != "POST":
            return _json_response({"error_code": "method_not_allowed", "message": "POST only."}, 405)
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        try:
            if not isinstance(data, dict):
                raise _HandlerError("malformed_request", self._gettext()("The request could not be read."))
            return _json_response(method(self, data))
        except api.BookingError as booking_error:
            error = _HandlerError(booking_error.code, str(booking_error), booking_error.status, booking_error.reason)
        except host_api.HostError as host_error:
            error = _HandlerError(host_error.code, str(host_error))
        except _HandlerError as refused:
            error = refused
        body = {"error_code": error.code, "message": error.message}
        if error.reason:
            body["reason"] = error.reason
        return _json_response(body, error.status)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def _parse_aware(value: Any) -> datetime | None:
    """An ISO 8601 date and time with its offset (as the script sends back the slots' own ``start``), or None."""
    if not isinstance(value, str) or len(value) > 64 or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if timezone.is_naive(parsed) else parsed


def _json_response(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json", charset="utf8")


@XBlock.needs("i18n")
@XBlock.needs("user")
class BookingXBlock(MentoraBlockMixin, StudioEditableXBlockMixin, XBlock):
    """Choose a session type and its trainer, see free times in one's own zone, book, cancel and reschedule."""

    dom_id_prefix = "mentora-booking"
    default_title = DEFAULT_TITLE

    display_name = String(
        display_name=_("Display name"),
        help=_("The title shown above the booking form."),
        default=DEFAULT_TITLE,
        scope=Scope.settings,
    )
    instructions = String(
        display_name=_("Instructions"),
        help=_("Plain text shown to learners above the form, e.g. what to prepare before a session."),
        default="",
        multiline_editor=True,
        scope=Scope.settings,
    )
    session_type_ids = String(
        display_name=_("Session types offered"),
        help=_(
            "Leave empty to offer every session type of the course, or list session type ids separated by commas "
            "(trainers see the ids on their availability page)."
        ),
        default="",
        scope=Scope.settings,
    )
    fallback_course_key = String(
        display_name=_("Course key where the platform gives none"),
        help=_(
            "Only for runtimes without courses, such as the XBlock workbench: the course whose sessions to offer. "
            "In a course the block always offers that course's own sessions and ignores this value."
        ),
        default="",
        scope=Scope.settings,
    )
    editable_fields = ("display_name", "instructions", "session_type_ids", "fallback_course_key")

    # --- views ------------------------------------------------------------------------------------------------------

    def student_view(self, context: dict | None = None) -> Fragment:
        """The form's skeleton; the script fills it from ``state``."""
        gettext = self._gettext()
        status, message, _course_key, _user = self._access(gettext)
        html = loader.render_django_template(
            "templates/booking.html",
            {
                "dom_id": self._dom_id(),
                "title": self._title(gettext),
                "instructions": (self.instructions or "").strip(),
                "status": status.value,
                "message": message,
                "zones": COMMON_ZONES,
            },
            i18n_service=self._i18n(),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, CSS_RESOURCE))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, JS_RESOURCE))
        fragment.initialize_js("MentoraBookingXBlock", {"status": status.value, "days": DAYS_SHOWN})
        return fragment

    # --- handlers ---------------------------------------------------------------------------------------------------

    @_json_handler
    def state(self, data: dict) -> dict[str, Any]:
        """The session types on offer, the viewer's upcoming and past bookings here, and the interface texts."""
        gettext = self._gettext()
        status, message, course_key, user = self._access(gettext)
        answer: dict[str, Any] = {
            "status": status.value,
            "message": message,
            # Dates and times are formatted in the browser (Intl) in this language, whatever the page declares.
            "language": translation.get_language() or "en",
            "strings": {name: gettext(text) for name, text in STRINGS.items()},
            "zones": list(COMMON_ZONES),
            "session_types": [],
            "upcoming": [],
            "past": [],
        }
        if status is not BlockStatus.OK:
            return answer
        answer["session_types"] = [self._type_data(item, gettext) for item in self._offered(course_key)]
        answer.update(self._bookings(user, course_key, gettext))
        answer.update(self._mentor(user, course_key, gettext))
        return answer

    @_json_handler
    def slots(self, data: dict) -> dict[str, Any]:
        """Free times of an offered session type for the next 14 days, in the zone ``tz``."""
        _user, _course_key, session_type = self._offered_type(data.get("session_type_id"))
        zone_name = self._zone(data.get("tz"))
        today = timezone.now().astimezone(api.parse_zone(zone_name)).date()
        found = api.get_free_slots(session_type.id, today, today + timedelta(days=DAYS_SHOWN - 1), zone_name)
        return {
            "tz": zone_name,
            "session_type_id": session_type.id,
            "slots": [
                {"start": slot.start.isoformat(), "end": slot.end.isoformat(), "seats_left": slot.seats_left,
                 "session_id": slot.session_id}
                for slot in found
            ],
            "full_sessions": [
                {"start": slot.start.isoformat(), "end": slot.end.isoformat(), "session_id": slot.session_id}
                for slot in (
                    api.list_full_sessions(
                        session_type.id, today, today + timedelta(days=DAYS_SHOWN - 1), zone_name
                    ) if session_type.capacity > 1 else []
                )
            ],
        }

    @_json_handler
    def book(self, data: dict) -> dict[str, Any]:
        """Book a free time of an offered session type, with an optional goal and the client's idempotency key."""
        user, course_key, session_type = self._offered_type(data.get("session_type_id"))
        start = self._when(data.get("start"))
        goal = data.get("goal") if isinstance(data.get("goal"), str) else ""
        key = data.get("idempotency_key") if isinstance(data.get("idempotency_key"), str) else None
        booking = api.book(user, session_type.id, start, goal=goal.strip(), idempotency_key=key)
        gettext = self._gettext()
        return {"booking": self._booking_data(booking, gettext), **self._bookings(user, course_key, gettext)}

    @_json_handler
    def cancel(self, data: dict) -> dict[str, Any]:
        """Cancel one of the viewer's bookings (the cancellation cut-off is the API's to enforce)."""
        user, course_key, booking = self._own_booking(data.get("booking_id"))
        reason = data.get("reason") if isinstance(data.get("reason"), str) else ""
        cancelled = api.cancel_booking(booking.id, user, reason)
        gettext = self._gettext()
        return {"booking": self._booking_data(cancelled, gettext), **self._bookings(user, course_key, gettext)}

    @_json_handler
    def reschedule(self, data: dict) -> dict[str, Any]:
        """Move one of the viewer's bookings to another free time (cut-off and cap are the API's to enforce)."""
        user, course_key, booking = self._own_booking(data.get("booking_id"))
        moved = api.reschedule_booking(booking.id, user, self._when(data.get("start")))
        gettext = self._gettext()
        return {"booking": self._booking_data(moved, gettext), **self._bookings(user, course_key, gettext)}

    @_json_handler
    def join_waitlist(self, data: dict) -> dict[str, Any]:
        """Join the waitlist of a full group session of an offered session type."""
        user, course_key = self._require_access()
        gettext = self._gettext()
        session_id = data.get("session_id")
        if not isinstance(session_id, int) or isinstance(session_id, bool):
            raise _HandlerError("session_not_found", gettext("No such session."), 404)
        offered = {item.id for item in self._offered(course_key)}
        if api.get_session_type_id(session_id) not in offered:  # the course's own types only, as the author chose
            raise _HandlerError("session_not_found", gettext("No such session."), 404)
        booking = api.join_waitlist(user, session_id)
        return {"booking": self._booking_data(booking, gettext), **self._bookings(user, course_key, gettext)}

    @_json_handler
    def accept_offer(self, data: dict) -> dict[str, Any]:
        """Take the seat offered to the viewer from a waitlist."""
        user, course_key, booking = self._own_booking(data.get("booking_id"))
        accepted = api.accept_offer(booking.id, user)
        gettext = self._gettext()
        return {"booking": self._booking_data(accepted, gettext), **self._bookings(user, course_key, gettext)}

    @_json_handler
    def leave_waitlist(self, data: dict) -> dict[str, Any]:
        """Leave a waitlist, or turn an offered seat down."""
        user, course_key, booking = self._own_booking(data.get("booking_id"))
        left = api.leave_waitlist(booking.id, user)
        gettext = self._gettext()
        return {"booking": self._booking_data(left, gettext), **self._bookings(user, course_key, gettext)}

    @_json_handler
    def save_notes(self, data: dict) -> dict[str, Any]:
        """Write the shared notes of one of the viewer's bookings (Markdown source, shown as plain text)."""
        user, course_key, booking = self._own_booking(data.get("booking_id"))
        notes = data.get("shared_notes")
        if not isinstance(notes, str):
            raise _HandlerError("invalid_notes", self._gettext()("Notes are text."))
        api.update_notes(booking.id, user, shared_notes=notes)
        gettext = self._gettext()
        return self._bookings(user, course_key, gettext)

    @_json_handler
    def rate(self, data: dict) -> dict[str, Any]:
        """Rate one of the viewer's completed sessions: 1 to 5 stars and an optional comment."""
        user, course_key, booking = self._own_booking(data.get("booking_id"))
        comment = data.get("comment") if isinstance(data.get("comment"), str) else ""
        rating = api.rate_booking(booking.id, user, data.get("stars"), comment)
        gettext = self._gettext()
        return {"stars": rating.stars, **self._bookings(user, course_key, gettext)}

    @_json_handler
    def choose_mentor(self, data: dict) -> dict[str, Any]:
        """Choose a trainer of the course as one's mentor (the trainer's mentee cap is the API's to enforce)."""
        user, course_key = self._require_access()
        trainer_id = data.get("trainer_id")
        if not isinstance(trainer_id, int) or isinstance(trainer_id, bool):
            raise _HandlerError("trainer_not_found", self._gettext()("No such trainer."), 404)
        api.choose_mentor(user, course_key, trainer_id)
        return self._mentor(user, course_key, self._gettext())

    # --- what the block offers and shows ----------------------------------------------------------------------------

    @staticmethod
    def _mentor(user: Any, course_key: CourseKey, gettext: Callable[[str], str]) -> dict[str, Any]:
        """The viewer's mentor here, and the trainers they may choose (only learners of the course choose)."""
        mentor = api.get_mentor(user, course_key)
        enrolled = host_api.is_enrolled(user, course_key)
        options = api.list_mentor_options(course_key) if enrolled else []
        return {
            "mentor": {"trainer_id": mentor.trainer_id, "name": mentor.trainer_name} if mentor else None,
            "can_choose_mentor": enrolled,
            "mentor_options": [
                {
                    "trainer_id": option.trainer_id,
                    "name": option.trainer_name,
                    "has_room": option.has_room,
                    "label": option.trainer_name if option.has_room
                    else gettext(STRINGS["mentor_full"]).format(name=option.trainer_name),
                }
                for option in options
                if option.trainer_id != user.pk
            ],
        }

    def _access(self, gettext: Callable[[str], str]) -> tuple[BlockStatus, str, CourseKey | None, Any]:
        course_key = identity.get_course_key(self)
        course = host_api.get_course(course_key) if course_key else None
        if course is None:
            return (BlockStatus.UNKNOWN_COURSE,
                    gettext("This block is not in a course that Mentora knows yet, so there is nothing to book."),
                    None, None)
        user = identity.get_current_user(self)
        if user is None:
            return BlockStatus.ANONYMOUS, gettext("Sign in to book a mentoring session."), course_key, None
        if not user.has_perm("mentora_host.view_course", course_key):
            return (BlockStatus.NO_ACCESS,
                    gettext("Mentoring sessions are for the people taking part in this course. Enroll to book one."),
                    course_key, user)
        return BlockStatus.OK, "", course_key, user

    def _require_access(self) -> tuple[Any, CourseKey]:
        gettext = self._gettext()
        status, message, course_key, user = self._access(gettext)
        if status is not BlockStatus.OK:
            code = 401 if status is BlockStatus.ANONYMOUS else 403 if status is BlockStatus.NO_ACCESS else 404
            raise _HandlerError(status.value, message, code)
        return user, course_key

    def _configured_ids(self) -> list[int]:
        return [int(part) for part in re.split(r"[\s,]+", self.session_type_ids or "") if part.isdigit()]

    def _offered(self, course_key: CourseKey) -> list[Any]:
        """The course's active session types, narrowed to the author's list (kept in the author's order)."""
        types = api.list_session_types(course_key=course_key)
        wanted = self._configured_ids()
        if not wanted:
            return types
        by_id = {item.id: item for item in types}
        return [by_id[type_id] for type_id in wanted if type_id in by_id]

    def _offered_type(self, value: Any) -> tuple[Any, CourseKey, Any]:
        user, course_key = self._require_access()
        offered = {item.id: item for item in self._offered(course_key)}
        type_id = value if isinstance(value, int) and not isinstance(value, bool) else (
            int(value) if isinstance(value, str) and value.isdigit() else None
        )
        if type_id not in offered:
            raise _HandlerError("session_type_not_found", self._gettext()("This session is not offered here."), 404)
        return user, course_key, offered[type_id]

    def _own_booking(self, value: Any) -> tuple[Any, CourseKey, Any]:
        user, course_key = self._require_access()
        gettext = self._gettext()
        if not isinstance(value, int) or isinstance(value, bool):
            raise _HandlerError("booking_not_found", gettext("No such booking."), 404)
        booking = api.get_booking(value, user)
        if booking.learner_id != user.pk or booking.course_key != course_key:
            raise _HandlerError("booking_not_found", gettext("No such booking."), 404)
        return user, course_key, booking

    def _zone(self, value: Any) -> str:
        if not value:
            return "UTC"
        api.parse_zone(value)  # BookingError invalid_time_zone
        return value

    def _when(self, value: Any) -> datetime:
        start = _parse_aware(value)
        if start is None:
            raise _HandlerError("invalid_time", self._gettext()("This is not a valid date and time."))
        return start

    def _bookings(self, user: Any, course_key: CourseKey, gettext: Callable[[str], str]) -> dict[str, list]:
        upcoming = api.list_bookings(user, upcoming=True, course_key=course_key)
        past = api.list_bookings(user, upcoming=False, course_key=course_key)[:PAST_SHOWN]
        return {
            "upcoming": [self._booking_data(booking, gettext) for booking in upcoming],
            "past": [self._booking_data(booking, gettext) for booking in past],
        }

    @staticmethod
    def _type_data(session_type: Any, gettext: Callable[[str], str]) -> dict[str, Any]:
        return {
            "id": session_type.id,
            "title": session_type.title,
            "description": session_type.description,
            "trainer_name": session_type.trainer_name,
            "duration_minutes": session_type.duration_minutes,
            "capacity": session_type.capacity,
            "location": gettext(LOCATION_LABELS.get(session_type.location, session_type.location)),
            "requires_approval": session_type.requires_approval,
            "label": gettext("{title} with {trainer} ({minutes} min)").format(
                title=session_type.title, trainer=session_type.trainer_name, minutes=session_type.duration_minutes
            ),
        }

    @staticmethod
    def _booking_data(booking: Any, gettext: Callable[[str], str]) -> dict[str, Any]:
        return {
            "id": booking.id,
            "status": booking.status,
            "status_label": gettext(STATUS_LABELS.get(booking.status, booking.status)),
            "session_type_id": booking.session_type_id,
            "title": booking.session_type_title,
            "trainer_name": booking.trainer_name,
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "location": gettext(LOCATION_LABELS.get(booking.location, booking.location)),
            "location_detail": booking.location_detail if booking.status in HOLDING else "",
            "goal": booking.goal,
            "can_change": booking.status in HOLDING and booking.start > timezone.now(),
            "can_accept": booking.status == "offered",
            "can_leave_waitlist": booking.status in ("waitlisted", "offered"),
            "offer_expires_at": booking.expires_at.isoformat() if booking.status == "offered" and booking.expires_at
            else None,
            "shared_notes": booking.shared_notes,
            "can_write_notes": booking.status not in ("waitlisted", "offered"),
            "can_rate": booking.status == "completed",
            "rating_stars": booking.rating_stars,
            "rating_comment": booking.rating_comment,
        }

    # --- Studio -----------------------------------------------------------------------------------------------------

    def validate_field_data(self, validation: Any, data: Any) -> None:
        """The session type list holds ids only; a fallback course key, when given, is a course key."""
        gettext = self._gettext()
        listed = [part for part in re.split(r"[\s,]+", (data.session_type_ids or "").strip()) if part]
        if any(not part.isdigit() for part in listed):
            validation.add(ValidationMessage(
                ValidationMessage.ERROR, gettext("List session type ids as numbers separated by commas.")
            ))
        problem = identity.fallback_course_key_error(data.fallback_course_key, gettext)
        if problem:
            validation.add(ValidationMessage(ValidationMessage.ERROR, problem))

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """The demo course's sessions, for xblock-sdk's workbench (scenario id ``mentora_booking.0``)."""
        return [
            ("Mentora booking", '<mentora_booking fallback_course_key="course-v1:MentoraDemo+MENT101+2026"/>'),
        ]
