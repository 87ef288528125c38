"""
Reviewing's REST API (under /api/mentora/v1/reviews/): claims, the reviewer's draft, feedback files, releasing,
the lead trainer's confirmation, grade overrides and history, replies to feedback, and the comment bank.

Thin views over ``reviews.api``: serializers check shapes; what the values mean (who may review, which level a
criterion has, where a quoted passage is) is the domain's decision, so the pages and the API refuse the same things
with the same codes. Whoever may not see a submission gets a 404 for it.
"""
from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from mentora_plugin.rest.views import ErrorSerializer, document
from mentora_plugin.reviews import api
from mentora_plugin.reviews.common import not_found
from mentora_plugin.reviews.rest_api.v1.common import ReviewsAPIView, ReviewsGenericAPIView, validated

TAGS = ["reviews: reviewing"]
SUBMISSION_ID = OpenApiParameter("submission_id", int, OpenApiParameter.PATH, description="A submission id.")
REVIEW_ID = OpenApiParameter("review_id", int, OpenApiParameter.PATH, description="A review id.")
FILE_ID = OpenApiParameter("file_id", int, OpenApiParameter.PATH, description="A feedback file id.")
VERSION_ID = OpenApiParameter("version_id", int, OpenApiParameter.PATH, description="A submitted version id.")
ENTRY_ID = OpenApiParameter("entry_id", int, OpenApiParameter.PATH, description="A comment bank entry id.")
TEXT = {"allow_blank": True, "trim_whitespace": False}


# --- serializers ----------------------------------------------------------------------------------------------------


class ReviewingClaimSerializer(serializers.Serializer):
    """A trainer's claim on a submission, and their draft review of its latest version."""

    submission_id = serializers.IntegerField()
    trainer_id = serializers.IntegerField()
    trainer_name = serializers.CharField()
    claimed_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="Saving the review renews the claim.")
    review_id = serializers.IntegerField(allow_null=True, help_text="The trainer's draft review.")


class ReviewingCriterionScoreSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    level = serializers.IntegerField(allow_null=True, help_text="An index into the criterion's levels.")
    level_label = serializers.CharField()
    points = serializers.FloatField(allow_null=True)
    max_points = serializers.FloatField()
    weight = serializers.FloatField()
    comment = serializers.CharField()


class ReviewingInlineCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField(help_text="The passage: text[start:end] of the version.")
    comment = serializers.CharField()


class ReviewingFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    review_id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text="Downloads the file through Mentora, which checks who asks.")
    uploaded_at = serializers.DateTimeField()


class ReviewingReviewSerializer(serializers.Serializer):
    """
    A review. ``state``: draft, awaiting_confirmation (a second marker's, waiting for the lead trainer) or
    released; learners only ever see released reviews.
    """

    id = serializers.IntegerField()
    submission_id = serializers.IntegerField()
    version_id = serializers.IntegerField()
    version_number = serializers.IntegerField()
    reviewer_id = serializers.IntegerField(allow_null=True)
    reviewer_name = serializers.CharField()
    role = serializers.CharField(help_text="marker or second.")
    state = serializers.CharField(help_text="draft, awaiting_confirmation or released.")
    outcome = serializers.CharField(help_text="approved, changes_requested, or empty for a draft.")
    scores = ReviewingCriterionScoreSerializer(many=True)
    feedback = serializers.CharField(help_text="Markdown.")
    points = serializers.FloatField(allow_null=True)
    points_possible = serializers.IntegerField()
    released_at = serializers.DateTimeField(allow_null=True)
    confirmed_by_id = serializers.IntegerField(allow_null=True)
    confirmed_by_name = serializers.CharField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    returned_reason = serializers.CharField(help_text="Why the lead trainer returned it (reviewers only).")
    returned_at = serializers.DateTimeField(allow_null=True)
    inline_comments = ReviewingInlineCommentSerializer(many=True)
    files = ReviewingFileSerializer(many=True)
    modified = serializers.DateTimeField()


class ReviewingScoreInputSerializer(serializers.Serializer):
    level = serializers.IntegerField(required=False, allow_null=True, help_text="An index into the levels.")
    comment = serializers.CharField(required=False, default="", **TEXT)


