"""
The trainers' profile pages (under ``/mentora/trainers/``): trainer search, a trainer's public profile with their
ratings, and the editing of one's own profile.

Thin views over ``profiles`` and ``ratings``: a form checks shapes, the domain decides; a refusal is shown next to
the field it concerns (or above the form) with nothing saved, and a change that succeeds redirects (POST, redirect,
GET). The pages need a signed-in user, as the REST API does: profiles are public to the platform's users, not to
the whole web.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.conf import global_settings, settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from mentora_plugin.forms import AccessibleForm as BaseAccessibleForm
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import profiles, ratings
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import SkillLevel

SEARCH = "mentora-trainers:profiles-search"
DETAIL = "mentora-trainers:profiles-detail"
EDIT = "mentora-trainers:profiles-edit"
RESULTS_PER_PAGE = 20
RATINGS_PER_PAGE = 20

#: Which form field shows a refusal of the domain, by its code (others show above the form).
FIELD_OF_CODE = {
    "headline_too_long": "headline",
    "bio_too_long": "bio",
    "experience_too_long": "experience",
    "invalid_experience_years": "experience_years",
    "invalid_language": "languages",
    "invalid_time_zone": "time_zone",
    "too_many_links": "links",
    "invalid_link": "links",
    "invalid_photo": "photo",
    "photo_too_large": "photo",
    "photo_dimensions_too_large": "photo",
    "title_required": "title",
    "title_too_long": "title",
    "description_too_long": "description",
    "invalid_url": "url",
    "evidence_required": "url",
    "evidence_too_large": "evidence",
    "evidence_type_not_allowed": "evidence",
    "evidence_content_mismatch": "evidence",
    "invalid_stars": "stars",
    "comment_too_long": "comment",
    "response_too_long": "text",
    "reason_required": "reason",
    "reason_too_long": "reason",
}


class AccessibleForm(BaseAccessibleForm):
    """Mentora's accessible form, which also shows a refusal of the trainers' API next to its field."""

    def refuse(self, error: TrainersError) -> None:
        """Show the domain's refusal next to its field (or above the form)."""
        field = FIELD_OF_CODE.get(error.code)
        self.add_error(field if field in self.fields else None, str(error))


def _languages_menu() -> list[tuple[str, str]]:
    """Every language Django names (the site's first), by name in the current language."""
    seen: dict[str, str] = {}
    for code, _name in [*settings.LANGUAGES, *global_settings.LANGUAGES]:
        code = code.lower()
        if code not in seen:
            seen[code] = profiles.language_name(code)
    return sorted(seen.items(), key=lambda item: item[1].lower())


