"""
Badge classes: what can be earned.

- **Who manages them**: a course's classes, its staff (``mentora_badges.manage_badgeclass`` on the course key); the
  platform's own classes (no course key) and classes for trainers, platform staff only (the same permission with no
  course: only ``is_platform_staff`` answers yes to that).
- **What they say** is checked here: a name (1-255), a description (1-5000), criteria in Markdown (1-20000, rendered
  only through ``text.render_markdown``), a kind, at most ``MAX_SKILLS`` active skills of the trainers' taxonomy,
  an expiry (never; on a future date; or a number of days after each award, 1-3650), and a cleaned image
  (``images.clean_badge_image``).
- **Versions**: changing what a class means (name, description, criteria, image, skills, expiry) raises ``version``
  by one; awards keep the version they were issued under, so a verifier can tell what the learner met.
- **Archiving** stops new awards; the class and its awards stay public and verifiable.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from opaque_keys.edx.django.models import CourseKeyField

from mentora_plugin.badges.common import BadgesError, forbidden, not_found
from mentora_plugin.badges.data import BadgeClassInfo, SkillRef
from mentora_plugin.badges.images import clean_badge_image
from mentora_plugin.badges.models import BadgeAward, BadgeClass
from mentora_plugin.host import api as host_api
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import api as trainers_api

__all__ = [
    "archive_badge_class",
    "create_badge_class",
    "get_badge_class",
    "list_badge_classes",
    "may_manage_badge_class",
    "update_badge_class",
]

MANAGE = "mentora_badges.manage_badgeclass"
#: What a filter on ``course_key`` names the platform's classes by (stored as ""; the field refuses "" in filters).
PLATFORM = CourseKeyField.Empty
MAX_NAME = 255
MAX_DESCRIPTION = 5000
MAX_CRITERIA = 20000
MAX_SKILLS = 10
MAX_VALID_DAYS = 3650
#: The fields ``update_badge_class`` changes, and those of them that change what the class means (a new version).
EDITABLE = frozenset({"name", "description", "criteria", "image", "kind", "skills", "expiry", "expires_on",
                      "valid_days"})
VERSIONED = EDITABLE  # every change of what a class means or looks like (its kind too: "badge" → "certificate")


# --- permissions ------------------------------------------------------------------------------------------------------


def manage_scope(badge_class: BadgeClass) -> Any:
    """
    The object ``mentora_badges.manage_badgeclass`` is asked about for ``badge_class``: its course key, or None
    (platform staff only) for the platform's classes and for trainers' classes, which no single course's staff
    decides on.
    """
    if badge_class.for_trainers or not badge_class.course_key:
        return None
    return badge_class.course_key


def may_manage_badge_class(user: Any, badge_class: BadgeClass | BadgeClassInfo) -> bool:
    """Whether ``user`` may edit, archive and award ``badge_class`` as its staff (and revoke any of its awards)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_perm(MANAGE, manage_scope(badge_class)))  # type: ignore[arg-type]


# --- validation -------------------------------------------------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, required: str, too_long: str) -> str:
    """A required text field, stripped; ``required`` and ``too_long`` are the messages of its two refusals."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadgesError("invalid_text", _("This field must be text."), field=field)
    value = value.strip()
    if not value:
        raise BadgesError(f"{field}_required", required, field=field)
    if len(value) > max_length:
        raise BadgesError(f"{field}_too_long", too_long.format(max_length=max_length), field=field)
    return value


def _name(value: Any) -> str:
    return _text(value, "name", MAX_NAME, _("Give the badge a name."),
                 _("The name is too long: at most {max_length} characters."))


def _description(value: Any) -> str:
    return _text(value, "description", MAX_DESCRIPTION, _("Describe the badge."),
                 _("The description is too long: at most {max_length} characters."))


def _criteria(value: Any) -> str:
    return _text(value, "criteria", MAX_CRITERIA, _("Say what earns the badge (its criteria)."),
                 _("The criteria are too long: at most {max_length} characters."))


def _kind(value: Any) -> str:
    if value not in BadgeClass.Kind.values:
        raise BadgesError("invalid_kind", _("Choose a badge, a certificate or a competency."), field="kind")
    return value


def _skills(value: Any) -> list[str]:
    """Slugs of active skills of the shared taxonomy, without repeats, in the order given."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise BadgesError("invalid_skill", _("Skills must be a list of skills of the taxonomy."), field="skills")
    slugs = list(dict.fromkeys(value))
    if len(slugs) > MAX_SKILLS:
        raise BadgesError("too_many_skills", _("At most {count} skills per badge.").format(count=MAX_SKILLS),
                          field="skills")
    for slug in slugs:
        try:
            skill = trainers_api.get_skill(slug)
        except trainers_api.TrainersError:
            skill = None
        if skill is None or not skill.is_active:
            message = _("“{skill}” is not a skill of the taxonomy.").format(skill=str(slug)[:100])
            raise BadgesError("invalid_skill", message, field="skills")
    return slugs


