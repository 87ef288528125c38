"""
The trainers' pages: their availability (zone, weekly rules, overrides, session types) and their sessions.

Thin views over ``mentora_plugin.booking.api``: a form checks the input, the API decides; a refusal is shown next
to the field (or the form) and nothing is saved. A successful change redirects (POST, redirect, GET).
"""
from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentora_plugin.booking import api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.feed import get_or_create_feed_url, revoke_feed
from mentora_plugin.booking.forms import CalendarForm, CancelForm, OverrideForm, RuleForm, SessionTypeForm
from mentora_plugin.host import api as host_api

AVAILABILITY = "mentora-booking:availability"
SESSIONS = "mentora-booking:sessions"


def _courses_trained(user: Any) -> list:
    """The courses where ``user`` may offer sessions (a Mentora trainer there, or platform staff)."""
    return [course for course in host_api.list_courses()
            if user.has_perm("mentora_booking.offer_sessions", course.course_key)]


def _refuse(form: django_forms.Form, error: api.BookingError, field: str | None = None) -> None:
    form.add_error(field, str(error))


def _field_of(error: api.BookingError) -> str | None:
    """The form field a session type's refusal is about, so that it shows next to that field."""
    return "capacity" if error.code == "capacity_over_level" else None


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    """The signed-in trainer's calendar and session types; each form posts an ``action``."""
    user = request.user
    bound: dict[str, django_forms.Form] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = _ACTIONS.get(action)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(AVAILABILITY)
        done, bound = handler(request, user)
        if done:
            messages.success(request, done)
        if not bound:  # saved, or refused with a message: back to the page
            return redirect(AVAILABILITY)
    return _render_availability(request, user, bound, status=400 if bound else 200)


def _render_availability(request, user, bound: dict, status: int = 200) -> HttpResponse:
    calendar = api.get_calendar(user)
    courses = _courses_trained(user)
    types = api.list_session_types(trainer=user, active_only=False)
    titles = {str(course.course_key): course.title for course in courses}
    zone_initial = calendar.time_zone if calendar.time_zone in dict(CalendarForm.base_fields["time_zone"].choices) \
        else ""
    context = {
        "calendar": calendar,
        "calendar_form": bound.get("calendar") or CalendarForm(prefix="calendar", initial={
            "time_zone": zone_initial,
            "other_time_zone": "" if zone_initial else calendar.time_zone,
            "max_sessions_per_day": calendar.max_sessions_per_day,
            "max_sessions_per_week": calendar.max_sessions_per_week,
        }),
        "rules": [(index, rule) for index, rule in enumerate(calendar.rules)],
        "rule_form": bound.get("rule") or RuleForm(prefix="rule"),
        "override_form": bound.get("override") or OverrideForm(prefix="override"),
        "courses": [
            {
                "course": course,
                "new_form": bound.get(f"new-{course.course_key}") or SessionTypeForm(prefix=_new_prefix(course)),
                "prefix": _new_prefix(course),
            }
            for course in courses
        ],
        "types": [
            {
                "type": item,
                "course_title": titles.get(str(item.course_key), str(item.course_key)),
                "form": bound.get(f"type-{item.id}")
                or SessionTypeForm(prefix=f"type-{item.id}", initial=SessionTypeForm.initial_from(item)),
            }
            for item in types
        ],
        "weekdays": dict(RuleForm.base_fields["weekday"].choices),
    }
    return render(request, "mentora/booking/availability.html", context, status=status)


def _new_prefix(course) -> str:
    return "new-" + "".join(char if char.isalnum() else "-" for char in str(course.course_key))


def _set_calendar(request, user):
    form = CalendarForm(request.POST, prefix="calendar")
    if not form.is_valid():
        return None, {"calendar": form}
    try:
        api.set_calendar(
            user,
            time_zone=form.cleaned_data["zone"],
            max_sessions_per_day=form.cleaned_data["max_sessions_per_day"],
            max_sessions_per_week=form.cleaned_data["max_sessions_per_week"],
        )
    except api.BookingError as error:
        _refuse(form, error)
        return None, {"calendar": form}
    return _("Your time zone and limits are saved."), {}


def _add_rule(request, user):
    form = RuleForm(request.POST, prefix="rule")
    if not form.is_valid():
        return None, {"rule": form}
    rules = [*api.get_calendar(user).rules, WeeklyRule(**form.cleaned_data)]
    try:
        api.set_weekly_rules(user, rules)
    except api.BookingError as error:
        _refuse(form, error)
        return None, {"rule": form}
    return _("The window is added."), {}


def _remove_rule(request, user):
    rules = list(api.get_calendar(user).rules)
    try:
        index = int(request.POST.get("index", ""))
        del rules[index]
    except (ValueError, IndexError):
        messages.error(request, _("This window no longer exists."))
        return None, {}
    api.set_weekly_rules(user, rules)
    return _("The window is removed."), {}


def _add_override(request, user):
    form = OverrideForm(request.POST, prefix="override")
    if not form.is_valid():
        return None, {"override": form}
    data = form.cleaned_data
    try:
        api.add_override(user, data["date"], data["kind"], data["start"], data["end"], data["note"])
    except api.BookingError as error:
        _refuse(form, error)
        return None, {"override": form}
    return _("The date is added."), {}


