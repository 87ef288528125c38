"""
Levels: the configurable ladder (``MENTORA_TRAINER_LEVELS``), recomputed from each trainer's figures.

The ladder is published: every level's criteria are thresholds over the figures of ``metrics`` (a rolling window),
either minimums (sessions delivered, distinct learners, ratings, Bayesian average rating, learner success) or
maximums (median review turnaround, no-show rate, upheld complaints). The first level has no criteria: every new
trainer starts there (``start_first_level``, on probation).

How a trainer moves, at each recompute (daily, Celery beat, and on demand), in the spirit of Discourse's trust
levels:

- **promotion** is automatic and immediate, possibly several steps at once, to the highest level whose criteria are
  all met; it lifts a pending warning;
- a trainer **keeps** their level while their figures stay within ``MENTORA_TRAINER_DEMOTION_FLOOR`` (90 %) of its
  thresholds: a minimum of 10 is still met at 9, a maximum of 0.10 at 0.111 (the gentle band);
- below that band they are first **warned** (by email), and **demoted** only if still below it
  ``MENTORA_TRAINER_DEMOTION_GRACE_DAYS`` after the warning, to the highest level they fully meet; back inside the
  band before then, the warning is **lifted**;
- staff may **lock** a level (the recompute then only refreshes the figures), **override** it (set a level, which
  locks it) and **unlock** it, always with a reason.

Every change is a ``LevelChange`` row with the figures that caused it (``snapshot``): the metrics, and for a
recompute's changes the thresholds of the level concerned (``thresholds``), the floor (``floor``) and the criteria
not met at the floor (``unmet``).

The profile row is the lock (``SELECT ... FOR UPDATE``): the recompute locks a batch of profiles in one statement
before deciding, a staff action locks its one profile, so a recompute racing an override can never write back a
level read before the override.
"""
from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import notifications
from mentora_plugin.trainers.common import TrainersError, forbidden, lock_profile, not_found
from mentora_plugin.trainers.metrics import TrainerMetrics, compute_metrics
from mentora_plugin.trainers.models import LevelChange, TrainerProfile

__all__ = [
    "CRITERIA",
    "CriterionInfo",
    "CriterionStanding",
    "LevelChangeInfo",
    "LevelInfo",
    "LevelStanding",
    "RecomputeSummary",
    "ladder",
    "level_history",
    "level_keys",
    "level_name",
    "lock_level",
    "meets",
    "override_level",
    "recompute_levels",
    "recompute_trainer",
    "start_first_level",
    "trainer_standing",
    "unlock_level",
]

#: The built-in names of the default levels' keys (an operator's level may bring its own "name").
LEVEL_NAMES = {
    "beginner": gettext_lazy("Beginner"),
    "intermediate": gettext_lazy("Intermediate"),
    "advanced": gettext_lazy("Advanced"),
    "expert": gettext_lazy("Expert"),
}

MIN = "min"
MAX = "max"

#: Every criterion a level may use, in the order pages list them: its kind (a minimum or a maximum) and its label.
#: The value is the ``TrainerMetrics`` attribute of the same name.
CRITERIA: dict[str, tuple[str, Any]] = {
    "sessions_delivered": (MIN, gettext_lazy("Sessions delivered")),
    "distinct_learners": (MIN, gettext_lazy("Distinct learners mentored")),
    "rating_count": (MIN, gettext_lazy("Ratings received")),
    "rating_average": (MIN, gettext_lazy("Average rating (Bayesian)")),
    "learner_success": (MIN, gettext_lazy("Learner success (share who passed)")),
    "review_turnaround_hours": (MAX, gettext_lazy("Review turnaround (median hours)")),
    "answer_response_hours": (MAX, gettext_lazy("Response time to priority questions (median hours)")),
    "no_show_rate": (MAX, gettext_lazy("No-show rate")),
    "upheld_complaints": (MAX, gettext_lazy("Upheld complaints")),
}

