"""
Disputes' REST API (under /api/mentora/v1/trainers/): report a problem, read one's own reports, and the confidential
staff queue with its actions.

Thin views over ``trainers.api``: serializers check shapes; what the values mean (who may report whom, which status
may follow which) is the domain's decision, so the pages and the API refuse the same things with the same codes.
The queue answers 403 to anyone without ``mentora_trainers.handle_dispute``; a case answers 404 to them.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.response import Response

from mentora_plugin.rest.views import ErrorSerializer, document
from mentora_plugin.trainers import api
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import Dispute
from mentora_plugin.trainers.rest_api.v1.common import TrainersAPIView, TrainersGenericAPIView, validated

TAGS = ["trainers: disputes"]
DISPUTE_ID = OpenApiParameter("dispute_id", int, OpenApiParameter.PATH, description="A dispute id.")
TEXT = {"allow_blank": True, "max_length": 20000, "trim_whitespace": False}


# --- serializers ----------------------------------------------------------------------------------------------------


class DisputeNoteSerializer(serializers.Serializer):
    """A staff note; ``status_change`` is the status it moved the case to (empty for a plain note)."""

    id = serializers.IntegerField()
    author_id = serializers.IntegerField(allow_null=True)
    author_name = serializers.CharField(help_text="Empty when the author's account was retired.")
    body = serializers.CharField(help_text="Markdown.")
    status_change = serializers.CharField()
    created = serializers.DateTimeField()


class DisputeSerializer(serializers.Serializer):
    """A case as staff see it (``notes`` only on a single case, oldest first)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Dispute.Status.values)
    category = serializers.ChoiceField(choices=Dispute.Category.values)
    description = serializers.CharField(help_text="Markdown, by the reporter.")
    against_trainer = serializers.BooleanField(help_text="Whether the reported person is the trainer of the two.")
    course_key = serializers.CharField(allow_null=True)
    reporter_id = serializers.IntegerField(allow_null=True, help_text="Null once the reporter's account is retired.")
    reporter_username = serializers.CharField()
    reporter_name = serializers.CharField()
    reported_id = serializers.IntegerField(allow_null=True)
    reported_username = serializers.CharField()
    reported_name = serializers.CharField()
    activity_id = serializers.IntegerField(allow_null=True)
    activity_kind = serializers.CharField(help_text="session, review or answer; empty without an interaction.")
    activity_occurred_at = serializers.DateTimeField(allow_null=True)
    assignee_id = serializers.IntegerField(allow_null=True)
    assignee_name = serializers.CharField()
    upheld = serializers.BooleanField(allow_null=True, help_text="Null until the case is closed.")
    resolution = serializers.CharField()
    resolved_by_id = serializers.IntegerField(allow_null=True)
    resolved_by_name = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()
    notes = DisputeNoteSerializer(many=True)


class DisputeReportSerializer(serializers.Serializer):
    """A report as its reporter sees it: never the notes; the resolution once closed."""

    id = serializers.IntegerField()
    reported_name = serializers.CharField()
    against_trainer = serializers.BooleanField()
    course_key = serializers.CharField(allow_null=True)
    activity_id = serializers.IntegerField(allow_null=True)
    category = serializers.ChoiceField(choices=Dispute.Category.values)
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Dispute.Status.values)
    resolution = serializers.CharField(help_text="Empty until the case is resolved or dismissed.")
    created = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class DisputeReportCreateSerializer(serializers.Serializer):
    """Whom, where and what. With neither a course nor an interaction, the latest interaction between the two."""

    reported = serializers.CharField(max_length=150, help_text="The username of the trainer or learner.")
    course_id = serializers.CharField(max_length=255, required=False, allow_blank=True, help_text="A course key.")
    activity_id = serializers.IntegerField(required=False, allow_null=True, help_text="An interaction between them.")
    category = serializers.ChoiceField(choices=Dispute.Category.values, default=Dispute.Category.OTHER)
    description = serializers.CharField(**TEXT, help_text="Required, at most 5000 characters (Markdown).")


class DisputeAssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(
        max_length=150, allow_null=True, help_text="The username of a staff member who handles disputes; null "
        "takes the case back from whoever has it."
    )


class DisputeNoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(**TEXT, help_text="Required, at most 5000 characters (Markdown).")


class DisputeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=("open", "in_progress"))
    reason = serializers.CharField(**TEXT, help_text="Required.")


class DisputeResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(help_text="Whether the complaint is upheld (an upheld complaint against a "
                                      "trainer counts against their level).")
    resolution = serializers.CharField(**TEXT, help_text="Required; the reporter reads it.")


class DisputeDismissSerializer(serializers.Serializer):
    resolution = serializers.CharField(**TEXT, help_text="Required; the reporter reads it.")


class DisputeReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(**TEXT, help_text="Required.")


CONFLICT = OpenApiResponse(ErrorSerializer, description="invalid_status: the case is not in a status that allows it.")
ACTION_RESPONSES = {200: DisputeSerializer, 409: CONFLICT}


# --- views ----------------------------------------------------------------------------------------------------------


class DisputesView(TrainersGenericAPIView):
    """The staff queue; anyone signed in reports a problem here."""

    serializer_class = DisputeSerializer

    @document(
        parameters=[
            OpenApiParameter("status", str, enum=list(Dispute.Status.values), description="Only this status."),
            OpenApiParameter("assignee", str, description="Only the cases of this username (\"me\": mine)."),
        ],
        responses=DisputeSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request) -> Response:
        """
        Open and in-progress cases first, the longest waiting first, then closed ones (without notes). Staff who
        handle disputes only (403 otherwise). A fixed number of queries whatever the page size.
        """
        assignee = _assignee_filter(request)
        found = api.list_disputes(request.user, status=request.query_params.get("status") or None, assignee=assignee)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(
        request=DisputeReportCreateSerializer,
        responses={
            201: DisputeReportSerializer,
            409: OpenApiResponse(ErrorSerializer, description="already_reported: a report about them is still open."),
        },
        tags=TAGS,
    )
    def post(self, request) -> Response:
        """
        Report a problem with a trainer one learns with or a learner one mentors. Refused with user_not_found (404)
        when they did not deal with each other, whether the username exists or not.
        """
        data = validated(DisputeReportCreateSerializer, request.data)
        report = api.report_problem(
            request.user, data["reported"], course_key=data.get("course_id") or None,
            activity_id=data.get("activity_id"), category=data["category"], description=data["description"],
        )
        return Response(DisputeReportSerializer(report).data, status=status.HTTP_201_CREATED)


def _assignee_filter(request) -> Any:
    value = (request.query_params.get("assignee") or "").strip()
    if not value:
        return None
    if value == "me":
        return request.user
    found = get_user_model().objects.filter(username=value).values_list("pk", flat=True).first()
    if found is None:
        raise TrainersError("invalid_assignee", _("Nobody has the username “{name}”.").format(name=value[:150]))
    return found


