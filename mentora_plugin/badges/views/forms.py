"""
The forms of badges' signed-in pages. They check shapes only (lengths, types, a date, a file); ``badges.api`` decides
everything else and its refusals are put back next to the field they concern (``field_of``).
"""
from __future__ import annotations

from typing import Any

import django
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


#: A scheme-less address means https (Django 5 asks it be said; Django 4.2, the platform's on Teak, has no option).
_ASSUME_HTTPS = {"assume_scheme": "https"} if django.VERSION >= (5, 0) else {}


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
        label=gettext_lazy("Evidence link (optional)"), required=False, max_length=2000, **_ASSUME_HTTPS,
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


#: The condition rows of the "Add a rule" form (a rule may have more conditions through the API).
RULE_ROWS = 3
#: The fields of each condition row, suffixed ``_<row>`` (``c1_kind``...): which of them a kind reads.
ROW_FIELDS = ("kind", "project", "min_percent", "count", "course", "metric", "bound", "threshold")


def _number(value: float) -> int | float:
    """A whole number as an int (so the rule stores 80, not 80.0)."""
    return int(value) if float(value).is_integer() else value


class RuleForm(AccessibleForm):
    """
    A new award rule: all or any of up to ``RULE_ROWS`` conditions, each row a kind and that kind's fields (a row
    without a kind is ignored, so no script is needed to hide the others). What each kind offers depends on the
    class: a learners' class counts a project's score (``projects``: its course's projects, or every project for a
    platform class), sessions attended and a course passed (``courses`` names the course, for a platform class
    only: a course's class counts its own course); a trainers' class counts the trainers' figures only.

    The domain's refusals of the conditions (``field`` "conditions", their message naming the condition) are kept
    in ``conditions_errors``, shown above the rows, and every row's kind points at them.
    """

    mode = forms.ChoiceField(
        label=gettext_lazy("Award the badge when"), initial="all",
        choices=[("all", gettext_lazy("all the conditions hold")), ("any", gettext_lazy("any one condition holds"))],
    )

    def __init__(self, *args: Any, for_trainers: bool = False, projects: list[tuple[str, str]] | None = None,
                 courses: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from mentora_plugin.trainers import api as trainers_api

        self.for_trainers = for_trainers
        self.conditions_errors: list[str] = []
        if for_trainers:
            kinds = [("trainer_metric", gettext_lazy("A figure of the trainer's"))]
        else:
            kinds = [("project_score", gettext_lazy("A project's score")),
                     ("sessions_attended", gettext_lazy("Sessions attended")),
                     ("course_passed", gettext_lazy("Passing the course"))]
        for row in range(1, RULE_ROWS + 1):
            self.fields[f"c{row}_kind"] = forms.ChoiceField(
                label=gettext_lazy("Kind of condition"), required=False,
                choices=[("", gettext_lazy("No condition")), *kinds],
            )
            if for_trainers:
                self.fields[f"c{row}_metric"] = forms.ChoiceField(
                    label=gettext_lazy("Figure"), required=False,
                    choices=[("", gettext_lazy("Choose a figure")),
                             *((name, label) for name, (_direction, label) in trainers_api.CRITERIA.items())],
                )
                self.fields[f"c{row}_bound"] = forms.ChoiceField(
                    label=gettext_lazy("Compared as"), required=False, initial="min",
                    choices=[("min", gettext_lazy("at least")), ("max", gettext_lazy("at most"))],
                )
                self.fields[f"c{row}_threshold"] = forms.FloatField(
                    label=gettext_lazy("Threshold"), required=False, min_value=0,
                    widget=forms.NumberInput(attrs={"step": "any"}),
                )
                continue
            self.fields[f"c{row}_project"] = forms.ChoiceField(
                label=gettext_lazy("Project (for a project's score)"), required=False,
                choices=[("", gettext_lazy("Choose a project")), *(projects or [])],
            )
            self.fields[f"c{row}_min_percent"] = forms.FloatField(
                label=gettext_lazy("Minimum score, in % (for a project's score)"), required=False, min_value=0,
                max_value=100, widget=forms.NumberInput(attrs={"step": "any"}),
            )
            self.fields[f"c{row}_count"] = forms.IntegerField(
                label=gettext_lazy("Number of sessions (for sessions attended)"), required=False, min_value=1,
                max_value=1000,
            )
            if courses is not None:
                self.fields[f"c{row}_course"] = forms.ChoiceField(
                    label=gettext_lazy("Course (required for passing a course; for sessions, empty means any "
                                       "course)"),
                    required=False, choices=[("", gettext_lazy("Any course")), *courses],
                )

    def rows(self) -> list[dict[str, Any]]:
        """The condition rows for the template: their number and bound fields, by name (absent ones left out)."""
        return [{"number": row, "fields": [self[f"c{row}_{name}"] for name in ROW_FIELDS
                                           if f"c{row}_{name}" in self.fields]}
                for row in range(1, RULE_ROWS + 1)]

    def _required(self, name: str, message: str) -> Any:
        value = self.cleaned_data.get(name)
        if value in (None, "") and name not in self.errors:
            self.add_error(name, message)
        return value

    def _row(self, row: int) -> dict[str, Any] | None:
        """Row ``row``'s condition in the domain's shape (None when it has no kind); its missing fields refused."""
        field = f"c{row}_{{}}".format
        kind = self.cleaned_data.get(field("kind"))
        if not kind:
            return None
        if kind == "trainer_metric":
            metric = self._required(field("metric"), gettext("Choose a figure."))
            threshold = self._required(field("threshold"), gettext("Give the threshold."))
            bound = self.cleaned_data.get(field("bound")) or "min"
            return {"kind": kind, "metric": metric, bound: _number(threshold) if threshold is not None else None}
        if kind == "project_score":
            usage_key = self._required(field("project"), gettext("Choose a project."))
            percent = self._required(field("min_percent"), gettext("Give the minimum score."))
            return {"kind": kind, "usage_key": usage_key,
                    "min_percent": _number(percent) if percent is not None else None}
        course = self.cleaned_data.get(field("course")) or None
        if kind == "sessions_attended":
            count = self._required(field("count"), gettext("Give the number of sessions."))
            return {"kind": kind, "count": count, **({"course_key": course} if course else {})}
        if field("course") in self.fields:
            course = self._required(field("course"), gettext("Choose the course to pass."))
        return {"kind": kind, **({"course_key": course} if course else {})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        conditions = [condition for row in range(1, RULE_ROWS + 1) if (condition := self._row(row)) is not None]
        if not conditions and not self.errors:
            self.refuse_conditions(gettext("Add at least one condition: choose its kind."))
        cleaned["conditions"] = conditions
        return cleaned

    def refuse_conditions(self, message: str) -> None:
        """Show ``message`` above the rows (the domain's ``conditions`` refusals), every row's kind pointing at it."""
        self.conditions_errors.append(message)
        for row in range(1, RULE_ROWS + 1):
            widget = self.fields[f"c{row}_kind"].widget
            described = {self.conditions_error_id, *filter(None, str(widget.attrs.get("aria-describedby", "")).split())}
            widget.attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(sorted(described))})

    @property
    def conditions_error_id(self) -> str:
        return f"{self.auto_id % (self.add_prefix('conditions'))}-error" if self.auto_id else "conditions-error"

    def is_valid(self) -> bool:
        """Valid fields, and no refusal of the conditions as a whole."""
        return super().is_valid() and not self.conditions_errors

    def conditions(self) -> list[dict[str, Any]]:
        """The conditions in the domain's shape, in row order (after ``is_valid``)."""
        return list(self.cleaned_data.get("conditions") or [])


class DeactivateRuleForm(forms.Form):
    """Stop one rule (the view checks that it is one of the class's)."""

    rule_id = forms.IntegerField(min_value=1)
