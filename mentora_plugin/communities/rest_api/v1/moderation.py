"""
Moderation (under /api/mentora/v1/communities/): acting on threads and posts (each action with a reason), the review
queue and resolving reports, mutes and suspensions, the audit log, and naming moderators.

Thin views over ``communities.api``: moderators (staff, trainers, named moderators) act, staff name moderators; the
others get 403 ``permission_denied``. Every action lands in the audit log.
"""
from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from mentora_plugin.communities import api
from mentora_plugin.communities.rest_api.v1.common import (
    COURSE_ID,
    PAGE,
    PAGE_SIZE,
    CommunitiesAPIView,
    CommunitiesGenericAPIView,
    boolean,
    course_key,
    created,
    documented,
    page_of,
    path_id,
    validated,
)
from mentora_plugin.communities.rest_api.v1.serializers import (
    CommunityAuditPageSerializer,
    CommunityModeratorSerializer,
    CommunityPostModerationSerializer,
    CommunityPostSerializer,
    CommunityReasonSerializer,
    CommunityResolveSerializer,
    CommunityReviewItemSerializer,
    CommunitySanctionCreateSerializer,
    CommunitySanctionSerializer,
    CommunityThreadModerationSerializer,
    CommunityThreadSerializer,
)

TAGS = ["communities: moderation"]
THREAD_ID = path_id("thread_id", "thread")
POST_ID = path_id("post_id", "post")
SANCTION_ID = path_id("sanction_id", "sanction")


class ThreadModerationView(CommunitiesAPIView):
    @documented(parameters=[THREAD_ID], request=CommunityThreadModerationSerializer,
                responses=CommunityThreadSerializer, tags=TAGS)
    def post(self, request, thread_id: int) -> Response:
        """Pin, unpin, lock, unlock, close, reopen, move (to ``forum_id``), hide, unhide, delete or restore."""
        data = validated(CommunityThreadModerationSerializer, request.data)
        thread = api.moderate_thread(request.user, thread_id, data["action"], reason=data["reason"],
                                     forum_id=data["forum_id"])
        return Response(CommunityThreadSerializer(thread).data)


class PostModerationView(CommunitiesAPIView):
    @documented(parameters=[POST_ID], request=CommunityPostModerationSerializer, responses=CommunityPostSerializer,
                tags=TAGS)
    def post(self, request, post_id: int) -> Response:
        """Hide, unhide, delete or restore a post (its author may delete their own)."""
        data = validated(CommunityPostModerationSerializer, request.data)
        post = api.moderate_post(request.user, post_id, data["action"], reason=data["reason"])
        return Response(CommunityPostSerializer(post).data)


class ReviewQueueView(CommunitiesGenericAPIView):
    serializer_class = CommunityReviewItemSerializer

    @documented(parameters=[COURSE_ID], responses=CommunityReviewItemSerializer(many=True), tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """Posts with open reports, or hidden, for the moderators to look at."""
        return self.paginated(api.review_queue(request.user, course_key(course_id)))


class ResolveReportsView(CommunitiesAPIView):
    @documented(parameters=[POST_ID], request=CommunityResolveSerializer, responses={204: None}, tags=TAGS)
    def post(self, request, post_id: int) -> Response:
        """Resolve the post's open reports: upheld keeps it hidden, dismissed shows it again."""
        data = validated(CommunityResolveSerializer, request.data)
        api.resolve_reports(request.user, post_id, data["resolution"], data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class SanctionsView(CommunitiesGenericAPIView):
    serializer_class = CommunitySanctionSerializer

    @documented(parameters=[COURSE_ID, OpenApiParameter("active_only", bool, description="Default true.")],
                responses=CommunitySanctionSerializer(many=True), tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """The space's mutes and suspensions."""
        key = course_key(course_id)
        found = api.list_sanctions(request.user, key, active_only=boolean(request, "active_only", True))
        return self.paginated(found)

    @documented(parameters=[COURSE_ID], request=CommunitySanctionCreateSerializer,
                responses={201: CommunitySanctionSerializer}, tags=TAGS)
    def post(self, request, course_id: str) -> Response:
        """Mute (may read, not write) or suspend (neither) someone of the course until a date."""
        key = course_key(course_id)
        data = validated(CommunitySanctionCreateSerializer, request.data)
        sanction = api.sanction_member(request.user, key, data["username"], data["kind"], data["until"],
                                       data["reason"])
        return created(CommunitySanctionSerializer, sanction)


class LiftSanctionView(CommunitiesAPIView):
    @documented(parameters=[SANCTION_ID], request=CommunityReasonSerializer, responses=CommunitySanctionSerializer,
                tags=TAGS)
    def post(self, request, sanction_id: int) -> Response:
        """End a sanction early (the row stays, for the audit log)."""
        data = validated(CommunityReasonSerializer, request.data)
        return Response(CommunitySanctionSerializer(api.lift_sanction(request.user, sanction_id,
                                                                      data["reason"])).data)


class AuditLogView(CommunitiesAPIView):
    @documented(parameters=[COURSE_ID, PAGE, PAGE_SIZE], responses=CommunityAuditPageSerializer, tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """The moderation log of the space, latest first."""
        key = course_key(course_id)
        page, page_size = page_of(request)
        entries = api.audit_log(request.user, key, page=page, page_size=page_size)
        return Response(CommunityAuditPageSerializer({"page": page, "has_next": len(entries) >= page_size,
                                                      "results": entries}).data)


class ModeratorsView(CommunitiesAPIView):
    @documented(parameters=[COURSE_ID], request=CommunityModeratorSerializer, responses={204: None}, tags=TAGS)
    def put(self, request, course_id: str) -> Response:
        """Make someone of the course a moderator of its space (staff)."""
        return self._set(request, course_id, True)

    @documented(parameters=[COURSE_ID], request=CommunityModeratorSerializer, responses={204: None}, tags=TAGS)
    def delete(self, request, course_id: str) -> Response:
        """Take the moderator role back (staff)."""
        return self._set(request, course_id, False)

    def _set(self, request, course_id: str, is_moderator: bool) -> Response:
        key = course_key(course_id)
        data = validated(CommunityModeratorSerializer, request.data)
        api.set_moderator(request.user, key, data["username"], is_moderator, data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("threads/<int:thread_id>/moderation/", ThreadModerationView.as_view(), name="api-thread-moderation"),
    path("posts/<int:post_id>/moderation/", PostModerationView.as_view(), name="api-post-moderation"),
    path("posts/<int:post_id>/reports/resolve/", ResolveReportsView.as_view(), name="api-post-reports-resolve"),
    path("courses/<str:course_id>/review-queue/", ReviewQueueView.as_view(), name="api-review-queue"),
    path("courses/<str:course_id>/sanctions/", SanctionsView.as_view(), name="api-sanctions"),
    path("sanctions/<int:sanction_id>/lift/", LiftSanctionView.as_view(), name="api-sanction-lift"),
    path("courses/<str:course_id>/audit/", AuditLogView.as_view(), name="api-audit"),
    path("courses/<str:course_id>/moderators/", ModeratorsView.as_view(), name="api-moderators"),
]