class ReviewingInlineInputSerializer(serializers.Serializer):
    """A passage by its offsets (``start``, ``end``), or quoted (``quote``, optionally ``occurrence``)."""

    start = serializers.IntegerField(required=False, allow_null=True)
    end = serializers.IntegerField(required=False, allow_null=True)
    quote = serializers.CharField(required=False, default="", **TEXT)
    occurrence = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    comment = serializers.CharField(**TEXT)


class ReviewingDraftSerializer(serializers.Serializer):
    """The draft's content; ``inline_comments`` replaces the draft's when given, and is kept when left out."""

    scores = serializers.DictField(child=ReviewingScoreInputSerializer(), required=False, default=dict,
                                   help_text="{criterion_key: {level, comment}}; a draft may leave criteria out.")
    feedback = serializers.CharField(required=False, default="", help_text="Markdown, at most 20000 characters.",
                                     **TEXT)
    inline_comments = ReviewingInlineInputSerializer(many=True, required=False)


class ReviewingFileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="At most 10 MB: pdf, png, jpg, jpeg, txt, md, zip or docx.")


class ReviewingReleaseSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="approved or changes_requested (which needs overall feedback).")


class ReviewingReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="What to revise; required.", **TEXT)


class ReviewingOverrideSerializer(serializers.Serializer):
    points = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="From 0 to points_possible.")
    reason = serializers.CharField(help_text="Why; required, kept in the grade history.", **TEXT)


class ReviewingGradeChangeSerializer(serializers.Serializer):
    """A change of a grade; learners do not see who made it (``actor_*`` empty)."""

    id = serializers.IntegerField()
    submission_id = serializers.IntegerField()
    version_number = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField(help_text="release or override.")
    old_points = serializers.FloatField(allow_null=True)
    new_points = serializers.FloatField(allow_null=True)
    points_possible = serializers.FloatField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class ReviewingReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version_id = serializers.IntegerField()
    author_id = serializers.IntegerField(allow_null=True)
    author_name = serializers.CharField()
    by_reviewer = serializers.BooleanField(help_text="Written by a trainer or staff, not by a learner of the work.")
    body = serializers.CharField(help_text="Markdown.")
    created = serializers.DateTimeField()


class ReviewingReplyCreateSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="Required, at most 5000 characters (Markdown).", **TEXT)


class ReviewingBankEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    created = serializers.DateTimeField()


class ReviewingBankEntryCreateSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="Required, at most 5000 characters.", **TEXT)


CONFLICT = OpenApiResponse(ErrorSerializer, description="The submission or review is not in a state that allows it "
                                                         "(error_code says why: already_claimed, claim_required, ...).")
REVIEW_RESPONSES = {200: ReviewingReviewSerializer, 409: CONFLICT}
NO_CONTENT = OpenApiResponse(description="Done.")


# --- views ----------------------------------------------------------------------------------------------------------


