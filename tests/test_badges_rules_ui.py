"""
Award rules where people configure them: the class page's "Automatic awards" section (its managers add a rule
from the course's projects, sessions or passing the course, or from trainers' figures for a trainers' class, and
deactivate one; refusals shown next to their field or above the condition rows; trainers read the rules only;
learners never reach the page) and the REST endpoints (list, add, change, deactivate, with the domain's codes in
``field_errors``, a fixed number of queries per list, in the OpenAPI schema); and the demo's seeded rules.
"""
from __future__ import annotations

import io
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from devsite.people import COURSE_KEY
from devsite.seed_badges import PIPELINE, TOP_MENTOR
from mentora_plugin.badges import api
from mentora_plugin.badges.models import AwardRule
from mentora_plugin.reviews import api as reviews_api
from tests import test_badges_classes as class_tests
from tests import test_reviews_reviewing as reviewing_tests
from tests.conftest import COURSE, OTHER_COURSE
from tests.test_badges_classes import make_class
from tests.test_badges_pages import class_url, client_for, field_error
from tests.test_reviews_reviewing import USAGE, config

pytestmark = pytest.mark.django_db

cast = class_tests.cast
# The reviewing tests' media directory and throttles (autouse): badge images are stored there.
_media = reviewing_tests._media

V1 = "/api/mentora/v1/badges/"
OTHER_USAGE = OTHER_COURSE.make_usage_key("mentora_project", "elsewhere")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.MENTORA_BADGES_BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def projects(cast):
    reviews_api.sync_project(USAGE, COURSE, config(title="Capstone"))
    reviews_api.sync_project(OTHER_USAGE, OTHER_COURSE, config(title="Elsewhere"))


@pytest.fixture
def badge(cast, projects):
    return make_class(cast["course_staff"], name="Capstone star")


@pytest.fixture
def mentor_badge(cast):
    return make_class(cast["platform_staff"], name="Top mentor", course_key=None, for_trainers=True)


def score(min_percent=80, usage=USAGE) -> dict:
    return {"kind": "project_score", "usage_key": str(usage), "min_percent": min_percent}


def rules_section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="rules-title".*?</section>', html, re.S)
    assert match, "no rules section"
    return match.group(0)


def add_rule(client, badge_class, **fields):
    data = {"action": "add_rule", "rule-mode": "all"}
    data.update({f"rule-{name}": value for name, value in fields.items()})
    return client.post(class_url(badge_class), data)


# --- the class page ---------------------------------------------------------------------------------------------------


