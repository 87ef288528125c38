"""
The trainers' Django admin drives the same API: records are read-only; level locks and rating moderation go through
``levels`` and ``ratings`` with a reason asked on an intermediate page (refused without one); disputes link to
their staff page; the skill taxonomy is editable.
"""
from __future__ import annotations

import pytest
from django.utils import timezone

from mentora_plugin.trainers import levels
from mentora_plugin.trainers.models import (
    Dispute,
    DisputeNote,
    LevelChange,
    Skill,
    TrainerActivity,
    TrainerProfile,
    TrainerRating,
)
from tests.conftest import COURSE

pytestmark = pytest.mark.django_db

ADMIN = "/admin/mentora_trainers/"


@pytest.fixture
def root(client, make_user):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


@pytest.fixture
def records(make_user):
    trainer, learner = make_user("coach"), make_user("learner")
    levels.start_first_level(trainer)
    activity = TrainerActivity.objects.create(kind="session", source_id="1", trainer=trainer, learner=learner,
                                              course_key=COURSE, occurred_at=timezone.now())
    rating = TrainerRating.objects.create(activity=activity, trainer=trainer, learner=learner, course_key=COURSE,
                                          stars=1, comment="Abusive words.", created=timezone.now())
    dispute = Dispute.objects.create(reporter=learner, reported=trainer, course_key=COURSE, activity=activity,
                                     description="Never came.")
    DisputeNote.objects.create(dispute=dispute, author=None, body="A staff note in the inline.")
    Skill.objects.create(slug="python", name="Python")
    return {"trainer": trainer, "learner": learner, "activity": activity, "rating": rating, "dispute": dispute,
            "profile": TrainerProfile.objects.get(user=trainer)}


MODELS = ("skill", "trainerprofile", "trainerrating", "traineractivity", "levelchange", "dispute")
READ_ONLY = {
    "trainerprofile": "profile", "trainerrating": "rating", "traineractivity": "activity", "dispute": "dispute",
}


def test_every_changelist_renders(client, root, records):
    for model in MODELS:
        response = client.get(f"{ADMIN}{model}/")
        assert response.status_code == 200, model
    assert "coach" in client.get(f"{ADMIN}trainerprofile/?q=coach").content.decode()


def test_records_cannot_be_added_changed_or_deleted(client, root, records):
    for model, key in READ_ONLY.items():
        obj = records[key]
        assert client.get(f"{ADMIN}{model}/add/").status_code == 403, model
        assert client.post(f"{ADMIN}{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403, model
        assert client.get(f"{ADMIN}{model}/{obj.pk}/change/").status_code == 200, model  # viewable
        assert client.post(f"{ADMIN}{model}/{obj.pk}/change/", {}).status_code == 403, model
    change = LevelChange.objects.get()
    assert client.get(f"{ADMIN}levelchange/add/").status_code == 403
    assert client.post(f"{ADMIN}levelchange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TrainerRating.objects.get().comment == "Abusive words." and Dispute.objects.count() == 1
    assert client.post(f"{ADMIN}skill/{Skill.objects.get().pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_dispute_shows_its_notes_and_links_to_its_staff_page(client, root, records):
    dispute = records["dispute"]
    page = client.get(f"{ADMIN}dispute/{dispute.pk}/change/").content.decode()
    assert "A staff note in the inline." in page
    assert f'href="/mentora/trainers/disputes/{dispute.pk}/"' in page
    assert f'href="/mentora/trainers/disputes/{dispute.pk}/"' in client.get(f"{ADMIN}dispute/").content.decode()


def test_the_level_lock_asks_a_reason_and_goes_through_the_levels_api(client, root, records):
    profile = records["profile"]
    chosen = {"action": "lock_level", "_selected_action": [profile.pk]}
    page = client.post(f"{ADMIN}trainerprofile/", chosen)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()  # the intermediate page
    refused = client.post(f"{ADMIN}trainerprofile/", {**chosen, "apply": "1", "reason": "  "})
    assert refused.status_code == 400 and "Give a reason" in refused.content.decode()
    profile.refresh_from_db()
    assert not profile.level_locked and not LevelChange.objects.filter(kind="lock").exists()

    done = client.post(f"{ADMIN}trainerprofile/", {**chosen, "apply": "1", "reason": "Complaint under review."})
    assert done.status_code == 302
    profile.refresh_from_db()
    assert (profile.level_locked, profile.level_lock_reason) == (True, "Complaint under review.")
    lock = LevelChange.objects.get(kind="lock")
    assert (lock.actor, lock.reason) == (root, "Complaint under review.")

    client.post(f"{ADMIN}trainerprofile/", {"action": "unlock_level", "_selected_action": [profile.pk],
                                            "apply": "1", "reason": "Cleared."})
    profile.refresh_from_db()
    assert not profile.level_locked and LevelChange.objects.get(kind="unlock").reason == "Cleared."


def test_an_api_refusal_is_reported_not_hidden(client, root, records, make_user):
    applicant = TrainerProfile.objects.create(user=make_user("applicant"))  # not an active trainer
    response = client.post(f"{ADMIN}trainerprofile/", {"action": "lock_level", "_selected_action": [applicant.pk],
                                                       "apply": "1", "reason": "Why not."}, follow=True)
    assert "No such trainer." in response.content.decode()
    applicant.refresh_from_db()
    assert not applicant.level_locked


def test_ratings_are_hidden_and_shown_with_a_reason_through_the_ratings_api(client, root, records):
    rating = records["rating"]
    chosen = {"action": "hide", "_selected_action": [rating.pk]}
    assert 'name="reason"' in client.post(f"{ADMIN}trainerrating/", chosen).content.decode()
    assert client.post(f"{ADMIN}trainerrating/", {**chosen, "apply": "1", "reason": ""}).status_code == 400
    rating.refresh_from_db()
    assert not rating.is_hidden
    assert client.post(f"{ADMIN}trainerrating/", {**chosen, "apply": "1", "reason": "Insults."}).status_code == 302
    rating.refresh_from_db()
    assert (rating.is_hidden, rating.hidden_reason, rating.hidden_by) == (True, "Insults.", root)
    client.post(f"{ADMIN}trainerrating/", {"action": "show", "_selected_action": [rating.pk], "apply": "1",
                                           "reason": "Appeal accepted."})
    rating.refresh_from_db()
    assert (rating.is_hidden, rating.hidden_reason) == (False, "Appeal accepted.")


def test_the_skill_taxonomy_is_edited_here(client, root, records):
    response = client.post(f"{ADMIN}skill/add/", {"slug": "sql", "name": "SQL", "description": "Databases.",
                                                  "parent": Skill.objects.get(slug="python").pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Skill.objects.get(slug="sql")
    assert (added.name, added.parent.slug, added.is_active) == ("SQL", "python", True)
    response = client.post(f"{ADMIN}skill/{added.pk}/change/", {"name": "SQL and databases", "description": "",
                                                                "parent": "", "is_active": ""})
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.slug, added.name, added.is_active, added.parent) == ("sql", "SQL and databases", False, None)
