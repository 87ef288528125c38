"""
The communities REST API: someone not enrolled (or unenrolled since) reads and writes nothing through any of its
routes (every route of the URL conf is walked, so a new one cannot escape); the error body (``error_code``,
``message``, ``field``, ``until``); bad input is a 400 naming the field; threads, replies, comments, edits,
reactions, reports, follows, read marks, search; priority questions (refused before anything is created when the
week's quota is used up); moderation and sanctions; groups; notifications; fixed query counts for the lists; and
the OpenAPI schema.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.communities import api
from mentora_plugin.communities.models import Post, Reaction, Sanction, Thread
from mentora_plugin.communities.rest_api.v1 import urls as v1_urls
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from tests.conftest import COURSE, OTHER_COURSE, at
from tests.test_badges_classes import give_level

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/communities/"


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS = {"posts_per_hour": 1000, "threads_per_day": 1000,
                                                     "links_per_post": 2}
    settings.MENTORA_COMMUNITIES_LIMITS = {"posts_per_hour": 1000, "threads_per_day": 1000, "links_per_post": 20}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(make_user):
    """A course's people: staff, a trainer, two learners, someone of another course, someone unenrolled since."""
    host_api.record_course(COURSE, at(0), title="Communities 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other course")
    cast = {name: make_user(name, first_name=name.title()) for name in (
        "staff", "trainer", "learner", "learner2", "outsider", "former", "platform")}
    cast["platform"].is_staff = True
    cast["platform"].save()
    for name in ("learner", "learner2", "former"):
        host_api.record_enrollment(cast[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(cast["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, cast["trainer"], granted_by=None)
    give_level(cast["trainer"], "expert")
    host_api.record_course_role(CourseRoleRecord(user_id=cast["staff"].pk, org=COURSE.org, course_key=str(COURSE),
                                                 role="staff", is_active=True), at(0))
    return cast


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code and body["message"], body
    assert {"field", "until"} <= set(body), body
    return body


@pytest.fixture
def space(people):
    """A thematic forum with a learner's thread, a reply, a comment; a question in the Q&A; a group; a sanction."""
    forum = api.create_forum(people["staff"], COURSE, title="Python corner")
    thread = api.create_thread(people["learner"], forum.id, title="Loops", body="How do **loops** work?")
    reply = api.reply(people["learner2"], thread.id, body="With `for`.")
    comment = api.reply(people["learner"], thread.id, body="Thanks!", parent_id=reply.id)
    qa = next(item for item in api.list_forums(people["learner"], COURSE) if item.kind == "qa")
    question = api.create_thread(people["learner"], qa.id, title="Exam date?", body="When is the exam?")
    answer = api.reply(people["trainer"], question.id, body="In June.")
    group = api.create_group(people["staff"], COURSE, name="Team A", supervisor="trainer",
                             members=("learner", "former"))
    milestone = api.add_milestone(people["staff"], group.id, title="Draft", due_at=timezone.now() + timedelta(days=7))
    opening = api.thread_detail(people["learner"], thread.id, mark_read=False).opening
    api.report_post(people["learner2"], opening.id, "spam")
    sanction = api.sanction_member(people["staff"], COURSE, "learner2", "mute",
                                   timezone.now() + timedelta(days=1), "Calm down.")
    return {"forum": forum, "thread": thread, "reply": reply, "comment": comment, "qa": qa, "question": question,
            "answer": answer, "group": group, "milestone": milestone, "sanction": sanction}


# --- through any door -------------------------------------------------------------------------------------------------


def _routes() -> list[tuple[str, URLPattern]]:
    """Every route of the communities REST URL conf, by its name (walking includes, if any are added)."""
    found = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                found.append((pattern.name, pattern))

    walk(v1_urls.urlpatterns)
    return found


#: Routes of no course: each person only ever reaches their own notifications and preferences.
PERSONAL = {"api-notifications", "api-notifications-read", "api-notification-preferences"}


def _bodies(people, space) -> dict[str, dict]:
    """A valid body per route, so that only access can refuse it."""
    until = (timezone.now() + timedelta(days=2)).isoformat()
    return {
        "api-space": {"priority_weekly_quota": 9},
        "api-forums": {"title": "Mine"},
        "api-forum": {"title": "Renamed", "reason": "why"},
        "api-forum-threads": {"title": "Sneaky", "body": "I am in."},
        "api-thread": {"title": "Renamed", "body": "Changed", "reason": "why"},
        "api-thread-posts": {"body": "Me too."},
        "api-post": {"body": "Changed", "reason": "why"},
        "api-post-reactions": {"kind": "like"},
        "api-post-reports": {"reason": "spam"},
        "api-thread-assign": {"username": "trainer"},
        "api-thread-moderation": {"action": "lock", "reason": "why"},
        "api-post-moderation": {"action": "hide", "reason": "why"},
        "api-post-reports-resolve": {"resolution": "upheld", "reason": "why"},
        "api-sanctions": {"username": "learner", "kind": "mute", "until": until, "reason": "why"},
        "api-sanction-lift": {"reason": "why"},
        "api-moderators": {"username": "learner", "reason": "why"},
        "api-groups": {"name": "Team B"},
        "api-group": {"name": "Team Z"},
        "api-group-members": {"usernames": ["learner"]},
        "api-group-milestones": {"title": "Final", "due_at": until},
        "api-milestone": {"done": True, "title": "Renamed"},
        "api-group-project": {"usage_key": "block-v1:TestOrg+T101+2026+type@mentora_project+block@p1"},
    }


def _kwargs(pattern: URLPattern, people, space) -> dict:
    values = {
        "course_id": str(COURSE), "forum_id": space["forum"].id, "thread_id": space["thread"].id,
        "post_id": space["reply"].id, "sanction_id": space["sanction"].id, "group_id": space["group"].id,
        "milestone_id": space["milestone"].id, "username": "learner",
    }
    return {name: values[name] for name in pattern.pattern.converters}


def _snapshot() -> dict[str, list]:
    """Every row of every communities table: a write of any kind shows as a difference."""
    return {model.__name__: list(model.objects.order_by("pk").values())
            for model in apps.get_app_config("mentora_communities").get_models()}


@pytest.mark.parametrize("who", ["outsider", "former"])
def test_no_door_lets_someone_without_a_part_in_the_course_read_or_write(people, space, who):
    if who == "former":  # unenrolled since: the host's projection says inactive
        host_api.record_enrollment(people["former"].pk, COURSE, "audit", False, at(5))
    client = client_for(people[who])
    bodies = _bodies(people, space)
    routes = _routes()
    names = {name for name, _pattern in routes}
    assert set(bodies) | PERSONAL | {"api-person-follow", "api-thread-follow", "api-forum-follow",
                                     "api-thread-read", "api-search", "api-similar", "api-thread-priority",
                                     "api-thread-accept", "api-post-accept", "api-questions",
                                     "api-question-figures", "api-review-queue", "api-audit"} >= names, (
        "a new route: give it a body above", names - set(bodies))
    before = _snapshot()
    tried = 0
    for name, pattern in routes:
        if name in PERSONAL:
            continue
        url = reverse(f"mentora-communities:{name}", kwargs=_kwargs(pattern, people, space))
        view = pattern.callback.view_class
        for method in ("get", "post", "put", "patch", "delete"):
            if not hasattr(view, method):
                continue
            query = {"q": "loops", "title": "exam date", "kind": "like"} if method in ("get", "delete") else None
            if method in ("get",):
                response = client.get(url, query)
            elif method == "delete":
                response = client.delete(url + "?kind=like", bodies.get(name, {}), format="json")
            else:
                response = getattr(client, method)(url, bodies.get(name, {}), format="json")
            tried += 1
            assert response.status_code in (403, 404), (name, method, response.status_code, response.content)
            assert response.json()["error_code"] in ("not_enrolled", f"{name}_not_found") or response.json()[
                "error_code"].endswith("_not_found"), (name, method, response.content)
            text = response.content.decode()
            assert "Loops" not in text and "Exam date" not in text and "Team A" not in text, (name, method)
    assert tried >= 45
    assert _snapshot() == before


def test_personal_routes_show_only_one_s_own(people, space):
    """Notifications of the course reach only their recipient; another's ids mark nothing."""
    mine = api.list_notifications(people["learner"])
    outsider = client_for(people["outsider"])
    listed = outsider.get(V1 + "notifications/").json()
    assert listed["results"] == [] and listed["unread_count"] == 0
    ids = [item.id for item in mine]
    assert outsider.post(V1 + "notifications/read/", {"ids": ids or [1]}, format="json").json() == {"marked": 0}


def test_nobody_signed_in_gets_a_401_or_403(space):
    response = APIClient().get(V1 + f"courses/{COURSE}/")
    assert response.status_code in (401, 403) and response.json()["error_code"] == "not_authenticated"


# --- errors -----------------------------------------------------------------------------------------------------------


class TestErrors:
    def test_a_bad_course_key_names_the_field(self, people):
        body = error_of(client_for(people["learner"]).get(V1 + "courses/nonsense/"), 400, "invalid_course_key")
        assert body["field"] == "course_id" and list(body["field_errors"]) == ["course_id"]
        assert body["until"] is None

    def test_missing_or_invalid_input_is_a_400_with_the_field(self, people, space):
        client = client_for(people["learner"])
        url = V1 + f"forums/{space['forum'].id}/threads/"
        body = error_of(client.post(url, {"title": "No body"}, format="json"), 400, "invalid_input")
        assert body["field"] == "body" and "body" in body["field_errors"]
        body = error_of(client.post(url, {"title": "", "body": "x"}, format="json"), 400, "title_required")
        assert body["field"] == "title"
        body = error_of(client.post(url, {"title": "t" * 201, "body": "x"}, format="json"), 400, "title_too_long")
        assert body["field"] == "title"
        body = error_of(client.post(url, {"title": "Hi", "body": "b" * 20_001}, format="json"), 400,
                        "body_too_long")
        assert body["field"] == "body"
        body = error_of(client.post(V1 + f"posts/{space['reply'].id}/reactions/", {"kind": "love"}, format="json"),
                        400, "invalid_input")
        assert body["field"] == "kind"
        error_of(client.get(url, {"page": "zero"}), 400, "invalid_input")
        error_of(client.get(url, {"show": "everything"}), 400, "invalid_input")
        error_of(client.post(url, ["not", "an", "object"], format="json"), 400, "invalid_input")
        assert not Thread.objects.filter(title__in=["No body", "Hi"]).exists()

    def test_a_mute_says_until_when(self, people, space):
        body = error_of(client_for(people["learner2"]).post(V1 + f"threads/{space['thread'].id}/posts/",
                                                            {"body": "Let me speak"}, format="json"), 403, "muted")
        assert body["until"] and body["until"].startswith(str(space["sanction"].until.year))

    def test_a_suspension_refuses_reading_with_until(self, people, space):
        api.sanction_member(people["staff"], COURSE, "learner", "suspend", timezone.now() + timedelta(days=3), "x")
        body = error_of(client_for(people["learner"]).get(V1 + f"threads/{space['thread'].id}/"), 403, "suspended")
        assert body["until"]

    def test_what_one_may_not_see_is_a_404(self, people, space):
        api.moderate_thread(people["staff"], space["thread"].id, "hide", reason="Spam")
        error_of(client_for(people["learner2"]).get(V1 + f"threads/{space['thread'].id}/"), 404, "thread_not_found")
        error_of(client_for(people["learner2"]).get(V1 + "threads/999999/"), 404, "thread_not_found")
        assert client_for(people["staff"]).get(V1 + f"threads/{space['thread'].id}/").json()["thread"]["hidden"]
        error_of(client_for(people["learner2"]).get(V1 + f"groups/{space['group'].id}/"), 404, "group_not_found")


# --- threads and posts ------------------------------------------------------------------------------------------------


class TestThreads:
    def test_the_space_and_its_forums(self, people, space):
        body = client_for(people["learner"]).get(V1 + f"courses/{COURSE}/").json()
        assert body["course_id"] == str(COURSE) and body["viewer"]["can_moderate"] is False
        assert [forum["kind"] for forum in body["forums"]] == ["announcements", "qa", "discussion"]
        listed = client_for(people["learner"]).get(V1 + f"courses/{COURSE}/forums/").json()
        assert listed["count"] == 3 and listed["results"][2]["title"] == "Python corner"
        assert client_for(people["staff"]).get(V1 + f"courses/{COURSE}/").json()["viewer"]["can_manage"]

    def test_creating_a_forum_and_changing_its_rules(self, people, space):
        created = client_for(people["trainer"]).post(V1 + f"courses/{COURSE}/forums/",
                                                     {"title": "Data", "slow_mode_seconds": 60}, format="json")
        assert created.status_code == 201, created.content
        forum = created.json()
        assert forum["leader"]["username"] == "trainer" and forum["slow_mode_seconds"] == 60
        changed = client_for(people["trainer"]).patch(V1 + f"forums/{forum['id']}/",
                                                      {"read_only": True, "reason": "Exam week"}, format="json")
        assert changed.status_code == 200 and changed.json()["read_only"] is True
        error_of(client_for(people["learner"]).patch(V1 + f"forums/{forum['id']}/", {"read_only": False},
                                                     format="json"), 403, "permission_denied")
        error_of(client_for(people["learner"]).post(V1 + f"courses/{COURSE}/forums/", {"title": "Mine"},
                                                    format="json"), 403, "permission_denied")

    def test_a_thread_a_reply_a_comment_an_edit(self, people, space):
        client = client_for(people["learner"])
        created = client.post(V1 + f"forums/{space['forum'].id}/threads/",
                              {"title": "Functions", "body": "What is *def*?"}, format="json")
        assert created.status_code == 201, created.content
        thread = created.json()
        assert thread["title"] == "Functions" and thread["priority_error"] is None
        reply = client_for(people["trainer"]).post(V1 + f"threads/{thread['id']}/posts/",
                                                   {"body": "A [doc](https://docs.python.org)."}, format="json")
        assert reply.status_code == 201
        assert 'rel="nofollow ugc noopener noreferrer"' in reply.json()["html"]
        comment = client.post(V1 + f"threads/{thread['id']}/posts/",
                              {"body": "Got it", "parent_id": reply.json()["id"]}, format="json").json()
        assert comment["parent_id"] == reply.json()["id"]
        edited = client.patch(V1 + f"threads/{thread['id']}/", {"title": "Functions?", "body": "What is `def`?"},
                              format="json")
        assert edited.status_code == 200, edited.content
        detail = edited.json()
        assert detail["thread"]["title"] == "Functions?" and "<code>def</code>" in detail["opening"]["html"]
        assert [item["id"] for item in detail["replies"][0]["comments"]] == [comment["id"]]
        error_of(client_for(people["learner2"]).patch(V1 + f"posts/{comment['id']}/", {"body": "Hijack"},
                                                      format="json"), 403, "permission_denied")
        moved = client.patch(V1 + f"posts/{comment['id']}/", {"body": "Got it, thanks"}, format="json")
        assert moved.status_code == 200 and "thanks" in moved.json()["html"]

    def test_reactions_reports_follows_and_read_marks(self, people, space):
        client = client_for(people["learner2"])
        post_url = V1 + f"posts/{space['comment'].id}/"
        assert client_for(people["trainer"]).post(post_url + "reactions/", {"kind": "like"},
                                                  format="json").json() == {"reactions": {"like": 1}}
        assert client_for(people["trainer"]).delete(post_url + "reactions/?kind=like").json()["reactions"].get(
            "like", 0) == 0
        assert not Reaction.objects.exists()
        reported = client_for(people["trainer"]).post(post_url + "reports/", {"reason": "off_topic"}, format="json")
        assert reported.status_code == 201 and reported.json()["reason"] == "off_topic"
        error_of(client_for(people["trainer"]).post(post_url + "reports/", {"reason": "spam"}, format="json"), 409,
                 "already_reported")
        assert client.put(V1 + f"threads/{space['thread'].id}/follow/").status_code == 204
        assert client.delete(V1 + f"threads/{space['thread'].id}/follow/").status_code == 204
        assert client.put(V1 + f"forums/{space['forum'].id}/follow/").status_code == 204
        assert client.put(V1 + f"courses/{COURSE}/people/learner/follow/").status_code == 204
        assert client.post(V1 + f"threads/{space['thread'].id}/read/").status_code == 204
        page = client.get(V1 + f"forums/{space['forum'].id}/threads/").json()
        assert page["page"] == 1 and page["has_next"] is False
        assert [(item["title"], item["unread"]) for item in page["results"]] == [("Loops", False)]

    @pytest.mark.django_db(transaction=True)  # MariaDB's FULLTEXT index sees committed rows only
    def test_search_and_similar_questions(self, people, space):
        client = client_for(people["learner2"])
        found = client.get(V1 + f"courses/{COURSE}/search/", {"q": "loops"}).json()
        assert [hit["thread"]["title"] for hit in found["results"]] == ["Loops"]
        error_of(client.get(V1 + f"courses/{COURSE}/search/", {"q": "x"}), 400, "query_too_short")
        similar = client.get(V1 + f"courses/{COURSE}/similar/", {"title": "When is the exam date"}).json()
        assert [item["title"] for item in similar] == ["Exam date?"]


# --- priority questions -----------------------------------------------------------------------------------------------


class TestQuestions:
    def test_priority_at_creation_and_the_quota_refused_before_creating(self, people, space, settings):
        settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA = 1
        client = client_for(people["learner"])
        url = V1 + f"forums/{space['qa'].id}/threads/"
        first = client.post(url, {"title": "Urgent", "body": "Help with the project", "priority": True},
                            format="json")
        assert first.status_code == 201, first.content
        assert first.json()["priority"] is True and first.json()["priority_error"] is None
        body = error_of(client.post(url, {"title": "Again", "body": "More help", "priority": True}, format="json"),
                        409, "priority_quota_exhausted")
        assert body["until"] and body["field"] == "priority"
        assert not Thread.objects.filter(title="Again").exists()
        error_of(client.post(V1 + f"forums/{space['forum'].id}/threads/",
                             {"title": "Loopy", "body": "x", "priority": True}, format="json"), 400, "not_a_question")

        queue = client_for(people["trainer"]).get(V1 + f"courses/{COURSE}/questions/").json()
        assert [item["thread"]["title"] for item in queue["results"]] == ["Urgent"]
        error_of(client.get(V1 + f"courses/{COURSE}/questions/"), 403, "permission_denied")
        taken = client_for(people["trainer"]).post(V1 + f"threads/{first.json()['id']}/assign/", {}, format="json")
        assert taken.status_code == 200 and taken.json()["assignee"]["username"] == "trainer"
        figures = client_for(people["staff"]).get(V1 + f"courses/{COURSE}/questions/figures/")
        assert figures.status_code == 200 and "results" in figures.json()

    def test_marking_and_accepting(self, people, space):
        client = client_for(people["learner"])
        marked = client.post(V1 + f"threads/{space['question'].id}/priority/")
        assert marked.status_code == 200 and marked.json()["thread"]["priority"] is True
        assert client.post(V1 + f"posts/{space['answer'].id}/accept/").status_code == 204
        detail = client.get(V1 + f"threads/{space['question'].id}/").json()
        assert detail["accepted_post_id"] == space["answer"].id and detail["thread"]["state"] == "accepted"
        assert client.delete(V1 + f"threads/{space['question'].id}/accept/").status_code == 204
        assert Thread.objects.get(pk=space["question"].id).accepted_post_id is None


# --- moderation -------------------------------------------------------------------------------------------------------


class TestModeration:
    def test_actions_queue_sanctions_audit_and_moderators(self, people, space):
        staff = client_for(people["staff"])
        locked = staff.post(V1 + f"threads/{space['thread'].id}/moderation/", {"action": "lock", "reason": "Done"},
                            format="json")
        assert locked.status_code == 200 and locked.json()["locked"] is True
        error_of(staff.post(V1 + f"threads/{space['thread'].id}/moderation/", {"action": "pin", "reason": ""},
                            format="json"), 400, "reason_required")
        error_of(client_for(people["learner"]).post(V1 + f"threads/{space['thread'].id}/posts/", {"body": "Hey"},
                                                    format="json"), 409, "thread_locked")
        hidden = staff.post(V1 + f"posts/{space['reply'].id}/moderation/", {"action": "hide", "reason": "Rude"},
                            format="json")
        assert hidden.status_code == 200 and hidden.json()["hidden"] is True
        queue = staff.get(V1 + f"courses/{COURSE}/review-queue/").json()
        assert space["reply"].id in [item["post"]["id"] for item in queue["results"]]
        assert staff.post(V1 + f"posts/{space['reply'].id}/reports/resolve/", {"resolution": "dismissed"},
                          format="json").status_code == 204
        assert not Post.objects.get(pk=space["reply"].id).hidden

        until = (timezone.now() + timedelta(days=2)).isoformat()
        made = staff.post(V1 + f"courses/{COURSE}/sanctions/", {"username": "learner", "kind": "mute", "until": until,
                                                               "reason": "Spam"}, format="json")
        assert made.status_code == 201, made.content
        listed = staff.get(V1 + f"courses/{COURSE}/sanctions/").json()
        assert {item["user"]["username"] for item in listed["results"]} == {"learner", "learner2"}
        lifted = staff.post(V1 + f"sanctions/{made.json()['id']}/lift/", {"reason": "Sorry"}, format="json")
        assert lifted.status_code == 200 and lifted.json()["active"] is False
        error_of(client_for(people["learner"]).post(V1 + f"courses/{COURSE}/sanctions/", {
            "username": "learner2", "kind": "mute", "until": until, "reason": "x"}, format="json"), 403,
            "permission_denied")

        assert staff.put(V1 + f"courses/{COURSE}/moderators/", {"username": "learner", "reason": "Helpful"},
                         format="json").status_code == 204
        assert client_for(people["learner"]).get(V1 + f"courses/{COURSE}/").json()["viewer"]["can_moderate"]
        assert staff.delete(V1 + f"courses/{COURSE}/moderators/", {"username": "learner", "reason": "Enough"},
                            format="json").status_code == 204
        audit = staff.get(V1 + f"courses/{COURSE}/audit/").json()
        actions = [entry["action"] for entry in audit["results"]]
        assert {"lock", "hide", "resolve_report", "mute", "lift", "role"} <= set(actions)
        error_of(client_for(people["learner2"]).get(V1 + f"courses/{COURSE}/audit/"), 403, "permission_denied")
        assert Sanction.objects.filter(user=people["learner"], lifted_at__isnull=False).exists()


# --- groups and notifications -----------------------------------------------------------------------------------------


class TestGroupsAndNotifications:
    def test_groups_members_milestones(self, people, space):
        trainer = client_for(people["trainer"])
        created = trainer.post(V1 + f"courses/{COURSE}/groups/", {"name": "Team B", "members": ["learner2"]},
                               format="json")
        assert created.status_code == 201, created.content
        group = created.json()
        assert group["supervisor"]["username"] == "trainer"
        assert [member["username"] for member in group["members"]] == ["learner2"]
        changed = trainer.put(V1 + f"groups/{group['id']}/members/", {"usernames": ["learner", "learner2"]},
                              format="json")
        assert sorted(member["username"] for member in changed.json()["members"]) == ["learner", "learner2"]
        due = (timezone.now() + timedelta(days=5)).isoformat()
        milestone = trainer.post(V1 + f"groups/{group['id']}/milestones/", {"title": "Plan", "due_at": due},
                                 format="json").json()
        done = client_for(people["learner"]).patch(V1 + f"milestones/{milestone['id']}/", {"done": True},
                                                   format="json")
        assert done.status_code == 200 and done.json()["done_by"]["username"] == "learner"
        error_of(client_for(people["learner"]).patch(V1 + f"milestones/{milestone['id']}/", {"title": "Mine"},
                                                     format="json"), 403, "permission_denied")
        error_of(client_for(people["learner"]).patch(V1 + f"milestones/{milestone['id']}/", {}, format="json"),
                 400, "nothing_to_change")
        mine = client_for(people["learner"]).get(V1 + f"courses/{COURSE}/groups/").json()
        assert {item["name"] for item in mine["results"]} == {"Team A", "Team B"}
        assert client_for(people["learner2"]).get(V1 + f"groups/{space['group'].id}/").status_code == 404

    def test_notifications_and_preferences(self, people, space):
        api.notifications.post_created(space["reply"].id)
        client = client_for(people["learner"])
        listed = client.get(V1 + "notifications/").json()
        assert listed["unread_count"] >= 1 and listed["results"][0]["course_id"] == str(COURSE)
        marked = client.post(V1 + "notifications/read/", {}, format="json").json()["marked"]
        assert marked == listed["unread_count"]
        assert client.get(V1 + "notifications/", {"unread_only": "true"}).json()["results"] == []
        prefs = client.put(V1 + "notifications/preferences/", {"email": ["mention"], "digest": "weekly"},
                           format="json")
        assert prefs.status_code == 200 and prefs.json()["email"] == ["mention"] and prefs.json()["digest"] == "weekly"
        error_of(client.put(V1 + "notifications/preferences/", {"digest": "hourly"}, format="json"), 400,
                 "invalid_input")


# --- lists run a fixed number of queries ------------------------------------------------------------------------------


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(queries)


def test_lists_run_a_fixed_number_of_queries(people, space):
    client = client_for(people["staff"])
    urls = {
        "threads": V1 + f"forums/{space['forum'].id}/threads/",
        "detail": V1 + f"threads/{space['thread'].id}/",
        "search": V1 + f"courses/{COURSE}/search/",
        "forums": V1 + f"courses/{COURSE}/forums/",
        "review": V1 + f"courses/{COURSE}/review-queue/",
    }
    params = {"search": {"q": "loops"}}
    few = {name: _queries(client, url, params.get(name)) for name, url in urls.items()}
    for index in range(6):
        author = people["learner"] if index % 2 else people["trainer"]
        thread = api.create_thread(author, space["forum"].id, title=f"More loops {index}", body=f"Loops {index}")
        reply = api.reply(people["staff"], space["thread"].id, body=f"Reply {index}")
        api.reply(author, space["thread"].id, body=f"Comment {index}", parent_id=reply.id)
        api.react(people["learner"], reply.id, "like")
        api.report_post(people["learner"], reply.id, "spam")
        api.create_forum(people["staff"], COURSE, title=f"Forum {index} {thread.id}")
    many = {name: _queries(client, url, params.get(name)) for name, url in urls.items()}
    assert many == few


# --- schema -----------------------------------------------------------------------------------------------------------


def test_the_schema_documents_every_route_without_warnings(client, capsys):
    response = client.get("/api/mentora/v1/schema/?format=json")
    assert response.status_code == 200
    warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line or "Error" in line]
    assert not warnings, warnings
    paths = response.json()["paths"]
    for _name, pattern in _routes():
        route = "/api/mentora/v1/communities/" + str(pattern.pattern).replace("<int:", "{").replace(
            "<str:", "{").replace(">", "}")
        assert route in paths, route
        documented = set(paths[route])
        assert {method for method in ("get", "post", "put", "patch", "delete")
                if hasattr(pattern.callback.view_class, method)} <= documented, route
    created = paths[V1 + "forums/{forum_id}/threads/"]["post"]
    assert {"201", "400", "403", "404", "409", "429"} <= set(created["responses"])
    error = created["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/CommunityError")
    assert get_resolver()  # the whole site's URL conf loads with the communities routes
