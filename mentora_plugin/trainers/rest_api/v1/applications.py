"""
The application pipeline's REST API, under /api/mentora/v1/trainers/.

Thin views: a serializer checks the input, ``trainers.api`` decides (permissions included) and its ``TrainersError``
becomes ``{error_code, message}`` with its status. An application the requester may not see is answered 404, as if
it did not exist.

- ``applications/``: GET the reviewers' queue (paginated; ``?state=``, ``?assigned_to_me=true``), POST start one.
- ``applications/current/``: GET the requester's own open (else latest) application.
- ``applications/rubric/``: GET the criteria reviewers score.
- ``applications/<id>/``: GET, PATCH (the applicant's fields).
- ``applications/<id>/submit/``, ``withdraw/``, ``decision/`` (move to decision): POST.
- ``applications/<id>/reviewers/``: POST assign (``user_id``, default: oneself), DELETE unassign (``?user_id=``).
- ``applications/<id>/scores/``, ``interview/``, ``votes/``: POST. ``history/``: GET (paginated).
- ``onboarding/``: GET the checklist; ``onboarding/<step>/``: POST mark a step done.
"""
from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.response import Response

from mentora_plugin.rest.views import document
from mentora_plugin.trainers import api
from mentora_plugin.trainers.common import not_found
from mentora_plugin.trainers.models import TrainerApplication, TrainerScope
from mentora_plugin.trainers.rest_api.v1.common import TrainersAPIView, TrainersGenericAPIView, validated

TAGS = ["trainers: applications"]
APPLICATION_ID = OpenApiParameter("application_id", int, OpenApiParameter.PATH, description="An application id.")
STEP = OpenApiParameter("step", str, OpenApiParameter.PATH, description="The key of an onboarding step.")


# --- serializers ----------------------------------------------------------------------------------------------------


class ApplicationScreeningProblemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. headline_missing, evidence_missing, motivation_missing.")
    message = serializers.CharField()
    fix = serializers.ChoiceField(choices=["profile", "application"], help_text="Where to fix it.")


class ApplicationReviewerSerializer(serializers.Serializer):
    reviewer_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    assigned_at = serializers.DateTimeField()
    assigned_by_id = serializers.IntegerField(allow_null=True)
    vote = serializers.CharField(help_text='"approve", "reject", or "" before voting.')
    vote_reason = serializers.CharField()
    voted_at = serializers.DateTimeField(allow_null=True)


class ApplicationScoreSerializer(serializers.Serializer):
    reviewer_id = serializers.IntegerField()
    reviewer_username = serializers.CharField()
    criterion = serializers.CharField()
    label = serializers.CharField()
    score = serializers.IntegerField()
    max = serializers.IntegerField()
    comment = serializers.CharField()
    modified = serializers.DateTimeField()


class ApplicationEvidenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()
    file_url = serializers.CharField()


class ApplicationApplicantSerializer(serializers.Serializer):
    headline = serializers.CharField()
    bio = serializers.CharField()
    experience_years = serializers.IntegerField()
    experience = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField()
    skills = serializers.ListField(child=serializers.CharField())
    evidence = ApplicationEvidenceSerializer(many=True)


class ApplicationSerializer(serializers.Serializer):
    """An application as the requester may see it (reviewers' fields are empty for the applicant)."""

    id = serializers.IntegerField()
    applicant_id = serializers.IntegerField()
    applicant_username = serializers.CharField()
    applicant_name = serializers.CharField()
    state = serializers.ChoiceField(choices=TrainerApplication.State.choices)
    state_label = serializers.CharField()
    scope_kind = serializers.ChoiceField(choices=TrainerScope.Kind.choices)
    scope_org = serializers.CharField()
    scope_course_key = serializers.CharField()
    scope_label = serializers.CharField()
    motivation = serializers.CharField()
    micro_task_answer = serializers.CharField()
    screening_problems = ApplicationScreeningProblemSerializer(many=True)
    interview_at = serializers.DateTimeField(allow_null=True)
    interview_notes = serializers.CharField(help_text="Reviewers and staff only.")
    decision_reason = serializers.CharField()
    created = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reapply_after = serializers.DateTimeField(allow_null=True)
    waiting_since = serializers.DateTimeField(help_text="When the application entered its current state.")
    reviewers = ApplicationReviewerSerializer(many=True)
    scores = ApplicationScoreSerializer(many=True)
    applicant = ApplicationApplicantSerializer(allow_null=True, help_text="The applicant's profile, for reviewers.")


