"""
A course's space and its forums (under /api/mentora/v1/communities/): the space as the requester sees it, its
settings, the forums (list, create, read, change their rules) and following a forum or a person.

Thin views over ``communities.api``, which decides who reads and writes (403 ``not_enrolled`` / ``suspended`` for
those without a part in the course; a forum the requester may not see is a 404 ``forum_not_found``).
"""
from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from mentora_plugin.communities import api
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
    CommunityForumChangeSerializer,
    CommunityForumCreateSerializer,
    CommunityForumSerializer,
    CommunitySpaceChangeSerializer,
    CommunitySpaceSerializer,
)

TAGS = ["communities: spaces and forums"]
FORUM_ID = path_id("forum_id", "forum")
USERNAME = OpenApiParameter("username", str, OpenApiParameter.PATH, description="Someone of the course.")


class SpaceView(CommunitiesAPIView):
    @documented(parameters=[COURSE_ID], responses=CommunitySpaceSerializer, tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """The course's space (made on first use): its forums and what you may do there."""
        return Response(CommunitySpaceSerializer(api.get_space(request.user, course_key(course_id))).data)

    @documented(parameters=[COURSE_ID], request=CommunitySpaceChangeSerializer, responses=CommunitySpaceSerializer,
                tags=TAGS)
    def patch(self, request, course_id: str) -> Response:
        """Change the space's quota, response target or report threshold (staff; null: the platform's default)."""
        key = course_key(course_id)
        data = validated(CommunitySpaceChangeSerializer, request.data)
        api.update_space_settings(request.user, key, **data)
        return Response(CommunitySpaceSerializer(api.get_space(request.user, key)).data)


class ForumsView(CommunitiesGenericAPIView):
    serializer_class = CommunityForumSerializer

    @documented(parameters=[COURSE_ID], responses=CommunityForumSerializer(many=True), tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """The forums you may read: announcements, Q&A, then the thematic ones (group boards are under groups)."""
        return self.paginated(api.list_forums(request.user, course_key(course_id)))

    @documented(parameters=[COURSE_ID], request=CommunityForumCreateSerializer,
                responses={201: CommunityForumSerializer}, tags=TAGS)
    def post(self, request, course_id: str) -> Response:
        """A new thematic forum (staff, and trainers whose level unlocks lead_forums: they lead it)."""
        key = course_key(course_id)
        data = validated(CommunityForumCreateSerializer, request.data)
        forum = api.create_forum(request.user, key, **data)
        return created(CommunityForumSerializer, forum)


class ForumView(CommunitiesAPIView):
    @documented(parameters=[FORUM_ID], responses=CommunityForumSerializer, tags=TAGS)
    def get(self, request, forum_id: int) -> Response:
        """One forum."""
        return Response(CommunityForumSerializer(api.get_forum(request.user, forum_id)).data)

    @documented(parameters=[FORUM_ID], request=CommunityForumChangeSerializer, responses=CommunityForumSerializer,
                tags=TAGS)
    def patch(self, request, forum_id: int) -> Response:
        """Change a forum's rules (its leader or staff; only staff name the leader). Logged with the reason."""
        data = dict(validated(CommunityForumChangeSerializer, request.data))
        reason = data.pop("reason", "")
        return Response(CommunityForumSerializer(api.update_forum(request.user, forum_id, reason=reason,
                                                                  **data)).data)


class ForumFollowView(CommunitiesAPIView):
    @documented(parameters=[FORUM_ID], request=None, responses={204: None}, tags=TAGS)
    def put(self, request, forum_id: int) -> Response:
        """Follow the forum (told of its new threads); again: no change."""
        api.follow_forum(request.user, forum_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @documented(parameters=[FORUM_ID], request=None, responses={204: None}, tags=TAGS)
    def delete(self, request, forum_id: int) -> Response:
        """Stop following the forum."""
        api.unfollow_forum(request.user, forum_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonFollowView(CommunitiesAPIView):
    @documented(parameters=[COURSE_ID, USERNAME], request=None, responses={204: None}, tags=TAGS)
    def put(self, request, course_id: str, username: str) -> Response:
        """Follow someone of the course (told of their posts in this space)."""
        api.follow_user(request.user, course_key(course_id), username)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @documented(parameters=[COURSE_ID, USERNAME], request=None, responses={204: None}, tags=TAGS)
    def delete(self, request, course_id: str, username: str) -> Response:
        """Stop following them."""
        api.unfollow_user(request.user, course_key(course_id), username)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("courses/<str:course_id>/", SpaceView.as_view(), name="api-space"),
    path("courses/<str:course_id>/forums/", ForumsView.as_view(), name="api-forums"),
    path("courses/<str:course_id>/people/<str:username>/follow/", PersonFollowView.as_view(),
         name="api-person-follow"),
    path("forums/<int:forum_id>/", ForumView.as_view(), name="api-forum"),
    path("forums/<int:forum_id>/follow/", ForumFollowView.as_view(), name="api-forum-follow"),
]
