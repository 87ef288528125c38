"""
Group projects: who creates and manages them, members who must be enrolled learners, the board only the group (its
supervisor, staff) reads, milestones, and the link to a team-mode project of reviews whose team follows the members.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentora_plugin.communities import access, api, handlers, posts
from mentora_plugin.communities.models import Follow, Forum, GroupMembership, Notification
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api as reviews_api
from mentora_plugin.reviews.models import Team
from tests import test_communities_moderation as moderation_tests
from tests.conftest import COURSE, OTHER_COURSE, at, enrollment_data
from tests.test_communities_moderation import refused
from tests.test_reviews_projects import config

pytestmark = pytest.mark.django_db

# The moderation tests' fixtures: the people of the course, roomy writing limits.
_roomy_limits = moderation_tests._roomy_limits
cast = moderation_tests.cast

USAGE = COURSE.make_usage_key("mentora_project", "team-essay")
OTHER_USAGE = OTHER_COURSE.make_usage_key("mentora_project", "elsewhere")


def names(group) -> list[str]:
    return [member.username for member in group.members]


def team_members(name: str) -> set[str]:
    team = Team.objects.get(project__usage_key=USAGE, name=name)
    return set(team.members.values_list("username", flat=True))


class TestCreating:
    def test_a_trainer_creates_and_supervises_with_enrolled_learners(self, cast):
        group = api.create_group(cast["trainer"], COURSE, name=" Alpha ", description="Build a bridge",
                                 members=["learner", "peer"])
        assert (group.name, group.description, group.supervisor.username) == ("Alpha", "Build a bridge", "trainer")
        assert names(group) == ["learner", "peer"] and group.milestones == () and not group.archived
        board = Forum.objects.get(pk=group.board_forum_id)
        assert (board.kind, board.title, board.leader_id) == ("group", "Alpha", cast["trainer"].pk)
        error = refused(api.create_group, cast["trainer"], COURSE, name="Alpha")
        assert (error.code, error.status) == ("group_exists", 409)
        error = refused(api.create_group, cast["trainer"], COURSE, name="Beta", members=["learner", "outsider"])
        assert (error.code, error.status, error.field) == ("not_enrolled", 400, "members") and "outsider" in str(error)
        assert refused(api.create_group, cast["trainer"], COURSE, name="Beta", members=["trainer"]).code == (
            "not_enrolled")
        assert refused(api.create_group, cast["learner"], COURSE, name="Mine").status == 403
        assert refused(api.create_group, cast["staff"], COURSE, name="  ").code == "name_required"

    def test_staff_name_a_trainer_as_supervisor(self, cast):
        group = api.create_group(cast["staff"], COURSE, name="Gamma", supervisor="trainer", members=["third"])
        assert group.supervisor.username == "trainer"
        assert refused(api.create_group, cast["staff"], COURSE, name="Delta", supervisor="learner").code == (
            "invalid_supervisor")
        unsupervised = api.create_group(cast["staff"], COURSE, name="Epsilon")
        assert unsupervised.supervisor is None and unsupervised.members == ()

    def test_members_are_told_they_joined(self, cast, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner"])
        with django_capture_on_commit_callbacks(execute=True):
            api.set_group_members(cast["trainer"], group.id, ["learner", "peer"])
        told = Notification.objects.filter(kind="group").order_by("recipient__username")
        assert [row.recipient.username for row in told] == ["learner", "peer"]
        assert {row.actor_id for row in told} == {cast["trainer"].pk}


class TestSeeing:
    def test_lists_and_the_board_are_for_the_group_its_supervisor_and_staff(self, cast, make_user):
        other_trainer = make_user("other_trainer")
        host_api.grant_trainer_role(COURSE, other_trainer, granted_by=None)
        alpha = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner"])
        beta = api.create_group(cast["staff"], COURSE, name="Beta", supervisor="other_trainer", members=["peer"])
        assert [group.name for group in api.list_groups(cast["staff"], COURSE)] == ["Alpha", "Beta"]
        assert [group.name for group in api.list_groups(cast["trainer"], COURSE)] == ["Alpha"]
        assert [group.name for group in api.list_groups(cast["learner"], COURSE)] == ["Alpha"]
        assert api.list_groups(cast["third"], COURSE) == []
        assert api.get_group(cast["learner"], alpha.id).id == alpha.id
        assert refused(api.get_group, cast["learner"], beta.id).code == "group_not_found"
        assert refused(api.get_group, cast["trainer"], beta.id).status == 404
        # The board: its group writes and reads there; others get 404, as if it did not exist.
        started = posts.create_thread(cast["learner"], alpha.board_forum_id, title="Plan", body="Our plan")
        assert access.reader_of_thread(cast["trainer"], started.id)[1].pk == started.id
        assert access.reader_of_thread(cast["staff"], started.id)[1].pk == started.id
        for outsider in ("peer", "third"):
            assert refused(access.reader_of_thread, cast[outsider], started.id).status == 404
            assert refused(posts.create_thread, cast[outsider], alpha.board_forum_id, title="x", body="y").status == 404
        assert alpha.board_forum_id not in [forum.id for forum in api.list_forums(cast["learner"], COURSE)]


class TestManaging:
    def test_the_supervisor_or_staff_manage_members_and_settings(self, cast):
        group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner"])
        assert refused(api.set_group_members, cast["learner"], group.id, ["learner", "peer"]).status == 403
        updated = api.set_group_members(cast["trainer"], group.id, ["peer", "third"])
        assert names(updated) == ["peer", "third"]
        assert names(api.set_group_members(cast["staff"], group.id, ["peer"])) == ["peer"]
        renamed = api.update_group(cast["trainer"], group.id, name="Alpha team", description="New aims")
        assert (renamed.name, renamed.description) == ("Alpha team", "New aims")
        assert Forum.objects.get(pk=group.board_forum_id).title == "Alpha team"
        assert refused(api.update_group, cast["trainer"], group.id, supervisor="staff").status == 403
        assert refused(api.update_group, cast["trainer"], group.id, colour="red").code == "unknown_field"
        archived = api.update_group(cast["staff"], group.id, archived=True)
        assert archived.archived and Forum.objects.get(pk=group.board_forum_id).archived

    def test_milestones_planned_by_the_supervisor_done_by_a_member(self, cast):
        group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner", "peer"])
        due = timezone.now() + timedelta(days=3)
        assert refused(api.add_milestone, cast["learner"], group.id, title="Draft", due_at=due).status == 403
        milestone = api.add_milestone(cast["trainer"], group.id, title="Draft", due_at=due, description="Outline")
        late = api.add_milestone(cast["trainer"], group.id, title="Kick-off",
                                 due_at=(timezone.now() - timedelta(days=1)).isoformat())
        assert late.overdue and not milestone.overdue
        assert [item.title for item in api.get_group(cast["peer"], group.id).milestones] == ["Kick-off", "Draft"]
        done = api.set_milestone_done(cast["peer"], milestone.id, True)
        assert done.done_at is not None and done.done_by.username == "peer"
        assert refused(api.set_milestone_done, cast["third"], milestone.id, True).code == "milestone_not_found"
        undone = api.set_milestone_done(cast["trainer"], milestone.id, False)
        assert undone.done_at is None and undone.done_by is None
        moved = api.update_milestone(cast["trainer"], milestone.id, title="First draft", due_at=due + timedelta(days=1))
        assert (moved.title, moved.due_at) == ("First draft", due + timedelta(days=1))
        assert refused(api.update_milestone, cast["peer"], milestone.id, title="Mine").status == 403


class TestProjectLink:
    def test_linking_makes_the_reviews_team_and_membership_changes_follow(self, cast):
        reviews_api.sync_project(str(USAGE), str(COURSE), config(team_mode=True))
        group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner", "peer"])
        linked = api.link_group_project(cast["trainer"], group.id, str(USAGE))
        assert linked.project_usage_key == str(USAGE)
        assert team_members("Alpha") == {"learner", "peer"}
        assert reviews_api.team_of(cast["peer"], USAGE).name == "Alpha"
        api.set_group_members(cast["trainer"], group.id, ["learner", "third"])
        assert team_members("Alpha") == {"learner", "third"}
        assert reviews_api.team_of(cast["peer"], USAGE) is None
        # A learner in another team of the project: reviews refuses, and so does the group (nothing changes).
        reviews_api.create_team(cast["staff"], USAGE, "Beta", [cast["fourth"]])
        error = refused(api.set_group_members, cast["trainer"], group.id, ["learner", "fourth"])
        assert (error.code, error.status) == ("already_in_team", 409)
        assert names(api.get_group(cast["trainer"], group.id)) == ["learner", "third"]
        assert team_members("Alpha") == {"learner", "third"}
        # The linked name is the team's.
        assert refused(api.update_group, cast["trainer"], group.id, name="Renamed").code == "group_linked"
        unlinked = api.link_group_project(cast["staff"], group.id, None)
        assert unlinked.project_usage_key == "" and api.get_group(cast["staff"], group.id).project_usage_key == ""
        assert api.update_group(cast["trainer"], group.id, name="Renamed").name == "Renamed"

    def test_only_a_team_project_of_the_same_course(self, cast):
        reviews_api.sync_project(str(USAGE), str(COURSE), config(team_mode=False))
        reviews_api.sync_project(str(OTHER_USAGE), str(OTHER_COURSE), config(team_mode=True))
        group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner"])
        assert refused(api.link_group_project, cast["trainer"], group.id, str(USAGE)).code == "not_team_mode"
        assert refused(api.link_group_project, cast["trainer"], group.id, str(OTHER_USAGE)).code == "invalid_project"
        missing = COURSE.make_usage_key("mentora_project", "missing")
        assert refused(api.link_group_project, cast["trainer"], group.id, str(missing)).code == "invalid_project"
        assert refused(api.link_group_project, cast["learner"], group.id, str(USAGE)).status == 403
        assert not Team.objects.exists()


class TestUnenrollment:
    def test_leaving_the_course_drops_follows_memberships_and_the_team_place(
            self, cast, django_capture_on_commit_callbacks):
        from openedx_events.learning.signals import COURSE_UNENROLLMENT_COMPLETED

        reviews_api.sync_project(str(USAGE), str(COURSE), config(team_mode=True))
        group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner", "peer"])
        api.link_group_project(cast["trainer"], group.id, str(USAGE))
        started = posts.create_thread(cast["peer"], group.board_forum_id, title="Plan", body="Our plan")
        api.follow_user(cast["peer"], COURSE, "learner")
        assert Follow.objects.filter(user=cast["peer"]).count() == 2
        other_space = access.space_for(OTHER_COURSE)
        Follow.objects.create(user=cast["peer"], space=other_space, followed_user=cast["outsider"])
        with django_capture_on_commit_callbacks(execute=True):  # the tidy-up is a task queued on commit
            COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=enrollment_data(cast["peer"], is_active=False))
        assert list(Follow.objects.filter(user=cast["peer"]).values_list("space_id", flat=True)) == [other_space.pk]
        assert not GroupMembership.objects.filter(user=cast["peer"]).exists()
        assert team_members("Alpha") == {"learner"}
        assert refused(access.reader_of_thread, cast["peer"], started.id).code == "not_enrolled"
        handlers.on_enrollment_changed(enrollment=None)  # malformed: ignored
        host_api.record_enrollment(cast["peer"].pk, COURSE, "audit", True, at(5))