class ApplicationTransitionSerializer(serializers.Serializer):
    from_state = serializers.CharField(help_text='"" for the creation.')
    to_state = serializers.CharField()
    by = serializers.ChoiceField(choices=["applicant", "system", "reviewer"], help_text="Who made the change.")
    actor_id = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField()
    reason = serializers.CharField()
    details = serializers.DictField()
    at = serializers.DateTimeField()


class ApplicationRubricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    max = serializers.IntegerField()


class ApplicationOnboardingStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    done = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)


class ApplicationOnboardingSerializer(serializers.Serializer):
    application_id = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()
    complete = serializers.BooleanField()
    steps = ApplicationOnboardingStepSerializer(many=True)


class ApplicationStartSerializer(serializers.Serializer):
    scope_kind = serializers.ChoiceField(choices=TrainerScope.Kind.choices, default=TrainerScope.Kind.PLATFORM)
    org = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    course_id = serializers.CharField(required=False, allow_blank=True, max_length=255, default="",
                                      help_text="A course key, for a course scope.")
    motivation = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class ApplicationUpdateSerializer(serializers.Serializer):
    scope_kind = serializers.ChoiceField(choices=TrainerScope.Kind.choices, required=False)
    org = serializers.CharField(required=False, allow_blank=True, max_length=255)
    course_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    motivation = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    micro_task_answer = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ApplicationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationAssignSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(required=False, min_value=1, help_text="The reviewer; default: oneself.")


class ApplicationScoresSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(), help_text="Criterion key → score.")
    comments = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)


