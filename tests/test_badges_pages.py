"""
Badges' signed-in pages: "My badges" (status in words, verification page, baked download, "Add to LinkedIn"), the
course's badges page (staff create classes; trainers see them; learners and outsiders get a 404), a class's page
(award from the roster, bulk award, revoke with a reason, renew), each refusal of ``badges.api`` shown next to its
field with the API's status, CSRF on every form, the header's links, and French rendering.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mentora_plugin.badges import api
from mentora_plugin.badges.models import BadgeAward, BadgeClass
from tests import test_badges_classes as class_tests
from tests.conftest import COURSE
from tests.test_badges_classes import make_class, png_bytes

pytestmark = pytest.mark.django_db

cast = class_tests.cast
BASE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.MENTORA_BADGES_BASE_URL = BASE


@pytest.fixture
def badge(cast):
    return make_class(cast["course_staff"], skills=["python"], expiry="duration", valid_days=365)


def client_for(user, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def class_url(badge_class) -> str:
    return reverse("mentora-badges:pages-class", kwargs={"public_id": badge_class.public_id})


def course_url(course=COURSE) -> str:
    return reverse("mentora-badges:pages-course", kwargs={"course_id": str(course)})


def field_error(html: str, field_id: str) -> str:
    """The text of the error shown next to the field ``field_id`` (and that the field points at it)."""
    match = re.search(rf'<p class="mentora-field-error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    assert match, f"no error next to {field_id}"
    assert re.search(rf'id="{re.escape(field_id)}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="'
                     rf'{re.escape(field_id)}"', html) or f'aria-describedby="{field_id}-error"' in html
    return match.group(1)


# --- My badges --------------------------------------------------------------------------------------------------------


class TestMine:
    def test_the_learner_sees_each_award_with_its_status_and_links(self, cast, badge):
        current = api.award_badge(cast["trainer"], badge.id, cast["learner"], narrative="Neat **work**.")
        other = make_class(cast["course_staff"], name="Writing basics", kind="certificate")
        revoked = api.award_badge(cast["course_staff"], other.id, cast["learner"])
        api.revoke_award(cast["course_staff"], revoked.id, "Awarded to the wrong person.")
        api.award_badge(cast["trainer"], badge.id, cast["learner2"])  # someone else's: not shown

        response = client_for(cast["learner"]).get(reverse("mentora-badges:pages-mine"))
        html = response.content.decode()
        assert response.status_code == 200
        items = re.findall(r'<li class="mentora-badges-item" data-award-id="([^"]+)">(.*?)</li>\s*(?=<li class|</ul>)',
                           html, re.S)
        assert [public_id for public_id, _body in items] == [str(revoked.public_id), str(current.public_id)]
        valid, gone = items[1][1], items[0][1]
        assert "Python basics" in valid and "Competency" not in valid and "Badge" in valid
        assert "Badges 101" in valid and "Tara Iner" in valid and "Valid" in valid and "<strong>work</strong>" in valid
        assert 'alt="Image of the badge Python basics"' in valid
        assert f'href="{BASE}/badges/assertions/{current.public_id}/verify/"' in valid
        assert f'href="{BASE}/badges/assertions/{current.public_id}/baked.png" download' in valid
        linkedin = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', valid).group(1)
        assert "name=Python%20basics" in linkedin and f"certId={current.public_id}" in linkedin
        assert "Revoked on" in gone and "Reason: Awarded to the wrong person." in gone and "Certificate" in gone
        assert "linkedin.com" not in gone and "baked." not in gone and "/verify/" in gone

    def test_nobody_signed_in_is_sent_to_sign_in_and_an_empty_list_says_so(self, cast):
        assert Client().get(reverse("mentora-badges:pages-mine")).status_code == 302
        response = client_for(cast["outsider"]).get(reverse("mentora-badges:pages-mine"))
        assert "You have no badge yet." in response.content.decode()

    def test_french(self, cast):
        with translation.override("fr"):
            response = client_for(cast["outsider"]).get(reverse("mentora-badges:pages-mine"),
                                                        HTTP_ACCEPT_LANGUAGE="fr")
        html = response.content.decode()
        assert "<h1>Mes badges</h1>" in html
        assert "Vous n'avez encore aucun badge." in html


# --- the course's badges ----------------------------------------------------------------------------------------------


class TestCoursePage:
    @pytest.mark.parametrize("who, status, has_form", [
        ("course_staff", 200, True), ("platform_staff", 200, True), ("trainer", 200, False),
        ("beginner", 200, False), ("learner", 404, False), ("outsider", 404, False), ("other_staff", 404, False),
    ])
    def test_who_reaches_it(self, cast, badge, who, status, has_form):
        response = client_for(cast[who]).get(course_url())
        assert response.status_code == status
        if status == 200:
            html = response.content.decode()
            assert "Python basics" in html
            assert ('class="mentora-badges-new-form"' in html) is has_form
            assert ('name="for_trainers"' in html) is (who == "platform_staff")

    def test_learners_cannot_reach_the_class_page_either(self, cast, badge):
        for who in ("learner", "outsider", "other_trainer"):
            assert client_for(cast[who]).get(class_url(badge)).status_code == 404

    def test_counts_and_platform_classes(self, cast, badge):
        platform = make_class(cast["platform_staff"], course_key=None, name="Platform helper")
        api.award_badge(cast["trainer"], badge.id, cast["learner"])
        revoked = api.award_badge(cast["trainer"], badge.id, cast["learner2"])
        api.revoke_award(cast["trainer"], revoked.id, "Too early.")
        html = client_for(cast["course_staff"]).get(course_url()).content.decode()
        row = re.search(rf'<tr data-badge-class="{badge.public_id}">(.*?)</tr>', html, re.S).group(1)
        assert re.findall(r"<td>(\d+)</td>", row) == ["1", "2"]
        platform_row = re.search(rf'<tr data-badge-class="{platform.public_id}">(.*?)</tr>', html, re.S).group(1)
        assert "The whole platform" in platform_row and "href" not in platform_row  # staff of a course: no page

    def test_staff_create_a_class(self, cast):
        response = client_for(cast["course_staff"]).post(course_url(), {
            "name": "SQL joins", "description": "Joins tables.", "criteria": "Write **three** joins.",
            "image": _upload(png_bytes(), "joins.png"), "kind": "competency", "skills": ["python", "writing"],
            "expiry": "duration", "valid_days": "90",
        })
        created = BadgeClass.objects.get(name="SQL joins")
        assert response.status_code == 302 and response["Location"] == class_url(created)
        assert (created.course_key, created.kind, created.skills, created.valid_days, created.image_type) == (
            COURSE, "competency", ["python", "writing"], 90, "png")
        assert not created.for_trainers

    @pytest.mark.parametrize("change, field_id, message", [
        ({"name": ""}, "id_name", "This field is required."),
        ({"image": "text"}, "id_image", "The image must be a PNG or an SVG file."),
        ({"expiry": "date"}, "id_expires_on", "Give the date the badge expires on."),
        ({"expiry": "date", "expires_on": "2001-01-01"}, "id_expires_on", "The expiry date must be in the future."),
        ({"expiry": "none", "valid_days": "30"}, "id_expiry", "A badge that never expires has no expiry date"),
    ])
    def test_refusals_are_shown_next_to_their_field(self, cast, change, field_id, message):
        data = {"name": "SQL joins", "description": "Joins tables.", "criteria": "Joins.", "kind": "badge",
                "expiry": "none", "image": _upload(png_bytes(), "joins.png")}
        data.update(change)
        if change.get("image") == "text":
            data["image"] = _upload(b"just some text", "notes.png")
        response = client_for(cast["course_staff"]).post(course_url(), data)
        assert response.status_code == 400
        assert message in field_error(response.content.decode(), field_id)
        assert not BadgeClass.objects.filter(name="SQL joins").exists()

    def test_a_trainer_cannot_create_and_platform_staff_may_make_trainers_badges(self, cast):
        data = {"name": "Mentor", "description": "Good.", "criteria": "Good.", "kind": "badge", "expiry": "none"}
        response = client_for(cast["trainer"]).post(course_url(), {**data, "image": _upload(png_bytes(), "a.png")})
        assert response.status_code == 403
        client_for(cast["course_staff"]).post(course_url(), {**data, "for_trainers": "on",
                                                             "image": _upload(png_bytes(), "a.png")})
        assert not BadgeClass.objects.get(name="Mentor").for_trainers  # the field is not theirs: ignored
        client_for(cast["platform_staff"]).post(course_url(), {**data, "name": "Mentor 2", "for_trainers": "on",
                                                               "image": _upload(png_bytes(), "a.png")})
        assert BadgeClass.objects.get(name="Mentor 2").for_trainers

    def test_every_form_needs_its_csrf_token(self, cast, badge):
        staff = client_for(cast["course_staff"], enforce_csrf=True)
        assert staff.post(course_url(), {"name": "x"}).status_code == 403
        assert staff.post(class_url(badge), {"action": "award"}).status_code == 403
        html = staff.get(class_url(badge)).content.decode()
        assert html.count("<form") == html.count('name="csrfmiddlewaretoken"') >= 2


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- one class --------------------------------------------------------------------------------------------------------


class TestClassPage:
    def test_the_roster_offers_the_course_learners(self, cast, badge):
        html = client_for(cast["trainer"]).get(class_url(badge)).content.decode()
        select = re.search(r'<select name="award-recipient".*?</select>', html, re.S).group(0)
        assert f'value="{cast["learner"].pk}"' in select and "Lea Rner (learner)" in select
        assert f'value="{cast["outsider"].pk}"' not in select

    def test_a_trainer_awards_with_a_note_and_evidence(self, cast, badge):
        trainer = client_for(cast["trainer"])
        response = trainer.post(class_url(badge), {
            "action": "award", "award-recipient": str(cast["learner"].pk), "award-narrative": "Great pipeline.",
            "award-evidence_url": "https://example.org/work", "award-evidence_name": "The work",
        })
        assert response.status_code == 302 and response["Location"] == class_url(badge)
        award = BadgeAward.objects.get(recipient=cast["learner"])
        assert (award.issued_by, award.narrative, award.evidence) == (
            cast["trainer"], "Great pipeline.", [{"url": "https://example.org/work", "name": "The work",
                                                 "narrative": ""}])
        page = trainer.get(class_url(badge)).content.decode()
        assert "Lea Rner was awarded “Python basics”." in page
        assert "Lea Rner" in re.search(r'<tr data-award-id="\d+">(.*?)</tr>', page, re.S).group(1)

    def test_refusals_in_words_next_to_the_recipient(self, cast, badge):
        api.award_badge(cast["trainer"], badge.id, cast["learner"])
        response = client_for(cast["trainer"]).post(class_url(badge), {
            "action": "award", "award-recipient": str(cast["learner"].pk)})
        assert response.status_code == 409
        assert "This person already holds this badge." in field_error(response.content.decode(), "id_award-recipient")

        beginner = client_for(cast["beginner"])
        page = beginner.get(class_url(badge))
        assert page.status_code == 200
        assert "Your trainer level does not let you award badges in this course yet." in page.content.decode()
        response = beginner.post(class_url(badge), {"action": "award", "award-recipient": str(cast["learner2"].pk)})
        assert response.status_code == 403
        assert "Your trainer level does not let you award badges" in field_error(response.content.decode(),
                                                                                 "id_award-recipient")
        assert not BadgeAward.objects.filter(recipient=cast["learner2"]).exists()
        # The bulk form says so too, before saying anything about which usernames exist.
        response = beginner.post(class_url(badge), {"action": "bulk", "bulk-usernames": "learner2\nghost\n"})
        assert response.status_code == 403
        bulk_error = field_error(response.content.decode(), "id_bulk-usernames")
        assert "Your trainer level does not let you award badges" in bulk_error and "ghost" not in bulk_error

        response = client_for(cast["trainer"]).post(class_url(badge), {"action": "award", "award-recipient": "",
                                                                       "award-evidence_url": "ftp://x"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "This field is required." in field_error(html, "id_award-recipient")
        assert "Enter a valid URL." in field_error(html, "id_award-evidence_url")

    def test_platform_badges_are_given_by_username(self, cast):
        platform = make_class(cast["platform_staff"], course_key=None, name="Platform helper")
        staff = client_for(cast["platform_staff"])
        html = staff.get(class_url(platform)).content.decode()
        assert '<input type="text" name="award-recipient"' in html
        response = staff.post(class_url(platform), {"action": "award", "award-recipient": "nobody-here"})
        assert response.status_code == 404
        assert "No active user has this username." in field_error(response.content.decode(), "id_award-recipient")
        assert staff.post(class_url(platform), {"action": "award", "award-recipient": "outsider"}).status_code == 302
        assert BadgeAward.objects.get(badge_class_id=platform.id).recipient == cast["outsider"]

    def test_bulk_award(self, cast, badge, make_user):
        trainer = client_for(cast["trainer"])
        response = trainer.post(class_url(badge), {"action": "bulk", "bulk-usernames": "learner\nghost | hi\n"})
        assert response.status_code == 400
        assert "ghost" in field_error(response.content.decode(), "id_bulk-usernames")
        assert not BadgeAward.objects.exists()

        api.award_badge(cast["trainer"], badge.id, cast["learner2"])
        response = trainer.post(class_url(badge), {
            "action": "bulk", "bulk-usernames": "learner | Well done\n\nlearner2\noutsider\nlearner | again"})
        assert response.status_code == 302
        assert BadgeAward.objects.get(recipient=cast["learner"]).narrative == "Well done"
        assert not BadgeAward.objects.filter(recipient=cast["outsider"]).exists()
        page = trainer.get(class_url(badge)).content.decode()
        assert "Awarded to 1 person: learner." in page and "Already held by: learner2." in page
        assert "Not awarded to outsider: This person is not enrolled in the badge&#x27;s course." in page

        response = trainer.post(class_url(badge), {"action": "bulk", "bulk-usernames": " | a note, no username\n"})
        assert "Give at least one username." in field_error(response.content.decode(), "id_bulk-usernames")

    def test_revoke_needs_a_reason_and_renew_says_why_not(self, cast, badge):
        award = api.award_badge(cast["trainer"], badge.id, cast["learner"])
        staff = client_for(cast["course_staff"])
        response = staff.post(class_url(badge), {"action": "revoke", "award_id": str(award.id),
                                                 f"revoke-{award.id}-reason": "  "})
        assert response.status_code == 400
        assert "This field is required." in field_error(response.content.decode(), f"id_revoke-{award.id}-reason")
        assert BadgeAward.objects.get(pk=award.id).revoked_at is None

        response = staff.post(class_url(badge), {"action": "renew", "award_id": str(award.id)})
        assert response.status_code == 409
        row = re.search(rf'<tr data-award-id="{award.id}">(.*?)</tr>', response.content.decode(), re.S).group(1)
        assert 'role="alert"' in row and "can be renewed" in row and 'value="renew"' not in row  # not soon

        soon = api.award_badge(cast["trainer"], badge.id, cast["learner2"],
                               now=timezone.now() - timedelta(days=350))  # expires in 15 days
        row = re.search(rf'<tr data-award-id="{soon.id}">(.*?)</tr>', staff.get(class_url(badge)).content.decode(),
                        re.S).group(1)
        assert 'value="renew"' in row
        assert staff.post(class_url(badge), {"action": "renew", "award_id": str(soon.id)}).status_code == 302
        renewed = BadgeAward.objects.get(recipient=cast["learner2"], source_key=f"renewal:{soon.public_id}")
        assert renewed.expires_on > timezone.now() + timedelta(days=360)

        response = staff.post(class_url(badge), {"action": "revoke", "award_id": str(award.id),
                                                 f"revoke-{award.id}-reason": "Copied work."})
        assert response.status_code == 302
        assert BadgeAward.objects.get(pk=award.id).revocation_reason == "Copied work."
        html = staff.get(class_url(badge)).content.decode()
        assert "Reason: Copied work." in html and f'name="revoke-{award.id}-reason"' not in html

    def test_another_class_award_cannot_be_revoked_from_here(self, cast, badge):
        other = make_class(cast["course_staff"], name="Other")
        award = api.award_badge(cast["trainer"], other.id, cast["learner"])
        response = client_for(cast["course_staff"]).post(class_url(badge), {
            "action": "revoke", "award_id": str(award.id), f"revoke-{award.id}-reason": "No."})
        assert response.status_code == 404
        assert BadgeAward.objects.get(pk=award.id).revoked_at is None


# --- navigation -------------------------------------------------------------------------------------------------------


class TestNavigation:
    def test_the_header_links(self, cast, badge):
        def nav(user) -> str:
            html = client_for(user).get(reverse("mentora-badges:pages-mine")).content.decode()
            return re.search(r'<nav class="mentora-nav".*?</nav>', html, re.S).group(0)

        mine, manage = reverse("mentora-badges:pages-mine"), reverse("mentora-badges:pages-courses")
        assert f'href="{mine}" aria-current="page">My badges' in nav(cast["learner"])
        assert manage not in nav(cast["learner"])
        for who in ("trainer", "platform_staff"):
            assert f'href="{manage}">Badges</a>' in nav(cast[who])

    def test_the_courses_index(self, cast):
        html = client_for(cast["trainer"]).get(reverse("mentora-badges:pages-courses")).content.decode()
        assert f'href="{course_url()}">Badges 101</a>' in html and "you are one of its trainers" in html
        html = client_for(cast["learner"]).get(reverse("mentora-badges:pages-courses")).content.decode()
        assert "You do not manage or award badges in any course." in html
