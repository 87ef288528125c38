"""
Award rules: a badge awarded automatically when a learner (or, for trainers' badges, a trainer) meets the
conditions of one of its class's rules. (Named apart from ``rules.py``, the permissions.)

**Conditions** (``validate_conditions``), each a dict with a ``kind``:

- ``{"kind": "project_score", "usage_key", "min_percent"}``: the learner's approved work on the project (the review
  the gradebook keeps, ``reviews.api.rubric_result``) scored at least ``min_percent`` (0-100) of its points;
- ``{"kind": "sessions_attended", "count", "course_key"?}``: at least ``count`` sessions took place with the
  learner (the trainers' activity record: kind ``session``, outcome ``delivered``), in ``course_key`` (by default
  the class's course; in any course for a platform class without one);
- ``{"kind": "course_passed", "course_key"?}``: the platform says the learner passes the course (the class's by
  default; a platform class names one);
- ``{"kind": "trainer_metric", "metric", "min" | "max"}``, for trainers' classes only (and the only kind they
  accept): one of the figures the trainers' levels measure over their rolling window (``trainers.api.CRITERIA``:
  ``rating_average``, ``rating_count``, ``sessions_delivered``...) at least ``min`` or at most ``max``. A figure
  with no value (no review released, so no turnaround) never meets a condition: a badge needs evidence.

A course class's conditions concern its own course (its projects, its sessions, passing it); a platform class's may
name any course. A rule's ``mode`` says whether all of its conditions, or any one, must hold.

**When rules are evaluated**: on the events that can change a condition (``handlers``: a review released, a session
that took place, a passing grade), for the people the event concerns, only the rules that have a condition of that
kind (an ``all`` rule mixing kinds is checked on each of its kinds' events); trainers' rules daily
(``award_trainer_badges``, Celery beat), for every active trainer in batches. A person who already holds a current
award of the class is skipped before anything is measured.

**Idempotency, and awarding again after a revocation**: an award's source key is ``rule:<rule id>:<reason key>``,
where the reason key names the event that caused the evaluation (``review:<review id>``, ``booking:<booking id>``,
``passing:<event id>``, ``trainers:<day>``). ``awards.award_automatically`` returns the award a source key made
before, so an event delivered twice (or a task retried) awards once, and an event delivered again after its award
was revoked returns the revoked award instead of undoing the revocation. A *later* event has another key: if the
person still meets the rule and holds no current award (it was revoked or expired), they are awarded again. One
event never awards a class twice: the class's row is locked and a current award refuses a second one. (An event that
found a current award awards nothing; delivered again after that award was revoked, it counts as a later event.)
"""
from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentora_plugin.badges.awards import award_automatically
from mentora_plugin.badges.badge_classes import PLATFORM, course_key_of, find_badge_class, may_manage_badge_class
from mentora_plugin.badges.common import BadgesError, forbidden, not_found
from mentora_plugin.badges.data import AwardInfo, ConditionProgress, RuleInfo
from mentora_plugin.badges.models import AwardRule, BadgeAward, BadgeClass
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api as reviews_api
from mentora_plugin.trainers import api as trainers_api

__all__ = [
    "CONDITION_KINDS",
    "LEARNER_KINDS",
    "award_trainer_badges",
    "badge_progress",
    "create_rule",
    "deactivate_rule",
    "evaluate_for",
    "list_rules",
    "rules_concern",
    "update_rule",
    "validate_conditions",
]

log = logging.getLogger(__name__)

