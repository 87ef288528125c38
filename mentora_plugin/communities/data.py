"""
What communities' API returns: plain, frozen data, so that callers (pages, REST, the block, Celery) never hold a
model instance and never trigger a query by reading an attribute. Times are aware UTC datetimes.

An author, actor or member is a ``PersonRef``; ``None`` where the person was retired (the page says "a former
member") or never was.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from opaque_keys.edx.keys import CourseKey

from mentora_plugin.communities.models import ModerationAction, Reaction, Report

__all__ = [
    "MODERATION_ACTIONS",
    "REACTION_KINDS",
    "REPORT_REASONS",
    "AuditEntry",
    "ForumInfo",
    "GroupInfo",
    "MilestoneInfo",
    "NotificationInfo",
    "PersonRef",
    "PostInfo",
    "PreferenceInfo",
    "QueueEntry",
    "ReportInfo",
    "ResponseFigures",
    "ReviewItem",
    "SanctionInfo",
    "SearchHit",
    "SimilarQuestion",
    "SpaceInfo",
    "SpaceSettings",
    "ThreadDetail",
    "ThreadPage",
    "ThreadSummary",
    "ViewerInfo",
]


#: The choices callers show, as (value, lazily translated label) pairs in the models' order, so that pages and the
#: REST API label reactions, report reasons and logged actions without importing the models.
REACTION_KINDS: tuple[tuple[str, str], ...] = tuple(Reaction.Kind.choices)
REPORT_REASONS: tuple[tuple[str, str], ...] = tuple(Report.Reason.choices)
MODERATION_ACTIONS: tuple[tuple[str, str], ...] = tuple(ModerationAction.Action.choices)


@dataclass(frozen=True)
class PersonRef:
    """Someone named on a page. ``role`` is their part in the course: "staff", "trainer", "moderator", "learner"."""

    id: int
    username: str
    display_name: str
    role: str = "learner"


@dataclass(frozen=True)
class ViewerInfo:
    """What the person looking at a space may do there (pages show only the doors that open)."""

    user_id: int
    can_moderate: bool
    can_sanction: bool
    can_manage: bool
    can_create_forum: bool
    can_answer: bool
    can_manage_groups: bool
    is_new_member: bool
    muted_until: datetime | None
    priority_left: int


@dataclass(frozen=True)
class ForumInfo:
    """
    A forum of a space. ``is_open`` is False once ``closes_at`` has passed; ``can_post`` says whether the viewer
    may start a thread here now (rules, read-only, closed, mute); ``following`` whether they follow it.
    """

    id: int
    course_key: CourseKey
    kind: str
    title: str
    description: str
    description_html: str
    leader: PersonRef | None
    posting: str
    read_only: bool
    slow_mode_seconds: int
    closes_at: datetime | None
    is_open: bool
    archived: bool
    can_post: bool = False
    following: bool = False
    group_id: int | None = None


@dataclass(frozen=True)
class SpaceInfo:
    """A course's space as its viewer sees it: the forums they may read (announcements, Q&A, thematic)."""

    id: int
    course_key: CourseKey
    course_title: str
    forums: tuple[ForumInfo, ...]
    viewer: ViewerInfo


@dataclass(frozen=True)
class SpaceSettings:
    """
    A space's own settings (None: it follows the platform's) and the platform's defaults, for the staff's settings
    page to show what an empty field means. ``auto_hide_reports`` 0: reports never hide a post.
    """

    priority_weekly_quota: int | None
    response_target_hours: int | None
    auto_hide_reports: int | None
    default_priority_weekly_quota: int
    default_response_target_hours: int
    default_auto_hide_reports: int


@dataclass(frozen=True)
class ThreadSummary:
    """
    A line of a forum's list. ``unread``: new activity since the viewer last read it (or never read). ``hidden`` and
    ``deleted`` are only ever True for moderators (others do not get such threads).
    """

    id: int
    forum_id: int
    title: str
    author: PersonRef | None
    created: datetime
    last_activity_at: datetime
    reply_count: int
    unread: bool
    pinned: bool = False
    locked: bool = False
    closed: bool = False
    hidden: bool = False
    deleted: bool = False
    is_question: bool = False
    private: bool = False
    priority: bool = False
    state: str = ""


@dataclass(frozen=True)
class ThreadPage:
    """One page of threads (``page`` counts from 1)."""

    threads: tuple[ThreadSummary, ...]
    page: int
    has_next: bool


