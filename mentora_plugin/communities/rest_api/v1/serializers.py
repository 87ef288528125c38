"""
The communities API's serializers: output ones read the frozen dataclasses of ``communities.data`` (no model, so no
query while serializing: the lists keep their fixed query counts), input ones only shape the request; the domain
validates the values (lengths, choices it owns, dates) and answers with its own codes. Every name starts with
``Community`` so that the OpenAPI schema's components stay unique across Mentora's domains.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mentora_plugin.communities.models import (
    Forum,
    ModerationAction,
    Notification,
    NotificationPreference,
    Reaction,
    Report,
    Sanction,
)

# --- output -----------------------------------------------------------------------------------------------------------


class CommunityPersonSerializer(serializers.Serializer):
    """Someone named in a community (null where the person was retired)."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField(help_text="staff, trainer, moderator or learner.")


def _values(choices: Any) -> str:
    """The values of a choice set, for the schema (shown as text: several domains name their enums alike)."""
    return "One of: " + ", ".join(choices.values) + "."


def _person(**kwargs: Any) -> CommunityPersonSerializer:
    return CommunityPersonSerializer(allow_null=True, **kwargs)


class CommunityViewerSerializer(serializers.Serializer):
    """What the requester may do in the space."""

    user_id = serializers.IntegerField()
    can_moderate = serializers.BooleanField()
    can_sanction = serializers.BooleanField()
    can_manage = serializers.BooleanField()
    can_create_forum = serializers.BooleanField()
    can_answer = serializers.BooleanField()
    can_manage_groups = serializers.BooleanField()
    is_new_member = serializers.BooleanField(help_text="Stricter writing limits apply.")
    muted_until = serializers.DateTimeField(allow_null=True)
    priority_left = serializers.IntegerField(help_text="Priority questions left this week (Monday 00:00 UTC).")


class CommunityForumSerializer(serializers.Serializer):
    """A forum of a space."""

    id = serializers.IntegerField()
    course_id = serializers.CharField(source="course_key")
    kind = serializers.CharField(help_text=_values(Forum.Kind))
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown.")
    description_html = serializers.CharField(help_text="Sanitised HTML.")
    leader = _person()
    posting = serializers.CharField(help_text=_values(Forum.Posting))
    read_only = serializers.BooleanField()
    slow_mode_seconds = serializers.IntegerField()
    closes_at = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    archived = serializers.BooleanField()
    can_post = serializers.BooleanField(help_text="Whether you may start a thread here now.")
    following = serializers.BooleanField()
    group_id = serializers.IntegerField(allow_null=True)


class CommunitySpaceSerializer(serializers.Serializer):
    """A course's space as the requester sees it."""

    id = serializers.IntegerField()
    course_id = serializers.CharField(source="course_key")
    course_title = serializers.CharField()
    forums = CommunityForumSerializer(many=True)
    viewer = CommunityViewerSerializer()


class CommunityThreadSerializer(serializers.Serializer):
    """A thread as a line of a list."""

    id = serializers.IntegerField()
    forum_id = serializers.IntegerField()
    title = serializers.CharField()
    author = _person()
    created = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    reply_count = serializers.IntegerField()
    unread = serializers.BooleanField()
    pinned = serializers.BooleanField()
    locked = serializers.BooleanField()
    closed = serializers.BooleanField()
    hidden = serializers.BooleanField(help_text="Moderators only ever see true.")
    deleted = serializers.BooleanField(help_text="Moderators only ever see true.")
    is_question = serializers.BooleanField()
    private = serializers.BooleanField()
    priority = serializers.BooleanField()
    state = serializers.CharField(help_text="Questions: open, answered or accepted; else empty.")


class _PostFields(serializers.Serializer):
    id = serializers.IntegerField()
    thread_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    author = _person()
    is_opening = serializers.BooleanField()
    body = serializers.CharField(help_text="The Markdown source, for those who may edit it; else empty.")
    html = serializers.CharField(help_text="Sanitised HTML, safe to insert.")
    created = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    hidden = serializers.BooleanField()
    deleted = serializers.BooleanField()
    is_answer = serializers.BooleanField()
    report_count = serializers.IntegerField(help_text="Moderators only; 0 for others.")
    reactions = serializers.DictField(child=serializers.IntegerField(), help_text="Counts by kind.")
    my_reactions = serializers.ListField(child=serializers.CharField())
    can_edit = serializers.BooleanField()


