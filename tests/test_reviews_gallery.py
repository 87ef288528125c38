"""
The gallery: featuring needs approved work and the trainer level's ``feature_projects`` (refused by level through the
API, the REST API and the page); nothing is shown before consent (every team member's), a withdrawal removes the
entry from every listing at once; per-course and platform-wide listings, skill tags, kudos once, a trainer's
showcase, taking work out; and privacy: a learner never sees another learner's work except a consented entry.
"""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.host.api import record_enrollment
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import GalleryEntry, Kudos, SubmissionFile
from mentora_plugin.trainers.models import Skill, TrainerProfile, TrainerScope
from tests import test_reviews_queue as queue_tests
from tests.conftest import COURSE, OTHER_COURSE, at
from tests.test_reviews_queue import approve, make_project, make_submission, make_team

pytestmark = pytest.mark.django_db

# The queue tests' fixtures: the people of two courses, and throttles out of the way.
cast = queue_tests.cast
_fresh_throttles = queue_tests._fresh_throttles

V1 = "/api/mentora/v1/reviews/"


def make_advanced(user, course=COURSE) -> TrainerProfile:
    """An active trainer of ``course`` whose level (advanced) unlocks featuring."""
    profile, _created = TrainerProfile.objects.get_or_create(user=user)
    profile.status, profile.level, profile.activated_at = TrainerProfile.Status.ACTIVE, "advanced", timezone.now()
    profile.save()
    TrainerScope.objects.create(profile=profile, kind="course", course_key=course, granted_at=timezone.now())
    return profile


@pytest.fixture
def gallery(cast):
    """An advanced trainer (``trainer``), a beginner one (``trainer2``), skills, and Lea's approved essay."""
    make_advanced(cast["trainer"])
    Skill.objects.create(slug="writing", name="Writing")
    Skill.objects.create(slug="python", name="Python")
    project = make_project(title="Build a portfolio")
    essay = make_submission(project, cast["learner"], text="My portfolio, three pages long.",
                            links=["https://example.com/mine"])
    approve(essay, cast["trainer"], feedback="A **clear** and complete portfolio.")
    return {"project": project, "essay": essay}


def refused(call, *args, **kwargs) -> api.ReviewsError:
    with pytest.raises(api.ReviewsError) as error:
        call(*args, **kwargs)
    return error.value


def listed(viewer, **filters) -> list[int]:
    return [entry.submission_id for entry in api.list_gallery(viewer=viewer, **filters)]


