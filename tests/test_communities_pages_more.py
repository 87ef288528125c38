"""
Communities' editing pages (server-rendered, POST-redirect-GET, refusals next to their field): editing a post (its
author, or a moderator with a reason kept in the log), a forum's rules (title, description, posting, read-only, slow
mode as a human choice, a closing date typed in the viewer's time zone, archive, the leader named by staff), staff
creating a thematic forum with its leader, the space's settings (empty: the platform's default, shown), renaming a
group and editing its milestones; and the API the pages read instead of the models (following someone, the response
target, the choice lists, a review item's thread flags).
"""
from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from mentora_plugin.communities import api
from mentora_plugin.communities.models import Forum, Group, Milestone, ModerationAction, Post, Space, Thread
from mentora_plugin.host import compat
from tests import test_communities_access as access_tests
from tests import test_communities_pages as pages_tests
from tests.conftest import COURSE, OTHER_COURSE
from tests.test_communities_access import forum_of
from tests.test_communities_pages import client_for, html_of, url

pytestmark = pytest.mark.django_db

cast = access_tests.cast
qa = pages_tests.qa
forum = pages_tests.forum
question = pages_tests.question
PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def paris(monkeypatch, cast):
    """Everyone's account says Europe/Paris (the LMS preference the pages read times in)."""
    monkeypatch.setattr(compat, "get_user_preference", lambda user, key: "Europe/Paris" if key == "time_zone" else None)


