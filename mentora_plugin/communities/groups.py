"""
Group projects: learners of a course working together under a supervising trainer, with a private board (a ``group``
forum only the group, its supervisor and staff read: ``access`` enforces it), milestones, and optionally a link to
a team-mode project of reviews, where the group submits as a team.

Staff and trainers create groups (a trainer creating one supervises it); the supervisor or staff manage it and its
members, who must be enrolled learners. A group linked to a project has a reviews team of the same name and members,
kept in step each time the members change (``reviews.sync_team``, in the same transaction: a member reviews refuses,
e.g. one already in another team, refuses the change here too).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mentora_plugin.communities import access
from mentora_plugin.communities.common import CommunitiesError, forbidden, not_found
from mentora_plugin.communities.data import GroupInfo, MilestoneInfo, PersonRef
from mentora_plugin.communities.models import Forum, Group, GroupMembership, Milestone, Notification
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole

__all__ = [
    "add_milestone",
    "create_group",
    "get_group",
    "link_group_project",
    "list_groups",
    "set_group_members",
    "set_milestone_done",
    "update_group",
    "update_milestone",
]

MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_MEMBERS = 200
_GROUP_FIELDS = ("name", "description", "supervisor", "archived")
_MILESTONE_FIELDS = ("title", "description", "due_at")


# --- validation -------------------------------------------------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, *, required: bool) -> str:
    if value is not None and not isinstance(value, str):
        raise CommunitiesError("invalid_value", _("Give a text."), 400, field=field)
    text = (value or "").strip()
    if required and not text:
        raise CommunitiesError(f"{field}_required", _("This is required."), 400, field=field)
    if len(text) > max_length:
        raise CommunitiesError(
            f"{field}_too_long", _("At most {count} characters.").format(count=max_length), 400, field=field)
    return text


def _date(value: Any, field: str) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value.strip())
    if not isinstance(value, datetime):
        raise CommunitiesError("invalid_date", _("Give a date and time."), 400, field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise CommunitiesError("invalid_value", _("Say yes or no."), 400, field=field)
    return value


def _learners(ctx: access.Context, usernames: Any) -> list[Any]:
    """The users named by ``usernames``, each an enrolled learner of the course (400 otherwise, naming them)."""
    if isinstance(usernames, (str, bytes)) or not hasattr(usernames, "__iter__"):
        raise CommunitiesError("invalid_members", _("Give the members as a list of usernames."), 400, field="members")
    names = list(dict.fromkeys(str(name).strip() for name in usernames if str(name).strip()))
    if len(names) > MAX_MEMBERS:
        raise CommunitiesError("invalid_members", _("A group has at most {count} members.").format(
            count=MAX_MEMBERS), 400, field="members")
    users = {user.username: user for user in get_user_model().objects.filter(username__in=names, is_active=True)}
    refused = sorted(name for name in names if name not in users or not host_api.is_enrolled(users[name],
                                                                                               ctx.course_key))
    if refused:
        raise CommunitiesError("not_enrolled", _("Not learners of this course: {names}.").format(
            names=", ".join(refused)), 400, field="members")
    return [users[name] for name in names]


def _supervisor(ctx: access.Context, username: Any) -> Any:
    """A trainer of the course (or staff) named ``username`` (None: nobody)."""
    if username in (None, ""):
        return None
    user = get_user_model().objects.filter(username=str(username).strip(), is_active=True).first()
    if user is None:
        raise CommunitiesError("invalid_supervisor", _("Choose a trainer of this course."), 400, field="supervisor")
    roles = host_api.get_course_roles(user, ctx.course_key)
    if not ({CourseRole.TRAINER, CourseRole.STAFF, CourseRole.INSTRUCTOR} & roles or user.is_staff):
        raise CommunitiesError("invalid_supervisor", _("Choose a trainer of this course."), 400, field="supervisor")
    return user


# --- reading ----------------------------------------------------------------------------------------------------------


def _may_manage(ctx: access.Context, group: Group) -> bool:
    """The supervisor and staff manage a group."""
    return ctx.can_manage or (group.supervisor_id is not None and group.supervisor_id == ctx.user_id)


def _visible_groups(ctx: access.Context):
    groups = Group.objects.filter(space=ctx.space)
    if ctx.can_manage:
        return groups
    return groups.filter(Q(supervisor_id=ctx.user_id) | Q(memberships__user_id=ctx.user_id)).distinct()


def _group_of(user: Any, group_id: Any) -> tuple[access.Context, Group]:
    """The group ``group_id`` and its viewer's context; 404 ``group_not_found`` when absent or not theirs."""
    pk = access._pk(group_id)
    group = Group.objects.select_related("space").filter(pk=pk).first() if pk else None
    if group is None:
        raise not_found("group")
    ctx = access.reader(user, group.space.course_key)
    if not _visible_groups(ctx).filter(pk=group.pk).exists():
        raise not_found("group")
    return ctx, group


