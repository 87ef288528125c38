"""
Projects' and submissions' REST API (under /api/mentora/v1/reviews/): a project with its rubric, the requester's own
submission (draft, files, submit), one submission's detail, extensions, and the course's rubric library.

Thin views over ``reviews.api``: serializers check shapes; what the values mean (dates, limits, file types, who may
read what) is the domain's decision, so the block and the API refuse the same things with the same codes. Usage
keys (``block-v1:Org+Course+Run+type@mentora_project+block@…``) travel in the path as they are; an invalid one is
refused with ``invalid_usage_key`` (400). A submission that the requester may not read is 404, as if it did not
exist.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import FileResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from mentora_plugin.host import api as host_api
from mentora_plugin.rest.views import ErrorSerializer, document
from mentora_plugin.reviews import api
from mentora_plugin.reviews.common import ReviewsError, forbidden, not_found
from mentora_plugin.reviews.rest_api.v1.common import ReviewsAPIView, ReviewsGenericAPIView, validated

TAGS = ["reviews: projects and submissions"]
USAGE_KEY = OpenApiParameter("usage_key", str, OpenApiParameter.PATH,
                             description="The project block's usage key, e.g. block-v1:Org+C1+2026+type@"
                                         "mentora_project+block@abc.")
SUBMISSION_ID = OpenApiParameter("submission_id", int, OpenApiParameter.PATH, description="A submission id.")
FILE_ID = OpenApiParameter("file_id", int, OpenApiParameter.PATH, description="A file id.")
COURSE_ID = OpenApiParameter("course_id", str, OpenApiParameter.PATH, description="A course key.")
STATUS_HELP = "draft, submitted (waiting for review), in_review, changes_requested or approved."
BLOCKED_HELP = ("Why the learner may not edit or submit now (empty when they may): not_enrolled, no_team, "
                "not_open, closed, waiting_for_review, not_resubmittable, no_resubmission_left.")


# --- serializers ----------------------------------------------------------------------------------------------------


class ProjectRubricLevelSerializer(serializers.Serializer):
    points = serializers.FloatField()
    label = serializers.CharField()
    description = serializers.CharField()


class ProjectRubricCriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.FloatField()
    levels = ProjectRubricLevelSerializer(many=True, help_text="From the first level listed to the last.")


class ReviewProjectSerializer(serializers.Serializer):
    """A project as its block configures it."""

    id = serializers.IntegerField()
    usage_key = serializers.CharField()
    course_key = serializers.CharField()
    title = serializers.CharField()
    brief = serializers.CharField(help_text="Markdown.")
    brief_html = serializers.CharField(help_text="The brief rendered and sanitised.")
    rubric = ProjectRubricCriterionSerializer(many=True)
    accepts_text = serializers.BooleanField()
    accepts_files = serializers.BooleanField()
    accepts_links = serializers.BooleanField()
    max_files = serializers.IntegerField()
    max_file_mb = serializers.IntegerField()
    allowed_extensions = serializers.ListField(child=serializers.CharField(), help_text="Empty: any type.")
    start = serializers.DateTimeField(allow_null=True)
    due = serializers.DateTimeField(allow_null=True)
    cutoff = serializers.DateTimeField(allow_null=True)
    max_resubmissions = serializers.IntegerField(help_text="How many resubmissions a learner may make in all.")
    resubmit_after_approval = serializers.BooleanField(
        help_text="A learner whose latest version was approved may still submit an improved version.")
    team_mode = serializers.BooleanField()
    graded = serializers.BooleanField()
    points_possible = serializers.IntegerField()
    self_assessment = serializers.BooleanField()
    second_marker = serializers.BooleanField()
    target_turnaround_hours = serializers.IntegerField()


class ProjectDatesSerializer(serializers.Serializer):
    """The requester's (or a submission's) dates, extensions applied; null: no such limit."""

    start = serializers.DateTimeField(allow_null=True)
    due = serializers.DateTimeField(allow_null=True)
    cutoff = serializers.DateTimeField(allow_null=True)
    extended = serializers.BooleanField()


class ProjectTeamMemberSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class ProjectTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    members = ProjectTeamMemberSerializer(many=True)


class SubmissionFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="Where to download it (access is checked).")
    version_number = serializers.IntegerField(allow_null=True, help_text="Null while in the draft.")


class SubmissionCommentSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    comment = serializers.CharField()


class SubmissionFeedbackSerializer(serializers.Serializer):
    """A review of a version. Learners get released reviews only."""

    id = serializers.IntegerField()
    reviewer_id = serializers.IntegerField(allow_null=True)
    reviewer_name = serializers.CharField()
    role = serializers.CharField(help_text="marker, second or self.")
    outcome = serializers.CharField(help_text="changes_requested, approved, or empty while a draft.")
    points = serializers.FloatField(allow_null=True)
    scores = serializers.DictField(help_text='{criterion_key: {"level": index, "comment": text}}.')
    feedback = serializers.CharField(help_text="Markdown.")
    feedback_html = serializers.CharField()
    released_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    released = serializers.BooleanField()
    inline_comments = SubmissionCommentSerializer(many=True)
    files = SubmissionFileSerializer(many=True)


class SubmissionReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author_id = serializers.IntegerField(allow_null=True)
    author_name = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.CharField()
    created = serializers.DateTimeField()


class SubmissionVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    text_html = serializers.CharField()
    links = serializers.ListField(child=serializers.CharField())
    files = SubmissionFileSerializer(many=True)
    self_assessment = serializers.DictField(child=serializers.IntegerField(), help_text="{criterion_key: level}.")
    submitted_by_id = serializers.IntegerField(allow_null=True)
    submitted_by_name = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    late = serializers.BooleanField(help_text="Submitted after the due date.")
    reviews = SubmissionFeedbackSerializer(many=True)
    replies = SubmissionReplySerializer(many=True)


class LearnerSubmissionSerializer(serializers.Serializer):
    """The requester's work on a project (their team's in team mode)."""

    id = serializers.IntegerField(allow_null=True, help_text="Null until something is saved.")
    project = ReviewProjectSerializer()
    team = ProjectTeamSerializer(allow_null=True)
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    draft_text = serializers.CharField()
    draft_links = serializers.ListField(child=serializers.CharField())
    draft_saved_at = serializers.DateTimeField(allow_null=True)
    files = SubmissionFileSerializer(many=True, help_text="The draft's files.")
    versions = SubmissionVersionSerializer(many=True, help_text="Oldest first, with their released reviews.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    points_earned = serializers.FloatField(allow_null=True)
    dates = ProjectDatesSerializer()
    resubmissions_used = serializers.IntegerField()
    resubmissions_left = serializers.IntegerField()
    blocked = serializers.CharField(help_text=BLOCKED_HELP)
    may_improve = serializers.BooleanField(
        help_text="The latest version is approved and the learner may still submit an improved version.")
    grade_policy = serializers.CharField(
        help_text="Which approved grade counts once an improved version is approved: latest or highest; empty when "
                  "the project's approval is final.")
    can_edit = serializers.BooleanField()
    is_late = serializers.BooleanField(help_text="Submitting now would be late.")


class SubmissionDetailSerializer(serializers.Serializer):
    """A submission as the requester may see it."""

    id = serializers.IntegerField()
    project = ReviewProjectSerializer()
    learner_id = serializers.IntegerField(allow_null=True, help_text="Null in team mode.")
    learner_username = serializers.CharField()
    learner_name = serializers.CharField()
    team = ProjectTeamSerializer(allow_null=True)
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    points_earned = serializers.FloatField(allow_null=True)
    dates = ProjectDatesSerializer()
    versions = SubmissionVersionSerializer(many=True, help_text="Oldest first; draft reviews for reviewers only.")
    viewer_is_reviewer = serializers.BooleanField()


class SubmissionDraftSerializer(serializers.Serializer):
    """What to autosave; a field left out stays as it is."""

    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                 help_text="Markdown, at most 50,000 characters.")
    links = serializers.ListField(child=serializers.CharField(allow_blank=True, trim_whitespace=True),
                                  required=False, help_text="At most 10 http(s) addresses: the whole list.")


class SubmissionFileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="Checked against the project's type, size and "
                                 "count limits.")


class SubmissionSubmitSerializer(serializers.Serializer):
    self_assessment = serializers.DictField(child=serializers.IntegerField(), required=False, allow_null=True,
                                            help_text="{criterion_key: level index}: required when the project "
                                            "asks for a self-assessment.")


class ProjectExtensionCreateSerializer(serializers.Serializer):
    learner = serializers.CharField(max_length=150, help_text="The learner's username.")
    due = serializers.DateTimeField(required=False, allow_null=True)
    cutoff = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ProjectExtensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project_id = serializers.IntegerField()
    learner_id = serializers.IntegerField()
    due = serializers.DateTimeField(allow_null=True)
    cutoff = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    granted_by_id = serializers.IntegerField(allow_null=True)
    granted_at = serializers.DateTimeField()


class RubricTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course_key = serializers.CharField()
    title = serializers.CharField()
    criteria = ProjectRubricCriterionSerializer(many=True)
    created_by_id = serializers.IntegerField(allow_null=True)
    created = serializers.DateTimeField()


class RubricTemplateCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)
    criteria = serializers.JSONField(help_text='[{"key", "title", "description", "weight", "levels": [{"points", '
                                     '"label", "description"}]}]: 1 to 20 criteria of 2 to 10 levels.')


CONFLICT = OpenApiResponse(ErrorSerializer, description="The project's state does not allow it (error_code: "
                           "no_team, not_open, closed, waiting_for_review, not_resubmittable, no_resubmission_left).")


# --- views ----------------------------------------------------------------------------------------------------------


class ProjectView(ReviewsAPIView):
    @document(parameters=[USAGE_KEY], responses=ReviewProjectSerializer, tags=TAGS)
    def get(self, request, usage_key: str) -> Response:
        """The project with its rubric, for anyone with a part in its course (404 for anyone else)."""
        project = api.get_project(usage_key)
        if not request.user.has_perm("mentora_host.view_course", project.course_key):
            raise not_found("project")
        return Response(ReviewProjectSerializer(project).data)


class MySubmissionView(ReviewsAPIView):
    @document(parameters=[USAGE_KEY], responses=LearnerSubmissionSerializer, tags=TAGS)
    def get(self, request, usage_key: str) -> Response:
        """
        The requester's work on the project: draft, files, versions with released reviews, dates (404 for anyone
        without a part in its course, as the project itself).
        """
        info = api.get_learner_submission(request.user, usage_key)
        if not request.user.has_perm("mentora_host.view_course", info.project.course_key):
            raise not_found("project")
        return Response(LearnerSubmissionSerializer(info).data)

    @document(parameters=[USAGE_KEY], request=SubmissionDraftSerializer,
              responses={200: LearnerSubmissionSerializer, 409: CONFLICT}, tags=TAGS)
    def patch(self, request, usage_key: str) -> Response:
        """Autosave the draft's text and/or links."""
        data = validated(SubmissionDraftSerializer, request.data)
        info = api.save_draft(request.user, usage_key, text=data.get("text"), links=data.get("links"))
        return Response(LearnerSubmissionSerializer(info).data)