def field_error(html: str, field_id: str) -> str:
    """The error shown under the field ``field_id`` (and the field points at it), or ""."""
    found = re.search(rf'<p class="mentora-field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    if found:
        assert f'aria-describedby="{field_id}-error"' in html
    return found.group(1).strip() if found else ""


def edit_url(thread_id: int, post_id: int) -> str:
    return url("edit-post", thread_id, post_id)


# --- editing a post ---------------------------------------------------------------------------------------------------


class TestEditPost:
    def test_the_author_edits_their_reply_from_its_edit_link(self, cast, question):
        mine = api.reply(cast["learner2"], question.id, body="Use a **while** loop.")
        other = api.reply(cast["learner3"], question.id, body="Or recursion.")
        client = client_for(cast["learner2"])
        html = html_of(client.get(url("thread", question.id)))
        assert f'href="{edit_url(question.id, mine.id)}"' in html
        assert edit_url(question.id, other.id) not in html
        page = client.get(edit_url(question.id, mine.id))
        assert page.status_code == 200 and "Use a **while** loop." in html_of(page)
        assert 'id="id_edit-title"' not in html_of(page) and 'id="id_edit-reason"' not in html_of(page)
        response = client.post(edit_url(question.id, mine.id), {"edit-body": "Use a **for** loop."})
        assert response.status_code == 302 and response["Location"] == url("thread", question.id) + f"#post-{mine.id}"
        post = Post.objects.get(pk=mine.id)
        assert post.body == "Use a **for** loop." and "<strong>for</strong>" in post.html and post.edited_at
        assert not ModerationAction.objects.filter(action="edit").exists()  # one's own post: nothing to log
        assert "edited" in html_of(client.get(url("thread", question.id)))

    def test_the_author_of_a_thread_changes_its_title(self, cast, question):
        opening = Post.objects.get(thread_id=question.id, is_opening=True)
        client = client_for(cast["learner"])
        html = html_of(client.get(edit_url(question.id, opening.pk)))
        assert 'value="How do loops work?"' in html and "Edit the thread" in html
        client.post(edit_url(question.id, opening.pk), {"edit-title": "How do for loops work?",
                                                        "edit-body": "I do not get **for** loops."})
        assert Thread.objects.get(pk=question.id).title == "How do for loops work?"

    def test_an_empty_text_is_refused_next_to_its_field(self, cast, question):
        opening = Post.objects.get(thread_id=question.id, is_opening=True)
        response = client_for(cast["learner"]).post(edit_url(question.id, opening.pk),
                                                    {"edit-title": "Loops", "edit-body": "   "})
        assert response.status_code == 400 and field_error(html_of(response), "id_edit-body")
        assert Post.objects.get(pk=opening.pk).edited_at is None

    def test_a_moderator_edits_someone_elses_post_with_a_reason_kept_in_the_log(self, cast, question):
        reply = api.reply(cast["learner2"], question.id, body="Call me at 06 12 34 56 78")
        client = client_for(cast["trainer"])  # a course trainer moderates
        assert f'href="{edit_url(question.id, reply.id)}"' in html_of(client.get(url("thread", question.id)))
        html = html_of(client.get(edit_url(question.id, reply.id)))
        assert 'id="id_edit-reason"' in html and "someone else" in html
        response = client.post(edit_url(question.id, reply.id), {"edit-body": "[phone number removed]"})
        assert response.status_code == 400
        assert field_error(html_of(response), "id_edit-reason") == "Say why you change someone else&#x27;s post."
        assert Post.objects.get(pk=reply.id).body == "Call me at 06 12 34 56 78"
        response = client.post(edit_url(question.id, reply.id), {"edit-body": "[phone number removed]",
                                                                  "edit-reason": "Private information"})
        assert response.status_code == 302
        logged = ModerationAction.objects.get(action="edit")
        assert logged.post_id == reply.id and logged.reason == "Private information"
        log = html_of(client_for(cast["staff"]).get(url("moderation")))
        assert "Edited" in log and "Private information" in log

    def test_others_get_no_edit_link_and_no_edit_page(self, cast, question):
        reply = api.reply(cast["learner2"], question.id, body="An answer")
        client = client_for(cast["learner3"])
        assert "/edit/" not in html_of(client.get(url("thread", question.id)))
        response = client.get(edit_url(question.id, reply.id))
        assert response.status_code == 403 and "You may not edit this post." in html_of(response)
        assert client.post(edit_url(question.id, reply.id), {"edit-body": "Mine now"}).status_code == 403
        assert Post.objects.get(pk=reply.id).body == "An answer"

    def test_a_locked_thread_keeps_its_posts_as_they_are(self, cast, question):
        reply = api.reply(cast["learner2"], question.id, body="An answer")
        api.moderate_thread(cast["staff"], question.id, "lock", reason="Done")
        client = client_for(cast["learner2"])
        assert "/edit/" not in html_of(client.get(url("thread", question.id)))
        assert client.get(edit_url(question.id, reply.id)).status_code == 403

    def test_a_post_of_another_thread_or_course_is_not_found(self, cast, question, forum):
        elsewhere = api.create_thread(cast["learner2"], forum.id, title="Elsewhere", body="Hi")
        opening = Post.objects.get(thread_id=elsewhere.id, is_opening=True)
        client = client_for(cast["learner2"])
        assert client.get(edit_url(question.id, opening.pk)).status_code == 404
        other = f"/mentora/communities/{OTHER_COURSE}/threads/{elsewhere.id}/posts/{opening.pk}/edit/"
        assert client.get(other).status_code in (403, 404)
        assert client.get(edit_url(elsewhere.id, opening.pk)).status_code == 200


# --- a forum's rules --------------------------------------------------------------------------------------------------


def rules_data(info: api.ForumInfo, **changes) -> dict:
    """The rules form as the page fills it for ``info``, with ``changes`` (field names without the prefix)."""
    data = {"title": info.title, "description": info.description, "posting": info.posting,
            "slow_mode_seconds": str(info.slow_mode_seconds), "closes_at": "", "reason": ""}
    if info.read_only:
        data["read_only"] = "on"
    data.update(changes)
    return {f"rules-{name}": value for name, value in data.items() if value is not None}


class TestForumRules:
    def test_the_leader_finds_the_rules_from_the_forum_and_learners_do_not(self, cast, forum):
        rules = url("forum-rules", forum.id)
        assert f'href="{rules}"' in html_of(client_for(cast["trainer"]).get(url("forum", forum.id)))
        learner = client_for(cast["learner"])
        assert rules not in html_of(learner.get(url("forum", forum.id)))
        response = learner.get(rules)
        assert response.status_code == 403 and "leader" in html_of(response)
        assert learner.post(rules, rules_data(forum, title="Mine")).status_code == 403
        assert Forum.objects.get(pk=forum.id).title == "Python corner"

    def test_slow_mode_is_a_human_choice(self, cast, forum):
        html = html_of(client_for(cast["trainer"]).get(url("forum-rules", forum.id)))
        select = re.search(r'<select name="rules-slow_mode_seconds".*?</select>', html, re.S).group(0)
        options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select)
        assert options == [("0", "Off"), ("30", "30 seconds"), ("60", "1 minute"), ("300", "5 minutes"),
                           ("900", "15 minutes"), ("3600", "1 hour")]
        assert 'type="datetime-local"' in html

    def test_the_leader_sets_slow_mode_and_a_closing_date_in_their_time_zone(self, cast, forum, paris):
        client = client_for(cast["trainer"])
        response = client.post(url("forum-rules", forum.id), rules_data(
            forum, slow_mode_seconds="300", closes_at="2031-03-15T18:30", read_only="on", reason="Exam week"))
        assert response.status_code == 302 and response["Location"] == url("forum", forum.id)
        saved = Forum.objects.get(pk=forum.id)
        assert saved.slow_mode_seconds == 300 and saved.read_only
        assert saved.closes_at == datetime(2031, 3, 15, 18, 30, tzinfo=PARIS)  # 17:30 UTC
        logged = ModerationAction.objects.get(action="forum_rules")
        assert logged.reason == "Exam week" and logged.actor == cast["trainer"]
        assert set(logged.details["changes"]) == {"slow_mode_seconds", "closes_at", "read_only"}
        html = html_of(client.get(url("forum-rules", forum.id)))
        assert 'value="2031-03-15T18:30"' in html  # shown again in Paris time
        assert re.search(r'<option value="300" selected>5 minutes</option>', html)
        assert "Read-only" in html_of(client.get(url("forum", forum.id)))

    def test_slow_mode_then_holds_learners_back(self, cast, forum):
        client_for(cast["trainer"]).post(url("forum-rules", forum.id), rules_data(forum, slow_mode_seconds="3600"))
        api.create_thread(cast["learner"], forum.id, title="One", body="First")
        response = client_for(cast["learner"]).post(url("forum", forum.id), {
            "action": "create", "thread-title": "Two", "thread-body": "Second"})
        assert response.status_code == 429 and not Thread.objects.filter(title="Two").exists()

    def test_a_closing_date_in_the_past_closes_the_forum(self, cast, forum):
        client_for(cast["trainer"]).post(url("forum-rules", forum.id), rules_data(forum, closes_at="2020-01-01T00:00"))
        assert not api.get_forum(cast["learner"], forum.id).is_open
        assert "Closed on" in html_of(client_for(cast["learner"]).get(url("forum", forum.id)))

    def test_nothing_changed_logs_nothing(self, cast, forum):
        client = client_for(cast["trainer"])
        response = client.post(url("forum-rules", forum.id), rules_data(forum), follow=True)
        assert "Nothing changed." in html_of(response)
        assert not ModerationAction.objects.filter(action="forum_rules").exists()

    def test_a_refusal_of_the_form_shows_next_to_its_field(self, cast, forum):
        response = client_for(cast["trainer"]).post(url("forum-rules", forum.id), rules_data(forum, title=""))
        assert response.status_code == 400 and field_error(html_of(response), "id_rules-title")
        response = client_for(cast["trainer"]).post(url("forum-rules", forum.id),
                                                    rules_data(forum, slow_mode_seconds="17"))
        assert response.status_code == 400 and field_error(html_of(response), "id_rules-slow_mode_seconds")

    def test_only_staff_name_the_leader_and_archive(self, cast, forum):
        leader_html = html_of(client_for(cast["trainer"]).get(url("forum-rules", forum.id)))
        assert 'id="id_rules-leader"' not in leader_html and 'id="id_rules-archived"' in leader_html
        staff = client_for(cast["staff"])
        assert 'id="id_rules-leader"' in html_of(staff.get(url("forum-rules", forum.id)))
        response = staff.post(url("forum-rules", forum.id), rules_data(forum, leader="beginner"))
        assert response.status_code == 400
        assert "trainer of this course whose level lets them lead forums" in field_error(
            html_of(response), "id_rules-leader")
        assert Forum.objects.get(pk=forum.id).leader == cast["trainer"]
        staff.post(url("forum-rules", forum.id), rules_data(forum, leader="", archived="on"))
        saved = Forum.objects.get(pk=forum.id)
        assert saved.leader is None and saved.archived

    def test_the_default_forums_are_never_archived_and_keep_their_title(self, cast):
        announcements = api.get_forum(cast["staff"], forum_of("announcements").pk)
        client = client_for(cast["staff"])
        html = html_of(client.get(url("forum-rules", announcements.id)))
        assert 'id="id_rules-archived"' not in html and 'id="id_rules-leader"' not in html
        with translation.override("fr"):  # the form shows the translated title; unchanged, it is not stored
            shown = api.get_forum(cast["staff"], announcements.id)
            client.post(url("forum-rules", announcements.id), rules_data(shown, read_only="on"),
                        HTTP_ACCEPT_LANGUAGE="fr")
        saved = Forum.objects.get(pk=announcements.id)
        assert saved.title == "Announcements" and saved.read_only