class CommunityCommentSerializer(_PostFields):
    """A comment on a reply."""


class CommunityPostSerializer(_PostFields):
    """A post: the opening post, a reply (with its comments) or a comment."""

    comments = CommunityCommentSerializer(many=True)


class CommunityThreadDetailSerializer(serializers.Serializer):
    """A thread with its posts."""

    thread = CommunityThreadSerializer()
    forum = CommunityForumSerializer()
    opening = CommunityPostSerializer()
    replies = CommunityPostSerializer(many=True)
    following = serializers.BooleanField()
    can_reply = serializers.BooleanField()
    assignee = _person()
    due_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    accepted_post_id = serializers.IntegerField(allow_null=True)


class CommunityPriorityErrorSerializer(serializers.Serializer):
    error_code = serializers.CharField()
    message = serializers.CharField()


class CommunityCreatedThreadSerializer(CommunityThreadSerializer):
    """A new thread; ``priority_error`` says why it could not be marked priority (a race lost; else null)."""

    priority_error = CommunityPriorityErrorSerializer(allow_null=True, required=False)


class CommunityThreadPageSerializer(serializers.Serializer):
    """A page of a forum's threads: pinned first, then by last activity."""

    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = CommunityThreadSerializer(many=True, source="threads")


class CommunitySearchHitSerializer(serializers.Serializer):
    thread = CommunityThreadSerializer()
    post_id = serializers.IntegerField()
    excerpt = serializers.CharField(help_text="Plain text.")


class CommunitySearchResultsSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = CommunitySearchHitSerializer(many=True, source="hits")


class CommunitySimilarQuestionSerializer(serializers.Serializer):
    thread_id = serializers.IntegerField()
    forum_id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField()
    reply_count = serializers.IntegerField()
    replies_label = serializers.SerializerMethodField(help_text="The reply count in words, in the reader's language.")

    def get_replies_label(self, item) -> str:
        return ngettext("{count} reply", "{count} replies", item.reply_count).format(count=item.reply_count)


class CommunityQueueEntrySerializer(serializers.Serializer):
    """A priority question in the trainers' queue."""

    thread = CommunityThreadSerializer()
    asked_by = _person()
    assignee = _person()
    marked_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    escalated = serializers.BooleanField()


class CommunityResponseFiguresSerializer(serializers.Serializer):
    trainer = CommunityPersonSerializer()
    answered = serializers.IntegerField()
    median_seconds = serializers.IntegerField(allow_null=True)
    within_target = serializers.IntegerField()


class CommunityReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post_id = serializers.IntegerField()
    reason = serializers.CharField(help_text=_values(Report.Reason))
    note = serializers.CharField()
    reporter = _person(help_text="Moderators only.")
    created = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()


class CommunityReviewItemSerializer(serializers.Serializer):
    post = CommunityPostSerializer()
    thread_id = serializers.IntegerField()
    thread_title = serializers.CharField()
    forum_id = serializers.IntegerField()
    reports = CommunityReportSerializer(many=True)


class CommunitySanctionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = _person()
    kind = serializers.CharField(help_text=_values(Sanction.Kind))
    until = serializers.DateTimeField()
    reason = serializers.CharField()
    created_by = _person()
    created = serializers.DateTimeField()
    lifted_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()


class CommunityAuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField(help_text=_values(ModerationAction.Action))
    actor = _person()
    thread_id = serializers.IntegerField(allow_null=True)
    post_id = serializers.IntegerField(allow_null=True)
    target_user = _person()
    reason = serializers.CharField()
    details = serializers.JSONField()
    created = serializers.DateTimeField()


class CommunityAuditPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField(help_text="True when the page is full (the next one may be empty).")
    results = CommunityAuditEntrySerializer(many=True)


class CommunityMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = _person()
    overdue = serializers.BooleanField()


class CommunityGroupSerializer(serializers.Serializer):
    """A group project."""

    id = serializers.IntegerField()
    course_id = serializers.CharField(source="course_key")
    name = serializers.CharField()
    description = serializers.CharField()
    supervisor = _person()
    members = CommunityPersonSerializer(many=True)
    board_forum_id = serializers.IntegerField()
    project_usage_key = serializers.CharField()
    milestones = CommunityMilestoneSerializer(many=True)
    archived = serializers.BooleanField()


class CommunityNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_values(Notification.Kind))
    course_id = serializers.CharField(source="course_key")
    thread_id = serializers.IntegerField(allow_null=True)
    thread_title = serializers.CharField()
    post_id = serializers.IntegerField(allow_null=True)
    actor = _person()
    created = serializers.DateTimeField()
    read = serializers.BooleanField()
    url = serializers.CharField(help_text="The page it leads to (relative).")


class CommunityNotificationPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField(help_text="True when the page is full (the next one may be empty).")
    unread_count = serializers.IntegerField()
    results = CommunityNotificationSerializer(many=True)


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class _KindSet(serializers.Field):
    def to_representation(self, value: Any) -> list[str]:
        return sorted(value)


class CommunityPreferenceSerializer(serializers.Serializer):
    in_app = _KindSet(help_text="Kinds shown in the app.")
    email = _KindSet(help_text="Kinds gathered into the email digest.")
    digest = serializers.CharField(help_text=_values(NotificationPreference.Digest))


class CommunityReactionCountsSerializer(serializers.Serializer):
    reactions = serializers.DictField(child=serializers.IntegerField(), help_text="Counts by kind.")


class CommunityMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


# --- input ------------------------------------------------------------------------------------------------------------
# Texts keep their whitespace (Markdown cares) and are measured by the domain (its own codes: title_too_long...).


class _OneOf(serializers.CharField):
    """
    A choice shown in the schema as text with its values listed: several domains name fields ``kind``, ``reason``
    or ``action`` with their own choices, and drf-spectacular's named enums would collide.
    """

    default_error_messages = {"invalid_choice": _("“{input}” is not a valid choice.")}

    def __init__(self, values: Any, **kwargs: Any) -> None:
        self.values = tuple(values)
        kwargs.setdefault("help_text", "One of: " + ", ".join(self.values) + ".")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in self.values:
            self.fail("invalid_choice", input=value[:50])
        return value


def _one_of(values: Any, **kwargs: Any) -> _OneOf:
    return _OneOf(values, **kwargs)


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(trim_whitespace=False, allow_blank=True, **kwargs)


class CommunitySpaceChangeSerializer(serializers.Serializer):
    priority_weekly_quota = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100,
                                                     help_text="Null: the platform's default.")
    response_target_hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=720)
    auto_hide_reports = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)


class CommunityForumCreateSerializer(serializers.Serializer):
    title = _text()
    description = _text(required=False, default="", help_text="Markdown.")
    posting = _one_of(Forum.Posting.values, required=False, default=Forum.Posting.EVERYONE)
    read_only = serializers.BooleanField(required=False, default=False)
    slow_mode_seconds = serializers.IntegerField(required=False, default=0, min_value=0)
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CommunityForumChangeSerializer(serializers.Serializer):
    """Only the fields sent change."""

    title = _text(required=False)
    description = _text(required=False)
    posting = _one_of(Forum.Posting.values, required=False)
    read_only = serializers.BooleanField(required=False)
    slow_mode_seconds = serializers.IntegerField(required=False, min_value=0)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)
    archived = serializers.BooleanField(required=False)
    leader = serializers.CharField(required=False, allow_null=True, help_text="A trainer's username (staff only).")
    reason = _text(required=False, default="")


class CommunityThreadCreateSerializer(serializers.Serializer):
    title = _text(help_text="1-200 characters.")
    body = _text(help_text="Markdown, 1-20,000 characters.")
    private = serializers.BooleanField(required=False, default=False, help_text="Q&A only: seen by trainers.")
    priority = serializers.BooleanField(required=False, default=False,
                                        help_text="Q&A only: mark it priority (refused before creating when the "
                                        "weekly quota is used up).")


