"""
The trainers' emails (application steps, reviewer reminders, level warnings and changes), each sent once.

(being written: ``notify`` is the one entry point every part of trainers calls.)
"""
from __future__ import annotations

from typing import Any

__all__: list[str] = []


def notify(kind: str, recipient: Any, dedupe_key: str, **context: Any) -> None:
    """
    Email ``recipient`` about ``kind`` once per ``dedupe_key``, after the current transaction commits (Celery).

    Kinds: see ``KINDS``. ``context`` holds JSON-serialisable values the email's template uses.
    """
