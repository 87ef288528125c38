"""
The demo's community, through ``mentora_plugin.communities.api`` as people would do it, in the course "Mentoring in
Practice":

- Tariq (trainer, Advanced: his level lets him lead forums) creates and leads two thematic forums, "Data cleaning
  clinic" and "Careers in data", and opens a pinned welcome thread; Sofia (staff) posts an announcement.
- Q&A: Alice's priority question on missing values was asked 30 hours ago (the seed moves its dates back, as if
  time had passed): it is overdue and escalated to staff, assigned to nobody, and waits in Tariq's queue. Bruno's
  priority question on joins was answered by Tariq and Bruno accepted the answer. Alice also asked a private
  question (only trainers and staff see it) about her capstone's deadline.
- A group project, "Pipeline team" (Alice and Bruno), supervised by Tariq, with three milestones (the first done).
- Dan Spammer (an extra learner made here) posted an advert in the clinic; Alice and Bruno reported it, which hid
  it automatically (Sofia set the space's threshold to 2 reports); Sofia then suspended Dan for 14 days.
- Alice has notifications: Tariq's reply in the clinic, and his @mention of her.

Safe to run again: threads are found by title, groups by name, and the sanction is made once.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.communities import api

CLINIC = "Data cleaning clinic"
CAREERS = "Careers in data"
OVERDUE_QUESTION = "How should I handle missing values before aggregating?"
ANSWERED_QUESTION = "Inner join or left join for the enrolment table?"
PRIVATE_QUESTION = "Can my capstone deadline move by a week?"
WELCOME = "Welcome to the clinic: how this forum works"
CLINIC_THREAD = "My CSV has dates in three formats"
SPAM = "Cheap certificates, fast"
GROUP = "Pipeline team"
SPAMMER = "dan"


def _existing(user: Any, forum_id: int) -> dict[str, Any]:
    """The titles of the forum's threads ``user`` sees (the seed's way to be safe to run again)."""
    return {thread.title: thread for thread in api.forum_page(user, forum_id, page_size=100).threads}


def _thread(author: Any, forum_id: int, title: str, body: str, **options: Any) -> tuple[Any, bool]:
    """The thread titled ``title`` in the forum, started by ``author`` the first time; (thread, created now)."""
    found = _existing(author, forum_id).get(title)
    if found is not None:
        return found, False
    return api.create_thread(author, forum_id, title=title, body=body, **options), True


def _forum(tariq: Any, sofia: Any, course: CourseKey, title: str, description: str) -> Any:
    """Tariq's forum ``title``: he creates it (his level allows it), or staff create it and make him its leader."""
    for forum in api.list_forums(tariq, course):
        if forum.title == title:
            return forum
    try:
        return api.create_forum(tariq, course, title=title, description=description)
    except api.CommunitiesError:
        forum = api.create_forum(sofia, course, title=title, description=description)
        return api.update_forum(sofia, forum.id, leader=tariq.username, reason="Tariq leads it.")


def _spammer(course: CourseKey) -> Any:
    """Dan, a learner enrolled only to show moderation (not on the landing page: nobody signs in as him)."""
    from devsite.management.commands.seed_demo import enroll
    from devsite.people import COURSE_TITLE

    dan, _created = get_user_model().objects.get_or_create(
        username=SPAMMER, defaults={"email": "dan@example.com", "first_name": "Dan", "last_name": "Spammer"})
    enroll(dan, course, COURSE_TITLE, "audit")
    return dan


