"""
How Mentora tells the world what happened: its own openedx-events signals and the platform's tracking log.

Each fact Mentora records (a trainer role granted, and later a session booked, a review released, a badge awarded)
is announced twice, once the database transaction that recorded it has committed:

- as an openedx-events public signal of Mentora's own event type (``org.openedx.mentora.*``), so that other
  Mentora apps (the trainers' levels, the badges' rules) and other plugins react to it, in-process or through the
  event bus, without importing the app that recorded it;
- as a tracking-log event (``edx.mentora.*``) for the platform's analytics (Aspects and friends).
"""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from openedx_events.tooling import OpenEdxPublicSignal

from mentora_plugin.host import compat

log = logging.getLogger(__name__)


def announce(signal: OpenEdxPublicSignal, tracking_name: str, tracking_data: dict[str, Any], **event_data: Any) -> None:
    """
    Send ``signal`` with ``event_data`` and emit ``tracking_name`` once the current transaction commits (at once
    outside a transaction). A rolled-back change is never announced.
    """

    def send() -> None:
        signal.send_event(**event_data)
        compat.emit_tracking_event(tracking_name, tracking_data)

    transaction.on_commit(send)
