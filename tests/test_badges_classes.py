"""
Badge classes and their images: who may create and change them (course staff for their course, platform staff for
the platform's and trainers' classes), what is checked (texts, kind, skills of the taxonomy, expiry, course key), the
version that meaning-changing edits raise, archiving, listing; and images: PNGs re-encoded without their metadata,
SVGs parsed safely and reduced to an allowlist (a corpus of hostile files), size and type limits.
"""
from __future__ import annotations

import base64
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from defusedxml import ElementTree as SafeElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image, PngImagePlugin

from mentora_plugin.badges import api
from mentora_plugin.badges.models import BadgeClass
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.trainers.models import Skill, TrainerProfile, TrainerScope
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db


# --- shared fixtures (the awards' and retirement's tests use them too) ------------------------------------------------


def png_bytes(size=(64, 64), color=(200, 30, 30, 255), text: dict[str, str] | None = None) -> bytes:
    """A PNG, with ``text`` as tEXt chunks (what authoring tools leave in them)."""
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def give_level(user, level: str = "advanced", course=COURSE) -> TrainerProfile:
    """An active trainer profile at ``level``, scoped to ``course`` (levels unlock capabilities: issue_badges from
    advanced, per MENTORA_TRAINER_CAPABILITIES)."""
    profile, _created = TrainerProfile.objects.get_or_create(user=user)
    profile.status, profile.level, profile.activated_at = TrainerProfile.Status.ACTIVE, level, timezone.now()
    profile.save()
    TrainerScope.objects.get_or_create(profile=profile, kind="course", course_key=course,
                                       defaults={"granted_at": timezone.now()})
    return profile


