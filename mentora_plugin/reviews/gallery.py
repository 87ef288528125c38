"""
The gallery: approved projects that trainers feature, shown only with their learners' consent.

- **Featuring** (``feature_submission``) needs an approved submission and the trainers' level capability
  ``feature_projects`` in the course (``trainers.api.can``); a trainer refused by their level gets
  ``capability_refused`` (403). Entries are tagged with skills of the shared taxonomy (``trainers.api.list_skills``).
- **Consent** (``set_gallery_consent``) is the learner's opt-in, given before or after a trainer features the work,
  and revocable at any time. For a team's work, every member must consent. Nothing is shown until then, and a
  withdrawal takes the entry out of every listing at once: listings ask the database each time whether an entry is
  both featured and consented to, nothing is cached.
- **Listing** (``list_gallery``): one course's entries for the people of that course, or the whole platform's for
  anyone signed in, filtered by skill; each entry with an excerpt of the approved version's text, its files, a
  summary of the trainer's feedback and its kudos. A learner sees another learner's work only here, and only with
  consent. ``featured_by`` lists one trainer's entries (the showcase their profile links to).
- **Kudos** (``give_kudos``): once per person and entry (``already_given``, 409), never to one's own work.

Lists are lazy sequences for Django's and DRF's paginators: a page costs a fixed number of queries (the COUNT, the
entries with their submission, project, learner and trainer, then one query each for team members, the approved
reviews, their files, the viewer's kudos, the skills and the course titles), whatever its size.

Changes to an entry lock its ``Submission`` row first (``select_for_update`` on that table alone), as every change
to a submission does; kudos lock the entry's row, so that two clicks cannot count twice.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.host.rules import is_platform_staff
from mentora_plugin.reviews.common import ReviewsError, forbidden, not_found
from mentora_plugin.reviews.models import GalleryEntry, Kudos, Review, Submission, SubmissionFile, Team
from mentora_plugin.trainers import api as trainers_api

__all__ = [
    "GalleryConsentInfo",
    "GalleryEntryInfo",
    "GalleryFileInfo",
    "GallerySkillInfo",
    "StoredGalleryFile",
    "feature_submission",
    "featured_by",
    "gallery_consent",
    "gallery_courses",
    "get_gallery_entry",
    "give_kudos",
    "list_gallery",
    "open_gallery_file",
    "set_gallery_consent",
    "unfeature",
    "unfeature_submission",
]

log = logging.getLogger(__name__)
User = get_user_model()

#: How many skills one entry may carry.
MAX_SKILLS = 10
EXCERPT_CHARS = 600
FEEDBACK_SUMMARY_CHARS = 400
REVIEW_PERMISSION = "mentora_reviews.review_submission"
MANAGE_PERMISSION = "mentora_reviews.manage_project"
#: The entries the gallery shows: featured by a trainer and consented to by every author.
SHOWN = Q(featured_at__isnull=False, consented_at__isnull=False)


@dataclass(frozen=True)
class GallerySkillInfo:
    slug: str
    name: str


@dataclass(frozen=True)
class GalleryFileInfo:
    """A file of the approved version; ``url`` downloads it through the gallery (which checks who may)."""

    id: int
    name: str
    size: int
    url: str


@dataclass(frozen=True)
class GalleryEntryInfo:
    """
    A gallery entry. ``authors`` are the learner's (or each team member's) display names; ``excerpt`` is the start
    of the approved version's text, ``text`` the whole of it (on a single entry only; empty in lists);
    ``feedback_summary`` the start of the approving trainer's feedback (Markdown). ``shown`` says whether the gallery
    shows it (featured and consented to); ``kudos_given`` whether the viewer gave kudos.
    """

    id: int
    submission_id: int
    project_id: int
    project_title: str
    course_key: CourseKey
    course_title: str
    authors: tuple[str, ...]
    team_name: str
    skills: tuple[GallerySkillInfo, ...]
    excerpt: str
    text: str
    links: tuple[str, ...]
    files: tuple[GalleryFileInfo, ...]
    feedback_summary: str
    featured_by_id: int | None
    featured_by_username: str
    featured_by_name: str
    featured_at: datetime | None
    consented: bool
    shown: bool
    kudos_count: int
    kudos_given: bool
    url: str


@dataclass(frozen=True)
class GalleryConsentInfo:
    """
    Where a submission stands with the gallery, for one of its authors: whether they consent, whether every author
    does, whether a trainer features it, and whether it is shown (both).
    """

    submission_id: int
    entry_id: int | None
    consented: bool
    all_consented: bool
    featured: bool
    shown: bool


@dataclass(frozen=True)
class StoredGalleryFile:
    """A file of a shown entry, opened for download: its name, type and stored file."""

    name: str
    content_type: str
    file: FieldFile


# --- helpers --------------------------------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", True)


def _user_paths(*relations: str) -> list[str]:
    """``select_related`` paths for users, with the LMS profile (where display names live) when there is one."""
    has_profile = any(item.name == "profile" and item.is_relation for item in User._meta.get_fields())
    return [path for relation in relations for path in ((relation, f"{relation}__profile") if has_profile
                                                         else (relation,))]


def _authors_ids(submission: Submission) -> list[int]:
    """Who the work belongs to: the learner, or every member of the team."""
    if submission.team_id:
        return sorted(submission.team.members.values_list("pk", flat=True))
    return [submission.learner_id] if submission.learner_id else []


def _locked_submission(submission_id: Any) -> Submission | None:
    """Lock the submission's row (that table alone), then read it with its project and team."""
    if isinstance(submission_id, bool) or not isinstance(submission_id, int):
        return None
    if not Submission.objects.select_for_update().filter(pk=submission_id).values_list("pk", flat=True).first():
        return None
    return Submission.objects.select_related("project", "team").get(pk=submission_id)


