"""
The gallery's REST API (under /api/mentora/v1/reviews/): the gallery and its entries, kudos, featuring a submission
(trainers whose level unlocks it) and the learners' consent.

Thin views over ``reviews.api``, which decides who sees and does what: an entry the requester may not see is a 404
(``gallery_entry_not_found``), a trainer whose level does not unlock featuring gets 403 ``capability_refused``,
kudos twice 409 ``already_given``. The list runs a fixed number of queries whatever the page size.
"""
from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.response import Response

from mentora_plugin.rest.views import ErrorSerializer, document
from mentora_plugin.reviews import api
from mentora_plugin.reviews.rest_api.v1.common import ReviewsAPIView, ReviewsGenericAPIView, validated

TAGS = ["reviews: gallery"]
ENTRY_ID = OpenApiParameter("entry_id", int, OpenApiParameter.PATH, description="A gallery entry id.")
SUBMISSION_ID = OpenApiParameter("submission_id", int, OpenApiParameter.PATH, description="A submission id.")


class GallerySkillSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class GalleryFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    url = serializers.CharField(help_text="Downloads the file (for whoever may see the entry).")


class GalleryEntrySerializer(serializers.Serializer):
    """An entry of the gallery (``text`` only on a single entry; empty in lists)."""

    id = serializers.IntegerField()
    submission_id = serializers.IntegerField()
    project_id = serializers.IntegerField()
    project_title = serializers.CharField()
    course_key = serializers.CharField()
    course_title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField(), help_text="The learner, or the team's members.")
    team_name = serializers.CharField()
    skills = GallerySkillSerializer(many=True)
    excerpt = serializers.CharField(help_text="The start of the approved version's text.")
    text = serializers.CharField(help_text="The approved version's text (Markdown); single entries only.")
    links = serializers.ListField(child=serializers.CharField())
    files = GalleryFileSerializer(many=True)
    feedback_summary = serializers.CharField(help_text="The start of the approving trainer's feedback (Markdown).")
    featured_by_id = serializers.IntegerField(allow_null=True)
    featured_by_username = serializers.CharField()
    featured_by_name = serializers.CharField()
    featured_at = serializers.DateTimeField(allow_null=True, help_text="Null once taken out of the gallery.")
    consented = serializers.BooleanField(help_text="Whether every author consents.")
    shown = serializers.BooleanField(help_text="Whether the gallery shows it (featured and consented to).")
    kudos_count = serializers.IntegerField()
    kudos_given = serializers.BooleanField(help_text="Whether you gave kudos.")
    url = serializers.CharField(help_text="The entry's page.")


class GalleryConsentSerializer(serializers.Serializer):
    submission_id = serializers.IntegerField()
    entry_id = serializers.IntegerField(allow_null=True)
    consented = serializers.BooleanField(help_text="Whether you consent.")
    all_consented = serializers.BooleanField(help_text="Whether every author (each team member) consents.")
    featured = serializers.BooleanField()
    shown = serializers.BooleanField()


class GalleryConsentUpdateSerializer(serializers.Serializer):
    consent = serializers.BooleanField(help_text="True to show the work when featured; false withdraws at once.")


class GalleryFeatureSerializer(serializers.Serializer):
    skills = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=50,
        help_text="Slugs of skills of the shared taxonomy (at most 10).",
    )


class GalleryUnfeatureSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class GalleryView(ReviewsGenericAPIView):
    """The gallery."""

    serializer_class = GalleryEntrySerializer

    @document(
        parameters=[
            OpenApiParameter("course_id", str, description="One course's entries (for the people of that course)."),
            OpenApiParameter("skill", str, description="Only the entries tagged with this skill's slug."),
        ],
        responses=GalleryEntrySerializer(many=True),
        tags=TAGS,
    )
    def get(self, request) -> Response:
        """Featured work whose every author consents, the most recently featured first."""
        found = api.list_gallery(course_key=request.query_params.get("course_id") or None,
                                 skill=request.query_params.get("skill") or None, viewer=request.user)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class GalleryEntryView(ReviewsAPIView):
    @document(parameters=[ENTRY_ID], responses=GalleryEntrySerializer, tags=TAGS)
    def get(self, request, entry_id: int) -> Response:
        """One entry with the approved version's text. 404 unless shown (or yours, or you review the course)."""
        return Response(GalleryEntrySerializer(api.get_gallery_entry(entry_id, request.user)).data)


class GalleryKudosView(ReviewsAPIView):
    @document(
        parameters=[ENTRY_ID], request=None,
        responses={201: GalleryEntrySerializer,
                   409: OpenApiResponse(ErrorSerializer, description="already_given: once per person.")},
        tags=TAGS,
    )
    def post(self, request, entry_id: int) -> Response:
        """Give kudos to a shown entry (not to your own work), once."""
        entry = api.give_kudos(request.user, entry_id)
        return Response(GalleryEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class GalleryFeatureView(ReviewsAPIView):
    @document(
        parameters=[SUBMISSION_ID], request=GalleryFeatureSerializer,
        responses={200: GalleryEntrySerializer,
                   403: OpenApiResponse(ErrorSerializer, description="capability_refused: your trainer level does "
                                        "not unlock featuring in this course."),
                   409: OpenApiResponse(ErrorSerializer, description="not_approved: only approved work.")},
        tags=TAGS,
    )
    def post(self, request, submission_id: int) -> Response:
        """Feature an approved submission (again: change its skills). Shown once every author consents."""
        data = validated(GalleryFeatureSerializer, request.data)
        entry = api.feature_submission(request.user, submission_id, data["skills"])
        return Response(GalleryEntrySerializer(entry).data)

    @document(parameters=[SUBMISSION_ID], request=GalleryUnfeatureSerializer, responses={204: None}, tags=TAGS)
    def delete(self, request, submission_id: int) -> Response:
        """Take the submission out of the gallery (who featured it, course staff, platform staff)."""
        data = validated(GalleryUnfeatureSerializer, request.data or {})
        api.unfeature_submission(request.user, submission_id, data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class GalleryConsentView(ReviewsAPIView):
    @document(parameters=[SUBMISSION_ID], request=GalleryConsentUpdateSerializer,
              responses=GalleryConsentSerializer, tags=TAGS)
    def put(self, request, submission_id: int) -> Response:
        """Give or withdraw your consent to show your (or your team's) submission in the gallery."""
        data = validated(GalleryConsentUpdateSerializer, request.data)
        state = api.set_gallery_consent(request.user, submission_id, data["consent"])
        return Response(GalleryConsentSerializer(state).data)


urlpatterns = [
    path("gallery/", GalleryView.as_view(), name="api-gallery"),
    path("gallery/<int:entry_id>/", GalleryEntryView.as_view(), name="api-gallery-detail"),
    path("gallery/<int:entry_id>/kudos/", GalleryKudosView.as_view(), name="api-gallery-kudos"),
    path("submissions/<int:submission_id>/feature/", GalleryFeatureView.as_view(), name="api-gallery-feature"),
    path("submissions/<int:submission_id>/consent/", GalleryConsentView.as_view(), name="api-gallery-consent"),
]
