"""
Who may do what in booking (OEP-66, django-rules). Objects are course keys, session types or bookings.

Names follow ``mentora_booking.<action>_<model>``.
"""
from __future__ import annotations

from typing import Any

import rules

from mentora_plugin.host.rules import is_course_staff, is_course_trainer, is_platform_staff


@rules.predicate
def is_booking_learner(user: Any, booking: Any) -> bool:
    return booking is not None and getattr(booking, "learner_id", None) == user.pk


@rules.predicate
def is_booking_trainer(user: Any, booking: Any) -> bool:
    return booking is not None and getattr(booking, "trainer_id", None) == user.pk


@rules.predicate
def is_booking_course_staff(user: Any, booking: Any) -> bool:
    return booking is not None and is_course_staff(user, getattr(booking, "course_key", None))


#: Trainers of a course offer session types there (the object is the course key).
rules.add_perm("mentora_booking.offer_sessions", is_course_trainer | is_platform_staff)
#: See and act on a booking: its learner, its trainer, the course's staff, platform staff.
rules.add_perm(
    "mentora_booking.view_booking",
    is_booking_learner | is_booking_trainer | is_booking_course_staff | is_platform_staff,
)
rules.add_perm("mentora_booking.cancel_booking", is_booking_learner | is_booking_trainer | is_platform_staff)
rules.add_perm("mentora_booking.reschedule_booking", is_booking_learner | is_booking_trainer | is_platform_staff)
#: Only the trainer (or staff) confirms, declines, marks attendance, and overrides the cancellation cut-off.
rules.add_perm("mentora_booking.manage_booking", is_booking_trainer | is_booking_course_staff | is_platform_staff)
#: Assign a learner's mentor in a course, and end anyone's mentorship there (the object is the course key).
rules.add_perm("mentora_booking.assign_mentor", is_course_staff | is_platform_staff)
