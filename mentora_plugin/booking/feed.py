"""
A user's calendar feed: a secret, revocable URL (``/mentora/calendar/<token>.ics``) that calendar apps subscribe to,
listing the user's upcoming sessions, as learner (a requested or confirmed booking) and as trainer.

Calendar apps cannot sign in, so the token in the URL is the credential: 256 random bits, one per user, shown only
to its user. Revoking it makes the URL answer 404 at once; the next request for the user's feed URL issues a new
token. The events carry the same UID and SEQUENCE as the invitations the booking emails attach, so an app that holds
both sees one event.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from mentora_plugin.booking import ics
from mentora_plugin.booking.models import Booking, CalendarFeed, Session
from mentora_plugin.host import api as host_api

__all__ = ["build_feed", "calendar_feed", "delete_feed", "get_or_create_feed_url", "revoke_feed"]

#: How often subscribed calendar apps are asked to fetch the feed again.
REFRESH = timedelta(hours=1)
_TOKEN_BYTES = 32  # 43 URL-safe characters


def _user_id(user: Any) -> int:
    return getattr(user, "pk", user)


def get_or_create_feed_url(user: Any, request: HttpRequest | None = None) -> str:
    """
    The URL of ``user``'s calendar feed, issuing a token if they have none or theirs was revoked.

    Args:
        user: the user (or their id).
        request: the current request, to make the URL absolute; without one, the URL starts with the platform's
            ``LMS_ROOT_URL`` (a path only where that is not set).

    Returns:
        The feed's URL. It is a secret: show it to ``user`` only.
    """
    now = timezone.now()
    feed, _created = CalendarFeed.objects.get_or_create(
        user_id=_user_id(user), defaults={"token": _new_token(), "created": now}
    )
    if feed.revoked_at is not None:
        # Guarded by revoked_at, so that two concurrent requests agree on one new token.
        CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=False).update(
            token=_new_token(), created=now, revoked_at=None
        )
        feed.refresh_from_db()
    path = reverse("mentora-booking:calendar-feed", kwargs={"token": feed.token})
    if request is not None:
        return request.build_absolute_uri(path)
    return host_api.absolute_url(path)


def revoke_feed(user: Any) -> bool:
    """
    Revoke ``user``'s feed URL: it answers 404 from now on, and the next ``get_or_create_feed_url`` issues a new
    one. Returns whether there was a live URL to revoke.
    """
    return bool(
        CalendarFeed.objects.filter(user_id=_user_id(user), revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def delete_feed(user: Any) -> None:
    """Forget ``user``'s feed token altogether (user retirement)."""
    CalendarFeed.objects.filter(user_id=_user_id(user)).delete()


def _new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """``GET /mentora/calendar/<token>.ics``: the feed of the token's user, or 404 for an unknown or revoked token."""
    feed = None
    if 0 < len(token) <= 64:
        feed = CalendarFeed.objects.select_related("user").filter(token=token, revoked_at__isnull=True).first()
    if feed is None or not feed.user.is_active:
        return HttpResponseNotFound("Not found.\n", content_type="text/plain; charset=utf-8")
    response = HttpResponse(build_feed(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentora.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def build_feed(user: Any) -> bytes:
    """
    The iCalendar feed of ``user``'s upcoming sessions (not ended yet, soonest first, at most
    ``MENTORA_CALENDAR_FEED_MAX_EVENTS``), in their language: sessions where they hold a requested or confirmed
    seat, and scheduled sessions they train with at least one such seat. A fixed number of queries (plus one per
    distinct course, for its title).
    """
    holding = Booking.objects.filter(status__in=Booking.BOOKED).select_related("learner").order_by("pk")
    sessions = (
        Session.objects.filter(status=Session.Status.SCHEDULED, end__gt=timezone.now())
        .filter(
            Q(calendar__trainer_id=user.pk, bookings__status__in=Booking.BOOKED)
            | Q(bookings__learner_id=user.pk, bookings__status__in=Booking.BOOKED)
        )
        .distinct()
        .select_related("session_type", "calendar__trainer")
        .prefetch_related(Prefetch("bookings", queryset=holding, to_attr="holding"))
        .order_by("start", "pk")
    )[: max(1, int(getattr(settings, "MENTORA_CALENDAR_FEED_MAX_EVENTS", 500)))]
    courses: dict[str, str] = {}
    with translation.override(host_api.get_user_language(user)):
        events = [_event(session, user, courses) for session in sessions]
        return ics.build_calendar(events, name=_("Mentora sessions"), refresh=REFRESH)


def _event(session: Session, user: Any, courses: dict[str, str]) -> Any:
    trainer = session.calendar.trainer
    trainer_name = host_api.display_name(trainer)
    seats = session.holding
    if trainer.pk == user.pk:
        if len(seats) == 1:
            summary = _("{title} with {name}").format(
                title=session.session_type.title, name=host_api.display_name(seats[0].learner)
            )
        else:
            summary = ngettext("{title}, {count} learner", "{title}, {count} learners", len(seats)).format(
                title=session.session_type.title, count=len(seats)
            )
    else:
        seats = [seat for seat in seats if seat.learner_id == user.pk]
        summary = _("{title} with {name}").format(title=session.session_type.title, name=trainer_name)
    confirmed = any(seat.status == Booking.Status.CONFIRMED for seat in seats)
    key = str(session.course_key)
    if key not in courses:
        course = host_api.get_course(session.course_key)
        courses[key] = course.title if course else key
    description = _("Course: {course}").format(course=courses[key])
    if session.session_type.description:
        description = f"{description}\n\n{session.session_type.description}"
    return ics.build_event(
        session,
        summary=summary,
        description=description,
        organizer=ics.Person(trainer_name, trainer.email),
        attendees=[
            ics.Attendee(host_api.display_name(seat.learner), seat.learner.email, "ACCEPTED") for seat in seats
        ],
        status=ics.CONFIRMED if confirmed else ics.TENTATIVE,
    )