PROJECT_SCORE, SESSIONS_ATTENDED, COURSE_PASSED, TRAINER_METRIC = (
    "project_score", "sessions_attended", "course_passed", "trainer_metric",
)
#: The kinds of conditions on learners (learners' classes), and all kinds.
LEARNER_KINDS = (PROJECT_SCORE, SESSIONS_ATTENDED, COURSE_PASSED)
CONDITION_KINDS = (*LEARNER_KINDS, TRAINER_METRIC)
#: The parameters each kind accepts (besides "kind").
_FIELDS = {
    PROJECT_SCORE: {"usage_key", "min_percent"},
    SESSIONS_ATTENDED: {"count", "course_key"},
    COURSE_PASSED: {"course_key"},
    TRAINER_METRIC: {"metric", "min", "max"},
}
MAX_CONDITIONS = 10
MAX_SESSIONS = 1000
MAX_SOURCE_KEY = 255
#: Trainers measured per batch by ``award_trainer_badges`` (within SQLite's 999 parameters per statement).
TRAINER_BATCH = 500
#: Rounding slack of the comparisons (80 % of 30 points is 24.000000000000004).
_EPSILON = 1e-9


# --- validation -------------------------------------------------------------------------------------------------------


def _refuse(code: str, message: str, number: int) -> BadgesError:
    """A refusal of condition ``number`` (from 1), saying which."""
    return BadgesError(code, _("Condition {number}: {problem}").format(number=number, problem=message),
                       field="conditions")