class TestPage:
    def test_staff_add_a_rule_of_two_conditions_and_read_it_in_words(self, cast, badge):
        staff = client_for(cast["course_staff"])
        form = rules_section(staff.get(class_url(badge)).content.decode())
        assert "No rule awards this badge automatically" in form
        # The course's projects only (not another course's), by title; learners' kinds, no trainers' figure.
        assert f'<option value="{USAGE}">Capstone</option>' in form and "Elsewhere" not in form
        assert 'value="sessions_attended"' in form and 'value="trainer_metric"' not in form
        assert 'name="rule-c3_kind"' in form and 'name="rule-c4_kind"' not in form
        assert 'name="rule-c1_course"' not in form  # a course's class counts its own course

        response = add_rule(staff, badge, mode="any", c1_kind="project_score", c1_project=str(USAGE),
                            c1_min_percent="80", c2_kind="", c2_count="7", c3_kind="sessions_attended", c3_count="2")
        assert response.status_code == 302 and response["Location"] == class_url(badge)
        stored = AwardRule.objects.get(badge_class_id=badge.id)
        assert (stored.mode, stored.is_active, stored.created_by_id) == ("any", True, cast["course_staff"].pk)
        assert stored.conditions == [score(80), {"kind": "sessions_attended", "count": 2,
                                                 "course_key": str(COURSE)}]  # the empty row is left out

        page = staff.get(class_url(badge)).content.decode()
        assert "The rule is added" in page
        section = rules_section(page)
        assert "When any one of these holds:" in section
        assert "<li>Score at least 80 % on “Capstone”</li>" in section and "<li>Attend 2 sessions</li>" in section
        assert f'name="rule_id" value="{stored.pk}"' in section and "Deactivate rule 1" in section

    def test_staff_deactivate_a_rule_and_only_this_class_s(self, cast, badge):
        rule = api.create_rule(cast["course_staff"], badge.id, [score()])
        other = make_class(cast["course_staff"], name="Other")
        foreign = api.create_rule(cast["course_staff"], other.id, [score(50)])
        staff = client_for(cast["course_staff"])
        assert staff.post(class_url(badge), {"action": "deactivate_rule", "rule_id": foreign.id}).status_code == 404
        assert staff.post(class_url(badge), {"action": "deactivate_rule", "rule_id": "x"}).status_code == 404
        assert AwardRule.objects.get(pk=foreign.id).is_active

        response = staff.post(class_url(badge), {"action": "deactivate_rule", "rule_id": rule.id})
        assert response.status_code == 302
        assert not AwardRule.objects.get(pk=rule.id).is_active
        page = staff.get(class_url(badge)).content.decode()
        assert "The rule is deactivated" in page
        assert "No rule awards this badge automatically" in rules_section(page)
        # Deactivated already: it is not among the class's active rules any more.
        assert staff.post(class_url(badge), {"action": "deactivate_rule", "rule_id": rule.id}).status_code == 404

    def test_a_missing_field_is_shown_next_to_it_and_nothing_is_added(self, cast, badge):
        staff = client_for(cast["course_staff"])
        response = add_rule(staff, badge, c1_kind="project_score", c1_project=str(USAGE), c1_min_percent="",
                            c2_kind="sessions_attended", c2_count="0")
        html = response.content.decode()
        assert response.status_code == 400
        assert field_error(html, "id_rule-c1_min_percent") == "Give the minimum score."
        assert "greater than or equal to 1" in field_error(html, "id_rule-c2_count")
        assert 'name="rule-c1_project"' in html and f'<option value="{USAGE}" selected>Capstone</option>' in html
        assert not AwardRule.objects.exists()

        response = add_rule(staff, badge, c1_kind="project_score", c1_project=str(OTHER_USAGE), c1_min_percent="80")
        assert response.status_code == 400  # another course's project is not offered
        assert "Select a valid choice" in field_error(response.content.decode(), "id_rule-c1_project")
        assert not AwardRule.objects.exists()

    def test_no_condition_is_said_above_the_rows_and_each_row_points_at_it(self, cast, badge):
        response = add_rule(client_for(cast["course_staff"]), badge, c1_kind="", c1_count="3")
        html = response.content.decode()
        assert response.status_code == 400
        message = re.search(r'<div class="mentora-field-error" id="id_rule-conditions-error" role="alert"><p>(.*?)</p>',
                            html).group(1)
        assert message == "Add at least one condition: choose its kind."
        assert html.index("id_rule-conditions-error") < html.index('name="rule-c1_kind"')
        for row in (1, 2, 3):
            select = re.search(rf'<select name="rule-c{row}_kind"[^>]*>', html).group(0)
            assert 'aria-describedby="id_rule-conditions-error"' in select and 'aria-invalid="true"' in select
        assert not AwardRule.objects.exists()

    def test_the_domain_s_refusal_is_shown_with_its_status(self, cast, badge):
        api.archive_badge_class(cast["course_staff"], badge.id)
        staff = client_for(cast["course_staff"])
        assert 'class="mentora-badges-rule-form"' not in staff.get(class_url(badge)).content.decode()
        response = add_rule(staff, badge, c1_kind="project_score", c1_project=str(USAGE), c1_min_percent="80")
        assert response.status_code == 409
        assert "This badge is archived: it can no longer be awarded." in rules_section(response.content.decode())
        assert not AwardRule.objects.exists()

    def test_platform_staff_add_a_trainers_figures_rule(self, cast, mentor_badge):
        staff = client_for(cast["platform_staff"])
        form = rules_section(staff.get(class_url(mentor_badge)).content.decode())
        assert 'value="trainer_metric"' in form and 'value="project_score"' not in form
        assert 'name="rule-c1_project"' not in form and "Average rating (Bayesian)" in form

        response = add_rule(staff, mentor_badge, c1_kind="trainer_metric", c1_metric="rating_average",
                            c1_bound="min", c1_threshold="4.5", c2_kind="trainer_metric",
                            c2_metric="no_show_rate", c2_bound="max", c2_threshold="0.1")
        assert response.status_code == 302
        assert AwardRule.objects.get(badge_class_id=mentor_badge.id).conditions == [
            {"kind": "trainer_metric", "metric": "rating_average", "min": 4.5},
            {"kind": "trainer_metric", "metric": "no_show_rate", "max": 0.1},
        ]
        response = add_rule(staff, mentor_badge, c1_kind="trainer_metric", c1_metric="", c1_threshold="-1")
        html = response.content.decode()
        assert response.status_code == 400
        assert field_error(html, "id_rule-c1_metric") == "Choose a figure."
        assert "greater than or equal to 0" in field_error(html, "id_rule-c1_threshold")

    def test_a_platform_class_names_the_course_to_pass(self, cast, projects):
        platform = make_class(cast["platform_staff"], name="Graduate", course_key=None)
        staff = client_for(cast["platform_staff"])
        form = rules_section(staff.get(class_url(platform)).content.decode())
        assert "Capstone (Badges 101)" in form and "Elsewhere (Other course)" in form  # every course's projects
        response = add_rule(staff, platform, c1_kind="course_passed")
        assert response.status_code == 400
        assert field_error(response.content.decode(), "id_rule-c1_course") == "Choose the course to pass."
        response = add_rule(staff, platform, c1_kind="course_passed", c1_course=str(OTHER_COURSE))
        assert response.status_code == 302
        assert AwardRule.objects.get().conditions == [{"kind": "course_passed", "course_key": str(OTHER_COURSE)}]

    def test_trainers_read_the_rules_only_and_learners_never_reach_them(self, cast, badge):
        api.create_rule(cast["course_staff"], badge.id, [score(75)])
        section = rules_section(client_for(cast["trainer"]).get(class_url(badge)).content.decode())
        assert "When this holds:" in section and "Score at least 75 % on “Capstone”" in section
        assert "<form" not in section and "Add a rule" not in section and "Deactivate" not in section
        trainer = client_for(cast["trainer"])
        rule_id = AwardRule.objects.get().pk
        assert trainer.post(class_url(badge), {"action": "deactivate_rule", "rule_id": rule_id}).status_code == 403
        assert add_rule(trainer, badge, c1_kind="sessions_attended", c1_count="1").status_code == 403
        assert AwardRule.objects.filter(is_active=True).count() == 1
        for who in ("learner", "outsider"):
            assert client_for(cast[who]).get(class_url(badge)).status_code == 404
            assert add_rule(client_for(cast[who]), badge, c1_kind="sessions_attended", c1_count="1").status_code \
                == 404

    def test_the_forms_need_the_csrf_token(self, cast, badge):
        rule = api.create_rule(cast["course_staff"], badge.id, [score()])
        staff = client_for(cast["course_staff"], enforce_csrf=True)
        assert staff.post(class_url(badge), {"action": "deactivate_rule", "rule_id": rule.id}).status_code == 403
        assert add_rule(staff, badge, c1_kind="sessions_attended", c1_count="1").status_code == 403
        assert AwardRule.objects.get().is_active and AwardRule.objects.count() == 1


