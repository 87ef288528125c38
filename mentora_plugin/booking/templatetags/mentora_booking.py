"""Template tags for pages outside booking (the course's Mentora home): what booking offers there."""
from __future__ import annotations

from typing import Any

from django import template

from mentora_plugin.booking import api

register = template.Library()


@register.simple_tag
def course_session_types(course_key: Any) -> list:
    """The course's active session types, by title."""
    return api.list_session_types(course_key=course_key)


@register.simple_tag
def offers_sessions(user: Any, course_key: Any) -> bool:
    """Whether ``user`` may offer sessions in the course (its trainers, platform staff)."""
    return bool(user.is_authenticated and user.has_perm("mentora_booking.offer_sessions", course_key))


@register.filter
def note_for(notes: dict, booking_id: Any) -> str:
    """``notes[booking_id]`` or an empty string: the trainer's private notes of one booking on their page."""
    return (notes or {}).get(booking_id, "")