def _number(value: Any) -> float | None:
    """A finite number (not a boolean), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value


def _course_of_condition(value: Any, badge_class: BadgeClass, number: int, *, required: bool) -> str | None:
    """
    The course a condition concerns, as text: the class's own (a course class takes no other); a platform class's
    named one, or None where ``required`` is false (any course).
    """
    try:
        key = course_key_of(value)
    except BadgesError:
        raise _refuse("invalid_course_key", _("this is not a valid course key."), number) from None
    if badge_class.course_key:
        if key is not None and key != badge_class.course_key:
            raise _refuse("course_mismatch", _("a course's badge can only count what happens in its course."),
                          number)
        return str(badge_class.course_key)
    if key is None and required:
        raise _refuse("course_required", _("a platform-wide badge must name the course."), number)
    return str(key) if key is not None else None


def _validate_one(condition: Any, badge_class: BadgeClass, number: int) -> dict[str, Any]:
    if not isinstance(condition, dict):
        raise _refuse("invalid_condition", _("each condition must be an object with a kind."), number)
    kind = condition.get("kind")
    if kind not in CONDITION_KINDS:
        raise _refuse("invalid_condition_kind", _("unknown kind of condition."), number)
    unknown = set(condition) - _FIELDS[kind] - {"kind"}
    if unknown:
        raise _refuse("unknown_condition_field", _("unknown parameters: {names}.").format(
            names=", ".join(sorted(map(str, unknown)))), number)
    if badge_class.for_trainers and kind != TRAINER_METRIC:
        raise _refuse("trainer_condition_required", _("a badge for trainers can only use trainers' figures."),
                      number)
    if not badge_class.for_trainers and kind == TRAINER_METRIC:
        raise _refuse("learner_condition_required",
                      _("trainers' figures can only be used by badges for trainers."), number)

    if kind == PROJECT_SCORE:
        percent = _number(condition.get("min_percent"))
        if percent is None or not 0 <= percent <= 100:
            raise _refuse("invalid_min_percent", _("the minimum score is a percentage from 0 to 100."), number)
        try:
            project = reviews_api.get_project(str(condition.get("usage_key") or ""))
        except reviews_api.ReviewsError:
            raise _refuse("invalid_project", _("there is no project with this usage key."), number) from None
        if badge_class.course_key and project.course_key != badge_class.course_key:
            raise _refuse("course_mismatch", _("a course's badge can only count what happens in its course."),
                          number)
        return {"kind": kind, "usage_key": str(project.usage_key), "min_percent": percent}

    if kind == SESSIONS_ATTENDED:
        count = condition.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SESSIONS:
            raise _refuse("invalid_count", _("the number of sessions is a whole number from 1 to {max}.").format(
                max=MAX_SESSIONS), number)
        cleaned = {"kind": kind, "count": count}
        course = _course_of_condition(condition.get("course_key"), badge_class, number, required=False)
        if course is not None:
            cleaned["course_key"] = course
        return cleaned

    if kind == COURSE_PASSED:
        course = _course_of_condition(condition.get("course_key"), badge_class, number, required=True)
        return {"kind": kind, "course_key": course}

    metric = condition.get("metric")
    if metric not in trainers_api.CRITERIA:
        raise _refuse("invalid_metric", _("unknown figure: use one of {names}.").format(
            names=", ".join(trainers_api.CRITERIA)), number)
    bounds = [name for name in ("min", "max") if name in condition]
    if len(bounds) != 1:
        raise _refuse("invalid_threshold", _("give either a minimum or a maximum."), number)
    value = _number(condition[bounds[0]])
    if value is None or value < 0:
        raise _refuse("invalid_threshold", _("the threshold is a number of at least 0."), number)
    return {"kind": kind, "metric": metric, bounds[0]: value}


def validate_conditions(conditions: Any, badge_class: BadgeClass) -> list[dict]:
    """
    The conditions of a rule of ``badge_class``, checked and normalised (course keys and usage keys as text, only
    the known parameters).

    Returns:
        The cleaned conditions, in order.

    Raises:
        BadgesError: (400, field ``conditions``) ``invalid_conditions`` (not a list of 1-10), and for a condition
            (its message names its number): ``invalid_condition``, ``invalid_condition_kind``,
            ``unknown_condition_field``, ``trainer_condition_required`` / ``learner_condition_required`` (a kind
            that does not suit the class), ``invalid_min_percent``, ``invalid_project``, ``course_mismatch``,
            ``invalid_count``, ``invalid_course_key``, ``course_required``, ``invalid_metric``,
            ``invalid_threshold``.
    """
    if not isinstance(conditions, list | tuple) or not 1 <= len(conditions) <= MAX_CONDITIONS:
        raise BadgesError("invalid_conditions", _("A rule has from 1 to {max} conditions.").format(
            max=MAX_CONDITIONS), field="conditions")
    return [_validate_one(condition, badge_class, number) for number, condition in enumerate(conditions, 1)]


def _mode(value: Any) -> str:
    if value not in AwardRule.Mode.values:
        raise BadgesError("invalid_mode", _("Say whether all the conditions or any one of them must hold."),
                          field="mode")
    return value


# --- labels -----------------------------------------------------------------------------------------------------------


def _format(value: float) -> str:
    """A number as people read it in the active language: whole numbers bare, others to two decimals at most."""
    value = round(float(value), 2)
    return formats.number_format(int(value) if value.is_integer() else value)


class _Titles:
    """Projects' and courses' titles, each looked up once per call."""

    def __init__(self) -> None:
        self._projects: dict[str, Any] = {}
        self._courses: dict[str, str] = {}

    def project(self, usage_key: str) -> Any:
        """The project's ``ProjectInfo``, or None when its block was deleted since."""
        if usage_key not in self._projects:
            try:
                self._projects[usage_key] = reviews_api.get_project(usage_key)
            except reviews_api.ReviewsError:
                self._projects[usage_key] = None
        return self._projects[usage_key]

    def project_title(self, usage_key: str) -> str:
        project = self.project(usage_key)
        return project.title if project is not None and project.title else usage_key

    def course(self, course_key: str) -> str:
        if course_key not in self._courses:
            course = host_api.get_course(course_key)
            self._courses[course_key] = course.title if course is not None and course.title else course_key
        return self._courses[course_key]


