"""
The pages of a course's community (under /mentora/communities/, namespace ``mentora-communities``):

- ``courses/<course_id>/`` (``space``; also ``<course_id>/``): the forums with their unread counts, the latest
  announcements and questions, the viewer's groups, a search box; trainers whose level allows it create forums.
- ``<course_id>/forums/<forum_id>/`` (``forum``): the threads (filters, pages), following, the new-thread form
  (private and priority questions in the Q&A, similar questions suggested while typing).
- ``<course_id>/threads/<thread_id>/`` (``thread``): the posts with their comments and reactions, reply, comment,
  report, follow, accept an answer, priority, and the moderators' controls (``#post-<id>`` anchors).
- ``<course_id>/search/``, ``<course_id>/people/<username>/`` (follow someone), ``notifications/``.
- The trainers' priority queue, the moderation page and group projects: ``views.staff``.
- Editing a post, a forum's rules and the space's settings: ``views.editing``.

Thin views over ``communities.api``: forms check shapes, the API decides. A refusal of a form is shown next to its
field with the API's status and nothing changes; a change redirects (POST, redirect, GET). Every page works without
JavaScript; ``static/xblocks/communities.js`` only adds similar questions while typing. A refusal to read the space
(not enrolled, suspended) is a page saying why (403); what the viewer may not see is a 404, like what does not exist.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import include, path, re_path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentora_plugin.communities import api
from mentora_plugin.communities.views.forms import (
    SHOW_CHOICES,
    CommentForm,
    ForumForm,
    ModeratePostForm,
    ModerateThreadForm,
    PreferencesForm,
    ReplyForm,
    ReportForm,
    ThreadForm,
    refuse,
)
from mentora_plugin.host import api as host_api

Error = api.CommunitiesError
#: Threads listed per forum page, and the latest ones the space page shows.
PAGE_SIZE = 20
LATEST = 5


# --- shared by every page ---------------------------------------------------------------------------------------------


def course_key_or_404(course_id: str) -> Any:
    """The course key of the URL (a 404 for anything that is not one)."""
    try:
        return host_api.parse_course_key(course_id)
    except host_api.HostError:
        raise Http404(_("This is not a valid course key.")) from None


def zone_of(user: Any) -> Any:
    return host_api.get_user_time_zone(user)


def in_zone(value: Any, user: Any) -> Any:
    """
    A date and time the viewer typed, read in THEIR time zone. Django's form field makes it aware in the server's
    zone; the wall-clock time is kept and given the viewer's zone instead.
    """
    if value is None:
        return None
    naive = value.replace(tzinfo=None) if timezone.is_aware(value) else value
    return timezone.make_aware(naive, zone_of(user))


def as_typed(value: Any, user: Any) -> Any:
    """An aware datetime as the viewer would type it in a ``datetime-local`` field (their zone, naive)."""
    if value is None:
        return None
    return timezone.localtime(value, zone_of(user)).replace(tzinfo=None)


def say(error: Error, user: Any) -> str:
    """The API's message, with the date a time-bound refusal ends (in the viewer's time zone) when it lacks it."""
    text = str(error)
    until = getattr(error, "until", None)
    if until:
        local = timezone.localtime(until, zone_of(user))
        if local.strftime("%Y-%m-%d") not in text and formats.date_format(local, "DATE_FORMAT") not in text:
            text = _("{message} (until {date})").format(
                message=text, date=formats.date_format(local, "DATETIME_FORMAT"))
    return text


def refused(request: HttpRequest, error: Error, course_key: Any = None) -> HttpResponse:
    """A refusal to open a page: a 404 for what is absent or not visible, else a page that says why."""
    if error.status == 404 or error.code == "invalid_course_key":
        raise Http404(str(error))
    context = {"message": say(error, request.user), "code": error.code, "until": error.until,
               "zone": zone_of(request.user), "course_id": str(course_key) if course_key else "",
               "community_course_id": str(course_key) if course_key else ""}
    return render(request, "mentora/communities/refused.html", context, status=error.status)


def community_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, GET or POST, and the API's refusals to read turned into pages (``refused``)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Error as error:
            course_id = kwargs.get("course_id")
            try:
                key = host_api.parse_course_key(course_id) if course_id else None
            except host_api.HostError:
                key = None
            return refused(request, error, key)

    return login_required(require_http_methods(["GET", "POST"])(wrapped))


def submit_form(request: HttpRequest, form: Any, act: Callable[[dict[str, Any]], Any],
                done: Callable[[Any], tuple[str, HttpResponse]], *, not_found: bool = False) -> HttpResponse | int:
    """
    A form's POST: with a valid form, ``act(cleaned_data)``, then ``done(its result)`` gives the success message
    and the redirect (POST, redirect, GET). Else the status to show the form again with: 400 when it is invalid,
    the API's when it refuses (said next to the field at fault). With ``not_found``, a refusal that is a 404 is the
    page's 404.
    """
    if not form.is_valid():
        return 400
    try:
        result = act(form.cleaned_data)
    except Error as error:
        if not_found and error.status == 404:
            raise Http404(str(error)) from None
        return refuse(form, error, say(error, request.user))
    message, response = done(result)
    messages.success(request, message)
    return response


def base_context(request: HttpRequest, course_key: Any, viewer: Any = None) -> dict[str, Any]:
    """What every course page's template uses: the course, the viewer's doors, their time zone."""
    course = host_api.get_course(course_key)
    return {
        "course_id": str(course_key),
        "community_course_id": str(course_key),
        "course_title": course.title if course and course.title else str(course_key),
        "viewer": viewer,
        "zone": zone_of(request.user),
    }


def page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def int_or_404(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(_("Not found.")) from None


def same_course(found_key: Any, course_key: Any) -> None:
    """A forum, thread or group reached through another course's URL is not found there."""
    if str(found_key) != str(course_key):
        raise Http404(_("Not found."))


