"""
Communities' pages (server-rendered, no JavaScript needed): the space with its forums and unread counts, a forum's
threads, filters and new-thread form (private and priority questions), a thread's posts with replies, comments,
reactions (aria-pressed), following, reports, accepted answers and the moderators' controls; hidden and deleted
posts shown only to moderators, labelled; refusals (not enrolled, suspended, muted with the date) as pages and
next to their fields; search; the trainers' queue; moderation (review queue, sanctions, log); group projects;
notifications and preferences; people; CSRF on every form; only the API's sanitised HTML is inserted; French.
"""
from __future__ import annotations

import re
from datetime import timedelta

import polib
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mentora_plugin.communities import api
from mentora_plugin.communities.models import (
    Follow,
    Forum,
    GroupMembership,
    Milestone,
    ModerationAction,
    Notification,
    Post,
    Reaction,
    Report,
    Sanction,
    Thread,
)
from tests import test_communities_access as access_tests
from tests.conftest import COURSE, OTHER_COURSE
from tests.test_communities_access import forum_of, sanction

pytestmark = pytest.mark.django_db

cast = access_tests.cast
CID = str(COURSE)


def client_for(user, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"mentora-communities:{name}", args=[CID, *args])


def html_of(response) -> str:
    return response.content.decode()


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1]


@pytest.fixture
def qa(cast) -> Forum:
    return forum_of("qa")


@pytest.fixture
def forum(cast) -> api.ForumInfo:
    return api.create_forum(cast["trainer"], COURSE, title="Python corner", description="Talk about *Python*.")


@pytest.fixture
def question(cast, qa) -> api.ThreadSummary:
    return api.create_thread(cast["learner"], qa.pk, title="How do loops work?", body="I do not get **loops**.")


# --- the space --------------------------------------------------------------------------------------------------------


class TestSpace:
    def test_a_learner_sees_the_forums_with_unread_counts_and_the_latest_questions(self, cast, forum, question):
        response = client_for(cast["learner2"]).get(url("space"))
        html = html_of(response)
        assert response.status_code == 200
        assert "Community: Communities 101" in html
        rows = dict(re.findall(r'<tr data-forum-id="(\d+)" data-kind="(\w+)">', html))
        assert set(rows.values()) == {"announcements", "qa", "discussion"}
        qa_row = re.search(r'data-kind="qa">(.*?)</tr>', html, re.S).group(1)
        assert 'mc-flag mc-flag-unread">1<' in qa_row  # the question learner2 has not read
        assert "How do loops work?" in html
        assert 'role="search"' in html and url("search") in html
        assert "Create a thematic forum" not in html  # learners do not create forums

    def test_reading_the_thread_clears_the_unread_count(self, cast, question):
        client = client_for(cast["learner2"])
        client.get(url("thread", question.id))
        qa_row = re.search(r'data-kind="qa">(.*?)</tr>', html_of(client.get(url("space"))), re.S).group(1)
        assert '<td class="mc-unread">0</td>' in qa_row

    def test_the_short_path_is_the_same_page(self, cast):
        assert client_for(cast["learner"]).get(f"/mentora/communities/{CID}/").status_code == 200

    @pytest.mark.parametrize("who", ["outsider", "other_trainer", "gone"])
    def test_people_without_a_part_in_the_course_are_refused_with_a_reason(self, cast, who):
        response = client_for(cast[who]).get(url("space"))
        assert response.status_code == 403
        assert "Enrol in this course to take part in its community." in html_of(response)

    def test_the_anonymous_sign_in_first_and_nonsense_keys_are_not_found(self, cast):
        assert Client().get(url("space")).status_code == 302
        assert client_for(cast["learner"]).get("/mentora/communities/courses/not-a-key/").status_code == 404

    def test_a_suspended_member_is_told_until_when(self, cast):
        until = sanction(cast, "learner", "suspend", hours=30).until
        response = client_for(cast["learner"]).get(url("space"))
        html = html_of(response)
        assert response.status_code == 403 and 'data-code="suspended"' in html
        assert f'datetime="{until.isoformat(timespec="seconds").replace("+00:00", "+00:00")}' in html or \
            until.strftime("%Y-%m-%d") in html

    def test_a_trainer_who_may_lead_creates_a_forum(self, cast):
        client = client_for(cast["trainer"])
        assert "Create a thematic forum" in html_of(client.get(url("space")))
        response = client.post(url("space"), {"action": "create_forum", "forum-title": "SQL", "forum-description": "",
                                              "forum-posting": "everyone"})
        created = Forum.objects.get(title="SQL")
        assert response.status_code == 302 and response["Location"] == url("forum", created.pk)
        assert created.leader == cast["trainer"]
        response = client.post(url("space"), {"action": "create_forum", "forum-title": "",
                                              "forum-posting": "everyone"})
        assert response.status_code == 400 and 'id="id_forum-title-error"' in html_of(response)