class ClaimView(ReviewsAPIView):
    """A trainer's claim on a submission."""

    @document(parameters=[SUBMISSION_ID], request=None, responses={200: ReviewingClaimSerializer, 409: CONFLICT},
              tags=TAGS)
    def post(self, request, submission_id: int) -> Response:
        """
        Claim the submission (or renew one's claim) and start one's draft review. 409 already_claimed while another
        trainer's claim is valid.
        """
        return Response(ReviewingClaimSerializer(api.claim_submission(request.user, submission_id)).data)

    @document(parameters=[SUBMISSION_ID], responses={204: NO_CONTENT, 409: CONFLICT}, tags=TAGS)
    def delete(self, request, submission_id: int) -> Response:
        """Free the claim: its holder, or course staff."""
        api.release_claim(request.user, submission_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DraftReviewView(ReviewsAPIView):
    """The requester's draft review of the submission's latest version."""

    @document(parameters=[SUBMISSION_ID], responses=ReviewingReviewSerializer, tags=TAGS)
    def get(self, request, submission_id: int) -> Response:
        """The draft; 404 review_not_found when the requester has none (claim the submission to start one)."""
        draft = api.get_draft_review(request.user, submission_id)
        if draft is None:
            raise not_found("review")
        return Response(ReviewingReviewSerializer(draft).data)

    @document(parameters=[SUBMISSION_ID], request=ReviewingDraftSerializer, responses=REVIEW_RESPONSES, tags=TAGS)
    def put(self, request, submission_id: int) -> Response:
        """Save the draft (scores, feedback, inline comments) and renew the claim; needs a valid claim."""
        data = validated(ReviewingDraftSerializer, request.data)
        inline = data.get("inline_comments")
        review = api.save_review(
            request.user, submission_id,
            scores={key: dict(value) for key, value in data["scores"].items()},
            feedback=data["feedback"],
            inline_comments=None if inline is None else [dict(item) for item in inline],
        )
        return Response(ReviewingReviewSerializer(review).data)


class ReviewFilesView(ReviewsAPIView):
    """Feedback files of the requester's draft (multipart)."""

    parser_classes = (MultiPartParser, FormParser)

    @document(parameters=[REVIEW_ID], request={"multipart/form-data": ReviewingFileUploadSerializer},
              responses={201: ReviewingFileSerializer, 409: CONFLICT}, tags=TAGS)
    def post(self, request, review_id: int) -> Response:
        """Attach a file (``file``): at most 10 MB, of an accepted type, at most 5 per review."""
        info = api.attach_feedback_file(request.user, review_id, request.FILES.get("file"))
        return Response(ReviewingFileSerializer(info).data, status=status.HTTP_201_CREATED)


class ReviewFileView(ReviewsAPIView):
    """One feedback file."""

    @document(parameters=[REVIEW_ID, FILE_ID],
              responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=TAGS)
    def get(self, request, review_id: int, file_id: int) -> Any:
        """Download it: the learner once the review is released, reviewers of the course; 404 for anyone else."""
        content = api.open_feedback_file(request.user, review_id, file_id)
        return FileResponse(content.file, as_attachment=True, filename=content.name,
                            content_type=content.content_type)

    @document(parameters=[REVIEW_ID, FILE_ID], responses={204: NO_CONTENT, 409: CONFLICT}, tags=TAGS)
    def delete(self, request, review_id: int, file_id: int) -> Response:
        """Remove it from the requester's draft."""
        api.remove_feedback_file(request.user, review_id, file_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReleaseView(ReviewsAPIView):
    @document(parameters=[REVIEW_ID], request=ReviewingReleaseSerializer, responses=REVIEW_RESPONSES, tags=TAGS)
    def post(self, request, review_id: int) -> Response:
        """
        Release the requester's review with an outcome (every criterion scored). On a project with a second marker,
        a trainer who is not course staff sends it for confirmation instead (state awaiting_confirmation).
        """
        data = validated(ReviewingReleaseSerializer, request.data)
        return Response(ReviewingReviewSerializer(api.release_review(request.user, review_id, data["outcome"])).data)


class ConfirmView(ReviewsAPIView):
    @document(parameters=[REVIEW_ID], request=None, responses=REVIEW_RESPONSES, tags=TAGS)
    def post(self, request, review_id: int) -> Response:
        """Confirm a second marker's review (course staff): it is released."""
        return Response(ReviewingReviewSerializer(api.confirm_review(request.user, review_id)).data)


class ReturnView(ReviewsAPIView):
    @document(parameters=[REVIEW_ID], request=ReviewingReturnSerializer, responses=REVIEW_RESPONSES, tags=TAGS)
    def post(self, request, review_id: int) -> Response:
        """Return a second marker's review to its marker with a reason (course staff): a draft again."""
        data = validated(ReviewingReturnSerializer, request.data)
        return Response(ReviewingReviewSerializer(api.return_review(request.user, review_id, data["reason"])).data)


class GradeOverrideView(ReviewsAPIView):
    @document(parameters=[SUBMISSION_ID], request=ReviewingOverrideSerializer,
              responses={201: ReviewingGradeChangeSerializer, 409: CONFLICT}, tags=TAGS)
    def post(self, request, submission_id: int) -> Response:
        """Override the grade (course staff), with a reason; it reaches the gradebook through edx-submissions."""
        data = validated(ReviewingOverrideSerializer, request.data)
        change = api.override_grade(request.user, submission_id, data["points"], data["reason"])
        return Response(ReviewingGradeChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class GradeHistoryView(ReviewsGenericAPIView):
    serializer_class = ReviewingGradeChangeSerializer

    @document(parameters=[SUBMISSION_ID], responses=ReviewingGradeChangeSerializer(many=True), tags=TAGS)
    def get(self, request, submission_id: int) -> Response:
        """Every change of the grade, oldest first: for the learner (without who) and the course's reviewers."""
        page = self.paginate_queryset(api.grade_history(submission_id, request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RepliesView(ReviewsGenericAPIView):
    serializer_class = ReviewingReplySerializer

    @document(parameters=[VERSION_ID], responses=ReviewingReplySerializer(many=True), tags=TAGS)
    def get(self, request, version_id: int) -> Response:
        """The conversation about a version's feedback, oldest first."""
        page = self.paginate_queryset(api.list_replies(version_id, request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(parameters=[VERSION_ID], request=ReviewingReplyCreateSerializer,
              responses={201: ReviewingReplySerializer, 409: CONFLICT}, tags=TAGS)
    def post(self, request, version_id: int) -> Response:
        """Reply (the learner or a team member, or a reviewer of the course), once the feedback is released."""
        data = validated(ReviewingReplyCreateSerializer, request.data)
        reply = api.add_reply(request.user, version_id, data["body"])
        return Response(ReviewingReplySerializer(reply).data, status=status.HTTP_201_CREATED)


class CommentBankView(ReviewsGenericAPIView):
    serializer_class = ReviewingBankEntrySerializer

    @document(responses=ReviewingBankEntrySerializer(many=True), tags=TAGS)
    def get(self, request) -> Response:
        """The requester's saved comments, newest first (nobody else's)."""
        page = self.paginate_queryset(api.list_comment_bank(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(request=ReviewingBankEntryCreateSerializer, responses={201: ReviewingBankEntrySerializer, 409: CONFLICT},
              tags=TAGS)
    def post(self, request) -> Response:
        """Save a comment (at most 200 per trainer)."""
        data = validated(ReviewingBankEntryCreateSerializer, request.data)
        entry = api.add_comment_bank_entry(request.user, data["text"])
        return Response(ReviewingBankEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CommentBankEntryView(ReviewsAPIView):
    @document(parameters=[ENTRY_ID], responses={204: NO_CONTENT}, tags=TAGS)
    def delete(self, request, entry_id: int) -> Response:
        """Delete one of the requester's saved comments (someone else's is 404)."""
        api.remove_comment_bank_entry(request.user, entry_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("submissions/<int:submission_id>/claim/", ClaimView.as_view(), name="api-reviewing-claim"),
    path("submissions/<int:submission_id>/review/", DraftReviewView.as_view(), name="api-reviewing-review"),
    path("submissions/<int:submission_id>/grade/", GradeOverrideView.as_view(), name="api-reviewing-grade"),
    path("submissions/<int:submission_id>/grades/", GradeHistoryView.as_view(), name="api-reviewing-grades"),
    path("reviews/<int:review_id>/files/", ReviewFilesView.as_view(), name="api-reviewing-review-files"),
    path("reviews/<int:review_id>/files/<int:file_id>/", ReviewFileView.as_view(), name="api-reviewing-review-file"),
    path("reviews/<int:review_id>/release/", ReleaseView.as_view(), name="api-reviewing-release"),
    path("reviews/<int:review_id>/confirm/", ConfirmView.as_view(), name="api-reviewing-confirm"),
    path("reviews/<int:review_id>/return/", ReturnView.as_view(), name="api-reviewing-return"),
    path("versions/<int:version_id>/replies/", RepliesView.as_view(), name="api-reviewing-replies"),
    path("comment-bank/", CommentBankView.as_view(), name="api-reviewing-comment-bank"),
    path("comment-bank/<int:entry_id>/", CommentBankEntryView.as_view(), name="api-reviewing-comment-bank-entry"),
]