class TestCreateForumWithLeader:
    def test_staff_create_a_forum_naming_its_leader(self, cast):
        client = client_for(cast["staff"])
        html = html_of(client.get(url("space")))
        assert 'id="id_forum-leader"' in html and "Name a trainer of the course as its leader" in html
        response = client.post(url("space"), {"action": "create_forum", "forum-title": "Statistics",
                                              "forum-posting": "everyone", "forum-leader": "trainer"})
        created = Forum.objects.get(title="Statistics")
        assert response.status_code == 302 and created.leader == cast["trainer"]

    def test_a_refused_leader_leaves_no_forum_behind(self, cast):
        response = client_for(cast["staff"]).post(url("space"), {
            "action": "create_forum", "forum-title": "Statistics", "forum-posting": "everyone",
            "forum-leader": "learner"})
        assert response.status_code == 400 and field_error(html_of(response), "id_forum-leader")
        assert not Forum.objects.filter(title="Statistics").exists()

    def test_trainers_lead_what_they_create_and_name_nobody(self, cast):
        assert 'id="id_forum-leader"' not in html_of(client_for(cast["trainer"]).get(url("space")))


# --- the space's settings ---------------------------------------------------------------------------------------------


class TestSpaceSettings:
    def test_staff_find_them_and_see_the_defaults(self, cast, settings):
        settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA = 4
        settings.MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS = 36
        settings.MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS = 5
        client = client_for(cast["staff"])
        assert url("space-settings") in html_of(client.get(url("space")))
        html = html_of(client.get(url("space-settings")))
        for default in (4, 36, 5):
            assert f"Empty: the platform&#x27;s default ({default})." in html
        assert re.search(r'name="settings-response_target_hours"[^>]*>', html).group(0).count("value=") == 0
        assert url("moderation") + "#moderators-title" in html

    def test_set_then_reset_to_the_defaults(self, cast, settings):
        settings.MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS = 48
        client = client_for(cast["staff"])
        response = client.post(url("space-settings"), {"settings-priority_weekly_quota": "2",
                                                       "settings-response_target_hours": "12",
                                                       "settings-auto_hide_reports": "0"})
        assert response.status_code == 302 and response["Location"] == url("space-settings")
        space = Space.objects.get(course_key=COURSE)
        assert (space.priority_weekly_quota, space.response_target_hours, space.auto_hide_reports) == (2, 12, 0)
        assert 'value="12"' in html_of(client.get(url("space-settings")))
        assert "within 12 hours" in html_of(client_for(cast["trainer"]).get(url("queue")))
        client.post(url("space-settings"), {"settings-priority_weekly_quota": "", "settings-response_target_hours": "",
                                            "settings-auto_hide_reports": ""})
        space.refresh_from_db()
        assert (space.priority_weekly_quota, space.response_target_hours, space.auto_hide_reports) == (None,) * 3
        assert api.response_target_hours(COURSE) == 48

    def test_out_of_range_is_refused_next_to_the_field(self, cast):
        response = client_for(cast["staff"]).post(url("space-settings"), {"settings-response_target_hours": "0"})
        assert response.status_code == 400 and field_error(html_of(response), "id_settings-response_target_hours")
        assert Space.objects.get(course_key=COURSE).response_target_hours is None

    @pytest.mark.parametrize("who", ["trainer", "learner"])
    def test_only_staff(self, cast, who):
        client = client_for(cast[who])
        assert url("space-settings") not in html_of(client.get(url("space")))
        response = client.get(url("space-settings"))
        assert response.status_code == 403 and "Only the course&#x27;s staff" in html_of(response)
        assert client.post(url("space-settings"), {"settings-priority_weekly_quota": "9"}).status_code == 403
        assert Space.objects.get(course_key=COURSE).priority_weekly_quota is None


