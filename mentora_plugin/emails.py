"""
Mentora's emails, as every domain writes them: in the recipient's language and time zone, a text body and (most
often) its HTML twin in the shared layout ``mentora/email/body.html``, from the domain's sender setting.

Each domain keeps what is its own (its templates, its keys and tables, sending once); this module only builds the
message:

- ``recipient_locale(user)``: the recipient's language and time zone, active for the block (yields the language);
- ``from_templates(stem, values, ...)``: the subject ``<stem>_subject.txt`` and the text ``<stem>_body.txt``
  rendered with ``values``, the HTML part the text's paragraphs in ``mentora/email/body.html``;
- ``message(...)`` (with an HTML part) and ``text_message(...)`` (text only): the message itself, from the
  domain's sender setting, with the headers every Mentora email carries.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mentora_plugin.host import api as host_api

__all__ = ["BODY_HTML", "from_templates", "message", "recipient_locale", "text_message"]

#: The HTML layout of every Mentora email (booking's extends it with the session's details).
BODY_HTML = "mentora/email/body.html"


@contextmanager
def recipient_locale(user: Any, default_zone: Any = None) -> Iterator[str]:
    """
    Activate ``user``'s language and time zone (else ``default_zone``, else UTC) for the block; yields the language.
    """
    language = host_api.get_user_language(user)
    zone = host_api.get_user_time_zone(user, default=default_zone)
    with translation.override(language), timezone.override(zone):
        yield language


def from_templates(
    stem: str, values: dict[str, Any], *, language: str, to: str, sender_setting: str
) -> EmailMultiAlternatives:
    """
    The email whose subject is ``<stem>_subject.txt`` (on one line) and whose text is ``<stem>_body.txt``, rendered
    with ``values`` in the active language; its HTML part shows the text's paragraphs (split on blank lines).
    """
    subject = " ".join(render_to_string(f"{stem}_subject.txt", values).split())
    text = render_to_string(f"{stem}_body.txt", values).strip() + "\n"
    paragraphs = [paragraph.strip() for paragraph in text.split("\n\n") if paragraph.strip()]
    html = render_to_string(BODY_HTML, {"language": language, "subject": subject, "paragraphs": paragraphs})
    return message(subject=subject, text=text, html=html, to=to, language=language, sender_setting=sender_setting)


def message(
    *, subject: str, text: str, html: str, to: str, language: str, sender_setting: str | None = None
) -> EmailMultiAlternatives:
    """A Mentora email to the address ``to``, written in ``language``, its text with ``html`` as the HTML part."""
    email = EmailMultiAlternatives(**_fields(subject, text, to, language, sender_setting))
    email.attach_alternative(html, "text/html")
    return email


def text_message(*, subject: str, text: str, to: str, language: str, sender_setting: str | None = None) -> EmailMessage:
    """A Mentora email to the address ``to``, written in ``language``, text only."""
    return EmailMessage(**_fields(subject, text, to, language, sender_setting))


def _fields(subject: str, text: str, to: str, language: str, sender_setting: str | None) -> dict[str, Any]:
    """
    What every Mentora email says besides its parts: its sender is the setting named ``sender_setting`` when that
    is set, else ``DEFAULT_FROM_EMAIL``; it names its language and says it was sent automatically.
    """
    sender = (getattr(settings, sender_setting, None) if sender_setting else None) or settings.DEFAULT_FROM_EMAIL
    return {
        "subject": subject,
        "body": text,
        "from_email": sender,
        "to": [to],
        "headers": {"Content-Language": language, "Auto-Submitted": "auto-generated"},
    }
