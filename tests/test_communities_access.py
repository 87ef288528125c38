"""
Communities' access: who reads a course's space (enrolled learners, trainers, staff, platform staff; not the
unenrolled, other courses' people, the anonymous, the suspended), what each sees (hidden and deleted threads and
posts for moderators only, private questions for their asker, answerers and moderators, group boards for their
group, supervisor and staff, archived forums for moderators), the space made on first use, the viewer's doors, the
space's settings, and people named in constant queries. Forums (create, update, list) are here too.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentora_plugin.communities import access, forums
from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.communities.models import (
    Forum,
    Group,
    GroupMembership,
    Member,
    ModerationAction,
    Post,
    Sanction,
    Space,
    Thread,
)
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.trainers.models import TrainerProfile, TrainerScope
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db


def give_level(user, level: str = "advanced", course=COURSE) -> None:
    """An active trainer profile at ``level`` in ``course`` (``lead_forums`` comes with advanced)."""
    profile, _created = TrainerProfile.objects.get_or_create(user=user)
    profile.status, profile.level, profile.activated_at = TrainerProfile.Status.ACTIVE, level, timezone.now()
    profile.save()
    TrainerScope.objects.get_or_create(profile=profile, kind="course", course_key=course,
                                       defaults={"granted_at": timezone.now()})


@pytest.fixture
def cast(make_user, settings):
    """The people of two courses: staff, an advanced and a beginner trainer, learners, platform staff, outsiders."""
    settings.MENTORA_COMMUNITIES_LIMITS = {"posts_per_hour": 60, "threads_per_day": 20, "links_per_post": 20}
    settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS = {"posts_per_hour": 10, "threads_per_day": 3, "links_per_post": 2}
    settings.MENTORA_COMMUNITIES_NEW_MEMBER_DAYS = 3
    settings.MENTORA_COMMUNITIES_DUPLICATE_WINDOW_HOURS = 24
    host_api.record_course(COURSE, at(0), title="Communities 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other course")
    people = {
        name: make_user(name, first_name=name.capitalize())
        for name in ("trainer", "beginner", "staff", "platform_staff", "learner", "learner2", "learner3",
                     "outsider", "other_trainer", "gone")
    }
    people["platform_staff"].is_staff = True
    people["platform_staff"].save()
    for name in ("learner", "learner2", "learner3", "gone"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["gone"].pk, COURSE, "audit", False, at(5))  # unenrolled since
    for name in ("trainer", "beginner"):
        host_api.grant_trainer_role(COURSE, people[name], granted_by=None)
    host_api.grant_trainer_role(OTHER_COURSE, people["other_trainer"], granted_by=None)
    give_level(people["trainer"], "advanced")
    give_level(people["beginner"], "beginner")
    give_level(people["other_trainer"], "expert", OTHER_COURSE)
    host_api.record_course_role(CourseRoleRecord(user_id=people["staff"].pk, org=COURSE.org, course_key=str(COURSE),
                                                 role="staff", is_active=True), at(0))
    return people


def refused(call, *args, **kwargs) -> CommunitiesError:
    with pytest.raises(CommunitiesError) as error:
        call(*args, **kwargs)
    return error.value


OUTSIDERS = ("outsider", "other_trainer", "gone")


def forum_of(kind: str, course=COURSE) -> Forum:
    return Forum.objects.get(space=access.space_for(course), kind=kind)


def make_thread(author, forum: Forum, title="A thread", **flags) -> Thread:
    """A thread with its opening post, written straight to the tables (for visibility tests)."""
    now = timezone.now()
    thread = Thread.objects.create(forum=forum, author=author, title=title, created=now, last_activity_at=now,
                                   is_question=forum.kind == Forum.Kind.QA, **flags)
    Post.objects.create(thread=thread, author=author, is_opening=True, body="Body", html="<p>Body</p>", created=now)
    return thread


def make_group(cast, members=("learner",), supervisor="trainer") -> Group:
    space = access.space_for(COURSE)
    board = Forum.objects.create(space=space, kind=Forum.Kind.GROUP, title="Team board")
    group = Group.objects.create(space=space, name="Team", board=board, supervisor=cast[supervisor])
    for name in members:
        GroupMembership.objects.create(group=group, user=cast[name])
    return group


def sanction(cast, name, kind, hours=2, **extra) -> Sanction:
    return Sanction.objects.create(space=access.space_for(COURSE), user=cast[name], kind=kind,
                                   until=timezone.now() + timedelta(hours=hours), reason="Rude", **extra)


# --- the space --------------------------------------------------------------------------------------------------------


class TestSpace:
    def test_made_once_on_first_use_with_its_two_forums(self, cast):
        space = access.space_for(str(COURSE))
        assert access.space_for(COURSE).pk == space.pk
        assert Space.objects.count() == 1
        kinds = dict(Forum.objects.filter(space=space).values_list("kind", "posting"))
        assert kinds == {"announcements": "leaders", "qa": "everyone"}
        assert not Forum.objects.filter(space=space, leader__isnull=False).exists()

    def test_a_bad_course_key_is_400(self, cast):
        error = refused(access.space_for, "not a key")
        assert (error.code, error.status, error.field) == ("invalid_course_key", 400, "course_key")
        assert refused(access.reader, cast["learner"], "nope").code == "invalid_course_key"

    def test_course_path(self):
        assert access.course_path(COURSE) == f"/mentora/communities/{COURSE}/"

    def test_get_space_lists_readable_forums_and_the_doors(self, cast):
        info = access.get_space(cast["learner"], COURSE)
        assert info.course_title == "Communities 101" and info.course_key == COURSE
        assert [forum.kind for forum in info.forums] == ["announcements", "qa"]
        assert [forum.title for forum in info.forums] == ["Announcements", "Questions and answers"]
        announcements = info.forums[0]
        assert not announcements.can_post and info.forums[1].can_post
        viewer = info.viewer
        assert viewer.user_id == cast["learner"].pk
        assert not (viewer.can_moderate or viewer.can_manage or viewer.can_create_forum or viewer.can_answer)
        assert viewer.is_new_member and viewer.muted_until is None
        staff = access.get_space(cast["staff"], COURSE)
        assert staff.forums[0].can_post and staff.viewer.can_manage and staff.viewer.can_sanction
        assert not staff.viewer.is_new_member


# --- who reads --------------------------------------------------------------------------------------------------------


class TestReaders:
    @pytest.mark.parametrize("name", ["learner", "trainer", "beginner", "staff", "platform_staff"])
    def test_people_of_the_course_read(self, cast, name):
        ctx = access.reader(cast[name], COURSE)
        assert ctx.space.course_key == COURSE and ctx.course_key == COURSE

    @pytest.mark.parametrize("name", OUTSIDERS)
    def test_others_are_refused_as_not_enrolled(self, cast, name):
        error = refused(access.reader, cast[name], COURSE)
        assert (error.code, error.status) == ("not_enrolled", 403)
        assert "Enrol" in str(error)

    def test_anonymous_and_none_are_refused(self, cast):
        for user in (AnonymousUser(), None):
            assert refused(access.reader, user, COURSE).code == "not_enrolled"

    def test_an_unenrolled_learner_is_refused_from_then_on(self, cast):
        access.reader(cast["learner2"], COURSE)
        host_api.record_enrollment(cast["learner2"].pk, COURSE, "audit", False, at(10))
        from edx_django_utils.cache import RequestCache

        RequestCache.clear_all_namespaces()
        assert refused(access.reader, cast["learner2"], COURSE).code == "not_enrolled"

    def test_outsiders_do_not_make_spaces(self, cast):
        refused(access.reader, cast["outsider"], COURSE)
        assert not Space.objects.exists()

    def test_suspended_people_are_refused_with_the_end(self, cast):
        active = sanction(cast, "learner", "suspend")
        error = refused(access.reader, cast["learner"], COURSE)
        assert (error.code, error.status, error.until) == ("suspended", 403, active.until)
        active.lifted_at = timezone.now()
        active.save()
        access.reader(cast["learner"], COURSE)
        sanction(cast, "learner", "suspend", hours=-1)  # over
        access.reader(cast["learner"], COURSE)

    def test_muted_people_read_with_the_end(self, cast):
        mute = sanction(cast, "learner", "mute")
        assert access.reader(cast["learner"], COURSE).muted_until == mute.until
        assert access.get_viewer(cast["learner"], COURSE).muted_until == mute.until

    def test_a_suspension_elsewhere_changes_nothing_here(self, cast):
        Sanction.objects.create(space=access.space_for(OTHER_COURSE), user=cast["learner"], kind="suspend",
                                until=timezone.now() + timedelta(hours=1), reason="x")
        access.reader(cast["learner"], COURSE)

    def test_the_doors_of_each_role(self, cast):
        doors = {
            name: access.reader(cast[name], COURSE)
            for name in ("learner", "trainer", "beginner", "staff", "platform_staff")
        }
        assert [doors[n].can_moderate for n in doors] == [False, True, True, True, True]
        assert [doors[n].can_manage for n in doors] == [False, False, False, True, True]
        assert [doors[n].can_create_forum for n in doors] == [False, True, False, True, True]
        assert [doors[n].can_answer for n in doors] == [False, True, True, True, True]
        assert [doors[n].can_sanction for n in doors] == [False, False, False, True, True]
        assert [doors[n].can_manage_groups for n in doors] == [False, True, True, True, True]

    def test_a_member_made_moderator_moderates(self, cast):
        space = access.space_for(COURSE)
        Member.objects.create(space=space, user=cast["learner"], is_moderator=True)
        ctx = access.reader(cast["learner"], COURSE)
        assert ctx.can_moderate and ctx.can_sanction and not ctx.can_manage

    @pytest.mark.parametrize("call", ["get_space", "get_viewer"])
    @pytest.mark.parametrize("name", OUTSIDERS)
    def test_the_public_calls_refuse_outsiders(self, cast, call, name):
        assert refused(getattr(access, call), cast[name], COURSE).code == "not_enrolled"

    def test_the_public_calls_refuse_the_suspended(self, cast):
        sanction(cast, "learner", "suspend")
        for call in (access.get_space, access.get_viewer):
            assert refused(call, cast["learner"], COURSE).code == "suspended"
        assert refused(forums.list_forums, cast["learner"], COURSE).code == "suspended"


# --- what each sees ---------------------------------------------------------------------------------------------------


class TestVisibility:
    def test_hidden_and_deleted_threads_and_posts_for_moderators_only(self, cast):
        qa = forum_of("qa")
        shown = make_thread(cast["learner"], qa, "Shown")
        hidden = make_thread(cast["learner"], qa, "Hidden", hidden=True)
        deleted = make_thread(cast["learner"], qa, "Deleted", deleted=True)
        hidden_post = Post.objects.create(thread=shown, author=cast["learner2"], body="x", html="x",
                                          created=timezone.now(), hidden=True)
        learner = access.reader(cast["learner2"], COURSE)
        assert set(access.visible_threads(learner, qa)) == {shown}
        assert set(access.visible_threads(learner)) == {shown}
        assert hidden_post not in access.visible_posts(learner)
        assert set(access.visible_posts(learner).values_list("thread_id", flat=True)) == {shown.pk}
        for name in ("trainer", "staff"):
            moderator = access.reader(cast[name], COURSE)
            assert set(access.visible_threads(moderator, qa)) == {shown, hidden, deleted}
            assert hidden_post in access.visible_posts(moderator)
        # the author does not see their own hidden post either, and gets 404 for it, like for what does not exist
        for call, obj, what in ((access.reader_of_thread, hidden, "thread"), (access.reader_of_post, hidden_post,
                                                                              "post")):
            error = refused(call, cast["learner2"], obj.pk)
            assert (error.code, error.status) == (f"{what}_not_found", 404)
        assert access.reader_of_post(cast["trainer"], hidden_post.pk)[1] == hidden_post

    def test_private_questions_for_their_asker_answerers_and_moderators(self, cast):
        qa = forum_of("qa")
        private = make_thread(cast["learner"], qa, "Mine", private=True)
        for name in ("learner", "trainer", "beginner", "staff", "platform_staff"):
            ctx = access.reader(cast[name], COURSE)
            assert private in access.visible_threads(ctx), name
            assert access.reader_of_thread(cast[name], private.pk)[1] == private
        other = access.reader(cast["learner2"], COURSE)
        assert private not in access.visible_threads(other)
        assert not access.visible_posts(other).filter(thread=private).exists()
        assert refused(access.reader_of_thread, cast["learner2"], private.pk).status == 404
        opening = private.posts.get()
        assert refused(access.reader_of_post, cast["learner2"], opening.pk).status == 404

    def test_group_boards_for_their_members_supervisor_and_staff(self, cast):
        group = make_group(cast, members=("learner",), supervisor="trainer")
        board = group.board
        thread = make_thread(cast["learner"], board)
        for name in ("learner", "trainer", "staff", "platform_staff"):
            ctx = access.reader(cast[name], COURSE)
            assert board in access.visible_forums(ctx), name
            assert thread in access.visible_threads(ctx)
            assert access.reader_of_forum(cast[name], board.pk)[1] == board
        for name in ("learner2", "beginner"):  # another learner; a trainer who does not supervise it
            ctx = access.reader(cast[name], COURSE)
            assert board not in access.visible_forums(ctx)
            assert thread not in access.visible_threads(ctx)
            assert not access.visible_posts(ctx).filter(thread=thread).exists()
            assert refused(access.reader_of_forum, cast[name], board.pk).code == "forum_not_found"
            assert refused(access.reader_of_thread, cast[name], thread.pk).code == "thread_not_found"

    def test_archived_forums_for_moderators_only(self, cast):
        ctx = access.reader(cast["staff"], COURSE)
        info = forums.create_forum(cast["staff"], COURSE, title="Old")
        Forum.objects.filter(pk=info.id).update(archived=True)
        assert refused(forums.get_forum, cast["learner"], info.id).status == 404
        assert forums.get_forum(cast["trainer"], info.id).archived
        assert info.id in [forum.id for forum in forums.list_forums(cast["trainer"], COURSE)]
        assert info.id not in [forum.id for forum in forums.list_forums(cast["learner"], COURSE)]
        assert ctx.can_moderate

    def test_other_courses_things_are_refused_and_unknown_ids_are_404(self, cast):
        other = make_thread(cast["outsider"], forum_of("qa", OTHER_COURSE))
        assert refused(access.reader_of_thread, cast["learner"], other.pk).code == "not_enrolled"
        assert refused(access.reader_of_forum, cast["learner"], other.forum_id).code == "not_enrolled"
        assert refused(access.reader_of_post, cast["learner"], other.posts.get().pk).code == "not_enrolled"
        for bad in (999999, "abc", None, -1, True):
            assert refused(access.reader_of_thread, cast["learner"], bad).status == 404
            assert refused(access.reader_of_forum, cast["learner"], bad).status == 404
            assert refused(access.reader_of_post, cast["learner"], bad).status == 404


# --- people -----------------------------------------------------------------------------------------------------------


class TestPeople:
    def test_roles_and_names(self, cast):
        space = access.space_for(COURSE)
        Member.objects.create(space=space, user=cast["learner2"], is_moderator=True)
        ctx = access.reader(cast["learner"], COURSE)
        ids = [cast[n].pk for n in ("learner", "learner2", "trainer", "staff", "platform_staff")]
        refs = access.person_refs(ctx, [*ids, 987654, None])
        assert [refs[i].role for i in ids] == ["learner", "moderator", "trainer", "staff", "staff"]
        assert refs[cast["learner"].pk].display_name == "Learner"
        assert refs[cast["learner"].pk].username == "learner"
        assert 987654 not in refs
        assert access.person_refs(ctx, []) == {}

    def test_a_constant_number_of_queries(self, cast, make_user):
        ctx = access.reader(cast["learner"], COURSE)
        few = [cast["learner"].pk, cast["trainer"].pk]
        with CaptureQueriesContext(connection) as small:
            access.person_refs(ctx, few)
        many = [make_user().pk for _ in range(30)]
        for pk in many:
            host_api.record_enrollment(pk, COURSE, "audit", True, at(1))
        with CaptureQueriesContext(connection) as large:
            refs = access.person_refs(ctx, few + many)
        assert len(refs) == 32
        assert len(large.captured_queries) == len(small.captured_queries) <= 4


# --- settings ---------------------------------------------------------------------------------------------------------


class TestSpaceSettings:
    def test_staff_set_and_reset(self, cast):
        access.update_space_settings(cast["staff"], COURSE, priority_weekly_quota=5, response_target_hours=12)
        space = Space.objects.get(course_key=COURSE)
        assert (space.priority_weekly_quota, space.response_target_hours, space.auto_hide_reports) == (5, 12, None)
        access.update_space_settings(cast["platform_staff"], COURSE, priority_weekly_quota=None, auto_hide_reports=0)
        space.refresh_from_db()
        assert (space.priority_weekly_quota, space.response_target_hours, space.auto_hide_reports) == (None, 12, 0)

    @pytest.mark.parametrize("name", ["learner", "trainer"])
    def test_others_are_refused(self, cast, name):
        error = refused(access.update_space_settings, cast[name], COURSE, priority_weekly_quota=1)
        assert (error.code, error.status) == ("permission_denied", 403)

    @pytest.mark.parametrize("name", OUTSIDERS)
    def test_outsiders_are_refused(self, cast, name):
        assert refused(access.update_space_settings, cast[name], COURSE, auto_hide_reports=1).code == "not_enrolled"

    @pytest.mark.parametrize("value", [-1, 1001, "3", True, 2.5])
    def test_bad_values(self, cast, value):
        error = refused(access.update_space_settings, cast["staff"], COURSE, priority_weekly_quota=value)
        assert (error.status, error.field) == (400, "priority_weekly_quota")
        assert refused(access.update_space_settings, cast["staff"], COURSE, response_target_hours=0).status == 400


# --- forums -----------------------------------------------------------------------------------------------------------


class TestForums:
    def test_an_advanced_trainer_creates_and_leads(self, cast):
        info = forums.create_forum(cast["trainer"], COURSE, title=" Python ", description="All about **Python**",
                                   slow_mode_seconds=30)
        assert (info.kind, info.title, info.leader.username, info.slow_mode_seconds) == (
            "discussion", "Python", "trainer", 30)
        assert "<strong>Python</strong>" in info.description_html and info.is_open and info.can_post
        forum = Forum.objects.get(pk=info.id)
        assert forum.created_by == cast["trainer"] and forum.position > 1

    def test_a_trainer_whose_level_lacks_it_is_refused_until_it_has_it(self, cast):
        error = refused(forums.create_forum, cast["beginner"], COURSE, title="Mine")
        assert (error.code, error.status) == ("capability_refused", 403)
        give_level(cast["beginner"], "advanced")
        assert forums.create_forum(cast["beginner"], COURSE, title="Mine").leader.username == "beginner"

    def test_staff_create_without_leading(self, cast):
        assert forums.create_forum(cast["staff"], COURSE, title="General").leader is None

    def test_learners_are_refused(self, cast):
        error = refused(forums.create_forum, cast["learner"], COURSE, title="Mine")
        assert (error.code, error.status) == ("permission_denied", 403)

    @pytest.mark.parametrize("call", ["create_forum", "list_forums"])
    @pytest.mark.parametrize("name", OUTSIDERS)
    def test_outsiders_are_refused(self, cast, call, name):
        kwargs = {"title": "X"} if call == "create_forum" else {}
        assert refused(getattr(forums, call), cast[name], COURSE, **kwargs).code == "not_enrolled"
        assert not Forum.objects.filter(kind="discussion").exists()

    @pytest.mark.parametrize("name", OUTSIDERS)
    def test_outsiders_cannot_get_or_update_a_forum(self, cast, name):
        info = forums.create_forum(cast["staff"], COURSE, title="General")
        assert refused(forums.get_forum, cast[name], info.id).code == "not_enrolled"
        assert refused(forums.update_forum, cast[name], info.id, title="Mine").code == "not_enrolled"

    @pytest.mark.parametrize("values, code, field", [
        ({"title": ""}, "title_required", "title"),
        ({"title": "x" * 201}, "title_too_long", "title"),
        ({"title": "X", "posting": "all"}, "invalid_posting", "posting"),
        ({"title": "X", "slow_mode_seconds": -1}, "invalid_slow_mode", "slow_mode_seconds"),
        ({"title": "X", "closes_at": "tomorrow"}, "invalid_date", "closes_at"),
        ({"title": "X", "read_only": "yes"}, "invalid_value", "read_only"),
    ])
    def test_bad_input(self, cast, values, code, field):
        error = refused(forums.create_forum, cast["staff"], COURSE, **values)
        assert (error.code, error.status, error.field) == (code, 400, field)

    def test_listing_order_and_no_group_boards(self, cast):
        second = forums.create_forum(cast["staff"], COURSE, title="B")
        first = forums.create_forum(cast["staff"], COURSE, title="A")
        Forum.objects.filter(pk=first.id).update(position=0)
        make_group(cast)
        listed = forums.list_forums(cast["learner"], COURSE)
        assert [forum.kind for forum in listed] == ["announcements", "qa", "discussion", "discussion"]
        assert [forum.id for forum in listed[2:]] == [first.id, second.id]

    def test_a_group_board_says_its_group(self, cast):
        group = make_group(cast)
        assert forums.get_forum(cast["learner"], group.board_id).group_id == group.pk

    def test_the_leader_and_staff_update_with_an_audit_entry(self, cast):
        info = forums.create_forum(cast["trainer"], COURSE, title="Python")
        closes = timezone.now() + timedelta(days=3)
        updated = forums.update_forum(cast["trainer"], info.id, reason="Exam week", read_only=True, closes_at=closes,
                                      posting="trainers")
        assert (updated.read_only, updated.closes_at, updated.posting) == (True, closes, "trainers")
        entry = ModerationAction.objects.get()
        assert (entry.action, entry.actor, entry.reason) == ("forum_rules", cast["trainer"], "Exam week")
        assert entry.details["forum_id"] == info.id
        assert entry.details["changes"]["read_only"] == [False, True]
        assert entry.details["changes"]["closes_at"] == [None, closes.isoformat()]
        forums.update_forum(cast["staff"], info.id, title="Python 3")
        assert Forum.objects.get(pk=info.id).title == "Python 3"
        forums.update_forum(cast["staff"], info.id, title="Python 3")  # nothing changed: nothing logged
        assert ModerationAction.objects.count() == 2

    def test_others_may_not_update(self, cast):
        info = forums.create_forum(cast["trainer"], COURSE, title="Python")
        for name in ("learner", "beginner"):
            error = refused(forums.update_forum, cast[name], info.id, title="Mine")
            assert (error.code, error.status) == ("permission_denied", 403)
        assert refused(forums.update_forum, cast["trainer"], info.id, leader="beginner").status == 403

    def test_staff_name_a_leader_who_may_lead(self, cast):
        info = forums.create_forum(cast["staff"], COURSE, title="Python")
        error = refused(forums.update_forum, cast["staff"], info.id, leader="beginner")
        assert (error.code, error.field) == ("invalid_leader", "leader")
        assert refused(forums.update_forum, cast["staff"], info.id, leader="learner").code == "invalid_leader"
        assert refused(forums.update_forum, cast["staff"], info.id, leader="other_trainer").code == "invalid_leader"
        assert forums.update_forum(cast["staff"], info.id, leader="trainer").leader.username == "trainer"
        details = ModerationAction.objects.get().details
        assert details["changes"]["leader_id"] == [None, cast["trainer"].pk] and "trainer" not in str(details)
        assert forums.update_forum(cast["staff"], info.id, leader=None).leader is None

    def test_unknown_fields_and_the_forums_every_space_keeps(self, cast):
        qa = forum_of("qa")
        assert refused(forums.update_forum, cast["staff"], qa.pk, kind="group").code == "unknown_field"
        assert refused(forums.update_forum, cast["staff"], qa.pk, archived=True).code == "forum_required"
        forums.update_forum(cast["staff"], qa.pk, slow_mode_seconds=60)
        assert Forum.objects.get(pk=qa.pk).slow_mode_seconds == 60

    def test_closed_forums_say_so(self, cast):
        info = forums.create_forum(cast["staff"], COURSE, title="Python",
                                   closes_at=timezone.now() - timedelta(minutes=1))
        seen = forums.get_forum(cast["learner"], info.id)
        assert not seen.is_open and not seen.can_post