#: Profiles locked and decided per transaction by ``recompute_levels``. Under SQLite's historical limit of 999
#: parameters per statement, so every ``IN`` list of a batch is one statement on every database.
BATCH_SIZE = 500

#: Rounding slack of the threshold comparisons (10 * 0.9 must accept 9).
_EPSILON = 1e-9

_MANAGE_LEVEL = "mentora_trainers.manage_level"


# --- data returned -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputeSummary:
    """What a recompute did: trainers seen, and how many of them each outcome got; ``batches`` transactions."""

    trainers: int = 0
    promoted: int = 0
    warned: int = 0
    cleared: int = 0
    demoted: int = 0
    unchanged: int = 0
    locked: int = 0
    batches: int = 0


@dataclass(frozen=True)
class CriterionInfo:
    """A published criterion of a level: ``threshold`` to reach it, ``floor`` what still keeps it (gentle band)."""

    key: str
    label: str
    kind: str
    threshold: float
    floor: float


@dataclass(frozen=True)
class LevelInfo:
    """A level of the ladder (``rank`` 0 is the first), its criteria and the capabilities it unlocks."""

    key: str
    name: str
    rank: int
    criteria: tuple[CriterionInfo, ...]
    capabilities: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CriterionStanding:
    """
    Where a trainer stands on one criterion. ``threshold`` and ``floor`` are the current level's (None when it does
    not use the criterion), ``next_threshold`` the next level's (None likewise, or at the top).

    ``met_current``: the current threshold is fully met. ``above_floor``: it is met at the floor, i.e. it does not
    put the level at risk (a criterion can be in the band: not met, but above the floor). ``met_next``: the next
    level's threshold is met. Each is None where there is no such threshold.
    """

    key: str
    label: str
    kind: str
    value: float | int | None
    threshold: float | None
    floor: float | None
    next_threshold: float | None
    met_current: bool | None
    above_floor: bool | None
    met_next: bool | None


@dataclass(frozen=True)
class LevelStanding:
    """
    A trainer's level and what it takes, for their own page: computed live from their current figures.

    ``warning_deadline``: when a pending warning turns into a demotion if the figures stay below the floor (None
    without a warning, or while the level is locked). ``on_probation``: ``probation_until`` is still ahead.
    ``criteria``: every criterion of the current or the next level, in ``CRITERIA`` order.
    """

    trainer_id: int
    level: str
    level_name: str
    rank: int
    locked: bool
    lock_reason: str
    warning_at: datetime | None
    warning_deadline: datetime | None
    probation_until: datetime | None
    on_probation: bool
    next_level: str | None
    next_level_name: str | None
    criteria: tuple[CriterionStanding, ...]
    metrics: TrainerMetrics
    computed_at: datetime


@dataclass(frozen=True)
class LevelChangeInfo:
    """
    One entry of a trainer's level history. ``metrics`` are the figures it was decided on; ``thresholds`` those of
    the level concerned (recompute's changes and overrides); ``unmet`` the criteria missed at the floor (warnings,
    demotions). ``actor_id``/``actor_name`` are staff's for a lock, unlock or override, None for the recompute.
    """

    id: int
    kind: str
    kind_label: str
    from_level: str
    from_level_name: str
    to_level: str
    to_level_name: str
    actor_id: int | None
    actor_name: str | None
    reason: str
    at: datetime
    metrics: dict[str, Any]
    thresholds: dict[str, float]
    unmet: tuple[str, ...]


# --- the ladder ----------------------------------------------------------------------------------------------------