def _datetime(value: Any) -> datetime:
    """A date (valid through that day, UTC), an aware datetime, or the ISO text of either."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            raise BadgesError("invalid_expiry_date", _("Give the expiry date as a date."), field="expires_on") from None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), tzinfo=UTC)
    raise BadgesError("invalid_expiry_date", _("Give the expiry date as a date."), field="expires_on")


def _expiry(expiry: Any, expires_on: Any, valid_days: Any, now: datetime) -> tuple[str, datetime | None, int | None]:
    """
    The expiry, its date and its number of days, checked together: a date in the future for "date", 1-3650 days for
    "duration", neither for "none". Empty values ("" from a form) count as absent.
    """
    expires_on = None if expires_on in ("", None) else expires_on
    valid_days = None if valid_days in ("", None) else valid_days
    if expiry == BadgeClass.Expiry.NONE:
        if expires_on is not None or valid_days is not None:
            raise BadgesError("invalid_expiry", _("A badge that never expires has no expiry date or duration."),
                              field="expiry")
        return expiry, None, None
    if expiry == BadgeClass.Expiry.DATE:
        if valid_days is not None:
            raise BadgesError("invalid_expiry", _("Choose an expiry date or a duration, not both."), field="expiry")
        if expires_on is None:
            raise BadgesError("expiry_date_required", _("Give the date the badge expires on."), field="expires_on")
        when = _datetime(expires_on)
        if when <= now:
            raise BadgesError("expiry_date_past", _("The expiry date must be in the future."), field="expires_on")
        return expiry, when, None
    if expiry == BadgeClass.Expiry.DURATION:
        if expires_on is not None:
            raise BadgesError("invalid_expiry", _("Choose an expiry date or a duration, not both."), field="expiry")
        if isinstance(valid_days, str) and valid_days.strip().isascii() and valid_days.strip().isdigit():
            valid_days = int(valid_days)
        if isinstance(valid_days, bool) or not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_VALID_DAYS:
            raise BadgesError(
                "invalid_valid_days",
                _("A badge lasts from 1 to {max_days} days after it is awarded.").format(max_days=MAX_VALID_DAYS),
                field="valid_days",
            )
        return expiry, None, valid_days
    raise BadgesError("invalid_expiry", _("Choose when the badge expires: never, on a date, or after some days."),
                      field="expiry")


def course_key_of(value: Any) -> Any:
    """None for the platform (None or ""), else the parsed course key."""
    if value in (None, ""):
        return None
    try:
        return host_api.parse_course_key(value)
    except host_api.HostError:
        raise BadgesError("invalid_course_key", _("This is not a valid course key."), field="course_key") from None


# --- reading ----------------------------------------------------------------------------------------------------------


def skill_names(slug_lists: Iterable[Iterable[str]]) -> dict[str, str]:
    """The names of the skills named in ``slug_lists`` (one query, none when there are no skills)."""
    wanted = {slug for slugs in slug_lists for slug in slugs or ()}
    if not wanted:
        return {}
    return {skill.slug: skill.name for skill in trainers_api.list_skills(include_inactive=True) if skill.slug in wanted}


def class_info(badge_class: BadgeClass, names: dict[str, str]) -> BadgeClassInfo:
    """``badge_class`` as data (``names``: skill names by slug, from ``skill_names``)."""
    return BadgeClassInfo(
        id=badge_class.pk,
        public_id=badge_class.public_id,
        name=badge_class.name,
        description=badge_class.description,
        criteria=badge_class.criteria,
        criteria_html=str(render_markdown(badge_class.criteria)),
        image_url=badge_class.image.url if badge_class.image else "",
        image_type=badge_class.image_type,
        kind=badge_class.kind,
        kind_label=str(BadgeClass.Kind(badge_class.kind).label) if badge_class.kind in BadgeClass.Kind.values else "",
        skills=tuple(SkillRef(slug=slug, name=names.get(slug, slug)) for slug in badge_class.skills or ()),
        expiry=badge_class.expiry,
        expires_on=badge_class.expires_on,
        valid_days=badge_class.valid_days,
        course_key=badge_class.course_key or None,
        for_trainers=badge_class.for_trainers,
        version=badge_class.version,
        is_active=badge_class.is_active,
        created_by_id=badge_class.created_by_id,
        created=badge_class.created,
        modified=badge_class.modified,
    )


def _info(badge_class: BadgeClass) -> BadgeClassInfo:
    return class_info(badge_class, skill_names([badge_class.skills]))


def lookup(id_or_public_id: Any) -> dict[str, Any] | None:
    """The filter that finds a row by its id or its public id (a UUID, or its text); None when it can be neither."""
    if isinstance(id_or_public_id, bool):
        return None
    if isinstance(id_or_public_id, int):
        return {"pk": id_or_public_id}
    if isinstance(id_or_public_id, uuid.UUID):
        return {"public_id": id_or_public_id}
    if isinstance(id_or_public_id, str):
        text = id_or_public_id.strip()
        if text.isascii() and text.isdigit():
            return {"pk": int(text)}
        try:
            return {"public_id": uuid.UUID(text)}
        except ValueError:
            return None
    return None


def find_badge_class(id_or_public_id: Any, *, lock: bool = False) -> BadgeClass:
    """The row (locked for the transaction when ``lock``). Raises ``badge_class_not_found`` (404)."""
    found = lookup(id_or_public_id)
    queryset = BadgeClass.objects.select_for_update() if lock else BadgeClass.objects
    badge_class = queryset.filter(**found).first() if found else None
    if badge_class is None:
        raise not_found("badge_class", _("There is no such badge."))
    return badge_class


def get_badge_class(id_or_public_id: Any, viewer: Any = None) -> BadgeClassInfo:
    """
    A badge class by its id or public id.

    Classes are public (their Open Badges BadgeClass is), so ``viewer`` None (the public outputs, tasks) always
    finds it. A viewer finds an archived class only if they manage it or hold an award of it: archived classes stop
    being offered, not being verifiable.

    Raises:
        BadgesError: ``badge_class_not_found`` (404).
    """
    badge_class = find_badge_class(id_or_public_id)
    if viewer is not None and not badge_class.is_active and not may_manage_badge_class(viewer, badge_class):
        holder = getattr(viewer, "is_authenticated", False) and BadgeAward.objects.filter(
            badge_class=badge_class, recipient_id=viewer.pk).exists()
        if not holder:
            raise not_found("badge_class", _("There is no such badge."))
    return _info(badge_class)


def list_badge_classes(
    *, course_key: Any = None, include_platform: bool = True, for_trainers: bool | None = None,
    active_only: bool = True,
) -> list[BadgeClassInfo]:
    """
    Badge classes by name, in two queries whatever their number (the classes, then their skills' names).

    Args:
        course_key: a course: its classes, and the platform's too when ``include_platform``. None: the platform's
            classes only.
        include_platform: with a course, add the platform-wide classes.
        for_trainers: True: classes for trainers only; False: for learners only; None: both.
        active_only: leave archived classes out.

    Raises:
        BadgesError: ``invalid_course_key`` (400).
    """
    key = course_key_of(course_key)
    classes = BadgeClass.objects.all()
    if key is None:
        classes = classes.filter(course_key=PLATFORM)
    elif include_platform:
        classes = classes.filter(Q(course_key=key) | Q(course_key=PLATFORM))
    else:
        classes = classes.filter(course_key=key)
    if for_trainers is not None:
        classes = classes.filter(for_trainers=for_trainers)
    if active_only:
        classes = classes.filter(is_active=True)
    rows = list(classes.order_by("name", "pk"))
    names = skill_names(row.skills for row in rows)
    return [class_info(row, names) for row in rows]


# --- writing ----------------------------------------------------------------------------------------------------------


def create_badge_class(
    actor: Any,
    *,
    name: str,
    description: str,
    criteria: str,
    image: Any,
    kind: str = BadgeClass.Kind.BADGE,
    skills: Iterable[str] = (),
    expiry: str = BadgeClass.Expiry.NONE,
    expires_on: Any = None,
    valid_days: int | None = None,
    course_key: Any = None,
    for_trainers: bool = False,
) -> BadgeClassInfo:
    """
    Create a badge class (version 1, active).

    Args:
        actor: its author: course staff of ``course_key``, or platform staff (needed without a course key, or for
            trainers' classes).
        name, description, criteria: what it is and what earns it (criteria in Markdown).
        image: the uploaded PNG or SVG (cleaned before it is stored).
        kind: "badge", "certificate" or "competency".
        skills: slugs of active skills of the trainers' taxonomy it aligns to (at most 10).
        expiry: "none", "date" (``expires_on``, in the future) or "duration" (``valid_days`` after each award).
        course_key: the course it belongs to; None for the platform.
        for_trainers: awarded to trainers (recognition), not learners.

    Raises:
        BadgesError: ``permission_denied`` (403); ``invalid_course_key``, ``name_required``, ``name_too_long``,
            ``description_*``, ``criteria_*``, ``invalid_kind``, ``too_many_skills``, ``invalid_skill``,
            ``invalid_expiry``, ``expiry_date_required``, ``expiry_date_past``, ``invalid_valid_days`` and the image's
            codes (400).
    """
    key = course_key_of(course_key)
    for_trainers = bool(for_trainers)
    scope = None if (key is None or for_trainers) else key
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(MANAGE, scope):
        raise forbidden(
            _("Only the course's staff can create its badges.") if scope is not None
            else _("Only platform staff can create platform-wide badges and badges for trainers.")
        )
    values = {
        "name": _name(name),
        "description": _description(description),
        "criteria": _criteria(criteria),
        "kind": _kind(kind),
        "skills": _skills(skills),
    }
    values["expiry"], values["expires_on"], values["valid_days"] = _expiry(expiry, expires_on, valid_days,
                                                                           timezone.now())
    content, image_type = clean_badge_image(image)
    badge_class = BadgeClass(**values, image_type=image_type, course_key=key, for_trainers=for_trainers,
                             created_by=actor)
    with transaction.atomic():
        badge_class.image.save(content.name, content, save=False)
        badge_class.save()
    return _info(badge_class)


def update_badge_class(actor: Any, badge_class_id: Any, **changes: Any) -> BadgeClassInfo:
    """
    Change a badge class. A change of what it means (name, description, criteria, image, skills, expiry) raises its
    version by one (its kind too); values equal to the current ones do not. Existing awards keep the
    version they were issued under. Changing the expiry (``expiry``) takes ``expires_on``/``valid_days`` from
    ``changes`` only; otherwise they apply to the current expiry.

    Args:
        actor: someone who manages the class (``may_manage_badge_class``).
        badge_class_id: its id or public id.
        **changes: any of ``EDITABLE``.

    Raises:
        BadgesError: ``badge_class_not_found`` (404), ``permission_denied`` (403), ``unknown_field`` (400) and the
            validation codes of ``create_badge_class``.
    """
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise BadgesError("unknown_field", _("These fields cannot be changed: {fields}.").format(
            fields=", ".join(unknown)), field=unknown[0])
    with transaction.atomic():
        badge_class = find_badge_class(badge_class_id, lock=True)
        if not may_manage_badge_class(actor, badge_class):
            raise forbidden(_("You cannot change this badge."))
        new: dict[str, Any] = {}
        if "name" in changes:
            new["name"] = _name(changes["name"])
        if "description" in changes:
            new["description"] = _description(changes["description"])
        if "criteria" in changes:
            new["criteria"] = _criteria(changes["criteria"])
        if "kind" in changes:
            new["kind"] = _kind(changes["kind"])
        if "skills" in changes:
            new["skills"] = _skills(changes["skills"])
        if {"expiry", "expires_on", "valid_days"} & set(changes):
            if "expiry" in changes:
                expiry, expires_on, valid_days = (changes["expiry"], changes.get("expires_on"),
                                                  changes.get("valid_days"))
            else:
                expiry = badge_class.expiry
                expires_on = changes.get("expires_on", badge_class.expires_on)
                valid_days = changes.get("valid_days", badge_class.valid_days)
            new["expiry"], new["expires_on"], new["valid_days"] = _expiry(expiry, expires_on, valid_days,
                                                                          timezone.now())
        changed = {field for field, value in new.items() if getattr(badge_class, field) != value}
        image = None
        if "image" in changes:
            image = clean_badge_image(changes["image"])
            changed.add("image")
        for field in changed - {"image"}:
            setattr(badge_class, field, new[field])
        if image is not None:
            content, badge_class.image_type = image
            badge_class.image.save(content.name, content, save=False)
        if changed & VERSIONED:
            badge_class.version += 1
        if changed:
            badge_class.save()
    return _info(badge_class)


def archive_badge_class(actor: Any, badge_class_id: Any) -> BadgeClassInfo:
    """
    Stop awarding a badge class (idempotent). Its awards stay verifiable, and can still be revoked.

    Raises:
        BadgesError: ``badge_class_not_found`` (404), ``permission_denied`` (403).
    """
    with transaction.atomic():
        badge_class = find_badge_class(badge_class_id, lock=True)
        if not may_manage_badge_class(actor, badge_class):
            raise forbidden(_("You cannot archive this badge."))
        if badge_class.is_active:
            badge_class.is_active = False
            badge_class.save(update_fields=["is_active", "modified"])
    return _info(badge_class)
