"""
Priority questions and answers: the promise a course makes to its learners that a trainer answers within a target.

A learner marks one of their questions (threads of the Q&A forum) as priority, within a weekly quota (Monday 00:00
UTC to Monday, counted under their locked ``Member`` row so that racing clicks cannot beat it); the question gets a
``due_at`` (marked + the space's response target) and lands in the trainers' queue, due first. A trainer takes it
(or staff assign it); the first reply by someone who may answer makes it answered (``note_reply``, called by
``posts.reply`` inside its transaction), which records the trainer's activity with its turnaround (trainers'
levels read it) and tells the asker. The asker (or staff) accepts an answer. A question still open past its target
escalates to the course's staff, once (``escalate_overdue``, Celery beat). ``response_figures`` sums it up per
trainer.
"""
from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora_plugin.communities import access
from mentora_plugin.communities.common import CommunitiesError, forbidden
from mentora_plugin.communities.data import QueueEntry, ResponseFigures, ThreadSummary
from mentora_plugin.communities.models import Forum, Notification, Post, Space, Thread
from mentora_plugin.host import api as host_api

__all__ = [
    "accept_answer",
    "assign_question",
    "escalate_overdue",
    "mark_priority",
    "priority_left",
    "question_queue",
    "response_figures",
    "response_target_hours",
    "unaccept_answer",
]

QUEUE_STATES = ("open", "answered", "accepted", "all")
MAX_FIGURE_DAYS = 366


# --- settings of a space ----------------------------------------------------------------------------------------------


def weekly_quota(space: Space) -> int:
    """The space's own weekly priority quota, or the platform's (``MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA``)."""
    if space.priority_weekly_quota is not None:
        return space.priority_weekly_quota
    return int(settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA)


def target_hours(space: Space) -> int:
    """The space's response target in hours, or the platform's (``MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS``)."""
    if space.response_target_hours is not None:
        return space.response_target_hours
    return int(settings.MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS)


def response_target_hours(course_key: Any) -> int:
    """
    The course's response promise in hours: its space's own target, else the platform's. Public knowledge (the
    queue and the question pages state it), so no reader check; a course without a space yet has the default.
    """
    space = Space.objects.filter(course_key=access._course_key(course_key)).first()
    return target_hours(space) if space is not None else int(settings.MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS)


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The quota's week around ``now``: Monday 00:00 UTC to the next Monday 00:00 UTC."""
    day = now.astimezone(UTC).date()
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=day.weekday())
    return start, start + timedelta(days=7)


def _used_this_week(space: Space, user_id: int, now: datetime) -> int:
    start, _end = week_bounds(now)
    return Thread.objects.filter(
        author_id=user_id, priority_marked_at__gte=start, forum__space=space
    ).count()  # index mentora_comm_thread_quota (author, priority_marked_at)


def priority_left_in(ctx: access.Context, now: datetime | None = None) -> int:
    """How many questions ``ctx``'s user may still mark as priority this week (for a ``Context`` at hand)."""
    now = now or timezone.now()
    return max(0, weekly_quota(ctx.space) - _used_this_week(ctx.space, ctx.user_id, now))


def priority_left(user: Any, course_key: Any) -> int:
    """
    How many questions ``user`` may still mark as priority in the course this week.

    Raises:
        CommunitiesError: 403 ``not_enrolled`` / ``suspended``; 400 ``invalid_course_key``.
    """
    return priority_left_in(access.reader(user, course_key))


# --- shaping ----------------------------------------------------------------------------------------------------------


def _entries(ctx: access.Context, threads: list[Thread], now: datetime) -> list[QueueEntry]:
    """Queue lines for ``threads`` (fetched with their read marks): people in constant queries."""
    from mentora_plugin.communities import listing, posts

    people = access.person_refs(ctx, {t.author_id for t in threads} | {t.assignee_id for t in threads})
    entries = []
    for thread in threads:
        line: ThreadSummary = posts.thread_summary(ctx, thread, people, unread=listing._is_unread(thread))
        due = thread.due_at or thread.priority_marked_at or thread.created
        entries.append(QueueEntry(
            thread=line,
            asked_by=line.author,
            assignee=people.get(thread.assignee_id) if thread.assignee_id else None,
            marked_at=thread.priority_marked_at or thread.created,
            due_at=due,
            overdue=thread.state == Thread.State.OPEN and due < now,
            escalated=thread.escalated_at is not None,
        ))
    return entries


def _entry(ctx: access.Context, thread_id: int) -> QueueEntry:
    from mentora_plugin.communities import listing

    thread = listing._with_read_mark(Thread.objects.filter(pk=thread_id), ctx.user_id).get()
    return _entries(ctx, [thread], timezone.now())[0]


