"""
The reviewing pages (under /mentora/reviews/): one submission, for the trainers and staff who review it and for its
learner (or team), and the trainer's comment bank.

Thin views over ``reviews.api``: a form checks shapes, the API decides; a refusal is shown next to the field it is
about (or above the form) and nothing is saved; a change redirects (POST, redirect, GET). Anyone who may not see the
submission gets a 404, as the API answers.

Reviewers see the submission's text with their inline comments highlighted, its links and files, earlier versions
and their feedback, the learner's self-assessment, and, while they hold the claim, the rubric scoring form (a group
of radio buttons per criterion with a comment each, overall feedback, comment-bank insertion, the outcome), inline
comments, feedback files; leads (course staff) confirm or return a second marker's review and override grades. An
inline comment is anchored either by selecting the passage (``review_anchor.js`` fills the form's fields) or, with
the keyboard alone, by quoting the passage, which the server finds in the text. The learner sees their versions and
the released feedback, and replies to it.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mentora_plugin.forms import AccessibleForm
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api
from mentora_plugin.reviews.common import ReviewsError
from mentora_plugin.reviews.models import Review
from mentora_plugin.text import render_markdown

COMMENT_MAX = api.COMMENT_MAX_LENGTH
FEEDBACK_MAX = api.FEEDBACK_MAX_LENGTH


def _textarea(rows: int, max_length: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": max_length})


# --- forms ----------------------------------------------------------------------------------------------------------


class ScoringForm(AccessibleForm):
    """
    The rubric: per criterion (in order, fields ``score_<n>`` and ``comment_<n>``) a level and a comment; the overall
    feedback; a comment from the bank to insert; the outcome (for releasing).
    """

    def __init__(self, *args: Any, criteria: tuple, bank: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for index, criterion in enumerate(criteria):
            self.fields[f"score_{index}"] = forms.TypedChoiceField(
                label=criterion.title,
                choices=[(level.index, level.label) for level in criterion.levels],
                coerce=int, empty_value=None, required=False, widget=forms.RadioSelect,
            )
            self.fields[f"comment_{index}"] = forms.CharField(
                label=_("Comment on “{title}”").format(title=criterion.title), required=False,
                max_length=COMMENT_MAX, widget=_textarea(3, COMMENT_MAX),
            )
        self.fields["feedback"] = forms.CharField(
            label=_("Overall feedback"), required=False, max_length=FEEDBACK_MAX, widget=_textarea(8, FEEDBACK_MAX),
            help_text=_("Markdown. Required to request changes."),
        )
        if bank:
            self.fields["bank_entry"] = forms.TypedChoiceField(
                label=_("Insert a comment from your bank"), required=False, coerce=int, empty_value=None,
                choices=[("", _("(none)"))] + [(entry.id, _shorten(entry.text)) for entry in bank],
                help_text=_("It is added at the end of the field chosen below when you save or release."),
            )
            self.fields["bank_target"] = forms.ChoiceField(
                label=_("Insert it into"), required=False,
                choices=[("feedback", _("the overall feedback"))] + [
                    (f"comment_{index}", _("the comment on “{title}”").format(title=criterion.title))
                    for index, criterion in enumerate(criteria)
                ],
            )
        self.fields["outcome"] = forms.ChoiceField(
            label=_("Outcome"), required=False, choices=Review.Outcome.choices, widget=forms.RadioSelect,
        )

    def rows(self, self_assessment: dict[str, Any]) -> list[dict[str, Any]]:
        """Each criterion with its bound fields, its levels beside their radio buttons and the learner's own
        assessment of it, for the template."""
        rows = []
        for index, criterion in enumerate(self.criteria):
            score = self[f"score_{index}"]
            rows.append({
                "criterion": criterion,
                "score": score,
                "levels": list(zip(criterion.levels, score, strict=False)),
                "comment": self[f"comment_{index}"],
                "self_assessment": self_assessment.get(criterion.key),
            })
        return rows

    def scores(self, bank: dict[int, str]) -> tuple[dict[str, dict], str]:
        """The scores and feedback to save, with the chosen bank comment inserted where asked."""
        data = dict(self.cleaned_data)
        entry = data.get("bank_entry")
        if entry is not None:
            if entry not in bank:
                raise ReviewsError("comment_bank_entry_not_found", _("Choose one of your own saved comments."))
            target = data.get("bank_target") or "feedback"
            data[target] = "\n\n".join(part for part in ((data.get(target) or "").rstrip(), bank[entry]) if part)
        scores = {
            criterion.key: {"level": data.get(f"score_{index}"), "comment": data.get(f"comment_{index}") or ""}
            for index, criterion in enumerate(self.criteria)
        }
        return scores, data.get("feedback") or ""


class InlineCommentForm(AccessibleForm):
    """A comment on a passage: quoted (keyboard), or selected (the script fills start and end)."""

    quote = forms.CharField(
        label=gettext_lazy("The passage (quote it, or select it in the text)"), required=False, max_length=COMMENT_MAX,
        help_text=gettext_lazy("Type or paste a few words of the text: they are found in it."),
    )
    occurrence = forms.IntegerField(
        label=gettext_lazy("Which occurrence (optional)"), required=False, min_value=1,
        help_text=gettext_lazy("When the passage appears several times: 1 for the first, 2 for the second…"),
    )
    start = forms.IntegerField(label=gettext_lazy("From character"), required=False, min_value=0)
    end = forms.IntegerField(label=gettext_lazy("To character"), required=False, min_value=0)
    comment = forms.CharField(label=gettext_lazy("Comment"), max_length=COMMENT_MAX, widget=_textarea(3, COMMENT_MAX))


class FeedbackFileForm(AccessibleForm):
    file = forms.FileField(
        label=gettext_lazy("Feedback file"),
        help_text=gettext_lazy("At most 10 MB: pdf, png, jpg, txt, md, zip or docx; at most 5 files."),
    )


class ReturnForm(AccessibleForm):
    reason = forms.CharField(label=gettext_lazy("What to revise (the marker reads it)"), max_length=COMMENT_MAX,
                             widget=_textarea(4, COMMENT_MAX))


class OverrideForm(AccessibleForm):
    points = forms.DecimalField(label=gettext_lazy("New grade (points)"), min_value=0, decimal_places=2,
                                max_digits=8)
    reason = forms.CharField(label=gettext_lazy("Why (kept in the grade history)"), max_length=COMMENT_MAX,
                             widget=_textarea(3, COMMENT_MAX))


class ReplyForm(AccessibleForm):
    body = forms.CharField(label=gettext_lazy("Your reply"), max_length=COMMENT_MAX, widget=_textarea(4, COMMENT_MAX),
                           help_text=gettext_lazy("Markdown."))


class BankEntryForm(AccessibleForm):
    text = forms.CharField(label=gettext_lazy("A comment to keep"), max_length=COMMENT_MAX,
                           widget=_textarea(3, COMMENT_MAX))


# --- helpers --------------------------------------------------------------------------------------------------------


def _shorten(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


#: Which field of each form a refusal is about, when its code does not say it.
_FIELDS = {
    "feedback_required": "feedback",
    "feedback_too_long": "feedback",
    "invalid_outcome": "outcome",
    "quote_required": "quote",
    "passage_not_found": "quote",
    "invalid_anchor": "start",
    "too_many_files": "file",
    "file_required": "file",
    "file_too_large": "file",
    "file_type_not_allowed": "file",
    "file_content_mismatch": "file",
    "invalid_points": "points",
    "comment_bank_entry_not_found": "bank_entry",
}


def _field_of(form: forms.Form, code: str) -> str | None:
    """The field a refusal is about: ``reason_required`` is about ``reason``, ``invalid_points`` about ``points``."""
    name = _FIELDS.get(code)
    if name in form.fields:
        return name
    for affix in ("_required", "_too_long"):
        if code.endswith(affix) and code[: -len(affix)] in form.fields:
            return code[: -len(affix)]
    name = code.removeprefix("invalid_")
    return name if name in form.fields else None


ActionResult = tuple[str | None, dict[str, forms.Form], int]


def _run(form: forms.Form, key: str, call: Callable[[dict], Any], done: str) -> ActionResult:
    """
    Validate ``form``, then ``call(data)``; a refusal goes next to its field (or above the form). The message is
    ``done``, or what ``call`` returns when that is text.
    """
    if not form.is_valid():
        return None, {key: form}, 400
    try:
        result = call(form.cleaned_data)
    except ReviewsError as error:
        form.add_error(_field_of(form, error.code), str(error))
        return None, {key: form}, error.status
    return result if isinstance(result, str) and result else done, {}, 200


def _segments(text: str, comments: tuple, prefix: str) -> list[dict[str, Any]]:
    """
    ``text`` cut where inline comments start and end: each piece with the numbers of the comments covering it
    (``marks``) and of those ending after it (``ends``: a link to the comment follows the piece).
    """
    numbered = [(number, item) for number, item in enumerate(comments, start=1) if 0 <= item.start < item.end]
    cuts = sorted({0, len(text)} | {min(item.start, len(text)) for _n, item in numbered}
                  | {min(item.end, len(text)) for _n, item in numbered})
    pieces = []
    for start, end in pairwise(cuts):
        marks = [number for number, item in numbered if item.start <= start and end <= item.end]
        ends = [number for number, item in numbered if min(item.end, len(text)) == end]
        pieces.append({
            "text": text[start:end],
            "marks": marks,
            "ends": [{"number": number, "id": f"{prefix}-{number}"} for number in ends],
        })
    return pieces


def _review_view(review: Any) -> dict[str, Any]:
    """A review with its Markdown feedback rendered, for ``review_feedback.html``."""
    return {"review": review, "feedback": render_markdown(review.feedback)}


# --- the page -------------------------------------------------------------------------------------------------------


def _workspace(request: HttpRequest, submission_id: int) -> api.ReviewWorkspace:
    try:
        return api.review_workspace(submission_id, request.user)
    except ReviewsError:
        raise Http404(_("No such submission.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    """
    One submission: for its reviewers, the work, the claim and the review; for its learner, their versions with
    the released feedback and replies. Each form posts an ``action``.
    """
    work = _workspace(request, submission_id)
    bound: dict[str, forms.Form] = {}
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = _LEARNER_ACTIONS.get(action) if work.viewer_is_member else _ACTIONS.get(action)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect("mentora-reviews:reviewing-submission", submission_id=submission_id)
        done, bound, status = handler(request, work)
        if done:
            messages.success(request, done)
            return redirect("mentora-reviews:reviewing-submission", submission_id=submission_id)
        if status == 409 or not bound:
            # The submission moved on (a claim expired, another trainer released): the form may no longer be on
            # the page, so the refusal is shown above everything, with the submission as it is now.
            refusal = " ".join(str(error) for form in bound.values() for error in form.non_field_errors())
            refusal = refusal or " ".join(
                str(error) for form in bound.values() for errors in form.errors.values() for error in errors
            )
            bound = {}
        work = _workspace(request, submission_id)
    return render(request, "mentora/reviews/review_submission.html", _context(request, work, bound, refusal),
                  status=status)


def _context(request: HttpRequest, work: api.ReviewWorkspace, bound: dict, refusal: str) -> dict[str, Any]:
    user = request.user
    draft = work.draft
    holds_claim = bool(work.claim and work.claim.trainer_id == user.pk and work.claim.is_valid and draft)
    bank = api.list_comment_bank(user) if not work.viewer_is_member else []
    scoring = None
    if holds_claim:
        initial: dict[str, Any] = {"feedback": draft.feedback}
        for index, criterion in enumerate(work.criteria):
            score = draft.score(criterion.key)
            initial[f"score_{index}"] = score.level if score else None
            initial[f"comment_{index}"] = score.comment if score else ""
        scoring = bound.get("scoring") or ScoringForm(criteria=work.criteria, bank=bank, initial=initial)
    versions = []
    latest = work.latest
    for version in reversed(work.versions):
        released = version.released_review
        is_latest = latest is not None and version.id == latest.id
        highlighted = ()
        if released is not None:
            highlighted = released.inline_comments
        elif is_latest and not work.viewer_is_member:
            shown = work.draft if holds_claim else work.awaiting
            highlighted = shown.inline_comments if shown else ()
        prefix = f"v{version.number}-comment"
        self_assessment = {item.key: item for item in version.self_assessment} if not work.viewer_is_member else {}
        scoring_here = is_latest and holds_claim and released is None
        versions.append({
            "version": version,
            "is_latest": is_latest,
            "anchor": scoring_here and bool(version.text),
            "show_self_assessment": bool(self_assessment) and not scoring_here,
            "segments": _segments(version.text, highlighted, prefix),
            "highlighted": [
                {"number": number, "item": item, "id": f"{prefix}-{number}"}
                for number, item in enumerate(highlighted, start=1)
            ],
            "released": _review_view(released) if released else None,
            "self_assessment": [self_assessment[c.key] for c in work.criteria if c.key in self_assessment],
            "replies": [{"reply": reply, "body": render_markdown(reply.body)} for reply in version.replies],
            "reply_form": (bound.get(f"reply-{version.id}") or ReplyForm(prefix=f"reply-{version.id}"))
            if released else None,
        })
    self_assessment = {}
    if latest is not None and not work.viewer_is_member:
        self_assessment = {item.key: item for item in latest.self_assessment}
    history = []
    try:
        history = api.grade_history(work.submission_id, user)
    except ReviewsError:
        history = []
    leads_confirm = bool(work.awaiting and work.viewer_is_lead)
    return {
        "work": work,
        "versions": versions,
        "holds_claim": holds_claim,
        "claim_is_others": bool(work.claim and work.claim.is_valid and work.claim.trainer_id != user.pk),
        "draft": draft,
        "awaiting_view": _review_view(work.awaiting) if work.awaiting else None,
        "scoring": scoring,
        "scoring_rows": scoring.rows(self_assessment) if scoring else [],
        "releases_for_confirmation": bool(work.second_marker and not work.viewer_is_lead),
        "inline_form": bound.get("inline") or InlineCommentForm(prefix="inline"),
        "file_form": bound.get("file") or FeedbackFileForm(prefix="file"),
        "return_form": bound.get("return") or ReturnForm(prefix="return"),
        "override_form": bound.get("override") or OverrideForm(prefix="override"),
        "bank_form": bound.get("bank") or BankEntryForm(prefix="bank"),
        "leads_confirm": leads_confirm,
        "history": history,
        "refusal": refusal,
        "zone": host_api.get_user_time_zone(user),
    }


# --- actions --------------------------------------------------------------------------------------------------------


def _simple(call: Callable[[], Any], done: str) -> ActionResult:
    return _run(forms.Form({}), "simple", lambda data: call(), done)


def _claim(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    return _simple(lambda: api.claim_submission(request.user, work.submission_id),
                   _("You claimed the submission: nobody else reviews it while your claim lasts."))


def _release_claim(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    return _simple(lambda: api.release_claim(request.user, work.submission_id),
                   _("The claim is freed; the submission is back in the queue."))


def _save_scoring(request: HttpRequest, work: api.ReviewWorkspace, *, release: bool) -> ActionResult:
    bank = api.list_comment_bank(request.user)
    form = ScoringForm(request.POST, criteria=work.criteria, bank=bank)
    saved = []

    def call(data: dict) -> str | None:
        scores, feedback = form.scores({entry.id: entry.text for entry in bank})
        review = api.save_review(request.user, work.submission_id, scores=scores, feedback=feedback)
        saved.append(review)
        if not release:
            return None
        outcome = data.get("outcome") or ""
        if not outcome:
            raise ReviewsError("invalid_outcome", _("Choose the outcome to release the review."))
        released = api.release_review(request.user, review.id, outcome)
        if released.state == "awaiting_confirmation":
            return _("The review is sent to the lead trainer, who confirms it before the learner sees it.")
        return _("The review is released; the learner is told.")

    done, bound, status = _run(form, "scoring", call, _("The draft is saved."))
    if saved and not done and status != 409:
        # The draft was saved before the release was refused: say so, next to the refusal.
        form.add_error(None, _("Your draft is saved."))
    return done, bound, status


def _save(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    return _save_scoring(request, work, release=False)


def _release(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    return _save_scoring(request, work, release=True)


def _inline_add(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    form = InlineCommentForm(request.POST, prefix="inline")
    return _run(form, "inline", lambda data: api.add_inline_comment(
        request.user, work.submission_id, comment=data["comment"], start=data["start"], end=data["end"],
        quote=data["quote"] or "", occurrence=data["occurrence"],
    ), _("The comment is anchored to the passage."))


def _post_id(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return 0


def _inline_remove(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    comment_id = _post_id(request, "comment_id")
    return _simple(lambda: api.remove_inline_comment(request.user, comment_id), _("The comment is removed."))


def _draft_id(work: api.ReviewWorkspace) -> int:
    if work.draft is None:
        raise ReviewsError("claim_required", _("Claim the submission before reviewing it."), status=409)
    return work.draft.id


def _file_add(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    form = FeedbackFileForm(request.POST, request.FILES, prefix="file")
    return _run(form, "file", lambda data: api.attach_feedback_file(
        request.user, _draft_id(work), data["file"]), _("The file is attached."))


def _file_remove(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    file_id = _post_id(request, "file_id")
    return _simple(lambda: api.remove_feedback_file(request.user, _draft_id(work), file_id),
                   _("The file is removed."))


def _awaiting_id(work: api.ReviewWorkspace) -> int:
    if work.awaiting is None:
        raise ReviewsError("not_awaiting_confirmation", _("This review does not await confirmation."), status=409)
    return work.awaiting.id


def _confirm(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    return _simple(lambda: api.confirm_review(request.user, _awaiting_id(work)),
                   _("The review is confirmed and released; the learner is told."))


def _return(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    form = ReturnForm(request.POST, prefix="return")
    return _run(form, "return", lambda data: api.return_review(
        request.user, _awaiting_id(work), data["reason"]), _("The review is returned to its marker."))


def _override(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    form = OverrideForm(request.POST, prefix="override")
    return _run(form, "override", lambda data: api.override_grade(
        request.user, work.submission_id, data["points"], data["reason"]), _("The grade is changed."))


def _reply(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    version_id = _post_id(request, "version_id")
    if version_id not in {version.id for version in work.versions}:
        raise Http404(_("No such version."))
    form = ReplyForm(request.POST, prefix=f"reply-{version_id}")
    return _run(form, f"reply-{version_id}", lambda data: api.add_reply(
        request.user, version_id, data["body"]), _("Your reply is posted."))


def _bank_add(request: HttpRequest, work: api.ReviewWorkspace) -> ActionResult:
    form = BankEntryForm(request.POST, prefix="bank")
    return _run(form, "bank", lambda data: api.add_comment_bank_entry(request.user, data["text"]),
                _("The comment is saved in your bank."))


_ACTIONS: dict[str, Callable[[HttpRequest, api.ReviewWorkspace], ActionResult]] = {
    "claim": _claim,
    "release_claim": _release_claim,
    "save": _save,
    "release": _release,
    "inline_add": _inline_add,
    "inline_remove": _inline_remove,
    "file_add": _file_add,
    "file_remove": _file_remove,
    "confirm": _confirm,
    "return": _return,
    "override": _override,
    "reply": _reply,
    "bank_add": _bank_add,
}
#: What a learner of the submission may do on its page.
_LEARNER_ACTIONS = {"reply": _reply}


# --- the comment bank -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def comment_bank(request: HttpRequest) -> HttpResponse:
    """The signed-in trainer's saved comments: add one, delete one."""
    form, status = BankEntryForm(prefix="bank"), 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "bank_add":
            form = BankEntryForm(request.POST, prefix="bank")
            done, _bound, status = _run(form, "bank", lambda data: api.add_comment_bank_entry(
                request.user, data["text"]), _("The comment is saved in your bank."))
        elif action == "bank_remove":
            entry_id = _post_id(request, "entry_id")
            try:
                api.remove_comment_bank_entry(request.user, entry_id)
            except ReviewsError as error:
                messages.error(request, str(error))
                return redirect("mentora-reviews:reviewing-comment-bank")
            done = _("The comment is deleted.")
        else:
            done = None
            messages.error(request, _("Unknown action."))
            return redirect("mentora-reviews:reviewing-comment-bank")
        if done:
            messages.success(request, done)
            return redirect("mentora-reviews:reviewing-comment-bank")
    context = {"entries": api.list_comment_bank(request.user), "form": form,
               "zone": host_api.get_user_time_zone(request.user)}
    return render(request, "mentora/reviews/review_comment_bank.html", context, status=status)


urlpatterns = [
    path("submissions/<int:submission_id>/", submission, name="reviewing-submission"),
    path("comment-bank/", comment_bank, name="reviewing-comment-bank"),
]
