"""
The requester's community notifications (under /api/mentora/v1/communities/): the in-app list, marking read, and
what they receive in the app and by email. Not tied to one course: each person only ever reaches their own.
"""
from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from mentora_plugin.communities import api
from mentora_plugin.communities.rest_api.v1.common import (
    PAGE,
    PAGE_SIZE,
    CommunitiesAPIView,
    boolean,
    documented,
    page_of,
    validated,
)
from mentora_plugin.communities.rest_api.v1.serializers import (
    CommunityMarkedSerializer,
    CommunityNotificationPageSerializer,
    CommunityNotificationsReadSerializer,
    CommunityPreferenceSerializer,
    CommunityPreferenceUpdateSerializer,
)

TAGS = ["communities: notifications"]


class NotificationsView(CommunitiesAPIView):
    @documented(parameters=[PAGE, PAGE_SIZE, OpenApiParameter("unread_only", bool, description="Only the unread.")],
                responses=CommunityNotificationPageSerializer, tags=TAGS)
    def get(self, request) -> Response:
        """Your notifications, newest first, with how many are unread."""
        page, page_size = page_of(request)
        found = api.list_notifications(request.user, unread_only=boolean(request, "unread_only"), page=page,
                                       page_size=page_size)
        return Response(CommunityNotificationPageSerializer({
            "page": page, "has_next": len(found) >= page_size, "results": found,
            "unread_count": api.unread_notification_count(request.user),
        }).data)


class NotificationsReadView(CommunitiesAPIView):
    @documented(request=CommunityNotificationsReadSerializer, responses=CommunityMarkedSerializer, tags=TAGS)
    def post(self, request) -> Response:
        """Mark these notifications read (``ids``; all of them when omitted). Others' ids change nothing."""
        data = validated(CommunityNotificationsReadSerializer, request.data or {})
        return Response({"marked": api.mark_notifications_read(request.user, data["ids"])})


class PreferencesView(CommunitiesAPIView):
    @documented(responses=CommunityPreferenceSerializer, tags=TAGS)
    def get(self, request) -> Response:
        """What you receive in the app and by email, and how often the digest comes."""
        return Response(CommunityPreferenceSerializer(api.get_preferences(request.user)).data)

    @documented(request=CommunityPreferenceUpdateSerializer, responses=CommunityPreferenceSerializer, tags=TAGS)
    def put(self, request) -> Response:
        """Choose what you receive (what is left out stays as it is)."""
        data = validated(CommunityPreferenceUpdateSerializer, request.data)
        info = api.set_preferences(request.user, in_app=data.get("in_app"), email=data.get("email"),
                                   digest=data.get("digest"))
        return Response(CommunityPreferenceSerializer(info).data)


urlpatterns = [
    path("notifications/", NotificationsView.as_view(), name="api-notifications"),
    path("notifications/read/", NotificationsReadView.as_view(), name="api-notifications-read"),
    path("notifications/preferences/", PreferencesView.as_view(), name="api-notification-preferences"),
]
