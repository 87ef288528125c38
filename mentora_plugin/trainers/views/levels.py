"""
The levels' pages (under /mentora/trainers/): a trainer's own standing, the published ladder, and the staff's list of
trainers by level with the lock, unlock, override and recompute forms.

Thin views over ``mentora_plugin.trainers.api``: the levels engine computes the standing and decides every staff
action (who may, whether a reason was given); a form only checks shapes, and a refusal is shown next to the field it
concerns. A successful change redirects (POST, redirect, GET).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from mentora_plugin.forms import AccessibleForm
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import api
from mentora_plugin.trainers.models import TrainerProfile

#: Trainers per page of the staff list.
STAFF_PAGE_SIZE = 50
#: Criteria whose figures are shares (0-1), shown as percentages.
_SHARES = frozenset({"learner_success", "no_show_rate"})


# --- how figures read -------------------------------------------------------------------------------------------------


def _number(value: float, digits: int) -> str:
    if float(value).is_integer():
        return number_format(int(value), 0, use_l10n=True)
    return number_format(round(float(value), digits), use_l10n=True)


def figure(key: str, value: Any) -> str:
    """A criterion's figure or threshold as people read it: shares as percentages, hours with their unit."""
    if value is None:
        return "—"
    if key in _SHARES:
        return _("{value}%").format(value=_number(value * 100, 1))
    if key in ("review_turnaround_hours", "answer_response_hours"):
        return _("{value} h").format(value=_number(value, 1))
    if key == "rating_average":
        return _number(value, 2)
    return _number(value, 1)


def _bound(key: str, kind: str, value: Any) -> str:
    if value is None:
        return "—"
    if kind == "max":
        return _("at most {value}").format(value=figure(key, value))
    return _("at least {value}").format(value=figure(key, value))


@dataclass(frozen=True)
class CriterionRow:
    """One line of a standing's table, in words."""

    key: str
    label: str
    value: str
    keep: str
    next: str
    current_status: str
    next_status: str
    at_risk: bool


def criterion_rows(standing: Any) -> list[CriterionRow]:
    """The standing's criteria as the pages show them: the figure, what keeps the level, what the next one needs."""
    rows = []
    for item in standing.criteria:
        if item.threshold is None:
            keep, current = "—", ""
        else:
            keep = _bound(item.key, item.kind, item.threshold)
            if item.floor is not None and item.floor != item.threshold:
                if item.kind == "min":
                    margin = _("{bound} (kept down to {floor})")
                else:
                    margin = _("{bound} (kept up to {floor})")
                keep = margin.format(bound=keep, floor=figure(item.key, item.floor))
            if item.met_current:
                current = _("Met")
            elif item.above_floor:
                current = _("Below, within the margin")
            else:
                current = _("Below the margin: the level is at risk")
        if item.next_threshold is None:
            following, upcoming = "—", ""
        else:
            following = _bound(item.key, item.kind, item.next_threshold)
            upcoming = _("Met") if item.met_next else _("Not yet")
        rows.append(CriterionRow(
            key=item.key, label=item.label, value=figure(item.key, item.value), keep=keep, next=following,
            current_status=current, next_status=upcoming,
            at_risk=item.threshold is not None and not item.above_floor,
        ))
    return rows


def capability_rows(level_key: str, on_probation: bool) -> list[dict[str, Any]]:
    """The level's capabilities in words: what the level grants, and what applies now (probation caps)."""

    def words(item: Any, value: Any) -> str:
        if item.kind == "limit":
            return number_format(value, 0, use_l10n=True) if value else _("None")
        return _("Yes") if value else _("No")

    return [
        {
            "key": item.key, "label": item.label, "granted": item.granted, "capped": item.capped,
            "level_value": words(item, item.level_value), "value": words(item, item.value),
        }
        for item in api.describe_capabilities(level_key, on_probation)
    ]


def _history_rows(history: list) -> list[dict[str, Any]]:
    labels = {key: str(label) for key, (_kind, label) in api.CRITERIA.items()}
    return [
        {"change": change, "unmet": [labels.get(key, key) for key in change.unmet]}
        for change in history
    ]


# --- forms ------------------------------------------------------------------------------------------------------------


class ReasonForm(AccessibleForm):
    """A lock or an unlock: its reason. Whether one was given is the levels engine's decision (``reason_required``)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (required, kept in the level history)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "aria-required": "true"}),
    )


class OverrideForm(ReasonForm):
    """Set a level by hand (which locks it there)."""

    level = forms.ChoiceField(label=gettext_lazy("New level"), choices=())

    field_order = ("level", "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(info.key, info.name) for info in api.ladder()]


#: Where an error of the levels engine is shown, by its code.
_ERROR_FIELDS = {"reason_required": "reason", "unknown_level": "level"}


# --- the trainer's own page -------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_level(request: HttpRequest) -> HttpResponse:
    """
    The signed-in trainer's standing, criterion by criterion: their figure, what keeps their level, what the next
    one needs, the warning's deadline, what the level unlocks now (probation caps included) and the history. A user
    made a trainer by course staff only is told they have the first level's capabilities; anyone else is pointed to
    the ladder.
    """
    standing = api.trainer_standing(request.user)
    context: dict[str, Any] = {"standing": standing}
    if standing is not None:
        context.update(
            criteria=criterion_rows(standing),
            capabilities=capability_rows(standing.level, standing.on_probation),
            history=_history_rows(api.level_history(request.user)),
        )
    elif api.is_active_trainer(request.user):
        first = api.ladder()[0]
        context.update(granted_level=first, capabilities=capability_rows(first.key, False))
    return render(request, "mentora/trainers/level_mine.html", context)


# --- the ladder -------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def ladder(request: HttpRequest) -> HttpResponse:
    """The published ladder: every level's criteria (with the margin that keeps it) and what it unlocks."""
    if not request.user.has_perm("mentora_trainers.view_ladder"):
        raise PermissionDenied
    levels = [
        {
            "level": level,
            "criteria": [
                {
                    "label": item.label,
                    "bound": _bound(item.key, item.kind, item.threshold),
                    "floor": figure(item.key, item.floor) if item.floor != item.threshold else "",
                    "kind": item.kind,
                }
                for item in level.criteria
            ],
            "capabilities": capability_rows(level.key, False),
        }
        for level in api.ladder()
    ]
    probation = [row for row in capability_rows(levels[0]["level"].key, True) if row["capped"]] if levels else []
    context = {"levels": levels, "probation": probation, "probation_days": _probation_days()}
    return render(request, "mentora/trainers/level_ladder.html", context)