class MyReportsView(TrainersGenericAPIView):
    """The requester's own reports."""

    serializer_class = DisputeReportSerializer

    @document(responses=DisputeReportSerializer(many=True), tags=TAGS)
    def get(self, request) -> Response:
        """Newest first: status, and the resolution once the case is closed."""
        page = self.paginate_queryset(api.my_reports(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DisputeView(TrainersAPIView):
    """One case."""

    @document(parameters=[DISPUTE_ID], responses=DisputeSerializer, tags=TAGS)
    def get(self, request, dispute_id: int) -> Response:
        """The case with its notes. 404 for anyone who does not handle disputes."""
        return Response(DisputeSerializer(api.get_dispute(request.user, dispute_id)).data)


class _ActionView(TrainersAPIView):
    """A change to a case by staff who handle disputes (404 for anyone else); answers the case."""

    request_serializer: type[serializers.Serializer]

    def act(self, request, dispute_id: int, data: dict) -> Any:
        raise NotImplementedError

    def post(self, request, dispute_id: int) -> Response:
        data = validated(self.request_serializer, request.data)
        return Response(DisputeSerializer(self.act(request, dispute_id, data)).data)


class AssignView(_ActionView):
    request_serializer = DisputeAssignSerializer

    @document(parameters=[DISPUTE_ID], request=DisputeAssignSerializer, responses=ACTION_RESPONSES, tags=TAGS)
    def post(self, request, dispute_id: int) -> Response:
        """Give an open or in-progress case to a staff member (or to nobody)."""
        return super().post(request, dispute_id)

    def act(self, request, dispute_id, data):
        return api.assign_dispute(request.user, dispute_id, data["assignee"])


class NotesView(TrainersAPIView):
    @document(parameters=[DISPUTE_ID], request=DisputeNoteCreateSerializer, responses={201: DisputeNoteSerializer},
              tags=TAGS)
    def post(self, request, dispute_id: int) -> Response:
        """Add a staff note (never shown to the parties), whatever the case's status."""
        data = validated(DisputeNoteCreateSerializer, request.data)
        note = api.add_dispute_note(request.user, dispute_id, data["body"])
        return Response(DisputeNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class StatusView(_ActionView):
    request_serializer = DisputeStatusSerializer

    @document(parameters=[DISPUTE_ID], request=DisputeStatusSerializer, responses=ACTION_RESPONSES, tags=TAGS)
    def post(self, request, dispute_id: int) -> Response:
        """Move a case between open and in progress, with a reason (kept as a note)."""
        return super().post(request, dispute_id)

    def act(self, request, dispute_id, data):
        return api.set_dispute_status(request.user, dispute_id, data["status"], data["reason"])


class ResolveView(_ActionView):
    request_serializer = DisputeResolveSerializer

    @document(parameters=[DISPUTE_ID], request=DisputeResolveSerializer, responses=ACTION_RESPONSES, tags=TAGS)
    def post(self, request, dispute_id: int) -> Response:
        """Resolve an open or in-progress case, upheld or not; the reporter is emailed. 409 once closed."""
        return super().post(request, dispute_id)

    def act(self, request, dispute_id, data):
        return api.resolve_dispute(request.user, dispute_id, data["upheld"], data["resolution"])


class DismissView(_ActionView):
    request_serializer = DisputeDismissSerializer

    @document(parameters=[DISPUTE_ID], request=DisputeDismissSerializer, responses=ACTION_RESPONSES, tags=TAGS)
    def post(self, request, dispute_id: int) -> Response:
        """Dismiss an open or in-progress case; the reporter is emailed. 409 once closed."""
        return super().post(request, dispute_id)

    def act(self, request, dispute_id, data):
        return api.dismiss_dispute(request.user, dispute_id, data["resolution"])


class ReopenView(_ActionView):
    request_serializer = DisputeReopenSerializer

    @document(parameters=[DISPUTE_ID], request=DisputeReopenSerializer, responses=ACTION_RESPONSES, tags=TAGS)
    def post(self, request, dispute_id: int) -> Response:
        """Reopen a resolved or dismissed case, with a reason; its outcome is withdrawn."""
        return super().post(request, dispute_id)

    def act(self, request, dispute_id, data):
        return api.reopen_dispute(request.user, dispute_id, data["reason"])


urlpatterns = [
    path("disputes/", DisputesView.as_view(), name="api-disputes"),
    path("disputes/mine/", MyReportsView.as_view(), name="api-disputes-mine"),
    path("disputes/<int:dispute_id>/", DisputeView.as_view(), name="api-disputes-detail"),
    path("disputes/<int:dispute_id>/assign/", AssignView.as_view(), name="api-disputes-assign"),
    path("disputes/<int:dispute_id>/notes/", NotesView.as_view(), name="api-disputes-notes"),
    path("disputes/<int:dispute_id>/status/", StatusView.as_view(), name="api-disputes-status"),
    path("disputes/<int:dispute_id>/resolve/", ResolveView.as_view(), name="api-disputes-resolve"),
    path("disputes/<int:dispute_id>/dismiss/", DismissView.as_view(), name="api-disputes-dismiss"),
    path("disputes/<int:dispute_id>/reopen/", ReopenView.as_view(), name="api-disputes-reopen"),
]