# --- a forum ----------------------------------------------------------------------------------------------------------


class TestForum:
    def test_threads_with_author_replies_unread_and_flags(self, cast, forum):
        first = api.create_thread(cast["learner"], forum.id, title="First steps", body="Hello")
        pinned = api.create_thread(cast["trainer"], forum.id, title="Read me first", body="Rules")
        api.moderate_thread(cast["trainer"], pinned.id, "pin", reason="The rules")
        api.reply(cast["learner2"], first.id, body="Welcome!")
        html = html_of(client_for(cast["learner3"]).get(url("forum", forum.id)))
        ids = re.findall(r'<li data-thread-id="(\d+)"', html)
        assert ids == [str(pinned.id), str(first.id)]  # pinned first
        line = re.search(rf'data-thread-id="{first.id}"(.*?)</li>', html, re.S).group(1)
        assert 'data-unread="true"' in line and "1 reply" in line and ">Learner</a>" in line
        assert "Pinned" in re.search(rf'data-thread-id="{pinned.id}"(.*?)</li>', html, re.S).group(1)
        assert "<em>Python</em>" not in html and "Talk about *Python*." in html  # plain text, never marked safe

    def test_filters_and_pages(self, cast, forum):
        for number in range(22):
            thread = api.create_thread(cast["trainer"], forum.id, title=f"Topic {number}", body=f"Text {number}")
            Thread.objects.filter(pk=thread.id).update(last_activity_at=timezone.now() - timedelta(minutes=number))
        client = client_for(cast["learner"])
        html = html_of(client.get(url("forum", forum.id)))
        assert len(re.findall(r'<li data-thread-id=', html)) == 20 and "Next page" in html
        second = html_of(client.get(url("forum", forum.id) + "?page=2"))
        assert re.findall(r'<li data-thread-id="\d+"', second).__len__() == 2 and "Previous page" in second
        client.get(url("thread", Thread.objects.get(title="Topic 0").pk))
        unread = html_of(client.get(url("forum", forum.id) + "?show=unread"))
        assert "Topic 0<" not in unread and "Topic 1<" in unread
        assert '<option value="unread" selected>' in unread

    def test_start_a_thread_then_see_it(self, cast, forum):
        client = client_for(cast["learner"])
        response = client.post(url("forum", forum.id), {"action": "create", "thread-title": "Decorators?",
                                                        "thread-body": "What is `@wraps`?"})
        thread = Thread.objects.get(title="Decorators?")
        assert response.status_code == 302 and response["Location"] == url("thread", thread.pk)
        assert "<code>@wraps</code>" in html_of(client.get(response["Location"]))

    def test_a_refused_thread_shows_why_next_to_the_field(self, cast, forum):
        response = client_for(cast["learner"]).post(url("forum", forum.id), {"action": "create", "thread-title": "",
                                                                             "thread-body": "x"})
        assert response.status_code == 400 and 'id="id_thread-title-error"' in html_of(response)
        assert not Thread.objects.filter(forum_id=forum.id).exists()

    def test_a_muted_member_is_refused_with_the_date(self, cast, forum):
        until = sanction(cast, "learner", "mute", hours=50).until
        client = client_for(cast["learner"])
        page = html_of(client.get(url("forum", forum.id)))
        assert "You are muted in this community until" in page
        response = client.post(url("forum", forum.id), {"action": "create", "thread-title": "Hi",
                                                        "thread-body": "Hello"})
        html = html_of(response)
        assert response.status_code == 403 and not Thread.objects.filter(forum_id=forum.id).exists()
        alert = re.search(r'<div class="mentora-field-error" role="alert">(.*?)</div>', html, re.S).group(1)
        assert "You are muted in this course&#x27;s community until" in alert and until.strftime("%Y-%m-%d") in alert

    def test_a_suspension_after_the_page_opened_refuses_the_form_with_its_date(self, cast, forum):
        client = client_for(cast["learner"])
        assert client.get(url("forum", forum.id)).status_code == 200
        until = sanction(cast, "learner", "suspend", hours=30).until
        response = client.post(url("forum", forum.id), {"action": "create", "thread-title": "Hi",
                                                        "thread-body": "Hello"})
        assert response.status_code == 403 and until.strftime("%Y-%m-%d") in html_of(response)
        assert not Thread.objects.filter(forum_id=forum.id).exists()

    def test_the_q_and_a_form_offers_private_and_priority_with_the_quota(self, cast, qa, settings):
        settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA = 2
        client = client_for(cast["learner"])
        html = html_of(client.get(url("forum", qa.pk)))
        assert 'name="thread-private"' in html and 'name="thread-priority"' in html
        assert "You may mark 2 more questions as priority this week." in html
        assert 'data-similar-url="/api/mentora/v1/communities/courses/' + CID + '/similar/"' in html
        assert "mentora/xblocks/communities.js" in html and 'aria-live="polite"' in html
        response = client.post(url("forum", qa.pk), {"action": "create", "thread-title": "Urgent: grading?",
                                                     "thread-body": "When is it graded?", "thread-priority": "on",
                                                     "thread-private": "on"})
        thread = Thread.objects.get(title="Urgent: grading?")
        assert response.status_code == 302 and thread.priority and thread.private and thread.due_at
        assert "You may mark 1 more question as priority this week." in html_of(client.get(url("forum", qa.pk)))

    def test_a_thematic_forum_has_no_question_options(self, cast, forum):
        html = html_of(client_for(cast["learner"]).get(url("forum", forum.id)))
        assert 'name="thread-private"' not in html and "data-similar-url" not in html

    def test_follow_and_unfollow_the_forum(self, cast, forum):
        client = client_for(cast["learner"])
        assert client.post(url("forum", forum.id), {"action": "follow"}).status_code == 302
        assert Follow.objects.filter(user=cast["learner"], forum_id=forum.id).exists()
        assert 'aria-pressed="true">Following this forum' in html_of(client.get(url("forum", forum.id)))
        client.post(url("forum", forum.id), {"action": "unfollow"})
        assert not Follow.objects.filter(user=cast["learner"], forum_id=forum.id).exists()

    def test_another_course_or_an_unseen_forum_is_not_found(self, cast, forum):
        other = forum_of("qa", OTHER_COURSE)
        client = client_for(cast["learner"])
        assert client.get(reverse("mentora-communities:forum", args=[str(OTHER_COURSE), forum.id])).status_code == 404
        assert client.get(url("forum", other.pk)).status_code == 403  # the other course's: not enrolled there
        assert client.get(url("forum", 999999)).status_code == 404