def _notify(recipient_ids: Any, kind: str, *, space_id: int, thread_id: int, key: str,
            actor_id: int | None = None, post_id: int | None = None) -> None:
    """Tell people once the transaction commits (``notifications.notify``, idempotent by key)."""
    recipients = sorted({int(i) for i in recipient_ids if i})
    if not recipients:
        return

    def send() -> None:
        from mentora_plugin.communities import notifications

        notifications.notify(recipients, kind, space_id=space_id, thread_id=thread_id, post_id=post_id,
                             actor_id=actor_id, key=key)

    transaction.on_commit(send)


# --- marking priority -------------------------------------------------------------------------------------------------


def mark_priority(user: Any, thread_id: Any) -> QueueEntry:
    """
    Mark one of ``user``'s questions as priority: it gets a response target (``due_at``) and enters the trainers'
    queue, and the course's trainers are told.

    Raises:
        CommunitiesError: 404 ``thread_not_found``; 400 ``not_a_question``; 403 ``not_asker`` (someone else's
            question); 409 ``already_priority``, ``question_accepted``, ``priority_quota_exhausted`` (``until`` the
            next Monday 00:00 UTC); 403 ``not_enrolled`` / ``suspended`` / ``muted``.
    """
    ctx, thread = access.reader_of_thread(user, thread_id)
    if not thread.is_question:
        raise CommunitiesError("not_a_question", _("Only questions can be marked as priority."), 400)
    if thread.author_id != ctx.user_id:
        raise forbidden(_("Only the person who asked may mark a question as priority."), code="not_asker")
    if ctx.muted_until is not None:
        raise forbidden(_("You are muted in this course's community."), code="muted", until=ctx.muted_until)
    access.ensure_member(ctx)  # before the transaction: INSERT IGNORE + FOR UPDATE deadlocks on MariaDB
    with transaction.atomic():
        access.lock_member(ctx)  # the writer's lock: the quota is counted and used under it
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if thread.priority:
            raise CommunitiesError("already_priority", _("This question is already a priority question."), 409)
        if thread.state == Thread.State.ACCEPTED:
            raise CommunitiesError("question_accepted", _("This question already has an accepted answer."), 409)
        now = timezone.now()
        if priority_left_in(ctx, now) <= 0:
            raise CommunitiesError(
                "priority_quota_exhausted",
                _("You have used your priority questions for this week."), 409, until=week_bounds(now)[1],
            )
        Thread.objects.filter(pk=thread.pk).update(
            priority=True, priority_marked_at=now, due_at=now + timedelta(hours=target_hours(ctx.space)),
            state=Thread.State.OPEN, answered_at=None, answered_by=None, escalated_at=None,
        )
        trainers = host_api.get_course_trainers(ctx.course_key).values_list("pk", flat=True)
        _notify(trainers, Notification.Kind.PRIORITY, space_id=ctx.space.pk, thread_id=thread.pk,
                actor_id=ctx.user_id, key=f"priority:{thread.pk}")
    return _entry(ctx, thread.pk)


# --- the trainers' queue ----------------------------------------------------------------------------------------------


def _answerer(user: Any, course_key: Any) -> access.Context:
    ctx = access.reader(user, course_key)
    if not ctx.can_answer:
        raise forbidden(_("Only the course's trainers and staff answer priority questions."))
    return ctx


def question_queue(
    actor: Any, course_key: Any, *, state: str = "open", mine: bool = False, overdue: bool = False
) -> list[QueueEntry]:
    """
    The course's priority questions for its trainers and staff, the most urgent (earliest due) first.

    Args:
        state: "open" (waiting for an answer), "answered", "accepted" or "all".
        mine: only those assigned to ``actor``.
        overdue: only open ones past their target.

    Raises:
        CommunitiesError: 403 ``permission_denied`` (not a trainer or staff), ``not_enrolled``; 400
            ``invalid_filter``.

    Queries: the reader's, one for the questions (with read marks) and the people's, whatever their number.
    """
    from mentora_plugin.communities import listing

    if state not in QUEUE_STATES:
        raise CommunitiesError("invalid_filter", _("Unknown filter."), 400, field="state")
    ctx = _answerer(actor, course_key)
    now = timezone.now()
    threads = access.visible_threads(ctx).filter(priority=True, is_question=True, deleted=False)
    if state != "all":
        threads = threads.filter(state=state)
    if mine:
        threads = threads.filter(assignee_id=ctx.user_id)
    if overdue:
        threads = threads.filter(state=Thread.State.OPEN, due_at__lt=now)
    rows = list(listing._with_read_mark(threads, ctx.user_id).order_by("due_at", "pk"))
    return _entries(ctx, rows, now)


