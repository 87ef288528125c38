"""
Group projects (under /api/mentora/v1/communities/): a course's groups, creating and changing one, its members, its
milestones, and linking it to a team-mode project of reviews.

Thin views over ``communities.api``: a group the requester is not part of (member, supervisor, staff) is a 404
``group_not_found``; trainers and staff create groups, the supervisor or staff manage one.
"""
from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from rest_framework.response import Response

from mentora_plugin.communities import api
from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.communities.rest_api.v1.common import (
    COURSE_ID,
    CommunitiesAPIView,
    CommunitiesGenericAPIView,
    course_key,
    created,
    documented,
    path_id,
    validated,
)
from mentora_plugin.communities.rest_api.v1.serializers import (
    CommunityGroupChangeSerializer,
    CommunityGroupCreateSerializer,
    CommunityGroupMembersSerializer,
    CommunityGroupProjectSerializer,
    CommunityGroupSerializer,
    CommunityMilestoneChangeSerializer,
    CommunityMilestoneCreateSerializer,
    CommunityMilestoneSerializer,
)

TAGS = ["communities: group projects"]
GROUP_ID = path_id("group_id", "group")
MILESTONE_ID = path_id("milestone_id", "milestone")


class GroupsView(CommunitiesGenericAPIView):
    serializer_class = CommunityGroupSerializer

    @documented(parameters=[COURSE_ID], responses=CommunityGroupSerializer(many=True), tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """The groups you see: yours (members), those you supervise (trainers), all of them (staff)."""
        return self.paginated(api.list_groups(request.user, course_key(course_id)))

    @documented(parameters=[COURSE_ID], request=CommunityGroupCreateSerializer,
                responses={201: CommunityGroupSerializer}, tags=TAGS)
    def post(self, request, course_id: str) -> Response:
        """A new group with its private board (trainers, who supervise it, and staff)."""
        key = course_key(course_id)
        data = validated(CommunityGroupCreateSerializer, request.data)
        group = api.create_group(request.user, key, name=data["name"], description=data["description"],
                                 supervisor=data["supervisor"], members=tuple(data["members"]))
        return created(CommunityGroupSerializer, group)


class GroupView(CommunitiesAPIView):
    @documented(parameters=[GROUP_ID], responses=CommunityGroupSerializer, tags=TAGS)
    def get(self, request, group_id: int) -> Response:
        """One group, with its members and milestones."""
        return Response(CommunityGroupSerializer(api.get_group(request.user, group_id)).data)

    @documented(parameters=[GROUP_ID], request=CommunityGroupChangeSerializer, responses=CommunityGroupSerializer,
                tags=TAGS)
    def patch(self, request, group_id: int) -> Response:
        """Change the group's name, description, supervisor or archive it (only the fields sent change)."""
        data = validated(CommunityGroupChangeSerializer, request.data)
        return Response(CommunityGroupSerializer(api.update_group(request.user, group_id, **data)).data)


class GroupMembersView(CommunitiesAPIView):
    @documented(parameters=[GROUP_ID], request=CommunityGroupMembersSerializer, responses=CommunityGroupSerializer,
                tags=TAGS)
    def put(self, request, group_id: int) -> Response:
        """Set the group's members (enrolled learners, by username; the supervisor or staff)."""
        data = validated(CommunityGroupMembersSerializer, request.data)
        return Response(CommunityGroupSerializer(api.set_group_members(request.user, group_id,
                                                                       data["usernames"])).data)


class GroupMilestonesView(CommunitiesAPIView):
    @documented(parameters=[GROUP_ID], request=CommunityMilestoneCreateSerializer,
                responses={201: CommunityMilestoneSerializer}, tags=TAGS)
    def post(self, request, group_id: int) -> Response:
        """A new milestone of the group (the supervisor or staff)."""
        data = validated(CommunityMilestoneCreateSerializer, request.data)
        milestone = api.add_milestone(request.user, group_id, title=data["title"], due_at=data["due_at"],
                                      description=data["description"])
        return created(CommunityMilestoneSerializer, milestone)


class MilestoneView(CommunitiesAPIView):
    @documented(parameters=[MILESTONE_ID], request=CommunityMilestoneChangeSerializer,
                responses=CommunityMilestoneSerializer, tags=TAGS)
    def patch(self, request, milestone_id: int) -> Response:
        """Mark a milestone done or not (members, supervisor), or change it (the supervisor or staff)."""
        data = dict(validated(CommunityMilestoneChangeSerializer, request.data))
        done = data.pop("done", None)
        if not data and done is None:
            raise CommunitiesError("nothing_to_change", _("Send done, title, due_at or description."))
        milestone = None
        if data:  # the plan first (the supervisor or staff), then the mark (members too)
            milestone = api.update_milestone(request.user, milestone_id, **data)
        if done is not None:
            milestone = api.set_milestone_done(request.user, milestone_id, done)
        return Response(CommunityMilestoneSerializer(milestone).data)


class GroupProjectView(CommunitiesAPIView):
    @documented(parameters=[GROUP_ID], request=CommunityGroupProjectSerializer, responses=CommunityGroupSerializer,
                tags=TAGS)
    def put(self, request, group_id: int) -> Response:
        """Link the group to a team-mode project of the course: its members submit there as a team."""
        data = validated(CommunityGroupProjectSerializer, request.data)
        return Response(CommunityGroupSerializer(api.link_group_project(request.user, group_id,
                                                                        data["usage_key"])).data)


urlpatterns = [
    path("courses/<str:course_id>/groups/", GroupsView.as_view(), name="api-groups"),
    path("groups/<int:group_id>/", GroupView.as_view(), name="api-group"),
    path("groups/<int:group_id>/members/", GroupMembersView.as_view(), name="api-group-members"),
    path("groups/<int:group_id>/milestones/", GroupMilestonesView.as_view(), name="api-group-milestones"),
    path("groups/<int:group_id>/project/", GroupProjectView.as_view(), name="api-group-project"),
    path("milestones/<int:milestone_id>/", MilestoneView.as_view(), name="api-milestone"),
]
