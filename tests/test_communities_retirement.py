"""
Communities' part of a retirement: posts keep their text but lose their author, every other link to the person is
nulled or its row deleted, and no foreign key to the user model is forgotten.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentora_plugin.communities import api, posts, retirement
from mentora_plugin.communities.models import (
    Follow,
    Forum,
    Group,
    GroupMembership,
    Member,
    Mention,
    Milestone,
    ModerationAction,
    Notification,
    NotificationPreference,
    Post,
    Reaction,
    Report,
    Sanction,
    Thread,
    ThreadRead,
)
from mentora_plugin.host import compat
from tests import test_communities_moderation as moderation_tests
from tests.conftest import COURSE

pytestmark = pytest.mark.django_db

# The moderation tests' fixtures: the people of the course, roomy writing limits.
_roomy_limits = moderation_tests._roomy_limits
cast = moderation_tests.cast


def test_every_foreign_key_to_the_user_is_decided():
    found = {(model.__name__, name) for model, name in retirement.user_links()}
    assert found == set(retirement.USER_LINKS)
    assert len(found) >= 27 and ("Post", "author") in found and ("Follow", "followed_user") in found


def test_an_undecided_foreign_key_stops_the_retirement(cast, monkeypatch):
    monkeypatch.delitem(retirement.USER_LINKS, ("Post", "edited_by"))
    with pytest.raises(RuntimeError, match=r"Post\.edited_by"):
        retirement.retire_user(cast["learner"])


def test_posts_stay_authorless_and_everything_else_of_theirs_goes(cast, django_capture_on_commit_callbacks):
    retiring, peer, trainer, staff = cast["learner"], cast["peer"], cast["trainer"], cast["staff"]
    forum = api.create_forum(staff, COURSE, title="General")
    Forum.objects.filter(pk=forum.id).update(leader=retiring, created_by=retiring)
    with django_capture_on_commit_callbacks(execute=True):
        started = posts.create_thread(retiring, forum.id, title="Mine", body="My own words")
        reply = posts.reply(peer, started.id, body="Hello @learner")
        mine = posts.reply(retiring, started.id, body="Thanks @peer")
    posts.react(retiring, reply.id, "like")
    api.follow_user(retiring, COURSE, "peer")
    api.follow_user(peer, COURSE, "learner")
    api.mark_read(retiring, started.id)
    api.set_preferences(retiring, digest="weekly")
    api.report_post(retiring, reply.id, "spam", "I think this is spam")
    api.report_post(peer, mine.id, "off_topic")
    api.resolve_reports(staff, mine.id, "dismissed", "Fine")
    Report.objects.filter(post_id=mine.id).update(resolved_by=retiring)
    api.moderate_thread(trainer, started.id, "pin", reason="Useful")
    ModerationAction.objects.update(actor=retiring)
    Thread.objects.filter(pk=started.id).update(assignee=retiring, answered_by=retiring)
    Post.objects.filter(pk=reply.id).update(edited_by=retiring)
    group = api.create_group(staff, COURSE, name="Alpha", members=["learner", "peer"])
    Group.objects.filter(pk=group.id).update(supervisor=retiring, created_by=retiring)
    GroupMembership.objects.filter(user=peer).update(added_by=retiring)
    milestone = api.add_milestone(staff, group.id, title="Draft", due_at=timezone.now() + timedelta(days=1))
    api.set_milestone_done(retiring, milestone.id, True)
    api.sanction_member(staff, COURSE, "learner", "mute", timezone.now() + timedelta(days=1), "Calm down")
    Sanction.objects.create(space=Forum.objects.get(pk=forum.id).space, user=peer, kind="mute",
                            until=timezone.now() + timedelta(days=1), reason="x", created_by=retiring)
    Notification.objects.filter(recipient=peer).update(actor=retiring)
    assert Notification.objects.filter(recipient=retiring).exists() and Mention.objects.filter(user=retiring).exists()

    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].send(sender=None, user=retiring)

    # The conversation stays, authorless; @learner typed by someone else stays as typed.
    opening = Post.objects.get(thread_id=started.id, is_opening=True)
    assert (opening.author_id, opening.body) == (None, "My own words")
    assert Post.objects.get(pk=mine.id).author_id is None and Post.objects.get(pk=mine.id).body == "Thanks @peer"
    assert "@learner" in Post.objects.get(pk=reply.id).body and Post.objects.get(pk=reply.id).edited_by_id is None
    thread = Thread.objects.get(pk=started.id)
    assert (thread.author_id, thread.assignee_id, thread.answered_by_id) == (None, None, None)
    assert Forum.objects.filter(pk=forum.id, leader=None, created_by=None).exists()
    # Their reports stay for the record, without them or their note.
    their_report = Report.objects.get(post_id=reply.id)
    assert (their_report.reporter_id, their_report.note) == (None, "")
    assert Report.objects.get(post_id=mine.id).resolved_by_id is None
    assert ModerationAction.objects.exists() and not ModerationAction.objects.filter(actor_id=retiring.pk).exists()
    assert not ModerationAction.objects.filter(target_user_id=retiring.pk).exists()
    assert Group.objects.filter(pk=group.id, supervisor=None, created_by=None).exists()
    assert GroupMembership.objects.get(user=peer).added_by_id is None
    assert Milestone.objects.get(pk=milestone.id).done_by_id is None
    assert Sanction.objects.get(user=peer).created_by_id is None
    assert Notification.objects.filter(recipient=peer).exists()
    assert not Notification.objects.filter(actor_id=retiring.pk).exists()
    # What was about them is gone.
    for model, field in ((Member, "user"), (Reaction, "user"), (Mention, "user"), (Follow, "user"),
                         (Follow, "followed_user"), (ThreadRead, "user"), (Sanction, "user"),
                         (GroupMembership, "user"), (Notification, "recipient"), (NotificationPreference, "user")):
        assert not model.objects.filter(**{f"{field}_id": retiring.pk}).exists(), (model.__name__, field)
    assert Follow.objects.filter(user=peer).exists()  # peer's follows of others stay
    # Nothing of theirs links to them any more, on any foreign key.
    for model, name in retirement.user_links():
        assert not model._base_manager.filter(**{f"{name}_id": retiring.pk}).exists(), (model.__name__, name)
    retirement.retire_user(retiring)  # idempotent
