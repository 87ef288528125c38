"""
The signed-in pages of badges (under /mentora/badges/):

- ``mine/``: the signed-in person's awards (learners and trainers alike), with their status, the public
  verification page, the baked download and "Add to LinkedIn" (the link ``views.public`` builds).
- ``courses/``: the courses whose badges the signed-in person manages (staff) or awards (trainers).
- ``courses/<course_id>/``: a course's badge classes and the platform's, with their numbers of awards; its staff
  create classes there. Anyone else (learners, outsiders) gets a 404, as if the page did not exist.
- ``classes/<public_id>/``: one class's awards, the award form (a learner of the course, or a trainer for trainers'
  badges), the bulk form, and revoke / renew per award, for the class's managers and the course's trainers; its
  award rules (what earns it automatically), which its managers add and deactivate there and the trainers read.

Thin views over ``badges.api``: the forms check shapes, the API decides; a refusal is shown next to the field it
concerns (``forms.field_of``) with the HTTP status the API gives it, and nothing changes; a change redirects
(POST, redirect, GET).
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from mentora_plugin.badges import api, openbadges2
from mentora_plugin.badges.awards import RENEWAL_WINDOW
from mentora_plugin.badges.views.forms import (
    AwardForm,
    BadgeClassForm,
    BulkAwardForm,
    DeactivateRuleForm,
    RevokeForm,
    RuleForm,
    field_of,
)
from mentora_plugin.badges.views.public import linkedin_url
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.reviews import api as reviews_api
from mentora_plugin.trainers import api as trainers_api

#: The rule that says who manages a course's badge classes (object: the course key; None: the platform's).
MANAGE = "mentora_badges.manage_badgeclass"


# --- who may do what --------------------------------------------------------------------------------------------------


def _course_or_404(course_id: str) -> Any:
    try:
        key = host_api.parse_course_key(course_id)
    except host_api.HostError:
        raise Http404(_("This is not a valid course key.")) from None
    course = host_api.get_course(key)
    if course is None:
        raise Http404(_("This course is not known to Mentora."))
    return course


def _is_trainer_of(user: Any, course_key: Any) -> bool:
    return CourseRole.TRAINER in host_api.get_course_roles(user, course_key)


def _manages_course(user: Any, course_key: Any) -> bool:
    return bool(user.has_perm(MANAGE, course_key))


def _may_open_class(user: Any, badge_class: api.BadgeClassInfo) -> bool:
    """Its managers, and the trainers of its course for its learners' badges (whether their level lets them award
    yet or not: the page says so)."""
    if api.may_manage_badge_class(user, badge_class):
        return True
    return bool(badge_class.course_key and not badge_class.for_trainers
                and _is_trainer_of(user, badge_class.course_key))


def _may_award(user: Any, badge_class: api.BadgeClassInfo) -> bool:
    """Whether ``award_badge`` would accept ``user`` as the issuer (what the page tells a trainer in advance)."""
    if api.may_manage_badge_class(user, badge_class):
        return True
    return bool(badge_class.course_key and not badge_class.for_trainers
                and _is_trainer_of(user, badge_class.course_key)
                and trainers_api.can(user, "issue_badges", badge_class.course_key))


def badge_courses(user: Any) -> list[dict[str, Any]]:
    """
    The courses whose badges ``user`` manages (course staff; platform staff: every course) or may award (the
    course's trainers), by title. One query for the courses, then the user's roles per course (one query each,
    remembered for the request).
    """
    platform_staff = bool(user.has_perm(MANAGE, None))
    found = []
    for course in host_api.list_courses():
        manages = platform_staff or _manages_course(user, course.course_key)
        trains = _is_trainer_of(user, course.course_key)
        if manages or trains:
            found.append({"course": course, "manages": manages, "trains": trains})
    return sorted(found, key=lambda item: item["course"].title.lower())


# --- My badges --------------------------------------------------------------------------------------------------------


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's awards, newest first, revoked and expired ones too (saying so)."""
    awards = api.awards_of(request.user)
    titles = {str(course.course_key): course.title for course in host_api.list_courses()} if awards else {}
    issuer_name = openbadges2.issuer_json()["name"] if awards else ""
    rows = []
    for award in awards:
        badge_class = award.badge_class
        rows.append({
            "award": award,
            "image_url": openbadges2.badge_image_url(badge_class.public_id),
            "course": titles.get(str(badge_class.course_key), str(badge_class.course_key))
            if badge_class.course_key else "",
            "verify_url": openbadges2.verify_url(award.public_id),
            "baked_url": openbadges2.baked_url(award.public_id, badge_class.image_type)
            if award.status != "revoked" and badge_class.image_type in ("png", "svg") else "",
            "linkedin_url": linkedin_url(award, issuer_name) if award.status == "active" else "",
        })
    context = {"rows": rows, "zone": host_api.get_user_time_zone(request.user)}
    return render(request, "mentora/badges/page_mine.html", context)


# --- the courses ------------------------------------------------------------------------------------------------------


@login_required
@require_safe
def courses(request: HttpRequest) -> HttpResponse:
    """The courses whose badges the signed-in person manages or awards."""
    return render(request, "mentora/badges/page_courses.html", {"courses": badge_courses(request.user)})


def _counts(user: Any, classes: list[api.BadgeClassInfo], course_key: Any, manages: bool) -> dict[int, dict]:
    """
    The number of current and of all awards of each class the user may see all awards of: the course's awards in
    one call for its managers; per class otherwise (a trainer's classes, the platform's for platform staff).
    """
    counted: dict[int, list[api.AwardInfo]] = {}
    if manages:
        for award in api.list_awards(viewer=user, course_key=course_key):
            counted.setdefault(award.badge_class.id, []).append(award)
    for badge_class in classes:
        if badge_class.id in counted or (manages and badge_class.course_key):
            continue
        if _may_award(user, badge_class):
            counted[badge_class.id] = api.list_awards(viewer=user, badge_class_id=badge_class.id)
    result = {}
    for badge_class in classes:
        if badge_class.id in counted or (manages and badge_class.course_key):
            awards = counted.get(badge_class.id, [])
            statuses = Counter(award.status for award in awards)
            result[badge_class.id] = {"active": statuses["active"], "total": len(awards)}
    return result


@login_required
@require_http_methods(["GET", "POST"])
def course(request: HttpRequest, course_id: str) -> HttpResponse:
    """A course's badge classes (and the platform's); its staff create new ones here."""
    found = _course_or_404(course_id)
    key, user = found.course_key, request.user
    manages = _manages_course(user, key)
    if not manages and not _is_trainer_of(user, key):
        raise Http404(_("No such page."))
    platform_staff = bool(user.has_perm(MANAGE, None))
    form, status = None, 200
    if manages:
        form = BadgeClassForm(allow_for_trainers=platform_staff)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("Only the course's staff can create its badges."))
        form = BadgeClassForm(request.POST, request.FILES, allow_for_trainers=platform_staff)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = api.create_badge_class(
                    user, name=data["name"], description=data["description"], criteria=data["criteria"],
                    image=data["image"], kind=data["kind"], skills=data["skills"], expiry=data["expiry"],
                    expires_on=data["expires_on"], valid_days=data["valid_days"], course_key=key,
                    for_trainers=bool(data.get("for_trainers")),
                )
            except api.BadgesError as error:
                form.add_error(field_of(form, error), str(error))
                status = error.status
            else:
                messages.success(request, _("The badge “{name}” is created.").format(name=created.name))
                return redirect("mentora-badges:pages-class", public_id=created.public_id)
        else:
            status = 400
    classes = api.list_badge_classes(course_key=key, include_platform=True)
    counts = _counts(user, classes, key, manages)
    rows = [{
        "badge_class": badge_class,
        "image_url": openbadges2.badge_image_url(badge_class.public_id),
        "counts": counts.get(badge_class.id),
        "may_open": _may_open_class(user, badge_class),
    } for badge_class in classes]
    context = {
        "course": found,
        "rows": rows,
        "form": form,
        "manages": manages,
        "may_award": manages or trainers_api.can(user, "issue_badges", key),
    }
    return render(request, "mentora/badges/page_course.html", context, status=status)