def _entry_path(entry_id: int) -> str:
    return f"/mentora/reviews/gallery/{entry_id}/"


def _file_path(entry_id: int, file_id: int) -> str:
    return f"/mentora/reviews/gallery/{entry_id}/files/{file_id}/"


def _may_review(user: Any, course_key: CourseKey) -> bool:
    return _signed_in(user) and user.has_perm(REVIEW_PERMISSION, course_key)


def _valid_skills(skills: Iterable[str]) -> list[str]:
    """The skill slugs, each once, checked against the active taxonomy."""
    if isinstance(skills, str):
        skills = [skills]
    wanted = list(dict.fromkeys(str(slug).strip() for slug in skills if str(slug).strip()))
    if len(wanted) > MAX_SKILLS:
        raise ReviewsError("too_many_skills", _("Tag an entry with at most {count} skills.").format(count=MAX_SKILLS))
    known = {skill.slug for skill in trainers_api.list_skills()}
    unknown = [slug for slug in wanted if slug not in known]
    if unknown:
        raise ReviewsError("invalid_skill", _("Unknown skill: {slugs}.").format(slugs=", ".join(unknown)[:200]))
    return wanted


# --- building entries, a page at a time -----------------------------------------------------------------------------


def _entries() -> QuerySet:
    return GalleryEntry.objects.select_related(
        "submission__project", "submission__team", *_user_paths("submission__learner", "featured_by")
    )


