"""
The public Open Badges URLs (no sign-in): status codes, content types and 404s by ``public_id``; what the JSON-LD
says (ids equal to the URLs that serve them, the issuer, alignments, evidence, expiry, revocation) and keeps private
(no recipient email or name anywhere); the verification page (status, links, the email check with its CSRF
protection and rate limit, the LinkedIn link); baked downloads; and baking round trips.

Rows are made with the ORM here (the domain API is written separately); ``tests/test_badges_ob2.py`` reuses these
helpers.
"""
from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree  # parses only what our own code produced here

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from mentora_plugin.badges import baking, openbadges2
from mentora_plugin.badges.common import BadgesError, recipient_hash
from mentora_plugin.badges.models import BadgeAward, BadgeClass
from mentora_plugin.trainers.models import Skill

pytestmark = pytest.mark.django_db

BASE = "https://lms.example.org"
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" '
       b'viewBox="0 0 64 64"><title>A badge</title><circle cx="32" cy="32" r="30" fill="#0a3055"/></svg>')


# --- helpers (shared with test_badges_ob2) --------------------------------------------------------------------------


def png_image(color: tuple[int, int, int] = (10, 48, 85), text: dict[str, str] | None = None) -> bytes:
    """A small PNG made with Pillow (with ``text`` as iTXt chunks)."""
    info = None
    if text:
        info = PngInfo()
        for key, value in text.items():
            info.add_itxt(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def make_badge_class(image_type: str = "png", **fields) -> BadgeClass:
    fields.setdefault("name", "Python, the basics")
    fields.setdefault("description", "Writes and tests small Python programs.")
    fields.setdefault("criteria", "Pass the **final project** with 70% or more.")
    badge_class = BadgeClass(image_type=image_type, **fields)
    content = png_image() if image_type == "png" else SVG
    badge_class.image.save(f"badge.{image_type}", ContentFile(content), save=False)
    badge_class.save()
    return badge_class


def make_award(badge_class: BadgeClass, recipient, salt: str = "s4lt-9f2c", **fields) -> BadgeAward:
    fields.setdefault("issued_on", timezone.now() - timedelta(days=3))
    fields.setdefault("source_key", f"manual:{BadgeAward.objects.count()}")
    return BadgeAward.objects.create(
        badge_class=badge_class, recipient=recipient, salt=salt,
        recipient_hash=recipient_hash(recipient.email, salt), badge_version=badge_class.version, **fields,
    )


def body(response) -> bytes:
    return response.getvalue()


def jsonld(client: Client, url: str) -> dict:
    response = client.get(url, HTTP_ACCEPT="application/ld+json, application/json")
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(body(response))


def path_of(url: str) -> str:
    """The path part of one of our absolute ids (what the test client asks for)."""
    assert url.startswith(BASE + "/"), url
    return url[len(BASE):]


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.MENTORA_BADGES_BASE_URL = BASE
    settings.MENTORA_BADGES_ISSUER = {"name": "Example Academy", "url": "https://www.example.org", "email": None,
                                      "description": "Courses with mentors."}
    settings.DEFAULT_FROM_EMAIL = "Example Academy <badges@example.org>"
    cache.clear()  # the email check's rate limit


@pytest.fixture
def people(make_user):
    return {
        "learner": make_user("lea", first_name="Léa", last_name="Martin"),
        "trainer": make_user("tom", first_name="Tom", last_name="Trainer"),
    }


@pytest.fixture
def award(people) -> BadgeAward:
    Skill.objects.create(slug="python", name="Python programming")
    badge_class = make_badge_class(skills=["python", "gone-skill"], kind="certificate", version=2)
    return make_award(
        badge_class, people["learner"], issued_by=people["trainer"], narrative="Great *final* project.",
        evidence=[{"url": "https://example.org/projects/7", "name": "Final project", "narrative": "Scored 92%."},
                  {"url": "javascript:alert(1)", "name": "Sneaky", "narrative": ""}],
    )


# --- JSON-LD --------------------------------------------------------------------------------------------------------


class TestJsonLd:
    def test_the_issuer_profile(self, client):
        document = jsonld(client, "/badges/issuer/")
        assert document == {
            "@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": f"{BASE}/badges/issuer/",
            "name": "Example Academy", "url": "https://www.example.org", "email": "badges@example.org",
            "description": "Courses with mentors.",
        }
        assert reverse("mentora-badges:issuer") == "/badges/issuer/"

    def test_the_issuer_falls_back_on_the_platform(self, client, settings):
        settings.MENTORA_BADGES_ISSUER = None
        settings.PLATFORM_NAME = "Demo Academy"
        document = jsonld(client, "/badges/issuer/")
        assert (document["name"], document["url"], document["email"]) == ("Demo Academy", BASE, "badges@example.org")
        assert "description" not in document

    def test_the_badge_class(self, client, award):
        found = award.badge_class
        document = jsonld(client, f"/badges/classes/{found.public_id}/")
        own = f"{BASE}/badges/classes/{found.public_id}/"
        assert document["id"] == own and document["type"] == "BadgeClass"
        assert (document["name"], document["description"]) == (found.name, found.description)
        assert document["image"] == own + "image"
        assert document["criteria"] == {"id": own + "criteria/", "narrative": found.criteria}
        assert document["issuer"] == f"{BASE}/badges/issuer/"
        assert document["tags"] == ["certificate"] and document["version"] == "2"
        assert document["alignment"] == [
            {"targetName": "Python programming", "targetUrl": f"{BASE}/badges/skills/python/",
             "targetFramework": "Mentora skills"},
            {"targetName": "gone-skill", "targetUrl": f"{BASE}/badges/skills/gone-skill/",
             "targetFramework": "Mentora skills"},
        ]

    def test_the_assertion(self, client, award):
        document = jsonld(client, f"/badges/assertions/{award.public_id}/")
        assert document["id"] == f"{BASE}/badges/assertions/{award.public_id}/"
        assert document["recipient"] == {"type": "email", "hashed": True, "salt": "s4lt-9f2c",
                                         "identity": recipient_hash("lea@example.com", "s4lt-9f2c")}
        assert document["badge"] == f"{BASE}/badges/classes/{award.badge_class.public_id}/"
        assert document["verification"] == {"type": "hosted"}
        assert datetime.fromisoformat(document["issuedOn"]) == award.issued_on
        assert document["narrative"] == "Great *final* project."
        # the javascript: link is no IRI we vouch for: its evidence keeps its name only
        assert document["evidence"] == [
            {"id": "https://example.org/projects/7", "name": "Final project", "narrative": "Scored 92%."},
            {"name": "Sneaky"},
        ]
        assert "expires" not in document and "revoked" not in document

    def test_the_assertion_says_nothing_of_who_the_recipient_is(self, client, award):
        for url in (f"/badges/assertions/{award.public_id}/", f"/badges/classes/{award.badge_class.public_id}/",
                    "/badges/issuer/"):
            text = body(client.get(url)).decode()
            for secret in ("lea@example.com", "Léa", "L\\u00e9a", "Martin", "recipient_id"):
                assert secret not in text, (url, secret)

    def test_expiry_and_revocation(self, client, award):
        award.expires_on = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
        award.revoked_at = timezone.now()
        award.revocation_reason = "Plagiarised project."
        award.save()
        response = client.get(f"/badges/assertions/{award.public_id}/")
        assert response.status_code == 200  # a revoked assertion still answers, saying why
        document = json.loads(body(response))
        assert document["expires"] == "2030-01-02T03:04:00+00:00"
        assert (document["revoked"], document["revocationReason"]) == (True, "Plagiarised project.")

    def test_unknown_ids_are_404(self, client, award):
        other = "00000000-0000-4000-8000-000000000000"
        for url in (f"/badges/classes/{other}/", f"/badges/classes/{other}/image", f"/badges/classes/{other}/criteria/",
                    f"/badges/assertions/{other}/", f"/badges/assertions/{other}/verify/",
                    f"/badges/assertions/{other}/baked.png", "/badges/skills/no-such-skill/",
                    "/badges/assertions/not-a-uuid/", f"/badges/assertions/{award.public_id}/baked.gif"):
            assert client.get(url).status_code == 404, url

    def test_a_retired_recipients_award_is_gone(self, client, award):
        from mentora_plugin.badges.retirement import retire_user

        url = f"/badges/assertions/{award.public_id}/"
        assert client.get(url).status_code == 200
        retire_user(award.recipient)
        assert client.get(url).status_code == 404
        assert client.get(url + "verify/").status_code == 404

    def test_only_reading_methods(self, client, award):
        assert client.post("/badges/issuer/").status_code == 405
        assert client.post(f"/badges/assertions/{award.public_id}/").status_code == 405

    def test_the_ids_are_the_urls_that_serve_them(self, client, award):
        """What a verifier follows: every id and link of the documents answers at its own path."""
        assertion = jsonld(client, path_of(openbadges2.assertion_url(award.public_id)))
        badge_class = jsonld(client, path_of(assertion["badge"]))
        issuer = jsonld(client, path_of(badge_class["issuer"]))
        assert issuer["id"] == badge_class["issuer"]
        for url in (badge_class["image"], badge_class["criteria"]["id"], badge_class["alignment"][0]["targetUrl"]):
            assert client.get(path_of(url)).status_code == 200, url


class TestImagesAndPages:
    def test_the_stored_image(self, client, award):
        response = client.get(f"/badges/classes/{award.badge_class.public_id}/image")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert body(response) == png_image()
        assert "sandbox" in response["Content-Security-Policy"]

    def test_an_svg_image_is_served_as_svg(self, client, people):
        found = make_badge_class("svg")
        response = client.get(f"/badges/classes/{found.public_id}/image")
        assert response["Content-Type"] == "image/svg+xml" and body(response) == SVG
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_the_criteria_page_renders_markdown_safely(self, client, people):
        found = make_badge_class(criteria="Pass the **project**.\n\n<script>alert(1)</script>", skills=["python"])
        Skill.objects.create(slug="python", name="Python programming")
        response = client.get(f"/badges/classes/{found.public_id}/criteria/")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        text = response.content.decode()
        assert "<strong>project</strong>" in text
        assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
        assert f'href="{BASE}/badges/skills/python/"' in text and "Python programming" in text

    def test_the_skill_page(self, client):
        Skill.objects.create(slug="python", name="Python programming", description="Writing Python.")
        response = client.get("/badges/skills/python/")
        assert response.status_code == 200
        assert "Python programming" in response.content.decode() and "Writing Python." in response.content.decode()


# --- the verification page ------------------------------------------------------------------------------------------


def verify_page(client: Client, award: BadgeAward) -> str:
    response = client.get(f"/badges/assertions/{award.public_id}/verify/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    return response.content.decode()


class TestVerificationPage:
    def test_a_valid_award(self, client, award):
        text = verify_page(client, award)
        assert "Valid" in text and "Python, the basics" in text and "Example Academy" in text
        assert "Tom Trainer" in text  # the issuing trainer is named
        assert 'alt="Image of the badge Python, the basics"' in text
        assert f'href="{BASE}/badges/classes/{award.badge_class.public_id}/criteria/"' in text
        assert ('<a href="https://example.org/projects/7" rel="nofollow ugc noopener noreferrer">Final project</a>'
                in text)
        assert "javascript:" not in text
        assert f'href="{BASE}/badges/assertions/{award.public_id}/baked.png"' in text
        assert "<em>final</em>" in text  # the narrative's Markdown
        assert re.search(r"<main\b", text) and re.search(r"<h1\b", text)
        assert '<label for="id_email">' in text

    def test_the_page_does_not_say_who_the_recipient_is(self, client, award):
        text = verify_page(client, award)
        for secret in ("lea@example.com", "Léa", "Martin"):
            assert secret not in text

    def test_browsers_get_the_page_at_the_assertion_url(self, client, award):
        url = f"/badges/assertions/{award.public_id}/"
        browser = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        assert browser["Content-Type"].startswith("text/html") and "Python, the basics" in browser.content.decode()
        assert "Accept" in [value.strip() for value in browser["Vary"].split(",")]
        for accept in ("application/ld+json", "text/html, application/json", "*/*", ""):
            answer = client.get(url, HTTP_ACCEPT=accept)
            assert answer["Content-Type"].startswith("application/ld+json"), accept
            assert "Accept" in [value.strip() for value in answer["Vary"].split(",")]

    def test_expired_and_revoked(self, client, award):
        award.expires_on = datetime(2025, 3, 1, 12, tzinfo=UTC)
        award.save()
        text = verify_page(client, award)
        assert "Expired on March 1, 2025" in text and "Add to LinkedIn" not in text
        award.revoked_at, award.revocation_reason = datetime(2025, 4, 2, 12, tzinfo=UTC), "Plagiarised project."
        award.save()
        text = verify_page(client, award)
        assert "Revoked on April 2, 2025" in text and "Plagiarised project." in text
        assert "baked.png" not in text and "Valid" not in text

    def test_the_linkedin_link(self, client, people):
        found = make_badge_class(name="C++ & Rust: 100% safe?")
        award = make_award(found, people["learner"], issued_on=datetime(2026, 3, 15, 23, 30, tzinfo=UTC),
                           expires_on=datetime(2029, 11, 1, tzinfo=UTC))
        text = verify_page(client, award)
        href = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', text).group(1)
        url = urlsplit(href.replace("&amp;", "&"))
        assert " " not in href and "+" not in url.query  # spaces are %20 and the "+" of C++ is %2B
        assert parse_qs(url.query) == {
            "startTask": ["CERTIFICATION_NAME"], "name": ["C++ & Rust: 100% safe?"],
            "organizationName": ["Example Academy"], "issueYear": ["2026"], "issueMonth": ["3"],
            "expirationYear": ["2029"], "expirationMonth": ["11"],
            "certUrl": [f"{BASE}/badges/assertions/{award.public_id}/verify/"], "certId": [str(award.public_id)],
        }


class TestEmailCheck:
    def check(self, client: Client, award: BadgeAward, email: str):
        return client.post(f"/badges/assertions/{award.public_id}/verify/", {"email": email})

    def test_the_recipients_email_matches(self, client, award):
        response = self.check(client, award, "  LEA@example.com ")
        assert response.status_code == 200
        text = response.content.decode()
        assert "Yes: this badge was issued to that email address." in text
        assert "lea@example.com" not in text.lower()  # not echoed

    def test_another_email_does_not(self, client, award):
        text = self.check(client, award, "mallory@example.com").content.decode()
        assert "No: this badge was not issued to that email address." in text
        assert "Yes: this badge" not in text

    def test_an_invalid_address_is_a_form_error(self, client, award):
        response = self.check(client, award, "not an email")
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.content.decode()

    def test_ten_checks_a_minute_per_address(self, client, award):
        for _attempt in range(10):
            assert self.check(client, award, "mallory@example.com").status_code == 200
        refused = self.check(client, award, "lea@example.com")
        assert refused.status_code == 429
        assert "Too many checks" in refused.content.decode() and "Yes: this badge" not in refused.content.decode()
        # another client address still may
        other = Client(REMOTE_ADDR="10.1.2.3")
        assert "Yes: this badge" in self.check(other, award, "lea@example.com").content.decode()

    def test_csrf_is_enforced(self, award):
        strict = Client(enforce_csrf_checks=True)
        url = f"/badges/assertions/{award.public_id}/verify/"
        assert strict.post(url, {"email": "lea@example.com"}).status_code == 403
        page = strict.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        answer = strict.post(url, {"email": "lea@example.com", "csrfmiddlewaretoken": token})
        assert answer.status_code == 200 and "Yes: this badge" in answer.content.decode()


# --- baked downloads and baking -------------------------------------------------------------------------------------


class TestBakedDownloads:
    def test_a_baked_png(self, client, award):
        response = client.get(f"/badges/assertions/{award.public_id}/baked.png")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        filename = f"python-the-basics-{str(award.public_id)[:8]}.png"
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        baked = json.loads(baking.unbake_png(body(response)))
        assert baked == jsonld(client, f"/badges/assertions/{award.public_id}/")
        assert Image.open(io.BytesIO(body(response))).text["openbadges"] == json.dumps(baked, separators=(",", ":"),
                                                                                     ensure_ascii=False)
        assert client.get(f"/badges/assertions/{award.public_id}/baked.svg").status_code == 404

    def test_a_baked_svg(self, client, people):
        award = make_award(make_badge_class("svg", name='Ünïcode "quoted" <badge>'), people["learner"])
        response = client.get(f"/badges/assertions/{award.public_id}/baked.svg")
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert response["Content-Disposition"].startswith('attachment; filename="unicode-quoted-badge-')
        root = ElementTree.fromstring(body(response))  # noqa: S314
        element = root.find("{http://openbadges.org}assertion")
        assert element.get("verify") == f"{BASE}/badges/assertions/{award.public_id}/"
        assert json.loads(element.text)["id"] == element.get("verify")

    def test_a_revoked_award_has_no_download(self, client, award):
        award.revoked_at = timezone.now()
        award.save()
        assert client.get(f"/badges/assertions/{award.public_id}/baked.png").status_code == 410


class TestBaking:
    def test_png_round_trip_keeps_the_pixels_and_replaces_an_earlier_award(self):
        original = png_image(text={"Title": "kept", "openbadges": "https://old.example/assertion"})
        baked = baking.bake_png(original, {"id": "https://lms.example.org/a/1", "name": "Énergie"})
        assert json.loads(baking.unbake_png(baked)) == {"id": "https://lms.example.org/a/1", "name": "Énergie"}
        image = Image.open(io.BytesIO(baked))
        assert image.text == {"Title": "kept", "openbadges": '{"id":"https://lms.example.org/a/1","name":"Énergie"}'}
        assert image.tobytes() == Image.open(io.BytesIO(original)).tobytes()
        assert baked.count(b"openbadges") == 1
        again = baking.bake_png(baked, "https://lms.example.org/a/2")
        assert baking.unbake_png(again) == "https://lms.example.org/a/2"

    def test_png_reads_what_pillow_bakes(self):
        assert baking.unbake_png(png_image(text={"openbadges": "https://x.example/a"})) == "https://x.example/a"
        assert baking.unbake_png(png_image()) is None
        assert baking.unbake_png(b"not a png") is None

    def test_baking_what_is_not_a_png_is_refused(self):
        with pytest.raises(BadgesError) as error:
            baking.bake_png(SVG, "https://x.example/a")
        assert error.value.code == "image_invalid"
        with pytest.raises(BadgesError):
            baking.bake_png(png_image()[:40], "https://x.example/a")  # truncated

    def test_svg_round_trip(self):
        document = {"id": "https://lms.example.org/a/1?x=1&y=2", "narrative": "tricky ]]> and </openbadges:assertion>"}
        baked = baking.bake_svg(SVG, document["id"], document)
        root = ElementTree.fromstring(baked)  # noqa: S314  (still well-formed XML)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        element = root.find("{http://openbadges.org}assertion")
        assert element.get("verify") == document["id"]
        assert json.loads(element.text) == document
        assert json.loads(baking.unbake_svg(baked)) == document
        assert root.find("{http://www.w3.org/2000/svg}circle") is not None  # the drawing is untouched
        rebaked = baking.bake_svg(baked, "https://lms.example.org/a/2", {"id": "https://lms.example.org/a/2"})
        assert rebaked.count(b"openbadges:assertion verify") == 1
        assert json.loads(baking.unbake_svg(rebaked)) == {"id": "https://lms.example.org/a/2"}

    def test_svg_edge_cases(self):
        baked = baking.bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg" data-x="a>b"/>', "https://x.example/a", {})
        root = ElementTree.fromstring(baked)  # noqa: S314
        assert root.get("data-x") == "a>b" and root.find("{http://openbadges.org}assertion") is not None
        assert baking.unbake_svg(b'<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion '
                                 b'verify="https://x.example/a?b=1&amp;c=2"/></svg>') == "https://x.example/a?b=1&c=2"
        assert baking.unbake_svg(SVG) is None
        with pytest.raises(BadgesError):
            baking.bake_svg(b"<html></html>", "https://x.example/a", {})