def thread_url(course_key: Any, thread_id: int, post_id: int | None = None) -> str:
    url = reverse("mentora-communities:thread", args=[str(course_key), thread_id])
    return f"{url}#post-{post_id}" if post_id else url


# --- the space --------------------------------------------------------------------------------------------------------


@community_page
def space(request: HttpRequest, course_id: str) -> HttpResponse:
    """The course's community: forums (unread counts), latest announcements and questions, groups, search."""
    key = course_key_or_404(course_id)
    user = request.user
    info = api.get_space(user, key)
    form, status = None, 200
    if info.viewer.can_create_forum:
        staff = info.viewer.can_manage
        form = ForumForm(prefix="forum", name_leader=staff)
        if request.method == "POST" and request.POST.get("action") == "create_forum":
            form = ForumForm(request.POST, prefix="forum", name_leader=staff)
            outcome = submit_form(request, form, lambda data: _create_forum(user, key, data), lambda created: (
                _("The forum “{title}” is created.").format(title=created.title),
                redirect("mentora-communities:forum", course_id=str(key), forum_id=created.id)))
            if isinstance(outcome, HttpResponse):
                return outcome
            status = outcome
    elif request.method == "POST":
        messages.error(request, _("You may not create forums in this course."))
        return redirect("mentora-communities:space", course_id=str(key))
    unread = api.unread_counts(user, key)  # one query for every forum
    rows, announcements, questions = [], [], []
    for forum in info.forums:
        rows.append({"forum": forum, "unread": unread.get(forum.id, 0)})
        if forum.kind == "announcements":
            announcements = api.forum_page(user, forum.id, page_size=3).threads
        elif forum.kind == "qa":
            questions = api.forum_page(user, forum.id, page_size=LATEST).threads
    context = base_context(request, key, info.viewer)
    context.update({
        "space": info, "rows": rows, "announcements": announcements, "questions": questions,
        "qa": next((forum for forum in info.forums if forum.kind == "qa"), None),
        "announcements_forum": next((forum for forum in info.forums if forum.kind == "announcements"), None),
        "groups": api.list_groups(user, key), "forum_form": form,
        "notifications": api.unread_notification_count(user),
    })
    return render(request, "mentora/communities/space.html", context, status=status)