# --- one badge class --------------------------------------------------------------------------------------------------


def _roster(badge_class: api.BadgeClassInfo) -> tuple[list[tuple[str, str]] | None, str]:
    """
    Whom the award form offers (value: the user id), and the field's label: the course's learners, or its trainers
    for a trainers' badge; None for the platform's badges (given by username).
    """
    if not badge_class.course_key:
        return None, ""
    if badge_class.for_trainers:
        people, label = host_api.get_course_trainers(badge_class.course_key), _("Trainer")
    else:
        people, label = host_api.get_course_learners(badge_class.course_key), _("Learner")
    return [(str(person.pk), f"{host_api.display_name(person)} ({person.username})") for person in people], label


def _recipient(value: str, by_username: bool) -> Any:
    """The user the award form names (a user id from the roster, or a username)."""
    if by_username:
        user = get_user_model().objects.filter(username=value.strip(), is_active=True).first()
        if user is None:
            raise api.BadgesError("user_not_found", _("No active user has this username."), status=404,
                                  field="recipient")
        return user
    return int(value)


def _refuse(form: forms.Form, error: api.BadgesError) -> int:
    form.add_error(field_of(form, error), str(error))
    return error.status


def _award(request: HttpRequest, badge_class: api.BadgeClassInfo, bound: dict) -> int | None:
    choices, label = _roster(badge_class)
    form = AwardForm(request.POST, prefix="award", choices=choices, recipient_label=label)
    bound["award"] = form
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        award = api.award_badge(request.user, badge_class.id, _recipient(data["recipient"], choices is None),
                                narrative=data["narrative"], evidence=form.evidence())
    except api.BadgesError as error:
        return _refuse(form, error)
    messages.success(request, _("{name} was awarded “{badge}”.").format(name=award.recipient_name,
                                                                       badge=badge_class.name))
    return None