@pytest.fixture
def cast(make_user, settings):
    """The people of two courses: staff, trainers (an advanced one, a beginner), learners, platform staff."""
    settings.LMS_ROOT_URL = "http://127.0.0.1:8000"
    host_api.record_course(COURSE, at(0), title="Badges 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other course")
    people = {
        "trainer": make_user("trainer", first_name="Tara", last_name="Iner"),
        "beginner": make_user("beginner", first_name="Ben"),
        "other_trainer": make_user("other_trainer"),
        "course_staff": make_user("course_staff", first_name="Stella"),
        "other_staff": make_user("other_staff"),
        "platform_staff": make_user("platform_staff", is_staff=True),
        "learner": make_user("learner", first_name="Lea", last_name="Rner"),
        "learner2": make_user("learner2", first_name="Leo"),
        "outsider": make_user("outsider"),
    }
    for name in ("learner", "learner2"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    for name in ("trainer", "beginner"):
        host_api.grant_trainer_role(COURSE, people[name], granted_by=None)
    host_api.grant_trainer_role(OTHER_COURSE, people["other_trainer"], granted_by=None)
    give_level(people["trainer"], "advanced")
    give_level(people["beginner"], "beginner")
    give_level(people["other_trainer"], "expert", OTHER_COURSE)
    for name, course in (("course_staff", COURSE), ("other_staff", OTHER_COURSE)):
        host_api.record_course_role(CourseRoleRecord(user_id=people[name].pk, org=course.org, course_key=str(course),
                                                     role="staff", is_active=True), at(0))
    Skill.objects.create(slug="python", name="Python")
    Skill.objects.create(slug="writing", name="Writing")
    Skill.objects.create(slug="cobol", name="COBOL", is_active=False)
    return people


def make_class(actor, **overrides) -> api.BadgeClassInfo:
    values = {
        "name": "Python basics",
        "description": "Writes small Python programs.",
        "criteria": "Pass the **three** exercises.",
        "image": png_bytes(),
        "course_key": COURSE,
    }
    values.update(overrides)
    return api.create_badge_class(actor, **values)


def refused(call, *args, **kwargs) -> api.BadgesError:
    with pytest.raises(api.BadgesError) as error:
        call(*args, **kwargs)
    return error.value


# --- PNG ------------------------------------------------------------------------------------------------------------


class TestPng:
    def test_a_png_is_re_encoded_without_its_text_chunks(self):
        original = png_bytes(text={"Author": "secret-author", "GPS": "48.85,2.35"})
        assert b"tEXt" in original and b"secret-author" in original
        content, image_type = api.clean_badge_image(original)
        cleaned = content.read()
        assert image_type == "png" and content.name.endswith(".png")
        assert b"tEXt" not in cleaned and b"secret-author" not in cleaned and b"48.85" not in cleaned
        with Image.open(io.BytesIO(cleaned)) as image:
            assert image.size == (64, 64) and image.getpixel((10, 10)) == (200, 30, 30, 255)
            assert "Author" not in image.info

    def test_an_opaque_png_stays_opaque_and_a_file_object_works(self):
        out = io.BytesIO()
        Image.new("RGB", (10, 20), (1, 2, 3)).save(out, format="PNG")
        out.seek(5)  # wherever the upload's cursor is
        content, _kind = api.clean_badge_image(out)
        with Image.open(io.BytesIO(content.read())) as image:
            assert image.mode == "RGB" and image.size == (10, 20)

    def test_limits_on_pixels_and_bytes(self):
        assert refused(api.clean_badge_image, png_bytes(size=(1025, 16))).code == "image_too_large"
        assert api.clean_badge_image(png_bytes(size=(1024, 1024)))[1] == "png"
        padded = png_bytes() + b"\0" * (1024 * 1024)
        error = refused(api.clean_badge_image, padded)
        assert (error.code, error.field, error.status) == ("image_too_large", "image", 400)

    @pytest.mark.parametrize("data, code", [
        (None, "image_required"),
        (b"", "image_required"),
        (b"GIF89a\x01\x00\x01\x00", "image_type"),
        (b"\xff\xd8\xff\xe0 a jpeg", "image_type"),
        (b"%PDF-1.4", "image_type"),
        (b"\x89PNG\r\n\x1a\n not really a png", "image_invalid"),
    ])
    def test_what_is_not_a_png_or_an_svg_is_refused(self, data, code):
        error = refused(api.clean_badge_image, data)
        assert (error.code, error.field) == (code, "image")

    def test_a_png_with_a_corrupt_chunk_is_refused(self):
        data = bytearray(png_bytes())
        data[40] ^= 0xFF  # inside the first chunk after IHDR: its CRC no longer matches
        assert refused(api.clean_badge_image, bytes(data)).code == "image_invalid"


# --- SVG ------------------------------------------------------------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{}</svg>'

#: Hostile SVGs, each with what must not survive (or None: refused outright).
NASTY = {
    "script": (SVG.format('<script>alert(1)</script><circle r="4"/>'), ["script", "alert"]),
    "script_cdata": (SVG.format('<script><![CDATA[alert(1)]]></script>'), ["script", "alert"]),
    "onload": ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect onclick="x()" width="1"/></svg>',
               ["onload", "onclick", "alert"]),
    "foreign_object": (SVG.format('<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" '
                                  'src="https://evil.example/"/></foreignObject>'),
                       ["foreignObject", "iframe", "evil"]),
    "embed_object": (SVG.format('<embed src="https://evil.example/x.swf"/><object data="https://evil.example/"/>'),
                     ["embed", "object", "evil"]),
    "javascript_href": (SVG.format('<a href="javascript:alert(1)"><text>click</text></a>'
                                   '<use xlink:href="javascript:alert(2)"/>'), ["javascript", "alert", "<a"]),
    "remote_href": (SVG.format('<image href="https://evil.example/track.png"/><use xlink:href="other.svg#x"/>'),
                    ["evil", "other.svg"]),
    "animate_href": (SVG.format('<a><animate attributeName="href" values="javascript:alert(1)"/></a>'),
                     ["animate", "javascript"]),
    "style_url": (SVG.format('<rect style="fill:url(https://evil.example/x)" width="1"/>'
                             '<rect style="width:expression(alert(1))"/>'
                             '<rect fill="url(&quot;//evil.example&quot;)"/>'),
                  ["evil", "expression"]),
    "style_element": (SVG.format('<style>@import url(https://evil.example/x.css);</style><circle r="1"/>'),
                      ["@import", "evil", "<style"]),
    "style_split_by_child": (SVG.format('<style><x/>@import url(https://evil.example/a.css);</style>'),
                             ["@import", "evil"]),
    "style_text_after_child": (SVG.format('<style>rect{}<title/>rect{background:url(https://evil.example/x)}'
                                          '</style>'), ["evil", "url("]),
    "style_import_split": (SVG.format('<style>@im<desc/>port url(https://evil.example/b.css)</style>'),
                           ["evil", "import"]),
    "css_escape": (SVG.format('<rect style="background:\\75 rl(https://evil.example/)" width="1"/>'), ["evil"]),
    "xml_base": ('<svg xmlns="http://www.w3.org/2000/svg" xml:base="https://evil.example/"><use href="#a"/></svg>',
                 ["evil", "xml:base"]),
    "editor_metadata": (SVG.format('<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                                   'creator-name</rdf:RDF></metadata>'
                                   '<g xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
                                   'inkscape:label="Layer 1"/>'), ["creator-name", "inkscape", "metadata"]),
    "xxe_file": ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                 '<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>', None),
    "xxe_parameter": ('<!DOCTYPE svg [<!ENTITY % remote SYSTEM "https://evil.example/x.dtd"> %remote;]>'
                      '<svg xmlns="http://www.w3.org/2000/svg"/>', None),
    "billion_laughs": ('<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                       '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
                       '<svg xmlns="http://www.w3.org/2000/svg"><text>&d;</text></svg>', None),
    "not_svg_root": ('<html xmlns="http://www.w3.org/1999/xhtml"><svg/><script>alert(1)</script></html>', None),
    "no_namespace": ('<svg><script>alert(1)</script></svg>', None),
    "malformed": ('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', None),
}


