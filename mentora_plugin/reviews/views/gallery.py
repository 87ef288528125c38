"""
The gallery's pages (under /mentora/reviews/): the gallery with its filters (course, skill), one entry with its
kudos button, a trainer's showcase (the projects they featured, which their trainer profile links to), a file of
an entry, and the two forms behind the gallery: a trainer featuring approved work, a learner giving or withdrawing
consent.

Thin views over ``reviews.api``: the API decides who sees and does what (an entry nobody may see is a 404, a
trainer whose level does not unlock featuring is refused with the API's message next to the form); every change
redirects (POST, redirect, GET).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mentora_plugin.forms import AccessibleForm
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api
from mentora_plugin.reviews.common import ReviewsError
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import api as trainers_api

PAGE_SIZE = 12
MANAGE_PERMISSION = "mentora_reviews.manage_project"


class FeatureForm(AccessibleForm):
    """The skills an entry is tagged with."""

    skills = forms.MultipleChoiceField(
        label=gettext_lazy("Skills this work shows"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("People find the gallery's work by skill."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(skill.slug, skill.name) for skill in trainers_api.list_skills()]


class ConsentForm(AccessibleForm):
    consent = forms.TypedChoiceField(
        label=gettext_lazy("Show my work in the gallery?"),
        choices=(("yes", gettext_lazy("Yes, show it when a trainer features it")),
                 ("no", gettext_lazy("No, do not show it"))),
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
    )


class UnfeatureForm(AccessibleForm):
    reason = forms.CharField(
        label=gettext_lazy("Why it leaves the gallery"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )


def _page_query(**values: Any) -> str:
    return urlencode([(name, value) for name, value in values.items() if value])


def _entry_context(entry: api.GalleryEntryInfo) -> dict[str, Any]:
    return {"entry": entry, "feedback": render_markdown(entry.feedback_summary)}


# --- the gallery ----------------------------------------------------------------------------------------------------


@login_required
def gallery(request: HttpRequest) -> HttpResponse:
    """The gallery (``?course=<course key>``, ``?skill=<slug>``, ``?page=``)."""
    course = (request.GET.get("course") or "").strip()[:255]
    skill = (request.GET.get("skill") or "").strip()[:100]
    refusal, status = "", 200
    try:
        found = api.list_gallery(course_key=course or None, skill=skill or None, viewer=request.user)
    except ReviewsError as error:
        refusal, status, found = str(error), error.status, []
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "entries": [_entry_context(entry) for entry in page.object_list],
        "refusal": refusal,
        "course": course,
        "skill": skill,
        "courses": [(str(key), title) for key, title in api.gallery_courses(request.user)],
        "skills": trainers_api.list_skills(),
        "query": _page_query(course=course, skill=skill),
        "zone": host_api.get_user_time_zone(request.user),
    }
    return render(request, "mentora/reviews/gallery.html", context, status=status)


@login_required
def showcase(request: HttpRequest, username: str) -> HttpResponse:
    """The projects a trainer featured that the gallery shows: the showcase their profile links to."""
    trainer = get_user_model().objects.filter(username=username).first()
    if trainer is None:
        raise Http404(_("No such trainer."))
    page = Paginator(api.featured_by(trainer, viewer=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "entries": [_entry_context(entry) for entry in page.object_list],
        "trainer_name": host_api.display_name(trainer),
        "trainer_username": trainer.username,
        "zone": host_api.get_user_time_zone(request.user),
    }
    return render(request, "mentora/reviews/gallery_trainer.html", context)


# --- one entry ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One entry; its forms post an ``action``: kudos, or unfeature (who featured it, course staff)."""
    bound: dict[str, forms.Form] = {}
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "kudos":
            try:
                api.give_kudos(request.user, entry_id)
            except ReviewsError as error:
                if error.status == 404:
                    raise Http404(str(error)) from None
                refusal, status = str(error), error.status
            else:
                messages.success(request, _("Thank you: your kudos are counted."))
                return redirect("mentora-reviews:gallery-detail", entry_id=entry_id)
        elif action == "unfeature":
            form = UnfeatureForm(request.POST, prefix="unfeature")
            if form.is_valid():
                try:
                    api.unfeature(request.user, entry_id, form.cleaned_data["reason"])
                except ReviewsError as error:
                    form.add_error(None, str(error))
                    status = error.status
                else:
                    messages.success(request, _("The work is out of the gallery."))
                    return redirect("mentora-reviews:gallery-list")
            else:
                status = 400
            bound["unfeature"] = form
        else:
            messages.error(request, _("Unknown action."))
            return redirect("mentora-reviews:gallery-detail", entry_id=entry_id)
    try:
        entry = api.get_gallery_entry(entry_id, request.user)
    except ReviewsError:
        raise Http404(_("No such gallery entry.")) from None
    user = request.user
    is_author = _is_author(user, entry)
    may_unfeature = entry.featured_at is not None and (
        entry.featured_by_id == user.pk or user.has_perm(MANAGE_PERMISSION, entry.course_key)
    )
    context = {
        **_entry_context(entry),
        "text": render_markdown(entry.text),
        "is_author": is_author,
        "may_unfeature": may_unfeature,
        "unfeature_form": bound.get("unfeature") or UnfeatureForm(prefix="unfeature"),
        "refusal": refusal,
        "zone": host_api.get_user_time_zone(user),
    }
    return render(request, "mentora/reviews/gallery_entry.html", context, status=status)