def _probation_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "MENTORA_TRAINER_PROBATION_DAYS", 30) or 0)


# --- staff ------------------------------------------------------------------------------------------------------------


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """Active trainers with their level, lock and warning, by username; filtered by level with ``?level=``."""
    _require(request, "mentora_trainers.view_level")
    ladder_levels = api.ladder()
    names = {info.key: info.name for info in ladder_levels}
    wanted = request.GET.get("level", "")
    profiles = (
        TrainerProfile.objects.filter(status=TrainerProfile.Status.ACTIVE)
        .select_related("user")
        .order_by("user__username")
    )
    if wanted in names:
        profiles = profiles.filter(level=wanted)
    else:
        wanted = ""
    page = Paginator(profiles, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "profile": profile,
            "name": host_api.display_name(profile.user),
            "level_name": names.get(profile.level, profile.level or "—"),
        }
        for profile in page.object_list
    ]
    context = {"page": page, "rows": rows, "levels": ladder_levels, "wanted": wanted}
    return render(request, "mentora/trainers/level_staff.html", context)


def _trainer(username: str) -> Any:
    trainer = get_user_model().objects.filter(username=username).first()
    if trainer is None:
        raise Http404(_("No such trainer."))
    return trainer


@login_required
@require_http_methods(["GET", "POST"])
def staff_trainer(request: HttpRequest, username: str) -> HttpResponse:
    """
    One trainer's standing and history for staff, with the forms: lock, unlock, override (each with a required
    reason) and recompute now. Each form posts an ``action``.
    """
    _require(request, "mentora_trainers.view_level")
    trainer = _trainer(username)
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        done, bound = _act(request, trainer)
        if done:
            messages.success(request, done)
        if not bound:
            return redirect(reverse("mentora-trainers:levels-staff-trainer", args=[trainer.username]))
    return _render_trainer(request, trainer, bound, status=400 if bound else 200)


def _render_trainer(request: HttpRequest, trainer: Any, bound: dict, status: int = 200) -> HttpResponse:
    standing = api.trainer_standing(trainer)
    context: dict[str, Any] = {
        "trainer": trainer,
        "trainer_name": host_api.display_name(trainer),
        "standing": standing,
        "history": _history_rows(api.level_history(trainer)),
        "may_manage": request.user.has_perm("mentora_trainers.manage_level"),
    }
    if standing is not None:
        context.update(
            criteria=criterion_rows(standing),
            capabilities=capability_rows(standing.level, standing.on_probation),
            lock_form=bound.get("lock") or ReasonForm(prefix="lock"),
            unlock_form=bound.get("unlock") or ReasonForm(prefix="unlock"),
            override_form=bound.get("override") or OverrideForm(prefix="override", initial={"level": standing.level}),
        )
    return render(request, "mentora/trainers/level_staff_trainer.html", context, status=status)


def _act(request: HttpRequest, trainer: Any) -> tuple[str | None, dict]:
    """Apply the posted action; returns (success message, {} ) or (None, {form name: the bound form with errors})."""
    action = request.POST.get("action", "")
    actor = request.user
    name = host_api.display_name(trainer)
    try:
        if action == "recompute":
            api.recompute_trainer(trainer, actor=actor)
            api.forget_cached_capabilities()
            return _("The level of {name} is recomputed.").format(name=name), {}
        if action not in ("lock", "unlock", "override"):
            messages.error(request, _("Unknown action."))
            return None, {}
    except api.TrainersError as error:
        messages.error(request, str(error))
        return None, {}
    form = (OverrideForm if action == "override" else ReasonForm)(request.POST, prefix=action)
    if not form.is_valid():
        return None, {action: form}
    data = form.cleaned_data
    try:
        if action == "lock":
            api.lock_level(trainer, actor, data["reason"])
            done = _("The level of {name} is locked.")
        elif action == "unlock":
            api.unlock_level(trainer, actor, data["reason"])
            done = _("The level of {name} is unlocked.")
        else:
            api.override_level(trainer, data["level"], actor, data["reason"])
            done = _("The level of {name} is set.")
    except api.TrainersError as error:
        form.add_error(_ERROR_FIELDS.get(error.code), str(error))
        return None, {action: form}
    api.forget_cached_capabilities()
    return done.format(name=name), {}


urlpatterns = [
    path("me/level/", my_level, name="levels-mine"),
    path("levels/", ladder, name="levels-ladder"),
    path("levels/staff/", staff_list, name="levels-staff"),
    path("levels/staff/<str:username>/", staff_trainer, name="levels-staff-trainer"),
]