class TestSvg:
    @pytest.mark.parametrize("name", sorted(NASTY))
    def test_hostile_svgs_are_refused_or_cleaned(self, name):
        source, forbidden = NASTY[name]
        if forbidden is None:
            error = refused(api.clean_badge_image, source.encode())
            assert (error.code, error.field) == ("image_invalid", "image")
            return
        content, image_type = api.clean_badge_image(source.encode())
        cleaned = content.read().decode()
        assert image_type == "svg" and content.name.endswith(".svg")
        for word in forbidden:
            assert word.lower() not in cleaned.lower(), f"{word!r} survived in {cleaned}"
        assert re.search(r"\son\w+=", cleaned) is None
        root = SafeElementTree.fromstring(cleaned.encode())  # still a well-formed SVG document
        assert root.tag == "{http://www.w3.org/2000/svg}svg"

    def test_a_decent_svg_keeps_its_drawing(self):
        pixel = "data:image/png;base64," + base64.b64encode(png_bytes(size=(1, 1))).decode()
        source = SVG.format(
            '<title>Gold star</title><defs><linearGradient id="g"><stop offset="0" stop-color="gold"/>'
            '</linearGradient><path id="star" d="M5 0 L6 4 L10 4 Z"/></defs>'
            '<style>.ring { stroke: #333; fill: url(#g) }</style>'
            '<circle class="ring" cx="5" cy="5" r="4" style="fill:url(#g)"/><use xlink:href="#star"/>'
            f'<image href="{pixel}" width="1" height="1"/><text x="1" y="9" xml:space="preserve">A &amp; B</text>'
        )
        cleaned = api.clean_badge_image(source.encode())[0].read().decode()
        assert cleaned.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')
        for kept in ("<title>Gold star</title>", 'id="g"', 'style="fill:url(#g)"', 'xlink:href="#star"',
                     f'href="{pixel}"', "fill: url(#g)", 'xml:space="preserve"', "A &amp; B", 'd="M5 0 L6 4 L10 4 Z"'):
            assert kept in cleaned, kept
        assert 'xmlns:xlink="http://www.w3.org/1999/xlink"' in cleaned

    def test_text_after_a_dropped_element_is_kept(self):
        cleaned = api.clean_badge_image(SVG.format("<text>A<script>x()</script>B</text>").encode())[0].read()
        assert b"<text>AB</text>" in cleaned

    def test_an_svg_over_256_kb_is_refused(self):
        big = SVG.format("<desc>" + "x" * (256 * 1024) + "</desc>").encode()
        assert refused(api.clean_badge_image, big).code == "image_too_large"

    def test_the_error_messages_are_translated_when_raised(self):
        with translation.override("fr"):
            error = refused(api.clean_badge_image, b"GIF89a")
            assert str(error) == gettext("The image must be a PNG or an SVG file.")


