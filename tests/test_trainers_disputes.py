"""
Disputes: who may report whom (and that a refusal tells nothing about who exists), duplicates, every status
transition allowed and refused, confidentiality (the reporter never sees notes, the reported party sees nothing,
non-staff get 404/403 through the API, the REST API and the pages), and the reporter's email on closing.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import api, notifications
from mentora_plugin.trainers.models import Dispute, DisputeNote
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/trainers/"


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(monkeypatch):
    """Every ``notifications.notify`` call, instead of sending."""
    calls = []
    monkeypatch.setattr(notifications, "notify", lambda kind, recipient, key, **context: calls.append(
        (kind, recipient.pk, key, context)
    ))
    return calls


@pytest.fixture
def cast(make_user, sent):
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other course")
    people = {
        "trainer": make_user("trainer", first_name="Tara", last_name="Iner"),
        "learner": make_user("learner", first_name="Lea", last_name="Rner"),
        "peer": make_user("peer"),
        "outsider": make_user("outsider"),
        "other_trainer": make_user("other_trainer"),
        "staff": make_user("staff", is_staff=True, first_name="Stef"),
        "staff2": make_user("staff2", is_staff=True),
        "gone": make_user("gone", is_active=False),
    }
    for name in ("learner", "peer"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    host_api.grant_trainer_role(OTHER_COURSE, people["other_trainer"], granted_by=None)
    return people


def session(trainer, learner, source="1", course=COURSE, days_ago=1):
    return api.record_activity("session", source, trainer, learner, course, timezone.now() - timedelta(days=days_ago))


def report(cast, reporter="learner", reported="trainer", **kwargs):
    kwargs.setdefault("description", "They never came to our session.")
    if "activity_id" not in kwargs:
        kwargs.setdefault("course_key", COURSE)
    return api.report_problem(cast[reporter], cast.get(reported, reported), **kwargs)


def refused(call, *args, **kwargs) -> api.TrainersError:
    with pytest.raises(api.TrainersError) as error:
        call(*args, **kwargs)
    return error.value


# --- reporting ------------------------------------------------------------------------------------------------------


class TestWhoMayReportWhom:
    def test_a_learner_reports_their_courses_trainer_and_a_trainer_their_learner(self, cast):
        mine = report(cast, category="no_show")
        case = Dispute.objects.get(pk=mine.id)
        assert (case.reporter, case.reported, case.against_trainer, case.status) == (
            cast["learner"], cast["trainer"], True, "open"
        )
        assert (mine.reported_name, mine.category, str(mine.course_key)) == ("Tara Iner", "no_show", str(COURSE))
        back = report(cast, "trainer", "learner")
        assert Dispute.objects.get(pk=back.id).against_trainer is False
        # The reported person may be named by username or id as well.
        assert report(cast, "peer", "trainer").id and report(cast, "trainer", cast["peer"].pk).id

    def test_nobody_else_and_the_refusal_does_not_tell_who_exists(self, cast):
        answers = [
            refused(report, cast, "learner", "peer"),  # two learners
            refused(report, cast, "learner", "outsider"),  # exists, no part in the course
            refused(report, cast, "learner", "nobody-by-that-name"),
            refused(report, cast, "learner", "gone"),  # inactive
            refused(report, cast, "learner", "other_trainer"),  # a trainer, elsewhere
        ]
        assert {(error.code, error.status, str(error)) for error in answers} == {
            ("user_not_found", 404, str(answers[0]))
        }
        assert not Dispute.objects.exists()

    def test_a_reporter_without_a_part_in_the_course_is_refused_before_the_other_is_looked_up(self, cast):
        for name in ("trainer", "nobody-by-that-name"):
            error = refused(report, cast, "outsider", name)
            assert (error.code, error.status) == ("permission_denied", 403)
        assert refused(report, cast, "learner", "trainer", course_key="not a key").code == "invalid_course_key"

    def test_an_interaction_between_them_decides_course_and_sides(self, cast):
        activity = session(cast["trainer"], cast["outsider"], course=OTHER_COURSE)
        mine = api.report_problem(cast["outsider"], "trainer", activity_id=activity.pk, description="Rude.")
        case = Dispute.objects.get(pk=mine.id)
        assert (case.activity_id, case.course_key, case.against_trainer) == (activity.pk, OTHER_COURSE, True)
        back = api.report_problem(cast["trainer"], "outsider", activity_id=activity.pk, description="Rude too.")
        assert Dispute.objects.get(pk=back.id).against_trainer is False

    def test_an_interaction_must_be_theirs_and_about_the_person_named(self, cast):
        theirs = session(cast["trainer"], cast["peer"], source="2")
        assert refused(api.report_problem, cast["learner"], "trainer", activity_id=theirs.pk,
                       description="x").code == "activity_not_found"
        own = session(cast["trainer"], cast["learner"], source="3")
        for name in ("peer", "nobody-by-that-name"):  # the same answer whether the name exists or not
            assert refused(api.report_problem, cast["learner"], name, activity_id=own.pk,
                           description="x").code == "user_not_found"
        assert refused(api.report_problem, cast["learner"], "trainer", activity_id=own.pk, course_key=OTHER_COURSE,
                       description="x").code == "course_mismatch"
        assert refused(api.report_problem, cast["learner"], "trainer", activity_id=99999,
                       description="x").code == "activity_not_found"

    def test_without_course_or_interaction_their_latest_interaction_is_used(self, cast):
        assert refused(api.report_problem, cast["outsider"], "trainer", description="x").code == "user_not_found"
        session(cast["trainer"], cast["outsider"], source="old", course=OTHER_COURSE, days_ago=10)
        latest = session(cast["trainer"], cast["outsider"], source="new", course=COURSE, days_ago=2)
        mine = api.report_problem(cast["outsider"], "trainer", description="It went badly.")
        assert (mine.activity_id, mine.course_key) == (latest.pk, COURSE)

    def test_input_is_checked(self, cast):
        assert refused(report, cast, "learner", "learner").code == "cannot_report_self"
        assert refused(report, cast, description="   ").code == "description_required"
        assert refused(report, cast, description="x" * 5001).code == "description_too_long"
        assert refused(report, cast, category="anger").code == "invalid_category"
        assert report(cast, description="x" * 5000).id

    def test_one_open_report_per_person_about_another(self, cast):
        first = report(cast)
        error = refused(report, cast)
        assert (error.code, error.status) == ("already_reported", 409)
        api.set_dispute_status(cast["staff"], first.id, "in_progress", "Looking.")
        assert refused(report, cast).code == "already_reported"  # in progress is still open
        assert report(cast, "peer", "trainer").id  # someone else may
        api.dismiss_dispute(cast["staff"], first.id, "Nothing to act on.")
        assert report(cast).id  # once closed, a new problem can be reported


# --- the staff's handling -------------------------------------------------------------------------------------------


class TestTransitions:
    def test_the_life_of_a_case(self, cast, sent):
        case = report(cast)
        staff = cast["staff"]
        taken = api.set_dispute_status(staff, case.id, "in_progress", "Calling both.")
        assert (taken.status, taken.assignee_id) == ("in_progress", staff.pk)  # taken by whoever starts it
        assert api.set_dispute_status(staff, case.id, "open", "Waiting for the trainer.").status == "open"
        note = api.add_dispute_note(staff, case.id, "The trainer says the learner was late.")
        assert (note.author_name, note.status_change) == ("Stef", "")
        done = api.resolve_dispute(staff, case.id, True, "Upheld: the trainer missed two sessions.")
        assert (done.status, done.upheld, done.resolved_by_id) == ("resolved", True, staff.pk)
        assert done.resolved_at is not None and done.resolution.startswith("Upheld")
        assert [(n.status_change, n.body[:7]) for n in done.notes] == [
            ("in_progress", "Calling"), ("open", "Waiting"), ("", "The tra"), ("resolved", "Upheld:"),
        ]
        assert sent == [("dispute_resolved", cast["learner"].pk, f"dispute-resolved:{case.id}:resolved",
                         {"dispute_id": case.id, "status": "resolved"})]
        again = api.reopen_dispute(staff, case.id, "The trainer appealed.")
        assert (again.status, again.upheld, again.resolution, again.resolved_at, again.resolved_by_id) == (
            "open", None, "", None, None
        )
        dismissed = api.dismiss_dispute(cast["staff2"], case.id, "The appeal holds.")
        assert (dismissed.status, dismissed.upheld, dismissed.resolved_by_id) == ("dismissed", False,
                                                                                 cast["staff2"].pk)
        assert sent[-1][2] == f"dispute-resolved:{case.id}:dismissed"

    def test_refused_transitions(self, cast):
        staff = cast["staff"]
        case = report(cast)
        conflict = refused(api.set_dispute_status, staff, case.id, "open", "Already open.")
        assert (conflict.code, conflict.status) == ("invalid_status", 409)
        wrong = refused(api.set_dispute_status, staff, case.id, "resolved", "Use resolve.")
        assert (wrong.code, wrong.status) == ("invalid_status", 400)
        assert refused(api.reopen_dispute, staff, case.id, "Not closed.").status == 409
        assert refused(api.set_dispute_status, staff, case.id, "in_progress", " ").code == "reason_required"
        assert refused(api.resolve_dispute, staff, case.id, True, "").code == "resolution_required"
        assert refused(api.resolve_dispute, staff, case.id, "yes", "Upheld.").code == "invalid_upheld"
        assert refused(api.dismiss_dispute, staff, case.id, "").code == "resolution_required"
        assert refused(api.add_dispute_note, staff, case.id, "").code == "note_required"
        assert Dispute.objects.get(pk=case.id).status == "open"  # nothing of the above applied
        assert not DisputeNote.objects.exists()

        api.dismiss_dispute(staff, case.id, "No grounds.")
        for call, args in (
            (api.resolve_dispute, (True, "Resolving a dismissed case without reopening it.")),
            (api.dismiss_dispute, ("Again.",)),
            (api.set_dispute_status, ("in_progress", "Back to work.")),
            (api.set_dispute_status, ("open", "Back to work.")),
            (api.assign_dispute, (staff,)),
        ):
            error = refused(call, staff, case.id, *args)
            assert (error.code, error.status) == ("invalid_status", 409), call
        assert api.add_dispute_note(staff, case.id, "Notes are still welcome.").body
        assert refused(api.reopen_dispute, staff, case.id, "").code == "reason_required"

    def test_the_second_of_two_resolutions_is_refused(self, cast, sent):
        case = report(cast)
        api.resolve_dispute(cast["staff"], case.id, False, "Not upheld.")
        error = refused(api.resolve_dispute, cast["staff2"], case.id, True, "Upheld!")
        assert (error.code, error.status) == ("invalid_status", 409)
        stored = Dispute.objects.get(pk=case.id)
        assert (stored.upheld, stored.resolved_by, stored.resolution) == (False, cast["staff"], "Not upheld.")
        assert len(sent) == 1

    def test_assignment(self, cast):
        case = report(cast)
        assert api.assign_dispute(cast["staff"], case.id, "staff2").assignee_id == cast["staff2"].pk
        assert api.assign_dispute(cast["staff"], case.id, None).assignee_id is None
        for nobody in ("learner", "nobody", cast["gone"]):
            assert refused(api.assign_dispute, cast["staff"], case.id, nobody).code == "invalid_assignee"

    def test_the_queue_waits_oldest_first_then_the_latest_closed(self, cast):
        first, second = report(cast), report(cast, "peer", "trainer")
        third = report(cast, "trainer", "learner")
        Dispute.objects.filter(pk=first.id).update(created=timezone.now() - timedelta(days=3))
        Dispute.objects.filter(pk=second.id).update(created=timezone.now() - timedelta(days=1))
        Dispute.objects.filter(pk=third.id).update(created=timezone.now() - timedelta(days=2))
        api.resolve_dispute(cast["staff"], first.id, False, "Done.")
        queue = api.list_disputes(cast["staff"])
        assert [case.id for case in queue] == [third.id, second.id, first.id]
        assert len(queue) == 3 and queue[0].notes == ()
        assert [c.id for c in api.list_disputes(cast["staff"], status="resolved")] == [first.id]
        api.assign_dispute(cast["staff"], second.id, cast["staff"])
        assert [c.id for c in api.list_disputes(cast["staff"], assignee=cast["staff"])] == [second.id]
        assert refused(api.list_disputes, cast["staff"], status="closed").code == "invalid_status"


class TestConfidentiality:
    def test_only_staff_who_handle_disputes_see_cases(self, cast):
        case = report(cast)
        for name in ("learner", "trainer", "peer"):
            user = cast[name]
            error = refused(api.list_disputes, user)
            assert (error.code, error.status) == ("permission_denied", 403)
            for call, args in (
                (api.get_dispute, ()),
                (api.assign_dispute, (user,)),
                (api.add_dispute_note, ("Mine.",)),
                (api.set_dispute_status, ("in_progress", "Me.")),
                (api.resolve_dispute, (True, "Me.")),
                (api.dismiss_dispute, ("Me.",)),
            ):
                error = refused(call, user, case.id, *args)
                assert (error.code, error.status) == ("dispute_not_found", 404)
        assert refused(api.get_dispute, cast["staff"], 99999).code == "dispute_not_found"
        assert Dispute.objects.get(pk=case.id).status == "open"

    def test_the_reporter_sees_status_and_resolution_never_notes_and_the_reported_nothing(self, cast):
        case = report(cast)
        api.add_dispute_note(cast["staff"], case.id, "Secret staff note.")
        mine = api.my_reports(cast["learner"])
        assert [(r.id, r.status, r.resolution, r.closed_at) for r in mine] == [(case.id, "open", "", None)]
        assert not hasattr(mine[0], "notes") and not hasattr(mine[0], "upheld")
        api.resolve_dispute(cast["staff"], case.id, True, "We spoke to the trainer.")
        closed = api.my_reports(cast["learner"])[0]
        assert (closed.status, closed.resolution, closed.reported_name) == (
            "resolved", "We spoke to the trainer.", "Tara Iner"
        )
        assert closed.closed_at is not None
        assert api.my_reports(cast["trainer"]) == []
        api.reopen_dispute(cast["staff"], case.id, "New facts.")
        assert api.my_reports(cast["learner"])[0].resolution == ""


def test_upheld_complaints_carry_what_levels_count(cast):
    """Levels count ``reported=trainer, against_trainer, upheld, resolved_at``: a reopened case stops counting."""
    case = report(cast)
    api.resolve_dispute(cast["staff"], case.id, True, "Upheld.")
    counted = Dispute.objects.filter(reported=cast["trainer"], against_trainer=True, upheld=True,
                                     resolved_at__isnull=False)
    assert counted.count() == 1
    api.reopen_dispute(cast["staff"], case.id, "Appeal.")
    assert counted.count() == 0
    back = report(cast, "trainer", "learner")
    api.resolve_dispute(cast["staff"], back.id, True, "Upheld against the learner.")
    assert counted.count() == 0


# --- REST -----------------------------------------------------------------------------------------------------------


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


class TestREST:
    def test_report_and_read_ones_own(self, cast):
        learner = client_for(cast["learner"])
        response = learner.post(V1 + "disputes/", {"reported": "trainer", "course_id": str(COURSE),
                                                   "category": "conduct", "description": "Rude."}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["reported_name"], body["status"], body["against_trainer"]) == ("Tara Iner", "open", True)
        again = learner.post(V1 + "disputes/", {"reported": "trainer", "course_id": str(COURSE),
                                                "description": "Again."}, format="json")
        assert (again.status_code, again.json()["error_code"]) == (409, "already_reported")
        for name in ("peer", "nobody-by-that-name"):
            answer = learner.post(V1 + "disputes/", {"reported": name, "course_id": str(COURSE),
                                                     "description": "x"}, format="json")
            assert (answer.status_code, answer.json()["error_code"]) == (404, "user_not_found")
        empty = learner.post(V1 + "disputes/", {"reported": "trainer", "description": ""}, format="json")
        assert (empty.status_code, empty.json()["error_code"]) == (400, "description_required")
        api.add_dispute_note(cast["staff"], body["id"], "Secret.")
        mine = learner.get(V1 + "disputes/mine/").json()
        assert [item["id"] for item in mine["results"]] == [body["id"]]
        assert "notes" not in mine["results"][0] and "Secret." not in str(mine)
        assert client_for(cast["trainer"]).get(V1 + "disputes/mine/").json()["results"] == []

    def test_non_staff_get_403_on_the_queue_and_404_on_a_case(self, cast):
        case = report(cast)
        for name in ("learner", "trainer"):
            client = client_for(cast[name])
            assert client.get(V1 + "disputes/").status_code == 403
            assert client.get(V1 + f"disputes/{case.id}/").status_code == 404
            for action, data in (("assign", {"assignee": name}), ("notes", {"body": "x"}),
                                 ("status", {"status": "in_progress", "reason": "x"}),
                                 ("resolve", {"upheld": True, "resolution": "x"}), ("dismiss", {"resolution": "x"}),
                                 ("reopen", {"reason": "x"})):
                answer = client.post(V1 + f"disputes/{case.id}/{action}/", data, format="json")
                assert (answer.status_code, answer.json()["error_code"]) == (404, "dispute_not_found"), action
        assert APIClient().get(V1 + "disputes/").status_code in (401, 403)
        assert not DisputeNote.objects.exists()

    def test_staff_handle_a_case(self, cast, sent):
        case = report(cast)
        staff = client_for(cast["staff"])
        assert staff.post(V1 + f"disputes/{case.id}/assign/", {"assignee": "staff2"},
                          format="json").json()["assignee_id"] == cast["staff2"].pk
        note = staff.post(V1 + f"disputes/{case.id}/notes/", {"body": "Called the trainer."}, format="json")
        assert note.status_code == 201 and note.json()["author_name"] == "Stef"
        moved = staff.post(V1 + f"disputes/{case.id}/status/", {"status": "in_progress", "reason": "Working."},
                           format="json")
        assert moved.json()["status"] == "in_progress"
        bad = staff.post(V1 + f"disputes/{case.id}/status/", {"status": "in_progress", "reason": ""}, format="json")
        assert (bad.status_code, bad.json()["error_code"]) == (400, "reason_required")
        done = staff.post(V1 + f"disputes/{case.id}/resolve/", {"upheld": True, "resolution": "Upheld."},
                          format="json")
        assert done.status_code == 200 and (done.json()["status"], done.json()["upheld"]) == ("resolved", True)
        second = client_for(cast["staff2"]).post(V1 + f"disputes/{case.id}/resolve/",
                                                 {"upheld": False, "resolution": "No."}, format="json")
        assert (second.status_code, second.json()["error_code"]) == (409, "invalid_status")
        dismiss = staff.post(V1 + f"disputes/{case.id}/dismiss/", {"resolution": "x"}, format="json")
        assert dismiss.status_code == 409
        reopened = staff.post(V1 + f"disputes/{case.id}/reopen/", {"reason": "Appeal."}, format="json")
        assert reopened.json()["status"] == "open"
        dismissed = staff.post(V1 + f"disputes/{case.id}/dismiss/", {"resolution": "Dropped."}, format="json")
        assert dismissed.json()["status"] == "dismissed"
        detail = staff.get(V1 + f"disputes/{case.id}/").json()
        assert [note["status_change"] for note in detail["notes"]] == [
            "", "in_progress", "resolved", "open", "dismissed"
        ]
        assert (detail["reporter_username"], detail["reported_username"]) == ("learner", "trainer")
        assert [kind for kind, *_ in sent] == ["dispute_resolved", "dispute_resolved"]

    def test_the_queue_is_paginated_in_a_fixed_number_of_queries(self, cast, make_user):
        staff = client_for(cast["staff"])
        for index in range(6):
            reporter = make_user(f"reporter{index}", first_name=f"R{index}")
            host_api.record_enrollment(reporter.pk, COURSE, "audit", True, at(1))
            case = api.report_problem(reporter, "trainer", course_key=COURSE, description="x")
            api.assign_dispute(cast["staff"], case.id, "staff2")
        counts = []
        for size in (2, 6):
            with CaptureQueriesContext(connection) as queries:
                page = staff.get(V1 + f"disputes/?page_size={size}")
            assert page.status_code == 200 and len(page.json()["results"]) == size
            counts.append(len(queries))
        assert counts[0] == counts[1]
        mine = staff.get(V1 + "disputes/?assignee=me").json()
        assert mine["count"] == 0
        theirs = staff.get(V1 + "disputes/?assignee=staff2&status=open").json()
        assert theirs["count"] == 6
        assert staff.get(V1 + "disputes/?assignee=nobody").json()["error_code"] == "invalid_assignee"
        assert staff.get(V1 + "disputes/?status=closed").json()["error_code"] == "invalid_status"

    def test_the_schema_documents_every_endpoint(self, client, capsys):
        paths = client.get("/api/mentora/v1/schema/?format=json").json()["paths"]
        warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line]
        assert not [line for line in warnings if "disputes" in line.lower()], warnings
        for path in ("disputes/", "disputes/mine/", "disputes/{dispute_id}/", "disputes/{dispute_id}/assign/",
                     "disputes/{dispute_id}/notes/", "disputes/{dispute_id}/status/",
                     "disputes/{dispute_id}/resolve/", "disputes/{dispute_id}/dismiss/",
                     "disputes/{dispute_id}/reopen/"):
            assert V1 + path in paths, path
        assert {"201", "409"} <= set(paths[V1 + "disputes/"]["post"]["responses"])


# --- pages ----------------------------------------------------------------------------------------------------------


def page_client(client, user):
    client.force_login(user)
    return client


class TestPages:
    def test_the_report_form_prefilled_then_sent(self, cast, client):
        page_client(client, cast["learner"])
        url = reverse("mentora-trainers:disputes-report")
        shown = client.get(url, {"user": "trainer", "course_id": str(COURSE)})
        text = shown.content.decode()
        assert shown.status_code == 200
        assert "You are reporting a problem with your trainer Tara Iner." in text and "Mentoring 101" in text
        assert 'value="trainer"' in text and f'value="{COURSE}"' in text
        sent = client.post(url, {"user": "trainer", "course_id": str(COURSE), "category": "quality",
                                 "description": "Unprepared."})
        assert sent.status_code == 302 and sent["Location"] == reverse("mentora-trainers:disputes-mine")
        assert Dispute.objects.get().category == "quality"
        twice = client.post(url, {"user": "trainer", "course_id": str(COURSE), "category": "quality",
                                  "description": "Again."})
        assert twice.status_code == 409 and "You already reported a problem with this person" in twice.content.decode()

    def test_refusals_are_clear_and_leak_nothing(self, cast, client, make_user):
        make_user("secret", first_name="Hidden", last_name="Person")
        page_client(client, cast["learner"])
        url = reverse("mentora-trainers:disputes-report")
        for name in ("secret", "nobody-by-that-name"):
            shown = client.get(url, {"user": name, "course_id": str(COURSE)}).content.decode()
            assert "There is nobody by that name you have dealt with" in shown and "Hidden" not in shown
        refused_post = client.post(url, {"user": "secret", "course_id": str(COURSE), "category": "other",
                                         "description": "x"})
        body = refused_post.content.decode()
        assert refused_post.status_code == 404
        assert 'id="id_user-error"' in body and 'aria-invalid="true"' in body  # next to the field
        missing = client.post(url, {"user": "trainer", "course_id": str(COURSE), "category": "other",
                                    "description": ""})
        assert missing.status_code == 400 and 'id="id_description-error"' in missing.content.decode()
        assert not Dispute.objects.exists()

    def test_my_reports_show_the_resolution_never_the_notes(self, cast, client):
        case = report(cast)
        api.add_dispute_note(cast["staff"], case.id, "Secret staff note.")
        page_client(client, cast["learner"])
        text = client.get(reverse("mentora-trainers:disputes-mine")).content.decode()
        assert "Tara Iner" in text and "Not closed yet." in text and "Secret staff note." not in text
        api.resolve_dispute(cast["staff"], case.id, True, "We **spoke** to the trainer.")
        text = client.get(reverse("mentora-trainers:disputes-mine")).content.decode()
        assert "<strong>spoke</strong>" in text and "Secret staff note." not in text
        page_client(client, cast["trainer"])
        assert "You have not reported any problem." in client.get(
            reverse("mentora-trainers:disputes-mine")).content.decode()

    def test_non_staff_are_kept_out_of_the_queue_and_the_cases(self, cast, client):
        case = report(cast)
        for name in ("learner", "trainer"):
            page_client(client, cast[name])
            assert client.get(reverse("mentora-trainers:disputes-queue")).status_code == 403
            url = reverse("mentora-trainers:disputes-detail", kwargs={"dispute_id": case.id})
            assert client.get(url).status_code == 404
            assert client.post(url, {"action": "resolve", "resolve-upheld": "yes",
                                     "resolve-resolution": "x"}).status_code == 404
        assert Dispute.objects.get(pk=case.id).status == "open"
        client.logout()
        assert client.get(reverse("mentora-trainers:disputes-queue")).status_code == 302  # to sign in

    def test_staff_queue_and_filters(self, cast, client):
        first, second = report(cast), report(cast, "trainer", "learner")
        api.resolve_dispute(cast["staff"], second.id, False, "Done.")
        page_client(client, cast["staff"])
        url = reverse("mentora-trainers:disputes-queue")
        text = client.get(url).content.decode()
        assert f'data-dispute-id="{first.id}"' in text and f'data-dispute-id="{second.id}"' in text
        assert text.index(f'data-dispute-id="{first.id}"') < text.index(f'data-dispute-id="{second.id}"')
        text = client.get(url, {"status": "resolved"}).content.decode()
        assert f'data-dispute-id="{first.id}"' not in text and f'data-dispute-id="{second.id}"' in text
        assert "No dispute matches." in client.get(url, {"mine": "1"}).content.decode()
        api.assign_dispute(cast["staff"], first.id, cast["staff"])
        assert f'data-dispute-id="{first.id}"' in client.get(url, {"mine": "1"}).content.decode()

    def test_staff_handle_a_case_on_its_page(self, cast, client, sent):
        case = report(cast)
        page_client(client, cast["staff"])
        url = reverse("mentora-trainers:disputes-detail", kwargs={"dispute_id": case.id})
        text = client.get(url).content.decode()
        assert "Tara Iner" in text and "Lea Rner" in text and "They never came" in text
        assert client.post(url, {"action": "assign_me"}).status_code == 302
        assert Dispute.objects.get(pk=case.id).assignee == cast["staff"]
        assert client.post(url, {"action": "note", "note-note": "Called the learner."}).status_code == 302
        blank = client.post(url, {"action": "status", "status-status": "in_progress", "status-reason": ""})
        assert blank.status_code == 400 and 'id="id_status-reason-error"' in blank.content.decode()
        assert client.post(url, {"action": "status", "status-status": "in_progress",
                                 "status-reason": "On it."}).status_code == 302
        no_choice = client.post(url, {"action": "resolve", "resolve-resolution": "Upheld."})
        assert no_choice.status_code == 400 and 'id="id_resolve-upheld-error"' in no_choice.content.decode()
        assert client.post(url, {"action": "resolve", "resolve-upheld": "yes",
                                 "resolve-resolution": "Upheld."}).status_code == 302
        stored = Dispute.objects.get(pk=case.id)
        assert (stored.status, stored.upheld, stored.resolved_by) == ("resolved", True, cast["staff"])
        late = client.post(url, {"action": "dismiss", "dismiss-resolution": "Too late."})
        assert late.status_code == 409 and "reopen it first" in late.content.decode()
        text = client.get(url).content.decode()
        assert "Called the learner." in text and "Reopen the case" in text and "Resolve the case" not in text
        assert client.post(url, {"action": "reopen", "reopen-reason": "Appeal."}).status_code == 302
        assert client.post(url, {"action": "dismiss", "dismiss-resolution": "Dropped."}).status_code == 302
        assert Dispute.objects.get(pk=case.id).status == "dismissed"
        assert [kind for kind, *_ in sent] == ["dispute_resolved", "dispute_resolved"]
        assert client.get(reverse("mentora-trainers:disputes-detail", kwargs={"dispute_id": 99999})).status_code == 404
