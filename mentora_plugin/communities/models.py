"""
Communities' data: one ``Space`` per course, its ``Forum``s (announcements, thematic forums, the Q&A, group boards),
``Thread``s and their ``Post``s (the opening post, replies, and comments on replies), reactions, mentions, follows,
read marks, reports, sanctions, the moderation log, group projects with milestones, and notifications.

Every text is a ``Post``: the thread's opening post (``Post.parent`` null, ``is_opening``), a reply (parent null) or a
comment (``parent`` = a reply). A ``Thread`` holds what its listing needs without a join to its posts: title,
author, ``reply_count`` (visible replies and comments), ``last_activity_at``, the flags (pinned, locked, closed,
hidden, deleted) and, for a question, its Q&A state. The API keeps these copies right in the same transaction as the
write that changes them.

A ``Member`` row per person and space is the lock of that person's writing in the space: posting takes it first,
so rate limits, slow mode, the weekly priority quota and duplicate detection hold under concurrency.

Retirement keeps posts (the conversation needs them) and nulls every author, actor and reporter link.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField, UsageKeyField

USER = settings.AUTH_USER_MODEL


class Space(models.Model):
    """
    The private community of one course, created on first use. Per-space overrides of the platform's defaults are
    null when the setting applies.

    .. no_pii:
    """

    course_key = CourseKeyField(max_length=255, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    priority_weekly_quota = models.PositiveSmallIntegerField(null=True, blank=True)
    response_target_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    auto_hide_reports = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("community space")
        verbose_name_plural = _("community spaces")

    def __str__(self) -> str:
        return str(self.course_key)


class Member(models.Model):
    """
    A person's standing in a space: when they first took part (new members get stricter limits), whether staff
    made them a moderator, and their writing lock. Rows are created on first write, not on enrollment.

    .. no_pii:
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_community_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)
    is_moderator = models.BooleanField(default=False)
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("community member")
        verbose_name_plural = _("community members")
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="mentora_communities_member_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.space_id}"


class Forum(models.Model):
    """
    A place to post in a space. ``announcements`` and ``qa`` exist once per space (made with it); ``discussion``
    forums are thematic, created and led by a trainer whose level allows it (or staff); ``group`` forums are the
    private boards of group projects. The two per-space forums are created in the transaction that inserts the
    ``Space`` (unique per course), so no constraint is needed (MySQL has no conditional unique constraints).

    .. no_pii:
    """

    class Kind(models.TextChoices):
        ANNOUNCEMENTS = "announcements", _("Announcements")
        DISCUSSION = "discussion", _("Thematic forum")
        QA = "qa", _("Questions and answers")
        GROUP = "group", _("Group board")

    class Posting(models.TextChoices):
        EVERYONE = "everyone", _("Everyone in the course")
        TRAINERS = "trainers", _("Trainers and staff")
        LEADERS = "leaders", _("The forum's leader and staff")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="forums")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    leader = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    posting = models.CharField(max_length=16, choices=Posting.choices, default=Posting.EVERYONE)
    read_only = models.BooleanField(default=False)
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    closes_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Thread(models.Model):
    """
    A conversation: its opening post and replies. In the Q&A forum it is a question: ``state`` follows it from open
    to answered (a trainer or staff answered) to accepted (the asker accepted an answer); ``priority`` questions
    have a response target (``due_at``), an ``assignee``, and escalate to staff when the target passes unanswered.
    A ``private`` question is seen only by its asker, the course's trainers, moderators and staff.

    .. pii: The author link (nulled on retirement; the text stays, authorless).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        ACCEPTED = "accepted", _("Accepted")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    created = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    reply_count = models.PositiveIntegerField(default=0)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    closed = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    is_question = models.BooleanField(default=False)
    private = models.BooleanField(default=False)
    priority = models.BooleanField(default=False)
    priority_marked_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, blank=True, default="")
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    accepted_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            # The forum's first page: visible threads, pinned first, by last activity.
            models.Index(fields=["forum", "deleted", "pinned", "last_activity_at"], name="mentora_comm_thread_page"),
            # The trainers' priority queue.
            models.Index(fields=["priority", "state", "due_at"], name="mentora_comm_thread_queue"),
            models.Index(fields=["author", "priority_marked_at"], name="mentora_comm_thread_quota"),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """
    One text: a thread's opening post, a reply (``parent`` null) or a comment on a reply. ``body`` is the author's
    Markdown, ``html`` its rendering through ``mentora_plugin.text.render_markdown`` (stored, so reading costs no
    rendering). ``search_text`` is the title and body as plain words, what search matches. Moderators hide (by hand
    or after enough reports) and soft-delete; the text is kept for them and for a restore.

    .. pii: The author link and the text (the link is nulled on retirement; the text stays, authorless).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_opening = models.BooleanField(default=False)
    body = models.TextField()
    html = models.TextField()
    search_text = models.TextField(blank=True, default="")
    fingerprint = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)
    is_answer = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["thread", "created"], name="mentora_comm_post_thread"),
            models.Index(fields=["author", "created"], name="mentora_comm_post_author"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk}"