# --- a thread ---------------------------------------------------------------------------------------------------------


class TestThread:
    def test_reply_comment_and_the_anchors(self, cast, question):
        client = client_for(cast["learner2"])
        response = client.post(url("thread", question.id), {"action": "reply", "reply-body": "Use `for`."})
        reply = Post.objects.get(body="Use `for`.")
        assert response.status_code == 302 and response["Location"] == url("thread", question.id) + f"#post-{reply.pk}"
        response = client_for(cast["learner"]).post(url("thread", question.id), {
            "action": "comment", "post_id": reply.pk, f"comment-{reply.pk}-body": "Thanks!"})
        comment = Post.objects.get(body="Thanks!")
        assert comment.parent_id == reply.pk and response["Location"].endswith(f"#post-{comment.pk}")
        html = html_of(client.get(url("thread", question.id)))
        assert f'id="post-{reply.pk}"' in html and f'id="post-{comment.pk}"' in html
        assert html.index(f'id="post-{reply.pk}"') < html.index(f'id="post-{comment.pk}"')
        assert "<code>for</code>" in html

    def test_an_empty_reply_is_refused_next_to_its_field(self, cast, question):
        response = client_for(cast["learner2"]).post(url("thread", question.id), {"action": "reply", "reply-body": ""})
        assert response.status_code == 400 and 'id="id_reply-body-error"' in html_of(response)

    def test_reactions_are_buttons_with_counts_and_aria_pressed(self, cast, question):
        opening = Post.objects.get(thread_id=question.id, is_opening=True)
        client = client_for(cast["learner2"])
        html = html_of(client.get(url("thread", question.id)))
        assert re.search(r'value="like" aria-pressed="false" data-reaction="like">Like <span class="mc-count">0',
                         html)
        client.post(url("thread", question.id), {"action": "react", "post_id": opening.pk, "kind": "like"})
        assert Reaction.objects.filter(post=opening, user=cast["learner2"], kind="like").exists()
        html = html_of(client.get(url("thread", question.id)))
        assert re.search(r'value="like" aria-pressed="true" data-reaction="like">Like <span class="mc-count">1', html)
        assert '<input type="hidden" name="action" value="unreact">' in html
        client.post(url("thread", question.id), {"action": "unreact", "post_id": opening.pk, "kind": "like"})
        assert not Reaction.objects.filter(post=opening).exists()

    def test_follow_and_unfollow(self, cast, question):
        client = client_for(cast["learner2"])
        assert 'aria-pressed="false">Follow this thread' in html_of(client.get(url("thread", question.id)))
        client.post(url("thread", question.id), {"action": "follow"})
        assert 'aria-pressed="true">Following this thread' in html_of(client.get(url("thread", question.id)))
        client.post(url("thread", question.id), {"action": "unfollow"})
        assert not Follow.objects.filter(user=cast["learner2"], thread_id=question.id).exists()

    def test_report_a_post(self, cast, question):
        opening = Post.objects.get(thread_id=question.id, is_opening=True)
        client = client_for(cast["learner2"])
        assert "Report this post" in html_of(client.get(url("thread", question.id)))
        response = client.post(url("thread", question.id), {"action": "report", "post_id": opening.pk,
                                                            f"report-{opening.pk}-reason": "spam",
                                                            f"report-{opening.pk}-note": "Ads"})
        assert response.status_code == 302 and Report.objects.get(post=opening).reason == "spam"
        again = client.post(url("thread", question.id), {"action": "report", "post_id": opening.pk,
                                                         f"report-{opening.pk}-reason": "spam"})
        assert again.status_code == 409
        own = html_of(client_for(cast["learner"]).get(url("thread", question.id)))
        assert f'name="report-{opening.pk}-reason"' not in own  # not one's own post

    def test_the_asker_accepts_an_answer(self, cast, question):
        answer = api.reply(cast["trainer"], question.id, body="A loop repeats.")
        client = client_for(cast["learner"])
        assert "Accept this answer" in html_of(client.get(url("thread", question.id)))
        assert "Accept this answer" not in html_of(client_for(cast["learner2"]).get(url("thread", question.id)))
        client.post(url("thread", question.id), {"action": "accept", "post_id": answer.id})
        thread = Thread.objects.get(pk=question.id)
        assert thread.state == "accepted" and thread.accepted_post_id == answer.id
        html = html_of(client.get(url("thread", question.id)))
        assert "Accepted answer" in html and "Withdraw acceptance" in html

    def test_the_asker_marks_priority_on_the_thread_page_and_a_trainer_takes_it(self, cast, question):
        client = client_for(cast["learner"])
        assert "Mark as priority question" in html_of(client.get(url("thread", question.id)))
        client.post(url("thread", question.id), {"action": "priority"})
        assert Thread.objects.get(pk=question.id).priority
        trainer = client_for(cast["trainer"])
        assert "Assign to me" in html_of(trainer.get(url("thread", question.id)))
        trainer.post(url("thread", question.id), {"action": "assign"})
        assert Thread.objects.get(pk=question.id).assignee == cast["trainer"]

    def test_a_moderator_hides_a_post_then_only_moderators_see_it_labelled(self, cast, question):
        reply = api.reply(cast["learner2"], question.id, body="Buy cheap watches")
        moderator = client_for(cast["trainer"])
        assert f'name="mod-{reply.id}-reason"' in html_of(moderator.get(url("thread", question.id)))
        refused = moderator.post(url("thread", question.id), {"action": "moderate_post", "post_id": reply.id,
                                                              f"mod-{reply.id}-action": "hide",
                                                              f"mod-{reply.id}-reason": ""})
        assert refused.status_code == 400 and f'id="id_mod-{reply.id}-reason-error"' in html_of(refused)
        moderator.post(url("thread", question.id), {"action": "moderate_post", "post_id": reply.id,
                                                    f"mod-{reply.id}-action": "hide",
                                                    f"mod-{reply.id}-reason": "Spam"})
        assert Post.objects.get(pk=reply.id).hidden
        assert ModerationAction.objects.filter(action="hide", reason="Spam").exists()
        learner_html = html_of(client_for(cast["learner"]).get(url("thread", question.id)))
        assert "Buy cheap watches" not in learner_html and f'id="post-{reply.id}"' not in learner_html
        mod_html = html_of(moderator.get(url("thread", question.id)))
        article = re.search(rf'<article class="mc-post mc-post-flagged" id="post-{reply.id}"(.*?)</article>', mod_html,
                            re.S).group(1)
        assert "Buy cheap watches" in article and 'mc-flag-hidden">Hidden<' in article

    def test_learners_get_no_moderation_controls(self, cast, question):
        html = html_of(client_for(cast["learner2"]).get(url("thread", question.id)))
        assert "Moderate this thread" not in html and 'name="modthread-action"' not in html

    def test_a_moderator_locks_the_thread_then_learners_cannot_reply(self, cast, question):
        client_for(cast["staff"]).post(url("thread", question.id), {"action": "moderate_thread",
                                                                     "modthread-action": "lock",
                                                                     "modthread-reason": "Heated"})
        assert Thread.objects.get(pk=question.id).locked
        html = html_of(client_for(cast["learner2"]).get(url("thread", question.id)))
        assert "This thread is locked" in html and 'name="reply-body"' not in html
        response = client_for(cast["learner2"]).post(url("thread", question.id), {"action": "reply",
                                                                                   "reply-body": "Still?"})
        assert response.status_code == 409

    def test_move_a_thread_to_another_forum(self, cast, question, forum):
        response = client_for(cast["staff"]).post(url("thread", question.id), {
            "action": "moderate_thread", "modthread-action": "move", "modthread-forum": forum.id,
            "modthread-reason": "Belongs there"})
        assert response.status_code == 302 and Thread.objects.get(pk=question.id).forum_id == forum.id

    def test_a_hidden_thread_or_another_course_is_not_found(self, cast, question):
        api.moderate_thread(cast["trainer"], question.id, "hide", reason="Off topic")
        assert client_for(cast["learner2"]).get(url("thread", question.id)).status_code == 404
        assert client_for(cast["learner2"]).post(url("thread", question.id), {"action": "follow"}).status_code == 404
        html = html_of(client_for(cast["trainer"]).get(url("thread", question.id)))
        assert 'mc-flag-hidden">Hidden<' in html

    def test_a_private_question_is_not_found_for_other_learners(self, cast, qa):
        private = api.create_thread(cast["learner"], qa.pk, title="My grade", body="Why?", private=True)
        assert client_for(cast["learner2"]).get(url("thread", private.id)).status_code == 404
        assert client_for(cast["learner"]).get(url("thread", private.id)).status_code == 200
        assert client_for(cast["trainer"]).get(url("thread", private.id)).status_code == 200

    def test_only_the_sanitised_post_html_is_inserted(self, cast, qa):
        thread = api.create_thread(cast["learner"], qa.pk, title='<script>alert("t")</script>',
                                   body='<img src=x onerror=alert(1)> [a](javascript:alert(2)) <b>bold</b>')
        html = html_of(client_for(cast["learner2"]).get(url("thread", thread.id)))
        main = main_of(html)
        assert "<script>alert" not in main and "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in main
        assert not re.search(r"<[^>]+\son\w+=", main)  # no element carries an event handler
        assert 'href="javascript' not in main and "<b>bold</b>" not in main

    def test_csrf_protects_the_forms(self, cast, question):
        client = client_for(cast["learner2"], enforce_csrf=True)
        assert client.post(url("thread", question.id), {"action": "reply", "reply-body": "x"}).status_code == 403
        assert not Post.objects.filter(body="x").exists()