def _build(entries: list[GalleryEntry], viewer: Any, *, full_text: bool = False) -> list[GalleryEntryInfo]:
    """The entries as data, with a fixed number of queries for the lot (see the module docstring)."""
    if not entries:
        return []
    team_ids = {entry.submission.team_id for entry in entries if entry.submission.team_id}
    members: dict[int, list[Any]] = {}
    if team_ids:
        through = Team.members.through
        rows = through.objects.filter(team_id__in=team_ids).select_related(*_user_paths("user")).order_by(
            "user__username")
        for row in rows:
            members.setdefault(row.team_id, []).append(row.user)
    submission_ids = [entry.submission_id for entry in entries]
    approving: dict[int, Review] = {}
    reviews = (
        Review.objects.filter(
            version__submission_id__in=submission_ids, outcome=Review.Outcome.APPROVED, released_at__isnull=False
        )
        .exclude(role=Review.Role.SELF)
        .select_related("version")
        .order_by("version__number", "released_at", "pk")
    )
    for review in reviews:
        approving[review.version.submission_id] = review  # the last approval of the latest version wins
    files: dict[int, list[SubmissionFile]] = {}
    version_ids = [review.version_id for review in approving.values()]
    if version_ids:
        for stored in SubmissionFile.objects.filter(version_id__in=version_ids).order_by("pk"):
            files.setdefault(stored.version_id, []).append(stored)
    given: set[int] = set()
    if _signed_in(viewer):
        given = set(Kudos.objects.filter(user_id=viewer.pk, entry_id__in=[entry.pk for entry in entries])
                    .values_list("entry_id", flat=True))
    skill_names = {skill.slug: skill.name for skill in trainers_api.list_skills(include_inactive=True)}
    course_titles = {str(course.course_key): course.title for course in host_api.list_courses()}
    infos = []
    for entry in entries:
        submission = entry.submission
        review = approving.get(submission.pk)
        version = review.version if review else None
        if submission.team_id:
            authors = tuple(host_api.display_name(user) for user in members.get(submission.team_id, []))
        else:
            authors = (host_api.display_name(submission.learner),) if submission.learner else ()
        text = version.text if version else ""
        featured_by = entry.featured_by
        infos.append(GalleryEntryInfo(
            id=entry.pk,
            submission_id=submission.pk,
            project_id=submission.project_id,
            project_title=submission.project.title,
            course_key=submission.project.course_key,
            course_title=course_titles.get(str(submission.project.course_key), str(submission.project.course_key)),
            authors=authors,
            team_name=submission.team.name if submission.team_id else "",
            skills=tuple(GallerySkillInfo(slug=slug, name=skill_names.get(slug, slug)) for slug in entry.skills),
            excerpt=Truncator(text).chars(EXCERPT_CHARS),
            text=text if full_text else "",
            links=tuple(version.links if version else ()),
            files=tuple(
                GalleryFileInfo(id=stored.pk, name=stored.name, size=stored.size,
                                url=_file_path(entry.pk, stored.pk))
                for stored in files.get(version.pk if version else 0, [])
            ),
            feedback_summary=Truncator(review.feedback if review else "").chars(FEEDBACK_SUMMARY_CHARS),
            featured_by_id=entry.featured_by_id,
            featured_by_username=featured_by.username if featured_by else "",
            featured_by_name=host_api.display_name(featured_by) if featured_by else "",
            featured_at=entry.featured_at,
            consented=entry.consented_at is not None,
            shown=entry.featured_at is not None and entry.consented_at is not None,
            kudos_count=entry.kudos_count,
            kudos_given=entry.pk in given,
            url=_entry_path(entry.pk),
        ))
    return infos


class GalleryResults:
    """
    Gallery entries as a lazy sequence of ``GalleryEntryInfo``: ``count()`` is one COUNT and a slice a fixed number
    of queries (see the module docstring), whatever its size.
    """

    ordered = True  # what Django's Paginator checks to warn about unordered querysets

    def __init__(self, entries: QuerySet, viewer: Any) -> None:
        self._entries = entries
        self._viewer = viewer

    def count(self) -> int:
        return self._entries.count()

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return self._entries.exists()

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return _build(list(self._entries[index]), self._viewer)
        return _build([self._entries[index]], self._viewer)[0]

    def __iter__(self) -> Iterator[GalleryEntryInfo]:
        return iter(_build(list(self._entries), self._viewer))

    def __repr__(self) -> str:
        return "<GalleryResults>"


# --- reading --------------------------------------------------------------------------------------------------------


