"""
The forms of badges' signed-in pages. They check shapes only (lengths, types, a date, a file); ``badges.api`` decides
everything else and its refusals are put back next to the field they concern (``field_of``).
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from mentora_plugin.badges import api
from mentora_plugin.badges.models import BadgeClass
from mentora_plugin.forms import AccessibleForm

#: A bulk award's list is refused past this many lines (``bulk_award`` takes at most 500 entries).
MAX_BULK_LINES = 500
#: The widest bulk list accepted (500 lines of a username, a separator and a short note).
MAX_BULK_CHARS = 200_000


def _textarea(rows: int, max_length: int | None = None) -> forms.Textarea:
    attrs: dict[str, Any] = {"rows": rows}
    if max_length:
        attrs["maxlength"] = max_length
    return forms.Textarea(attrs=attrs)


class BadgeClassForm(AccessibleForm):
    """
    A new badge class of a course. ``skills`` offers the trainers' active skills; ``for_trainers`` exists only for
    platform staff (``allow_for_trainers``), who alone may create badges for trainers.
    """

    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=5000, widget=_textarea(3, 5000))
    criteria = forms.CharField(
        label=gettext_lazy("Criteria"), max_length=20000, widget=_textarea(5, 20000),
        help_text=gettext_lazy("What earns the badge. Markdown."),
    )
    image = forms.FileField(
        label=gettext_lazy("Image (PNG or SVG)"),
        help_text=gettext_lazy("At most 1 MB for a PNG (1024 pixels a side), 256 KB for an SVG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=BadgeClass.Kind.choices,
                             initial=BadgeClass.Kind.BADGE)
    skills = forms.MultipleChoiceField(label=gettext_lazy("Skills it shows"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    expiry = forms.ChoiceField(label=gettext_lazy("Expiry"), choices=BadgeClass.Expiry.choices,
                               initial=BadgeClass.Expiry.NONE)
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on (for “Expires on a date”)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_days = forms.IntegerField(
        label=gettext_lazy("Days it lasts after each award (for “Expires after a number of days”)"),
        required=False, min_value=1, max_value=3650,
    )

    def __init__(self, *args: Any, allow_for_trainers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from mentora_plugin.trainers import api as trainers_api

        self.fields["skills"].choices = [(skill.slug, skill.name) for skill in trainers_api.list_skills()]
        if allow_for_trainers:
            self.fields["for_trainers"] = forms.BooleanField(
                label=gettext_lazy("For trainers (recognises trainers, not learners)"), required=False,
            )


class AwardForm(AccessibleForm):
    """
    Award the badge to one person: chosen from the course's roster (``choices``) or, where there is no roster (the
    platform's badges), by username.
    """

    recipient = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    narrative = forms.CharField(
        label=gettext_lazy("Note (why it is awarded)"), required=False, max_length=5000, widget=_textarea(3, 5000),
        help_text=gettext_lazy("Markdown. Shown on the badge's public page."),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence link (optional)"), required=False, max_length=2000, assume_scheme="https",
        help_text=gettext_lazy("A web address showing the work, for example a reviewed project."),
    )
    evidence_name = forms.CharField(label=gettext_lazy("Name of the evidence (optional)"), required=False,
                                    max_length=255)

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, recipient_label: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["recipient"] = forms.ChoiceField(
                label=recipient_label or gettext_lazy("Learner"),
                choices=[("", gettext_lazy("Choose someone")), *choices],
            )
        self.order_fields(["recipient", "narrative", "evidence_url", "evidence_name"])

    def evidence(self) -> list[dict[str, str]]:
        url = self.cleaned_data.get("evidence_url") or ""
        if not url:
            return []
        return [{"url": url, "name": self.cleaned_data.get("evidence_name") or "", "narrative": ""}]


class BulkAwardForm(AccessibleForm):
    """Award the badge to many people: one username per line, optionally followed by `` | `` and a note."""

    usernames = forms.CharField(
        label=gettext_lazy("Usernames, one per line"), max_length=MAX_BULK_CHARS, widget=_textarea(6),
        help_text=gettext_lazy("Add “ | ” and a note after a username to give that person a note."),
    )

    def clean_usernames(self) -> list[tuple[str, str]]:
        """The (username, note) pairs, blank lines left out, each username once (its first note)."""
        entries: dict[str, str] = {}
        for line in self.cleaned_data["usernames"].splitlines():
            username, _bar, note = line.partition("|")
            username = username.strip()
            if username and username not in entries:
                entries[username] = note.strip()
        if not entries:
            raise forms.ValidationError(gettext("Give at least one username."))
        if len(entries) > MAX_BULK_LINES:
            raise forms.ValidationError(gettext("At most {count} people at once.").format(count=MAX_BULK_LINES))
        return list(entries.items())


class RevokeForm(AccessibleForm):
    """Revoke one award; the reason is public (every verifier reads it)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (shown wherever the badge is verified)"), max_length=2000,
        widget=_textarea(2, 2000),
    )


#: Which form field a refusal of ``badges.api`` is about, when the error's own ``field`` is not one of the form's.
CODE_FIELDS = {
    "capability_refused": "recipient",
    "permission_denied": "recipient",
    "already_awarded": "recipient",
    "own_award": "recipient",
    "not_enrolled": "recipient",
    "not_a_trainer": "recipient",
    "no_email": "recipient",
    "user_not_found": "recipient",
    "invalid_evidence": "evidence_url",
    "invalid_evidence_url": "evidence_url",
    "evidence_too_long": "evidence_name",
    "too_much_evidence": "evidence_url",
    "too_many_entries": "usernames",
    "invalid_entries": "usernames",
    "reason_required": "reason",
    "reason_too_long": "reason",
}


def field_of(form: forms.Form, error: api.BadgesError) -> str | None:
    """The field of ``form`` that ``error`` is about (its ``field``, else by its code), or None (above the form)."""
    for name in (error.field, CODE_FIELDS.get(error.code), "usernames" if "recipient" not in form.fields else None):
        if name and name in form.fields:
            return name
    return None