def _levels() -> list[dict[str, Any]]:
    """
    ``MENTORA_TRAINER_LEVELS``, read at call time and checked: a non-empty list of levels with unique non-empty
    keys, the first without criteria, criteria among ``CRITERIA`` with non-negative numbers.

    Raises:
        ImproperlyConfigured: the setting breaks one of these rules (said which, and where).
    """
    levels = list(getattr(settings, "MENTORA_TRAINER_LEVELS", None) or [{"key": "beginner", "criteria": {}}])
    seen: set[str] = set()
    for index, level in enumerate(levels):
        key = level.get("key") if isinstance(level, dict) else None
        if not isinstance(key, str) or not key:
            raise ImproperlyConfigured(f"MENTORA_TRAINER_LEVELS[{index}] needs a non-empty string \"key\".")
        if key in seen:
            raise ImproperlyConfigured(f"MENTORA_TRAINER_LEVELS: the key {key!r} is used twice; keys must be unique.")
        seen.add(key)
        criteria = level.get("criteria") or {}
        if not isinstance(criteria, dict):
            raise ImproperlyConfigured(f"MENTORA_TRAINER_LEVELS: the criteria of {key!r} must be a dict.")
        if index == 0 and criteria:
            raise ImproperlyConfigured(
                f"MENTORA_TRAINER_LEVELS: the first level ({key!r}) must have no criteria: every new trainer starts "
                "there."
            )
        for name, threshold in criteria.items():
            if name not in CRITERIA:
                raise ImproperlyConfigured(
                    f"MENTORA_TRAINER_LEVELS: unknown criterion {name!r} in {key!r}; known: {', '.join(CRITERIA)}."
                )
            if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold < 0:
                raise ImproperlyConfigured(
                    f"MENTORA_TRAINER_LEVELS: the threshold of {name!r} in {key!r} must be a number >= 0."
                )
    return levels


def _criteria(level: dict[str, Any]) -> dict[str, float]:
    return dict(level.get("criteria") or {})


def _floor() -> float:
    """``MENTORA_TRAINER_DEMOTION_FLOOR``: a share in (0, 1]."""
    floor = getattr(settings, "MENTORA_TRAINER_DEMOTION_FLOOR", 0.9)
    if isinstance(floor, bool) or not isinstance(floor, int | float) or not 0 < floor <= 1:
        raise ImproperlyConfigured("MENTORA_TRAINER_DEMOTION_FLOOR must be a number in (0, 1], e.g. 0.9.")
    return float(floor)


def _grace() -> timedelta:
    """``MENTORA_TRAINER_DEMOTION_GRACE_DAYS``: days from a warning to a demotion (0: at the next recompute)."""
    days = getattr(settings, "MENTORA_TRAINER_DEMOTION_GRACE_DAYS", 14)
    if isinstance(days, bool) or not isinstance(days, int | float) or days < 0:
        raise ImproperlyConfigured("MENTORA_TRAINER_DEMOTION_GRACE_DAYS must be a number of days >= 0.")
    return timedelta(days=days)


def level_keys() -> list[str]:
    """The keys of the ladder, lowest first."""
    return [level["key"] for level in _levels()]


def level_name(key: str) -> str:
    """The name to show for a level key (the operator's "name", else the built-in translated one, else the key)."""
    for level in _levels():
        if level["key"] == key and level.get("name"):
            return str(level["name"])
    return str(LEVEL_NAMES.get(key, key))


def _floor_of(kind: str, threshold: float, floor: float) -> float:
    """The value that still meets ``threshold`` at ``floor`` (a lower minimum, a higher maximum)."""
    return threshold * floor if kind == MIN else threshold / floor


def _met(key: str, value: Any, threshold: float, floor: float) -> bool:
    kind = CRITERIA[key][0]
    if kind == MAX:
        return value is None or value <= _floor_of(MAX, threshold, floor) + _EPSILON
    return value is not None and value >= _floor_of(MIN, threshold, floor) - _EPSILON


def _unmet(metrics: TrainerMetrics, criteria: dict[str, float], floor: float = 1.0) -> list[str]:
    return [key for key, threshold in criteria.items() if not _met(key, getattr(metrics, key), threshold, floor)]