def _label(condition: dict, titles: _Titles, badge_class: BadgeClass) -> str:
    kind = condition["kind"]
    if kind == PROJECT_SCORE:
        return _("Score at least {percent} % on “{project}”").format(
            percent=_format(condition["min_percent"]), project=titles.project_title(condition["usage_key"]))
    if kind == SESSIONS_ATTENDED:
        count = condition["count"]
        course = condition.get("course_key")
        if course and not badge_class.course_key:
            return ngettext("Attend {count} session in “{course}”", "Attend {count} sessions in “{course}”",
                            count).format(count=count, course=titles.course(course))
        return ngettext("Attend {count} session", "Attend {count} sessions", count).format(count=count)
    if kind == COURSE_PASSED:
        return _("Pass the course “{course}”").format(course=titles.course(condition["course_key"]))
    metric = str(trainers_api.CRITERIA[condition["metric"]][1])
    if "min" in condition:
        return _("{metric}: at least {value}").format(metric=metric, value=_format(condition["min"]))
    return _("{metric}: at most {value}").format(metric=metric, value=_format(condition["max"]))


# --- measuring --------------------------------------------------------------------------------------------------------


def _measure(condition: dict, user_id: int, titles: _Titles,
             metrics: Any = None) -> tuple[float | None, float, bool, list[dict[str, str]]]:
    """
    Where ``user_id`` stands on ``condition``: (current value, target, met, evidence). ``metrics`` are the person's
    ``TrainerMetrics`` for ``trainer_metric`` conditions.
    """
    kind = condition["kind"]
    if kind == PROJECT_SCORE:
        target = float(condition["min_percent"])
        result = reviews_api.rubric_result(user_id, condition["usage_key"])
        if result is None:
            return None, target, False, []
        percent = 100.0 * result.points / result.points_possible if result.points_possible else 0.0
        met = percent + _EPSILON >= target
        evidence = []
        url = host_api.absolute_url(f"/mentora/reviews/submissions/{result.submission_id}/")
        if met and url.startswith(("http://", "https://")):
            evidence.append({"url": url, "name": _("Reviewed project: {project}").format(
                project=titles.project_title(condition["usage_key"])), "narrative": ""})
        return round(percent, 2), target, met, evidence
    if kind == SESSIONS_ATTENDED:
        count = trainers_api.count_learner_activities(user_id, "session", condition.get("course_key"))
        return float(count), float(condition["count"]), count >= condition["count"], []
    if kind == COURSE_PASSED:
        passed = host_api.has_passed(user_id, condition["course_key"])
        return (1.0 if passed else 0.0), 1.0, passed, []
    value = getattr(metrics, condition["metric"], None) if metrics is not None else None
    if "min" in condition:
        target = float(condition["min"])
        met = value is not None and value + _EPSILON >= target
    else:
        target = float(condition["max"])
        met = value is not None and value - _EPSILON <= target
    return (float(value) if value is not None else None), target, met, []


def _assess(rule: AwardRule, user_id: int, titles: _Titles, metrics: Any = None) -> tuple[bool, list[dict]]:
    """Whether ``user_id`` meets ``rule`` (all or any of its conditions), and the evidence of what they met."""
    results = [_measure(condition, user_id, titles, metrics) for condition in rule.conditions or []]
    met = [result[2] for result in results]
    meets = bool(met) and (all(met) if rule.mode == AwardRule.Mode.ALL else any(met))
    evidence = [item for result in results if result[2] for item in result[3]]
    return meets, evidence


def _source_key(rule: AwardRule, reason_key: str) -> str:
    """``rule:<id>:<reason>``; a reason too long for the column is replaced by its SHA-256 (still stable)."""
    key = f"rule:{rule.pk}:{reason_key}"
    if len(key) > MAX_SOURCE_KEY:
        key = f"rule:{rule.pk}:sha256:{hashlib.sha256(reason_key.encode('utf-8')).hexdigest()}"
    return key


def _holders(badge_class_id: int, user_ids: Iterable[int], now: datetime) -> set[int]:
    """Who among ``user_ids`` holds a current award of the class (one query)."""
    return set(
        BadgeAward.objects.filter(badge_class_id=badge_class_id, recipient_id__in=list(user_ids),
                                  revoked_at__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=now))
        .values_list("recipient_id", flat=True)
    )