# --- REST -------------------------------------------------------------------------------------------------------------


def rest(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code, body
    return body


class TestRest:
    def test_staff_add_a_rule_and_read_it(self, cast, badge):
        url = f"{V1}classes/{badge.public_id}/rules/"
        response = rest(cast["course_staff"]).post(url, {"mode": "all", "conditions": [
            score(80), {"kind": "sessions_attended", "count": 2, "course_id": str(COURSE)}]}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["badge_class_id"] == str(badge.public_id) and body["mode"] == "all" and body["is_active"]
        assert body["conditions"] == [score(80), {"kind": "sessions_attended", "count": 2, "course_id": str(COURSE)}]
        assert body["labels"] == ["Score at least 80 % on “Capstone”", "Attend 2 sessions"]
        assert AwardRule.objects.get(pk=body["id"]).conditions[1]["course_key"] == str(COURSE)
        listed = rest(cast["learner"]).get(url).json()  # public, as the criteria are
        assert [item["id"] for item in listed["results"]] == [body["id"]]

    def test_refusals_name_the_field(self, cast, badge):
        url = f"{V1}classes/{badge.public_id}/rules/"
        staff = rest(cast["course_staff"])
        body = error_of(staff.post(url, {"conditions": [score(80), score(120)]}, format="json"), 400,
                        "invalid_min_percent")
        assert body["field_errors"] == {"conditions": [
            "Condition 2: the minimum score is a percentage from 0 to 100."]}
        body = error_of(staff.post(url, {"conditions": [score(80, OTHER_USAGE)]}, format="json"), 400,
                        "course_mismatch")
        assert list(body["field_errors"]) == ["conditions"]
        error_of(staff.post(url, {"conditions": []}, format="json"), 400, "invalid_conditions")
        body = error_of(staff.post(url, {"mode": "some", "conditions": [score()]}, format="json"), 400, "invalid_mode")
        assert list(body["field_errors"]) == ["mode"]
        error_of(staff.post(url, [score()], format="json"), 400, "invalid_input")
        error_of(staff.post(f"{V1}classes/{uuid.uuid4()}/rules/", {"conditions": [score()]}, format="json"), 404,
                 "badge_class_not_found")
        for who in ("trainer", "learner", "other_staff"):
            error_of(rest(cast[who]).post(url, {"conditions": [score()]}, format="json"), 403, "permission_denied")
        assert not AwardRule.objects.exists()

    def test_change_and_deactivate(self, cast, badge):
        rule = api.create_rule(cast["course_staff"], badge.id, [score()])
        url = f"{V1}rules/{rule.id}/"
        error_of(rest(cast["trainer"]).patch(url, {"mode": "any"}, format="json"), 403, "permission_denied")
        response = rest(cast["course_staff"]).patch(url, {"conditions": [score(90), {"kind": "course_passed"}]},
                                                    format="json")
        assert response.status_code == 200, response.content
        assert response.json()["labels"] == ["Score at least 90 % on “Capstone”", "Pass the course “Badges 101”"]
        assert response.json()["conditions"][1] == {"kind": "course_passed", "course_id": str(COURSE)}
        assert rest(cast["course_staff"]).patch(url, {"mode": "any"}, format="json").json()["mode"] == "any"
        error_of(rest(cast["course_staff"]).patch(url, {"conditions": [{"kind": "trainer_metric"}]}, format="json"),
                 400, "learner_condition_required")
        error_of(rest(cast["course_staff"]).patch(f"{V1}rules/999999/", {"mode": "any"}, format="json"), 404,
                 "rule_not_found")
        error_of(rest(cast["course_staff"]).patch(f"{V1}rules/abc/", {"mode": "any"}, format="json"), 404,
                 "rule_not_found")

        error_of(rest(cast["trainer"]).post(url + "deactivate/"), 403, "permission_denied")
        for _twice in range(2):
            response = rest(cast["course_staff"]).post(url + "deactivate/")
            assert response.status_code == 200 and response.json()["is_active"] is False
        listing = f"{V1}classes/{badge.public_id}/rules/"
        assert rest(cast["course_staff"]).get(listing).json()["results"] == []
        inactive = rest(cast["course_staff"]).get(listing, {"include_inactive": "true"}).json()["results"]
        assert [item["id"] for item in inactive] == [rule.id]
        error_of(rest(cast["trainer"]).get(listing, {"include_inactive": "true"}), 403, "permission_denied")

    def test_an_archived_class_s_rules_are_hidden_from_others_and_closed(self, cast, badge):
        api.create_rule(cast["course_staff"], badge.id, [score()])
        api.archive_badge_class(cast["course_staff"], badge.id)
        url = f"{V1}classes/{badge.public_id}/rules/"
        error_of(rest(cast["learner"]).get(url), 404, "badge_class_not_found")
        assert rest(cast["course_staff"]).get(url).json()["count"] == 1
        error_of(rest(cast["course_staff"]).post(url, {"conditions": [score()]}, format="json"), 409,
                 "badge_class_archived")

    def test_trainers_figures_through_the_api(self, cast, mentor_badge):
        url = f"{V1}classes/{mentor_badge.public_id}/rules/"
        error_of(rest(cast["course_staff"]).post(url, {"conditions": [
            {"kind": "trainer_metric", "metric": "rating_average", "min": 4.5}]}, format="json"), 403,
            "permission_denied")
        body = error_of(rest(cast["platform_staff"]).post(url, {"conditions": [
            {"kind": "trainer_metric", "metric": "charm", "min": 1}]}, format="json"), 400, "invalid_metric")
        assert body["field_errors"]["conditions"][0].startswith("Condition 1: unknown figure")
        response = rest(cast["platform_staff"]).post(url, {"conditions": [
            {"kind": "trainer_metric", "metric": "rating_average", "min": 4.5}]}, format="json")
        assert response.status_code == 201
        assert response.json()["conditions"] == [{"kind": "trainer_metric", "metric": "rating_average", "min": 4.5}]

    def test_the_list_runs_a_fixed_number_of_queries(self, cast, badge):
        url = f"{V1}classes/{badge.public_id}/rules/"

        def queries() -> int:
            client = rest(cast["learner"])
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            return len(captured)

        for percent in (50, 60):
            api.create_rule(cast["course_staff"], badge.id, [score(percent), {"kind": "course_passed"}])
        few = queries()
        for percent in range(61, 73):
            api.create_rule(cast["course_staff"], badge.id, [score(percent), {"kind": "sessions_attended",
                                                                             "count": 3}])
        assert queries() == few
        assert rest(cast["learner"]).get(url).json()["count"] == 14

    def test_the_schema_documents_the_rules_endpoints(self, client, capsys):
        response = client.get("/api/mentora/v1/schema/?format=json")
        assert response.status_code == 200
        warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line or "Error" in line]
        assert not [line for line in warnings if "rule" in line.lower()], warnings
        schema = response.json()
        paths = schema["paths"]
        assert {"get", "post"} <= set(paths[V1 + "classes/{public_id}/rules/"])
        assert "patch" in paths[V1 + "rules/{rule_id}/"] and "post" in paths[V1 + "rules/{rule_id}/deactivate/"]
        names = {"BadgeRule", "BadgeRuleCondition", "BadgeRuleWriteRequest", "PatchedBadgeRuleChangeRequest"}
        assert names <= set(schema["components"]["schemas"])


# --- the demo ---------------------------------------------------------------------------------------------------------


def test_the_demo_seeds_its_rules_once(settings):
    settings.WORKBENCH = getattr(settings, "WORKBENCH", {"reset_state_on_restart": False, "services": {}})
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # again: no second rule
    classes = {info.name: info for info in api.list_badge_classes(course_key=COURSE_KEY, include_platform=True)}
    pipeline_rules = api.list_rules(classes[PIPELINE].id)
    assert [(rule.mode, rule.labels) for rule in pipeline_rules] == [
        ("all", ("Score at least 80 % on “Capstone: the bus punctuality report”",))]
    top_rules = api.list_rules(classes[TOP_MENTOR].id)
    assert [rule.conditions for rule in top_rules] == [(
        {"kind": "trainer_metric", "metric": "rating_average", "min": 4.5},
        {"kind": "trainer_metric", "metric": "rating_count", "min": 2},
    )]
    # Tariq holds the badge by Ada's award, not by the rule: his Bayesian average is below 4.5.
    tariq = get_user_model().objects.get(username="tariq")
    average, count = api.badge_progress(tariq, classes[TOP_MENTOR].id)
    assert (average.met, count.met) == (False, True)
    assert 4.0 < average.current < 4.5 and count.current == 4
