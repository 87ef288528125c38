"""
Trainer profiles: the shared skill taxonomy, what a trainer tells about themselves (headline, biography, skills with a
declared and a validated level, experience, languages, time zone, photo, links, portfolio), the public profile, and
trainer search.

A profile exists from a user's first edit or application on (``common.ensure_profile``); it is public once its
trainer is ACTIVE. Everything that changes one profile runs under its row lock (``common.lock_profile``), and every
refusal happens before anything is written: a refused edit saves nothing.

Files: a photo is checked by opening it with Pillow (PNG, JPEG or WebP, at most ``PHOTO_MAX_BYTES`` and
``PHOTO_MAX_SIDE`` pixels a side) and stored re-encoded, which drops its metadata (a phone photo's EXIF carries
where it was taken). Portfolio evidence is checked by extension and by its first bytes (a renamed program is not a
PDF). Stored names are made here; the uploader's file name never reaches a path unsanitised.

Search reads stored columns only (``rating_score`` is kept up to date by ``ratings``) and returns ``LazyResults``:
a page of results costs three queries (count, rows, skills) whatever its size.
"""
from __future__ import annotations

import io
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import get_valid_filename
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.host import api as host_api
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import levels, ratings
from mentora_plugin.trainers.common import TrainersError, forbidden, lock_profile, not_found
from mentora_plugin.trainers.models import PortfolioItem, Skill, SkillLevel, TrainerProfile, TrainerSkill
from mentora_plugin.trainers.ratings import LazyResults, RatingInfo, RatingSummary

__all__ = [
    "EVIDENCE_EXTENSIONS",
    "EVIDENCE_MAX_BYTES",
    "HEADLINE_MAX_LENGTH",
    "MAX_LINKS",
    "MAX_PORTFOLIO_ITEMS",
    "MAX_SKILLS",
    "MAX_SPECIALISATIONS",
    "PHOTO_MAX_BYTES",
    "PHOTO_MAX_SIDE",
    "PROFILE_FIELDS",
    "SEARCH_ORDERS",
    "TEXT_MAX_LENGTH",
    "LanguageInfo",
    "LinkInfo",
    "PortfolioItemInfo",
    "ProfileInfo",
    "PublicProfile",
    "SkillInfo",
    "TrainerSkillInfo",
    "TrainerSummary",
    "add_portfolio_item",
    "create_skill",
    "get_profile",
    "get_public_profile",
    "get_skill",
    "language_name",
    "list_skills",
    "remove_photo",
    "remove_portfolio_item",
    "search_trainers",
    "set_photo",
    "set_skills",
    "update_profile",
    "validate_skill",
]

HEADLINE_MAX_LENGTH = 200
#: The longest biography, experience or portfolio description (Markdown).
TEXT_MAX_LENGTH = 10_000
MAX_EXPERIENCE_YEARS = 80
MAX_LANGUAGES = 20
MAX_LINKS = 10
LINK_LABEL_MAX_LENGTH = 100
URL_MAX_LENGTH = 500
MAX_SKILLS = 20
MAX_SPECIALISATIONS = 5
MAX_PORTFOLIO_ITEMS = 50
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_SIDE = 4096
#: Pillow's format name -> the stored file's extension.
PHOTO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "zip", "txt", "md")
#: The fields ``update_profile`` takes.
PROFILE_FIELDS = ("headline", "bio", "experience_years", "experience", "languages", "time_zone", "links")
SEARCH_ORDERS = ("rating", "name")

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_HTTP_URL = URLValidator(schemes=["http", "https"])


# --- data -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillInfo:
    """One entry of the shared skill taxonomy; ``parent_slug`` groups it under a broader skill."""

    id: int
    slug: str
    name: str
    description: str
    parent_slug: str | None
    is_active: bool


@dataclass(frozen=True)
class TrainerSkillInfo:
    """A skill on a trainer's profile: the level they declare (1-4) and the level a reviewer validated (or None)."""

    slug: str
    name: str
    parent_slug: str | None
    is_specialisation: bool
    declared_level: int
    declared_level_name: str
    validated_level: int | None
    validated_level_name: str
    validated_by_id: int | None
    validated_at: datetime | None


@dataclass(frozen=True)
class LinkInfo:
    """A link on a profile (http or https only)."""

    label: str
    url: str


@dataclass(frozen=True)
class LanguageInfo:
    """A language a trainer speaks: its code and its name in the current language (the code when unknown)."""

    code: str
    name: str


@dataclass(frozen=True)
class PortfolioItemInfo:
    """A piece of work with its evidence: a link, a stored file (``evidence_url``), or both."""

    id: int
    title: str
    description: str
    description_html: SafeString
    url: str
    evidence_url: str
    evidence_name: str
    skills: tuple[str, ...]
    created: datetime