# --- groups -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def group(cast) -> api.GroupInfo:
    info = api.create_group(cast["trainer"], COURSE, name="Team A", description="Pipeline", members=["learner"])
    api.add_milestone(cast["trainer"], info.id, title="Draft", due_at=timezone.now() + timedelta(days=7))
    return api.get_group(cast["trainer"], info.id)


class TestGroupEdits:
    def test_the_supervisor_renames_and_describes_the_group(self, cast, group):
        client = client_for(cast["trainer"])
        assert "Rename or describe the group" in html_of(client.get(url("group", group.id)))
        response = client.post(url("group", group.id), {"action": "edit_group", "edit-name": "Team Alpha",
                                                        "edit-description": "The data pipeline"})
        assert response.status_code == 302
        saved = Group.objects.get(pk=group.id)
        assert (saved.name, saved.description) == ("Team Alpha", "The data pipeline")
        assert Forum.objects.get(pk=group.board_forum_id).title == "Team Alpha"  # the board follows

    def test_a_taken_name_is_refused_next_to_the_field(self, cast, group):
        api.create_group(cast["trainer"], COURSE, name="Team B")
        response = client_for(cast["trainer"]).post(url("group", group.id), {
            "action": "edit_group", "edit-name": "Team B", "edit-description": ""})
        assert response.status_code == 409
        assert "exists already" in field_error(html_of(response), "id_edit-name")
        assert Group.objects.get(pk=group.id).name == "Team A"

    def test_edit_a_milestone_with_its_due_date_in_the_viewers_time_zone(self, cast, group, paris):
        milestone = group.milestones[0]
        client = client_for(cast["trainer"])
        html = html_of(client.get(url("group", group.id)))
        local = timezone.localtime(milestone.due_at, PARIS).strftime("%Y-%m-%dT%H:%M")
        assert f'id="id_ms-{milestone.id}-due_at"' in html and f'value="{local}"' in html
        response = client.post(url("group", group.id), {
            "action": "edit_milestone", "milestone_id": milestone.id, f"ms-{milestone.id}-title": "First draft",
            f"ms-{milestone.id}-due_at": "2031-06-01T09:00", f"ms-{milestone.id}-description": "Two pages"})
        assert response.status_code == 302 and response["Location"].endswith(f"#milestone-{milestone.id}")
        saved = Milestone.objects.get(pk=milestone.id)
        assert (saved.title, saved.description) == ("First draft", "Two pages")
        assert saved.due_at == datetime(2031, 6, 1, 9, 0, tzinfo=PARIS)

    def test_a_new_milestone_is_read_in_the_viewers_time_zone_too(self, cast, group, paris):
        client_for(cast["trainer"]).post(url("group", group.id), {
            "action": "milestone", "milestone-title": "Final", "milestone-due_at": "2031-07-01T12:00"})
        assert Milestone.objects.get(title="Final").due_at == datetime(2031, 7, 1, 12, 0, tzinfo=PARIS)

    def test_a_refused_milestone_shows_next_to_its_field(self, cast, group):
        milestone = group.milestones[0]
        response = client_for(cast["trainer"]).post(url("group", group.id), {
            "action": "edit_milestone", "milestone_id": milestone.id, f"ms-{milestone.id}-title": "",
            f"ms-{milestone.id}-due_at": "2031-06-01T09:00"})
        assert response.status_code == 400 and field_error(html_of(response), f"id_ms-{milestone.id}-title")
        assert '<details class="mc-edit-milestone" open>' in html_of(response)

    def test_members_get_no_edit_forms_and_cannot_post_them(self, cast, group):
        client = client_for(cast["learner"])
        html = html_of(client.get(url("group", group.id)))
        assert "Rename or describe the group" not in html and "mc-edit-milestone" not in html
        response = client.post(url("group", group.id), {"action": "edit_group", "edit-name": "Hijacked"},
                               follow=True)
        assert "Only the group&#x27;s supervisor" in html_of(response)
        assert Group.objects.get(pk=group.id).name == "Team A"

    def test_a_milestone_of_another_group_is_not_found_here(self, cast, group):
        other = api.create_group(cast["trainer"], COURSE, name="Team B")
        response = client_for(cast["trainer"]).post(url("group", other.id), {
            "action": "edit_milestone", "milestone_id": group.milestones[0].id})
        assert response.status_code == 404