# --- creating -------------------------------------------------------------------------------------------------------


class TestCreate:
    def test_course_staff_create_their_courses_badges(self, cast):
        info = make_class(cast["course_staff"], skills=["writing", "python", "writing"], kind="competency")
        assert (info.name, info.kind, info.version, info.is_active, info.course_key) == (
            "Python basics", "competency", 1, True, COURSE)
        assert info.criteria_html == "<p>Pass the <strong>three</strong> exercises.</p>\n"
        assert [(skill.slug, skill.name) for skill in info.skills] == [("writing", "Writing"), ("python", "Python")]
        assert info.image_type == "png" and info.image_url.startswith("/media/mentora/badges/images/")
        row = BadgeClass.objects.get(pk=info.id)
        assert row.created_by == cast["course_staff"] and row.image.read().startswith(b"\x89PNG")
        assert api.get_badge_class(str(info.public_id)).id == info.id == api.get_badge_class(info.id).id

    def test_criteria_markdown_is_sanitised(self, cast):
        info = make_class(cast["course_staff"], criteria='<script>alert(1)</script> [x](javascript:alert(1))')
        assert "<script>" not in info.criteria_html and "href" not in info.criteria_html
        assert "&lt;script&gt;" in info.criteria_html

    @pytest.mark.parametrize("who, overrides", [
        ("learner", {}),
        ("trainer", {}),  # even advanced: trainers award badges, staff define them
        ("other_staff", {}),
        ("course_staff", {"course_key": None}),
        ("course_staff", {"for_trainers": True}),
    ])
    def test_who_may_not_create(self, cast, who, overrides):
        error = refused(make_class, cast[who], **overrides)
        assert (error.code, error.status) == ("permission_denied", 403)
        assert not BadgeClass.objects.exists()

    def test_platform_staff_create_platform_and_trainers_badges(self, cast):
        platform = make_class(cast["platform_staff"], course_key=None)
        trainers = make_class(cast["platform_staff"], course_key="", for_trainers=True, name="Great mentor")
        assert platform.course_key is None and trainers.for_trainers and trainers.course_key is None
        assert make_class(cast["platform_staff"]).course_key == COURSE  # and any course's

    @pytest.mark.parametrize("overrides, code, field", [
        ({"course_key": "not a key"}, "invalid_course_key", "course_key"),
        ({"name": "  "}, "name_required", "name"),
        ({"name": "x" * 256}, "name_too_long", "name"),
        ({"description": ""}, "description_required", "description"),
        ({"description": "x" * 5001}, "description_too_long", "description"),
        ({"criteria": None}, "criteria_required", "criteria"),
        ({"criteria": "x" * 20001}, "criteria_too_long", "criteria"),
        ({"name": 12}, "invalid_text", "name"),
        ({"kind": "trophy"}, "invalid_kind", "kind"),
        ({"skills": ["cooking"]}, "invalid_skill", "skills"),
        ({"skills": ["cobol"]}, "invalid_skill", "skills"),
        ({"skills": "python"}, "invalid_skill", "skills"),
        ({"skills": [f"s{index}" for index in range(11)]}, "too_many_skills", "skills"),
        ({"expiry": "date"}, "expiry_date_required", "expires_on"),
        ({"expiry": "date", "expires_on": date(2020, 1, 1)}, "expiry_date_past", "expires_on"),
        ({"expiry": "date", "expires_on": "soon"}, "invalid_expiry_date", "expires_on"),
        ({"expiry": "date", "expires_on": date(2099, 1, 1), "valid_days": 3}, "invalid_expiry", "expiry"),
        ({"expiry": "duration"}, "invalid_valid_days", "valid_days"),
        ({"expiry": "duration", "valid_days": 0}, "invalid_valid_days", "valid_days"),
        ({"expiry": "duration", "valid_days": 3651}, "invalid_valid_days", "valid_days"),
        ({"expiry": "duration", "valid_days": True}, "invalid_valid_days", "valid_days"),
        ({"expiry": "none", "valid_days": 30}, "invalid_expiry", "expiry"),
        ({"expiry": "sometimes"}, "invalid_expiry", "expiry"),
        ({"image": None}, "image_required", "image"),
    ])
    def test_what_is_checked(self, cast, overrides, code, field):
        error = refused(make_class, cast["course_staff"], **overrides)
        assert (error.code, error.field, error.status) == (code, field, 400)
        assert not BadgeClass.objects.exists()

    def test_expiry_by_date_or_duration(self, cast):
        dated = make_class(cast["course_staff"], expiry="date", expires_on=date(2099, 6, 30))
        assert dated.expires_on == datetime(2099, 6, 30, 23, 59, 59, tzinfo=UTC) and dated.valid_days is None
        lasting = make_class(cast["course_staff"], expiry="duration", valid_days="365", expires_on="")
        assert (lasting.expiry, lasting.valid_days, lasting.expires_on) == ("duration", 365, None)
        limit = make_class(cast["course_staff"], expiry="duration", valid_days=3650)
        assert limit.valid_days == 3650

    def test_an_svg_image_is_stored_cleaned(self, cast):
        svg = SVG.format('<script>alert(1)</script><circle r="4"/>').encode()
        info = make_class(cast["course_staff"], image=svg)
        stored = BadgeClass.objects.get(pk=info.id).image.read()
        assert info.image_type == "svg" and b"<circle" in stored and b"script" not in stored

    def test_refusals_are_in_the_actors_language(self, cast):
        with translation.override("fr"):
            error = refused(make_class, cast["course_staff"], name="")
            assert str(error) == gettext("Give the badge a name.")
            error = refused(make_class, cast["course_staff"], expiry="duration", valid_days=0)
            assert str(error) == gettext("A badge lasts from 1 to {max_days} days after it is awarded.").format(
                max_days=3650)