class Reaction(models.Model):
    """
    One person's reaction of one kind to a post.

    .. no_pii:
    """

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        THANKS = "thanks", _("Thanks")
        HELPFUL = "helpful", _("Helpful")
        SAME_QUESTION = "same_question", _("Same question")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="mentora_communities_reaction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on post {self.post_id}"


class Mention(models.Model):
    """
    An @username in a post that named someone of the space (who is told).

    .. no_pii:
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="mentora_communities_mention_unique")]

    def __str__(self) -> str:
        return f"@{self.user_id} in post {self.post_id}"


class Follow(models.Model):
    """
    Someone following a thread, a forum or a person of a space: exactly one target is set (``follows.py`` makes
    them; a check constraint would need a different spelling on Django 4.2 and 6).

    .. no_pii:
    """

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_community_follows")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    forum = models.ForeignKey(Forum, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    followed_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            # Plain unique constraints (MySQL ignores conditional ones); NULLs never collide, so each holds for
            # its own kind of target only.
            models.UniqueConstraint(fields=["user", "thread"], name="mentora_communities_follow_thread"),
            models.UniqueConstraint(fields=["user", "forum"], name="mentora_communities_follow_forum"),
            models.UniqueConstraint(fields=["user", "space", "followed_user"], name="mentora_communities_follow_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.thread_id or self.forum_id or self.followed_user_id}"


class ThreadRead(models.Model):
    """
    When someone last read a thread: it is unread for them while its ``last_activity_at`` is later (or they never
    read it).

    .. no_pii:
    """

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="mentora_communities_read_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read thread {self.thread_id}"


class Report(models.Model):
    """
    Someone flagging a post for moderators, once per person and post. Open until a moderator resolves it.

    .. pii: The reporter link and their note (the link is nulled on retirement).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or harassing")
        OFF_TOPIC = "off_topic", _("Off topic")
        PRIVATE = "private", _("Shares private information")
        OTHER = "other", _("Something else")

    class Resolution(models.TextChoices):
        UPHELD = "upheld", _("Upheld: the post stays hidden or deleted")
        DISMISSED = "dismissed", _("Dismissed: the post is fine")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True, default="")

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            # A retired reporter's NULL never collides: their reports stay, counted.
            models.UniqueConstraint(fields=["post", "reporter"], name="mentora_communities_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on post {self.post_id}"


class Sanction(models.Model):
    """
    A person muted (may read, may not write) or suspended (may neither read nor write) in a space until a date.
    Lifting it early keeps the row (the audit log points at it).

    .. pii: Who was sanctioned and why (deleted on their retirement).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    class Kind(models.TextChoices):
        MUTE = "mute", _("Muted")
        SUSPEND = "suspend", _("Suspended")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="sanctions")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    until = models.DateTimeField()
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [models.Index(fields=["space", "user", "until"], name="mentora_comm_sanction_active")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} until {self.until:%Y-%m-%d %H:%M}"


class ModerationAction(models.Model):
    """
    The audit log: every moderation action, who took it, on what, and why. Never edited.

    .. pii: The actor and target links (nulled on retirement) and the reason.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    class Action(models.TextChoices):
        EDIT = "edit", _("Edited")
        CLOSE = "close", _("Closed")
        REOPEN = "reopen", _("Reopened")
        PIN = "pin", _("Pinned")
        UNPIN = "unpin", _("Unpinned")
        LOCK = "lock", _("Locked")
        UNLOCK = "unlock", _("Unlocked")
        MOVE = "move", _("Moved")
        HIDE = "hide", _("Hidden")
        AUTO_HIDE = "auto_hide", _("Hidden after reports")
        UNHIDE = "unhide", _("Shown again")
        DELETE = "delete", _("Deleted")
        RESTORE = "restore", _("Restored")
        MUTE = "mute", _("Muted")
        SUSPEND = "suspend", _("Suspended")
        LIFT = "lift", _("Sanction lifted")
        RESOLVE_REPORT = "resolve_report", _("Report resolved")
        ROLE = "role", _("Moderator role changed")
        FORUM_RULES = "forum_rules", _("Forum rules changed")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="moderation_log")
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id}"


