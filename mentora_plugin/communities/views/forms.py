"""
The forms of communities' pages. They check shapes only (lengths, choices, dates); ``communities.api`` decides
everything else, and its refusals are put back next to the field they concern (``refuse``).
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from mentora_plugin.communities.data import REPORT_REASONS
from mentora_plugin.communities.models import Notification, NotificationPreference, Report, Sanction
from mentora_plugin.forms import AccessibleForm

#: What the API accepts (posts.py checks the same; the form stops a huge request early).
MAX_BODY = 20_000
MAX_TITLE = 200
MAX_REASON = 500

THREAD_ACTIONS = (
    ("pin", gettext_lazy("Pin")),
    ("unpin", gettext_lazy("Unpin")),
    ("lock", gettext_lazy("Lock")),
    ("unlock", gettext_lazy("Unlock")),
    ("close", gettext_lazy("Close")),
    ("reopen", gettext_lazy("Reopen")),
    ("move", gettext_lazy("Move to another forum")),
    ("hide", gettext_lazy("Hide")),
    ("unhide", gettext_lazy("Show again")),
    ("delete", gettext_lazy("Delete")),
    ("restore", gettext_lazy("Restore")),
)
POST_ACTIONS = (
    ("hide", gettext_lazy("Hide")),
    ("unhide", gettext_lazy("Show again")),
    ("delete", gettext_lazy("Delete")),
    ("restore", gettext_lazy("Restore")),
)
SHOW_CHOICES = (
    ("all", gettext_lazy("All threads")),
    ("unread", gettext_lazy("Unread")),
    ("following", gettext_lazy("Following")),
    ("unanswered", gettext_lazy("Unanswered")),
)


def _text(rows: int, max_length: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": max_length})


def refuse(form: forms.Form, error: Any, message: str) -> int:
    """Put an API refusal next to its field (or above the form) and return the HTTP status to answer with."""
    field = getattr(error, "field", "") or None
    form.add_error(field if field in form.fields else None, message)
    return int(getattr(error, "status", 400))


class ThreadForm(AccessibleForm):
    """A new thread; in the Q&A, a question that may be private (to trainers and staff) or priority."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE,
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))
    body = forms.CharField(label=gettext_lazy("Message"), max_length=MAX_BODY, widget=_text(8, MAX_BODY),
                           help_text=gettext_lazy("Markdown: **bold**, *italics*, `code`, lists, links; "
                                                  "@username names someone."))

    def __init__(self, *args: Any, question: bool = False, priority_left: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if question:
            self.fields["private"] = forms.BooleanField(
                label=gettext_lazy("Private: only trainers and staff see it"), required=False)
            if priority_left > 0:
                self.fields["priority"] = forms.BooleanField(
                    label=gettext_lazy("Priority question: a trainer answers within the response target"),
                    required=False)


class ReplyForm(AccessibleForm):
    """A reply to a thread, or (``parent_id``) a comment on a reply."""

    body = forms.CharField(label=gettext_lazy("Your reply"), max_length=MAX_BODY, widget=_text(6, MAX_BODY))


class CommentForm(AccessibleForm):
    """A comment on one reply."""

    body = forms.CharField(label=gettext_lazy("Your comment"), max_length=MAX_BODY, widget=_text(3, MAX_BODY))


class ReportForm(AccessibleForm):
    """Flag a post for the moderators."""

    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=REPORT_REASONS)
    note = forms.CharField(label=gettext_lazy("Note for the moderators (optional)"), required=False,
                           max_length=MAX_REASON)