def _bulk(request: HttpRequest, badge_class: api.BadgeClassInfo, bound: dict) -> int | None:
    form = BulkAwardForm(request.POST, prefix="bulk")
    bound["bulk"] = form
    if not form.is_valid():
        return 400
    entries = form.cleaned_data["usernames"]
    try:  # who may award first (awarding nobody): only then say which usernames exist
        api.bulk_award(request.user, badge_class.id, [])
    except api.BadgesError as error:
        return _refuse(form, error)
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=[username for username, _note in entries], is_active=True)}
    unknown = [username for username, _note in entries if username not in users]
    if unknown:
        form.add_error("usernames", _("No active user has these usernames: {usernames}. Nobody was awarded.").format(
            usernames=", ".join(unknown)))
        return 400
    try:
        result = api.bulk_award(request.user, badge_class.id,
                                [{"recipient": users[username], "narrative": note} for username, note in entries])
    except api.BadgesError as error:
        return _refuse(form, error)
    names = {user.pk: username for username, user in users.items()}
    if result.awarded:
        count = len(result.awarded)
        messages.success(request, ngettext("Awarded to {count} person: {names}.", "Awarded to {count} people: {names}.",
                                           count).format(
            count=count, names=", ".join(award.recipient_username for award in result.awarded)))
    if result.already_awarded:
        messages.info(request, _("Already held by: {names}.").format(
            names=", ".join(names.get(user_id, str(user_id)) for user_id in result.already_awarded)))
    for refusal in result.refused:
        messages.error(request, _("Not awarded to {name}: {reason}").format(
            name=names.get(refusal.recipient_id, "?"), reason=refusal.message))
    return None


def _award_id(request: HttpRequest, awards: list[api.AwardInfo]) -> int:
    """The award of this class the POST names (a 404 for any other: no revoking another class's awards here)."""
    try:
        award_id = int(request.POST.get("award_id", ""))
    except ValueError:
        raise Http404(_("There is no such award.")) from None
    if award_id not in {award.id for award in awards}:
        raise Http404(_("There is no such award."))
    return award_id


def _revoke(request: HttpRequest, awards: list[api.AwardInfo], bound: dict) -> int | None:
    award_id = _award_id(request, awards)
    form = RevokeForm(request.POST, prefix=f"revoke-{award_id}")
    bound[f"revoke-{award_id}"] = form
    if not form.is_valid():
        return 400
    try:
        award = api.revoke_award(request.user, award_id, form.cleaned_data["reason"])
    except api.BadgesError as error:
        return _refuse(form, error)
    messages.success(request, _("{name}'s award is revoked.").format(name=award.recipient_name))
    return None


def _renew(request: HttpRequest, awards: list[api.AwardInfo], bound: dict) -> int | None:
    award_id = _award_id(request, awards)
    form = forms.Form(request.POST)
    try:
        award = api.renew_award(request.user, award_id)
    except api.BadgesError as error:
        form.add_error(None, str(error))
        bound[f"renew-{award_id}"] = form
        return error.status
    messages.success(request, _("{name}'s award is renewed.").format(name=award.recipient_name))
    return None


def rule_form(user: Any, badge_class: api.BadgeClassInfo, data: Any = None) -> RuleForm:
    """
    The "Add a rule" form of the class: its course's projects (for a platform class, every project ``user``
    reviews, with its course) and, for a platform learners' class, the courses a condition may name.
    """
    if badge_class.for_trainers:
        return RuleForm(data, prefix="rule", for_trainers=True)
    titles = {} if badge_class.course_key else {str(course.course_key): course.title
                                                for course in host_api.list_courses()}
    projects = [(str(project.usage_key), project.title if badge_class.course_key else
                 f"{project.title} ({titles.get(str(project.course_key), str(project.course_key))})")
                for project in reviews_api.reviewable_projects(user)
                if not badge_class.course_key or project.course_key == badge_class.course_key]
    courses = None if badge_class.course_key else sorted(titles.items(), key=lambda item: item[1].lower())
    return RuleForm(data, prefix="rule", projects=projects, courses=courses)