def list_gallery(*, course_key: CourseKey | str | None = None, skill: str | None = None,
                 viewer: Any = None) -> GalleryResults:
    """
    The gallery: featured work whose every author consents, the most recently featured first.

    Args:
        course_key: one course's entries, for the people of that course (learners, trainers, staff); None: the
            whole platform's, for anyone signed in.
        skill: only the entries tagged with this skill's slug.
        viewer: who asks (kudos they gave are marked).

    Returns:
        A lazy sequence of ``GalleryEntryInfo`` (without the full text) for a paginator.

    Raises:
        ReviewsError: ``permission_denied`` (403) when not signed in, or for a course the viewer has no part in;
            ``invalid_course_key`` (400).
    """
    if not _signed_in(viewer):
        raise forbidden(_("Sign in to see the gallery."))
    entries = _entries().filter(SHOWN)
    if course_key is not None:
        try:
            key = host_api.parse_course_key(course_key)
        except host_api.HostError as error:
            raise ReviewsError("invalid_course_key", str(error)) from None
        if not viewer.has_perm("mentora_host.view_course", key):
            raise forbidden(_("Only the people of a course see its gallery."))
        entries = entries.filter(submission__project__course_key=key)
    if skill:
        # JSON text search for the quoted slug: portable (SQLite has no JSON "contains"), exact on a slug's quotes.
        entries = entries.filter(skills__icontains=f'"{str(skill)[:100]}"')
    return GalleryResults(entries.order_by("-featured_at", "-pk"), viewer)


def featured_by(trainer: Any, *, viewer: Any = None) -> GalleryResults:
    """
    The entries ``trainer`` featured that the gallery shows (their showcase), the most recent first.

    Args:
        trainer: a user or a user id.
        viewer: who asks (kudos they gave are marked).
    """
    entries = _entries().filter(SHOWN, featured_by_id=host_api._user_id(trainer))
    return GalleryResults(entries.order_by("-featured_at", "-pk"), viewer)


def gallery_courses(viewer: Any) -> list[tuple[CourseKey, str]]:
    """
    The courses with work in the gallery that ``viewer`` has a part in (for the gallery's course filter), as
    (course key, title) by title. One query for the courses, then the host's role check per course.
    """
    if not _signed_in(viewer):
        return []
    keys = set(GalleryEntry.objects.filter(SHOWN).order_by().values_list("submission__project__course_key",
                                                                        flat=True).distinct())
    titles = {str(course.course_key): course.title for course in host_api.list_courses()}
    mine = [(key, titles.get(str(key), str(key))) for key in keys if viewer.has_perm("mentora_host.view_course", key)]
    return sorted(mine, key=lambda pair: (pair[1].lower(), str(pair[0])))


def _visible_entry(entry_id: Any, viewer: Any) -> GalleryEntry:
    """
    The entry if ``viewer`` may see it: anyone signed in when it is shown; otherwise only its authors and the people
    who review in its course. Anyone else is told it does not exist.
    """
    if not _signed_in(viewer) or isinstance(entry_id, bool) or not isinstance(entry_id, int):
        raise not_found("gallery_entry")
    entry = _entries().filter(pk=entry_id).first()
    if entry is None:
        raise not_found("gallery_entry")
    if entry.featured_at is not None and entry.consented_at is not None:
        return entry
    submission = entry.submission
    if viewer.pk in _authors_ids(submission) or _may_review(viewer, submission.project.course_key):
        return entry
    raise not_found("gallery_entry")


def get_gallery_entry(entry_id: int, viewer: Any) -> GalleryEntryInfo:
    """
    One entry with the approved version's whole text.

    Raises:
        ReviewsError: ``gallery_entry_not_found`` (404) when it does not exist or ``viewer`` may not see it.
    """
    return _build([_visible_entry(entry_id, viewer)], viewer, full_text=True)[0]


def open_gallery_file(viewer: Any, entry_id: int, file_id: int) -> StoredGalleryFile:
    """
    A file of the approved version of an entry ``viewer`` may see, for download.

    Raises:
        ReviewsError: ``gallery_entry_not_found`` / ``file_not_found`` (404).
    """
    info = get_gallery_entry(entry_id, viewer)
    if not any(item.id == file_id for item in info.files):
        raise not_found("file")
    stored = SubmissionFile.objects.get(pk=file_id)
    return StoredGalleryFile(name=stored.name, content_type=stored.content_type or "application/octet-stream",
                             file=stored.file)


# --- featuring ------------------------------------------------------------------------------------------------------