def rest(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- featuring ------------------------------------------------------------------------------------------------------


class TestFeaturing:
    def test_featuring_needs_the_level_capability(self, cast, gallery):
        essay = gallery["essay"]
        error = refused(api.feature_submission, cast["trainer2"], essay.pk)  # a trainer of the course, beginner
        assert (error.code, error.status) == ("capability_refused", 403)
        answer = rest(cast["trainer2"]).post(V1 + f"submissions/{essay.pk}/feature/", {"skills": []}, format="json")
        assert (answer.status_code, answer.json()["error_code"]) == (403, "capability_refused")
        assert not GalleryEntry.objects.exists()
        make_advanced(cast["trainer2"])  # the level moved up: allowed at once
        assert api.feature_submission(cast["trainer2"], essay.pk).featured_by_username == "trainer2"

    def test_a_suspended_trainer_is_refused_whatever_the_course_staff_granted(self, cast, gallery):
        TrainerProfile.objects.filter(user=cast["trainer"]).update(status=TrainerProfile.Status.SUSPENDED)
        assert refused(api.feature_submission, cast["trainer"], gallery["essay"].pk).code == "capability_refused"

    def test_only_approved_work_of_a_course_they_review(self, cast, gallery):
        waiting = make_submission(gallery["project"], cast["learner2"])
        assert refused(api.feature_submission, cast["trainer"], waiting.pk).code == "not_approved"
        other = make_submission(make_project(OTHER_COURSE, "theirs"), cast["outsider"])
        approve(other, cast["other_trainer"])
        make_advanced(cast["trainer"], OTHER_COURSE)  # a level there is not a trainer role there
        assert refused(api.feature_submission, cast["trainer"], other.pk).code == "submission_not_found"
        assert refused(api.feature_submission, cast["learner"], gallery["essay"].pk).code == "submission_not_found"

    def test_a_trainer_who_also_learns_cannot_feature_their_own_work(self, cast, gallery):
        own = make_submission(gallery["project"], cast["trainer"], text="My own capstone.")
        approve(own, cast["trainer2"])
        error = refused(api.feature_submission, cast["trainer"], own.pk)
        assert (error.code, error.status) == ("own_work", 403)
        assert not GalleryEntry.objects.filter(submission=own).exists()

    def test_skills_are_checked_and_featuring_again_changes_them(self, cast, gallery):
        essay = gallery["essay"]
        assert refused(api.feature_submission, cast["trainer"], essay.pk, ["cooking"]).code == "invalid_skill"
        entry = api.feature_submission(cast["trainer"], essay.pk, ["writing"])
        assert [skill.name for skill in entry.skills] == ["Writing"]
        again = api.feature_submission(cast["trainer"], essay.pk, ["python", "writing"])
        assert again.id == entry.id and [skill.slug for skill in again.skills] == ["python", "writing"]
        assert again.featured_at == entry.featured_at


# --- consent --------------------------------------------------------------------------------------------------------


class TestConsent:
    def test_nothing_is_shown_before_consent_and_withdrawal_removes_it_at_once(self, cast, gallery):
        essay, learner, peer = gallery["essay"], cast["learner"], cast["learner2"]
        entry = api.feature_submission(cast["trainer"], essay.pk, ["writing"])
        assert entry.shown is False
        assert listed(peer) == [] and listed(peer, course_key=COURSE) == []
        assert refused(api.get_gallery_entry, entry.id, peer).code == "gallery_entry_not_found"
        assert rest(peer).get(V1 + f"gallery/{entry.id}/").status_code == 404

        state = api.set_gallery_consent(learner, essay.pk, True)
        assert (state.consented, state.all_consented, state.featured, state.shown) == (True, True, True, True)
        assert listed(peer) == [essay.pk] and listed(peer, course_key=COURSE) == [essay.pk]
        shown = api.get_gallery_entry(entry.id, peer)
        assert shown.text == "My portfolio, three pages long." and shown.authors == ("Lea Rner",)

        lazy = api.list_gallery(viewer=peer)  # a listing made before the withdrawal, read after it
        api.set_gallery_consent(learner, essay.pk, False)
        assert list(lazy) == [] and listed(peer) == [] and listed(cast["platform_staff"]) == []
        assert refused(api.get_gallery_entry, entry.id, peer).code == "gallery_entry_not_found"
        assert api.featured_by(cast["trainer"]).count() == 0

    def test_consent_may_come_first_and_only_from_an_author(self, cast, gallery):
        essay = gallery["essay"]
        assert refused(api.set_gallery_consent, cast["learner2"], essay.pk, True).code == "submission_not_found"
        assert refused(api.set_gallery_consent, cast["trainer"], essay.pk, True).code == "submission_not_found"
        assert api.set_gallery_consent(cast["learner"], essay.pk, True).featured is False
        assert listed(cast["learner2"]) == []
        api.feature_submission(cast["trainer"], essay.pk)
        assert listed(cast["learner2"]) == [essay.pk]

    def test_a_team_entry_needs_every_member(self, cast, gallery, make_user):
        third = make_user("third")
        project = make_project(name="team", team_mode=True)
        team = make_team(project, "The Owls", cast["learner"], cast["learner2"], third)
        work = make_submission(project, team=team)
        approve(work, cast["trainer"])
        api.feature_submission(cast["trainer"], work.pk)
        assert api.set_gallery_consent(cast["learner"], work.pk, True).all_consented is False
        assert api.set_gallery_consent(cast["learner2"], work.pk, True).shown is False
        assert listed(cast["trainer2"]) == []
        assert api.set_gallery_consent(third, work.pk, True).shown is True
        (entry,) = api.list_gallery(viewer=cast["trainer2"])
        assert (entry.team_name, sorted(entry.authors)) == ("The Owls", ["Lea Rner", "Leo", "third"])
        api.set_gallery_consent(cast["learner2"], work.pk, False)  # one member withdraws: out at once
        assert listed(cast["trainer2"]) == []

    def test_a_new_team_member_must_consent_too(self, cast, gallery, make_user):
        project = make_project(name="team", team_mode=True)
        team = make_team(project, "The Owls", cast["learner"], cast["learner2"])
        work = make_submission(project, team=team)
        approve(work, cast["trainer"])
        api.feature_submission(cast["trainer"], work.pk)
        for member in (cast["learner"], cast["learner2"]):
            api.set_gallery_consent(member, work.pk, True)
        assert listed(cast["trainer2"]) == [work.pk]
        newcomer = make_user("newcomer")
        record_enrollment(newcomer.pk, COURSE, "audit", True, at(0))
        api.set_team_members(cast["course_staff"], team.pk, [cast["learner"], cast["learner2"], newcomer])
        assert listed(cast["trainer2"]) == []  # shown with their name, unasked: no
        assert api.set_gallery_consent(newcomer, work.pk, True).shown is True
        assert listed(cast["trainer2"]) == [work.pk]

    def test_rest_consent(self, cast, gallery):
        essay = gallery["essay"]
        api.feature_submission(cast["trainer"], essay.pk)
        url = V1 + f"submissions/{essay.pk}/consent/"
        body = rest(cast["learner"]).put(url, {"consent": True}, format="json").json()
        assert (body["consented"], body["shown"]) == (True, True)
        assert rest(cast["learner2"]).put(url, {"consent": True}, format="json").status_code == 404
        assert rest(cast["learner"]).put(url, {"consent": "perhaps"}, format="json").status_code == 400
        assert rest(cast["learner"]).put(url, {"consent": False}, format="json").json()["shown"] is False
        assert rest(cast["learner2"]).get(V1 + "gallery/").json()["results"] == []


# --- listing and privacy --------------------------------------------------------------------------------------------


@pytest.fixture
def shown(cast, gallery):
    essay = gallery["essay"]
    SubmissionFile.objects.create(
        submission=essay, version=essay.versions.get(), file=ContentFile(b"%PDF-1.4 portfolio", name="p.pdf"),
        name="portfolio.pdf", size=18, content_type="application/pdf", uploaded_at=timezone.now(),
    )
    api.set_gallery_consent(cast["learner"], essay.pk, True)
    return api.feature_submission(cast["trainer"], essay.pk, ["writing"])


class TestListing:
    def test_an_entry_carries_excerpt_files_feedback_and_skills(self, cast, shown, settings, tmp_path):
        (entry,) = api.list_gallery(viewer=cast["learner2"])
        assert entry.excerpt == "My portfolio, three pages long." and entry.text == ""
        assert entry.links == ("https://example.com/mine",)
        assert [item.name for item in entry.files] == ["portfolio.pdf"]
        assert entry.feedback_summary == "A **clear** and complete portfolio."
        assert (entry.course_title, entry.featured_by_name, entry.kudos_count) == ("Projects 101", "Tara Iner", 0)

    def test_per_course_for_its_people_and_platform_wide_for_everyone_signed_in(self, cast, shown):
        essay = shown.submission_id
        assert listed(cast["outsider"]) == [essay]  # signed in, another course: the platform-wide gallery
        error = refused(api.list_gallery, course_key=COURSE, viewer=cast["outsider"])
        assert (error.code, error.status) == ("permission_denied", 403)
        assert listed(cast["learner2"], course_key=COURSE) == [essay]
        assert listed(cast["outsider"], course_key=OTHER_COURSE) == []
        assert refused(api.list_gallery, viewer=None).status == 403
        assert rest(cast["outsider"]).get(V1 + "gallery/", {"course_id": str(COURSE)}).status_code == 403
        assert APIClient().get(V1 + "gallery/").status_code == 401

    def test_skill_filter(self, cast, shown):
        assert listed(cast["learner2"], skill="writing") == [shown.submission_id]
        assert listed(cast["learner2"], skill="python") == []
        assert listed(cast["learner2"], skill="writ") == []

    def test_a_learner_never_sees_another_learners_work_except_a_consented_entry(self, cast, gallery, client):
        essay = gallery["essay"]
        peer = cast["learner2"]
        entry = api.feature_submission(cast["trainer"], essay.pk)
        file_row = SubmissionFile.objects.create(
            submission=essay, version=essay.versions.get(), file=ContentFile(b"secret", name="s.txt"),
            name="secret.txt", size=6, uploaded_at=timezone.now(),
        )
        client.force_login(peer)
        # Featured, not consented: no listing, no entry, no file, by any door.
        assert listed(peer) == []
        assert client.get(f"/mentora/reviews/gallery/{entry.id}/").status_code == 404
        assert client.get(f"/mentora/reviews/gallery/{entry.id}/files/{file_row.pk}/").status_code == 404
        assert rest(peer).get(V1 + f"gallery/{entry.id}/").status_code == 404
        assert rest(peer).post(V1 + f"gallery/{entry.id}/kudos/").status_code == 404
        assert "My portfolio" not in client.get("/mentora/reviews/gallery/").content.decode()
        # Consented: the entry, and the file of the approved version.
        api.set_gallery_consent(cast["learner"], essay.pk, True)
        assert "My portfolio" in client.get(f"/mentora/reviews/gallery/{entry.id}/").content.decode()
        download = client.get(f"/mentora/reviews/gallery/{entry.id}/files/{file_row.pk}/")
        assert download.status_code == 200 and b"".join(download.streaming_content) == b"secret"
        # A file of another submission is not reachable through this entry.
        other = make_submission(gallery["project"], peer, text="Mine, private.")
        stray = SubmissionFile.objects.create(submission=other, version=other.versions.get(),
                                              file=ContentFile(b"private", name="x.txt"), name="x.txt", size=7,
                                              uploaded_at=timezone.now())
        assert client.get(f"/mentora/reviews/gallery/{entry.id}/files/{stray.pk}/").status_code == 404
        # The author and the course's reviewers see the entry while it waits for consent; nobody else.
        api.set_gallery_consent(cast["learner"], essay.pk, False)
        assert api.get_gallery_entry(entry.id, cast["learner"]).shown is False
        assert api.get_gallery_entry(entry.id, cast["trainer2"]).shown is False
        assert refused(api.get_gallery_entry, entry.id, cast["outsider"]).status == 404

    def test_a_page_costs_the_same_for_2_and_12_entries(self, cast, gallery, make_user):
        for index in range(12):
            learner = make_user(f"g{index}")
            work = make_submission(gallery["project"], learner, text=f"Work {index}")
            approve(work, cast["trainer"])
            SubmissionFile.objects.create(submission=work, version=work.versions.get(), file=f"f{index}.pdf",
                                          name=f"f{index}.pdf", size=1, uploaded_at=timezone.now())
            api.set_gallery_consent(learner, work.pk, True)
            api.feature_submission(cast["trainer"], work.pk, ["writing"])
        counts = []
        for size in (2, 12):
            with CaptureQueriesContext(connection) as queries:
                page = Paginator(api.list_gallery(viewer=cast["learner2"]), size).get_page(1)
                assert len(list(page.object_list)) == size
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 8


# --- kudos ----------------------------------------------------------------------------------------------------------


class TestKudos:
    def test_once_per_person_never_to_ones_own_work(self, cast, shown):
        entry = api.give_kudos(cast["learner2"], shown.id)
        assert (entry.kudos_count, entry.kudos_given) == (1, True)
        error = refused(api.give_kudos, cast["learner2"], shown.id)
        assert (error.code, error.status) == ("already_given", 409)
        assert refused(api.give_kudos, cast["learner"], shown.id).code == "own_work"
        assert api.give_kudos(cast["trainer2"], shown.id).kudos_count == 2
        assert Kudos.objects.filter(entry_id=shown.id).count() == 2
        assert api.get_gallery_entry(shown.id, cast["outsider"]).kudos_given is False

    def test_rest_kudos(self, cast, shown):
        url = V1 + f"gallery/{shown.id}/kudos/"
        first = rest(cast["learner2"]).post(url)
        assert (first.status_code, first.json()["kudos_count"]) == (201, 1)
        again = rest(cast["learner2"]).post(url)
        assert (again.status_code, again.json()["error_code"]) == (409, "already_given")
        assert rest(cast["learner2"]).get(V1 + f"gallery/{shown.id}/").json()["kudos_given"] is True

    def test_the_page_counts_kudos(self, cast, shown, client):
        client.force_login(cast["learner2"])
        answer = client.post(f"/mentora/reviews/gallery/{shown.id}/", {"action": "kudos"}, follow=True)
        assert "Thank you: your kudos are counted." in answer.content.decode()
        again = client.post(f"/mentora/reviews/gallery/{shown.id}/", {"action": "kudos"})
        assert again.status_code == 409 and "You already gave kudos" in again.content.decode()
        assert GalleryEntry.objects.get(pk=shown.id).kudos_count == 1


# --- showcase and taking out ----------------------------------------------------------------------------------------


class TestShowcaseAndTakingOut:
    def test_a_trainers_showcase(self, cast, shown, client):
        assert [entry.id for entry in api.featured_by(cast["trainer"])] == [shown.id]
        assert api.featured_by(cast["trainer2"]).count() == 0
        client.force_login(cast["outsider"])
        page = client.get("/mentora/reviews/gallery/trainers/trainer/").content.decode()
        assert "Projects featured by Tara Iner" in page and f'href="/mentora/reviews/gallery/{shown.id}/"' in page
        assert client.get("/mentora/reviews/gallery/trainers/nobody/").status_code == 404

    def test_who_may_take_work_out(self, cast, shown):
        assert refused(api.unfeature, cast["trainer2"], shown.id).code == "permission_denied"
        assert refused(api.unfeature, cast["learner2"], shown.id).code == "permission_denied"
        api.unfeature(cast["course_staff"], shown.id, "Wrong project.")
        assert listed(cast["learner2"]) == []
        entry = GalleryEntry.objects.get(pk=shown.id)
        assert entry.featured_at is None and entry.consented_at is not None  # the consent stays on record
        assert refused(api.unfeature, cast["trainer"], shown.id).code == "gallery_entry_not_found"

    def test_rest_feature_and_unfeature(self, cast, gallery):
        essay = gallery["essay"]
        url = V1 + f"submissions/{essay.pk}/feature/"
        answer = rest(cast["trainer"]).post(url, {"skills": ["writing", "nope"]}, format="json")
        assert (answer.status_code, answer.json()["error_code"]) == (400, "invalid_skill")
        body = rest(cast["trainer"]).post(url, {"skills": ["writing"]}, format="json").json()
        assert (body["shown"], body["skills"]) == (False, [{"slug": "writing", "name": "Writing"}])
        assert rest(cast["trainer2"]).delete(url).status_code == 403
        assert rest(cast["trainer"]).delete(url, {"reason": "Changed my mind."}, format="json").status_code == 204
        assert rest(cast["trainer"]).delete(url).status_code == 404

    def test_the_feature_page_refuses_by_level_next_to_the_form(self, cast, gallery, client):
        essay = gallery["essay"]
        client.force_login(cast["trainer2"])
        answer = client.post(f"/mentora/reviews/gallery/feature/{essay.pk}/", {"skills": ["writing"]})
        assert answer.status_code == 403
        assert "Your trainer level does not let you feature projects" in answer.content.decode()
        client.force_login(cast["trainer"])
        done = client.post(f"/mentora/reviews/gallery/feature/{essay.pk}/", {"skills": ["writing"]})
        entry = GalleryEntry.objects.get(submission=essay)
        assert done.status_code == 302 and done["Location"] == f"/mentora/reviews/gallery/{entry.pk}/"

    def test_the_consent_page(self, cast, gallery, client):
        essay = gallery["essay"]
        client.force_login(cast["learner"])
        url = f"/mentora/reviews/gallery/consent/{essay.pk}/"
        assert "You do not consent to show this work." in client.get(url).content.decode()
        client.post(url, {"consent": "yes"})
        assert api.gallery_consent(cast["learner"], essay.pk).consented is True
        client.force_login(cast["learner2"])
        assert client.get(url).status_code == 404


# --- the admin ------------------------------------------------------------------------------------------------------


class TestAdmin:
    ADMIN = "/admin/mentora_reviews/"

    def test_records_render_read_only_and_taking_out_needs_a_reason(self, cast, shown, client, make_user):
        client.force_login(make_user("root", is_staff=True, is_superuser=True))
        essay = shown.submission_id
        for model in ("project", "submission", "review", "gradechange", "galleryentry"):
            assert client.get(f"{self.ADMIN}{model}/").status_code == 200, model
            assert client.get(f"{self.ADMIN}{model}/add/").status_code == 403, model
        assert "My portfolio, three pages long." in client.get(
            f"{self.ADMIN}submission/{essay}/change/").content.decode()  # the versions inline
        assert client.post(f"{self.ADMIN}submission/{essay}/delete/", {"post": "yes"}).status_code == 403
        action = {"action": "take_out", "_selected_action": [shown.id]}
        asking = client.post(f"{self.ADMIN}galleryentry/", action)
        assert asking.status_code == 200 and "Reason (kept with the change)" in asking.content.decode()
        without = client.post(f"{self.ADMIN}galleryentry/", {**action, "apply": "1", "reason": " "})
        assert without.status_code == 400 and GalleryEntry.objects.get(pk=shown.id).featured_at is not None
        client.post(f"{self.ADMIN}galleryentry/", {**action, "apply": "1", "reason": "Contains personal data."})
        assert GalleryEntry.objects.get(pk=shown.id).featured_at is None
        assert listed(cast["learner2"]) == []


def test_the_schema_documents_the_queue_and_gallery_endpoints(client, capsys):
    schema = client.get("/api/mentora/v1/schema/?format=json").json()
    warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line]
    assert not [line for line in warnings if "gallery" in line.lower() or "queue" in line.lower()], warnings
    paths = schema["paths"]
    for path, method in (("queue/", "get"), ("queue/counts/", "get"), ("gallery/", "get"),
                         ("gallery/{entry_id}/", "get"), ("gallery/{entry_id}/kudos/", "post"),
                         ("submissions/{submission_id}/feature/", "post"),
                         ("submissions/{submission_id}/feature/", "delete"),
                         ("submissions/{submission_id}/consent/", "put")):
        assert method in paths[V1 + path], (path, method)
    assert {"201", "409"} <= set(paths[V1 + "gallery/{entry_id}/kudos/"]["post"]["responses"])
    assert "403" in paths[V1 + "submissions/{submission_id}/feature/"]["post"]["responses"]