# --- changing, archiving ----------------------------------------------------------------------------------------------


class TestUpdate:
    @pytest.mark.parametrize("changes", [
        {"name": "Python, the basics"},
        {"description": "Other words."},
        {"criteria": "Pass **four** exercises."},
        {"skills": ["python"]},
        {"expiry": "duration", "valid_days": 90},
        {"image": SVG.format('<circle r="2"/>').encode()},
    ])
    def test_changing_what_it_means_raises_the_version(self, cast, changes):
        info = make_class(cast["course_staff"])
        changed = api.update_badge_class(cast["course_staff"], info.id, **changes)
        assert changed.version == 2
        for field, value in changes.items():
            if field not in ("image", "skills"):
                assert getattr(changed, field) == value
        assert changed.modified >= info.modified

    def test_the_image_changes_with_its_type(self, cast):
        info = make_class(cast["course_staff"])
        changed = api.update_badge_class(cast["course_staff"], info.public_id, image=SVG.format("<g/>").encode())
        assert changed.image_type == "svg" and changed.image_url.endswith(".svg")

    def test_the_same_values_keep_the_version_a_new_kind_does_not(self, cast):
        info = make_class(cast["course_staff"], skills=["python"])
        same = api.update_badge_class(cast["course_staff"], info.id, name=" Python basics ", skills=["python"],
                                      expiry="none")
        assert same.version == 1
        # A badge that becomes a certificate claims something else: earlier awards keep the version they had.
        assert api.update_badge_class(cast["course_staff"], info.id, kind="certificate").version == 2

    def test_expiry_changes_are_checked_as_a_whole(self, cast):
        info = make_class(cast["course_staff"], expiry="date", expires_on=date(2099, 1, 1))
        longer = api.update_badge_class(cast["course_staff"], info.id, expires_on=date(2099, 12, 31))
        assert longer.expires_on.date() == date(2099, 12, 31) and longer.version == 2
        assert refused(api.update_badge_class, cast["course_staff"], info.id,
                       expires_on=timezone.now() - timedelta(days=1)).code == "expiry_date_past"
        never = api.update_badge_class(cast["course_staff"], info.id, expiry="none")
        assert (never.expiry, never.expires_on, never.version) == ("none", None, 3)

    def test_who_may_change(self, cast):
        info = make_class(cast["course_staff"])
        for who in ("other_staff", "trainer", "learner"):
            assert refused(api.update_badge_class, cast[who], info.id, name="Mine").code == "permission_denied"
        assert api.update_badge_class(cast["platform_staff"], info.id, name="Ours").name == "Ours"
        platform = make_class(cast["platform_staff"], course_key=None)
        assert refused(api.update_badge_class, cast["course_staff"], platform.id, name="x").status == 403

    def test_unknown_fields_and_classes(self, cast):
        info = make_class(cast["course_staff"])
        error = refused(api.update_badge_class, cast["course_staff"], info.id, course_key=str(OTHER_COURSE))
        assert (error.code, error.field) == ("unknown_field", "course_key")
        assert refused(api.update_badge_class, cast["course_staff"], 9999, name="x").code == "badge_class_not_found"
        assert refused(api.get_badge_class, "not-an-id").status == 404