class CommunityThreadChangeSerializer(serializers.Serializer):
    title = _text(required=False)
    body = _text(required=False)
    reason = _text(required=False, default="", help_text="Required from a moderator editing someone else's.")


class CommunityReplyCreateSerializer(serializers.Serializer):
    body = _text(help_text="Markdown, 1-20,000 characters.")
    parent_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                         help_text="A reply of the thread: makes this a comment on it.")


class CommunityPostChangeSerializer(serializers.Serializer):
    body = _text()
    reason = _text(required=False, default="")


class CommunityReactionSerializer(serializers.Serializer):
    kind = _one_of(Reaction.Kind.values)


class CommunityReportCreateSerializer(serializers.Serializer):
    reason = _one_of(Report.Reason.values)
    note = _text(required=False, default="", max_length=500)


class CommunityResolveSerializer(serializers.Serializer):
    resolution = _one_of(Report.Resolution.values)
    reason = _text(required=False, default="")


THREAD_ACTIONS = ("pin", "unpin", "lock", "unlock", "close", "reopen", "move", "hide", "unhide", "delete", "restore")
POST_ACTIONS = ("hide", "unhide", "delete", "restore")


class CommunityThreadModerationSerializer(serializers.Serializer):
    action = _one_of(THREAD_ACTIONS)
    reason = _text(help_text="Why (required).")
    forum_id = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="move: the target.")


class CommunityPostModerationSerializer(serializers.Serializer):
    action = _one_of(POST_ACTIONS)
    reason = _text(required=False, default="", help_text="Required from moderators; an author deleting their own "
                   "post may leave it empty.")


class CommunitySanctionCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    kind = _one_of(Sanction.Kind.values)
    until = serializers.DateTimeField(help_text="In the future.")
    reason = _text()


class CommunityReasonSerializer(serializers.Serializer):
    reason = _text()


class CommunityModeratorSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    reason = _text(required=False, default="")


class CommunityAssignSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_null=True, default=None, max_length=150,
                                     help_text="A course trainer (staff assign anyone); omitted: yourself.")


class CommunityGroupCreateSerializer(serializers.Serializer):
    name = _text()
    description = _text(required=False, default="")
    supervisor = serializers.CharField(required=False, allow_null=True, default=None, help_text="A trainer's "
                                       "username.")
    members = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list,
                                    max_length=500, help_text="Usernames of enrolled learners.")


class CommunityGroupChangeSerializer(serializers.Serializer):
    name = _text(required=False)
    description = _text(required=False)
    supervisor = serializers.CharField(required=False, allow_null=True)
    archived = serializers.BooleanField(required=False)


class CommunityGroupMembersSerializer(serializers.Serializer):
    usernames = serializers.ListField(child=serializers.CharField(max_length=150), max_length=500,
                                      allow_empty=True)


class CommunityMilestoneCreateSerializer(serializers.Serializer):
    title = _text()
    due_at = serializers.DateTimeField()
    description = _text(required=False, default="")


class CommunityMilestoneChangeSerializer(serializers.Serializer):
    done = serializers.BooleanField(required=False)
    title = _text(required=False)
    due_at = serializers.DateTimeField(required=False)
    description = _text(required=False)


class CommunityGroupProjectSerializer(serializers.Serializer):
    usage_key = serializers.CharField(max_length=255, help_text="A team-mode project block of the course.")


class CommunityNotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, allow_null=True,
                                default=None, max_length=1000, help_text="Omitted or null: all of them.")


class CommunityPreferenceUpdateSerializer(serializers.Serializer):
    """What is left out stays as it is."""

    in_app = serializers.ListField(child=serializers.CharField(), required=False, help_text=_values(Notification.Kind))
    email = serializers.ListField(child=serializers.CharField(), required=False, help_text=_values(Notification.Kind))
    digest = _one_of(NotificationPreference.Digest.values, required=False)