def _create_forum(user: Any, key: Any, cleaned_data: dict[str, Any]) -> Any:
    """A new forum, and its leader when the form names one."""
    data = dict(cleaned_data)
    leader = data.pop("leader", "").strip()
    with transaction.atomic():  # a refused leader leaves no forum behind
        created = api.create_forum(user, key, **data)
        if leader:
            created = api.update_forum(user, created.id, leader=leader, reason=_("Leader named at creation."))
    return created


# --- a forum ----------------------------------------------------------------------------------------------------------


def _thread_form(forum: Any, viewer: Any, data: Any = None) -> ThreadForm:
    return ThreadForm(data, prefix="thread", question=forum.kind == "qa",
                      priority_left=viewer.priority_left if forum.kind == "qa" else 0)


def _create_thread(request: HttpRequest, forum: Any, form: ThreadForm) -> HttpResponse | int:
    """Start the thread (and mark it priority when asked): a redirect to it, or the status of the refusal."""
    user = request.user
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        created = api.create_thread(user, forum.id, title=data["title"], body=data["body"],
                                    private=bool(data.get("private")))
    except Error as error:
        return refuse(form, error, say(error, user))
    if data.get("priority"):
        try:
            entry = api.mark_priority(user, created.id)
        except Error as error:
            messages.warning(request, _("Your question is posted, but not as a priority question: {reason}").format(
                reason=say(error, user)))
        else:
            due = timezone.localtime(entry.due_at, zone_of(user))
            messages.success(request, _("Your priority question is posted: a trainer answers by {date}.").format(
                date=formats.date_format(due, "DATETIME_FORMAT")))
            return redirect(thread_url(forum.course_key, created.id))
    messages.success(request, _("Your thread is posted."))
    return redirect(thread_url(forum.course_key, created.id))


@community_page
def forum(request: HttpRequest, course_id: str, forum_id: str) -> HttpResponse:
    """A forum's threads (pinned first, then by last activity), its filters, following, and the new-thread form."""
    key = course_key_or_404(course_id)
    user = request.user
    info = api.get_forum(user, int_or_404(forum_id))
    same_course(info.course_key, key)
    viewer = api.get_viewer(user, key)
    form, status = (_thread_form(info, viewer) if info.can_post else None), 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("follow", "unfollow"):
            try:
                (api.follow_forum if action == "follow" else api.unfollow_forum)(user, info.id)
            except Error as error:
                messages.error(request, say(error, user))
            else:
                messages.success(request, _("You follow this forum: new threads reach your notifications.")
                                 if action == "follow" else _("You no longer follow this forum."))
            return redirect("mentora-communities:forum", course_id=str(key), forum_id=info.id)
        form = _thread_form(info, viewer, request.POST)
        outcome = _create_thread(request, info, form)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    show = request.GET.get("show", "all")
    if show not in dict(SHOW_CHOICES):
        show = "all"
    page = page_number(request)
    listing = api.forum_page(user, info.id, page=page, page_size=PAGE_SIZE, show=show)
    context = base_context(request, key, viewer)
    group = None
    if info.group_id:
        group = api.get_group(user, info.group_id)
    context.update({
        "forum": info, "listing": listing, "show": show, "show_choices": SHOW_CHOICES, "thread_form": form,
        "group": group, "similar_url": _similar_url(key) if info.kind == "qa" else "",
        "may_change_rules": viewer.can_manage or (info.leader is not None and info.leader.id == user.pk),
        "thread_url_pattern": reverse("mentora-communities:thread", args=[str(key), 0]),
    })
    return render(request, "mentora/communities/forum.html", context, status=status)


def _similar_url(course_key: Any) -> str:
    """The REST endpoint the similar-questions script asks (helper D's), or "" while it is not there."""
    return f"/api/mentora/v1/communities/courses/{course_key}/similar/"


# --- a thread ---------------------------------------------------------------------------------------------------------


def _post_id(request: HttpRequest) -> int:
    return int_or_404(request.POST.get("post_id"))


#: The thread's buttons that call the API on the thread alone: the ``api`` function, and what is said once done.
_THREAD_BUTTONS: dict[str, tuple[str, Callable[[], str]]] = {
    "follow": ("follow_thread", lambda: _("You follow this thread: new posts reach your notifications.")),
    "unfollow": ("unfollow_thread", lambda: _("You no longer follow this thread.")),
    "unaccept": ("unaccept_answer", lambda: _("The answer is no longer accepted.")),
    "assign": ("assign_question", lambda: _("You take this question.")),
}


