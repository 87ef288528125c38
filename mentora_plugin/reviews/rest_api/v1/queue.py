"""
The trainer queue's REST API (under /api/mentora/v1/reviews/): the submissions waiting for the requester's review,
and the queue in figures.

Thin views over ``reviews.api``: the queue decides which courses the requester reviews in (403
``permission_denied`` for a course filter outside them). The list runs a fixed number of queries whatever the page
size (one COUNT, the page's ids, its rows, after the courses are known).
"""
from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from mentora_plugin.rest.views import document
from mentora_plugin.reviews import api
from mentora_plugin.reviews.common import ReviewsError
from mentora_plugin.reviews.rest_api.v1.common import ReviewsAPIView, ReviewsGenericAPIView

TAGS = ["reviews: queue"]
COURSE = OpenApiParameter("course_id", str, description="Only this course (a course key where you review).")


class ReviewQueueItemSerializer(serializers.Serializer):
    """A submission waiting for review."""

    submission_id = serializers.IntegerField()
    status = serializers.CharField(help_text="submitted or in_review.")
    project_id = serializers.IntegerField()
    project_title = serializers.CharField()
    usage_key = serializers.CharField(help_text="The project block's usage key.")
    course_key = serializers.CharField()
    learner_id = serializers.IntegerField(allow_null=True, help_text="Null for a team's submission.")
    learner_username = serializers.CharField()
    team_id = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField()
    submitter_name = serializers.CharField(help_text="The learner's display name, or the team's name.")
    submitted_at = serializers.DateTimeField(help_text="When the latest version was submitted.")
    waiting_seconds = serializers.IntegerField(help_text="Time in the queue.")
    target_turnaround_hours = serializers.IntegerField()
    due_by = serializers.DateTimeField(help_text="When the target turnaround runs out.")
    overdue = serializers.BooleanField()
    claimed_by_id = serializers.IntegerField(allow_null=True, help_text="The trainer holding a valid claim.")
    claimed_by_username = serializers.CharField()
    claimed_by_name = serializers.CharField()
    claimed_until = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="The submission's page.")


class ReviewQueueCountsSerializer(serializers.Serializer):
    waiting = serializers.IntegerField()
    overdue = serializers.IntegerField()
    claimed_by_me = serializers.IntegerField()


def _flag(request, name: str) -> bool:
    value = (request.query_params.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ReviewsError(f"invalid_{name}", _("“{name}” is true or false.").format(name=name))


def _project(request) -> int | str | None:
    value = (request.query_params.get("project") or "").strip()
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() else value  # "²" is a digit int() refuses


class ReviewQueueView(ReviewsGenericAPIView):
    """The requester's review queue."""

    serializer_class = ReviewQueueItemSerializer

    @document(
        parameters=[
            COURSE,
            OpenApiParameter("project", str, description="Only this project (its id or usage key)."),
            OpenApiParameter("state", str, enum=list(api.QUEUE_STATES), description="waiting (the default): "
                             "submitted or in_review."),
            OpenApiParameter("overdue", bool, description="Only the items waiting longer than their target."),
            OpenApiParameter("mine", bool, description="Only the items you hold a valid claim on."),
        ],
        responses=ReviewQueueItemSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request) -> Response:
        """
        Every submission waiting for review in the courses where you review (any course for platform staff), the
        longest waiting first, with time in queue, target turnaround, overdue flag and claim.
        """
        found = api.trainer_queue(
            request.user,
            course_key=request.query_params.get("course_id") or None,
            state=request.query_params.get("state") or "waiting",
            overdue_only=_flag(request, "overdue"),
            project=_project(request),
            claimed_by=request.user if _flag(request, "mine") else None,
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ReviewQueueCountsView(ReviewsAPIView):
    @document(parameters=[COURSE], responses=ReviewQueueCountsSerializer, tags=TAGS)
    def get(self, request) -> Response:
        """How many submissions wait for you, how many are overdue, how many you hold a claim on."""
        counts = api.queue_counts(request.user, course_key=request.query_params.get("course_id") or None)
        return Response(ReviewQueueCountsSerializer(counts).data)


urlpatterns = [
    path("queue/", ReviewQueueView.as_view(), name="api-queue"),
    path("queue/counts/", ReviewQueueCountsView.as_view(), name="api-queue-counts"),
]
