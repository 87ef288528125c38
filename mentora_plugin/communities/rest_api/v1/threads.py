"""
Threads and posts (under /api/mentora/v1/communities/): a forum's threads, starting one (a question may be marked
priority at once), a thread with its posts, editing, replying and commenting, reactions, reports, following a
thread, marking it read, search and the similar questions shown while a learner types one.

Thin views over ``communities.api``: what the requester may not see is a 404 (``thread_not_found``,
``post_not_found``...), whatever stops a write is the domain's own code (``muted``, ``thread_locked``,
``slow_mode``, ``duplicate_post``...) with ``until`` when it ends. The lists run a fixed number of queries whatever
their length (the domain's listing is built for it; serializing reads plain data).
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from mentora_plugin.communities import api
from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.communities.models import Forum
from mentora_plugin.communities.rest_api.v1.common import (
    COURSE_ID,
    PAGE,
    PAGE_SIZE,
    CommunitiesAPIView,
    boolean,
    course_key,
    created,
    documented,
    number,
    page_of,
    path_id,
    validated,
)
from mentora_plugin.communities.rest_api.v1.serializers import (
    CommunityCreatedThreadSerializer,
    CommunityPostChangeSerializer,
    CommunityPostSerializer,
    CommunityReactionCountsSerializer,
    CommunityReactionSerializer,
    CommunityReplyCreateSerializer,
    CommunityReportCreateSerializer,
    CommunityReportSerializer,
    CommunitySearchResultsSerializer,
    CommunitySimilarQuestionSerializer,
    CommunityThreadChangeSerializer,
    CommunityThreadCreateSerializer,
    CommunityThreadDetailSerializer,
    CommunityThreadPageSerializer,
)

TAGS = ["communities: threads and posts"]
FORUM_ID = path_id("forum_id", "forum")
THREAD_ID = path_id("thread_id", "thread")
POST_ID = path_id("post_id", "post")
SHOW = ("all", "unread", "following", "unanswered")


class ForumThreadsView(CommunitiesAPIView):
    @documented(
        parameters=[FORUM_ID, PAGE, PAGE_SIZE,
                    OpenApiParameter("show", str, enum=list(SHOW), description="all (the default), unread, "
                                     "following or unanswered.")],
        responses=CommunityThreadPageSerializer, tags=TAGS,
    )
    def get(self, request, forum_id: int) -> Response:
        """A page of the forum's threads, pinned first then by last activity, with author, replies and unread."""
        page, page_size = page_of(request)
        show = request.query_params.get("show") or "all"
        if show not in SHOW:
            raise CommunitiesError("invalid_input", _("“show” is all, unread, following or unanswered."),
                                   field="show")
        found = api.forum_page(request.user, forum_id, page=page, page_size=page_size, show=show)
        return Response(CommunityThreadPageSerializer(found).data)

    @documented(parameters=[FORUM_ID], request=CommunityThreadCreateSerializer,
                responses={201: CommunityCreatedThreadSerializer}, tags=TAGS)
    def post(self, request, forum_id: int) -> Response:
        """
        Start a thread (in the Q&A forum: a question, ``private`` to trainers and staff if asked). ``priority``
        marks the question priority at once: refused (409 ``priority_quota_exhausted``, until next Monday) before
        anything is created when the week's quota is used up.
        """
        data = validated(CommunityThreadCreateSerializer, request.data)
        if data["priority"]:
            forum = api.get_forum(request.user, forum_id)
            if forum.kind != Forum.Kind.QA:
                raise CommunitiesError("not_a_question", _("Only questions of the Q&A forum can be priority."),
                                       field="priority")
            if api.priority_left(request.user, forum.course_key) <= 0:
                raise CommunitiesError(
                    "priority_quota_exhausted",
                    _("You have used up this week's priority questions. Ask it as a normal question, or wait."),
                    status=409, field="priority", until=_week_end(),
                )
        thread = api.create_thread(request.user, forum_id, title=data["title"], body=data["body"],
                                   private=data["private"])
        priority_error = None
        if data["priority"]:
            try:
                thread = api.mark_priority(request.user, thread.id).thread
            except CommunitiesError as error:  # lost a race for the last one of the week: the question stays
                priority_error = {"error_code": error.code, "message": str(error)}
        body = CommunityCreatedThreadSerializer(thread).data
        body["priority_error"] = priority_error
        return Response(body, status=status.HTTP_201_CREATED)


def _week_end() -> datetime:
    """When the weekly priority quota starts again: next Monday 00:00 UTC."""
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=7 - today.weekday()), time(0, 0), tzinfo=UTC)


class ThreadView(CommunitiesAPIView):
    @documented(
        parameters=[THREAD_ID, OpenApiParameter("mark_read", bool, description="Also mark it read (default no).")],
        responses=CommunityThreadDetailSerializer, tags=TAGS,
    )
    def get(self, request, thread_id: int) -> Response:
        """The thread with its opening post, replies and their comments, reactions and what you may do."""
        detail = api.thread_detail(request.user, thread_id, mark_read=boolean(request, "mark_read"))
        return Response(CommunityThreadDetailSerializer(detail).data)

    @documented(parameters=[THREAD_ID], request=CommunityThreadChangeSerializer,
                responses=CommunityThreadDetailSerializer, tags=TAGS)
    def patch(self, request, thread_id: int) -> Response:
        """Edit the title and/or opening post (its author while not locked, or a moderator giving a reason)."""
        data = validated(CommunityThreadChangeSerializer, request.data)
        opening = api.thread_detail(request.user, thread_id, mark_read=False).opening
        if "title" in data or "body" in data:
            api.edit_post(request.user, opening.id, body=data.get("body"), title=data.get("title"),
                          reason=data["reason"])
        detail = api.thread_detail(request.user, thread_id, mark_read=False)
        return Response(CommunityThreadDetailSerializer(detail).data)


