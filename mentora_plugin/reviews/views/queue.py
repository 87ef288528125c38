"""
The trainer queue's page (under /mentora/reviews/): every submission waiting for the signed-in trainer's review
across their courses, the longest waiting first, with filters (course, project, overdue only, claimed by me).

A thin view over ``reviews.api``: the queue decides who sees what; a filter the API refuses (a course where the
trainer does not review, a malformed key) is shown above the table with an empty queue. Each row links to the
submission's page (``/mentora/reviews/submissions/<id>/``), where the trainer claims and reviews it.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api
from mentora_plugin.reviews.common import ReviewsError

PAGE_SIZE = 25


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The queue (``?course=<course key>``, ``?project=<id>``, ``?overdue=1``, ``?mine=1``, ``?page=``)."""
    user = request.user
    course = (request.GET.get("course") or "").strip()[:255]
    project = _int(request.GET.get("project"))
    overdue = request.GET.get("overdue") == "1"
    mine = request.GET.get("mine") == "1"
    refusal, status = "", 200
    try:
        found = api.trainer_queue(user, course_key=course or None, project=project, overdue_only=overdue,
                                  claimed_by=user if mine else None)
        counts = api.queue_counts(user)
    except ReviewsError as error:
        refusal, status = str(error), error.status
        found, counts = [], None
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    projects = api.reviewable_projects(user)
    courses = {}
    titles = {str(item.course_key): item.title for item in host_api.list_courses()}
    for item in projects:
        courses.setdefault(str(item.course_key), titles.get(str(item.course_key), str(item.course_key)))
    query = urlencode([(name, value) for name, value in (
        ("course", course), ("project", str(project or "")), ("overdue", "1" if overdue else ""),
        ("mine", "1" if mine else ""),
    ) if value])
    rows = [{"item": item, "course": titles.get(str(item.course_key), str(item.course_key))}
            for item in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "counts": counts,
        "refusal": refusal,
        "course": course,
        "project": project,
        "overdue": overdue,
        "mine": mine,
        "courses": sorted(courses.items(), key=lambda pair: pair[1].lower()),
        "projects": projects,
        "query": query,
        "zone": host_api.get_user_time_zone(user),
    }
    return render(request, "mentora/reviews/queue.html", context, status=status)


urlpatterns = [
    path("queue/", queue, name="queue-list"),
]