class ModerateThreadForm(AccessibleForm):
    """A moderator's action on a whole thread, with the reason kept in the audit log."""

    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=THREAD_ACTIONS)
    forum = forms.TypedChoiceField(label=gettext_lazy("Move to (for “Move”)"), required=False, coerce=int,
                                   empty_value=None)
    reason = forms.CharField(label=gettext_lazy("Reason (kept in the moderation log)"), max_length=MAX_REASON)

    def __init__(self, *args: Any, forums: list[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forum"].choices = [("", "—"), *forums]


class ModeratePostForm(AccessibleForm):
    """A moderator's action on one post (or its author deleting it), with the reason."""

    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=POST_ACTIONS)
    reason = forms.CharField(label=gettext_lazy("Reason (kept in the moderation log)"), max_length=MAX_REASON)


class ResolveForm(AccessibleForm):
    """A moderator's decision on a reported or hidden post."""

    resolution = forms.ChoiceField(label=gettext_lazy("Decision"), choices=Report.Resolution.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=MAX_REASON)


class SanctionForm(AccessibleForm):
    """Mute (may read, not write) or suspend (neither) someone in the space until a date."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    kind = forms.ChoiceField(label=gettext_lazy("Sanction"), choices=Sanction.Kind.choices)
    until = forms.DateTimeField(label=gettext_lazy("Until (your time zone)"),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    reason = forms.CharField(label=gettext_lazy("Reason (the person is told)"), max_length=MAX_REASON)


class LiftForm(AccessibleForm):
    """End a sanction early."""

    reason = forms.CharField(label=gettext_lazy("Reason for lifting it"), max_length=MAX_REASON)


class ModeratorForm(AccessibleForm):
    """Staff name (or un-name) a moderator of the space."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    is_moderator = forms.TypedChoiceField(
        label=gettext_lazy("Role"), coerce=lambda value: value == "1",
        choices=(("1", gettext_lazy("Make moderator")), ("0", gettext_lazy("Remove moderator role"))))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=MAX_REASON)


POSTING_CHOICES = (
    ("everyone", gettext_lazy("Everyone in the course")),
    ("trainers", gettext_lazy("Trainers and staff")),
    ("leaders", gettext_lazy("The forum's leader and staff")),
)
#: Slow mode as people choose it (seconds between two posts of a learner in the forum).
SLOW_MODE_CHOICES = (
    (0, gettext_lazy("Off")),
    (30, gettext_lazy("30 seconds")),
    (60, gettext_lazy("1 minute")),
    (300, gettext_lazy("5 minutes")),
    (900, gettext_lazy("15 minutes")),
    (3600, gettext_lazy("1 hour")),
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _when(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    """A date and time typed in the viewer's time zone (the view makes it aware: ``pages.in_zone``)."""
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_FORMATS, help_text=help_text,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class ForumForm(AccessibleForm):
    """A new thematic forum (its trainer creator leads it; staff may name a leader)."""

    title = forms.CharField(label=gettext_lazy("Forum title"), max_length=MAX_TITLE)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=5000,
                                  widget=_text(3, 5000))
    posting = forms.ChoiceField(label=gettext_lazy("Who may start threads"), choices=POSTING_CHOICES)

    def __init__(self, *args: Any, name_leader: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if name_leader:
            self.fields["leader"] = _leader_field()


def _leader_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Leader (username of a trainer of the course)"), required=False, max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Empty: no leader; the course's staff look after the forum."))


class ForumRulesForm(AccessibleForm):
    """
    A forum's rules as its leader or the course's staff change them. Only staff name the leader; the announcements
    and Q&A forums and group boards are never archived here (a group's board follows its group).
    """

    title = forms.CharField(label=gettext_lazy("Forum title"), max_length=MAX_TITLE)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=5000,
                                  widget=_text(3, 5000))
    posting = forms.ChoiceField(label=gettext_lazy("Who may start threads"), choices=POSTING_CHOICES)
    read_only = forms.BooleanField(label=gettext_lazy("Read-only: only the leader and the moderators post"),
                                   required=False)
    slow_mode_seconds = forms.TypedChoiceField(
        label=gettext_lazy("Slow mode: time a learner waits between two posts here"), coerce=int,
        choices=SLOW_MODE_CHOICES)
    closes_at = _when(gettext_lazy("Closes on (your time zone)"), required=False,
                      help_text=gettext_lazy("Empty: the forum stays open. Once closed, nobody posts any more."))
    reason = forms.CharField(label=gettext_lazy("Reason (optional, kept in the moderation log)"), required=False,
                             max_length=MAX_REASON)

    def __init__(self, *args: Any, archivable: bool = False, name_leader: bool = False,
                 slow_mode_now: int = 0, slow_mode_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if slow_mode_now not in dict(SLOW_MODE_CHOICES):  # a value set through the REST API stays choosable
            self.fields["slow_mode_seconds"].choices = sorted(
                [*SLOW_MODE_CHOICES, (slow_mode_now, slow_mode_label)], key=lambda pair: pair[0])
        if archivable:
            self.fields["archived"] = forms.BooleanField(
                label=gettext_lazy("Archived: hidden from learners, kept for the moderators"), required=False)
        if name_leader:
            self.fields["leader"] = _leader_field()
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])