# --- search, queue, moderation ----------------------------------------------------------------------------------------


class TestSearch:
    @pytest.mark.django_db(transaction=True)  # MariaDB's FULLTEXT index sees committed rows only
    def test_finds_visible_posts_only(self, cast, qa, question):
        hidden = api.create_thread(cast["learner2"], qa.pk, title="Loops hidden", body="loops loops")
        api.moderate_thread(cast["trainer"], hidden.id, "hide", reason="Spam")
        html = html_of(client_for(cast["learner3"]).get(url("search") + "?q=loops"))
        assert "How do loops work?" in html and "Loops hidden" not in html
        assert "Loops hidden" in html_of(client_for(cast["trainer"]).get(url("search") + "?q=loops"))

    def test_too_short(self, cast):
        response = client_for(cast["learner"]).get(url("search") + "?q=a")
        assert response.status_code == 400 and 'id="search-q-error"' in html_of(response)


class TestQueue:
    def test_trainers_see_priority_questions_due_first_and_take_one(self, cast, question, qa):
        api.mark_priority(cast["learner"], question.id)
        late = api.create_thread(cast["learner2"], qa.pk, title="Overdue one", body="Help")
        api.mark_priority(cast["learner2"], late.id)
        Thread.objects.filter(pk=late.id).update(due_at=timezone.now() - timedelta(hours=1))
        client = client_for(cast["trainer"])
        html = html_of(client.get(url("queue")))
        assert re.findall(r'<tr data-thread-id="(\d+)"', html) == [str(late.id), str(question.id)]
        overdue_row = re.search(rf'<tr data-thread-id="{late.id}"(.*?)</tr>', html, re.S).group(1)
        assert 'data-overdue="true"' in overdue_row and "Overdue" in overdue_row
        assert "Learners are promised an answer within 24 hours" in html
        client.post(url("queue"), {"action": "assign", "thread_id": question.id})
        assert Thread.objects.get(pk=question.id).assignee == cast["trainer"]
        mine = html_of(client.get(url("queue") + "?mine=1"))
        assert re.findall(r'<tr data-thread-id="(\d+)"', mine) == [str(question.id)]

    def test_learners_are_refused(self, cast):
        assert client_for(cast["learner"]).get(url("queue")).status_code == 403