def assign_question(actor: Any, thread_id: Any, username: str | None = None) -> QueueEntry:
    """
    A trainer takes a question (``username`` None or their own), or staff assign it to one of the course's
    trainers. The assignee is told when someone else assigned them.

    Raises:
        CommunitiesError: 404 ``thread_not_found``; 400 ``not_a_question``, ``not_a_trainer`` (field username);
            403 ``permission_denied`` (not an answerer, or a trainer assigning someone else); 409
            ``question_accepted``.
    """
    ctx, thread = access.reader_of_thread(actor, thread_id)
    if not ctx.can_answer:
        raise forbidden(_("Only the course's trainers and staff answer priority questions."))
    if not thread.is_question:
        raise CommunitiesError("not_a_question", _("Only questions can be assigned."), 400)
    if username in (None, "", getattr(ctx.user, "username", None)):
        assignee_id = ctx.user_id
    else:
        if not ctx.can_manage:
            raise forbidden(_("Only the course's staff may assign a question to someone else."))
        assignee_id = (
            host_api.get_course_trainers(ctx.course_key).filter(username=username).values_list("pk", flat=True)
            .first()
        )
        if assignee_id is None:
            raise CommunitiesError(
                "not_a_trainer", _("Assign questions to one of the course's trainers."), 400, field="username")
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if thread.state == Thread.State.ACCEPTED:
            raise CommunitiesError("question_accepted", _("This question already has an accepted answer."), 409)
        Thread.objects.filter(pk=thread.pk).update(assignee_id=assignee_id)
        if assignee_id != ctx.user_id:
            _notify([assignee_id], Notification.Kind.PRIORITY, space_id=ctx.space.pk, thread_id=thread.pk,
                    actor_id=ctx.user_id, key=f"assigned:{thread.pk}:{assignee_id}")
    return _entry(ctx, thread.pk)


# --- answers ----------------------------------------------------------------------------------------------------------


def note_reply(ctx: access.Context, thread: Thread, post: Post) -> None:
    """
    Called by ``posts.reply`` inside its transaction, once ``post`` (a reply or comment in ``thread``) is saved.
    When the replier may answer questions (trainers, staff) and the question is still open, it is now answered by
    them. For a priority question, once committed: the trainer's activity is recorded (kind "answer", source
    ``communities:<thread id>``, turnaround from the priority mark to this answer) and the asker is told.
    """
    if not thread.is_question or not ctx.can_answer or post.author_id is None:
        return
    if post.author_id == thread.author_id:
        return  # a trainer's own question: answering oneself is no answer
    answered_at = post.created or timezone.now()
    updated = Thread.objects.filter(pk=thread.pk, state__in=["", Thread.State.OPEN]).update(
        state=Thread.State.ANSWERED, answered_at=answered_at, answered_by_id=post.author_id,
    )
    if not updated:
        return  # already answered or accepted: the first answer counts
    thread.state, thread.answered_at, thread.answered_by_id = Thread.State.ANSWERED, answered_at, post.author_id
    fresh = Thread.objects.filter(pk=thread.pk).values("priority", "priority_marked_at").get()
    if not fresh["priority"] or fresh["priority_marked_at"] is None:
        return
    turnaround = max(0, int((answered_at - fresh["priority_marked_at"]).total_seconds()))
    replier_id, asker_id, course_key, thread_pk = post.author_id, thread.author_id, ctx.course_key, thread.pk

    def record() -> None:
        from mentora_plugin.trainers import api as trainers_api

        trainers_api.record_activity("answer", f"communities:{thread_pk}", replier_id, asker_id, course_key,
                                     answered_at, turnaround_seconds=turnaround)

    transaction.on_commit(record)
    if asker_id:  # post_created's key: the asker hears once, of the answer (registered first, it runs first)
        _notify([asker_id], Notification.Kind.ANSWER, space_id=ctx.space.pk, thread_id=thread_pk, post_id=post.pk,
                actor_id=replier_id, key=f"post:{post.pk}")


def _answerable_reply(user: Any, post_id: Any) -> tuple[access.Context, Post]:
    ctx, post = access.reader_of_post(user, post_id)
    thread = post.thread
    if not thread.is_question:
        raise CommunitiesError("not_a_question", _("Only answers to questions can be accepted."), 400)
    if thread.author_id != ctx.user_id and not ctx.can_manage:
        raise forbidden(_("Only the person who asked (or staff) may accept an answer."), code="not_asker")
    if post.is_opening or post.parent_id is not None:
        raise CommunitiesError("not_a_reply", _("Only a reply to the question can be its accepted answer."), 400)
    if post.hidden or post.deleted:
        raise CommunitiesError("post_unavailable", _("A hidden or deleted post cannot be the answer."), 409)
    return ctx, post


