"""
Projects: the configuration a block syncs (every validation rule, the rubric's included, and idempotence), the
course's rubric library, extensions and the dates they give, teams, and their REST endpoints.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import Extension, Project, RubricTemplate, Submission, Team
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/reviews/"
USAGE = COURSE.make_usage_key("mentora_project", "essay")
OTHER_USAGE = OTHER_COURSE.make_usage_key("mentora_project", "elsewhere")


def rubric(count: int = 2) -> list[dict]:
    return [
        {
            "key": f"crit-{index}",
            "title": f"Criterion {index}",
            "description": "What we look for.",
            "weight": index,
            "levels": [
                {"points": 0, "label": "Missing", "description": ""},
                {"points": 2.5, "label": "Partial"},
                {"points": 5, "label": "Complete", "description": "All there."},
            ],
        }
        for index in range(1, count + 1)
    ]


def config(**changes) -> dict:
    now = timezone.now()
    values = {
        "title": "Build a portfolio",
        "brief": "Write **three** pages.",
        "rubric": rubric(),
        "accepts_text": True,
        "accepts_files": True,
        "accepts_links": True,
        "max_files": 3,
        "max_file_mb": 5,
        "allowed_extensions": ["pdf", "zip"],
        "start": now - timedelta(days=1),
        "due": now + timedelta(days=7),
        "cutoff": now + timedelta(days=9),
        "max_resubmissions": 2,
        "team_mode": False,
        "points_possible": 50,
    }
    values.update(changes)
    return values


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(make_user):
    host_api.record_course(COURSE, at(0), title="Projects 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    people = {name: make_user(name) for name in (
        "learner", "peer", "third", "trainer", "staff", "outsider", "other_staff",
    )}
    for name in ("learner", "peer", "third"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    host_api.record_course_role(CourseRoleRecord(people["staff"].pk, COURSE.org, COURSE, "staff"), at(0))
    host_api.record_course_role(
        CourseRoleRecord(people["other_staff"].pk, OTHER_COURSE.org, OTHER_COURSE, "staff"), at(0)
    )
    return people


def refused(call, *args, **kwargs) -> api.ReviewsError:
    with pytest.raises(api.ReviewsError) as error:
        call(*args, **kwargs)
    return error.value


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- syncing a block's configuration --------------------------------------------------------------------------------


class TestSync:
    def test_creates_the_project_with_its_rubric_as_typed_data(self, cast):
        info = api.sync_project(str(USAGE), str(COURSE), config())
        assert (info.usage_key, info.course_key, info.title) == (USAGE, COURSE, "Build a portfolio")
        assert isinstance(info.rubric[0], api.CriterionInfo)
        assert info.rubric[1].key == "crit-2" and info.rubric[1].weight == 2
        assert info.rubric[0].levels[1] == api.LevelInfo(points=2.5, label="Partial", description="")
        assert info.rubric[0].max_points == 5
        assert info.max_weighted_points == 5 * 1 + 5 * 2
        assert info.allowed_extensions == ("pdf", "zip")
        assert "<strong>three</strong>" in info.brief_html
        assert api.get_project(USAGE) == info

    def test_idempotent_and_writes_only_changes(self, cast):
        values = config()
        first = api.sync_project(USAGE, COURSE, values)
        with CaptureQueriesContext(connection) as queries:
            again = api.sync_project(USAGE, COURSE, values)
        assert again == first
        assert len(queries.captured_queries) == 1  # one read: no lock, no write
        assert Project.objects.count() == 1
        changed = api.sync_project(USAGE, COURSE, {**values, "title": "Renamed", "max_files": 4})
        assert (changed.title, changed.max_files, changed.id) == ("Renamed", 4, first.id)
        assert changed.modified >= first.modified

    def test_a_missing_key_takes_the_default(self, cast):
        info = api.sync_project(USAGE, COURSE, {"title": "Minimal", "rubric": rubric(1)})
        assert (info.accepts_text, info.accepts_files, info.max_resubmissions, info.points_possible) == (
            True, False, 2, 100
        )
        assert (info.start, info.due, info.cutoff) == (None, None, None)

    def test_dates_as_iso_strings_and_naive_ones_are_utc(self, cast):
        info = api.sync_project(USAGE, COURSE, config(
            start="2026-03-01T09:00:00+01:00", due=datetime(2026, 3, 10, 12, 0), cutoff=None,
        ))
        assert info.start == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
        assert info.due == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

    def test_extensions_are_normalised(self, cast):
        info = api.sync_project(USAGE, COURSE, config(allowed_extensions=[".PDF", "pdf", " Zip "]))
        assert info.allowed_extensions == ("pdf", "zip")

    @pytest.mark.parametrize(("changes", "fragment"), [
        ({"title": "  "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"accepts_text": False, "accepts_files": False, "accepts_links": False}, "at least one kind"),
        ({"max_files": 0}, "max_files"),
        ({"max_files": 21}, "max_files"),
        ({"max_file_mb": 0}, "max_file_mb"),
        ({"max_file_mb": 101}, "max_file_mb"),
        ({"max_file_mb": 2.5}, "max_file_mb"),
        ({"max_resubmissions": 21}, "max_resubmissions"),
        ({"max_resubmissions": -1}, "max_resubmissions"),
        ({"points_possible": 0}, "points_possible"),
        ({"points_possible": 1001}, "points_possible"),
        ({"points_possible": True}, "points_possible"),
        ({"team_mode": "yes"}, "team_mode"),
        ({"allowed_extensions": ["tar.gz"]}, "tar.gz"),
        ({"allowed_extensions": "pdf"}, "allowed file types"),
        ({"start": "tomorrow"}, "start"),
        ({"due": datetime(2026, 1, 1, tzinfo=UTC), "start": datetime(2026, 2, 1, tzinfo=UTC)}, "“start” must not"),
        ({"start": None, "due": datetime(2026, 3, 1, tzinfo=UTC), "cutoff": datetime(2026, 2, 1, tzinfo=UTC)},
         "“due” must not"),
        ({"start": datetime(2026, 3, 1, tzinfo=UTC), "due": None, "cutoff": datetime(2026, 2, 1, tzinfo=UTC)},
         "“start” must not"),
        ({"colour": "blue"}, "colour"),
    ])
    def test_invalid_configuration_is_refused_and_nothing_is_written(self, cast, changes, fragment):
        error = refused(api.sync_project, USAGE, COURSE, config(**changes))
        assert (error.code, error.status) == ("invalid_project", 400)
        assert fragment in str(error)
        assert not Project.objects.exists()

    def test_refusing_an_update_keeps_the_project_as_it_was(self, cast):
        api.sync_project(USAGE, COURSE, config())
        assert refused(api.sync_project, USAGE, COURSE, config(title="New", max_files=50)).code == "invalid_project"
        assert Project.objects.get().title == "Build a portfolio"

    def test_keys_are_checked(self, cast):
        assert refused(api.sync_project, "not-a-key", COURSE, config()).code == "invalid_usage_key"
        assert refused(api.sync_project, USAGE, "nope", config()).code == "invalid_course_key"
        # A block of one course cannot configure a project of another.
        assert refused(api.sync_project, OTHER_USAGE, COURSE, config()).code == "invalid_project"
        assert refused(api.get_project, "garbage").code == "invalid_usage_key"
        missing = refused(api.get_project, USAGE)
        assert (missing.code, missing.status) == ("project_not_found", 404)

    def test_studio_branches_name_the_same_project(self, cast):
        draft = USAGE.for_branch("draft-branch")
        info = api.sync_project(draft, COURSE, config())
        assert info.usage_key == USAGE
        assert api.get_project(draft).id == info.id

    def test_team_mode_is_fixed_once_learners_started(self, cast):
        info = api.sync_project(USAGE, COURSE, config())
        api.sync_project(USAGE, COURSE, config(team_mode=True))  # nobody started: allowed
        api.sync_project(USAGE, COURSE, config(team_mode=False))
        Submission.objects.create(project_id=info.id, learner=cast["learner"])
        error = refused(api.sync_project, USAGE, COURSE, config(team_mode=True))
        assert error.code == "invalid_project" and "Team mode" in str(error)
        assert Project.objects.get().team_mode is False


class TestRubricValidation:
    def test_returns_the_rubric_normalised(self):
        found = api.validate_rubric([{
            "key": " style ", "title": " Style ", "weight": 1.5, "extra": "dropped",
            "levels": [{"points": 0, "label": "No", "colour": "red"}, {"points": 3, "label": "Yes"}],
        }])
        assert found == [{
            "key": "style", "title": "Style", "description": "", "weight": 1.5,
            "levels": [
                {"points": 0, "label": "No", "description": ""}, {"points": 3, "label": "Yes", "description": ""},
            ],
        }]

    @pytest.mark.parametrize(("criteria", "fragment"), [
        ([], "at least one criterion"),
        ("not a list", "at least one criterion"),
        (rubric(21), "at most 20"),
        ([*rubric(1), *rubric(1)], "used twice"),
        ([{**rubric(1)[0], "key": "has space"}], "Criterion 1: its key"),
        ([{**rubric(1)[0], "key": "-dash"}], "its key"),
        ([{**rubric(1)[0], "key": None}], "its key"),
        ([{**rubric(1)[0], "title": ""}], "title"),
        ([{**rubric(1)[0], "description": 5}], "description"),
        ([{**rubric(1)[0], "weight": 0}], "weight"),
        ([{**rubric(1)[0], "weight": -1}], "weight"),
        ([{**rubric(1)[0], "weight": "2"}], "weight"),
        ([{**rubric(1)[0], "weight": float("nan")}], "weight"),
        ([{**rubric(1)[0], "levels": [{"points": 1, "label": "Only"}]}], "2 to 10 levels"),
        ([{**rubric(1)[0], "levels": [{"points": n, "label": str(n)} for n in range(11)]}], "2 to 10 levels"),
        ([{**rubric(1)[0], "levels": [{"points": -1, "label": "a"}, {"points": 1, "label": "b"}]}], "level 1"),
        ([{**rubric(1)[0], "levels": [{"points": True, "label": "a"}, {"points": 1, "label": "b"}]}], "level 1"),
        ([{**rubric(1)[0], "levels": [{"points": "1", "label": "a"}, {"points": 1, "label": "b"}]}], "level 1"),
        ([{**rubric(1)[0], "levels": [{"points": 0, "label": "a"}, {"points": 1, "label": " "}]}], "level 2"),
        ([rubric(1)[0], "nope"], "Criterion 2"),
    ])
    def test_refusals_say_where(self, criteria, fragment):
        error = refused(api.validate_rubric, criteria)
        assert (error.code, error.status) == ("invalid_rubric", 400)
        assert fragment in str(error)

    def test_sync_refuses_a_bad_rubric(self, cast):
        assert refused(api.sync_project, USAGE, COURSE, config(rubric=[])).code == "invalid_rubric"
        assert not Project.objects.exists()


class TestRubricLibrary:
    def test_staff_save_templates_and_saving_again_replaces(self, cast):
        first = api.save_rubric_template(cast["staff"], COURSE, "Essay", rubric(1))
        assert first.criteria[0].key == "crit-1" and first.created_by_id == cast["staff"].pk
        again = api.save_rubric_template(cast["staff"], str(COURSE), "Essay", rubric(3))
        assert again.id == first.id and len(again.criteria) == 3
        api.save_rubric_template(cast["staff"], COURSE, "Code review", rubric(2))
        assert [item.title for item in api.rubric_templates(COURSE)] == ["Code review", "Essay"]
        assert api.rubric_templates(OTHER_COURSE) == []

    def test_refusals(self, cast):
        for name in ("trainer", "learner", "other_staff"):
            error = refused(api.save_rubric_template, cast[name], COURSE, "Essay", rubric(1))
            assert (error.code, error.status) == ("permission_denied", 403)
        assert refused(api.save_rubric_template, cast["staff"], COURSE, " ", rubric(1)).code == "invalid_template"
        assert refused(api.save_rubric_template, cast["staff"], COURSE, "Bad", []).code == "invalid_rubric"
        assert not RubricTemplate.objects.exists()


# --- dates and extensions -------------------------------------------------------------------------------------------


class TestExtensions:
    def test_dates_without_an_extension_are_the_projects(self, cast):
        project = api.sync_project(USAGE, COURSE, config())
        dates = api.effective_dates(project, cast["learner"])
        assert (dates.start, dates.due, dates.cutoff, dates.extended) == (
            project.start, project.due, project.cutoff, False
        )
        assert dates.has_started() and not dates.is_closed() and not dates.is_late()

    def test_an_extension_moves_one_learners_dates_only(self, cast):
        project = api.sync_project(USAGE, COURSE, config())
        later_due = project.due + timedelta(days=5)  # past the project's cut-off: the cut-off follows
        granted = api.grant_extension(cast["staff"], USAGE, cast["learner"], due=later_due, reason="Ill")
        assert (granted.due, granted.cutoff, granted.reason, granted.granted_by_id) == (
            later_due, None, "Ill", cast["staff"].pk
        )
        mine = api.effective_dates(project, cast["learner"])
        assert (mine.due, mine.cutoff, mine.extended) == (later_due, later_due, True)
        assert api.effective_dates(project, cast["peer"]).due == project.due
        # Granting again replaces the extension.
        cutoff = project.cutoff + timedelta(days=10)
        api.grant_extension(cast["staff"], USAGE, cast["learner"].pk, cutoff=cutoff.isoformat())
        assert Extension.objects.count() == 1
        mine = api.effective_dates(project, cast["learner"])
        assert (mine.due, mine.cutoff) == (project.due, cutoff)

    def test_an_extension_never_shortens_and_needs_the_project_date(self, cast):
        project = api.sync_project(USAGE, COURSE, config(cutoff=None))
        for kwargs in (
            {},
            {"due": project.due - timedelta(hours=1)},
            {"cutoff": project.due + timedelta(days=30)},  # the project has no cut-off to extend
            {"due": project.due + timedelta(days=3), "cutoff": project.due + timedelta(days=2)},
            {"due": "whenever"},
            {"due": project.due + timedelta(days=1), "reason": "x" * 2001},
        ):
            error = refused(api.grant_extension, cast["staff"], USAGE, cast["learner"], **kwargs)
            assert (error.code, error.status) == ("invalid_extension", 400), kwargs
        assert not Extension.objects.exists()

    def test_who_may_grant_and_to_whom(self, cast):
        api.sync_project(USAGE, COURSE, config())
        due = timezone.now() + timedelta(days=8)
        for name in ("trainer", "learner", "other_staff"):
            assert refused(api.grant_extension, cast[name], USAGE, cast["peer"], due=due).status == 403
        assert refused(api.grant_extension, cast["staff"], USAGE, cast["outsider"], due=due).code == "not_enrolled"
        assert refused(api.grant_extension, cast["staff"], USAGE, 999_999, due=due).code == "user_not_found"
        assert refused(api.grant_extension, cast["staff"], OTHER_USAGE, cast["peer"], due=due).status == 404

    def test_in_team_mode_a_members_extension_is_the_teams(self, cast):
        project = api.sync_project(USAGE, COURSE, config(team_mode=True))
        api.create_team(cast["staff"], USAGE, "Alpha", [cast["learner"], cast["peer"]])
        later = project.due + timedelta(days=1)
        api.grant_extension(cast["staff"], USAGE, cast["peer"], due=later)
        assert api.effective_dates(project, cast["learner"]).due == later
        assert api.effective_dates(project, cast["third"]).due == project.due


# --- teams ----------------------------------------------------------------------------------------------------------


class TestTeams:
    def test_staff_make_teams_and_each_learner_is_in_one(self, cast):
        api.sync_project(USAGE, COURSE, config(team_mode=True))
        team = api.create_team(cast["staff"], USAGE, " Alpha ", [cast["learner"], cast["peer"].pk])
        assert team.name == "Alpha"
        assert [member.username for member in team.members] == ["learner", "peer"]
        assert team.member_ids == {cast["learner"].pk, cast["peer"].pk}
        assert api.team_of(cast["peer"], USAGE) == team
        assert api.team_of(cast["third"], USAGE) is None
        busy = refused(api.create_team, cast["staff"], USAGE, "Beta", [cast["third"], cast["peer"]])
        assert (busy.code, busy.status) == ("already_in_team", 409) and "peer" in str(busy)
        same = refused(api.create_team, cast["staff"], USAGE, "Alpha", [cast["third"]])
        assert (same.code, same.status) == ("team_exists", 409)
        assert Team.objects.count() == 1
        beta = api.create_team(cast["staff"], USAGE, "Beta", [cast["third"]])
        assert [item.name for item in api.list_teams(cast["staff"], USAGE)] == ["Alpha", "Beta"]
        # Moving a member: refused while they are in the other team, allowed once they left it.
        assert refused(api.set_team_members, cast["staff"], beta.id, [cast["third"], cast["peer"]]).code == (
            "already_in_team"
        )
        api.set_team_members(cast["staff"], team.id, [cast["learner"]])
        moved = api.set_team_members(cast["staff"], beta.id, [cast["third"], cast["peer"]])
        assert moved.member_ids == {cast["third"].pk, cast["peer"].pk}
        assert api.team_of(cast["peer"], USAGE).name == "Beta"

    def test_refusals(self, cast):
        api.sync_project(USAGE, COURSE, config())
        assert refused(api.create_team, cast["staff"], USAGE, "A", [cast["learner"]]).code == "not_team_mode"
        api.sync_project(USAGE, COURSE, config(team_mode=True))
        for name in ("trainer", "learner", "other_staff"):
            assert refused(api.create_team, cast[name], USAGE, "A", [cast["learner"]]).status == 403
            assert refused(api.list_teams, cast[name], USAGE).status == 403
        assert refused(api.create_team, cast["staff"], USAGE, "A", [cast["outsider"]]).code == "not_enrolled"
        assert refused(api.create_team, cast["staff"], USAGE, "A", []).code == "invalid_team"
        assert refused(api.create_team, cast["staff"], USAGE, "", [cast["learner"]]).code == "invalid_team"
        assert refused(api.create_team, cast["staff"], USAGE, "A", "learner").code == "invalid_team"
        assert refused(api.set_team_members, cast["staff"], 12345, []).code == "team_not_found"
        assert not Team.objects.exists()


# --- REST -----------------------------------------------------------------------------------------------------------


class TestRest:
    def test_project_for_course_members_only(self, cast):
        api.sync_project(USAGE, COURSE, config())
        url = f"{V1}projects/{USAGE}/"
        for name in ("learner", "trainer", "staff"):
            body = client_for(cast[name]).get(url).json()
            assert body["title"] == "Build a portfolio"
            assert body["rubric"][0]["levels"][2] == {"points": 5.0, "label": "Complete", "description": "All there."}
            assert body["brief_html"].startswith("<p>")
        hidden = client_for(cast["outsider"]).get(url)
        assert (hidden.status_code, hidden.json()["error_code"]) == (404, "project_not_found")
        bad = client_for(cast["learner"]).get(f"{V1}projects/not:a+key/")
        assert (bad.status_code, bad.json()["error_code"]) == (400, "invalid_usage_key")
        assert APIClient().get(url).status_code == 401

    def test_extensions(self, cast):
        project = api.sync_project(USAGE, COURSE, config())
        url = f"{V1}projects/{USAGE}/extensions/"
        due = (project.due + timedelta(days=2)).isoformat()
        made = client_for(cast["staff"]).post(url, {"learner": "learner", "due": due, "reason": "Travel"},
                                              format="json")
        assert made.status_code == 201 and made.json()["reason"] == "Travel"
        assert Extension.objects.get().learner == cast["learner"]
        denied = client_for(cast["learner"]).post(url, {"learner": "learner", "due": due}, format="json")
        assert (denied.status_code, denied.json()["error_code"]) == (403, "permission_denied")
        # Whether a username exists is told to staff only.
        assert client_for(cast["learner"]).post(url, {"learner": "ghost", "due": due}, format="json"
                                                ).status_code == 403
        assert client_for(cast["staff"]).post(url, {"learner": "ghost", "due": due}, format="json"
                                              ).json()["error_code"] == "user_not_found"
        early = client_for(cast["staff"]).post(url, {"learner": "peer", "due": "2000-01-01T00:00:00Z"}, format="json")
        assert (early.status_code, early.json()["error_code"]) == (400, "invalid_extension")

    def test_rubric_templates(self, cast):
        url = f"{V1}courses/{COURSE}/rubric-templates/"
        made = client_for(cast["staff"]).post(url, {"title": "Essay", "criteria": rubric(2)}, format="json")
        assert made.status_code == 201 and made.json()["criteria"][1]["key"] == "crit-2"
        bad = client_for(cast["staff"]).post(url, {"title": "Bad", "criteria": [{"key": "x"}]}, format="json")
        assert (bad.status_code, bad.json()["error_code"]) == (400, "invalid_rubric")
        assert client_for(cast["trainer"]).post(url, {"title": "T", "criteria": rubric(1)}, format="json"
                                                ).status_code == 403
        for name in ("staff", "trainer"):
            listed = client_for(cast[name]).get(url).json()
            assert listed["count"] == 1 and listed["results"][0]["title"] == "Essay"
        assert client_for(cast["learner"]).get(url).status_code == 403
        invalid = client_for(cast["staff"]).get(f"{V1}courses/nope/rubric-templates/")
        assert (invalid.status_code, invalid.json()["error_code"]) == (400, "invalid_course_key")