class TestModeration:
    def test_the_review_queue_resolves_a_report(self, cast, question, settings):
        opening = Post.objects.get(thread_id=question.id, is_opening=True)
        api.report_post(cast["learner2"], opening.pk, "abuse", "Rude")
        client = client_for(cast["staff"])
        html = html_of(client.get(url("moderation")))
        assert f'data-post-id="{opening.pk}"' in html and "Abusive or harassing" in html and "Rude" in html
        response = client.post(url("moderation"), {"action": "resolve", "post_id": opening.pk,
                                                   f"resolve-{opening.pk}-resolution": "dismissed",
                                                   f"resolve-{opening.pk}-reason": "Fine"})
        assert response.status_code == 302
        assert Report.objects.get(post=opening).resolution == "dismissed"

    def test_suspend_until_a_date_then_lift(self, cast):
        client = client_for(cast["staff"])
        until = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        response = client.post(url("moderation"), {"action": "sanction", "sanction-username": "learner2",
                                                   "sanction-kind": "suspend", "sanction-until": until,
                                                   "sanction-reason": "Spam again"})
        assert response.status_code == 302
        found = Sanction.objects.get(user=cast["learner2"])
        assert found.kind == "suspend" and found.until > timezone.now() + timedelta(days=2)
        html = html_of(client.get(url("moderation")))
        assert f'data-sanction-id="{found.pk}"' in html and "Spam again" in html
        assert "Suspended" in html  # the audit log's line
        assert client_for(cast["learner2"]).get(url("space")).status_code == 403
        client.post(url("moderation"), {"action": "lift", "sanction_id": found.pk,
                                        f"lift-{found.pk}-reason": "Apologised"})
        assert Sanction.objects.get(pk=found.pk).lifted_at is not None
        assert client_for(cast["learner2"]).get(url("space")).status_code == 200

    def test_a_sanction_in_the_past_is_refused_next_to_the_field(self, cast):
        response = client_for(cast["staff"]).post(url("moderation"), {
            "action": "sanction", "sanction-username": "learner2", "sanction-kind": "mute",
            "sanction-until": "2001-01-01T10:00", "sanction-reason": "x"})
        assert response.status_code == 400 and not Sanction.objects.exists()

    def test_staff_name_a_moderator(self, cast):
        client = client_for(cast["staff"])
        client.post(url("moderation"), {"action": "moderator", "moderator-username": "learner3",
                                        "moderator-is_moderator": "1", "moderator-reason": "Helpful"})
        assert client_for(cast["learner3"]).get(url("moderation")).status_code == 200

    def test_learners_are_refused(self, cast):
        assert client_for(cast["learner"]).get(url("moderation")).status_code == 403