def _remove_override(request, user):
    try:
        api.delete_override(user, int(request.POST.get("override_id", "")))
    except (ValueError, api.BookingError):
        messages.error(request, _("This date no longer exists."))
        return None, {}
    return _("The date is removed."), {}


def _create_type(request, user):
    course = next((c for c in _courses_trained(user) if str(c.course_key) == request.POST.get("course_id")), None)
    if course is None:
        messages.error(request, _("You do not offer sessions in this course."))
        return None, {}
    key = f"new-{course.course_key}"
    form = SessionTypeForm(request.POST, prefix=_new_prefix(course))
    if not form.is_valid():
        return None, {key: form}
    try:
        api.create_session_type(user, course.course_key, **form.cleaned_data)
    except api.BookingError as error:
        _refuse(form, error, _field_of(error))
        return None, {key: form}
    return _("The session type is created."), {}


def _edit_type(request, user):
    try:
        type_id = int(request.POST.get("session_type_id", ""))
    except ValueError:
        type_id = 0
    mine = {item.id for item in api.list_session_types(trainer=user, active_only=False)}
    if type_id not in mine:
        messages.error(request, _("This session type is not yours."))
        return None, {}
    form = SessionTypeForm(request.POST, prefix=f"type-{type_id}")
    if not form.is_valid():
        return None, {f"type-{type_id}": form}
    try:
        api.update_session_type(user, type_id, **form.cleaned_data)
    except api.BookingError as error:
        _refuse(form, error, _field_of(error))
        return None, {f"type-{type_id}": form}
    return _("The session type is saved."), {}


_ACTIONS = {
    "calendar": _set_calendar,
    "add_rule": _add_rule,
    "remove_rule": _remove_rule,
    "add_override": _add_override,
    "remove_override": _remove_override,
    "create_type": _create_type,
    "edit_type": _edit_type,
}


# --- sessions -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    """Upcoming and past bookings of the signed-in trainer's sessions, with what can be done to each."""
    user = request.user
    if request.method == "POST":
        _act_on_booking(request, user)
        return redirect(SESSIONS)
    zone = host_api.get_user_time_zone(user, api.get_calendar(user).time_zone)
    upcoming = api.list_bookings(user, as_trainer=True, upcoming=True)
    past = api.list_bookings(user, as_trainer=True, upcoming=False)[:50]
    history, history_learner = [], None
    try:
        learner_id = int(request.GET.get("learner") or 0)
    except ValueError:
        learner_id = 0
    if learner_id:
        history = api.session_history(learner_id, user)
        history_learner = history[0].learner_name if history else None
    private = api.get_private_notes(user, [booking.id for booking in (*upcoming, *past, *history)])
    context = {
        "upcoming": upcoming,
        "past": past,
        "history": history,
        "history_learner": history_learner,
        "private_notes": private,
        "mentees": api.list_mentees(user),
        "mentee_cap": api.mentee_cap(user),
        "notes_max_length": api.NOTES_MAX_LENGTH,
        "zone": zone,
        "cancel_form": CancelForm(),
        "outcomes": (
            ("completed", _("Mark completed")),
            ("no_show_learner", _("Learner did not come")),
        ),
    }
    return render(request, "mentora/booking/sessions.html", context)


def _act_on_booking(request, user) -> None:
    action = request.POST.get("action", "")
    try:
        booking_id = int(request.POST.get("booking_id", ""))
        booking = api.get_booking(booking_id, user)  # someone else's: booking_not_found
        if action == "confirm":
            api.confirm_booking(booking_id, user)
            messages.success(request, _("The session with {name} is confirmed.").format(name=booking.learner_name))
        elif action == "decline":
            api.decline_booking(booking_id, user, (request.POST.get("reason") or "")[:2000])
            messages.success(request, _("The request of {name} is declined.").format(name=booking.learner_name))
        elif action == "cancel":
            form = CancelForm(request.POST)
            form.is_valid()
            data = form.cleaned_data
            api.cancel_booking(booking_id, user, data.get("reason", ""),
                               override_cutoff=data.get("override_cutoff", False))
            messages.success(request, _("The session with {name} is cancelled.").format(name=booking.learner_name))
        elif action == "notes":
            api.update_notes(
                booking_id,
                user,
                shared_notes=request.POST.get("shared_notes", ""),
                private_notes=request.POST.get("private_notes", ""),
            )
            messages.success(request, _("The notes on the session with {name} are saved.").format(
                name=booking.learner_name
            ))
        elif action == "complete":
            api.complete_booking(booking_id, user, request.POST.get("outcome", "completed"))
            messages.success(request, _("The session with {name} is recorded.").format(name=booking.learner_name))
        else:
            messages.error(request, _("Unknown action."))
    except ValueError as error:  # BookingError is a ValueError; so is a malformed id
        messages.error(request, str(error) if isinstance(error, api.BookingError) else _("No such booking."))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_page(request: HttpRequest) -> HttpResponse:
    """The signed-in person's private calendar feed link; POST replaces it (the old link stops working at once)."""
    if request.method == "POST":
        revoke_feed(request.user)
        messages.success(request, _("Your calendar link was replaced: the old one no longer works."))
        return redirect("mentora-booking:calendar")
    context = {"feed_url": get_or_create_feed_url(request.user, request)}
    return render(request, "mentora/booking/calendar.html", context)