def meets(metrics: TrainerMetrics, criteria: dict[str, float], floor: float = 1.0) -> bool:
    """
    Whether ``metrics`` meet every criterion of ``criteria`` (a level's thresholds) at ``floor``.

    A minimum is met when the value is at least ``threshold * floor``, a maximum when it is at most
    ``threshold / floor``; a maximum on the review turnaround is met by a trainer who released no review (None). With
    ``floor`` 1 this is "reaches the level"; with ``MENTORA_TRAINER_DEMOTION_FLOOR`` it is "keeps it".
    """
    return not _unmet(metrics, criteria, floor)


def ladder() -> list[LevelInfo]:
    """
    The published ladder, lowest first: every level's criteria with their thresholds and floors, and the
    capabilities ``MENTORA_TRAINER_CAPABILITIES`` gives it.

    Raises:
        ImproperlyConfigured: see ``_levels``.
    """
    floor = _floor()
    capabilities = getattr(settings, "MENTORA_TRAINER_CAPABILITIES", None) or {}
    levels = []
    for rank, level in enumerate(_levels()):
        criteria = _criteria(level)
        levels.append(LevelInfo(
            key=level["key"],
            name=level_name(level["key"]),
            rank=rank,
            criteria=tuple(
                CriterionInfo(
                    key=key, label=str(label), kind=kind, threshold=criteria[key],
                    floor=_floor_of(kind, criteria[key], floor),
                )
                for key, (kind, label) in CRITERIA.items() if key in criteria
            ),
            capabilities=dict(capabilities.get(level["key"]) or {}),
        ))
    return levels


# --- the recompute -------------------------------------------------------------------------------------------------


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def recompute_levels(trainer_ids: list[int] | None = None, now: datetime | None = None) -> RecomputeSummary:
    """
    Recompute the level of every active trainer (or of the active trainers among ``trainer_ids``).

    In batches of ``BATCH_SIZE`` profiles, one transaction each: lock the batch's profile rows (one ``SELECT ...
    FOR UPDATE``), measure them all (``metrics.compute_metrics``, a fixed number of queries), decide each one (see
    the module's docstring), write the profiles back (``_save_batch``: the level fields and the figures only) and
    the changes (``bulk_create``), and queue the emails (sent once, after the commit). The queries therefore grow
    with the number of batches, not with the number of trainers (plus one query for the recipients when a batch
    sends emails).

    A locked trainer only gets fresh figures. A trainer whose level is no longer on the ladder counts as below the
    first level: they are placed at the highest level they fully meet (logged as a promotion).

    Args:
        trainer_ids: user ids; None for every active trainer.
        now: the instant to decide at (default: now); tests and reruns move it.

    Returns:
        The counts of each outcome.

    Raises:
        ImproperlyConfigured: the ladder or the demotion settings are invalid.
    """
    now = now or timezone.now()
    levels = _levels()
    floor, grace = _floor(), _grace()
    profiles = TrainerProfile.objects.filter(status=TrainerProfile.Status.ACTIVE)
    if trainer_ids is not None:
        profiles = profiles.filter(user_id__in=list(trainer_ids))
    profile_ids = list(profiles.order_by("pk").values_list("pk", flat=True))
    counts: Counter[str] = Counter()
    batches = 0
    for chunk in _chunks(profile_ids, BATCH_SIZE):
        batches += 1
        with transaction.atomic():
            # Locked alone (no join), then re-checked: a profile suspended since the list was read is skipped.
            batch = list(
                TrainerProfile.objects.select_for_update()
                .filter(pk__in=chunk, status=TrainerProfile.Status.ACTIVE)
                .order_by("pk")
            )
            if not batch:
                continue
            metrics = compute_metrics([profile.user_id for profile in batch], now)
            changes: list[LevelChange] = []
            emails: list[tuple[TrainerProfile, str, dict[str, Any]]] = []
            for profile in batch:
                counts[_decide(profile, metrics[profile.user_id], levels, floor, grace, now, changes, emails)] += 1
            _save_batch(batch, changes, now)
            LevelChange.objects.bulk_create(changes)
            _send(emails, now)
    return RecomputeSummary(
        trainers=sum(counts.values()),
        promoted=counts["promoted"],
        warned=counts["warned"],
        cleared=counts["cleared"],
        demoted=counts["demoted"],
        unchanged=counts["unchanged"],
        locked=counts["locked"],
        batches=batches,
    )


