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

# .. event_type: org.openedx.mentora.booking.waitlisted.v1
# .. event_name: BOOKING_WAITLISTED
# .. event_description: A learner joined the waitlist of a full group session (the booking holds no seat yet).
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_WAITLISTED = _signal("waitlisted")

# .. event_type: org.openedx.mentora.booking.offered.v1
# .. event_name: BOOKING_OFFERED
# .. event_description: A seat freed in a group session and is held for the first learner of its waitlist until
#   the booking's expiry (status ``offered``); the learner accepts it (then BOOKING_CONFIRMED or BOOKING_REQUESTED
#   follows) or lets it lapse (BOOKING_WAITLIST_LEFT, status ``expired``).
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_OFFERED = _signal("offered")

# .. event_type: org.openedx.mentora.booking.waitlist_left.v1
# .. event_name: BOOKING_WAITLIST_LEFT
# .. event_description: A learner left the waitlist or turned an offered seat down (status ``cancelled``), or their
#   offer lapsed or the session's waitlist closed (status ``expired``).
# .. event_data: BookingEventData
# .. event_trigger_repository: mentora
BOOKING_WAITLIST_LEFT = _signal("waitlist_left")


@attr.s(frozen=True)
class RatingEventData:
    """
    A learner's rating of a completed session.

    Attributes:
        booking_id (int): the rated booking (one rating per booking: a later event for it replaces the earlier).
        trainer_id (int), learner_id (int): who met.
        course_key (CourseKey): the course of the session.
        stars (int): 1 to 5.
        comment (str): the learner's comment, possibly empty (added in Mentora 0.2; absent from older senders).
    """

    booking_id = attr.ib(type=int)
    trainer_id = attr.ib(type=int)
    learner_id = attr.ib(type=int)
    course_key = attr.ib(type=CourseKey)
    stars = attr.ib(type=int)
    comment = attr.ib(type=str, factory=str)


# .. event_type: org.openedx.mentora.booking.rated.v1
# .. event_name: BOOKING_RATED
# .. event_description: A learner rated a completed session, or changed their rating within the edit period. The
#   trainers' levels record it, keeping the latest stars per booking id.
# .. event_data: RatingEventData
# .. event_trigger_repository: mentora
BOOKING_RATED = OpenEdxPublicSignal(
    event_type="org.openedx.mentora.booking.rated.v1", data={"rating": RatingEventData}
)