# --- what the pages read through the API ------------------------------------------------------------------------------


class TestApiForPages:
    def test_is_following_user(self, cast):
        assert not api.is_following_user(cast["learner"], COURSE, "trainer")
        api.follow_user(cast["learner"], COURSE, "trainer")
        assert api.is_following_user(cast["learner"], COURSE, "trainer")
        assert not api.is_following_user(cast["learner2"], COURSE, "trainer")
        assert not api.is_following_user(cast["learner"], COURSE, "nobody")
        with pytest.raises(api.CommunitiesError) as refused:
            api.is_following_user(cast["outsider"], COURSE, "trainer")
        assert refused.value.code == "not_enrolled"

    def test_response_target_hours(self, cast, settings):
        settings.MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS = 24
        assert api.response_target_hours(COURSE) == 24
        assert api.response_target_hours("course-v1:Nowhere+X+2030") == 24  # no space yet
        api.update_space_settings(cast["staff"], COURSE, response_target_hours=6)
        assert api.response_target_hours(COURSE) == 6

    def test_choice_lists_are_plain_translated_pairs(self):
        assert [value for value, _label in api.REACTION_KINDS] == ["like", "thanks", "helpful", "same_question"]
        assert "spam" in dict(api.REPORT_REASONS) and "forum_rules" in dict(api.MODERATION_ACTIONS)
        assert str(dict(api.REPORT_REASONS)["spam"]) == "Spam or advertising"

    def test_a_review_item_says_when_its_thread_is_hidden_or_deleted(self, cast, question):
        api.moderate_thread(cast["staff"], question.id, "hide", reason="Off topic")
        item = next(item for item in api.review_queue(cast["staff"], COURSE) if item.thread_id == question.id)
        assert item.thread_hidden and not item.thread_deleted and item.post.is_opening
        html = html_of(client_for(cast["staff"]).get(url("moderation")))
        assert "Thread hidden" in html
        api.moderate_thread(cast["staff"], question.id, "delete", reason="Spam")
        item = next(item for item in api.review_queue(cast["staff"], COURSE) if item.thread_id == question.id)
        assert item.thread_deleted
        assert "Thread deleted" in html_of(client_for(cast["staff"]).get(url("moderation")))

    @pytest.mark.parametrize("module", ["pages", "staff", "editing"])
    def test_the_views_import_no_models(self, module):
        tree = ast.parse((ROOT / "mentora_plugin" / "communities" / "views" / f"{module}.py").read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not {name for name in imported if name and name.endswith("models")}



def test_a_slow_mode_set_through_the_api_is_said_with_its_plural():
    from mentora_plugin.communities.views import pages  # noqa: F401  (the URL conf imports editing through pages)
    from mentora_plugin.communities.views.editing import _slow_mode_label

    assert _slow_mode_label(1) == "1 second" and _slow_mode_label(45) == "45 seconds"
    with translation.override("fr"):
        assert _slow_mode_label(1) == "1 seconde" and _slow_mode_label(45) == "45 secondes"