def _infos(ctx: access.Context, groups: list[Group]) -> list[GroupInfo]:
    """``groups`` with their members and milestones (constant queries)."""
    ids = [group.pk for group in groups]
    members: dict[int, list[int]] = {}
    for group_id, user_id in GroupMembership.objects.filter(group_id__in=ids).values_list("group_id", "user_id"):
        members.setdefault(group_id, []).append(user_id)
    milestones: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(group_id__in=ids).order_by("due_at", "pk"):
        milestones.setdefault(milestone.group_id, []).append(milestone)
    people = access.person_refs(ctx, {
        *(user_id for users in members.values() for user_id in users),
        *(group.supervisor_id for group in groups if group.supervisor_id),
        *(milestone.done_by_id for items in milestones.values() for milestone in items if milestone.done_by_id),
    })
    now = timezone.now()
    return [
        GroupInfo(
            id=group.pk,
            course_key=ctx.course_key,
            name=group.name,
            description=group.description,
            supervisor=people.get(group.supervisor_id) if group.supervisor_id else None,
            members=tuple(sorted((people[pk] for pk in members.get(group.pk, []) if pk in people),
                                 key=lambda person: person.username)),
            board_forum_id=group.board_id,
            project_usage_key=str(group.project_usage_key or ""),
            milestones=tuple(_milestone_info(milestone, people, now) for milestone in milestones.get(group.pk, [])),
            archived=group.archived,
        )
        for group in groups
    ]


def _milestone_info(milestone: Milestone, people: dict[int, PersonRef], now: datetime) -> MilestoneInfo:
    return MilestoneInfo(
        id=milestone.pk, title=milestone.title, description=milestone.description, due_at=milestone.due_at,
        done_at=milestone.done_at, done_by=people.get(milestone.done_by_id) if milestone.done_by_id else None,
        overdue=milestone.done_at is None and milestone.due_at < now,
    )


def list_groups(user: Any, course_key: Any) -> list[GroupInfo]:
    """The groups ``user`` may see in the course: members theirs, trainers those they supervise, staff all."""
    ctx = access.reader(user, course_key)
    return _infos(ctx, list(_visible_groups(ctx).order_by("archived", "name", "pk")))


def get_group(user: Any, group_id: Any) -> GroupInfo:
    """One group (404 ``group_not_found`` when absent or not ``user``'s to see)."""
    ctx, group = _group_of(user, group_id)
    return _infos(ctx, [group])[0]


# --- writing ----------------------------------------------------------------------------------------------------------


def _tell(ctx: access.Context, user_ids: Any, key: str) -> None:
    """Tell members news of their group (kind ``group``) once the transaction commits."""
    from mentora_plugin.communities import notifications

    ids, space_id, actor_id = list(user_ids), ctx.space.pk, ctx.user_id
    if ids:
        transaction.on_commit(lambda: notifications.notify(
            ids, Notification.Kind.GROUP, space_id=space_id, actor_id=actor_id, key=key))


def _sync_team(group: Group, member_ids: list[int]) -> None:
    """Keep the linked reviews team in step (its refusals become ours, same code and status)."""
    if not group.project_usage_key:
        return
    from mentora_plugin.reviews import api as reviews_api

    try:
        reviews_api.sync_team(group.project_usage_key, group.name, member_ids)
    except reviews_api.ReviewsError as error:
        raise CommunitiesError(error.code, str(error), error.status, field="members") from None


def create_group(actor: Any, course_key: Any, *, name: Any, description: Any = "", supervisor: Any = None,
                 members: Any = ()) -> GroupInfo:
    """
    Create a group project with its board (a ``group`` forum) in the course (staff and trainers; a trainer creating
    one supervises it, staff may name a trainer). Members are enrolled learners, by username.

    Raises:
        CommunitiesError: 403 not allowed, 400 ``name_required``, ``name_too_long``, ``invalid_supervisor``,
            ``not_enrolled``, 409 ``group_exists``.
    """
    ctx = access.reader(actor, course_key)
    if not ctx.can_manage_groups:
        raise forbidden(_("Only the course's trainers and staff may create group projects."))
    name = _text(name, "name", MAX_NAME, required=True)
    description = _text(description, "description", MAX_DESCRIPTION, required=False)
    if ctx.can_manage:
        leader = _supervisor(ctx, supervisor)
    else:
        leader = ctx.user
        if supervisor not in (None, "", ctx.user.username):
            raise forbidden(_("A trainer creating a group supervises it."))
    users = _learners(ctx, members)
    if Group.objects.filter(space=ctx.space, name=name).exists():
        raise _exists(name)
    try:
        with transaction.atomic():
            position = (Forum.objects.filter(space=ctx.space).aggregate(top=Max("position"))["top"] or 0) + 1
            board = Forum.objects.create(space=ctx.space, kind=Forum.Kind.GROUP, title=name, description=description,
                                         leader=leader, created_by=ctx.user, position=position)
            group = Group.objects.create(space=ctx.space, name=name, description=description, supervisor=leader,
                                         board=board, created_by=ctx.user)
            GroupMembership.objects.bulk_create(
                [GroupMembership(group=group, user=user, added_by=ctx.user) for user in users])
            _tell(ctx, [user.pk for user in users], f"group:{group.pk}:joined")
    except IntegrityError:
        raise _exists(name) from None
    return _infos(ctx, [group])[0]