class Group(models.Model):
    """
    A group project: learners of a course working together under a supervising trainer, with a private board (a
    ``group`` forum) and milestones. ``project_usage_key`` links it to a team-mode project of reviews, where the
    group submits as a team.

    .. no_pii:
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    supervisor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    board = models.OneToOneField(Forum, on_delete=models.PROTECT, related_name="group")
    project_usage_key = UsageKeyField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    archived = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("group project")
        verbose_name_plural = _("group projects")
        constraints = [models.UniqueConstraint(fields=["space", "name"], name="mentora_communities_group_name")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """
    A learner in a group, added by its supervisor or staff.

    .. no_pii:
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_community_groups")
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="mentora_communities_group_member")]

    def __str__(self) -> str:
        return f"{self.user_id} in group {self.group_id}"


class Milestone(models.Model):
    """
    A step of a group project with a due date, marked done by a member or the supervisor.

    .. no_pii:
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """
    Something to tell one person, shown in their in-app list and gathered into their email digest. Idempotent per
    recipient, kind and post (or thread), so a retried task tells once.

    .. no_pii:
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("Replies to my threads and posts")
        MENTION = "mention", _("Mentions of me")
        FOLLOWED_THREAD = "followed_thread", _("New posts in threads I follow")
        FOLLOWED_FORUM = "followed_forum", _("New threads in forums I follow")
        FOLLOWED_USER = "followed_user", _("New posts by people I follow")
        ANSWER = "answer", _("Answers to my questions")
        PRIORITY = "priority", _("Priority questions for me to answer")
        ESCALATION = "escalation", _("Priority questions past their response target")
        GROUP = "group", _("News of my group projects")
        MODERATION = "moderation", _("Moderation of my posts")

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_community_notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=64)
    created = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="mentora_communities_notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created"], name="mentora_comm_notif_list"),
            models.Index(fields=["emailed_at", "created"], name="mentora_comm_notif_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """
    What one person wants to hear: ``in_app`` and ``email`` are the lists of ``Notification.Kind`` they receive
    there (null: the defaults), and how often the email digest comes.

    .. no_pii:
    """

    class Digest(models.TextChoices):
        NEVER = "never", _("Never")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="mentora_community_preferences")
    in_app = models.JSONField(null=True, blank=True)
    email = models.JSONField(null=True, blank=True)
    digest = models.CharField(max_length=8, choices=Digest.choices, default=Digest.DAILY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
