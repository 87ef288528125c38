"""
What booking erases when the platform retires a user (GDPR), on the platform's USER_RETIRE_LMS_MISC signal.

As a learner: their bookings (with their notes and ratings) and their mentorships go (a session they were alone in
is cancelled, freeing the trainer's time). As a trainer: their calendar feed, weekly rules and overrides go, their
time zone is reset, their session types stop being offered, their private notes are erased and their mentorships
end; past sessions stay, without them, for the other learners' history.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from mentora_plugin.booking.feed import delete_feed
from mentora_plugin.booking.models import Booking, Mentorship, Session, TrainerCalendar
from mentora_plugin.host import compat


def retire_user(user: Any) -> None:
    """Erase ``user``'s booking data (see the module docstring)."""
    with transaction.atomic():
        delete_feed(user)
        sessions = set(Booking.objects.filter(learner=user).values_list("session_id", flat=True))
        Booking.objects.filter(learner=user).delete()
        Mentorship.objects.filter(learner=user).delete()
        Mentorship.objects.filter(trainer=user, is_active=True).update(is_active=None, ended_at=timezone.now())
        Booking.objects.filter(session__calendar__trainer=user).exclude(private_notes="").update(private_notes="")
        for session in Session.objects.filter(pk__in=sessions, status=Session.Status.SCHEDULED):
            if not session.bookings.filter(status__in=Booking.HOLDING).exists():
                session.status = Session.Status.CANCELLED
                session.sequence += 1
                session.save(update_fields=["status", "sequence", "modified"])
        calendar = TrainerCalendar.objects.filter(trainer=user).first()
        if calendar is not None:
            calendar.rules.all().delete()
            calendar.overrides.all().delete()
            calendar.session_types.update(is_active=False)
            calendar.time_zone = "UTC"
            calendar.save(update_fields=["time_zone", "modified"])


def _on_user_retire(sender: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        retire_user(user)


def connect_receivers() -> None:
    """Connect to the platform's retirement signal (or its stand-in outside the LMS). Idempotent."""
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].connect(
        _on_user_retire, dispatch_uid="mentora.booking.retire_user", weak=False
    )