def accept_answer(user: Any, post_id: Any) -> None:
    """
    The asker (or staff) accepts ``post`` as the answer to their question; accepting another post moves it.

    Raises:
        CommunitiesError: 404 ``post_not_found``; 400 ``not_a_question``, ``not_a_reply``; 403 ``not_asker``;
            409 ``post_unavailable``.
    """
    _ctx, post = _answerable_reply(user, post_id)
    with transaction.atomic():
        Thread.objects.select_for_update().filter(pk=post.thread_id).first()
        Post.objects.filter(thread_id=post.thread_id, is_answer=True).exclude(pk=post.pk).update(is_answer=False)
        Post.objects.filter(pk=post.pk).update(is_answer=True)
        Thread.objects.filter(pk=post.thread_id).update(state=Thread.State.ACCEPTED, accepted_post_id=post.pk)


def unaccept_answer(user: Any, thread_id: Any) -> None:
    """
    Withdraw the accepted answer of a question: it goes back to answered (if a trainer answered) or open.

    Raises:
        CommunitiesError: 404 ``thread_not_found``; 400 ``not_a_question``; 403 ``not_asker``; 409
            ``not_accepted``.
    """
    ctx, thread = access.reader_of_thread(user, thread_id)
    if not thread.is_question:
        raise CommunitiesError("not_a_question", _("Only questions have accepted answers."), 400)
    if thread.author_id != ctx.user_id and not ctx.can_manage:
        raise forbidden(_("Only the person who asked (or staff) may withdraw an accepted answer."), code="not_asker")
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if thread.state != Thread.State.ACCEPTED:
            raise CommunitiesError("not_accepted", _("This question has no accepted answer."), 409)
        Post.objects.filter(thread_id=thread.pk, is_answer=True).update(is_answer=False)
        state = Thread.State.ANSWERED if thread.answered_at else Thread.State.OPEN
        Thread.objects.filter(pk=thread.pk).update(state=state, accepted_post=None)


# --- escalation and figures -------------------------------------------------------------------------------------------


def escalate_overdue(now: datetime | None = None) -> int:
    """
    Escalate every priority question still open past its target: mark it escalated (once: a second run, or two
    workers at once, escalate nothing more) and tell its course's staff. Returns how many were escalated.
    """
    now = now or timezone.now()
    due = list(
        Thread.objects.filter(
            priority=True, state=Thread.State.OPEN, due_at__lt=now, escalated_at__isnull=True, deleted=False,
            forum__kind=Forum.Kind.QA,
        ).values_list("pk", "forum__space_id", "forum__space__course_key")
    )
    staff_by_course: dict[str, list[int]] = {}
    escalated = 0
    for thread_id, space_id, course_key in due:
        with transaction.atomic():
            if not Thread.objects.filter(pk=thread_id, escalated_at__isnull=True, state=Thread.State.OPEN).update(
                escalated_at=now
            ):
                continue  # someone else escalated it, or it was answered meanwhile
            escalated += 1
            key = str(course_key)
            if key not in staff_by_course:
                staff_by_course[key] = list(host_api.get_course_staff(course_key).values_list("pk", flat=True))
            _notify(staff_by_course[key], Notification.Kind.ESCALATION, space_id=space_id, thread_id=thread_id,
                    key=f"escalation:{thread_id}")
    return escalated


def response_figures(actor: Any, course_key: Any, *, days: int = 90) -> list[ResponseFigures]:
    """
    Per person who answered priority questions in the course over the last ``days``: how many, the median time from
    the priority mark to the answer, and how many within the target (answered by ``due_at``); most answers first.

    Raises:
        CommunitiesError: 403 ``permission_denied`` (not a trainer or staff), ``not_enrolled``; 400
            ``invalid_value`` (days).
    """
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_FIGURE_DAYS:
        raise CommunitiesError(
            "invalid_value", _("Give a number of days between 1 and {count}.").format(count=MAX_FIGURE_DAYS), 400,
            field="days")
    ctx = access.reader(actor, course_key)
    if not (ctx.can_answer or ctx.can_manage):
        raise forbidden(_("Only the course's trainers and staff see response figures."))
    since = timezone.now() - timedelta(days=days)
    rows = Thread.objects.filter(
        forum__space=ctx.space, priority=True, answered_by__isnull=False, answered_at__gte=since,
        priority_marked_at__isnull=False,
    ).values_list("answered_by_id", "priority_marked_at", "answered_at", "due_at")
    times: dict[int, list[int]] = {}
    within: dict[int, int] = {}
    for trainer_id, marked, answered, due in rows:
        times.setdefault(trainer_id, []).append(max(0, int((answered - marked).total_seconds())))
        within[trainer_id] = within.get(trainer_id, 0) + (1 if due is None or answered <= due else 0)
    people = access.person_refs(ctx, times)
    figures = [
        ResponseFigures(trainer=people[trainer_id], answered=len(seconds),
                        median_seconds=int(statistics.median(seconds)), within_target=within[trainer_id])
        for trainer_id, seconds in times.items() if trainer_id in people
    ]
    return sorted(figures, key=lambda figure: (-figure.answered, figure.trainer.username))