class DraftFilesView(ReviewsAPIView):
    parser_classes = (MultiPartParser, FormParser)

    @document(parameters=[USAGE_KEY], request={"multipart/form-data": SubmissionFileUploadSerializer},
              responses={201: SubmissionFileSerializer, 409: CONFLICT}, tags=TAGS)
    def post(self, request, usage_key: str) -> Response:
        """
        Add a file (``file``) to the draft. Refused with file_type_not_allowed, file_too_large, empty_file or
        too_many_files (400) by the server's own checks; the draft stays as it was.
        """
        upload = request.FILES.get("file")
        if upload is None:
            raise ReviewsError("no_file", _("Choose a file to upload."))
        info = api.add_draft_file(request.user, usage_key, upload)
        return Response(SubmissionFileSerializer(info).data, status=status.HTTP_201_CREATED)


class DraftFileView(ReviewsAPIView):
    @document(parameters=[USAGE_KEY, FILE_ID], responses={204: OpenApiResponse(description="Removed."),
                                                          409: CONFLICT}, tags=TAGS)
    def delete(self, request, usage_key: str, file_id: int) -> Response:
        """Take a file out of the draft (a submitted version's files cannot be removed: 404)."""
        api.remove_draft_file(request.user, usage_key, file_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitView(ReviewsAPIView):
    @document(parameters=[USAGE_KEY], request=SubmissionSubmitSerializer,
              responses={201: LearnerSubmissionSerializer, 409: CONFLICT}, tags=TAGS)
    def post(self, request, usage_key: str) -> Response:
        """Submit the draft as a new version (nothing_to_submit, 400, when it is empty)."""
        data = validated(SubmissionSubmitSerializer, request.data)
        info = api.submit(request.user, usage_key, self_assessment=data.get("self_assessment"))
        return Response(LearnerSubmissionSerializer(info).data, status=status.HTTP_201_CREATED)


class SubmissionDetailView(ReviewsAPIView):
    @document(parameters=[SUBMISSION_ID], responses=SubmissionDetailSerializer, tags=TAGS)
    def get(self, request, submission_id: int) -> Response:
        """
        A submission with every version: for its learner (or team) with released reviews, for the course's
        trainers and staff with draft reviews too; 404 for anyone else.
        """
        return Response(SubmissionDetailSerializer(api.get_submission(submission_id, request.user)).data)


class SubmissionFileView(ReviewsAPIView):
    @document(parameters=[SUBMISSION_ID, FILE_ID],
              responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, tags=TAGS)
    def get(self, request, submission_id: int, file_id: int):
        """Download a file of a submission, for whoever may read the submission (404 for anyone else)."""
        found = api.open_submission_file(request.user, submission_id, file_id)
        response = FileResponse(found.file, as_attachment=True, filename=found.name, content_type=found.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ExtensionsView(ReviewsAPIView):
    @document(parameters=[USAGE_KEY], request=ProjectExtensionCreateSerializer,
              responses={201: ProjectExtensionSerializer}, tags=TAGS)
    def post(self, request, usage_key: str) -> Response:
        """Give a learner later dates on the project (course staff; replaces their earlier extension)."""
        data = validated(ProjectExtensionCreateSerializer, request.data)
        learner = get_user_model().objects.filter(username=data["learner"]).first()
        if learner is None:
            project = api.get_project(usage_key)
            if not request.user.has_perm("mentora_reviews.manage_project", project.course_key):
                raise forbidden(_("Only the course's staff may grant extensions."))
            raise not_found("user")
        extension = api.grant_extension(request.user, usage_key, learner, due=data.get("due"),
                                        cutoff=data.get("cutoff"), reason=data["reason"])
        return Response(ProjectExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)


class RubricTemplatesView(ReviewsGenericAPIView):
    serializer_class = RubricTemplateSerializer

    @document(parameters=[COURSE_ID], responses=RubricTemplateSerializer(many=True), tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """The course's rubric library, by title: for its staff and trainers (403 for anyone else)."""
        course_key = host_api.parse_course_key(course_id)
        if not (request.user.has_perm("mentora_reviews.manage_project", course_key)
                or request.user.has_perm("mentora_reviews.review_submission", course_key)):
            raise forbidden(_("Only the course's staff and trainers may read its rubric library."))
        page = self.paginate_queryset(api.rubric_templates(course_key))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(parameters=[COURSE_ID], request=RubricTemplateCreateSerializer,
              responses={201: RubricTemplateSerializer}, tags=TAGS)
    def post(self, request, course_id: str) -> Response:
        """Save a rubric in the library (course staff); one of the same title is replaced."""
        data = validated(RubricTemplateCreateSerializer, request.data)
        template = api.save_rubric_template(request.user, course_id, data["title"], data["criteria"])
        return Response(RubricTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


PROJECT = "projects/<str:usage_key>/"

urlpatterns = [
    path(PROJECT, ProjectView.as_view(), name="api-submissions-project"),
    path(PROJECT + "submission/", MySubmissionView.as_view(), name="api-submissions-mine"),
    path(PROJECT + "submission/files/", DraftFilesView.as_view(), name="api-submissions-draft-files"),
    path(PROJECT + "submission/files/<int:file_id>/", DraftFileView.as_view(), name="api-submissions-draft-file"),
    path(PROJECT + "submission/submit/", SubmitView.as_view(), name="api-submissions-submit"),
    path(PROJECT + "extensions/", ExtensionsView.as_view(), name="api-submissions-extensions"),
    path("submissions/<int:submission_id>/", SubmissionDetailView.as_view(), name="api-submissions-detail"),
    path("submissions/<int:submission_id>/files/<int:file_id>/", SubmissionFileView.as_view(),
         name="api-submissions-file"),
    path("courses/<str:course_id>/rubric-templates/", RubricTemplatesView.as_view(),
         name="api-submissions-rubric-templates"),
]