class EditPostForm(AccessibleForm):
    """A post's new text (and its thread's title for an opening post); a moderator editing another's says why."""

    body = forms.CharField(label=gettext_lazy("Message"), max_length=MAX_BODY, widget=_text(10, MAX_BODY),
                           help_text=gettext_lazy("Markdown: **bold**, *italics*, `code`, lists, links; "
                                                  "@username names someone."))

    def __init__(self, *args: Any, with_title: bool = False, with_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_title:
            self.fields["title"] = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE,
                                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))
            self.order_fields(["title", "body"])
        if with_reason:
            self.fields["reason"] = forms.CharField(
                label=gettext_lazy("Reason for editing someone else's post (kept in the moderation log)"),
                required=False, max_length=MAX_REASON)


def _setting(label: Any, minimum: int, default: int) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=minimum, max_value=1000,
                              help_text=format_lazy(gettext_lazy("Empty: the platform's default ({default})."),
                                                    default=default))


class SpaceSettingsForm(AccessibleForm):
    """The space's own settings; an empty field follows the platform's default (named in its help)."""

    def __init__(self, *args: Any, defaults: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority_weekly_quota"] = _setting(
            gettext_lazy("Priority questions per learner and week"), 0, defaults.default_priority_weekly_quota)
        self.fields["response_target_hours"] = _setting(
            gettext_lazy("Response target for priority questions (hours)"), 1,
            defaults.default_response_target_hours)
        self.fields["auto_hide_reports"] = _setting(
            gettext_lazy("Reports that hide a post until a moderator looks (0: never)"), 0,
            defaults.default_auto_hide_reports)


class GroupEditForm(AccessibleForm):
    """A group's name and description (its supervisor or staff)."""

    name = forms.CharField(label=gettext_lazy("Group name"), max_length=MAX_TITLE)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=5000,
                                  widget=_text(3, 5000))


class GroupForm(AccessibleForm):
    """A new group project: its name, description and members (usernames of enrolled learners)."""

    name = forms.CharField(label=gettext_lazy("Group name"), max_length=MAX_TITLE)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=5000,
                                  widget=_text(3, 5000))
    members = forms.CharField(label=gettext_lazy("Members (usernames, separated by commas or spaces)"),
                              required=False, max_length=5000)

    def clean_members(self) -> list[str]:
        return usernames(self.cleaned_data["members"])


class MembersForm(AccessibleForm):
    """The group's members, all at once."""

    members = forms.CharField(label=gettext_lazy("Members (usernames, separated by commas or spaces)"),
                              required=False, max_length=5000)

    def clean_members(self) -> list[str]:
        return usernames(self.cleaned_data["members"])


def usernames(value: str) -> list[str]:
    """Usernames typed in a field, in order, once each."""
    return list(dict.fromkeys(part for part in value.replace(",", " ").split() if part))


class MilestoneForm(AccessibleForm):
    """A milestone of a group project."""

    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=MAX_TITLE)
    due_at = forms.DateTimeField(label=gettext_lazy("Due (your time zone)"),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                            format="%Y-%m-%dT%H:%M"))
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=5000,
                                  widget=_text(2, 5000))


class ProjectLinkForm(AccessibleForm):
    """Link the group to a team-mode project of the course (it then submits as a team)."""

    usage_key = forms.CharField(label=gettext_lazy("Project block usage key"), max_length=255)


class PreferencesForm(AccessibleForm):
    """What someone hears about, in the app and by email, and how often the digest comes."""

    in_app = forms.MultipleChoiceField(label=gettext_lazy("In Mentora"), required=False,
                                       choices=Notification.Kind.choices, widget=forms.CheckboxSelectMultiple)
    email = forms.MultipleChoiceField(label=gettext_lazy("By email"), required=False,
                                      choices=Notification.Kind.choices, widget=forms.CheckboxSelectMultiple)
    digest = forms.ChoiceField(label=gettext_lazy("Email digest"), choices=NotificationPreference.Digest.choices)
