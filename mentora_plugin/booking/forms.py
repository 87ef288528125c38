"""Forms of the trainers' pages. They check shapes and ranges; the booking API decides the rest."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentora_plugin.booking import api
from mentora_plugin.forms import AccessibleForm

#: Zones offered in the menu; any other IANA zone can be typed.
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Athens",
    "Europe/Moscow", "Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires", "America/Bogota", "America/Mexico_City", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Montreal",
)
WEEKDAYS = (
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
    (5, _("Saturday")), (6, _("Sunday")),
)
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CalendarForm(AccessibleForm):
    """The trainer's zone (from the menu, or typed) and limits."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[("", _("Another zone (type it below)"))] + [(z, z) for z in COMMON_ZONES],
        required=False,
    )
    other_time_zone = forms.CharField(
        label=_("Another IANA time zone"), required=False, max_length=64,
        help_text=_("For example America/Halifax. Used when the menu says “Another zone”."),
    )
    max_sessions_per_day = forms.IntegerField(label=_("At most sessions a day"), required=False, min_value=1,
                                              max_value=1000)
    max_sessions_per_week = forms.IntegerField(label=_("At most sessions a week"), required=False, min_value=1,
                                               max_value=1000)

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone") or (data.get("other_time_zone") or "").strip()
        field = "time_zone" if data.get("time_zone") else "other_time_zone"
        if not zone:
            self.add_error("other_time_zone", _("Choose a time zone, or type one."))
            return data
        try:
            api.parse_zone(zone)
        except api.BookingError as error:
            self.add_error(field, str(error))
        data["zone"] = zone
        return data


class RuleForm(AccessibleForm):
    """A weekly window to add."""

    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int)
    start = forms.TimeField(label=_("From"), widget=TIME_INPUT)
    end = forms.TimeField(label=_("To"), widget=TIME_INPUT)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] >= data["end"]:
            self.add_error("end", _("The window must end after it starts."))
        return data


class OverrideForm(AccessibleForm):
    """A day off, or extra hours on a date."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("What"), choices=(("unavailable", _("Day off (or time off)")),
                                                      ("extra", _("Extra hours"))))
    start = forms.TimeField(label=_("From"), required=False, widget=TIME_INPUT)
    end = forms.TimeField(label=_("To"), required=False, widget=TIME_INPUT)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            self.add_error("end" if start else "start", _("Give both a start and an end, or neither."))
        elif start and end and start >= end:
            self.add_error("end", _("The end must come after the start."))
        elif data.get("kind") == "extra" and start is None and not self.errors:
            self.add_error("start", _("Extra hours need a start and an end."))
        return data


class SessionTypeForm(AccessibleForm):
    """A session type's main settings (the REST API has every field)."""

    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=480, initial=60)
    capacity = forms.IntegerField(label=_("Seats (1 for a 1:1 session)"), min_value=1, max_value=500, initial=1)
    location = forms.ChoiceField(label=_("Where"), choices=(("video", _("Video call")), ("in_person", _("In person")),
                                                            ("provider", _("Video provider"))))
    location_detail = forms.CharField(label=_("Link or address"), required=False, max_length=500)
    buffer_before_minutes = forms.IntegerField(label=_("Free time before (minutes)"), min_value=0, max_value=240,
                                               initial=0)
    buffer_after_minutes = forms.IntegerField(label=_("Free time after (minutes)"), min_value=0, max_value=240,
                                              initial=0)
    minimum_notice_minutes = forms.IntegerField(label=_("Minimum notice (minutes)"), min_value=0, max_value=100000,
                                                initial=60)
    window_days = forms.IntegerField(label=_("Bookable this many days ahead"), min_value=1, max_value=3650,
                                     initial=30)
    slot_interval_minutes = forms.IntegerField(label=_("A start every (minutes)"), min_value=5, max_value=480,
                                               initial=30)
    requires_approval = forms.BooleanField(label=_("I approve each booking"), required=False)
    cancellation_cutoff_hours = forms.IntegerField(label=_("Learners may cancel until (hours before)"), min_value=0,
                                                   max_value=10000, initial=24)
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)

    FIELDS = ("title", "description", "duration_minutes", "capacity", "location", "location_detail",
              "buffer_before_minutes", "buffer_after_minutes", "minimum_notice_minutes", "window_days",
              "slot_interval_minutes", "requires_approval", "cancellation_cutoff_hours", "is_active")

    @classmethod
    def initial_from(cls, session_type) -> dict:
        return {name: getattr(session_type, name) for name in cls.FIELDS}


class CancelForm(AccessibleForm):
    """The trainer cancels, with a reason, past the cut-off if need be."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    override_cutoff = forms.BooleanField(label=_("Even after the cancellation cut-off"), required=False)