def _is_author(user: Any, entry: api.GalleryEntryInfo) -> bool:
    """Whether ``user`` is an author of the entry's work (the consent is theirs to give or withdraw)."""
    try:
        api.gallery_consent(user, entry.submission_id)
    except ReviewsError:
        return False
    return True


@login_required
def entry_file(request: HttpRequest, entry_id: int, file_id: int) -> FileResponse:
    """A file of an entry's approved version, for whoever may see the entry."""
    try:
        stored = api.open_gallery_file(request.user, entry_id, file_id)
    except ReviewsError:
        raise Http404(_("No such file.")) from None
    try:
        handle = stored.file.open("rb")
    except OSError:
        raise Http404(_("No such file.")) from None
    return FileResponse(handle, as_attachment=True, filename=stored.name, content_type=stored.content_type)


# --- featuring and consent ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feature(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A trainer features an approved submission, tagged with skills (their level must unlock featuring)."""
    status = 200
    if request.method == "POST":
        form = FeatureForm(request.POST)
        if form.is_valid():
            try:
                entry = api.feature_submission(request.user, submission_id, form.cleaned_data["skills"])
            except ReviewsError as error:
                if error.code == "submission_not_found":
                    raise Http404(str(error)) from None
                form.add_error("skills" if "skill" in error.code else None, str(error))
                status = error.status
            else:
                if entry.shown:
                    messages.success(request, _("The work is in the gallery."))
                else:
                    messages.success(request, _("The work is featured; the gallery shows it once its learners "
                                                "consent."))
                return redirect("mentora-reviews:gallery-detail", entry_id=entry.id)
        else:
            status = 400
    else:
        form = FeatureForm()
    context = {"form": form, "submission_id": submission_id,
               "submission_url": f"/mentora/reviews/submissions/{submission_id}/"}
    return render(request, "mentora/reviews/gallery_feature.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A learner gives or withdraws consent to show their work in the gallery."""
    try:
        state = api.gallery_consent(request.user, submission_id)
    except ReviewsError:
        raise Http404(_("No such submission.")) from None
    status = 200
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            api.set_gallery_consent(request.user, submission_id, form.cleaned_data["consent"])
            if form.cleaned_data["consent"]:
                messages.success(request, _("Thank you: your work may be shown in the gallery."))
            else:
                messages.success(request, _("Your work is not shown in the gallery any more."))
            return redirect("mentora-reviews:gallery-consent", submission_id=submission_id)
        status = 400
    else:
        form = ConsentForm(initial={"consent": "yes" if state.consented else "no"})
    context = {"form": form, "state": state, "submission_url": f"/mentora/reviews/submissions/{submission_id}/"}
    return render(request, "mentora/reviews/gallery_consent.html", context, status=status)


urlpatterns = [
    path("gallery/", gallery, name="gallery-list"),
    path("gallery/<int:entry_id>/", entry_detail, name="gallery-detail"),
    path("gallery/<int:entry_id>/files/<int:file_id>/", entry_file, name="gallery-file"),
    path("gallery/trainers/<str:username>/", showcase, name="gallery-trainer"),
    path("gallery/feature/<int:submission_id>/", feature, name="gallery-feature"),
    path("gallery/consent/<int:submission_id>/", consent, name="gallery-consent"),
]