# --- groups, notifications, people ------------------------------------------------------------------------------------


class TestGroups:
    def test_a_trainer_creates_a_group_adds_a_milestone_and_a_member_ticks_it(self, cast):
        trainer = client_for(cast["trainer"])
        response = trainer.post(url("groups"), {"group-name": "Team A", "group-description": "Pipeline",
                                                "group-members": "learner, learner2"})
        group_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
        assert GroupMembership.objects.filter(group_id=group_id).count() == 2
        due = (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
        trainer.post(url("group", group_id), {"action": "milestone", "milestone-title": "Draft",
                                              "milestone-due_at": due, "milestone-description": ""})
        milestone = Milestone.objects.get(group_id=group_id)
        member = client_for(cast["learner"])
        html = html_of(member.get(url("group", group_id)))
        assert "Team A" in html and "Draft" in html and "Mark done" in html and "Add a milestone" not in html
        member.post(url("group", group_id), {"action": "milestone_done", "milestone_id": milestone.pk, "done": "1"})
        assert Milestone.objects.get(pk=milestone.pk).done_at is not None
        assert client_for(cast["learner3"]).get(url("group", group_id)).status_code == 404
        assert "Team A" in html_of(member.get(url("groups")))
        assert "Team A" not in html_of(client_for(cast["learner3"]).get(url("groups")))

    def test_learners_cannot_create_groups(self, cast):
        client = client_for(cast["learner"])
        assert "Create a group project" not in html_of(client.get(url("groups")))
        client.post(url("groups"), {"group-name": "Mine"})
        assert not GroupMembership.objects.exists()


class TestNotifications:
    def test_list_mark_read_and_preferences(self, cast, question):
        api.reply(cast["learner2"], question.id, body="Did you try a for loop?")
        api.post_created(Post.objects.get(body="Did you try a for loop?").pk)
        client = client_for(cast["learner"])
        html = html_of(client.get(reverse("mentora-communities:notifications")))
        assert "1 unread notification." in html and "How do loops work?" in html
        assert url("thread", question.id) in html
        client.post(reverse("mentora-communities:notifications"), {"action": "read_all"})
        assert not Notification.objects.filter(recipient=cast["learner"], read_at__isnull=True).exists()
        response = client.post(reverse("mentora-communities:notifications"), {
            "action": "preferences", "prefs-in_app": ["reply", "answer"], "prefs-email": ["answer"],
            "prefs-digest": "weekly"})
        assert response.status_code == 302
        prefs = api.get_preferences(cast["learner"])
        assert prefs.in_app == {"reply", "answer"} and prefs.email == {"answer"} and prefs.digest == "weekly"


class TestPeople:
    def test_follow_someone_of_the_course(self, cast):
        client = client_for(cast["learner"])
        html = html_of(client.get(url("person", "trainer")))
        assert "<h1>Trainer</h1>" in html and 'aria-pressed="false">Follow Trainer' in html
        client.post(url("person", "trainer"), {"action": "follow"})
        assert 'aria-pressed="true">Following Trainer' in html_of(client.get(url("person", "trainer")))
        assert client.get(url("person", "outsider")).status_code == 404


# --- links and languages ----------------------------------------------------------------------------------------------


def test_the_course_home_and_the_header_link_to_the_community(cast):
    client = client_for(cast["learner"])
    home = html_of(client.get(reverse("mentora:course-home", args=[CID])))
    assert url("space") in home
    page = html_of(client.get(url("space")))
    header = page.split("</header>")[0]
    assert reverse("mentora-communities:notifications") in header and url("space") in header


def test_french(cast, question):
    french = {entry.msgid: entry.msgstr for entry in polib.pofile("locale/fr/LC_MESSAGES/django.po")
              if entry.msgstr and not entry.fuzzy}
    with translation.override("fr"):
        html = html_of(client_for(cast["learner"]).get(url("thread", question.id), HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="fr">' in html
    for text in ("Following this thread", "Post the reply"):  # the asker follows their question (no report button)
        assert french[text] in html and text not in html