def _save_batch(batch: list[TrainerProfile], changes: list[LevelChange], now: datetime) -> None:
    """
    Write a decided batch back, touching only the fields the recompute owns (``level``, ``level_warning_at``,
    ``level_computed_at``, ``metrics``: a profile edit or a lock waiting on the row keeps its own fields).

    Three kinds of statements, so that the work grows with the batch's rows and not with Django's expressions: the
    time of the recompute for the whole batch (one ``UPDATE``), the figures (``bulk_update``, one ``WHEN`` per
    row), and the level fields of the profiles that changed, one ``UPDATE`` per new (level, warning) pair, i.e. at
    most two per level of the ladder.
    """
    TrainerProfile.objects.filter(pk__in=[profile.pk for profile in batch]).update(level_computed_at=now)
    TrainerProfile.objects.bulk_update(batch, ["metrics"])
    groups: dict[tuple[str, datetime | None], set[int]] = defaultdict(set)
    for change in changes:
        groups[(change.profile.level, change.profile.level_warning_at)].add(change.profile.pk)
    for (level, warning_at), pks in groups.items():
        TrainerProfile.objects.filter(pk__in=sorted(pks)).update(level=level, level_warning_at=warning_at)


def _decide(
    profile: TrainerProfile,
    metrics: TrainerMetrics,
    levels: list[dict[str, Any]],
    floor: float,
    grace: timedelta,
    now: datetime,
    changes: list[LevelChange],
    emails: list[tuple[TrainerProfile, str, dict[str, Any]]],
) -> str:
    """
    Decide one (locked) profile: update it in memory, append its level change and email if any, and return the
    outcome ("promoted", "warned", "cleared", "demoted", "unchanged" or "locked").
    """
    snapshot = metrics.as_snapshot()
    profile.metrics = snapshot
    profile.level_computed_at = now
    if profile.level_locked:
        return "locked"
    keys = [level["key"] for level in levels]
    rank = keys.index(profile.level) if profile.level in keys else -1
    target = max(index for index, level in enumerate(levels) if meets(metrics, _criteria(level)))

    def log(kind: str, to_rank: int, about: dict[str, Any], unmet: list[str] | None = None) -> None:
        details = {**snapshot, "thresholds": _criteria(about), "floor": floor}
        if unmet is not None:
            details["unmet"] = unmet
        changes.append(LevelChange(
            profile=profile, kind=kind, from_level=profile.level, to_level=keys[to_rank], snapshot=details, at=now,
        ))

    if target > rank:
        log(LevelChange.Kind.PROMOTION, target, levels[target])
        emails.append(_level_changed(profile, keys[target], LevelChange.Kind.PROMOTION))
        profile.level, profile.level_warning_at = keys[target], None
        return "promoted"
    current = levels[rank]
    unmet = _unmet(metrics, _criteria(current), floor)
    if not unmet:
        if profile.level_warning_at is None:
            return "unchanged"
        log(LevelChange.Kind.WARNING_CLEARED, rank, current)
        profile.level_warning_at = None
        return "cleared"
    if profile.level_warning_at is None:
        log(LevelChange.Kind.WARNING, rank, current, unmet)
        emails.append((profile, "level_warning", {"level": profile.level, "deadline": (now + grace).isoformat()}))
        profile.level_warning_at = now
        return "warned"
    if now < profile.level_warning_at + grace:
        return "unchanged"
    log(LevelChange.Kind.DEMOTION, target, levels[target], unmet)
    emails.append(_level_changed(profile, keys[target], LevelChange.Kind.DEMOTION))
    profile.level, profile.level_warning_at = keys[target], None
    return "demoted"


