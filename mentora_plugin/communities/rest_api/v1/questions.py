"""
Priority Q&A (under /api/mentora/v1/communities/): marking a question priority (the asker, within a weekly quota),
the trainers' queue, taking or assigning a question, accepting an answer and the trainers' response figures.

Thin views over ``communities.api`` (``answer_question`` permission for the queue and figures: 403 otherwise;
409 ``priority_quota_exhausted`` with ``until`` = next Monday when the quota is used up).
"""
from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from mentora_plugin.communities import api
from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.communities.models import Thread
from mentora_plugin.communities.rest_api.v1.common import (
    COURSE_ID,
    CommunitiesAPIView,
    CommunitiesGenericAPIView,
    boolean,
    course_key,
    documented,
    number,
    path_id,
    validated,
)
from mentora_plugin.communities.rest_api.v1.serializers import (
    CommunityAssignSerializer,
    CommunityQueueEntrySerializer,
    CommunityResponseFiguresSerializer,
)

TAGS = ["communities: priority questions"]
THREAD_ID = path_id("thread_id", "thread (a question)")
POST_ID = path_id("post_id", "post (a reply of a question)")


class PriorityView(CommunitiesAPIView):
    @documented(parameters=[THREAD_ID], request=None, responses=CommunityQueueEntrySerializer, tags=TAGS)
    def post(self, request, thread_id: int) -> Response:
        """Mark your question priority: the course's trainers promise an answer within the response target."""
        return Response(CommunityQueueEntrySerializer(api.mark_priority(request.user, thread_id)).data)


class QuestionQueueView(CommunitiesGenericAPIView):
    serializer_class = CommunityQueueEntrySerializer

    @documented(
        parameters=[COURSE_ID,
                    OpenApiParameter("state", str, enum=list(Thread.State.values), description="open (the default), "
                                     "answered or accepted."),
                    OpenApiParameter("mine", bool, description="Only the questions assigned to you."),
                    OpenApiParameter("overdue", bool, description="Only those past their response target.")],
        responses=CommunityQueueEntrySerializer(many=True), tags=TAGS,
    )
    def get(self, request, course_id: str) -> Response:
        """The priority questions of the course, due first (trainers and staff)."""
        key = course_key(course_id)
        state = request.query_params.get("state") or Thread.State.OPEN
        if state not in Thread.State.values:
            raise CommunitiesError("invalid_input", _("“state” is open, answered or accepted."), field="state")
        found = api.question_queue(request.user, key, state=state, mine=boolean(request, "mine"),
                                   overdue=boolean(request, "overdue"))
        return self.paginated(found)


class ResponseFiguresView(CommunitiesGenericAPIView):
    serializer_class = CommunityResponseFiguresSerializer

    @documented(parameters=[COURSE_ID, OpenApiParameter("days", int, description="The period (default 90, at "
                                                        "most 366).")],
                responses=CommunityResponseFiguresSerializer(many=True), tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """Each trainer's answers to priority questions: how many, median time, how many within target."""
        key = course_key(course_id)
        found = api.response_figures(request.user, key, days=number(request, "days", 90, maximum=366))
        return self.paginated(found)


class AssignView(CommunitiesAPIView):
    @documented(parameters=[THREAD_ID], request=CommunityAssignSerializer, responses=CommunityQueueEntrySerializer,
                tags=TAGS)
    def post(self, request, thread_id: int) -> Response:
        """Take a priority question (a trainer, no username) or assign it to a course trainer (staff)."""
        data = validated(CommunityAssignSerializer, request.data or {})
        return Response(CommunityQueueEntrySerializer(api.assign_question(request.user, thread_id,
                                                                          data["username"])).data)


class AcceptView(CommunitiesAPIView):
    @documented(parameters=[POST_ID], request=None, responses={204: None}, tags=TAGS)
    def post(self, request, post_id: int) -> Response:
        """Accept this reply as the answer (the asker or staff; again on another reply moves it)."""
        api.accept_answer(request.user, post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnacceptView(CommunitiesAPIView):
    @documented(parameters=[THREAD_ID], request=None, responses={204: None}, tags=TAGS)
    def delete(self, request, thread_id: int) -> Response:
        """Take the accepted answer back."""
        api.unaccept_answer(request.user, thread_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("threads/<int:thread_id>/priority/", PriorityView.as_view(), name="api-thread-priority"),
    path("threads/<int:thread_id>/assign/", AssignView.as_view(), name="api-thread-assign"),
    path("threads/<int:thread_id>/accept/", UnacceptView.as_view(), name="api-thread-accept"),
    path("posts/<int:post_id>/accept/", AcceptView.as_view(), name="api-post-accept"),
    path("courses/<str:course_id>/questions/", QuestionQueueView.as_view(), name="api-questions"),
    path("courses/<str:course_id>/questions/figures/", ResponseFiguresView.as_view(), name="api-question-figures"),
]