@dataclass(frozen=True)
class PostInfo:
    """
    A post as its viewer sees it. ``html`` is the sanitised rendering (safe to insert); ``body`` the Markdown source,
    given only to those who may edit it (else ""). ``reactions`` counts by kind; ``my_reactions`` the viewer's.
    ``comments`` are the comments on a reply (empty for comments themselves). A hidden or deleted post reaches only
    moderators (its flags say so); ``report_count`` is 0 for everyone else.
    """

    id: int
    thread_id: int
    parent_id: int | None
    author: PersonRef | None
    is_opening: bool
    body: str
    html: str
    created: datetime
    edited_at: datetime | None
    hidden: bool = False
    deleted: bool = False
    is_answer: bool = False
    report_count: int = 0
    reactions: dict[str, int] = field(default_factory=dict)
    my_reactions: tuple[str, ...] = ()
    comments: tuple[PostInfo, ...] = ()
    can_edit: bool = False


@dataclass(frozen=True)
class ThreadDetail:
    """A thread with its posts, as its viewer sees it (and what the Q&A knows of a question)."""

    thread: ThreadSummary
    forum: ForumInfo
    opening: PostInfo
    replies: tuple[PostInfo, ...]
    following: bool
    can_reply: bool
    assignee: PersonRef | None = None
    due_at: datetime | None = None
    answered_at: datetime | None = None
    escalated_at: datetime | None = None
    accepted_post_id: int | None = None


@dataclass(frozen=True)
class SearchHit:
    """A thread matching a search, with the best-matching post's excerpt (plain text)."""

    thread: ThreadSummary
    post_id: int
    excerpt: str


@dataclass(frozen=True)
class SimilarQuestion:
    """A question already asked that looks like the one being typed."""

    thread_id: int
    forum_id: int
    title: str
    state: str
    reply_count: int


@dataclass(frozen=True)
class QueueEntry:
    """A priority question waiting in the trainers' queue."""

    thread: ThreadSummary
    asked_by: PersonRef | None
    assignee: PersonRef | None
    marked_at: datetime
    due_at: datetime
    overdue: bool
    escalated: bool


@dataclass(frozen=True)
class ResponseFigures:
    """A trainer's answers to priority questions over a period: how many, how fast, how often within target."""

    trainer: PersonRef
    answered: int
    median_seconds: int | None
    within_target: int


@dataclass(frozen=True)
class MilestoneInfo:
    """A milestone of a group project."""

    id: int
    title: str
    description: str
    due_at: datetime
    done_at: datetime | None
    done_by: PersonRef | None
    overdue: bool


@dataclass(frozen=True)
class GroupInfo:
    """A group project: its members, supervisor, board (a forum) and milestones."""

    id: int
    course_key: CourseKey
    name: str
    description: str
    supervisor: PersonRef | None
    members: tuple[PersonRef, ...]
    board_forum_id: int
    project_usage_key: str
    milestones: tuple[MilestoneInfo, ...]
    archived: bool


@dataclass(frozen=True)
class ReportInfo:
    """A report of a post (``reporter`` is shown to moderators only)."""

    id: int
    post_id: int
    reason: str
    note: str
    reporter: PersonRef | None
    created: datetime
    resolved_at: datetime | None
    resolution: str


@dataclass(frozen=True)
class ReviewItem:
    """A post waiting in the moderators' review queue, with its open reports."""

    post: PostInfo
    thread_id: int
    thread_title: str
    forum_id: int
    reports: tuple[ReportInfo, ...]
    thread_hidden: bool = False
    thread_deleted: bool = False


@dataclass(frozen=True)
class SanctionInfo:
    """A mute or suspension in a space."""

    id: int
    user: PersonRef | None
    kind: str
    until: datetime
    reason: str
    created_by: PersonRef | None
    created: datetime
    lifted_at: datetime | None
    active: bool


@dataclass(frozen=True)
class AuditEntry:
    """A line of the moderation log."""

    id: int
    action: str
    actor: PersonRef | None
    thread_id: int | None
    post_id: int | None
    target_user: PersonRef | None
    reason: str
    details: dict
    created: datetime


@dataclass(frozen=True)
class NotificationInfo:
    """A line of someone's in-app notifications. ``url`` is the page it leads to (relative)."""

    id: int
    kind: str
    course_key: CourseKey
    thread_id: int | None
    thread_title: str
    post_id: int | None
    actor: PersonRef | None
    created: datetime
    read: bool
    url: str


@dataclass(frozen=True)
class PreferenceInfo:
    """What someone receives in the app and by email (kinds of ``Notification``), and how often the digest comes."""

    in_app: frozenset[str]
    email: frozenset[str]
    digest: str
