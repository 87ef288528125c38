"""
The trainer queue: only the courses where the trainer reviews (every course for platform staff), oldest first, the
overdue flag against each project's target turnaround, claims (valid or expired), the filters, counts, a fixed
number of queries for a page whatever its size, and its page and REST endpoints.

The data is built with the models (what submitting and claiming leave behind), so that the queue is tested alone.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import Claim, Project, Review, Submission, SubmissionVersion, Team
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/reviews/"
RUBRIC = [{"key": "quality", "title": "Quality", "description": "", "weight": 1,
           "levels": [{"points": 0, "label": "Missing", "description": ""},
                      {"points": 5, "label": "Complete", "description": ""}]}]


# --- data, shared with the other reviews test modules ---------------------------------------------------------------


def make_project(course=COURSE, name="essay", **fields) -> Project:
    fields.setdefault("title", f"Project {name}")
    fields.setdefault("rubric", RUBRIC)
    return Project.objects.create(usage_key=course.make_usage_key("mentora_project", name), course_key=course,
                                  **fields)


def make_submission(project, learner=None, *, team=None, hours_ago: float = 1, status="submitted",
                    text="My work, in full.", links=()) -> Submission:
    """A submission as submitting leaves it: status, submission time, and its first version."""
    submitted = timezone.now() - timedelta(hours=hours_ago)
    submission = Submission.objects.create(project=project, learner=learner, team=team, status=status,
                                           submitted_at=submitted, draft_text=text)
    SubmissionVersion.objects.create(submission=submission, number=1, text=text, links=list(links),
                                     submitted_at=submitted, submitted_by=learner)
    return submission


def approve(submission, trainer, *, feedback="A **clear** and complete piece of work.", points=40.0) -> Review:
    """A released approving review of the latest version, as releasing leaves it."""
    version = submission.versions.order_by("-number").first()
    review = Review.objects.create(version=version, reviewer=trainer, outcome=Review.Outcome.APPROVED,
                                   points=points, feedback=feedback, released_at=timezone.now(),
                                   scores={"quality": {"level": 1, "comment": "Good."}})
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.APPROVED, points_earned=points)
    submission.refresh_from_db()
    return review


def make_team(project, name, *members) -> Team:
    team = Team.objects.create(project=project, name=name)
    team.members.set(members)
    return team


def claim(submission, trainer, *, minutes=60) -> Claim:
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.IN_REVIEW)
    return Claim.objects.create(submission=submission, trainer=trainer, claimed_at=now,
                                expires_at=now + timedelta(minutes=minutes))


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(make_user):
    host_api.record_course(COURSE, at(0), title="Projects 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other course")
    people = {
        "trainer": make_user("trainer", first_name="Tara", last_name="Iner"),
        "trainer2": make_user("trainer2", first_name="Theo"),
        "other_trainer": make_user("other_trainer"),
        "course_staff": make_user("course_staff"),
        "platform_staff": make_user("platform_staff", is_staff=True),
        "learner": make_user("learner", first_name="Lea", last_name="Rner"),
        "learner2": make_user("learner2", first_name="Leo"),
        "outsider": make_user("outsider"),
    }
    for name in ("learner", "learner2"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    host_api.grant_trainer_role(COURSE, people["trainer2"], granted_by=None)
    host_api.grant_trainer_role(OTHER_COURSE, people["other_trainer"], granted_by=None)
    host_api.record_course_role(CourseRoleRecord(user_id=people["course_staff"].pk, org=COURSE.org,
                                                 course_key=str(COURSE), role="staff", is_active=True), at(0))
    return people


def refused(call, *args, **kwargs) -> api.ReviewsError:
    with pytest.raises(api.ReviewsError) as error:
        call(*args, **kwargs)
    return error.value


def ids(items) -> list[int]:
    return [item.submission_id for item in items]


# --- scope ----------------------------------------------------------------------------------------------------------


class TestWhoSeesWhat:
    def test_a_trainer_sees_the_waiting_work_of_their_courses_only(self, cast):
        essay, other = make_project(), make_project(OTHER_COURSE, "other")
        mine = make_submission(essay, cast["learner"], hours_ago=3)
        in_review = make_submission(essay, cast["learner2"], hours_ago=2, status="in_review")
        elsewhere = make_submission(other, cast["outsider"], hours_ago=5)
        for status in ("draft", "changes_requested", "approved"):
            make_submission(make_project(name=f"p-{status}"), cast["learner"], status=status)
        assert ids(api.trainer_queue(cast["trainer"])) == [mine.pk, in_review.pk]
        assert ids(api.trainer_queue(cast["other_trainer"])) == [elsewhere.pk]
        # Course staff review too; platform staff everywhere, the longest waiting first.
        assert ids(api.trainer_queue(cast["course_staff"])) == [mine.pk, in_review.pk]
        assert ids(api.trainer_queue(cast["platform_staff"])) == [elsewhere.pk, mine.pk, in_review.pk]
        # A learner has no queue; a course they do not review is refused.
        assert ids(api.trainer_queue(cast["learner"])) == []
        error = refused(api.trainer_queue, cast["trainer"], course_key=OTHER_COURSE)
        assert (error.code, error.status) == ("permission_denied", 403)

    def test_a_revoked_trainer_loses_the_course(self, cast):
        make_submission(make_project(), cast["learner"])
        assert len(api.trainer_queue(cast["trainer"])) == 1
        host_api.revoke_trainer_role(COURSE, cast["trainer"], revoked_by=None)
        assert len(api.trainer_queue(cast["trainer"])) == 0

    def test_filters_by_state_course_and_project(self, cast):
        essay, poster = make_project(), make_project(name="poster")
        first = make_submission(essay, cast["learner"], hours_ago=4)
        second = make_submission(poster, cast["learner"], hours_ago=3, status="in_review")
        trainer = cast["trainer"]
        assert ids(api.trainer_queue(trainer, state="submitted")) == [first.pk]
        assert ids(api.trainer_queue(trainer, state="in_review")) == [second.pk]
        assert ids(api.trainer_queue(trainer, course_key=str(COURSE))) == [first.pk, second.pk]
        assert ids(api.trainer_queue(trainer, project=poster.pk)) == [second.pk]
        assert ids(api.trainer_queue(trainer, project=str(poster.usage_key))) == [second.pk]
        other = make_project(OTHER_COURSE, "theirs")
        assert refused(api.trainer_queue, trainer, project=other.pk).code == "project_not_found"
        for call, code in (
            (lambda: api.trainer_queue(trainer, state="done"), "invalid_state"),
            (lambda: api.trainer_queue(trainer, course_key="nope"), "invalid_course_key"),
            (lambda: api.trainer_queue(trainer, project="not a key"), "invalid_project"),
        ):
            assert refused(call).code == code


# --- what each item says ---------------------------------------------------------------------------------------------


class TestItems:
    def test_time_in_queue_target_and_overdue(self, cast):
        quick = make_project(name="quick", target_turnaround_hours=24)
        slow = make_project(name="slow", target_turnaround_hours=96)
        late = make_submission(quick, cast["learner"], hours_ago=30)
        fine = make_submission(slow, cast["learner"], hours_ago=50)
        fresh = make_submission(quick, cast["learner2"], hours_ago=2)
        items = {item.submission_id: item for item in api.trainer_queue(cast["trainer"])}
        assert [items[pk].overdue for pk in (late.pk, fine.pk, fresh.pk)] == [True, False, False]
        assert items[late.pk].target_turnaround_hours == 24
        assert 30 * 3600 - 60 <= items[late.pk].waiting_seconds <= 30 * 3600 + 60
        assert items[late.pk].due_by == late.submitted_at + timedelta(hours=24)
        assert (items[late.pk].submitter_name, items[late.pk].project_title) == ("Lea Rner", "Project quick")
        assert items[late.pk].url == f"/mentora/reviews/submissions/{late.pk}/"
        assert ids(api.trainer_queue(cast["trainer"], overdue_only=True)) == [late.pk]
        assert api.queue_counts(cast["trainer"]) == api.QueueCounts(waiting=3, overdue=1, claimed_by_me=0)

    def test_claims_valid_and_expired(self, cast):
        essay = make_project()
        held = make_submission(essay, cast["learner"], hours_ago=3)
        expired = make_submission(essay, cast["learner2"], hours_ago=2)
        claim(held, cast["trainer2"])
        claim(expired, cast["trainer"], minutes=-5)
        items = {item.submission_id: item for item in api.trainer_queue(cast["trainer"])}
        assert (items[held.pk].claimed_by_username, items[held.pk].claimed_by_name) == ("trainer2", "Theo")
        assert items[held.pk].claimed_until > timezone.now()
        assert (items[expired.pk].claimed_by_id, items[expired.pk].claimed_until) == (None, None)
        assert ids(api.trainer_queue(cast["trainer2"], claimed_by=cast["trainer2"])) == [held.pk]
        assert ids(api.trainer_queue(cast["trainer"], claimed_by=cast["trainer"])) == []
        assert api.queue_counts(cast["trainer2"]).claimed_by_me == 1
        assert api.queue_counts(cast["trainer"]).claimed_by_me == 0

    def test_a_team_submission_shows_the_team(self, cast):
        project = make_project(name="team", team_mode=True)
        team = make_team(project, "The Owls", cast["learner"], cast["learner2"])
        make_submission(project, team=team)
        (item,) = api.trainer_queue(cast["trainer"])
        assert (item.team_name, item.submitter_name, item.learner_id) == ("The Owls", "The Owls", None)


# --- cost -----------------------------------------------------------------------------------------------------------


def _first_page_queries(trainer, size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(api.trainer_queue(trainer), size).get_page(1)
        items = list(page.object_list)
    return len(queries), len(items)


class TestFixedCost:
    def test_a_page_costs_the_same_for_2_and_30_items(self, cast, make_user):
        projects = [make_project(name=f"p{index}", target_turnaround_hours=24 * (index + 1)) for index in range(3)]
        learners = [make_user(f"l{index}") for index in range(30)]
        for index, learner in enumerate(learners):
            submission = make_submission(projects[index % 3], learner, hours_ago=index + 1)
            if index % 4 == 0:
                claim(submission, cast["trainer2"])
        api.trainer_queue(cast["trainer"])  # the roles, as a request would have them once per page
        small, shown_small = _first_page_queries(cast["trainer"], 2)
        large, shown_large = _first_page_queries(cast["trainer"], 30)
        assert (shown_small, shown_large) == (2, 30)
        assert small == large <= 4  # the courses with projects, one COUNT, the page's ids, its rows

    def test_the_rest_list_costs_the_same_too(self, cast, make_user):
        project = make_project()
        for index in range(12):
            make_submission(project, make_user(f"r{index}"), hours_ago=index + 1)
        client = APIClient()
        client.force_authenticate(cast["trainer"])
        counts = []
        for size in (2, 12):
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(V1 + "queue/", {"page_size": size})
            assert answer.status_code == 200 and len(answer.json()["results"]) == size
            counts.append(len(queries))
        assert counts[0] == counts[1]


# --- page and REST --------------------------------------------------------------------------------------------------


class TestPageAndRest:
    def test_the_page_lists_links_and_flags_overdue_rows_in_words(self, cast, client):
        quick = make_project(name="quick", title="Quick essay", target_turnaround_hours=24)
        late = make_submission(quick, cast["learner"], hours_ago=30)
        fresh = make_submission(quick, cast["learner2"], hours_ago=1)
        make_submission(make_project(OTHER_COURSE, "theirs"), cast["outsider"])
        client.force_login(cast["trainer"])
        html = client.get("/mentora/reviews/queue/").content.decode()
        assert f'href="/mentora/reviews/submissions/{late.pk}/"' in html
        assert f'href="/mentora/reviews/submissions/{fresh.pk}/"' in html
        assert html.count('class="mentora-queue-row-overdue"') == 1 and ">Overdue</strong>" in html
        assert "Quick essay by Lea Rner" in html and "theirs" not in html
        only = client.get("/mentora/reviews/queue/", {"overdue": "1"}).content.decode()
        assert f"/submissions/{late.pk}/" in only and f"/submissions/{fresh.pk}/" not in only
        refused = client.get("/mentora/reviews/queue/", {"course": str(OTHER_COURSE)})
        assert refused.status_code == 403 and "You do not review submissions in this course." in (
            refused.content.decode())

    def test_the_page_needs_a_sign_in(self, client):
        assert client.get("/mentora/reviews/queue/").status_code == 302

    def test_rest_list_filters_and_counts(self, cast):
        quick = make_project(name="quick", target_turnaround_hours=24)
        late = make_submission(quick, cast["learner"], hours_ago=30)
        mine = make_submission(quick, cast["learner2"], hours_ago=1)
        claim(mine, cast["trainer"])
        client = APIClient()
        client.force_authenticate(cast["trainer"])
        body = client.get(V1 + "queue/").json()
        assert [row["submission_id"] for row in body["results"]] == [late.pk, mine.pk]
        assert body["results"][0]["overdue"] is True and body["results"][1]["claimed_by_username"] == "trainer"
        assert [row["submission_id"] for row in client.get(V1 + "queue/", {"overdue": "true"}).json()["results"]] == [
            late.pk]
        assert [row["submission_id"] for row in client.get(V1 + "queue/", {"mine": "1"}).json()["results"]] == [
            mine.pk]
        assert client.get(V1 + "queue/counts/").json() == {"waiting": 2, "overdue": 1, "claimed_by_me": 1}
        refused = client.get(V1 + "queue/", {"course_id": str(OTHER_COURSE)})
        assert (refused.status_code, refused.json()["error_code"]) == (403, "permission_denied")
        assert client.get(V1 + "queue/", {"overdue": "maybe"}).json()["error_code"] == "invalid_overdue"
        assert APIClient().get(V1 + "queue/").status_code == 401
