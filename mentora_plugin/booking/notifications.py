"""
Booking's email notifications: receivers of booking's own events that queue the Celery tasks which send them.

The receivers only queue work, with the booking's id and the kind of email (plain ``int`` and ``str`` arguments);
the tasks (``mentora_plugin.booking.tasks``) read the booking when they run and send each email once. A task is
queued once the current transaction (if any) commits, so that a worker never looks for a booking that is not
visible yet. Booking sends its events after its own commit already (``mentora_plugin.events.announce``); an event
replayed, or delivered twice through the event bus, queues a task that finds its emails sent and does nothing.

``connect_receivers()`` is called from ``BookingConfig.ready()``.
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from mentora_plugin.booking import signals, tasks

log = logging.getLogger(__name__)

__all__ = ["connect_receivers"]


def _queue(kind: str, booking: signals.BookingEventData | None) -> None:
    if booking is None:
        log.error("A booking event without its booking reached the %s notifications; nothing was sent.", kind)
        return
    transaction.on_commit(partial(tasks.send_booking_notification.delay, booking.booking_id, kind))


def on_booking_requested(sender: Any = None, booking: signals.BookingEventData | None = None, **kwargs: Any) -> None:
    """A request awaits the trainer's approval: tell the trainer, and the learner that it was sent."""
    _queue(tasks.REQUEST, booking)


def on_booking_confirmed(sender: Any = None, booking: signals.BookingEventData | None = None, **kwargs: Any) -> None:
    """A booking is confirmed: send both sides the confirmation with the invitation."""
    _queue(tasks.CONFIRMATION, booking)


def on_booking_rescheduled(sender: Any = None, booking: signals.BookingEventData | None = None, **kwargs: Any) -> None:
    """A booking moved: send both sides the new details and the updated invitation."""
    _queue(tasks.CHANGE, booking)


def on_booking_cancelled(sender: Any = None, booking: signals.BookingEventData | None = None, **kwargs: Any) -> None:
    """A booking was cancelled, declined or expired: tell both sides and withdraw the invitation."""
    _queue(tasks.CANCELLATION, booking)


def on_booking_offered(sender: Any = None, booking: signals.BookingEventData | None = None, **kwargs: Any) -> None:
    """A seat freed in a full group session is held for the learner first in line: tell them, to accept it."""
    _queue(tasks.OFFER, booking)


_RECEIVERS = (
    (signals.BOOKING_REQUESTED, on_booking_requested, "mentora.booking.notifications.requested"),
    (signals.BOOKING_CONFIRMED, on_booking_confirmed, "mentora.booking.notifications.confirmed"),
    (signals.BOOKING_RESCHEDULED, on_booking_rescheduled, "mentora.booking.notifications.rescheduled"),
    (signals.BOOKING_CANCELLED, on_booking_cancelled, "mentora.booking.notifications.cancelled"),
    (signals.BOOKING_OFFERED, on_booking_offered, "mentora.booking.notifications.offered"),
)


def connect_receivers() -> None:
    """Connect the notification receivers to booking's events. Idempotent (each has a ``dispatch_uid``)."""
    for signal, receiver, dispatch_uid in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=dispatch_uid)