@dataclass(frozen=True)
class ProfileInfo:
    """A trainer's own profile, whatever its status, with the raw Markdown they wrote."""

    user_id: int
    username: str
    status: str
    headline: str
    bio: str
    experience_years: int
    experience: str
    languages: tuple[str, ...]
    time_zone: str
    photo_url: str
    links: tuple[LinkInfo, ...]
    skills: tuple[TrainerSkillInfo, ...]
    portfolio: tuple[PortfolioItemInfo, ...]
    level: str
    level_name: str
    rating_count: int
    rating_average: float | None
    rating_score: float
    activated_at: datetime | None
    modified: datetime


@dataclass(frozen=True)
class PublicProfile:
    """
    A profile as others see it: Markdown rendered and sanitised, the ratings' summary, and the ratings themselves
    (newest first, lazy: paginate them). ``is_public`` is False when only the owner or staff can see it (the trainer
    is not active).
    """

    user_id: int
    username: str
    display_name: str
    status: str
    is_public: bool
    headline: str
    bio_html: SafeString
    experience_years: int
    experience_html: SafeString
    languages: tuple[LanguageInfo, ...]
    time_zone: str
    photo_url: str
    links: tuple[LinkInfo, ...]
    skills: tuple[TrainerSkillInfo, ...]
    portfolio: tuple[PortfolioItemInfo, ...]
    level: str
    level_name: str
    rating: RatingSummary
    ratings: LazyResults[RatingInfo]


@dataclass(frozen=True)
class TrainerSummary:
    """One search result: enough to choose whom to open."""

    user_id: int
    username: str
    display_name: str
    headline: str
    photo_url: str
    languages: tuple[str, ...]
    language_names: tuple[str, ...]
    skills: tuple[TrainerSkillInfo, ...]
    level: str
    level_name: str
    rating_count: int
    rating_average: float | None
    rating_score: float


# --- skills ---------------------------------------------------------------------------------------------------------


def _skill_info(skill: Skill) -> SkillInfo:
    return SkillInfo(
        id=skill.pk,
        slug=skill.slug,
        name=skill.name,
        description=skill.description,
        parent_slug=skill.parent.slug if skill.parent_id else None,
        is_active=skill.is_active,
    )


def list_skills(include_inactive: bool = False) -> list[SkillInfo]:
    """The skill taxonomy by name (active skills only, unless ``include_inactive``). One query."""
    skills = Skill.objects.select_related("parent").order_by("name", "slug")
    if not include_inactive:
        skills = skills.filter(is_active=True)
    return [_skill_info(skill) for skill in skills]


def get_skill(slug: str) -> SkillInfo:
    """
    One skill, active or not.

    Raises:
        TrainersError: ``skill_not_found`` (404).
    """
    skill = Skill.objects.select_related("parent").filter(slug=slug).first() if isinstance(slug, str) else None
    if skill is None:
        raise not_found("skill")
    return _skill_info(skill)


def create_skill(
    actor: Any, slug: str, name: str, description: str = "", parent_slug: str | None = None
) -> SkillInfo:
    """
    Add a skill to the taxonomy (shared with badges).

    Args:
        actor: who adds it; needs ``mentora_trainers.manage_application``.
        slug: its stable identifier (letters, digits, "-", "_"; at most 100).
        name: its name (at most 255).
        description: what it covers.
        parent_slug: the broader skill it belongs to, if any.

    Raises:
        TrainersError: ``permission_denied`` (403); ``invalid_slug`` / ``name_required`` / ``name_too_long`` /
            ``parent_not_found`` (400); ``skill_exists`` (409: the slug is taken).
    """
    if not actor.has_perm("mentora_trainers.manage_application"):
        raise forbidden(_("Only staff manage the skill taxonomy."))
    if not isinstance(slug, str) or not slug or len(slug) > 100:
        raise TrainersError("invalid_slug", _("A skill's identifier has 1 to 100 characters."))
    try:
        validate_slug(slug)
    except ValidationError:
        raise TrainersError(
            "invalid_slug", _("A skill's identifier has only letters, digits, hyphens and underscores.")
        ) from None
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise TrainersError("name_required", _("Give the skill a name."))
    if len(name) > 255:
        raise TrainersError("name_too_long", _("A skill's name is at most 255 characters long."))
    if not isinstance(description, str) or len(description) > TEXT_MAX_LENGTH:
        raise TrainersError("description_too_long", _("A description is at most {count} characters long.").format(
            count=TEXT_MAX_LENGTH))
    parent = None
    if parent_slug:
        parent = Skill.objects.filter(slug=parent_slug).first()
        if parent is None:
            raise TrainersError("parent_not_found", _("There is no skill “{slug}” to group it under.").format(
                slug=str(parent_slug)[:100]))
    try:
        with transaction.atomic():
            skill = Skill.objects.create(slug=slug, name=name, description=description, parent=parent)
    except IntegrityError:
        raise TrainersError("skill_exists", _("A skill “{slug}” already exists.").format(slug=slug), 409) from None
    return _skill_info(skill)