def _exists(name: str) -> CommunitiesError:
    return CommunitiesError("group_exists", _("A group called “{name}” exists already.").format(name=name), 409,
                            field="name")


def update_group(actor: Any, group_id: Any, **changes: Any) -> GroupInfo:
    """
    Change a group's name, description, supervisor (staff only) or archived flag (the supervisor or staff). The
    board follows (its title; archived with the group). A group linked to a project keeps its name (its team's).

    Raises:
        CommunitiesError: 404 ``group_not_found``, 403 not allowed, 400 ``unknown_field`` and validation codes,
            409 ``group_exists``, ``group_linked``.
    """
    ctx, group = _group_of(actor, group_id)
    if not _may_manage(ctx, group):
        raise forbidden(_("Only the group's supervisor and the course's staff may change it."))
    unknown = sorted(set(changes) - set(_GROUP_FIELDS))
    if unknown:
        raise CommunitiesError("unknown_field", _("This cannot be changed."), 400, field=unknown[0])
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], "name", MAX_NAME, required=True)
        if values["name"] != group.name and group.project_usage_key:
            raise CommunitiesError(
                "group_linked", _("This group submits as a team under its name: unlink the project first."), 409,
                field="name")
    if "description" in changes:
        values["description"] = _text(changes["description"], "description", MAX_DESCRIPTION, required=False)
    if "archived" in changes:
        values["archived"] = _flag(changes["archived"], "archived")
    if "supervisor" in changes:
        if not ctx.can_manage:
            raise forbidden(_("Only the course's staff may change a group's supervisor."))
        values["supervisor"] = _supervisor(ctx, changes["supervisor"])
    if "name" in values and Group.objects.filter(space=ctx.space, name=values["name"]).exclude(pk=group.pk).exists():
        raise _exists(values["name"])
    for name, value in values.items():
        setattr(group, name, value)
    board_changes = {}
    if "name" in values:
        board_changes["title"] = values["name"]
    if "description" in values:
        board_changes["description"] = values["description"]
    if "archived" in values:
        board_changes["archived"] = values["archived"]
    if "supervisor" in values:
        board_changes["leader"] = values["supervisor"]
    try:
        with transaction.atomic():
            if values:
                group.save(update_fields=list(values))
            if board_changes:
                Forum.objects.filter(pk=group.board_id).update(**board_changes)
    except IntegrityError:
        raise _exists(values.get("name", group.name)) from None
    return _infos(ctx, [group])[0]


def set_group_members(actor: Any, group_id: Any, usernames: Any) -> GroupInfo:
    """
    Replace a group's members (the supervisor or staff); each an enrolled learner. A linked project's team follows
    in the same transaction. Newcomers are told.

    Raises:
        CommunitiesError: 404 ``group_not_found``, 403 not allowed, 400 ``not_enrolled``, ``invalid_members``, and
            reviews' refusals of the team (e.g. 409 ``already_in_team``).
    """
    ctx, group = _group_of(actor, group_id)
    if not _may_manage(ctx, group):
        raise forbidden(_("Only the group's supervisor and the course's staff may choose its members."))
    users = _learners(ctx, usernames)
    wanted = {user.pk for user in users}
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        current = set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
        GroupMembership.objects.filter(group=group).exclude(user_id__in=wanted).delete()
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=group, user=user, added_by=ctx.user) for user in users if user.pk not in current])
        _sync_team(group, sorted(wanted))
        _tell(ctx, sorted(wanted - current), f"group:{group.pk}:joined")
    return _infos(ctx, [group])[0]