def _award(rule: AwardRule, user_id: int, reason_key: str, evidence: list[dict], now: datetime) -> AwardInfo | None:
    """
    Award the rule's class; None when nothing is to be awarded, or when the event's award was revoked since (an
    event delivered again never undoes a revocation). A refusal that concerns this person only (not enrolled any
    more, no email address) is logged and skipped, so that it never stops the others' awards.
    """
    try:
        award = award_automatically(rule.badge_class_id, user_id, source_key=_source_key(rule, reason_key),
                                    evidence=evidence, now=now)
    except BadgesError as error:
        log.info("Badge rule %s did not award user %s: %s", rule.pk, user_id, error.code)
        return None
    return award if award is not None and award.is_current else None


def _learner_rules(course_key: Any) -> list[AwardRule]:
    """The active rules of the active learners' classes of ``course_key`` and of the platform."""
    scope = Q(badge_class__course_key=PLATFORM)
    if course_key is not None:
        scope |= Q(badge_class__course_key=course_key)
    return list(
        AwardRule.objects.filter(scope, is_active=True, badge_class__is_active=True, badge_class__for_trainers=False)
        .select_related("badge_class").order_by("pk")
    )


def _with_kinds(rules: Iterable[AwardRule], kinds: Iterable[str] | None) -> list[AwardRule]:
    if kinds is None:
        return list(rules)
    wanted = set(kinds)
    return [rule for rule in rules if any(condition.get("kind") in wanted for condition in rule.conditions or [])]


def rules_concern(course_key: Any, kinds: Iterable[str] | None = None) -> bool:
    """
    Whether any active learners' rule of ``course_key`` (or of the platform) has a condition of ``kinds``: the
    handlers ask it (one query) before queueing any work, so that events no rule cares about cost nothing more.
    """
    key = course_key_of(course_key)
    return bool(_with_kinds(_learner_rules(key), kinds))


def evaluate_for(
    user: Any,
    *,
    course_key: Any = None,
    reason_key: str,
    kinds: Iterable[str] | None = None,
    now: datetime | None = None,
) -> list[AwardInfo]:
    """
    Check a learner against every active rule of the active learners' classes of ``course_key`` and of the
    platform (of the platform only when ``course_key`` is None), and award the classes whose rules they meet.

    Args:
        user: the learner (a user or a user id); an unknown or inactive user gets nothing.
        course_key: the course the event concerns.
        reason_key: what caused the evaluation, stable across deliveries of one event (``review:<id>``...): the
            awards' source keys are ``rule:<rule id>:<reason key>`` (see the module).
        kinds: only the rules with at least one condition of these kinds (all their conditions are then checked);
            None for every rule.
        now: the time of the awards (tests).

    Returns:
        The awards this evaluation made; none for classes the learner already holds (so a second delivery of the
        event returns none) or whose rules they do not meet.

    Raises:
        BadgesError: ``invalid_course_key``, ``invalid_source_key`` (an empty reason key).
    """
    if not isinstance(reason_key, str) or not reason_key.strip():
        raise BadgesError("invalid_source_key", _("The source of an award must be a key of at most 255 characters."))
    now = now or timezone.now()
    user_id = getattr(user, "pk", user)
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        return []
    rules = _with_kinds(_learner_rules(course_key_of(course_key)), kinds)
    titles = _Titles()
    awards: list[AwardInfo] = []
    done: set[int] = set()
    for rule in rules:
        badge_class = rule.badge_class
        if badge_class.pk in done or _holders(badge_class.pk, [user_id], now):
            continue
        if badge_class.course_key and not host_api.is_enrolled(user_id, badge_class.course_key):
            continue
        meets, evidence = _assess(rule, user_id, titles)
        if not meets:
            continue
        award = _award(rule, user_id, reason_key, evidence, now)
        if award is not None:
            awards.append(award)
            done.add(badge_class.pk)
    return awards