def _add_rule(request: HttpRequest, badge_class: api.BadgeClassInfo, bound: dict) -> int | None:
    form = rule_form(request.user, badge_class, request.POST)
    bound["rule"] = form
    if not form.is_valid():
        return 400
    try:
        api.create_rule(request.user, badge_class.id, form.conditions(), form.cleaned_data["mode"])
    except api.BadgesError as error:
        if error.field == "conditions":
            form.refuse_conditions(str(error))
            return error.status
        return _refuse(form, error)
    messages.success(request, _("The rule is added: it awards the badge from the next qualifying event on."))
    return None


def _deactivate_rule(request: HttpRequest, rules: list[api.RuleInfo], bound: dict) -> int | None:
    """Stop one of the class's active rules (a 404 for any other rule: none of another class's here)."""
    form = DeactivateRuleForm(request.POST)
    if not form.is_valid() or form.cleaned_data["rule_id"] not in {rule.id for rule in rules}:
        raise Http404(_("There is no such rule."))
    rule_id = form.cleaned_data["rule_id"]
    try:
        api.deactivate_rule(request.user, rule_id)
    except api.BadgesError as error:
        form.add_error(None, str(error))
        bound[f"deactivate-{rule_id}"] = form
        return error.status
    messages.success(request, _("The rule is deactivated: it awards nothing any more. The awards it made stay."))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def badge_class(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One class's awards and the forms that award, revoke and renew them (each form posts an ``action``)."""
    user = request.user
    try:
        found = api.get_badge_class(public_id, viewer=user)
    except api.BadgesError:
        raise Http404(_("There is no such badge.")) from None
    if not _may_open_class(user, found):
        raise Http404(_("There is no such badge."))
    awards = api.list_awards(viewer=user, badge_class_id=found.id)
    rules = api.list_rules(found.id)
    bound: dict[str, forms.Form] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "award":
            failed = _award(request, found, bound)
        elif action == "bulk":
            failed = _bulk(request, found, bound)
        elif action == "revoke":
            failed = _revoke(request, awards, bound)
        elif action == "renew":
            failed = _renew(request, awards, bound)
        elif action in ("add_rule", "deactivate_rule"):
            if not api.may_manage_badge_class(user, found):
                raise PermissionDenied(_("Only the badge's managers can change how it is awarded."))
            failed = (_add_rule(request, found, bound) if action == "add_rule"
                      else _deactivate_rule(request, rules, bound))
        else:
            messages.error(request, _("Unknown action."))
            failed = None
        if failed is None:
            return redirect("mentora-badges:pages-class", public_id=found.public_id)
        status = failed
    return render(request, "mentora/badges/page_class.html", _class_context(request, found, awards, rules, bound),
                  status=status)


def _class_context(request: HttpRequest, found: api.BadgeClassInfo, awards: list[api.AwardInfo],
                   rules: list[api.RuleInfo], bound: dict[str, forms.Form]) -> dict[str, Any]:
    user = request.user
    manages = api.may_manage_badge_class(user, found)
    choices, label = _roster(found)
    course = host_api.get_course(found.course_key) if found.course_key else None
    now = timezone.now()
    rows = []
    for award in awards:
        current = award.status != "revoked"
        rows.append({
            "award": award,
            "verify_url": openbadges2.verify_url(award.public_id),
            "revoke_form": (bound.get(f"revoke-{award.id}") or RevokeForm(prefix=f"revoke-{award.id}"))
            if current and (manages or award.issued_by_id == user.pk) else None,
            "renewable": current and award.expires_on is not None and award.expires_on <= now + RENEWAL_WINDOW,
            "renew_errors": bound[f"renew-{award.id}"].non_field_errors() if f"renew-{award.id}" in bound else [],
        })
    return {
        "badge_class": found,
        "course": course,
        "image_url": openbadges2.badge_image_url(found.public_id),
        "criteria_url": openbadges2.criteria_url(found.public_id),
        "rows": rows,
        "manages": manages,
        "may_award": _may_award(user, found),
        "award_form": bound.get("award") or AwardForm(prefix="award", choices=choices, recipient_label=label),
        "bulk_form": bound.get("bulk") or BulkAwardForm(prefix="bulk"),
        "zone": host_api.get_user_time_zone(user),
        "now": now,
        "rules": [{
            "rule": rule,
            "errors": bound[f"deactivate-{rule.id}"].non_field_errors() if f"deactivate-{rule.id}" in bound else [],
        } for rule in rules],
        "rule_form": (bound.get("rule") or (rule_form(user, found) if found.is_active else None)) if manages else None,
    }


urlpatterns = [
    path("mine/", mine, name="pages-mine"),
    path("courses/", courses, name="pages-courses"),
    re_path(r"^courses/(?P<course_id>[^/]+)/$", course, name="pages-course"),
    path("classes/<uuid:public_id>/", badge_class, name="pages-class"),
]