def feature_submission(trainer: Any, submission_id: int, skills: Iterable[str] = ()) -> GalleryEntryInfo:
    """
    Feature an approved submission in the gallery, tagged with ``skills``. It is shown once every author consents
    (perhaps already). Featuring again changes the skills and keeps who featured it first.

    Args:
        trainer: a trainer of the course whose level unlocks ``feature_projects`` there.
        submission_id: the submission.
        skills: slugs of active skills of the shared taxonomy (at most ``MAX_SKILLS``).

    Raises:
        ReviewsError: ``submission_not_found`` (404) for a submission the trainer does not review;
            ``own_work`` (403) for their own or their team's work;
            ``capability_refused`` (403) when their level does not unlock featuring; ``not_approved`` (409);
            ``invalid_skill`` / ``too_many_skills`` (400).
    """
    wanted = _valid_skills(skills)
    now = timezone.now()
    with transaction.atomic():
        submission = _locked_submission(submission_id)
        if submission is None or not _may_review(trainer, submission.project.course_key):
            raise not_found("submission")
        if trainer.pk in _authors_ids(submission):  # a trainer who also learns in the course
            raise ReviewsError("own_work", _("You cannot feature your own work."), status=403)
        if not trainers_api.can(trainer, "feature_projects", submission.project.course_key):
            raise ReviewsError(
                "capability_refused",
                _("Your trainer level does not let you feature projects in this course yet."), status=403,
            )
        if submission.status != Submission.Status.APPROVED:
            raise ReviewsError("not_approved", _("Only approved work can be featured."), status=409)
        insert_ignoring_conflicts(GalleryEntry(submission=submission, featured_at=None, skills=[]))
        entry = GalleryEntry.objects.get(submission=submission)
        if entry.featured_at is None:
            entry.featured_at, entry.featured_by = now, trainer
        entry.skills = wanted
        entry.save(update_fields=["featured_at", "featured_by", "skills"])
    log.info("Submission %s featured in the gallery by user %s", submission_id, trainer.pk)
    return get_gallery_entry(entry.pk, trainer)


def unfeature(actor: Any, entry_id: int, reason: str = "") -> None:
    """
    Take an entry out of the gallery (the learners' consent stays on record). The trainer who featured it, the
    course's staff and platform staff may.

    Raises:
        ReviewsError: ``gallery_entry_not_found`` (404) for an entry the actor may not see; ``permission_denied``
            (403) for one they see but may not take out.
    """
    if not _signed_in(actor) or isinstance(entry_id, bool) or not isinstance(entry_id, int):
        raise not_found("gallery_entry")
    submission_id = GalleryEntry.objects.filter(pk=entry_id).values_list("submission_id", flat=True).first()
    if submission_id is None:
        raise not_found("gallery_entry")
    _unfeature(actor, submission_id, reason)


def unfeature_submission(actor: Any, submission_id: int, reason: str = "") -> None:
    """
    ``unfeature`` by the submission's id (the REST API's ``DELETE submissions/<id>/feature/``).

    Raises:
        ReviewsError: ``submission_not_found`` (404) for a submission the actor does not review or that is not
            featured; ``permission_denied`` (403).
    """
    if not _signed_in(actor):
        raise not_found("submission")
    _unfeature(actor, submission_id, reason)


def _unfeature(actor: Any, submission_id: int, reason: str) -> None:
    with transaction.atomic():
        submission = _locked_submission(submission_id)
        entry = GalleryEntry.objects.filter(submission_id=submission_id).first() if submission else None
        if entry is None or entry.featured_at is None:
            raise not_found("gallery_entry")
        course_key = submission.project.course_key
        allowed = (
            is_platform_staff(actor)
            or actor.has_perm(MANAGE_PERMISSION, course_key)
            or (entry.featured_by_id == actor.pk and _may_review(actor, course_key))
        )
        if not allowed:
            if entry.consented_at is None and not _may_review(actor, course_key):
                raise not_found("gallery_entry")
            raise forbidden(_("Only the trainer who featured this work, or the course staff, can take it out."))
        GalleryEntry.objects.filter(pk=entry.pk).update(featured_at=None, featured_by=None)
    log.info("Gallery entry %s taken out by user %s: %s", entry.pk, actor.pk, reason[:500])


# --- consent --------------------------------------------------------------------------------------------------------