def _thread_action(request: HttpRequest, key: Any, thread_id: int, bound: dict[str, Any],
                   forums: list[tuple[int, str]]) -> HttpResponse | int:
    """
    Do what the POST asks on the thread: a redirect on success (to the post concerned), else the status of the
    refusal with the failed form in ``bound``. Buttons without fields (react, follow, accept, …) redirect with
    the refusal as a message.
    """
    user = request.user
    action = request.POST.get("action", "")
    here = thread_url(key, thread_id)
    forms_by_action = {
        "reply": lambda: ("reply", ReplyForm(request.POST, prefix="reply")),
        "comment": lambda: (f"comment-{_post_id(request)}",
                            CommentForm(request.POST, prefix=f"comment-{_post_id(request)}")),
        "report": lambda: (f"report-{_post_id(request)}",
                           ReportForm(request.POST, prefix=f"report-{_post_id(request)}")),
        "moderate_post": lambda: (f"mod-{_post_id(request)}",
                                  ModeratePostForm(request.POST, prefix=f"mod-{_post_id(request)}")),
        "moderate_thread": lambda: ("modthread", ModerateThreadForm(request.POST, prefix="modthread", forums=forums)),
    }
    if action in forms_by_action:
        name, form = forms_by_action[action]()
        bound[name] = form
        if not form.is_valid():
            return 400
        data = form.cleaned_data
        try:
            if action == "reply":
                post = api.reply(user, thread_id, body=data["body"])
                messages.success(request, _("Your reply is posted."))
                return redirect(thread_url(key, thread_id, post.id))
            if action == "comment":
                post = api.reply(user, thread_id, body=data["body"], parent_id=_post_id(request))
                messages.success(request, _("Your comment is posted."))
                return redirect(thread_url(key, thread_id, post.id))
            if action == "report":
                api.report_post(user, _post_id(request), data["reason"], data["note"])
                messages.success(request, _("Thank you: the moderators will look at this post."))
                return redirect(thread_url(key, thread_id, _post_id(request)))
            if action == "moderate_post":
                api.moderate_post(user, _post_id(request), data["action"], reason=data["reason"])
                messages.success(request, _("Done: the moderation log keeps your reason."))
                return redirect(thread_url(key, thread_id, _post_id(request)))
            moved = api.moderate_thread(user, thread_id, data["action"], reason=data["reason"],
                                        forum_id=data.get("forum"))
            messages.success(request, _("Done: the moderation log keeps your reason."))
            return redirect(thread_url(key, moved.id))
        except Error as error:
            if error.status == 404:
                raise Http404(str(error)) from None
            return refuse(form, error, say(error, user))
    try:
        anchor = None
        if action in ("react", "unreact"):
            anchor = _post_id(request)
            (api.react if action == "react" else api.unreact)(user, anchor, request.POST.get("kind", ""))
        elif action in _THREAD_BUTTONS:
            call, said = _THREAD_BUTTONS[action]
            getattr(api, call)(user, thread_id)
            messages.success(request, said())
        elif action == "accept":
            anchor = _post_id(request)
            api.accept_answer(user, anchor)
            messages.success(request, _("This answer is accepted."))
        elif action == "priority":
            entry = api.mark_priority(user, thread_id)
            due = timezone.localtime(entry.due_at, zone_of(user))
            messages.success(request, _("Your question is now a priority question: a trainer answers by {date}."
                                        ).format(date=formats.date_format(due, "DATETIME_FORMAT")))
        else:
            messages.error(request, _("Unknown action."))
    except Error as error:
        if error.status == 404:
            raise Http404(str(error)) from None
        messages.error(request, say(error, user))
    return redirect(thread_url(key, thread_id, anchor) if anchor else here)