def _level_changed(profile: TrainerProfile, to_level: str, kind: str) -> tuple[TrainerProfile, str, dict[str, Any]]:
    return profile, "level_changed", {"from_level": profile.level, "to_level": to_level, "kind": str(kind)}


def _send(emails: list[tuple[TrainerProfile, str, dict[str, Any]]], now: datetime) -> None:
    """
    Queue a batch's emails (``notifications.notify``: once per dedupe key, after the commit). The recipients are
    read in one query. The dedupe key names the profile and the instant of the decision, so a retried recompute
    at the same instant sends nothing twice, and a later change is a new email.
    """
    if not emails:
        return
    users = get_user_model().objects.in_bulk([profile.user_id for profile, _kind, _context in emails])
    stamp = now.isoformat()
    for profile, kind, context in emails:
        prefix = "level-warning" if kind == "level_warning" else "level-changed"
        notifications.notify(kind, users[profile.user_id], f"{prefix}:{profile.pk}:{stamp}", **context)


# --- staff actions -------------------------------------------------------------------------------------------------


def _check_staff(actor: Any, reason: str) -> str:
    """The stripped reason, once ``actor`` may manage levels (403) and gave one (400 ``reason_required``)."""
    if actor is None or not actor.has_perm(_MANAGE_LEVEL):
        raise forbidden(_("Only staff may change a trainer's level."))
    reason = (reason or "").strip()
    if not reason:
        raise TrainersError(
            "reason_required", _("Give a reason: it is kept in the trainer's level history."), status=400
        )
    return reason


def _lock_active(trainer: Any) -> TrainerProfile:
    """
    The active trainer's profile, locked (inside ``transaction.atomic()``). Never creates one: a user who is not an
    active trainer is a 404 ``trainer_not_found``.
    """
    profile = (
        TrainerProfile.objects.select_for_update().filter(user_id=host_api._user_id(trainer)).first()
    )
    if profile is None or profile.status != TrainerProfile.Status.ACTIVE:
        raise not_found("trainer")
    return profile


def _staff_change(profile: TrainerProfile, kind: str, to_level: str, actor: Any, reason: str, now: datetime) -> None:
    snapshot = dict(profile.metrics or {})
    if kind == LevelChange.Kind.OVERRIDE:
        thresholds = next((_criteria(level) for level in _levels() if level["key"] == to_level), {})
        snapshot["thresholds"] = thresholds
    LevelChange.objects.create(
        profile=profile, kind=kind, from_level=profile.level, to_level=to_level, actor_id=actor.pk, reason=reason,
        snapshot=snapshot, at=now,
    )


def lock_level(trainer: Any, actor: Any, reason: str) -> None:
    """
    Lock ``trainer``'s level where it is: the recompute then only refreshes their figures (no promotion, warning
    or demotion) until ``unlock_level``. A pending warning is lifted (it could not lead anywhere); locking a locked
    level again replaces the reason. Logged as a ``lock`` change with the actor and the reason.

    Args:
        trainer: the trainer (a user or a user id).
        actor: the staff member acting.
        reason: why (required; kept in the history and shown with the lock).

    Raises:
        TrainersError: ``permission_denied`` (403) unless ``actor`` has ``mentora_trainers.manage_level``;
            ``reason_required`` (400); ``trainer_not_found`` (404) unless ``trainer`` is an active trainer.
    """
    reason = _check_staff(actor, reason)
    with transaction.atomic():
        profile = _lock_active(trainer)
        now = timezone.now()
        _staff_change(profile, LevelChange.Kind.LOCK, profile.level, actor, reason, now)
        profile.level_locked, profile.level_lock_reason, profile.level_warning_at = True, reason, None
        profile.save(update_fields=["level_locked", "level_lock_reason", "level_warning_at", "modified"])


