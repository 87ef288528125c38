"""
Booking's public events (openedx-events signals of Mentora's own ``org.openedx.mentora.booking.*`` types).

Each is sent after the change commits (``mentora_plugin.events.announce``), with ``booking`` (a ``BookingEventData``).
Notifications, the trainers' levels and the badges react to these; nothing imports booking's models to do so.
"""
from datetime import datetime

import attr
from opaque_keys.edx.keys import CourseKey
from openedx_events.tooling import OpenEdxPublicSignal


@attr.s(frozen=True)
class BookingEventData:
    """
    A booking at the moment of the event.

    Attributes:
        booking_id (int), session_id (int), session_uid (str): the booking, its session, the session's stable UID.
        learner_id (int), trainer_id (int): who meets.
        course_key (CourseKey): the course the session belongs to.
        start (datetime), end (datetime): in UTC.
        status (str): the booking's status after the event.
        sequence (int): the session's RFC 5545 SEQUENCE after the event.
        actor_id (int): who caused the event (0: the system, e.g. an expiry).
        reason (str): a reason given, possibly empty.
    """

    booking_id = attr.ib(type=int)
    session_id = attr.ib(type=int)
    session_uid = attr.ib(type=str)
    learner_id = attr.ib(type=int)
    trainer_id = attr.ib(type=int)
    course_key = attr.ib(type=CourseKey)
    start = attr.ib(type=datetime)
    end = attr.ib(type=datetime)
    status = attr.ib(type=str)
    sequence = attr.ib(type=int)
    actor_id = attr.ib(type=int)
    reason = attr.ib(type=str, factory=str)


def _signal(verb: str) -> OpenEdxPublicSignal:
    return OpenEdxPublicSignal(
        event_type=f"org.openedx.mentora.booking.{verb}.v1", data={"booking": BookingEventData}
    )


# .. event_type: org.openedx.mentora.booking.requested.v1
# .. event_name: BOOKING_REQUESTED
# .. event_description: A learner asked for a session that needs the trainer's approval.
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_REQUESTED = _signal("requested")

# .. event_type: org.openedx.mentora.booking.confirmed.v1
# .. event_name: BOOKING_CONFIRMED
# .. event_description: A booking is confirmed (at once, or when the trainer approved it).
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_CONFIRMED = _signal("confirmed")

# .. event_type: org.openedx.mentora.booking.rescheduled.v1
# .. event_name: BOOKING_RESCHEDULED
# .. event_description: A booking moved to another time (the session's SEQUENCE went up).
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_RESCHEDULED = _signal("rescheduled")

# .. event_type: org.openedx.mentora.booking.cancelled.v1
# .. event_name: BOOKING_CANCELLED
# .. event_description: A booking was cancelled (by either side), declined or expired unanswered.
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_CANCELLED = _signal("cancelled")

# .. event_type: org.openedx.mentora.booking.completed.v1
# .. event_name: BOOKING_COMPLETED
# .. event_description: A session took place (or a side did not come: see the status).
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_COMPLETED = _signal("completed")