def _skill_descendants(slug: str) -> set[int]:
    """The ids of the skill ``slug`` and of every skill under it (a few queries: the taxonomy is shallow)."""
    found = set(Skill.objects.filter(slug=slug).values_list("pk", flat=True))
    frontier = set(found)
    while frontier:
        frontier = set(Skill.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


# --- building the data ----------------------------------------------------------------------------------------------


def _level_label(level: int | None) -> str:
    return str(SkillLevel(level).label) if level in SkillLevel.values else ""


def _trainer_skill_info(item: TrainerSkill) -> TrainerSkillInfo:
    return TrainerSkillInfo(
        slug=item.skill.slug,
        name=item.skill.name,
        parent_slug=item.skill.parent.slug if item.skill.parent_id else None,
        is_specialisation=item.is_specialisation,
        declared_level=item.declared_level,
        declared_level_name=_level_label(item.declared_level),
        validated_level=item.validated_level,
        validated_level_name=_level_label(item.validated_level),
        validated_by_id=item.validated_by_id,
        validated_at=item.validated_at,
    )


def _file_url(field: Any) -> str:
    return field.url if field else ""


def _portfolio_info(item: PortfolioItem) -> PortfolioItemInfo:
    return PortfolioItemInfo(
        id=item.pk,
        title=item.title,
        description=item.description,
        description_html=render_markdown(item.description),
        url=item.url,
        evidence_url=_file_url(item.evidence),
        evidence_name=os.path.basename(item.evidence.name) if item.evidence else "",
        skills=tuple(skill.slug for skill in item.skills.all()),
        created=item.created,
    )


def _links(profile: TrainerProfile) -> tuple[LinkInfo, ...]:
    return tuple(LinkInfo(label=link.get("label", ""), url=link.get("url", "")) for link in profile.links or ()
                 if isinstance(link, dict))


def _average(profile: TrainerProfile) -> float | None:
    return round(profile.rating_sum / profile.rating_count, 2) if profile.rating_count else None


def _skills_prefetch() -> Prefetch:
    return Prefetch(
        "skills",
        queryset=TrainerSkill.objects.select_related("skill__parent").order_by(
            "-is_specialisation", "skill__name", "pk"
        ),
    )


def _with_details(profiles: QuerySet) -> QuerySet:
    """Profiles with everything the data classes read, in a fixed number of queries."""
    return profiles.select_related(*host_api._profile_paths("user")).prefetch_related(
        _skills_prefetch(),
        Prefetch("portfolio", queryset=PortfolioItem.objects.prefetch_related("skills").order_by("-created", "-pk")),
    )


def _profile_info(profile: TrainerProfile) -> ProfileInfo:
    return ProfileInfo(
        user_id=profile.user_id,
        username=profile.user.username,
        status=profile.status,
        headline=profile.headline,
        bio=profile.bio,
        experience_years=profile.experience_years,
        experience=profile.experience,
        languages=tuple(profile.languages or ()),
        time_zone=profile.time_zone,
        photo_url=_file_url(profile.photo),
        links=_links(profile),
        skills=tuple(_trainer_skill_info(item) for item in profile.skills.all()),
        portfolio=tuple(_portfolio_info(item) for item in profile.portfolio.all()),
        level=profile.level,
        level_name=levels.level_name(profile.level) if profile.level else "",
        rating_count=profile.rating_count,
        rating_average=_average(profile),
        rating_score=profile.rating_score,
        activated_at=profile.activated_at,
        modified=profile.modified,
    )


def _load(user_id: int) -> ProfileInfo:
    return _profile_info(_with_details(TrainerProfile.objects.filter(user_id=user_id)).get())


def language_name(code: str) -> str:
    """
    The name of a language code in the current language (Django's names): "French", "French (fr-ca)" for a variant
    Django does not name, or the code itself when Django does not know the language.
    """
    try:
        info = get_language_info(code)
    except KeyError:
        return code
    name = str(info.get("name_translated") or info.get("name") or code)
    return name if info.get("code", code) == code else f"{name} ({code})"


# --- profiles -------------------------------------------------------------------------------------------------------


def get_profile(user: Any) -> ProfileInfo | None:
    """The user's own trainer profile, whatever its status, or None when they have none yet."""
    profile = _with_details(TrainerProfile.objects.filter(user_id=host_api._user_id(user))).first()
    return _profile_info(profile) if profile else None


def _text(value: Any, code: str, what: str, max_length: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > max_length:
        raise TrainersError(code, _("{what} is at most {count} characters long.").format(what=what, count=max_length))
    return value


def _languages(value: Any) -> list[str]:
    """Language codes (as Django writes them: lower case, "-"), each once, in the given order."""
    if not isinstance(value, list | tuple) or len(value) > MAX_LANGUAGES:
        raise TrainersError("invalid_language", _("Languages are a list of at most {count} language codes.").format(
            count=MAX_LANGUAGES))
    known = {code.lower() for code, _name in settings.LANGUAGES}
    codes: list[str] = []
    for item in value:
        code = item.strip().lower().replace("_", "-") if isinstance(item, str) else ""
        if not (code in known or _LANGUAGE_CODE.match(code)) or len(code) > 35:
            raise TrainersError("invalid_language", _("“{code}” is not a language code (for example fr or pt-br).")
                                .format(code=str(item)[:35]))
        if code not in codes:
            codes.append(code)
    return codes


_ZONES: set[str] = set()


def _time_zone(value: Any) -> str:
    if not _ZONES:
        _ZONES.update(available_timezones())
    if not isinstance(value, str) or value not in _ZONES:
        raise TrainersError("invalid_time_zone", _("“{zone}” is not a known time zone.").format(zone=str(value)[:64]))
    return value


def _http_url(value: Any, code: str) -> str:
    url = value.strip() if isinstance(value, str) else ""
    message = _("“{url}” is not a web address (http or https).").format(url=str(value)[:100])
    if not url or len(url) > URL_MAX_LENGTH:
        raise TrainersError(code, message)
    try:
        _HTTP_URL(url)
    except ValidationError:
        raise TrainersError(code, message) from None
    return url


def _links_value(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list | tuple):
        raise TrainersError("invalid_link", _("Links are a list of {label, url}."))
    if len(value) > MAX_LINKS:
        raise TrainersError("too_many_links", _("A profile has at most {count} links.").format(count=MAX_LINKS))
    links = []
    for item in value:
        if isinstance(item, LinkInfo):
            item = {"label": item.label, "url": item.url}
        if not isinstance(item, dict) or set(item) - {"label", "url"}:
            raise TrainersError("invalid_link", _("Each link is a label and a web address."))
        url = _http_url(item.get("url"), "invalid_link")
        label = item.get("label") or ""
        if not isinstance(label, str) or len(label.strip()) > LINK_LABEL_MAX_LENGTH:
            raise TrainersError("invalid_link", _("A link's label is at most {count} characters long.").format(
                count=LINK_LABEL_MAX_LENGTH))
        links.append({"label": label.strip() or urlsplit(url).hostname or url, "url": url})
    return links


def _experience_years(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_EXPERIENCE_YEARS:
        raise TrainersError("invalid_experience_years", _("Years of experience are a whole number from 0 to {max}.")
                            .format(max=MAX_EXPERIENCE_YEARS))
    return value


def update_profile(user: Any, **fields: Any) -> ProfileInfo:
    """
    Change some fields of the user's own profile (created, as an applicant's, if they have none). Every field is
    checked before anything is saved.

    Args:
        user: the profile's owner.
        headline: one line, at most 200 characters.
        bio, experience: Markdown, at most ``TEXT_MAX_LENGTH`` characters (shown sanitised).
        experience_years: 0 to 80.
        languages: language codes, those of ``settings.LANGUAGES`` or BCP 47-like ("fr", "pt-br"); stored lower
            case, each once.
        time_zone: an IANA zone ("Europe/Paris").
        links: at most ``MAX_LINKS`` {label, url}; http and https only; an empty label becomes the site's name.

    Raises:
        TrainersError (400): ``unknown_field``; ``headline_too_long``; ``bio_too_long``; ``experience_too_long``;
            ``invalid_experience_years``; ``invalid_language``; ``invalid_time_zone``; ``too_many_links`` /
            ``invalid_link``.
    """
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise TrainersError("unknown_field", _("A profile has no field “{field}”.").format(field=unknown[0][:50]))
    values: dict[str, Any] = {}
    if "headline" in fields:
        values["headline"] = _text(fields["headline"], "headline_too_long", _("A headline"),
                                   HEADLINE_MAX_LENGTH).strip()
    if "bio" in fields:
        values["bio"] = _text(fields["bio"], "bio_too_long", _("A biography"), TEXT_MAX_LENGTH)
    if "experience" in fields:
        values["experience"] = _text(fields["experience"], "experience_too_long", _("Experience"), TEXT_MAX_LENGTH)
    if "experience_years" in fields:
        values["experience_years"] = _experience_years(fields["experience_years"])
    if "languages" in fields:
        values["languages"] = _languages(fields["languages"])
    if "time_zone" in fields:
        values["time_zone"] = _time_zone(fields["time_zone"])
    if "links" in fields:
        values["links"] = _links_value(fields["links"])
    with transaction.atomic():
        profile = lock_profile(user)
        for name, value in values.items():
            setattr(profile, name, value)
        if values:
            profile.save(update_fields=[*values, "modified"])
    return _load(profile.user_id)


def _size(upload: Any) -> int:
    size = getattr(upload, "size", None)
    return size if isinstance(size, int) else File(upload).size


def _read(upload: Any) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def _photo_content(upload: Any) -> tuple[bytes, str]:
    """The photo re-encoded in its own format without metadata, and its extension; or a refusal."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload is None:
        raise TrainersError("invalid_photo", _("Choose a photo to upload."))
    if _size(upload) > PHOTO_MAX_BYTES:
        raise TrainersError("photo_too_large", _("A photo is at most {size} MB.").format(
            size=PHOTO_MAX_BYTES // (1024 * 1024)))
    invalid = TrainersError("invalid_photo", _("A photo is a PNG, JPEG or WebP image."))
    data = _read(upload)
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            kind = image.format
            width, height = image.size
            if kind not in PHOTO_FORMATS:
                raise invalid
            if max(width, height) > PHOTO_MAX_SIDE:
                raise TrainersError("photo_dimensions_too_large", _(
                    "A photo is at most {size} pixels wide and high.").format(size=PHOTO_MAX_SIDE))
            image.verify()
        with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable: open it again
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            # No metadata survives (EXIF, XMP, comments); a palette's transparency is part of the picture.
            upright.info = {key: value for key, value in upright.info.items() if key == "transparency"}
            if kind == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    except TrainersError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        raise invalid from None
    return out.getvalue(), PHOTO_FORMATS[kind]


def _delete_file_on_commit(storage: Any, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def set_photo(user: Any, uploaded_file: Any) -> ProfileInfo:
    """
    Set the profile's photo, replacing (and deleting) any earlier one. The image is checked by opening it, then
    stored re-encoded without its metadata under a name made here.

    Raises:
        TrainersError (400): ``invalid_photo`` (none, or not a PNG, JPEG or WebP image); ``photo_too_large`` (over
            2 MB); ``photo_dimensions_too_large`` (over 4096 pixels a side).
    """
    content, extension = _photo_content(uploaded_file)
    stored = ""
    try:
        with transaction.atomic():
            profile = lock_profile(user)
            old = profile.photo.name if profile.photo else ""
            profile.photo.save(f"{profile.user_id}-{uuid.uuid4().hex[:12]}.{extension}", ContentFile(content),
                               save=False)
            stored = profile.photo.name
            profile.save(update_fields=["photo", "modified"])
            _delete_file_on_commit(profile.photo.storage, old)
    except Exception:
        if stored:  # files are not transactional: forget the file of a change that was never written
            profile.photo.storage.delete(stored)
        raise
    return _load(profile.user_id)


def remove_photo(user: Any) -> ProfileInfo:
    """Remove the profile's photo and delete its file (nothing happens without a photo)."""
    with transaction.atomic():
        profile = lock_profile(user)
        if profile.photo:
            _delete_file_on_commit(profile.photo.storage, profile.photo.name)
            profile.photo = ""
            profile.save(update_fields=["photo", "modified"])
    return _load(profile.user_id)


# --- skills on a profile --------------------------------------------------------------------------------------------


def _skill_entries(entries: Any) -> list[tuple[str, int, bool]]:
    if not isinstance(entries, list | tuple):
        raise TrainersError("invalid_skills", _("Skills are a list of {skill, declared_level, is_specialisation}."))
    if len(entries) > MAX_SKILLS:
        raise TrainersError("too_many_skills", _("A profile has at most {count} skills.").format(count=MAX_SKILLS))
    parsed: list[tuple[str, int, bool]] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("skill"), str):
            raise TrainersError("invalid_skills", _("Each skill is {skill, declared_level, is_specialisation}."))
        level = entry.get("declared_level", SkillLevel.BEGINNER)
        if not isinstance(level, int) or isinstance(level, bool) or level not in SkillLevel.values:
            raise TrainersError("invalid_level", _("A level is 1 (beginner) to 4 (expert)."))
        special = entry.get("is_specialisation", False)
        if not isinstance(special, bool):
            raise TrainersError("invalid_skills", _("“is_specialisation” is true or false."))
        if any(slug == entry["skill"] for slug, _level, _special in parsed):
            raise TrainersError("duplicate_skill", _("“{slug}” is listed twice.").format(slug=entry["skill"][:100]))
        parsed.append((entry["skill"], level, special))
    if sum(special for _slug, _level, special in parsed) > MAX_SPECIALISATIONS:
        raise TrainersError("too_many_specialisations", _("A profile has at most {count} specialisations.").format(
            count=MAX_SPECIALISATIONS))
    return parsed


def set_skills(user: Any, entries: Any) -> list[TrainerSkillInfo]:
    """
    Replace the skills on the user's profile. A skill that stays keeps the level a reviewer validated (a new
    declared level does not undo a validation); a skill removed loses it.

    Args:
        user: the profile's owner.
        entries: at most ``MAX_SKILLS`` of {"skill": slug, "declared_level": 1-4, "is_specialisation": bool}, at
            most ``MAX_SPECIALISATIONS`` specialisations.

    Returns:
        The profile's skills, specialisations first, then by name.

    Raises:
        TrainersError (400): ``invalid_skills``; ``invalid_level``; ``duplicate_skill``; ``too_many_skills``;
            ``too_many_specialisations``; ``unknown_skill`` (no such active skill).
    """
    parsed = _skill_entries(entries)
    slugs = [slug for slug, _level, _special in parsed]
    skills = {skill.slug: skill for skill in Skill.objects.filter(slug__in=slugs, is_active=True)}
    missing = [slug for slug in slugs if slug not in skills]
    if missing:
        raise TrainersError("unknown_skill", _("There is no skill “{slug}”.").format(slug=missing[0][:100]))
    with transaction.atomic():
        profile = lock_profile(user)
        existing = {item.skill_id: item for item in TrainerSkill.objects.filter(profile=profile)}
        wanted = {skills[slug].pk: (level, special) for slug, level, special in parsed}
        TrainerSkill.objects.filter(profile=profile).exclude(skill_id__in=wanted).delete()
        for skill_id, (level, special) in wanted.items():
            item = existing.get(skill_id)
            if item is None:
                TrainerSkill.objects.create(profile=profile, skill_id=skill_id, declared_level=level,
                                            is_specialisation=special)
            elif (item.declared_level, item.is_specialisation) != (level, special):
                item.declared_level, item.is_specialisation = level, special
                item.save(update_fields=["declared_level", "is_specialisation"])
        profile.save(update_fields=["modified"])
    return list(_load(profile.user_id).skills)


def validate_skill(actor: Any, trainer: Any, skill_slug: str, level: int) -> TrainerSkillInfo:
    """
    A reviewer records the level they validated for one skill of a trainer's profile (who and when are kept).

    Raises:
        TrainersError: ``permission_denied`` (403: not ``mentora_trainers.review_application``, or one's own
            profile); ``invalid_level`` (400); ``trainer_skill_not_found`` (404: no such profile, or the skill is
            not on it).
    """
    if not actor.has_perm("mentora_trainers.review_application"):
        raise forbidden(_("Only reviewers validate skills."))
    trainer_id = host_api._user_id(trainer)
    if actor.pk == trainer_id:
        raise forbidden(_("Nobody validates their own skills."))
    if not isinstance(level, int) or isinstance(level, bool) or level not in SkillLevel.values:
        raise TrainersError("invalid_level", _("A level is 1 (beginner) to 4 (expert)."))
    if not TrainerProfile.objects.filter(user_id=trainer_id).exists():
        raise not_found("trainer_skill")
    with transaction.atomic():
        profile = lock_profile(trainer_id)
        item = TrainerSkill.objects.select_related("skill__parent").filter(
            profile=profile, skill__slug=skill_slug
        ).first()
        if item is None:
            raise not_found("trainer_skill")
        item.validated_level = level
        item.validated_by_id = actor.pk
        item.validated_at = timezone.now()
        item.save(update_fields=["validated_level", "validated_by", "validated_at"])
    return _trainer_skill_info(item)


# --- portfolio ------------------------------------------------------------------------------------------------------


#: What an evidence file of each extension starts with (text files are checked as UTF-8 instead).
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
}


def _evidence_name(upload: Any) -> str:
    """A safe stored name for the evidence, keeping a shortened form of the uploader's name and its extension."""
    name = os.path.basename(str(getattr(upload, "name", "") or "evidence"))
    stem, extension = os.path.splitext(name)
    extension = extension.lower().lstrip(".")
    if extension not in EVIDENCE_EXTENSIONS:
        raise TrainersError("evidence_type_not_allowed", _("Evidence is a file of type {types}.").format(
            types=", ".join(EVIDENCE_EXTENSIONS)))
    try:
        stem = get_valid_filename(stem)[:40]
    except SuspiciousFileOperation:  # Django refuses names like ".."
        stem = ""
    return f"{uuid.uuid4().hex[:12]}-{stem or 'evidence'}.{extension}"


def _check_evidence(upload: Any, stored_name: str) -> None:
    if _size(upload) > EVIDENCE_MAX_BYTES:
        raise TrainersError("evidence_too_large", _("Evidence is at most {size} MB.").format(
            size=EVIDENCE_MAX_BYTES // (1024 * 1024)))
    extension = stored_name.rsplit(".", 1)[1]
    data = _read(upload)
    mismatch = TrainersError("evidence_content_mismatch", _(
        "The file's content does not match its type “.{extension}”.").format(extension=extension))
    if extension in _MAGIC:
        if not data.startswith(_MAGIC[extension]):
            raise mismatch
        if extension == "zip" and not zipfile.is_zipfile(io.BytesIO(data)):
            raise mismatch
    else:  # txt, md
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise mismatch from None
        if b"\x00" in data:
            raise mismatch


def add_portfolio_item(
    user: Any,
    title: str,
    description: str = "",
    url: str = "",
    evidence: Any = None,
    skill_slugs: Any = (),
) -> PortfolioItemInfo:
    """
    Add a piece of work to the user's portfolio, with its evidence: a link, a file, or both.

    Args:
        user: the profile's owner.
        title: at most 255 characters.
        description: Markdown, at most ``TEXT_MAX_LENGTH``.
        url: an http or https address.
        evidence: an uploaded file of ``EVIDENCE_EXTENSIONS``, at most 10 MB, whose content matches its type.
        skill_slugs: active skills the work shows.

    Raises:
        TrainersError (400): ``title_required`` / ``title_too_long``; ``description_too_long``; ``invalid_url``;
            ``evidence_required`` (neither a link nor a file); ``evidence_too_large``;
            ``evidence_type_not_allowed``; ``evidence_content_mismatch``; ``unknown_skill``;
            ``too_many_portfolio_items``.
    """
    title = title.strip() if isinstance(title, str) else ""
    if not title:
        raise TrainersError("title_required", _("Give the work a title."))
    if len(title) > 255:
        raise TrainersError("title_too_long", _("A title is at most 255 characters long."))
    description = _text(description, "description_too_long", _("A description"), TEXT_MAX_LENGTH)
    url = _http_url(url, "invalid_url") if url else ""
    if not url and evidence is None:
        raise TrainersError("evidence_required", _("Give a link to the work, or a file that shows it."))
    stored_name = ""
    if evidence is not None:
        stored_name = _evidence_name(evidence)
        _check_evidence(evidence, stored_name)
    if isinstance(skill_slugs, str) or not isinstance(skill_slugs, list | tuple | set | frozenset) or not all(
        isinstance(slug, str) for slug in skill_slugs
    ):
        raise TrainersError("unknown_skill", _("Skills are a list of skill identifiers."))
    skills = list(Skill.objects.filter(slug__in=set(skill_slugs), is_active=True))
    missing = sorted(set(skill_slugs) - {skill.slug for skill in skills})
    if missing:
        raise TrainersError("unknown_skill", _("There is no skill “{slug}”.").format(slug=missing[0][:100]))
    stored = ""
    try:
        with transaction.atomic():
            profile = lock_profile(user)
            if PortfolioItem.objects.filter(profile=profile).count() >= MAX_PORTFOLIO_ITEMS:
                raise TrainersError("too_many_portfolio_items", _(
                    "A portfolio holds at most {count} pieces of work.").format(count=MAX_PORTFOLIO_ITEMS))
            item = PortfolioItem(profile=profile, title=title, description=description, url=url)
            if evidence is not None:
                item.evidence.save(stored_name, evidence if isinstance(evidence, File) else File(evidence),
                                   save=False)
                stored = item.evidence.name
            item.save()
            item.skills.set(skills)
    except Exception:
        if stored:  # files are not transactional: forget the file of a row that was never written
            item.evidence.storage.delete(stored)
        raise
    return _portfolio_info(PortfolioItem.objects.prefetch_related("skills").get(pk=item.pk))


def remove_portfolio_item(user: Any, item_id: int) -> None:
    """
    Remove a piece of work from the user's portfolio, and delete its stored file.

    Raises:
        TrainersError: ``portfolio_item_not_found`` (404, also someone else's).
    """
    with transaction.atomic():
        profile = lock_profile(user)
        item = PortfolioItem.objects.filter(pk=item_id, profile=profile).first() if isinstance(item_id, int) else None
        if item is None:
            raise not_found("portfolio_item")
        if item.evidence:
            _delete_file_on_commit(item.evidence.storage, item.evidence.name)
        item.delete()


# --- the public profile ---------------------------------------------------------------------------------------------


def _may_see_any_profile(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False)
                and viewer.has_perm("mentora_trainers.manage_application"))


def get_public_profile(username: str, viewer: Any = None) -> PublicProfile:
    """
    A trainer's profile as ``viewer`` may see it. Only active trainers are public; the owner and staff
    (``mentora_trainers.manage_application``) also see a profile that is not (``is_public`` False). Hidden ratings
    appear to moderators only.

    Raises:
        TrainersError: ``trainer_not_found`` (404: no such user or profile, or not public to this viewer).
    """
    profile = _with_details(TrainerProfile.objects.filter(user__username=username)).first() \
        if isinstance(username, str) else None
    if profile is None:
        raise not_found("trainer")
    is_public = profile.status == TrainerProfile.Status.ACTIVE
    is_owner = viewer is not None and getattr(viewer, "pk", None) == profile.user_id
    if not (is_public or is_owner or _may_see_any_profile(viewer)):
        raise not_found("trainer")
    return PublicProfile(
        user_id=profile.user_id,
        username=profile.user.username,
        display_name=host_api.display_name(profile.user),
        status=profile.status,
        is_public=is_public,
        headline=profile.headline,
        bio_html=render_markdown(profile.bio),
        experience_years=profile.experience_years,
        experience_html=render_markdown(profile.experience),
        languages=tuple(LanguageInfo(code, language_name(code)) for code in profile.languages or ()),
        time_zone=profile.time_zone,
        photo_url=_file_url(profile.photo),
        links=_links(profile),
        skills=tuple(_trainer_skill_info(item) for item in profile.skills.all()),
        portfolio=tuple(_portfolio_info(item) for item in profile.portfolio.all()),
        level=profile.level,
        level_name=levels.level_name(profile.level) if profile.level else "",
        rating=ratings.rating_summary(profile.user_id),
        ratings=ratings.list_ratings(profile.user_id, viewer),
    )


# --- search ---------------------------------------------------------------------------------------------------------


def _summary(profile: TrainerProfile) -> TrainerSummary:
    return TrainerSummary(
        user_id=profile.user_id,
        username=profile.user.username,
        display_name=host_api.display_name(profile.user),
        headline=profile.headline,
        photo_url=_file_url(profile.photo),
        languages=tuple(profile.languages or ()),
        language_names=tuple(language_name(code) for code in profile.languages or ()),
        skills=tuple(_trainer_skill_info(item) for item in profile.skills.all()),
        level=profile.level,
        level_name=levels.level_name(profile.level) if profile.level else "",
        rating_count=profile.rating_count,
        rating_average=_average(profile),
        rating_score=profile.rating_score,
    )


def search_trainers(
    *,
    query: str = "",
    skill: str | None = None,
    language: str | None = None,
    course_key: CourseKey | str | None = None,
    min_rating: float | None = None,
    order: str = "rating",
) -> LazyResults[TrainerSummary]:
    """
    Active trainers matching every filter given. Lazy: paginate it (count, rows and skills: three queries for any
    page size).

    Args:
        query: words found (case-insensitively) in the headline, biography, username or name.
        skill: a skill slug; a trainer matches with that skill or any skill under it in the taxonomy.
        language: a language code; "fr" also matches "fr-ca".
        course_key: only trainers of this course (``host_api.get_course_trainers``).
        min_rating: a minimum Bayesian score (0 to 5); trainers without ratings have 0.
        order: "rating" (Bayesian score, then number of ratings, highest first) or "name".

    Raises:
        TrainersError (400): ``invalid_course_key``, ``invalid_min_rating``, ``invalid_order``,
            ``invalid_language``.
    """
    if order not in SEARCH_ORDERS:
        raise TrainersError("invalid_order", _("Results are ordered by rating or by name."))
    profile_paths = host_api._profile_paths("user")
    found = TrainerProfile.objects.filter(status=TrainerProfile.Status.ACTIVE)
    query = (query or "").strip()[:200]
    if query:
        matches = (Q(headline__icontains=query) | Q(bio__icontains=query) | Q(user__username__icontains=query)
                   | Q(user__first_name__icontains=query) | Q(user__last_name__icontains=query))
        if len(profile_paths) > 1:
            matches |= Q(user__profile__name__icontains=query)
        found = found.filter(matches)
    if skill:
        found = found.filter(Exists(TrainerSkill.objects.filter(
            profile_id=OuterRef("pk"), skill_id__in=_skill_descendants(skill)
        )))
    if language:
        code = _languages([language])[0]
        found = found.filter(Q(languages__icontains=f'"{code}"') | Q(languages__icontains=f'"{code}-'))
    if course_key:
        try:
            key = host_api.parse_course_key(course_key)
        except host_api.HostError as error:
            raise TrainersError("invalid_course_key", str(error)) from None
        found = found.filter(user_id__in=host_api.get_course_trainers(key).order_by().values("pk"))
    if min_rating is not None:
        if isinstance(min_rating, bool) or not isinstance(min_rating, int | float) or not 0 <= min_rating <= 5:
            raise TrainersError("invalid_min_rating", _("A minimum rating is a number from 0 to 5."))
        found = found.filter(rating_score__gte=min_rating)
    if order == "rating":
        found = found.order_by("-rating_score", "-rating_count", "user__username")
    else:
        names = [NullIf(Trim(Concat("user__first_name", Value(" "), "user__last_name")), Value(""))]
        if len(profile_paths) > 1:
            names.insert(0, NullIf(Trim("user__profile__name"), Value("")))
        found = found.annotate(sort_name=Lower(Coalesce(*names, "user__username"))).order_by(
            "sort_name", "user__username"
        )
    found = found.select_related(*profile_paths).prefetch_related(_skills_prefetch())
    return LazyResults(found, _summary)