def unlock_level(trainer: Any, actor: Any, reason: str) -> None:
    """
    Hand ``trainer``'s level back to the recompute (which may then promote them, or warn them before any demotion).
    Logged as an ``unlock`` change with the actor and the reason.

    Raises:
        TrainersError: as ``lock_level``; ``not_locked`` (400) when the level is not locked.
    """
    reason = _check_staff(actor, reason)
    with transaction.atomic():
        profile = _lock_active(trainer)
        if not profile.level_locked:
            raise TrainersError("not_locked", _("This trainer's level is not locked."), status=400)
        _staff_change(profile, LevelChange.Kind.UNLOCK, profile.level, actor, reason, timezone.now())
        profile.level_locked, profile.level_lock_reason = False, ""
        profile.save(update_fields=["level_locked", "level_lock_reason", "modified"])


def override_level(trainer: Any, level_key: str, actor: Any, reason: str) -> None:
    """
    Set ``trainer``'s level to ``level_key`` by hand, and lock it there: the recompute will not undo it until
    ``unlock_level``. Any pending warning is lifted. Logged as an ``override`` change (actor, reason, the figures
    and the level's thresholds); the trainer is emailed when the level changes.

    Raises:
        TrainersError: as ``lock_level``; ``unknown_level`` (400) when ``level_key`` is not on the ladder.
    """
    reason = _check_staff(actor, reason)
    if level_key not in level_keys():
        raise TrainersError("unknown_level", _("There is no level {key}.").format(key=level_key), status=400)
    with transaction.atomic():
        profile = _lock_active(trainer)
        now = timezone.now()
        previous = profile.level
        _staff_change(profile, LevelChange.Kind.OVERRIDE, level_key, actor, reason, now)
        profile.level, profile.level_locked, profile.level_lock_reason = level_key, True, reason
        profile.level_warning_at = None
        profile.save(update_fields=["level", "level_locked", "level_lock_reason", "level_warning_at", "modified"])
        if previous != level_key:
            notifications.notify(
                "level_changed", profile.user, f"level-changed:{profile.pk}:{now.isoformat()}",
                from_level=previous, to_level=level_key, kind=str(LevelChange.Kind.OVERRIDE),
            )


def recompute_trainer(trainer: Any, actor: Any = None) -> RecomputeSummary:
    """
    Recompute one trainer's level now (on demand: after a correction of their figures, say), exactly as the daily
    recompute would.

    Args:
        trainer: the trainer (a user or a user id).
        actor: the person asking, who needs ``mentora_trainers.manage_level``; None for the system itself.

    Raises:
        TrainersError: ``permission_denied`` (403); ``trainer_not_found`` (404) unless an active trainer.
    """
    if actor is not None and not actor.has_perm(_MANAGE_LEVEL):
        raise forbidden(_("Only staff may recompute a trainer's level."))
    trainer_id = host_api._user_id(trainer)
    if not TrainerProfile.objects.filter(user_id=trainer_id, status=TrainerProfile.Status.ACTIVE).exists():
        raise not_found("trainer")
    return recompute_levels([trainer_id])


def start_first_level(user: Any, actor: Any = None) -> None:
    """
    Make ``user`` an active trainer at the first level, on probation for ``MENTORA_TRAINER_PROBATION_DAYS``; logged
    as the level's ``initial`` change. Called when an application completes onboarding. Does nothing for a trainer
    who is already active (a second approval, in another scope, keeps their level).
    """
    with transaction.atomic():
        profile = lock_profile(user)
        if profile.status == TrainerProfile.Status.ACTIVE and profile.level:
            return
        now = timezone.now()
        first = level_keys()[0]
        days = getattr(settings, "MENTORA_TRAINER_PROBATION_DAYS", 30) or 0
        profile.status = TrainerProfile.Status.ACTIVE
        profile.level = first
        profile.activated_at = profile.activated_at or now
        profile.probation_until = now + timedelta(days=days) if days else None
        profile.level_warning_at = None
        profile.save()
        LevelChange.objects.create(
            profile=profile, kind=LevelChange.Kind.INITIAL, from_level="", to_level=first,
            actor_id=getattr(actor, "pk", None), snapshot=profile.metrics or {}, at=now,
        )