@community_page
def thread(request: HttpRequest, course_id: str, thread_id: str) -> HttpResponse:
    """A thread: its opening post, replies and comments, and every door its viewer has (see the module doc)."""
    key = course_key_or_404(course_id)
    user = request.user
    number = int_or_404(thread_id)
    viewer = api.get_viewer(user, key)
    bound: dict[str, Any] = {}
    status = 200
    forums = []
    if viewer.can_moderate:
        forums = [(forum.id, forum.title) for forum in api.list_forums(user, key)]
    if request.method == "POST":
        found = api.thread_detail(user, number, mark_read=False)  # 404 before acting on what one cannot see
        same_course(found.forum.course_key, key)
        outcome = _thread_action(request, key, number, bound, forums)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    detail = api.thread_detail(user, number, mark_read=request.method == "GET")
    same_course(detail.forum.course_key, key)
    context = base_context(request, key, viewer)
    asker = detail.thread.author is not None and detail.thread.author.id == user.pk
    posts = [_post_row(post, detail, viewer, user, bound) for post in (detail.opening, *detail.replies)]
    context.update({
        "detail": detail, "thread": detail.thread, "forum": detail.forum, "opening": posts[0], "replies": posts[1:],
        "reply_form": bound.get("reply") or (ReplyForm(prefix="reply") if detail.can_reply else None),
        "moderate_form": (bound.get("modthread") or ModerateThreadForm(prefix="modthread", forums=forums))
        if viewer.can_moderate else None,
        "is_asker": asker,
        "may_accept": detail.thread.is_question and (asker or viewer.can_manage),
        "may_prioritise": detail.thread.is_question and asker and not detail.thread.priority
        and detail.thread.state != "accepted" and viewer.priority_left > 0,
        "may_assign": detail.thread.priority and viewer.can_answer and detail.thread.state != "accepted",
    })
    return render(request, "mentora/communities/thread.html", context, status=status)


def _reaction_buttons(post: Any) -> list[dict[str, Any]]:
    """The post's reaction buttons, in ``api.REACTION_KINDS`` order: label, count, whether the viewer pressed it."""
    return [{"kind": kind, "label": label, "count": post.reactions.get(kind, 0), "pressed": kind in post.my_reactions}
            for kind, label in api.REACTION_KINDS]


def _post_row(post: Any, detail: Any, viewer: Any, user: Any, bound: dict[str, Any]) -> dict[str, Any]:
    """One post and the forms its viewer has on it (the bound one after a refusal)."""
    mine = post.author is not None and post.author.id == user.pk
    visible_to_all = not (post.hidden or post.deleted)
    row = {
        "post": post,
        "reactions": _reaction_buttons(post),
        "report_form": None if mine or not visible_to_all else (
            bound.get(f"report-{post.id}") or ReportForm(prefix=f"report-{post.id}")),
        "moderate_form": (bound.get(f"mod-{post.id}") or ModeratePostForm(prefix=f"mod-{post.id}"))
        if viewer.can_moderate or (mine and not post.is_opening) else None,
        "comment_form": None,
        "comments": [_post_row(comment, detail, viewer, user, bound) for comment in post.comments],
        "is_accepted": detail.accepted_post_id == post.id,
    }
    if not post.is_opening and post.parent_id is None and detail.can_reply:
        row["comment_form"] = bound.get(f"comment-{post.id}") or CommentForm(prefix=f"comment-{post.id}")
    return row


# --- search, people, notifications ------------------------------------------------------------------------------------