# --- trainers' recognition --------------------------------------------------------------------------------------------


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def award_trainer_badges(*, now: datetime | None = None, batch_size: int = TRAINER_BATCH) -> int:
    """
    Check every active trainer against the active rules of the active trainers' classes (``trainer_metric``
    conditions on their figures over the levels' window) and award the classes they meet. Daily (Celery beat).

    In batches of ``batch_size`` trainers: their figures in a fixed number of queries (``trainers.api
    .compute_metrics``), then per rule one query for who already holds the class; a course's trainers' class only
    considers that course's trainers. The reason key is the day (``trainers:<date>``), so that the task run twice
    in a day awards once, and a trainer whose award was revoked is awarded again on a later day if they still meet
    the rule.

    Returns:
        How many awards this run made (a rerun makes none: those trainers hold the class now).
    """
    now = now or timezone.now()
    rules = list(
        AwardRule.objects.filter(is_active=True, badge_class__is_active=True, badge_class__for_trainers=True)
        .select_related("badge_class").order_by("pk")
    )
    if not rules:
        return 0
    course_trainers: dict[str, set[int]] = {}
    for rule in rules:
        key = rule.badge_class.course_key
        if key and str(key) not in course_trainers:
            course_trainers[str(key)] = set(host_api.get_course_trainers(key).values_list("pk", flat=True))
    reason_key = f"trainers:{now.date().isoformat()}"
    titles = _Titles()
    awarded = 0
    for batch in _chunks(trainers_api.active_trainer_ids(), max(1, batch_size)):
        metrics = trainers_api.compute_metrics(batch, now)
        done: set[tuple[int, int]] = set()
        for rule in rules:
            key = rule.badge_class.course_key
            candidates = [user_id for user_id in batch if not key or user_id in course_trainers[str(key)]]
            holders = _holders(rule.badge_class_id, candidates, now) if candidates else set()
            for user_id in candidates:
                if user_id in holders or (rule.badge_class_id, user_id) in done:
                    continue
                meets, evidence = _assess(rule, user_id, titles, metrics.get(user_id))
                if meets and _award(rule, user_id, reason_key, evidence, now) is not None:
                    awarded += 1
                    done.add((rule.badge_class_id, user_id))
    return awarded


# --- progress ---------------------------------------------------------------------------------------------------------


def badge_progress(user: Any, badge_class_id: Any) -> list[ConditionProgress]:
    """
    Where ``user`` stands on each condition of the class's active rules (in the rules' order): what the block shows
    under a badge not yet earned. Empty for a class without rules or a user who is not signed in.

    Raises:
        BadgesError: ``badge_class_not_found`` (404).
    """
    badge_class = find_badge_class(badge_class_id)
    if user is None or not getattr(user, "is_authenticated", isinstance(user, int)):
        return []
    user_id = getattr(user, "pk", user)
    rules = list(badge_class.rules.filter(is_active=True).order_by("pk"))
    conditions = [condition for rule in rules for condition in rule.conditions or []]
    metrics = None
    if any(condition.get("kind") == TRAINER_METRIC for condition in conditions):
        metrics = trainers_api.compute_metrics([user_id], timezone.now()).get(user_id)
    titles = _Titles()
    progress = []
    for condition in conditions:
        current, target, met, _evidence = _measure(condition, user_id, titles, metrics)
        progress.append(ConditionProgress(label=_label(condition, titles, badge_class), current=current,
                                          target=target, met=met))
    return progress


# --- managing rules ---------------------------------------------------------------------------------------------------


def _rule_info(rule: AwardRule, titles: _Titles | None = None) -> RuleInfo:
    titles = titles or _Titles()
    conditions = tuple(dict(condition) for condition in rule.conditions or [])
    return RuleInfo(
        id=rule.pk,
        badge_class_id=rule.badge_class_id,
        conditions=conditions,
        labels=tuple(_label(condition, titles, rule.badge_class) for condition in conditions),
        mode=rule.mode,
        is_active=rule.is_active,
        created_by_id=rule.created_by_id,
        created=rule.created,
    )