class ApplicationInterviewSerializer(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True, required=False, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationVoteSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _application(info: Any) -> dict:
    return ApplicationSerializer(info).data


# --- views ----------------------------------------------------------------------------------------------------------


class ApplicationsView(TrainersGenericAPIView):
    """The reviewers' queue, and starting an application."""

    serializer_class = ApplicationSerializer

    @document(
        parameters=[
            OpenApiParameter("state", str, description="Only applications in this state."),
            OpenApiParameter("assigned_to_me", bool, description="Only applications the requester reviews."),
        ],
        responses=ApplicationSerializer(many=True), tags=TAGS,
    )
    def get(self, request) -> Response:
        """Applications to review, oldest submission first. Reviewers and staff only (403 otherwise)."""
        mine = request.query_params.get("assigned_to_me", "").lower() in ("1", "true", "yes")
        found = api.list_applications(request.user, state=request.query_params.get("state") or None,
                                      assigned_to_me=mine)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(request=ApplicationStartSerializer, responses={201: ApplicationSerializer}, tags=TAGS)
    def post(self, request) -> Response:
        """Start the requester's application (a draft). 409 when one is open or the cooldown runs."""
        data = validated(ApplicationStartSerializer, request.data)
        info = api.start_application(request.user, data["scope_kind"], org=data["org"],
                                     course_key=data["course_id"] or None, motivation=data["motivation"])
        return Response(_application(info), status=status.HTTP_201_CREATED)


class CurrentApplicationView(TrainersAPIView):
    @document(responses=ApplicationSerializer, tags=TAGS)
    def get(self, request) -> Response:
        """The requester's open application, else their latest one; 404 when they never applied."""
        info = api.current_application(request.user)
        if info is None:
            raise not_found("application")
        return Response(_application(info))


class RubricView(TrainersAPIView):
    @document(responses=ApplicationRubricSerializer(many=True), tags=TAGS)
    def get(self, request) -> Response:
        """The criteria reviewers score applications on."""
        return Response(ApplicationRubricSerializer(api.rubric(), many=True).data)


class ApplicationView(TrainersAPIView):
    @document(parameters=[APPLICATION_ID], responses=ApplicationSerializer, tags=TAGS)
    def get(self, request, application_id: int) -> Response:
        """One application: its applicant, its reviewers, reviewers while it waits for them, staff."""
        return Response(_application(api.get_application(application_id, request.user)))

    @document(
        parameters=[APPLICATION_ID], request=ApplicationUpdateSerializer,
        responses=ApplicationSerializer, tags=TAGS,
    )
    def patch(self, request, application_id: int) -> Response:
        """The applicant changes their motivation or scope (draft), or answers the micro-task (draft, skills check)."""
        data = validated(ApplicationUpdateSerializer, request.data)
        if "course_id" in data:
            data["course_key"] = data.pop("course_id") or None
        return Response(_application(api.update_application(request.user, application_id, **data)))


class _ActionView(TrainersAPIView):
    """A POST on one application; ``act`` returns the application after the action."""

    request_serializer: type[serializers.Serializer] | None = None

    def act(self, request, application_id: int, data: dict) -> Any:
        raise NotImplementedError

    def post(self, request, application_id: int) -> Response:
        data = validated(self.request_serializer, request.data) if self.request_serializer else {}
        return Response(_application(self.act(request, application_id, data)))


class SubmitView(_ActionView):
    @document(parameters=[APPLICATION_ID], request=None, responses=ApplicationSerializer, tags=TAGS)
    def post(self, request, application_id: int) -> Response:
        """The applicant submits their draft; screening runs in the background."""
        return super().post(request, application_id)

    def act(self, request, application_id, data):
        return api.submit_application(request.user, application_id)


class WithdrawView(_ActionView):
    request_serializer = ApplicationReasonSerializer

    @document(
        parameters=[APPLICATION_ID], request=ApplicationReasonSerializer,
        responses=ApplicationSerializer, tags=TAGS,
    )
    def post(self, request, application_id: int) -> Response:
        """The applicant withdraws an application that is not over."""
        return super().post(request, application_id)

    def act(self, request, application_id, data):
        return api.withdraw_application(request.user, application_id, data["reason"])


class DecisionView(_ActionView):
    @document(parameters=[APPLICATION_ID], request=None, responses=ApplicationSerializer, tags=TAGS)
    def post(self, request, application_id: int) -> Response:
        """A reviewer (or staff) closes the skills check: every criterion scored, the micro-task answered."""
        return super().post(request, application_id)

    def act(self, request, application_id, data):
        return api.move_to_decision(request.user, application_id)


class InterviewView(_ActionView):
    request_serializer = ApplicationInterviewSerializer

    @document(
        parameters=[APPLICATION_ID], request=ApplicationInterviewSerializer,
        responses=ApplicationSerializer, tags=TAGS,
    )
    def post(self, request, application_id: int) -> Response:
        """A reviewer (or staff) sets the interview's time and notes."""
        return super().post(request, application_id)

    def act(self, request, application_id, data):
        return api.record_interview(request.user, application_id, data["at"], data["notes"])


class VotesView(_ActionView):
    request_serializer = ApplicationVoteSerializer

    @document(
        parameters=[APPLICATION_ID], request=ApplicationVoteSerializer,
        responses=ApplicationSerializer, tags=TAGS,
    )
    def post(self, request, application_id: int) -> Response:
        """A reviewer (or staff) votes; a reason is required to reject. 409 once the application is decided."""
        return super().post(request, application_id)

    def act(self, request, application_id, data):
        return api.vote(request.user, application_id, data["vote"], data["reason"])


class ReviewersView(TrainersAPIView):
    @document(
        parameters=[APPLICATION_ID], request=ApplicationAssignSerializer,
        responses={201: ApplicationReviewerSerializer}, tags=TAGS,
    )
    def post(self, request, application_id: int) -> Response:
        """Assign a reviewer (staff), or oneself (a reviewer)."""
        data = validated(ApplicationAssignSerializer, request.data)
        reviewer = api.assign_reviewer(request.user, application_id, data.get("user_id") or request.user)
        return Response(ApplicationReviewerSerializer(reviewer).data, status=status.HTTP_201_CREATED)

    @document(
        parameters=[APPLICATION_ID, OpenApiParameter("user_id", int, description="The reviewer; default: oneself.")],
        request=None, responses={204: None}, tags=TAGS,
    )
    def delete(self, request, application_id: int) -> Response:
        """Take a reviewer off (staff), or oneself; refused once they voted."""
        data = validated(ApplicationAssignSerializer, {"user_id": request.query_params.get("user_id")}
                         if request.query_params.get("user_id") else request.data or {})
        api.unassign_reviewer(request.user, application_id, data.get("user_id") or request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScoresView(TrainersAPIView):
    @document(
        parameters=[APPLICATION_ID], request=ApplicationScoresSerializer,
        responses=ApplicationScoreSerializer(many=True), tags=TAGS,
    )
    def post(self, request, application_id: int) -> Response:
        """An assigned reviewer scores criteria of the rubric; returns all their scores."""
        data = validated(ApplicationScoresSerializer, request.data)
        scores = api.score_application(request.user, application_id, data["scores"], data["comments"])
        return Response(ApplicationScoreSerializer(scores, many=True).data)


class HistoryView(TrainersGenericAPIView):
    serializer_class = ApplicationTransitionSerializer

    @document(parameters=[APPLICATION_ID], responses=ApplicationTransitionSerializer(many=True), tags=TAGS)
    def get(self, request, application_id: int) -> Response:
        """Every change of state, oldest first (the applicant does not see which reviewer acted)."""
        page = self.paginate_queryset(api.application_history(application_id, request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OnboardingView(TrainersAPIView):
    @document(responses=ApplicationOnboardingSerializer, tags=TAGS)
    def get(self, request) -> Response:
        """The requester's onboarding checklist."""
        return Response(ApplicationOnboardingSerializer(api.onboarding_status(request.user)).data)


class OnboardingStepView(TrainersAPIView):
    @document(parameters=[STEP], request=None, responses=ApplicationOnboardingSerializer, tags=TAGS)
    def post(self, request, step: str) -> Response:
        """Mark a step done; the last one makes the requester an active trainer."""
        return Response(ApplicationOnboardingSerializer(api.complete_onboarding_step(request.user, step)).data)


urlpatterns = [
    path("applications/", ApplicationsView.as_view(), name="api-applications"),
    path("applications/current/", CurrentApplicationView.as_view(), name="api-applications-current"),
    path("applications/rubric/", RubricView.as_view(), name="api-applications-rubric"),
    path("applications/<int:application_id>/", ApplicationView.as_view(), name="api-applications-detail"),
    path("applications/<int:application_id>/submit/", SubmitView.as_view(), name="api-applications-submit"),
    path("applications/<int:application_id>/withdraw/", WithdrawView.as_view(), name="api-applications-withdraw"),
    path("applications/<int:application_id>/reviewers/", ReviewersView.as_view(), name="api-applications-reviewers"),
    path("applications/<int:application_id>/scores/", ScoresView.as_view(), name="api-applications-scores"),
    path("applications/<int:application_id>/interview/", InterviewView.as_view(),
         name="api-applications-interview"),
    path("applications/<int:application_id>/decision/", DecisionView.as_view(), name="api-applications-decision"),
    path("applications/<int:application_id>/votes/", VotesView.as_view(), name="api-applications-votes"),
    path("applications/<int:application_id>/history/", HistoryView.as_view(), name="api-applications-history"),
    path("onboarding/", OnboardingView.as_view(), name="api-applications-onboarding"),
    path("onboarding/<str:step>/", OnboardingStepView.as_view(), name="api-applications-onboarding-step"),
]