def link_group_project(actor: Any, group_id: Any, usage_key: Any) -> GroupInfo:
    """
    Link a group to a team-mode project of the same course (the supervisor or staff): the reviews team named after
    the group is made (or updated) with its members. ``usage_key`` None or "" unlinks (the team stays in reviews).

    Raises:
        CommunitiesError: 404 ``group_not_found``, 403 not allowed, 400 ``invalid_project`` (another course, not a
            project), 409 ``not_team_mode``, and reviews' refusals of the team.
    """
    from mentora_plugin.reviews import api as reviews_api

    ctx, group = _group_of(actor, group_id)
    if not _may_manage(ctx, group):
        raise forbidden(_("Only the group's supervisor and the course's staff may link a project."))
    if usage_key in (None, ""):
        Group.objects.filter(pk=group.pk).update(project_usage_key=None)  # the field stores "" for no key
        group.project_usage_key = None
        return _infos(ctx, [group])[0]
    try:
        project = reviews_api.get_project(usage_key)
    except reviews_api.ReviewsError:
        raise CommunitiesError("invalid_project", _("Choose a project of this course."), 400,
                               field="usage_key") from None
    if str(project.course_key) != str(ctx.course_key):
        raise CommunitiesError("invalid_project", _("Choose a project of this course."), 400, field="usage_key")
    if not project.team_mode:
        raise CommunitiesError("not_team_mode", _("This project is not done in teams."), 409, field="usage_key")
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        group.project_usage_key = project.usage_key
        group.save(update_fields=["project_usage_key"])
        _sync_team(group, sorted(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True)))
    return _infos(ctx, [group])[0]


# --- milestones -------------------------------------------------------------------------------------------------------


def _milestone_of(user: Any, milestone_id: Any) -> tuple[access.Context, Group, Milestone]:
    pk = access._pk(milestone_id)
    milestone = Milestone.objects.filter(pk=pk).first() if pk else None
    if milestone is None:
        raise not_found("milestone")
    try:
        ctx, group = _group_of(user, milestone.group_id)
    except CommunitiesError as error:
        if error.status == 404:
            raise not_found("milestone") from None
        raise
    return ctx, group, milestone


def _one_milestone(ctx: access.Context, milestone: Milestone) -> MilestoneInfo:
    people = access.person_refs(ctx, [milestone.done_by_id] if milestone.done_by_id else [])
    return _milestone_info(milestone, people, timezone.now())


def add_milestone(actor: Any, group_id: Any, *, title: Any, due_at: Any, description: Any = "") -> MilestoneInfo:
    """Add a milestone to a group (the supervisor or staff); the members are told."""
    ctx, group = _group_of(actor, group_id)
    if not _may_manage(ctx, group):
        raise forbidden(_("Only the group's supervisor and the course's staff may plan milestones."))
    milestone = Milestone(
        group=group, title=_text(title, "title", MAX_NAME, required=True),
        description=_text(description, "description", MAX_DESCRIPTION, required=False), due_at=_date(due_at, "due_at"),
    )
    with transaction.atomic():
        milestone.save()
        _tell(ctx, GroupMembership.objects.filter(group=group).values_list("user_id", flat=True),
              f"milestone:{milestone.pk}")
    return _one_milestone(ctx, milestone)


def update_milestone(actor: Any, milestone_id: Any, **changes: Any) -> MilestoneInfo:
    """Change a milestone's title, description or due date (the supervisor or staff)."""
    ctx, group, milestone = _milestone_of(actor, milestone_id)
    if not _may_manage(ctx, group):
        raise forbidden(_("Only the group's supervisor and the course's staff may plan milestones."))
    unknown = sorted(set(changes) - set(_MILESTONE_FIELDS))
    if unknown:
        raise CommunitiesError("unknown_field", _("This cannot be changed."), 400, field=unknown[0])
    if "title" in changes:
        milestone.title = _text(changes["title"], "title", MAX_NAME, required=True)
    if "description" in changes:
        milestone.description = _text(changes["description"], "description", MAX_DESCRIPTION, required=False)
    if "due_at" in changes:
        milestone.due_at = _date(changes["due_at"], "due_at")
    if changes:
        milestone.save(update_fields=list(changes))
    return _one_milestone(ctx, milestone)


def set_milestone_done(user: Any, milestone_id: Any, done: Any) -> MilestoneInfo:
    """Mark a milestone done (or not done again): its group's members, supervisor, or staff."""
    ctx, _group, milestone = _milestone_of(user, milestone_id)
    done = _flag(done, "done")
    if ctx.muted_until is not None:
        raise forbidden(_("You are muted in this course's community."), code="muted", until=ctx.muted_until)
    if done and milestone.done_at is None:
        milestone.done_at, milestone.done_by = timezone.now(), ctx.user
    elif not done:
        milestone.done_at, milestone.done_by = None, None
    milestone.save(update_fields=["done_at", "done_by"])
    return _one_milestone(ctx, milestone)