def _check_manager(actor: Any, badge_class: BadgeClass) -> None:
    if not may_manage_badge_class(actor, badge_class):
        raise forbidden(_("Only the badge's managers can change how it is awarded."))


def _locked_rule(rule_id: Any) -> AwardRule:
    text = str(rule_id).strip()
    if isinstance(rule_id, bool) or not isinstance(rule_id, int | str) or not (text.isascii() and text.isdigit()):
        raise not_found("rule", _("There is no such rule."))
    rule = AwardRule.objects.select_for_update().select_related("badge_class").filter(pk=int(rule_id)).first()
    if rule is None:
        raise not_found("rule", _("There is no such rule."))
    return rule


def create_rule(actor: Any, badge_class_id: Any, conditions: Any, mode: str = AwardRule.Mode.ALL) -> RuleInfo:
    """
    Add a rule that awards the class automatically. It applies from the next qualifying event on (those who
    already met it earn the badge at their next event; nothing is awarded retroactively at once).

    Args:
        actor: a manager of the class (its course's staff; platform staff for the platform's and trainers'
            classes).
        badge_class_id: the class's id or public id.
        conditions: see ``validate_conditions``.
        mode: ``all`` or ``any``.

    Raises:
        BadgesError: ``badge_class_not_found`` (404); ``permission_denied`` (403); ``invalid_mode`` and the
            conditions' codes (400); ``badge_class_archived`` (409).
    """
    with transaction.atomic():
        badge_class = find_badge_class(badge_class_id, lock=True)
        _check_manager(actor, badge_class)
        if not badge_class.is_active:
            raise BadgesError("badge_class_archived", _("This badge is archived: it can no longer be awarded."),
                              status=409)
        mode = _mode(mode)
        cleaned = validate_conditions(conditions, badge_class)
        rule = AwardRule.objects.create(badge_class=badge_class, conditions=cleaned, mode=mode, is_active=True,
                                        created_by=actor)
    return _rule_info(rule)


def update_rule(actor: Any, rule_id: Any, *, conditions: Any = None, mode: str | None = None) -> RuleInfo:
    """
    Change a rule's conditions and/or mode (what is None stays). Awards already made stay.

    Raises:
        BadgesError: ``rule_not_found`` (404); ``permission_denied`` (403); ``invalid_mode`` and the conditions'
            codes (400).
    """
    with transaction.atomic():
        rule = _locked_rule(rule_id)
        _check_manager(actor, rule.badge_class)
        if mode is not None:
            rule.mode = _mode(mode)
        if conditions is not None:
            rule.conditions = validate_conditions(conditions, rule.badge_class)
        rule.save(update_fields=["mode", "conditions"])
    return _rule_info(rule)


def deactivate_rule(actor: Any, rule_id: Any) -> RuleInfo:
    """
    Stop a rule from awarding (idempotent). The rule and the awards it made stay.

    Raises:
        BadgesError: ``rule_not_found`` (404); ``permission_denied`` (403).
    """
    with transaction.atomic():
        rule = _locked_rule(rule_id)
        _check_manager(actor, rule.badge_class)
        if rule.is_active:
            rule.is_active = False
            rule.save(update_fields=["is_active"])
    return _rule_info(rule)


def list_rules(badge_class_id: Any, *, include_inactive: bool = False) -> list[RuleInfo]:
    """
    The class's rules, oldest first (active ones only unless ``include_inactive``): public, as the class's
    criteria are.

    Raises:
        BadgesError: ``badge_class_not_found`` (404).
    """
    badge_class = find_badge_class(badge_class_id)
    rules = badge_class.rules.order_by("pk")
    if not include_inactive:
        rules = rules.filter(is_active=True)
    titles = _Titles()
    infos = []
    for rule in rules:
        rule.badge_class = badge_class
        infos.append(_rule_info(rule, titles))
    return infos
