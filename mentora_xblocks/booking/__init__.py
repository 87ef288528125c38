"""
The "Mentora booking" block: learners choose a session type, see free times in their own zone, book, cancel and
reschedule, and see their upcoming and past sessions.

Registered as ``mentora_booking`` under the ``xblock.v1`` entry point (see ``setup.py``).
"""
from mentora_xblocks.booking.block import BookingXBlock

__all__ = ["BookingXBlock"]
