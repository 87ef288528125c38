"""
The host API: what Mentora knows about Open edX courses, enrollments, course roles and passing grades.

Every other Mentora app asks these functions, never the models and never the platform. The answers come from the
local projections only, so they cost a few indexed queries and work the same in the LMS, in Studio, in the demo
site and in tests.

Writes come from the platform's events (``handlers``) and the ``mentora_sync`` back-fill. Each write carries the
time of the platform state it reflects; a row is only ever replaced by a state at least as recent, so replayed,
duplicated or out-of-order events converge on the platform's latest state.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from edx_django_utils.cache import RequestCache
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import UserData, UserPersonalData

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.events import announce
from mentora_plugin.host import signals
from mentora_plugin.host.data import (
    BulkResult,
    CourseInfo,
    CourseRole,
    CourseRoleRecord,
    EnrollmentRecord,
    TrainerGrantInfo,
)
from mentora_plugin.host.models import Course, CourseAccessRole, CoursePassingStatus, Enrollment, TrainerGrant

__all__ = [
    "HostError",
    "InvalidCourseKeyError",
    "InvalidRecordError",
    "UnknownUserError",
    "absolute_url",
    "anonymous_user_id",
    "bulk_record_course_roles",
    "bulk_record_enrollments",
    "display_name",
    "forget_cached_roles",
    "get_course",
    "get_course_learners",
    "get_course_role",
    "get_course_roles",
    "get_course_staff",
    "get_course_trainers",
    "get_trainer_grants",
    "get_user_language",
    "get_user_time_zone",
    "grant_trainer_role",
    "has_passed",
    "is_enrolled",
    "is_trainer_anywhere",
    "list_courses",
    "parse_course_key",
    "passed_courses",
    "record_course",
    "record_course_role",
    "record_enrollment",
    "record_passing_status",
    "retire_user",
    "revoke_trainer_role",
    "withdraw_course_roles_not_listed",
]

log = logging.getLogger(__name__)
User = get_user_model()

_ROLE_CACHE = "mentora.host.course_roles"
#: How many user ids one query of ``passed_courses`` asks about (database parameter limits).
_ID_CHUNK = 1000
_PLATFORM_ROLES = {"staff": CourseRole.STAFF, "instructor": CourseRole.INSTRUCTOR}


class HostError(ValueError):
    """Bad input to the host API. ``code`` is machine-readable; the message says what is wrong, for people."""

    code = "invalid_input"


class InvalidCourseKeyError(HostError):
    code = "invalid_course_key"


class InvalidRecordError(HostError):
    code = "invalid_record"


class UnknownUserError(HostError):
    code = "unknown_user"


# --- validation -----------------------------------------------------------------------------------------------------


def parse_course_key(value: CourseKey | str) -> CourseKey:
    """
    Return ``value`` as a CourseKey.

    Raises:
        InvalidCourseKeyError: ``value`` is neither a CourseKey nor the string of one.
    """
    if isinstance(value, CourseKey):
        return value
    if not isinstance(value, str):
        raise InvalidCourseKeyError(_("A course key must be a string, not {kind}.").format(kind=type(value).__name__))
    try:
        return CourseKey.from_string(value)
    except InvalidKeyError:
        raise InvalidCourseKeyError(_("“{value}” is not a valid course key.").format(value=value[:255])) from None


def _user_id(value: Any) -> int:
    user_id = getattr(value, "pk", value)
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise InvalidRecordError(_("A user id must be a positive integer, not {value!r}.").format(value=user_id))
    return user_id


def _aware(value: Any) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise InvalidRecordError(_("A time must be timezone-aware, not {value!r}.").format(value=value))
    return value


def _text(value: Any, field: str, max_length: int, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not value and not allow_empty) or len(value) > max_length:
        raise InvalidRecordError(
            _("“{field}” must be a non-empty string of at most {max_length} characters.").format(
                field=field, max_length=max_length
            )
        )
    return value


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidRecordError(_("“{field}” must be true or false, not {value!r}.").format(field=field, value=value))
    return value


# --- writes from the platform ---------------------------------------------------------------------------------------


def _apply_if_not_older(model: type[models.Model], lookup: dict, values: dict, event_time: datetime) -> None:
    """
    Upsert one projection row unless it already reflects a newer platform state. At most three queries.

    The update runs first because most events touch a row that exists (re-enrollment, mode change). When it
    touches nothing, the row is new or newer: the insert adds it if new (a conflict is ignored), and the guarded
    update runs once more for the case where a concurrent receiver inserted it between the two statements.
    """
    guarded = model.objects.filter(**lookup, last_event_at__lte=event_time)
    if guarded.update(**values, last_event_at=event_time):
        return
    insert_ignoring_conflicts(model(**lookup, **values, last_event_at=event_time))
    guarded.update(**values, last_event_at=event_time)


def record_enrollment(
    user_id: int, course_key: CourseKey | str, mode: str, is_active: bool, event_time: datetime
) -> None:
    """
    Record a user's enrollment state in a course as of ``event_time``.

    The user need not exist in this service yet: with the event bus, an enrollment made in the LMS may reach a
    service that has not seen the user. The row is kept and joins the user once they exist, which is what the
    platform expects of a consumer (the event is the source of truth, and the consumer must not fail it).

    Raises:
        InvalidCourseKeyError, InvalidRecordError: nothing is written.
    """
    lookup = {"user_id": _user_id(user_id), "course_key": parse_course_key(course_key)}
    values = {"mode": _text(mode, "mode", 100), "is_active": _flag(is_active, "is_active"), "modified": timezone.now()}
    _apply_if_not_older(Enrollment, lookup, values, _aware(event_time))
    forget_cached_roles()


def record_passing_status(
    user_id: int, course_key: CourseKey | str, is_passing: bool, event_time: datetime
) -> None:
    """
    Record whether a user's grade passes a course as of ``event_time`` (the platform's
    ``COURSE_PASSING_STATUS_UPDATED``, sent whenever a grade crosses the pass mark either way).

    Guarded by the event's time like enrollments: a replayed or late event never undoes a newer one, so any order of
    delivery converges on the platform's latest state. The user need not exist here yet (see ``record_enrollment``).

    Raises:
        InvalidCourseKeyError, InvalidRecordError: nothing is written.
    """
    lookup = {"user_id": _user_id(user_id), "course_key": parse_course_key(course_key)}
    values = {"is_passing": _flag(is_passing, "is_passing"), "modified": timezone.now()}
    _apply_if_not_older(CoursePassingStatus, lookup, values, _aware(event_time))


def record_course(
    course_key: CourseKey | str,
    event_time: datetime,
    *,
    title: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> None:
    """
    Record that a course exists, with its catalog title and dates when the event carries them.

    Raises:
        InvalidCourseKeyError, InvalidRecordError: nothing is written.
    """
    key = parse_course_key(course_key)
    values: dict[str, Any] = {"org": key.org, "modified": timezone.now()}
    if title is not None:
        values["title"] = _text(title, "title", 255, allow_empty=True)
    if start is not None:
        values["start"] = _aware(start)
    if end is not None:
        values["end"] = _aware(end)
    _apply_if_not_older(Course, {"course_key": key}, values, _aware(event_time))


def record_course_role(record: CourseRoleRecord, event_time: datetime) -> None:
    """
    Record that a platform role was added (``record.is_active``) or removed, as of ``event_time``.

    Raises:
        InvalidCourseKeyError, InvalidRecordError: nothing is written.
    """
    lookup = _role_lookup(record)
    _apply_if_not_older(CourseAccessRole, lookup, {"is_active": _flag(record.is_active, "is_active")}, event_time)
    forget_cached_roles()


def _role_lookup(record: CourseRoleRecord) -> dict[str, Any]:
    course_key = parse_course_key(record.course_key) if record.course_key else None
    org = _text(record.org or (course_key.org if course_key else ""), "org", 255)
    if course_key and course_key.org != org:
        raise InvalidRecordError(
            _("The organisation “{org}” does not match the course “{course_key}”.").format(
                org=org, course_key=course_key
            )
        )
    return {
        "user_id": _user_id(record.user_id),
        "org": org,
        "course_key": course_key,
        "role": _text(record.role, "role", 64),
    }


def bulk_record_enrollments(records: Sequence[EnrollmentRecord], as_of: datetime) -> BulkResult:
    """
    Back-fill a page of enrollments read from the platform at ``as_of``.

    One read of the page's existing rows, then only what differs is written: one insert for the new rows and one
    update per distinct (mode, active) state among the changed ones (a handful at most). A row already in the
    page's state is not rewritten, so a second back-fill costs one query per page and leaves ``modified`` alone.

    Rows that an event updated after ``as_of`` are left alone: the event is newer than the page. The guard is in
    the UPDATE's own WHERE clause and new rows go in with an insert that ignores conflicts, so an event that lands
    between the read and the write still wins (such a row is counted as written, though the event's state stayed).

    Raises:
        InvalidCourseKeyError, InvalidRecordError: nothing from this page is written.
    """
    as_of = _aware(as_of)
    wanted: dict[tuple[int, str], tuple[CourseKey, str, bool]] = {}
    for record in records:
        key = parse_course_key(record.course_key)
        state = (key, _text(record.mode, "mode", 100), _flag(record.is_active, "is_active"))
        wanted[(_user_id(record.user_id), str(key))] = state
    if not wanted:
        return BulkResult(written=0, skipped_newer=0)
    existing = Enrollment.objects.filter(
        user_id__in={user_id for user_id, _ in wanted}, course_key__in={key for key, _, _ in wanted.values()}
    ).values_list("pk", "user_id", "course_key", "mode", "is_active", "last_event_at")
    found = {
        (user_id, str(course_key)): (pk, mode, active, at) for pk, user_id, course_key, mode, active, at in existing
    }
    now = timezone.now()
    new_rows: list[Enrollment] = []
    changed: dict[tuple[str, bool], list[int]] = defaultdict(list)
    newer = 0
    for (user_id, course_key), (key, mode, is_active) in wanted.items():
        row = found.get((user_id, course_key))
        if row is None:
            new_rows.append(Enrollment(user_id=user_id, course_key=key, mode=mode, is_active=is_active,
                                       last_event_at=as_of, modified=now))
        elif row[3] > as_of:
            newer += 1
        elif (row[1], row[2]) != (mode, is_active):
            changed[(mode, is_active)].append(row[0])
    updated = 0
    with transaction.atomic(savepoint=False):
        Enrollment.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=1000)
        for (mode, is_active), pks in changed.items():
            updated += Enrollment.objects.filter(pk__in=pks, last_event_at__lte=as_of).update(
                mode=mode, is_active=is_active, last_event_at=as_of, modified=now
            )
    newer += sum(len(pks) for pks in changed.values()) - updated
    if new_rows or updated:
        forget_cached_roles()
    return BulkResult(written=len(new_rows) + updated, skipped_newer=newer)


def bulk_record_course_roles(records: Iterable[CourseRoleRecord], as_of: datetime) -> BulkResult:
    """
    Back-fill platform course roles read at ``as_of``, in the same few queries as ``bulk_record_enrollments``.

    New roles are inserted, older rows in another state updated, rows already in the page's state not rewritten,
    and rows an event updated after ``as_of`` left alone (guarded in the UPDATE itself, as for enrollments).

    Raises:
        InvalidCourseKeyError, InvalidRecordError: nothing from these records is written.
    """
    as_of = _aware(as_of)
    wanted: dict[tuple[int, str, str, str], tuple[dict[str, Any], bool]] = {}
    for record in records:
        lookup = _role_lookup(record)
        key = (lookup["user_id"], lookup["org"], str(lookup["course_key"] or ""), lookup["role"])
        wanted[key] = (lookup, _flag(record.is_active, "is_active"))
    if not wanted:
        return BulkResult(written=0, skipped_newer=0)
    existing = CourseAccessRole.objects.filter(
        user_id__in={key[0] for key in wanted}, org__in={key[1] for key in wanted}, role__in={key[3] for key in wanted}
    ).values_list("pk", "user_id", "org", "course_key", "role", "is_active", "last_event_at")
    found = {
        (user_id, org, str(course_key or ""), role): (pk, active, at)
        for pk, user_id, org, course_key, role, active, at in existing
    }
    new_rows: list[CourseAccessRole] = []
    changed: dict[bool, list[int]] = defaultdict(list)
    newer = 0
    for key, (lookup, is_active) in wanted.items():
        row = found.get(key)
        if row is None:
            new_rows.append(CourseAccessRole(**lookup, is_active=is_active, last_event_at=as_of))
        elif row[2] > as_of:
            newer += 1
        elif row[1] != is_active:
            changed[is_active].append(row[0])
    updated = 0
    with transaction.atomic(savepoint=False):
        CourseAccessRole.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=1000)
        for is_active, pks in changed.items():
            updated += CourseAccessRole.objects.filter(pk__in=pks, last_event_at__lte=as_of).update(
                is_active=is_active, last_event_at=as_of
            )
    newer += sum(len(pks) for pks in changed.values()) - updated
    if new_rows or updated:
        forget_cached_roles()
    return BulkResult(written=len(new_rows) + updated, skipped_newer=newer)


def withdraw_course_roles_not_listed(
    course_key: CourseKey | str, roles: Sequence[str], listed_user_ids: Iterable[int], as_of: datetime
) -> int:
    """
    Mark inactive the course-level ``roles`` of the course whose holders are not in ``listed_user_ids``: the
    platform's complete list of them, read at ``as_of``. Catches roles removed while no event reached Mentora.
    Rows an event changed after ``as_of`` are left alone. Returns how many were withdrawn.
    """
    key = parse_course_key(course_key)
    withdrawn = (
        CourseAccessRole.objects.filter(course_key=key, role__in=list(roles), is_active=True)
        .filter(last_event_at__lte=_aware(as_of))
        .exclude(user_id__in=[_user_id(user_id) for user_id in listed_user_ids])
        .update(is_active=False, last_event_at=as_of)
    )
    if withdrawn:
        forget_cached_roles()
    return withdrawn


# --- reads ----------------------------------------------------------------------------------------------------------


def get_course(course_key: CourseKey | str) -> CourseInfo | None:
    """Return the course, or None when Mentora has not heard of it."""
    course = Course.objects.filter(course_key=parse_course_key(course_key)).first()
    return _course_info(course) if course else None


def list_courses(*, org: str | None = None) -> list[CourseInfo]:
    """Every course Mentora knows, optionally of one organisation, by course key."""
    courses = Course.objects.all()
    if org:
        courses = courses.filter(org=org)
    return [_course_info(course) for course in courses]


def _course_info(course: Course) -> CourseInfo:
    return CourseInfo(
        course_key=course.course_key,
        org=course.org,
        title=course.title or str(course.course_key),
        start=course.start,
        end=course.end,
    )


def is_enrolled(user: Any, course_key: CourseKey | str) -> bool:
    """Whether ``user`` (a user or a user id) has an active enrollment in the course."""
    return CourseRole.LEARNER in get_course_roles(user, course_key)


def has_passed(user: Any, course_key: CourseKey | str) -> bool:
    """
    Whether ``user`` (a user or a user id) passes the course, as the platform last said. False for anonymous users
    and for learners the platform never announced a passing grade for.
    """
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return CoursePassingStatus.objects.filter(
        user_id=_user_id(user), course_key=parse_course_key(course_key), is_passing=True
    ).exists()


def passed_courses(user_ids: Iterable[int]) -> dict[int, set[CourseKey]]:
    """
    The courses each user currently passes, for many users at once (levels' learner success, badges).

    One query per 1,000 ids, whatever the number of courses. Every id asked about is in the answer, with an empty set
    when they pass nothing. Course keys are read as text and each distinct one parsed once: building a key per row
    was most of the daily level recompute's time.

    Raises:
        InvalidRecordError: an id is not a positive integer.
    """
    ids = sorted({_user_id(user_id) for user_id in user_ids})
    passed: dict[int, set[CourseKey]] = {user_id: set() for user_id in ids}
    keys: dict[str, CourseKey] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        rows = (
            CoursePassingStatus.objects.filter(user_id__in=ids[start:start + _ID_CHUNK], is_passing=True)
            .annotate(key_text=Cast("course_key", output_field=models.CharField()))
            .values_list("user_id", "key_text")
        )
        for user_id, key_text in rows:
            if key_text not in keys:
                keys[key_text] = CourseKey.from_string(key_text)
            passed[user_id].add(keys[key_text])
    return passed


def get_course_roles(user: Any, course_key: CourseKey | str) -> frozenset[CourseRole]:
    """
    Every role ``user`` holds in the course: learner (an active enrollment), staff and instructor (platform roles in
    the course or its organisation), trainer (a Mentora grant, or a platform role listed in
    ``MENTORA_TRAINER_ROLES_FROM_PLATFORM``).

    Memoised for the current request, because permission rules ask it many times per page.
    """
    if user is None or not getattr(user, "is_authenticated", True):
        return frozenset()
    user_id = _user_id(user)
    key = parse_course_key(course_key)
    cache = RequestCache(_ROLE_CACHE)
    cached = cache.get_cached_response(f"{user_id}:{key}")
    if cached.is_found:
        return cached.value
    # One query (the first permission check of a request pays it): each source of a role is an EXISTS on the user.
    trainer_roles = sorted(set(getattr(settings, "MENTORA_TRAINER_ROLES_FROM_PLATFORM", [])))
    access = CourseAccessRole.objects.filter(
        Q(course_key=key) | Q(org=key.org, course_key=None), user_id=OuterRef("pk"), is_active=True
    )
    named = {f"platform_{index}": role for index, role in enumerate(sorted(set(_PLATFORM_ROLES) | set(trainer_roles)))}
    found = User.objects.filter(pk=user_id).annotate(
        enrolled=Exists(Enrollment.objects.filter(user_id=OuterRef("pk"), course_key=key, is_active=True)),
        granted=Exists(TrainerGrant.objects.filter(user_id=OuterRef("pk"), course_key=key, is_active=True)),
        **{alias: Exists(access.filter(role=role)) for alias, role in named.items()},
    ).values("enrolled", "granted", *named).first() or {}
    roles: set[CourseRole] = set()
    if found.get("enrolled"):
        roles.add(CourseRole.LEARNER)
    if found.get("granted"):
        roles.add(CourseRole.TRAINER)
    for alias, role in named.items():
        if found.get(alias):
            if role in _PLATFORM_ROLES:
                roles.add(_PLATFORM_ROLES[role])
            if role in trainer_roles:
                roles.add(CourseRole.TRAINER)
    answer = frozenset(roles)
    cache.set(f"{user_id}:{key}", answer)
    return answer


def get_course_role(user: Any, course_key: CourseKey | str) -> CourseRole | None:
    """The most privileged role ``user`` holds in the course, or None when they have no part in it."""
    roles = get_course_roles(user, course_key)
    return max(roles, key=lambda role: role.rank) if roles else None


def is_trainer_anywhere(user: Any) -> bool:
    """
    Whether ``user`` is a Mentora trainer of at least one course: an active grant, or a platform role listed in
    ``MENTORA_TRAINER_ROLES_FROM_PLATFORM`` in a course or an organisation. The trainers' capabilities ask it for
    limits that hold across courses (a trainer's mentees). Memoised for the request like ``get_course_roles``.
    """
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    user_id = _user_id(user)
    cache = RequestCache(_ROLE_CACHE)
    cached = cache.get_cached_response(f"{user_id}:*")
    if cached.is_found:
        return cached.value
    answer = TrainerGrant.objects.filter(user_id=user_id, is_active=True).exists()
    trainer_roles = list(getattr(settings, "MENTORA_TRAINER_ROLES_FROM_PLATFORM", []))
    if not answer and trainer_roles:
        answer = CourseAccessRole.objects.filter(user_id=user_id, role__in=trainer_roles, is_active=True).exists()
    cache.set(f"{user_id}:*", answer)
    return answer


def get_course_learners(course_key: CourseKey | str) -> QuerySet:
    """The users with an active enrollment in the course, by username. A lazy queryset, for pagination."""
    key = parse_course_key(course_key)
    return _with_profiles(
        User.objects.filter(mentora_enrollments__course_key=key, mentora_enrollments__is_active=True, is_active=True)
    ).order_by("username")


def get_course_trainers(course_key: CourseKey | str) -> QuerySet:
    """The users who mentor in the course (granted, or derived from a platform role by setting), by username."""
    key = parse_course_key(course_key)
    trainer_roles = list(getattr(settings, "MENTORA_TRAINER_ROLES_FROM_PLATFORM", []))
    granted = Q(mentora_trainer_grants__course_key=key, mentora_trainer_grants__is_active=True)
    if trainer_roles:
        derived = Q(
            Q(mentora_course_roles__course_key=key) | Q(mentora_course_roles__org=key.org,
                                                        mentora_course_roles__course_key=None),
            mentora_course_roles__role__in=trainer_roles,
            mentora_course_roles__is_active=True,
        )
        granted |= derived
    return _with_profiles(User.objects.filter(granted, is_active=True).distinct()).order_by("username")


def get_course_staff(course_key: CourseKey | str) -> QuerySet:
    """
    The active users who are staff or instructors of the course, or of its whole organisation, by username: whom to
    tell when the course's work needs a person with authority (an overdue review queue).
    """
    key = parse_course_key(course_key)
    staff = Q(
        Q(mentora_course_roles__course_key=key) | Q(mentora_course_roles__org=key.org,
                                                    mentora_course_roles__course_key=None),
        mentora_course_roles__role__in=(CourseRole.STAFF, CourseRole.INSTRUCTOR),
        mentora_course_roles__is_active=True,
    )
    return _with_profiles(User.objects.filter(staff, is_active=True).distinct()).order_by("username")


def absolute_url(path: str) -> str:
    """
    ``path`` on the platform's ``LMS_ROOT_URL`` (read at call time), for links that leave the request (emails,
    feeds); a path alone where that is not set, and a URL that is already absolute as it is.
    """
    if not path or "://" in path:
        return path
    return f"{(getattr(settings, 'LMS_ROOT_URL', '') or '').rstrip('/')}{path}"


def anonymous_user_id(user: Any, course_key: CourseKey | str) -> str:
    """
    The anonymous id of ``user`` in the course: the one the platform gives the course's blocks, which keys the
    learner's student items in edx-submissions (where project grades are set). Stable for a user and a course,
    different across courses and users.

    Raises:
        InvalidCourseKeyError: the course key is malformed.
        InvalidRecordError: ``user`` is neither a saved user nor a positive user id.
        UnknownUserError: no user has that id.
    """
    from mentora_plugin.host import compat

    key = parse_course_key(course_key)
    if not isinstance(user, User):
        user = _existing_user(user, active_only=False)
    _user_id(user)
    return compat.anonymous_id_for_user(user, key)


def display_name(user: Any) -> str:
    """
    The name people see for ``user``. The LMS keeps it in the user's profile (``UserProfile.name``); Django's own
    first and last names stand in where there is no profile (the demo, tests); the username as a last resort.
    """
    profile = getattr(user, "profile", None)  # the platform's one-to-one; absent outside the LMS
    return (getattr(profile, "name", "") or "").strip() or user.get_full_name().strip() or user.username


def _with_profiles(users: QuerySet) -> QuerySet:
    """Fetch the LMS profile with each user (one join, not one query per person) when the platform has one."""
    if any(field.name == "profile" and field.is_relation for field in User._meta.get_fields()):
        return users.select_related("profile")
    return users


def get_trainer_grants(course_key: CourseKey | str, *, include_revoked: bool = False) -> list[TrainerGrantInfo]:
    """The course's Mentora trainer grants with who made them, by username."""
    grants = (
        TrainerGrant.objects.filter(course_key=parse_course_key(course_key))
        .select_related(*_profile_paths("user"), "granted_by")
        .order_by("user__username")
    )
    if not include_revoked:
        grants = grants.filter(is_active=True)
    return [_grant_info(grant) for grant in grants]


def _profile_paths(relation: str) -> list[str]:
    has_profile = any(field.name == "profile" and field.is_relation for field in User._meta.get_fields())
    return [relation, f"{relation}__profile"] if has_profile else [relation]


def _grant_info(grant: TrainerGrant) -> TrainerGrantInfo:
    return TrainerGrantInfo(
        user_id=grant.user_id,
        username=grant.user.username,
        display_name=display_name(grant.user),
        course_key=grant.course_key,
        is_active=grant.is_active,
        granted_at=grant.granted_at,
        granted_by_username=grant.granted_by.username if grant.granted_by else None,
        reason=grant.reason,
    )


# --- Mentora's own course role --------------------------------------------------------------------------------------


def grant_trainer_role(
    course_key: CourseKey | str, user: Any, *, granted_by: Any | None, reason: str = ""
) -> TrainerGrantInfo:
    """
    Make ``user`` a Mentora trainer in the course (again, if the role had been revoked). Idempotent.

    Permission to grant is the caller's to check (``mentora_host.manage_course_trainers``).

    Raises:
        InvalidCourseKeyError: the course key is malformed.
        UnknownUserError: ``user`` is not an active user of this platform.
    """
    key = parse_course_key(course_key)
    trainer = _existing_user(user)
    granter = _existing_user(granted_by, active_only=False) if granted_by else None
    now = timezone.now()
    granted = {"granted_by": granter, "granted_at": now, "reason": reason}
    # Two statements that are each atomic, and no lock held between them: concurrent grants (and revokes) can
    # neither deadlock nor both win. Reactivating a withdrawn grant comes first, so that a transaction that goes
    # on to the insert has nothing left to lock on this row after its duplicate-key check.
    revived = TrainerGrant.objects.filter(user=trainer, course_key=key, is_active=False).update(
        is_active=True, revoked_by=None, revoked_at=None, revoke_reason="", **granted
    )
    if not revived:
        insert_ignoring_conflicts(TrainerGrant(user=trainer, course_key=key, is_active=True, **granted))
    grant = TrainerGrant.objects.select_related(*_profile_paths("user"), "granted_by").get(user=trainer, course_key=key)
    forget_cached_roles()
    if grant.granted_at == now:
        log.info("Mentora trainer role granted: user %s in %s by %s", trainer.pk, key, getattr(granter, "pk", None))
        _announce_trainer_role(signals.TRAINER_ROLE_GRANTED, "granted", trainer, key, granter, reason)
    return _grant_info(grant)


def revoke_trainer_role(course_key: CourseKey | str, user: Any, *, revoked_by: Any | None, reason: str = "") -> bool:
    """
    Withdraw a Mentora trainer grant; the grant stays on record, inactive. Returns whether one was active.

    Raises:
        InvalidCourseKeyError: the course key is malformed.
        UnknownUserError: ``user`` is not a user of this platform.
    """
    key = parse_course_key(course_key)
    trainer = _existing_user(user, active_only=False)
    revoker = _existing_user(revoked_by, active_only=False) if revoked_by else None
    revoked = TrainerGrant.objects.filter(user=trainer, course_key=key, is_active=True).update(
        is_active=False,
        revoked_by=revoker,
        revoked_at=timezone.now(),
        revoke_reason=reason,
    )
    forget_cached_roles()
    if revoked:
        log.info("Mentora trainer role revoked: user %s in %s", trainer.pk, key)
        _announce_trainer_role(signals.TRAINER_ROLE_REVOKED, "revoked", trainer, key, revoker, reason)
    return bool(revoked)


def _announce_trainer_role(signal, verb: str, trainer: Any, key: CourseKey, actor: Any | None, reason: str) -> None:
    user = UserData(
        id=trainer.pk,
        is_active=trainer.is_active,
        pii=UserPersonalData(username=trainer.username, email=trainer.email, name=display_name(trainer)),
    )
    actor_id = actor.pk if actor is not None else 0
    announce(
        signal,
        f"edx.mentora.trainer_role.{verb}",
        {"user_id": trainer.pk, "course_id": str(key), "changed_by_id": actor_id},
        trainer_role=signals.TrainerRoleData(user=user, course_key=key, changed_by_id=actor_id, reason=reason),
    )


def _existing_user(user: Any, *, active_only: bool = True):
    found = user if isinstance(user, User) else User.objects.filter(pk=_user_id(user)).first()
    if found is None or (active_only and not found.is_active):
        raise UnknownUserError(_("No active user has the id {value!r}.").format(value=getattr(user, "pk", user)))
    return found


# --- retirement -----------------------------------------------------------------------------------------------------


def retire_user(user: Any) -> None:
    """
    Forget what the host projections hold about a user being retired (GDPR erasure): enrollments, passing statuses,
    roles, trainer grants, and their part in other users' trainer grants.
    """
    user_id = _user_id(user)
    with transaction.atomic():
        Enrollment.objects.filter(user_id=user_id).delete()
        CoursePassingStatus.objects.filter(user_id=user_id).delete()
        CourseAccessRole.objects.filter(user_id=user_id).delete()
        TrainerGrant.objects.filter(user_id=user_id).delete()
        TrainerGrant.objects.filter(granted_by_id=user_id).update(granted_by=None)
        TrainerGrant.objects.filter(revoked_by_id=user_id).update(revoked_by=None)
    forget_cached_roles()
    log.info("Mentora host projections retired for user %s", user_id)


def forget_cached_roles(*args: Any, **kwargs: Any) -> None:
    """Forget the course roles remembered in this thread (at a Celery task's start, or after a change)."""
    RequestCache(_ROLE_CACHE).clear()


# --- the user's language and time zone -------------------------------------------------------------------------------


def get_user_language(user: Any) -> str:
    """
    The language to write to ``user`` in: their account's language preference (``pref-lang`` in the LMS) when this
    site offers it (or a variant of it), else the site's ``LANGUAGE_CODE``.
    """
    from django.utils.translation import get_supported_language_variant

    from mentora_plugin.host import compat

    preferred = compat.get_user_preference(user, "pref-lang")
    if preferred:
        try:
            return get_supported_language_variant(preferred)
        except LookupError:
            log.info("User %s prefers the language %r, which this site does not offer", user.pk, preferred)
    return settings.LANGUAGE_CODE


def get_user_time_zone(user: Any, default: Any = None) -> Any:
    """
    The ``zoneinfo.ZoneInfo`` to show times to ``user`` in: their account's time zone preference (``time_zone`` in
    the LMS) when it names a known IANA zone, else ``default`` (a ZoneInfo or an IANA name, e.g. the zone of a
    trainer's calendar, which the caller knows and the host does not), else UTC.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from mentora_plugin.host import compat

    for candidate in (compat.get_user_preference(user, "time_zone"), default):
        if isinstance(candidate, ZoneInfo):
            return candidate
        if isinstance(candidate, str) and candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                log.info("Ignoring the unknown time zone %r for user %s", candidate, user.pk)
    return ZoneInfo("UTC")
