"""
Trainer profiles: the skill taxonomy, editing one's profile (fields, photo, skills, portfolio) with bad input that
saves nothing, the public profile and who sees it, trainer search with every filter, and the REST API and pages
over them (paginated lists in a fixed number of queries).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import levels, profiles
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import PortfolioItem, TrainerProfile, TrainerSkill
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/trainers/"
SEARCH_PAGE = "/mentora/trainers/"
EDIT_PAGE = "/mentora/trainers/me/profile/"


@pytest.fixture(autouse=True)
def _media_and_throttles(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MEDIA_URL = "/media/"
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(make_user):
    return {
        "trainer": make_user("tara", first_name="Tara", last_name="Iner"),
        "other": make_user("otto", first_name="Otto", last_name="Trainer"),
        "learner": make_user("lea", first_name="Lea", last_name="Rner"),
        "staff": make_user("staff", is_staff=True),
    }


@pytest.fixture
def skills(cast):
    staff = cast["staff"]
    profiles.create_skill(staff, "data", "Data")
    profiles.create_skill(staff, "python", "Python", parent_slug="data")
    profiles.create_skill(staff, "sql", "SQL", parent_slug="data")
    profiles.create_skill(staff, "design", "Design")
    return ["data", "python", "sql", "design"]


def activate(user, **fields):
    profiles.update_profile(user, **fields)
    levels.start_first_level(user)
    return TrainerProfile.objects.get(user=user)


def png(name="me.png", size=(64, 48), fmt="PNG", exif: bool = False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyPhone"  # Make
        data[0x0131] = "Tracker 1.0"  # Software
        extra["exif"] = data.tobytes()
    Image.new("RGB", size, "teal").save(buffer, format=fmt, **extra)
    return SimpleUploadedFile(name, buffer.getvalue())


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_code(call, *args, **kwargs) -> str:
    with pytest.raises(TrainersError) as raised:
        call(*args, **kwargs)
    return raised.value.code


# --- skills ---------------------------------------------------------------------------------------------------------


class TestSkills:
    def test_taxonomy(self, cast, skills):
        assert [skill.slug for skill in profiles.list_skills()] == ["data", "design", "python", "sql"]
        python = profiles.get_skill("python")
        assert python.parent_slug == "data" and python.name == "Python" and python.is_active

    def test_inactive_skills_are_listed_only_when_asked(self, cast, skills):
        from mentora_plugin.trainers.models import Skill

        Skill.objects.filter(slug="design").update(is_active=False)
        assert "design" not in [skill.slug for skill in profiles.list_skills()]
        assert "design" in [skill.slug for skill in profiles.list_skills(include_inactive=True)]
        assert profiles.get_skill("design").is_active is False

    def test_unknown_skill(self, cast, skills):
        assert error_code(profiles.get_skill, "cooking") == "skill_not_found"

    def test_only_staff_create_skills(self, cast, skills):
        with pytest.raises(TrainersError) as raised:
            profiles.create_skill(cast["trainer"], "ml", "Machine learning")
        assert raised.value.status == 403

    def test_refusals(self, cast, skills):
        staff = cast["staff"]
        with pytest.raises(TrainersError) as raised:
            profiles.create_skill(staff, "python", "Python again")
        assert (raised.value.code, raised.value.status) == ("skill_exists", 409)
        assert error_code(profiles.create_skill, staff, "not a slug", "X") == "invalid_slug"
        assert error_code(profiles.create_skill, staff, "ok", "  ") == "name_required"
        assert error_code(profiles.create_skill, staff, "ok", "X", parent_slug="nope") == "parent_not_found"
        assert "ok" not in [skill.slug for skill in profiles.list_skills(include_inactive=True)]


# --- one's profile --------------------------------------------------------------------------------------------------


class TestUpdateProfile:
    def test_creates_and_saves(self, cast):
        assert profiles.get_profile(cast["trainer"]) is None
        info = profiles.update_profile(
            cast["trainer"],
            headline="  Data engineer  ",
            bio="I *love* SQL.",
            experience_years=12,
            experience="Ten years at a bank.",
            languages=["FR", "en", "fr", "pt_BR"],
            time_zone="Europe/Paris",
            links=[{"label": "", "url": "https://example.com/blog"}, {"label": "Code", "url": "http://git.example"}],
        )
        assert info.status == "applicant" and info.headline == "Data engineer"
        assert info.languages == ("fr", "en", "pt-br")
        assert info.links[0].label == "example.com" and info.links[1].url == "http://git.example"
        assert profiles.get_profile(cast["trainer"]) == info

    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"headline": "x" * 201}, "headline_too_long"),
            ({"experience_years": 81}, "invalid_experience_years"),
            ({"experience_years": -1}, "invalid_experience_years"),
            ({"experience_years": True}, "invalid_experience_years"),
            ({"languages": ["klingon!"]}, "invalid_language"),
            ({"languages": "fr"}, "invalid_language"),
            ({"time_zone": "Mars/Olympus"}, "invalid_time_zone"),
            ({"links": [{"label": "x", "url": "javascript:alert(1)"}]}, "invalid_link"),
            ({"links": [{"label": "x", "url": "ftp://example.com"}]}, "invalid_link"),
            ({"links": [{"url": "https://a.example", "onclick": "x"}]}, "invalid_link"),
            ({"links": [{"label": str(n), "url": f"https://e{n}.example"} for n in range(11)]}, "too_many_links"),
            ({"bio": "x" * 10_001}, "bio_too_long"),
            ({"status": "active"}, "unknown_field"),
        ],
    )
    def test_refusals_save_nothing(self, cast, fields, code):
        profiles.update_profile(cast["trainer"], headline="Before", time_zone="UTC")
        assert error_code(profiles.update_profile, cast["trainer"], **{"headline": "After", **fields}) == code
        profile = profiles.get_profile(cast["trainer"])
        assert profile.headline == "Before" and profile.status == "applicant"


class TestPhoto:
    def test_set_replace_and_remove(self, cast, settings, django_capture_on_commit_callbacks):
        first = profiles.set_photo(cast["trainer"], png())
        assert first.photo_url.startswith("/media/mentora/trainers/photos/") and first.photo_url.endswith(".png")
        first_path = Path(settings.MEDIA_ROOT) / TrainerProfile.objects.get(user=cast["trainer"]).photo.name
        assert first_path.is_file()
        with django_capture_on_commit_callbacks(execute=True):
            second = profiles.set_photo(cast["trainer"], png("other.jpg", fmt="JPEG"))
        assert second.photo_url.endswith(".jpg")
        assert not first_path.exists()  # the replaced photo is deleted
        second_path = Path(settings.MEDIA_ROOT) / TrainerProfile.objects.get(user=cast["trainer"]).photo.name
        with django_capture_on_commit_callbacks(execute=True):
            assert profiles.remove_photo(cast["trainer"]).photo_url == ""
        assert not second_path.exists()

    def test_metadata_is_dropped(self, cast, settings):
        upload = png("phone.jpg", fmt="JPEG", exif=True)
        assert Image.open(io.BytesIO(upload.read())).getexif().get(0x010F) == "SpyPhone"
        upload.seek(0)
        profiles.set_photo(cast["trainer"], upload)
        stored = Path(settings.MEDIA_ROOT) / TrainerProfile.objects.get(user=cast["trainer"]).photo.name
        with Image.open(stored) as image:
            assert image.format == "JPEG" and image.size == (64, 48)
            assert not image.getexif()

    def test_webp_is_accepted(self, cast):
        assert profiles.set_photo(cast["trainer"], png("me.webp", fmt="WEBP")).photo_url.endswith(".webp")

    @pytest.mark.parametrize(
        ("upload", "code"),
        [
            (SimpleUploadedFile("me.png", b"not an image at all"), "invalid_photo"),
            (None, "invalid_photo"),
            (png("anim.gif", fmt="GIF"), "invalid_photo"),
            (png("wide.png", size=(4097, 1)), "photo_dimensions_too_large"),
            (SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024)), "photo_too_large"),
        ],
    )
    def test_refusals(self, cast, upload, code):
        assert error_code(profiles.set_photo, cast["trainer"], upload) == code
        assert not TrainerProfile.objects.filter(user=cast["trainer"]).exclude(photo="").exists()


class TestSkillsOnProfile:
    def test_replace_keeps_validated_levels(self, cast, skills):
        trainer = cast["trainer"]
        profiles.set_skills(trainer, [
            {"skill": "python", "declared_level": 3, "is_specialisation": True},
            {"skill": "sql", "declared_level": 2},
        ])
        validated = profiles.validate_skill(cast["staff"], trainer, "python", 4)
        assert validated.validated_level == 4 and validated.validated_by_id == cast["staff"].pk
        result = profiles.set_skills(trainer, [
            {"skill": "python", "declared_level": 2, "is_specialisation": True},
            {"skill": "design", "declared_level": 1},
        ])
        by_slug = {item.slug: item for item in result}
        assert set(by_slug) == {"python", "design"}  # sql removed
        assert result[0].slug == "python"  # specialisations first
        assert by_slug["python"].declared_level == 2 and by_slug["python"].validated_level == 4
        assert by_slug["python"].validated_level_name == "Expert"
        assert by_slug["design"].validated_level is None

    def test_refusals_change_nothing(self, cast, skills, make_user):
        from mentora_plugin.trainers.models import Skill

        trainer = cast["trainer"]
        profiles.set_skills(trainer, [{"skill": "python", "declared_level": 2}])
        Skill.objects.filter(slug="design").update(is_active=False)
        for index in range(21):
            Skill.objects.create(slug=f"s{index}", name=f"S{index}")
        cases = [
            ([{"skill": "cooking", "declared_level": 1}], "unknown_skill"),
            ([{"skill": "design", "declared_level": 1}], "unknown_skill"),
            ([{"skill": "python", "declared_level": 5}], "invalid_level"),
            ([{"skill": "python", "declared_level": "2"}], "invalid_level"),
            ([{"skill": "python"}, {"skill": "python"}], "duplicate_skill"),
            ([{"skill": f"s{index}"} for index in range(21)], "too_many_skills"),
            ([{"skill": f"s{index}", "is_specialisation": True} for index in range(6)], "too_many_specialisations"),
            ("python", "invalid_skills"),
        ]
        for entries, code in cases:
            assert error_code(profiles.set_skills, trainer, entries) == code
        assert [item.slug for item in profiles.get_profile(trainer).skills] == ["python"]

    def test_validation_rules(self, cast, skills, monkeypatch):
        trainer = cast["trainer"]
        profiles.set_skills(trainer, [{"skill": "python", "declared_level": 2}])
        profiles.update_profile(cast["staff"])
        profiles.set_skills(cast["staff"], [{"skill": "python", "declared_level": 2}])
        with pytest.raises(TrainersError) as raised:
            profiles.validate_skill(cast["staff"], cast["staff"], "python", 3)
        assert raised.value.status == 403  # not on oneself
        with pytest.raises(TrainersError) as raised:
            profiles.validate_skill(cast["learner"], trainer, "python", 3)
        assert raised.value.status == 403  # not a reviewer
        assert error_code(profiles.validate_skill, cast["staff"], trainer, "sql", 3) == "trainer_skill_not_found"
        assert error_code(profiles.validate_skill, cast["staff"], cast["learner"], "sql", 3) == \
            "trainer_skill_not_found"
        assert error_code(profiles.validate_skill, cast["staff"], trainer, "python", 0) == "invalid_level"
        assert TrainerSkill.objects.get(profile__user=trainer).validated_level is None


class TestPortfolio:
    def test_link_and_file(self, cast, skills, settings, django_capture_on_commit_callbacks):
        trainer = cast["trainer"]
        linked = profiles.add_portfolio_item(trainer, "Dashboard", "A *live* one.", "https://dash.example",
                                             skill_slugs=["python"])
        assert linked.skills == ("python",) and linked.evidence_url == ""
        assert "<em>live</em>" in linked.description_html
        pdf = SimpleUploadedFile("../../etc/My Report.PDF", b"%PDF-1.4 fake but starts right")
        filed = profiles.add_portfolio_item(trainer, "Report", evidence=pdf)
        assert filed.evidence_name.endswith("-My_Report.pdf") and "/" not in filed.evidence_name
        stored = Path(settings.MEDIA_ROOT) / PortfolioItem.objects.get(pk=filed.id).evidence.name
        assert stored.read_bytes().startswith(b"%PDF-")
        assert stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        assert [item.title for item in profiles.get_profile(trainer).portfolio] == ["Report", "Dashboard"]

        with django_capture_on_commit_callbacks(execute=True):
            profiles.remove_portfolio_item(trainer, filed.id)
        assert not stored.exists()
        assert [item.title for item in profiles.get_profile(trainer).portfolio] == ["Dashboard"]

    def test_accepted_types(self, cast):
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as handle:
            handle.writestr("readme.txt", "hello")
        for upload in (
            SimpleUploadedFile("work.zip", archive.getvalue()),
            SimpleUploadedFile("notes.md", "# Notes — été".encode()),
            png("shot.png"),
            png("shot.jpeg", fmt="JPEG"),
        ):
            assert profiles.add_portfolio_item(cast["trainer"], upload.name, evidence=upload).evidence_url

    @pytest.mark.parametrize(
        ("kwargs", "code"),
        [
            ({"title": ""}, "title_required"),
            ({"title": "x" * 256, "url": "https://a.example"}, "title_too_long"),
            ({"title": "Nothing"}, "evidence_required"),
            ({"title": "Bad link", "url": "javascript:alert(1)"}, "invalid_url"),
            ({"title": "Exe", "evidence": SimpleUploadedFile("run.exe", b"MZ")}, "evidence_type_not_allowed"),
            ({"title": "Fake", "evidence": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00")}, "evidence_content_mismatch"),
            ({"title": "Zip", "evidence": SimpleUploadedFile("a.zip", b"PK\x03\x04broken")},
             "evidence_content_mismatch"),
            ({"title": "Bin", "evidence": SimpleUploadedFile("a.txt", b"\xff\xfe\x00")}, "evidence_content_mismatch"),
            ({"title": "Big", "evidence": SimpleUploadedFile("a.txt", b"a" * (10 * 1024 * 1024 + 1))},
             "evidence_too_large"),
            ({"title": "Skill", "url": "https://a.example", "skill_slugs": ["cooking"]}, "unknown_skill"),
        ],
    )
    def test_refusals(self, cast, skills, settings, kwargs, code):
        assert error_code(profiles.add_portfolio_item, cast["trainer"], **kwargs) == code
        assert not PortfolioItem.objects.exists()
        media = Path(settings.MEDIA_ROOT)
        assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))

    def test_someone_elses_item_is_not_found(self, cast):
        item = profiles.add_portfolio_item(cast["trainer"], "Mine", url="https://a.example")
        with pytest.raises(TrainersError) as raised:
            profiles.remove_portfolio_item(cast["other"], item.id)
        assert (raised.value.code, raised.value.status) == ("portfolio_item_not_found", 404)
        assert PortfolioItem.objects.filter(pk=item.id).exists()


# --- the public profile ---------------------------------------------------------------------------------------------


class TestPublicProfile:
    def test_only_active_trainers_are_public(self, cast):
        profiles.update_profile(cast["trainer"], headline="Applicant")
        for viewer in (cast["learner"], cast["other"], None):
            assert error_code(profiles.get_public_profile, "tara", viewer) == "trainer_not_found"
        assert profiles.get_public_profile("tara", cast["trainer"]).is_public is False  # the owner
        assert profiles.get_public_profile("tara", cast["staff"]).headline == "Applicant"  # staff
        levels.start_first_level(cast["trainer"])
        public = profiles.get_public_profile("tara", cast["learner"])
        assert public.is_public and public.level == "beginner" and public.level_name == "Beginner"
        assert error_code(profiles.get_public_profile, "nobody", cast["staff"]) == "trainer_not_found"
        assert error_code(profiles.get_public_profile, "lea", cast["staff"]) == "trainer_not_found"  # no profile

    def test_content(self, cast, skills):
        activate(cast["trainer"], headline="Data mentor", bio="**Hi** <script>alert(1)</script> [x](javascript:a)",
                 languages=["fr", "en"], time_zone="Europe/Paris",
                 links=[{"label": "Blog", "url": "https://blog.example"}])
        profiles.set_skills(cast["trainer"], [{"skill": "python", "declared_level": 3, "is_specialisation": True}])
        public = profiles.get_public_profile("tara", cast["learner"])
        assert public.display_name == "Tara Iner"
        assert "<strong>Hi</strong>" in public.bio_html
        assert "<script>" not in public.bio_html and "&lt;script&gt;" in public.bio_html
        assert "href" not in public.bio_html  # the javascript: link stays text
        assert [(language.code, language.name) for language in public.languages] == [
            ("fr", "French"), ("en", "English")]
        assert public.skills[0].declared_level_name == "Advanced" and public.skills[0].is_specialisation
        assert public.links[0].url == "https://blog.example"
        assert public.rating.count == 0 and list(public.ratings) == []


# --- search ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def trainers(cast, skills, make_user):
    """Four active trainers and an applicant, with their skills, languages and courses."""
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    people = {
        "ana": ("Ana", "Zed", "SQL wizard", ["fr", "en"], ["sql"], COURSE),
        "ben": ("Ben", "Young", "Python for analysts", ["en"], ["python"], OTHER_COURSE),
        "cy": ("Cy", "Xu", "Visual design", ["fr-ca"], ["design"], None),
        "dee": ("Dee", "Adams", "Generalist", ["es"], ["data"], COURSE),
    }
    made = {}
    for username, (first, last, headline, languages, skill_slugs, course) in people.items():
        user = make_user(username, first_name=first, last_name=last)
        activate(user, headline=headline, languages=languages)
        profiles.set_skills(user, [{"skill": slug, "declared_level": 2} for slug in skill_slugs])
        if course:
            host_api.grant_trainer_role(course, user, granted_by=None)
        made[username] = user
    applicant = make_user("eve", first_name="Eve")
    profiles.update_profile(applicant, headline="SQL wizard too", languages=["fr"])
    profiles.set_skills(applicant, [{"skill": "sql", "declared_level": 4}])
    scores = {"ana": (4.1, 10), "ben": (4.6, 3), "cy": (4.6, 30), "dee": (0.0, 0)}
    for username, (score, count) in scores.items():
        TrainerProfile.objects.filter(user=made[username]).update(rating_score=score, rating_count=count,
                                                                  rating_sum=int(score * count))
    return made


def usernames(results) -> list[str]:
    return [summary.username for summary in results]


class TestSearch:
    def test_active_only_by_rating(self, trainers):
        assert usernames(profiles.search_trainers()) == ["cy", "ben", "ana", "dee"]

    def test_by_name(self, trainers):
        assert usernames(profiles.search_trainers(order="name")) == ["ana", "ben", "cy", "dee"]

    def test_filters(self, trainers):
        assert usernames(profiles.search_trainers(skill="sql")) == ["ana"]  # not the applicant eve
        assert usernames(profiles.search_trainers(skill="data")) == ["ben", "ana", "dee"]  # children match
        assert usernames(profiles.search_trainers(skill="cooking")) == []
        assert usernames(profiles.search_trainers(language="fr")) == ["cy", "ana"]  # fr-ca matches fr
        assert usernames(profiles.search_trainers(language="fr-ca")) == ["cy"]
        assert usernames(profiles.search_trainers(language="EN")) == ["ben", "ana"]
        assert usernames(profiles.search_trainers(course_key=COURSE)) == ["ana", "dee"]
        assert usernames(profiles.search_trainers(course_key=str(OTHER_COURSE))) == ["ben"]
        assert usernames(profiles.search_trainers(min_rating=4.5)) == ["cy", "ben"]
        assert usernames(profiles.search_trainers(query="wizard")) == ["ana"]
        assert usernames(profiles.search_trainers(query="adams")) == ["dee"]  # last name
        assert usernames(profiles.search_trainers(query="python", language="en", min_rating=4)) == ["ben"]

    def test_summaries(self, trainers):
        ana = profiles.search_trainers(skill="sql")[0]
        assert ana.display_name == "Ana Zed" and ana.languages == ("fr", "en") and ana.level_name == "Beginner"
        assert ana.rating_count == 10 and ana.rating_average == 4.1 and ana.skills[0].slug == "sql"

    def test_bad_filters(self, trainers):
        assert error_code(profiles.search_trainers, course_key="nonsense") == "invalid_course_key"
        assert error_code(profiles.search_trainers, min_rating=6) == "invalid_min_rating"
        assert error_code(profiles.search_trainers, order="random") == "invalid_order"
        assert error_code(profiles.search_trainers, language="!!") == "invalid_language"

    def test_a_page_costs_the_same_for_any_size(self, trainers, make_user, skills):
        def page_queries(size: int) -> int:
            results = profiles.search_trainers()
            with CaptureQueriesContext(connection) as queries:
                assert len(results[:size]) == min(size, results.count())
            return len(queries)

        few = page_queries(2)
        for index in range(8):
            user = make_user(f"more{index}")
            activate(user, headline="More")
            profiles.set_skills(user, [{"skill": "python"}, {"skill": "sql"}])
        assert page_queries(10) == few


# --- REST -----------------------------------------------------------------------------------------------------------


class TestRest:
    def test_needs_a_signed_in_user(self):
        assert APIClient().get(V1).status_code == 401

    def test_urls(self):
        assert reverse("mentora-trainers:api-profiles-search") == V1
        assert reverse("mentora-trainers:api-profiles-detail", args=["tara"]) == V1 + "profiles/tara/"

    def test_search_paginated_with_a_fixed_number_of_queries(self, trainers, cast, make_user):
        client = api_client(cast["learner"])
        response = client.get(V1, {"skill": "data", "page_size": 2})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3 and [item["username"] for item in body["results"]] == ["ben", "ana"]
        assert body["results"][0]["skills"][0]["slug"] == "python"
        with CaptureQueriesContext(connection) as few:
            assert client.get(V1, {"page_size": 2}).status_code == 200
        for index in range(8):
            user = make_user(f"more{index}")
            activate(user, headline="More")
            profiles.set_skills(user, [{"skill": "python"}, {"skill": "sql"}])
        with CaptureQueriesContext(connection) as many:
            response = client.get(V1, {"page_size": 10})
        assert len(response.json()["results"]) == 10
        assert len(many) == len(few)

    def test_search_refusals(self, trainers, cast):
        client = api_client(cast["learner"])
        assert client.get(V1, {"course_id": "nonsense"}).json()["error_code"] == "invalid_course_key"
        assert client.get(V1, {"min_rating": "9"}).json()["error_code"] == "invalid_input"
        assert client.get(V1, {"order": "random"}).status_code == 400

    def test_skills(self, cast, skills):
        response = api_client(cast["learner"]).get(V1 + "skills/")
        assert [item["slug"] for item in response.json()["results"]] == ["data", "design", "python", "sql"]
        refused = api_client(cast["learner"]).post(V1 + "skills/", {"slug": "ml", "name": "ML"}, format="json")
        assert refused.status_code == 403
        created = api_client(cast["staff"]).post(V1 + "skills/", {"slug": "ml", "name": "ML", "parent_slug": "data"},
                                                 format="json")
        assert created.status_code == 201 and created.json()["parent_slug"] == "data"
        again = api_client(cast["staff"]).post(V1 + "skills/", {"slug": "ml", "name": "ML"}, format="json")
        assert (again.status_code, again.json()["error_code"]) == (409, "skill_exists")

    def test_my_profile(self, cast, skills):
        client = api_client(cast["trainer"])
        assert client.get(V1 + "me/profile/").json()["error_code"] == "profile_not_found"
        response = client.patch(V1 + "me/profile/", {
            "headline": "Mentor", "languages": ["fr", "fr"], "time_zone": "Europe/Paris",
            "links": [{"label": "Blog", "url": "https://blog.example"}], "experience_years": 3,
        }, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["languages"] == ["fr"] and response.json()["links"][0]["label"] == "Blog"
        refused = client.patch(V1 + "me/profile/", {"headline": "Changed", "time_zone": "Nowhere"}, format="json")
        assert (refused.status_code, refused.json()["error_code"]) == (400, "invalid_time_zone")
        unknown = client.patch(V1 + "me/profile/", {"headline": "Changed", "status": "active"}, format="json")
        assert unknown.json()["error_code"] == "unknown_field"
        assert client.get(V1 + "me/profile/").json()["headline"] == "Mentor"

        skills_response = client.put(V1 + "me/skills/", {"skills": [
            {"skill": "python", "declared_level": 3, "is_specialisation": True}]}, format="json")
        assert skills_response.status_code == 200
        assert skills_response.json()["skills"][0]["declared_level_name"] == "Advanced"
        bad = client.put(V1 + "me/skills/", {"skills": [{"skill": "cooking"}]}, format="json")
        assert bad.json()["error_code"] == "unknown_skill"

    def test_photo_and_portfolio(self, cast, skills):
        client = api_client(cast["trainer"])
        uploaded = client.post(V1 + "me/photo/", {"photo": png()}, format="multipart")
        assert uploaded.status_code == 200 and uploaded.json()["photo_url"].endswith(".png")
        refused = client.post(V1 + "me/photo/", {"photo": SimpleUploadedFile("x.png", b"text")}, format="multipart")
        assert refused.json()["error_code"] == "invalid_photo"
        assert client.delete(V1 + "me/photo/").json()["photo_url"] == ""

        item = client.post(V1 + "me/portfolio/", {
            "title": "Report", "evidence": SimpleUploadedFile("report.pdf", b"%PDF-1.7"), "skills": ["python"],
        }, format="multipart")
        assert item.status_code == 201, item.json()
        assert item.json()["skills"] == ["python"] and item.json()["evidence_url"]
        neither = client.post(V1 + "me/portfolio/", {"title": "Nothing"}, format="multipart")
        assert neither.json()["error_code"] == "evidence_required"
        other = api_client(cast["other"]).delete(V1 + f"me/portfolio/{item.json()['id']}/")
        assert other.status_code == 404
        assert client.delete(V1 + f"me/portfolio/{item.json()['id']}/").status_code == 204
        assert not PortfolioItem.objects.exists()

    def test_public_profile(self, cast):
        profiles.update_profile(cast["trainer"], headline="Not yet")
        assert api_client(cast["learner"]).get(V1 + "profiles/tara/").status_code == 404
        assert api_client(cast["trainer"]).get(V1 + "profiles/tara/").json()["is_public"] is False
        levels.start_first_level(cast["trainer"])
        body = api_client(cast["learner"]).get(V1 + "profiles/tara/").json()
        assert body["display_name"] == "Tara Iner" and body["rating"]["count"] == 0 and body["recent_ratings"] == []

    def test_schema_documents_the_endpoints(self, client):
        schema = client.get("/api/mentora/v1/schema/?format=json")
        assert schema.status_code == 200
        paths = schema.json()["paths"]
        assert "/api/mentora/v1/trainers/" in paths
        assert "/api/mentora/v1/trainers/ratings/{rating_id}/hide/" in paths


# --- pages ----------------------------------------------------------------------------------------------------------


class TestPages:
    def test_url_names(self):
        assert reverse("mentora-trainers:profiles-search") == SEARCH_PAGE
        assert reverse("mentora-trainers:profiles-edit") == EDIT_PAGE
        assert reverse("mentora-trainers:profiles-detail", args=["tara"]) == "/mentora/trainers/profile/tara/"

    def test_pages_need_a_signed_in_user(self, client):
        for url in (SEARCH_PAGE, EDIT_PAGE, "/mentora/trainers/profile/tara/"):
            response = client.get(url)
            assert response.status_code == 302 and "next=" in response["Location"]

    def test_search_page(self, client, trainers, cast):
        client.force_login(cast["learner"])
        response = client.get(SEARCH_PAGE, {"skill": "data", "language": "en"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "2 trainers found" in html
        assert 'href="/mentora/trainers/profile/ben/"' in html and "Ana Zed" in html and "Dee Adams" not in html
        assert "Mentoring 101" in html  # the course menu

    def test_search_page_paginates(self, client, trainers, cast, make_user):
        for index in range(21):
            activate(make_user(f"more{index:02d}"), headline="More")
        client.force_login(cast["learner"])
        first = client.get(SEARCH_PAGE, {"query": "more", "order": "name"}).content.decode()
        assert "21 trainers found" in first and "Page 1 of 2" in first and "more19" in first
        assert "query=more&amp;order=name&amp;page=2" in first
        second = client.get(SEARCH_PAGE, {"query": "more", "order": "name", "page": 2}).content.decode()
        assert "more20" in second and "more19" not in second

    def test_search_page_refuses_bad_filters(self, client, trainers, cast):
        client.force_login(cast["learner"])
        response = client.get(SEARCH_PAGE, {"skill": "cooking"})
        assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()

    def test_profile_page(self, client, cast, skills):
        activate(cast["trainer"], headline="Data mentor", bio="<script>alert('x')</script>**bold**",
                 languages=["fr"])
        profiles.set_skills(cast["trainer"], [{"skill": "python", "declared_level": 3}])
        profiles.add_portfolio_item(cast["trainer"], "Dashboard", url="https://dash.example")
        client.force_login(cast["learner"])
        html = client.get("/mentora/trainers/profile/tara/").content.decode()
        assert "<h1>Tara Iner</h1>" in html and "Data mentor" in html and "Python" in html and "Dashboard" in html
        assert "<script>alert" not in html and "<strong>bold</strong>" in html
        assert "Edit your profile" not in html
        assert 'href="/mentora/reviews/gallery/trainers/tara/"' in html  # the projects they featured
        assert client.get("/mentora/trainers/profile/nobody/").status_code == 404

    def test_edit_page_saves_and_refuses(self, client, cast, skills):
        client.force_login(cast["trainer"])
        assert client.get(EDIT_PAGE).status_code == 200
        saved = client.post(EDIT_PAGE, {
            "action": "profile", "profile-headline": "Mentor", "profile-experience_years": "4",
            "profile-languages": "fr, English, es", "profile-time_zone": "Europe/Paris",
            "profile-links": "Blog | https://blog.example\nhttps://code.example",
        })
        assert saved.status_code == 302
        profile = profiles.get_profile(cast["trainer"])
        assert profile.languages == ("fr", "en", "es") and profile.links[1].label == "code.example"

        refused = client.post(EDIT_PAGE, {
            "action": "profile", "profile-headline": "Changed", "profile-experience_years": "4",
            "profile-languages": "fr", "profile-time_zone": "Europe/Paris",
            "profile-links": "Evil | javascript:alert(1)",
        })
        assert refused.status_code == 400
        html = refused.content.decode()
        assert 'id="id_profile-links-error"' in html and "is not a web address" in html
        assert profiles.get_profile(cast["trainer"]).headline == "Mentor"

    def test_edit_page_skills_photo_and_portfolio(self, client, cast, skills):
        client.force_login(cast["trainer"])
        assert client.post(EDIT_PAGE, {
            "action": "skills", "skill-python-on": "on", "skill-python-level": "3", "skill-python-special": "on",
            "skill-sql-level": "2",
        }).status_code == 302
        assert [(item.slug, item.declared_level, item.is_specialisation)
                for item in profiles.get_profile(cast["trainer"]).skills] == [("python", 3, True)]
        posted = {"action": "skills"}
        for slug in ("data", "python", "sql", "design"):
            posted.update({f"skill-{slug}-on": "on", f"skill-{slug}-special": "on"})
        from mentora_plugin.trainers.models import Skill

        for index in range(2):
            Skill.objects.create(slug=f"extra{index}", name=f"Extra {index}")
            posted.update({f"skill-extra{index}-on": "on", f"skill-extra{index}-special": "on"})
        refused = client.post(EDIT_PAGE, posted)
        assert refused.status_code == 400 and "at most 5 specialisations" in refused.content.decode()
        assert len(profiles.get_profile(cast["trainer"]).skills) == 1

        assert client.post(EDIT_PAGE, {"action": "photo", "photo-photo": png()}).status_code == 302
        assert profiles.get_profile(cast["trainer"]).photo_url
        bad_photo = client.post(EDIT_PAGE, {"action": "photo", "photo-photo": SimpleUploadedFile("a.png", b"no")})
        assert bad_photo.status_code == 400 and 'id="id_photo-photo-error"' in bad_photo.content.decode()
        assert client.post(EDIT_PAGE, {"action": "remove_photo"}).status_code == 302
        assert profiles.get_profile(cast["trainer"]).photo_url == ""

        added = client.post(EDIT_PAGE, {"action": "add_item", "item-title": "Report", "item-skills": ["python"],
                                        "item-evidence": SimpleUploadedFile("r.pdf", b"%PDF-1.4")})
        assert added.status_code == 302
        item = profiles.get_profile(cast["trainer"]).portfolio[0]
        assert item.skills == ("python",)
        mismatch = client.post(EDIT_PAGE, {"action": "add_item", "item-title": "Fake",
                                           "item-evidence": SimpleUploadedFile("r.pdf", b"MZ")})
        assert mismatch.status_code == 400 and 'id="id_item-evidence-error"' in mismatch.content.decode()
        assert client.post(EDIT_PAGE, {"action": "remove_item", "item_id": str(item.id)}).status_code == 302
        assert profiles.get_profile(cast["trainer"]).portfolio == ()