@community_page
def search(request: HttpRequest, course_id: str) -> HttpResponse:
    """The course's posts matching the words typed (only what the viewer may see)."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    query = request.GET.get("q", "").strip()[:200]
    results, problem, status = None, "", 200
    if query:
        try:
            results = api.search(user, key, query, page=page_number(request), page_size=PAGE_SIZE)
        except Error as error:
            if error.status == 403:
                raise
            problem, status = say(error, user), error.status
    context = base_context(request, key, viewer)
    context.update({"query": query, "results": results, "problem": problem})
    return render(request, "mentora/communities/search.html", context, status=status)


@community_page
def person(request: HttpRequest, course_id: str, username: str) -> HttpResponse:
    """Someone of the course's space: their name and role, and following them (their new posts are notified)."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    someone = get_user_model().objects.filter(username=username, is_active=True).first()
    if someone is None or not (host_api.get_course_roles(someone, key) or someone.is_staff):
        raise Http404(_("Nobody of this course has this username."))
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "follow":
                api.follow_user(user, key, someone.username)
                messages.success(request, _("You follow {name}: their new posts reach your notifications.").format(
                    name=host_api.display_name(someone)))
            elif action == "unfollow":
                api.unfollow_user(user, key, someone.username)
                messages.success(request, _("You no longer follow {name}.").format(
                    name=host_api.display_name(someone)))
            else:
                messages.error(request, _("Unknown action."))
        except Error as error:
            if error.status == 404:
                raise Http404(str(error)) from None
            messages.error(request, say(error, user))
        return redirect("mentora-communities:person", course_id=str(key), username=someone.username)
    roles = sorted(host_api.get_course_roles(someone, key), key=lambda role: role.rank, reverse=True)
    context = base_context(request, key, viewer)
    context.update({
        "person": someone, "name": host_api.display_name(someone), "roles": [role.label() for role in roles],
        "is_me": someone.pk == user.pk, "following": api.is_following_user(user, key, someone.username),
    })
    return render(request, "mentora/communities/person.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications of every course, marking them read, and what they want to hear."""
    user = request.user
    prefs = api.get_preferences(user)
    form = PreferencesForm(prefix="prefs", initial={"in_app": sorted(prefs.in_app), "email": sorted(prefs.email),
                                                    "digest": prefs.digest})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "read_all":
            count = api.mark_notifications_read(user)
            messages.success(request, _("All your notifications are marked read ({count}).").format(count=count))
            return redirect("mentora-communities:notifications")
        if action == "read":
            api.mark_notifications_read(user, [int_or_404(request.POST.get("notification_id"))])
            return redirect("mentora-communities:notifications")
        if action == "preferences":
            form = PreferencesForm(request.POST, prefix="prefs")
            outcome = submit_form(request, form, lambda data: api.set_preferences(user, **data), lambda _result: (
                _("Your notification settings are saved."), redirect("mentora-communities:notifications")))
            if isinstance(outcome, HttpResponse):
                return outcome
            status = outcome
        else:
            messages.error(request, _("Unknown action."))
            return redirect("mentora-communities:notifications")
    unread_only = request.GET.get("unread") == "1"
    page = page_number(request)
    items = api.list_notifications(user, unread_only=unread_only, page=page, page_size=PAGE_SIZE + 1)
    context = {
        "items": items[:PAGE_SIZE], "has_next": len(items) > PAGE_SIZE, "page": page, "unread_only": unread_only,
        "unread": api.unread_notification_count(user), "form": form, "zone": zone_of(user),
        "labels": _kind_labels(),
    }
    return render(request, "mentora/communities/notifications.html", context, status=status)


def _kind_labels() -> dict[str, str]:
    """What each kind of notification says (the kinds are ``Notification.Kind``'s values)."""
    return {
        "reply": _("replied"),
        "mention": _("mentioned you"),
        "followed_thread": _("posted in a thread you follow"),
        "followed_forum": _("started a thread in a forum you follow"),
        "followed_user": _("posted (you follow them)"),
        "answer": _("answered your question"),
        "priority": _("asked a priority question"),
        "escalation": _("A priority question is past its response target"),
        "group": _("News of your group project"),
        "moderation": _("A moderator acted on your post"),
    }


# --- URLs -------------------------------------------------------------------------------------------------------------


def _staff_patterns() -> list:
    from mentora_plugin.communities.views import staff

    return staff.urlpatterns


def _editing_patterns() -> list:
    from mentora_plugin.communities.views import editing

    return editing.urlpatterns


COURSE = r"(?P<course_id>[^/]+)"

urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    re_path(rf"^courses/{COURSE}/$", space, name="space"),
    re_path(rf"^{COURSE}/$", space, name="space-short"),
    re_path(rf"^{COURSE}/forums/(?P<forum_id>[0-9]+)/$", forum, name="forum"),
    re_path(rf"^{COURSE}/threads/(?P<thread_id>[0-9]+)/$", thread, name="thread"),
    re_path(rf"^{COURSE}/search/$", search, name="search"),
    re_path(rf"^{COURSE}/people/(?P<username>[^/]+)/$", person, name="person"),
    path("", include(_staff_patterns())),
    path("", include(_editing_patterns())),
]