class TestArchive:
    def test_archiving_hides_it_from_those_who_neither_manage_nor_hold_it(self, cast):
        info = make_class(cast["course_staff"])
        archived = api.archive_badge_class(cast["course_staff"], info.id)
        assert archived.is_active is False
        assert api.archive_badge_class(cast["course_staff"], info.id).is_active is False  # idempotent
        assert api.get_badge_class(info.public_id).is_active is False  # public outputs still find it
        assert api.get_badge_class(info.id, viewer=cast["course_staff"]).id == info.id
        assert refused(api.get_badge_class, info.id, viewer=cast["learner"]).code == "badge_class_not_found"
        assert refused(api.archive_badge_class, cast["trainer"], info.id).status == 403

    def test_an_archived_class_still_shows_to_who_holds_it(self, cast):
        info = make_class(cast["course_staff"])
        api.award_badge(cast["course_staff"], info.id, cast["learner"])
        api.archive_badge_class(cast["course_staff"], info.id)
        assert api.get_badge_class(info.id, viewer=cast["learner"]).id == info.id
        assert refused(api.get_badge_class, info.id, viewer=cast["learner2"]).status == 404


class TestList:
    def test_a_course_lists_its_classes_and_the_platforms(self, cast):
        staff, platform_staff = cast["course_staff"], cast["platform_staff"]
        ours = make_class(staff, name="B ours", skills=["python"])
        make_class(platform_staff, name="A platform", course_key=None)
        make_class(platform_staff, name="C mentors", course_key=None, for_trainers=True)
        make_class(cast["other_staff"], name="D theirs", course_key=OTHER_COURSE)
        old = make_class(staff, name="E old")
        api.archive_badge_class(staff, old.id)

        def names(**filters):
            return [info.name for info in api.list_badge_classes(**filters)]

        assert names(course_key=COURSE) == ["A platform", "B ours", "C mentors"]
        assert names(course_key=str(COURSE), include_platform=False) == ["B ours"]
        assert names(course_key=COURSE, for_trainers=False) == ["A platform", "B ours"]
        assert names(course_key=COURSE, active_only=False, include_platform=False) == ["B ours", "E old"]
        assert names() == ["A platform", "C mentors"]
        assert names(for_trainers=True) == ["C mentors"]
        assert api.list_badge_classes(course_key=COURSE)[1].skills[0].name == "Python"
        assert ours.id in [info.id for info in api.list_badge_classes(course_key=COURSE)]
        assert refused(api.list_badge_classes, course_key="nonsense").code == "invalid_course_key"

    def test_listing_costs_two_queries_whatever_the_number(self, cast):
        for index in range(5):
            make_class(cast["course_staff"], name=f"Badge {index}", skills=["python", "writing"])
        with CaptureQueriesContext(connection) as queries:
            assert len(api.list_badge_classes(course_key=COURSE)) == 5
        assert len(queries) == 2