def seed_communities(users: dict[str, Any], course: CourseKey, out: Any) -> None:
    """Everything the communities domain shows in the demo (see the module docstring)."""
    sofia, tariq, alice, bruno = users["sofia"], users["tariq"], users["alice"], users["bruno"]
    space = api.get_space(sofia, course)
    forums = {forum.kind: forum for forum in space.forums}
    qa, announcements = forums["qa"], forums["announcements"]
    api.update_space_settings(sofia, course, auto_hide_reports=2)

    clinic = _forum(tariq, sofia, course, CLINIC, "Bring your messy data: we clean it together. Led by Tariq.")
    _forum(tariq, sofia, course, CAREERS, "Roles, interviews and portfolios in data work.")
    welcome, created = _thread(tariq, clinic.id, WELCOME,
                               "Post a **small sample** of your data and what you tried. Be kind; code in "
                               "```backticks```.")
    if created:
        api.moderate_thread(tariq, welcome.id, "pin", reason="The forum's rules stay on top.")
    _thread(sofia, announcements.id, "Capstone reviews open on Monday",
            "Submit your capstone from the project unit; trainers review within **3 days**.")

    # Alice's CSV thread in the clinic, Tariq's answer mentioning her: her notifications.
    csv, created = _thread(alice, clinic.id, CLINIC_THREAD,
                           "Some rows say `2026-09-01`, others `01/09/2026` or `Sept 1`. How do I make them one?")
    if created:
        answer = api.reply(tariq, csv.id, body="@alice parse each format explicitly with `pd.to_datetime(..., "
                                               "format=...)`, then combine. Never let pandas guess.")
        api.post_created(answer.id)

    # The Q&A: an overdue, escalated priority question; an answered and accepted one; a private one.
    overdue, created = _thread(alice, qa.id, OVERDUE_QUESTION,
                               "My averages change when I drop rows with missing values. Should I fill them?")
    if created:
        api.mark_priority(alice, overdue.id)
        _as_if_asked_hours_ago(overdue.id, 30)
        api.escalate_overdue()
    answered, created = _thread(bruno, qa.id, ANSWERED_QUESTION,
                                "I lose learners who have no enrolment when I join. Which join keeps them?")
    if created:
        api.mark_priority(bruno, answered.id)
        api.assign_question(tariq, answered.id)
        reply = api.reply(tariq, answered.id, body="A **left join** from learners keeps everyone; the enrolment "
                                                   "columns are empty for those without one.")
        api.accept_answer(bruno, reply.id)
        api.post_created(reply.id)
    _thread(alice, qa.id, PRIVATE_QUESTION, "I was ill last week. Who decides on an extension?", private=True)

    # The group project.
    group = next((found for found in api.list_groups(tariq, course) if found.name == GROUP), None)
    if group is None:
        group = api.create_group(tariq, course, name=GROUP, description="Build the course's data pipeline "
                                 "together, from raw exports to a checked report.", members=["alice", "bruno"])
        now = timezone.now()
        first = api.add_milestone(tariq, group.id, title="Dataset chosen and described", due_at=now - timedelta(days=3))
        api.add_milestone(tariq, group.id, title="First pipeline run", due_at=now + timedelta(days=7),
                          description="Raw data in, cleaned table out, with the steps written down.")
        api.add_milestone(tariq, group.id, title="Final report", due_at=now + timedelta(days=21))
        api.set_milestone_done(alice, first.id, True)
        _thread(tariq, group.board_forum_id, "Who takes which part?", "Alice: extraction. Bruno: cleaning. OK?")

    # Moderation: an advert hidden by two reports, its author suspended.
    dan = _spammer(course)
    if not [item for item in api.list_sanctions(sofia, course) if item.user and item.user.username == SPAMMER]:
        spam, created = _thread(dan, clinic.id, SPAM, "Get a data certificate in 2 days, no exam! Write to me.")
        if created:
            opening = api.thread_detail(sofia, spam.id, mark_read=False).opening
            api.report_post(alice, opening.id, "spam", "An advert.")
            api.report_post(bruno, opening.id, "spam")
        api.sanction_member(sofia, course, SPAMMER, "suspend", timezone.now() + timedelta(days=14),
                            "Adverts in the clinic, after a warning.")
    out.write(f"  Community: forums {CLINIC!r} and {CAREERS!r} led by Tariq, questions, a group, moderation.\n")


def _as_if_asked_hours_ago(thread_id: int, hours: int) -> None:
    """Move a priority question's dates back (the demo cannot wait a day for its response target to pass)."""
    from mentora_plugin.communities.models import Post, Thread

    back = timedelta(hours=hours)
    thread = Thread.objects.get(pk=thread_id)
    Thread.objects.filter(pk=thread_id).update(
        created=thread.created - back, last_activity_at=thread.last_activity_at - back,
        priority_marked_at=thread.priority_marked_at - back, due_at=thread.due_at - back)
    for post in Post.objects.filter(thread_id=thread_id):
        Post.objects.filter(pk=post.pk).update(created=post.created - back)