def _consent_info(submission: Submission, entry: GalleryEntry | None, user_id: int) -> GalleryConsentInfo:
    return GalleryConsentInfo(
        submission_id=submission.pk,
        entry_id=entry.pk if entry else None,
        consented=bool(entry) and user_id in entry.consented_by,
        all_consented=bool(entry) and entry.consented_at is not None,
        featured=bool(entry) and entry.featured_at is not None,
        shown=bool(entry) and entry.featured_at is not None and entry.consented_at is not None,
    )


def gallery_consent(learner: Any, submission_id: int) -> GalleryConsentInfo:
    """
    Where the learner's submission stands with the gallery (their consent, the team's, featured or not).

    Raises:
        ReviewsError: ``submission_not_found`` (404) unless the submission is the learner's (or their team's).
    """
    submission = (
        Submission.objects.select_related("team").filter(pk=submission_id).first()
        if _signed_in(learner) and isinstance(submission_id, int) else None
    )
    if submission is None or learner.pk not in _authors_ids(submission):
        raise not_found("submission")
    entry = GalleryEntry.objects.filter(submission=submission).first()
    return _consent_info(submission, entry, learner.pk)


def set_gallery_consent(learner: Any, submission_id: int, consent: bool) -> GalleryConsentInfo:
    """
    Give or withdraw the learner's consent to show their submission in the gallery. A consent may come before any
    trainer features the work. For a team's work the entry is shown once every member consents; one member's
    withdrawal takes it out of every listing at once (the next query no longer finds it).

    Raises:
        ReviewsError: ``submission_not_found`` (404) unless the submission is the learner's (or their team's);
            ``invalid_consent`` (400) for anything but True or False.
    """
    if not isinstance(consent, bool):
        raise ReviewsError("invalid_consent", _("Consent is true or false."))
    if not _signed_in(learner):
        raise not_found("submission")
    now = timezone.now()
    with transaction.atomic():
        submission = _locked_submission(submission_id)
        authors = _authors_ids(submission) if submission else []
        if learner.pk not in authors:
            raise not_found("submission")
        entry = GalleryEntry.objects.filter(submission=submission).first()
        if entry is None and not consent:
            return _consent_info(submission, None, learner.pk)
        if entry is None:
            insert_ignoring_conflicts(GalleryEntry(submission=submission, featured_at=None, skills=[]))
            entry = GalleryEntry.objects.get(submission=submission)
        given = set(entry.consented_by)
        if consent:
            given.add(learner.pk)
        else:
            given.discard(learner.pk)
        entry.consented_by = sorted(given)
        if set(authors) <= given:
            entry.consented_at = entry.consented_at or now
        else:
            entry.consented_at = None
        entry.save(update_fields=["consented_by", "consented_at"])
    log.info("User %s %s consent to show submission %s", learner.pk, "gave" if consent else "withdrew",
             submission_id)
    return _consent_info(submission, entry, learner.pk)


# --- kudos ----------------------------------------------------------------------------------------------------------


def give_kudos(user: Any, entry_id: int) -> GalleryEntryInfo:
    """
    Give kudos to a shown entry, once.

    Raises:
        ReviewsError: ``gallery_entry_not_found`` (404) unless the entry is shown (and the user signed in);
            ``own_work`` (400) for an author of the work; ``already_given`` (409).
    """
    if not _signed_in(user) or isinstance(entry_id, bool) or not isinstance(entry_id, int):
        raise not_found("gallery_entry")
    with transaction.atomic():
        entry = GalleryEntry.objects.select_for_update().filter(SHOWN, pk=entry_id).first()
        if entry is None:
            raise not_found("gallery_entry")
        submission = Submission.objects.select_related("team").get(pk=entry.submission_id)
        if user.pk in _authors_ids(submission):
            raise ReviewsError("own_work", _("You cannot give kudos to your own work."))
        if Kudos.objects.filter(entry=entry, user_id=user.pk).exists():
            raise ReviewsError("already_given", _("You already gave kudos to this work."), status=409)
        Kudos.objects.create(entry=entry, user_id=user.pk)
        GalleryEntry.objects.filter(pk=entry.pk).update(kudos_count=F("kudos_count") + 1)
    return get_gallery_entry(entry_id, user)