def _skills_menu() -> list[tuple[str, str]]:
    """Active skills, each parent followed by its children (indented)."""
    skills = profiles.list_skills()
    children: dict[str | None, list] = {}
    for skill in skills:
        children.setdefault(skill.parent_slug, []).append(skill)
    known = {skill.slug for skill in skills}
    menu: list[tuple[str, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for skill in children.get(parent, []):
            menu.append((skill.slug, "— " * depth + skill.name))
            if depth < 5:
                walk(skill.slug, depth + 1)

    walk(None, 0)
    for skill in skills:  # a child of an inactive parent still shows
        if skill.parent_slug and skill.parent_slug not in known:
            menu.append((skill.slug, skill.name))
    return menu


# --- search ---------------------------------------------------------------------------------------------------------


class SearchForm(AccessibleForm):
    """The search filters (a GET form: its address can be shared)."""

    query = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=200,
                            help_text=gettext_lazy("In the trainer's name, headline or biography."))
    skill = forms.ChoiceField(label=gettext_lazy("Skill"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    course = forms.ChoiceField(label=gettext_lazy("Course"), required=False)
    min_rating = forms.ChoiceField(label=gettext_lazy("Minimum rating"), required=False, choices=[
        ("", gettext_lazy("Any")), ("3", "3"), ("3.5", "3.5"), ("4", "4"), ("4.5", "4.5"),
    ])
    order = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=[
        ("rating", gettext_lazy("Best rated first")), ("name", gettext_lazy("By name")),
    ])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", _("Any skill")), *_skills_menu()]
        self.fields["language"].choices = [("", _("Any language")), *_languages_menu()]
        self.fields["course"].choices = [("", _("Any course"))] + [
            (str(course.course_key), course.title) for course in host_api.list_courses()
        ]


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Active trainers by words, skill, language, course and rating; 20 a page."""
    form = SearchForm(request.GET or None)
    page = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        try:
            found = profiles.search_trainers(
                query=data.get("query", ""),
                skill=data.get("skill") or None,
                language=data.get("language") or None,
                course_key=data.get("course") or None,
                min_rating=float(data["min_rating"]) if data.get("min_rating") else None,
                order=data.get("order") or "rating",
            )
            page = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        except TrainersError as error:
            form.refuse(error)
            status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    return render(request, "mentora/trainers/search.html", context, status=status)


# --- the public profile ---------------------------------------------------------------------------------------------


class RateForm(AccessibleForm):
    stars = forms.TypedChoiceField(label=gettext_lazy("Stars"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, str(n)) for n in range(1, 6)])
    comment = forms.CharField(label=gettext_lazy("Comment (optional)"), required=False,
                              max_length=ratings.COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("Markdown. Everyone who sees the profile can read it."))


class ResponseForm(AccessibleForm):
    text = forms.CharField(label=gettext_lazy("Your public answer"), required=False,
                           max_length=ratings.COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("Leave it empty to remove your answer."))


class ModerationForm(AccessibleForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=ratings.COMMENT_MAX_LENGTH)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, username: str) -> HttpResponse:
    """A trainer's public profile with their ratings; the forms to rate, answer and moderate post here."""
    try:
        profile = profiles.get_public_profile(username, request.user)
    except TrainersError as error:
        return render(request, "mentora/trainers/profile_missing.html", {"message": str(error)}, status=404)
    bound: dict[str, AccessibleForm] = {}
    if request.method == "POST":
        done, bound = _act_on_profile(request, profile)
        if done:
            messages.success(request, done)
        if not bound:
            return redirect(reverse(DETAIL, args=[profile.username]))
    user = request.user
    is_owner = user.pk == profile.user_id
    moderator = user.has_perm("mentora_trainers.moderate_rating")
    ratings_page = Paginator(profile.ratings, RATINGS_PER_PAGE).get_page(request.GET.get("page"))
    items = [
        {
            "rating": rating,
            "response_form": bound.get(f"respond-{rating.id}") or ResponseForm(
                prefix=f"respond-{rating.id}", initial={"text": rating.response}),
            "moderation_form": bound.get(f"moderate-{rating.id}") or ModerationForm(prefix=f"moderate-{rating.id}"),
        }
        for rating in ratings_page
    ]
    rateable = [] if is_owner else [
        {"activity": item, "form": bound.get(f"rate-{item.id}") or RateForm(prefix=f"rate-{item.id}")}
        for item in ratings.rateable_activities(user, trainer=profile.user_id)
    ]
    context = {
        "profile": profile,
        "is_owner": is_owner,
        "moderator": moderator,
        "ratings_page": ratings_page,
        "rating_items": items,
        "rateable": rateable,
        "distribution": [(stars, profile.rating.distribution.get(stars, 0)) for stars in range(5, 0, -1)],
    }
    return render(request, "mentora/trainers/profile_detail.html", context, status=400 if bound else 200)


def _act_on_profile(request: HttpRequest, profile: profiles.PublicProfile) -> tuple[str | None, dict]:
    """Run the posted action; (message on success, {} ) or (None, {key: bound form with its errors})."""
    action = request.POST.get("action", "")
    target = _int(request.POST.get("target"))
    if target is None or action not in ("rate", "respond", "hide", "unhide"):
        messages.error(request, _("Unknown action."))
        return None, {}
    if action == "rate":
        form = RateForm(request.POST, prefix=f"rate-{target}")
        key = f"rate-{target}"
    elif action == "respond":
        form, key = ResponseForm(request.POST, prefix=f"respond-{target}"), f"respond-{target}"
    else:
        form, key = ModerationForm(request.POST, prefix=f"moderate-{target}"), f"moderate-{target}"
    if not form.is_valid():
        return None, {key: form}
    data = form.cleaned_data
    try:
        if action == "rate":
            mine = {item.id for item in ratings.rateable_activities(request.user, trainer=profile.user_id)}
            if target not in mine:  # an interaction with someone else: not rateable from this page
                raise TrainersError("activity_not_found", _("No such activity."), 404)
            ratings.rate_trainer(request.user, target, data["stars"], data["comment"])
            return _("Thank you: your rating is published."), {}
        if action == "respond":
            answer = ratings.respond_to_rating(request.user, target, data["text"])
            return (_("Your answer is published.") if answer.response else _("Your answer is removed.")), {}
        if action == "hide":
            ratings.hide_rating(request.user, target, data["reason"])
            return _("The rating is hidden."), {}
        ratings.unhide_rating(request.user, target, data["reason"])
        return _("The rating shows again."), {}
    except TrainersError as error:
        if error.status in (403, 404) and error.code not in FIELD_OF_CODE:
            messages.error(request, str(error))
            return None, {}
        form.refuse(error)
        return None, {key: form}


# --- editing one's profile ------------------------------------------------------------------------------------------


_ZONE_CHOICES: list[tuple[str, str]] = []


def _zone_choices() -> list[tuple[str, str]]:
    if not _ZONE_CHOICES:
        _ZONE_CHOICES.extend((zone, zone) for zone in sorted(available_timezones()))
    return _ZONE_CHOICES


class ProfileForm(AccessibleForm):
    """What a trainer tells about themselves."""

    headline = forms.CharField(label=gettext_lazy("Headline"), required=False,
                               max_length=profiles.HEADLINE_MAX_LENGTH,
                               help_text=gettext_lazy("One line, e.g. “Data engineer, mentors career changers”."))
    bio = forms.CharField(label=gettext_lazy("About you"), required=False, max_length=profiles.TEXT_MAX_LENGTH,
                          widget=forms.Textarea(attrs={"rows": 6}), help_text=gettext_lazy("Markdown."))
    experience_years = forms.IntegerField(label=gettext_lazy("Years of experience"), min_value=0, max_value=80,
                                          initial=0)
    experience = forms.CharField(label=gettext_lazy("Experience"), required=False,
                                 max_length=profiles.TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=gettext_lazy("Markdown: past roles, teaching, projects."))
    languages = forms.CharField(label=gettext_lazy("Languages you speak"), required=False, max_length=500,
                                help_text=gettext_lazy("Codes or names, separated by commas, e.g. “fr, en, Spanish”."))
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    links = forms.CharField(label=gettext_lazy("Links"), required=False, max_length=6000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=gettext_lazy("One a line: a label, “|”, then the address, e.g. "
                                                   "“Blog | https://example.com”. At most 10."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zone_choices()

    def clean_languages(self) -> list[str]:
        names = {}
        for code, name in _languages_menu():
            names[name.lower()] = code
        for code, name in [*settings.LANGUAGES, *global_settings.LANGUAGES]:
            names[str(name).lower()] = code.lower()
        found = []
        for item in self.cleaned_data["languages"].split(","):
            item = item.strip()
            if item:
                found.append(names.get(item.lower(), item))
        return found

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for number, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            label, _separator, url = line.rpartition("|") if "|" in line else ("", "", line)
            if not url.strip():
                raise forms.ValidationError(_("Line {number} has no address.").format(number=number))
            links.append({"label": label.strip(), "url": url.strip()})
        return links

    @classmethod
    def initial_from(cls, profile: profiles.ProfileInfo | None) -> dict[str, Any]:
        if profile is None:
            return {"time_zone": "UTC", "experience_years": 0}
        return {
            "headline": profile.headline,
            "bio": profile.bio,
            "experience_years": profile.experience_years,
            "experience": profile.experience,
            "languages": ", ".join(profile.languages),
            "time_zone": profile.time_zone,
            "links": "\n".join(f"{link.label} | {link.url}" for link in profile.links),
        }


class PhotoForm(AccessibleForm):
    photo = forms.FileField(label=gettext_lazy("New photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
                            help_text=gettext_lazy("PNG, JPEG or WebP; at most 2 MB and 4096 pixels a side."))


class PortfolioForm(AccessibleForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  max_length=profiles.TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=gettext_lazy("Markdown."))
    url = forms.CharField(label=gettext_lazy("Link to the work"), required=False, max_length=500,
                          widget=forms.URLInput, help_text=gettext_lazy("A link, a file, or both."))
    evidence = forms.FileField(label=gettext_lazy("File"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.zip,.txt,.md"}),
                               help_text=gettext_lazy("PDF, PNG, JPEG, ZIP, text or Markdown; at most 10 MB."))
    skills = forms.MultipleChoiceField(label=gettext_lazy("Skills it shows"), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, skill_choices: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = list(skill_choices)


def _skill_rows(profile: profiles.ProfileInfo | None, posted: Any = None) -> list[dict[str, Any]]:
    """One row per active skill for the skills editor: is it on the profile, at which level, a specialisation?"""
    current = {item.slug: item for item in (profile.skills if profile else ())}
    rows = []
    for slug, label in _skills_menu():
        item = current.get(slug)
        if posted is not None:
            on = posted.get(f"skill-{slug}-on") == "on"
            level = _int(posted.get(f"skill-{slug}-level")) or SkillLevel.BEGINNER
            special = posted.get(f"skill-{slug}-special") == "on"
        else:
            on, level, special = item is not None, item.declared_level if item else 1, bool(
                item and item.is_specialisation)
        rows.append({
            "slug": slug, "label": label, "name": label.lstrip("— "), "on": on, "level": level, "special": special,
            "validated": item.validated_level_name if item else "",
        })
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own profile: details, photo, skills and portfolio; each form posts an ``action``."""
    bound: dict[str, Any] = {}
    if request.method == "POST":
        handler = _EDIT_ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(EDIT)
        done, bound = handler(request)
        if done:
            messages.success(request, done)
        if not bound:
            return redirect(EDIT)
    profile = profiles.get_profile(request.user)
    own_skills = [(item.slug, item.name) for item in (profile.skills if profile else ())]
    context = {
        "profile": profile,
        "profile_form": bound.get("profile") or ProfileForm(prefix="profile",
                                                            initial=ProfileForm.initial_from(profile)),
        "photo_form": bound.get("photo") or PhotoForm(prefix="photo"),
        "skill_rows": bound.get("skill_rows") or _skill_rows(profile),
        "skills_error": bound.get("skills_error", ""),
        "levels": SkillLevel.choices,
        "portfolio_form": bound.get("portfolio") or PortfolioForm(prefix="item", skill_choices=own_skills),
        "max_skills": profiles.MAX_SKILLS,
        "max_specialisations": profiles.MAX_SPECIALISATIONS,
    }
    return render(request, "mentora/trainers/profile_edit.html", context, status=400 if bound else 200)


def _save_profile(request: HttpRequest) -> tuple[str | None, dict]:
    form = ProfileForm(request.POST, prefix="profile")
    if not form.is_valid():
        return None, {"profile": form}
    try:
        profiles.update_profile(request.user, **form.cleaned_data)
    except TrainersError as error:
        form.refuse(error)
        return None, {"profile": form}
    return _("Your profile is saved."), {}


def _set_photo(request: HttpRequest) -> tuple[str | None, dict]:
    form = PhotoForm(request.POST, request.FILES, prefix="photo")
    if not form.is_valid():
        return None, {"photo": form}
    try:
        profiles.set_photo(request.user, form.cleaned_data["photo"])
    except TrainersError as error:
        form.refuse(error)
        return None, {"photo": form}
    return _("Your photo is saved."), {}


def _remove_photo(request: HttpRequest) -> tuple[str | None, dict]:
    profiles.remove_photo(request.user)
    return _("Your photo is removed."), {}


def _save_skills(request: HttpRequest) -> tuple[str | None, dict]:
    rows = _skill_rows(profiles.get_profile(request.user), request.POST)
    entries = [{"skill": row["slug"], "declared_level": row["level"], "is_specialisation": row["special"]}
               for row in rows if row["on"]]
    try:
        profiles.set_skills(request.user, entries)
    except TrainersError as error:
        return None, {"skill_rows": rows, "skills_error": str(error)}
    return _("Your skills are saved."), {}


def _add_item(request: HttpRequest) -> tuple[str | None, dict]:
    profile = profiles.get_profile(request.user)
    choices = [(item.slug, item.name) for item in (profile.skills if profile else ())]
    form = PortfolioForm(request.POST, request.FILES, prefix="item", skill_choices=choices)
    if not form.is_valid():
        return None, {"portfolio": form}
    data = form.cleaned_data
    try:
        profiles.add_portfolio_item(request.user, data["title"], data["description"], data["url"],
                                    data["evidence"], tuple(data["skills"]))
    except TrainersError as error:
        form.refuse(error)
        return None, {"portfolio": form}
    return _("The work is added to your portfolio."), {}


def _remove_item(request: HttpRequest) -> tuple[str | None, dict]:
    try:
        profiles.remove_portfolio_item(request.user, _int(request.POST.get("item_id")))
    except TrainersError:
        messages.error(request, _("This work is no longer in your portfolio."))
        return None, {}
    return _("The work is removed from your portfolio."), {}


_EDIT_ACTIONS: dict[str, Callable[[HttpRequest], tuple[str | None, dict]]] = {
    "profile": _save_profile,
    "photo": _set_photo,
    "remove_photo": _remove_photo,
    "skills": _save_skills,
    "add_item": _add_item,
    "remove_item": _remove_item,
}


urlpatterns = [
    path("", search, name="profiles-search"),
    path("me/profile/", edit, name="profiles-edit"),
    path("profile/<str:username>/", detail, name="profiles-detail"),
]