# --- reads ---------------------------------------------------------------------------------------------------------


def trainer_standing(user: Any, now: datetime | None = None) -> LevelStanding | None:
    """
    Where ``user`` stands, criterion by criterion, against their level and the next one: for their own page.
    Computed live from their figures (``compute_metrics``), so it shows today's values even between recomputes.

    Args:
        user: a user or a user id.
        now: the end of the window (default: now).

    Returns:
        The standing, or None when ``user`` is not an active trainer.
    """
    profile = TrainerProfile.objects.filter(
        user_id=host_api._user_id(user), status=TrainerProfile.Status.ACTIVE
    ).first()
    if profile is None:
        return None
    now = now or timezone.now()
    levels, floor, grace = _levels(), _floor(), _grace()
    keys = [level["key"] for level in levels]
    rank = keys.index(profile.level) if profile.level in keys else -1
    current = _criteria(levels[rank]) if rank >= 0 else {}
    following = levels[rank + 1] if rank + 1 < len(levels) else None
    upcoming = _criteria(following) if following else {}
    metrics = compute_metrics([profile.user_id], now)[profile.user_id]

    criteria = []
    for key, (kind, label) in CRITERIA.items():
        if key not in current and key not in upcoming:
            continue
        value = getattr(metrics, key)
        threshold, next_threshold = current.get(key), upcoming.get(key)
        criteria.append(CriterionStanding(
            key=key,
            label=str(label),
            kind=kind,
            value=value,
            threshold=threshold,
            floor=_floor_of(kind, threshold, floor) if threshold is not None else None,
            next_threshold=next_threshold,
            met_current=_met(key, value, threshold, 1.0) if threshold is not None else None,
            above_floor=_met(key, value, threshold, floor) if threshold is not None else None,
            met_next=_met(key, value, next_threshold, 1.0) if next_threshold is not None else None,
        ))
    warning_at = profile.level_warning_at
    return LevelStanding(
        trainer_id=profile.user_id,
        level=profile.level,
        level_name=level_name(profile.level) if profile.level else "",
        rank=rank,
        locked=profile.level_locked,
        lock_reason=profile.level_lock_reason if profile.level_locked else "",
        warning_at=warning_at,
        warning_deadline=warning_at + grace if warning_at and not profile.level_locked else None,
        probation_until=profile.probation_until,
        on_probation=bool(profile.probation_until and profile.probation_until > now),
        next_level=following["key"] if following else None,
        next_level_name=level_name(following["key"]) if following else None,
        criteria=tuple(criteria),
        metrics=metrics,
        computed_at=now,
    )


_SNAPSHOT_EXTRAS = ("thresholds", "floor", "unmet")


def level_history(trainer: Any) -> list[LevelChangeInfo]:
    """
    ``trainer``'s level changes, newest first, with the figures behind each (one query, the actors joined).

    Args:
        trainer: a user or a user id.

    Returns:
        The changes; an empty list for a user without a trainer profile.
    """
    changes = (
        LevelChange.objects.filter(profile__user_id=host_api._user_id(trainer))
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    kinds = dict(LevelChange.Kind.choices)
    history = []
    for change in changes:
        snapshot = dict(change.snapshot or {})
        extras = {key: snapshot.pop(key, None) for key in _SNAPSHOT_EXTRAS}
        history.append(LevelChangeInfo(
            id=change.pk,
            kind=change.kind,
            kind_label=str(kinds.get(change.kind, change.kind)),
            from_level=change.from_level,
            from_level_name=level_name(change.from_level) if change.from_level else "",
            to_level=change.to_level,
            to_level_name=level_name(change.to_level) if change.to_level else "",
            actor_id=change.actor_id,
            actor_name=host_api.display_name(change.actor) if change.actor else None,
            reason=change.reason,
            at=change.at,
            metrics=snapshot,
            thresholds=dict(extras["thresholds"] or {}),
            unmet=tuple(extras["unmet"] or ()),
        ))
    return history