class ThreadPostsView(CommunitiesAPIView):
    @documented(parameters=[THREAD_ID], request=CommunityReplyCreateSerializer,
                responses={201: CommunityPostSerializer}, tags=TAGS)
    def post(self, request, thread_id: int) -> Response:
        """Reply to the thread, or comment on one of its replies (``parent_id``). You follow the thread."""
        data = validated(CommunityReplyCreateSerializer, request.data)
        post = api.reply(request.user, thread_id, body=data["body"], parent_id=data["parent_id"])
        return created(CommunityPostSerializer, post)


class PostView(CommunitiesAPIView):
    @documented(parameters=[POST_ID], request=CommunityPostChangeSerializer, responses=CommunityPostSerializer,
                tags=TAGS)
    def patch(self, request, post_id: int) -> Response:
        """Edit a post (its author while the thread is not locked, or a moderator giving a reason)."""
        data = validated(CommunityPostChangeSerializer, request.data)
        return Response(CommunityPostSerializer(api.edit_post(request.user, post_id, body=data["body"],
                                                              reason=data["reason"])).data)


class PostReactionsView(CommunitiesAPIView):
    @documented(parameters=[POST_ID], request=CommunityReactionSerializer,
                responses=CommunityReactionCountsSerializer, tags=TAGS)
    def post(self, request, post_id: int) -> Response:
        """React to a post (again: no change). Returns the post's counts by kind."""
        data = validated(CommunityReactionSerializer, request.data)
        return Response({"reactions": api.react(request.user, post_id, data["kind"])})

    @documented(parameters=[POST_ID, OpenApiParameter("kind", str, required=True, description="The reaction.")],
                request=None, responses=CommunityReactionCountsSerializer, tags=TAGS)
    def delete(self, request, post_id: int) -> Response:
        """Take your reaction back."""
        data = validated(CommunityReactionSerializer, {"kind": request.query_params.get("kind", "")})
        return Response({"reactions": api.unreact(request.user, post_id, data["kind"])})


class PostReportsView(CommunitiesAPIView):
    @documented(parameters=[POST_ID], request=CommunityReportCreateSerializer,
                responses={201: CommunityReportSerializer}, tags=TAGS)
    def post(self, request, post_id: int) -> Response:
        """Report a post to the moderators, once (409 ``already_reported``; not your own: 400 ``own_post``)."""
        data = validated(CommunityReportCreateSerializer, request.data)
        report = api.report_post(request.user, post_id, data["reason"], data["note"])
        return created(CommunityReportSerializer, report)


class ThreadFollowView(CommunitiesAPIView):
    @documented(parameters=[THREAD_ID], request=None, responses={204: None}, tags=TAGS)
    def put(self, request, thread_id: int) -> Response:
        """Follow the thread (told of its new posts); again: no change."""
        api.follow_thread(request.user, thread_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @documented(parameters=[THREAD_ID], request=None, responses={204: None}, tags=TAGS)
    def delete(self, request, thread_id: int) -> Response:
        """Stop following the thread."""
        api.unfollow_thread(request.user, thread_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ThreadReadView(CommunitiesAPIView):
    @documented(parameters=[THREAD_ID], request=None, responses={204: None}, tags=TAGS)
    def post(self, request, thread_id: int) -> Response:
        """Mark the thread read up to its last activity."""
        api.mark_read(request.user, thread_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchView(CommunitiesAPIView):
    @documented(parameters=[COURSE_ID, OpenApiParameter("q", str, required=True, description="Words (2 characters "
                                                        "at least)."), PAGE, PAGE_SIZE],
                responses=CommunitySearchResultsSerializer, tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """Threads of the space matching the words, with the best post's excerpt (only what you may see)."""
        key = course_key(course_id)
        page, page_size = page_of(request)
        found = api.search(request.user, key, request.query_params.get("q", ""), page=page, page_size=page_size)
        return Response(CommunitySearchResultsSerializer(found).data)


class SimilarView(CommunitiesAPIView):
    @documented(parameters=[COURSE_ID, OpenApiParameter("title", str, required=True, description="The question "
                                                        "being typed."),
                            OpenApiParameter("limit", int, description="At most 10 (default 5).")],
                responses=CommunitySimilarQuestionSerializer(many=True), tags=TAGS)
    def get(self, request, course_id: str) -> Response:
        """Questions already asked that look like this title (to read before asking again)."""
        key = course_key(course_id)
        limit = number(request, "limit", 5, maximum=10)
        found = api.similar_questions(request.user, key, request.query_params.get("title", ""), limit=limit)
        return Response(CommunitySimilarQuestionSerializer(found, many=True).data)


urlpatterns = [
    path("forums/<int:forum_id>/threads/", ForumThreadsView.as_view(), name="api-forum-threads"),
    path("threads/<int:thread_id>/", ThreadView.as_view(), name="api-thread"),
    path("threads/<int:thread_id>/posts/", ThreadPostsView.as_view(), name="api-thread-posts"),
    path("threads/<int:thread_id>/follow/", ThreadFollowView.as_view(), name="api-thread-follow"),
    path("threads/<int:thread_id>/read/", ThreadReadView.as_view(), name="api-thread-read"),
    path("posts/<int:post_id>/", PostView.as_view(), name="api-post"),
    path("posts/<int:post_id>/reactions/", PostReactionsView.as_view(), name="api-post-reactions"),
    path("posts/<int:post_id>/reports/", PostReportsView.as_view(), name="api-post-reports"),
    path("courses/<str:course_id>/search/", SearchView.as_view(), name="api-search"),
    path("courses/<str:course_id>/similar/", SimilarView.as_view(), name="api-similar"),
]
