"""The landing page: sign in as any demo person with one click, and go where Mentora shows itself."""
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from devsite.people import COURSE_KEY, PEOPLE, SECOND_COURSE_KEY
from devsite.seed_badges import PIPELINE
from mentora_plugin.badges import api as badges_api
from mentora_plugin.host import api


def landing(request: HttpRequest) -> HttpResponse:
    """Who is who in the demo, and links to each place Mentora appears."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=PEOPLE)}
    people = [
        {"username": username, "name": name, "description": description, "exists": username in users}
        for username, (name, description, _staff) in PEOPLE.items()
    ]
    courses = [
        {
            "course": course,
            "roles": [
                role.label()
                for role in sorted(api.get_course_roles(request.user, course.course_key), key=lambda r: -r.rank)
            ]
            if request.user.is_authenticated
            else None,
        }
        for course in api.list_courses()
    ]
    context = {"people": people, "courses": courses, "course_key": COURSE_KEY, "second_course_key": SECOND_COURSE_KEY,
               "alice_badge": _alice_badge(users.get("alice"))}
    return render(request, "devsite/landing.html", context)


def _alice_badge(alice) -> str:
    """The public id of Alice's current "Data pipeline builder" award (the demo's verification page), if seeded."""
    if alice is None:
        return ""
    for award in badges_api.awards_of(alice):
        if award.badge_class.name == PIPELINE and award.is_current:
            return str(award.public_id)
    return ""


@require_POST
def sign_in_as(request: HttpRequest) -> HttpResponse:
    """Sign in as a demo person (the demo has no passwords)."""
    username = request.POST.get("username", "")
    user = get_user_model().objects.filter(username=username, is_active=True).first() if username in PEOPLE else None
    if user is not None:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return redirect(target if target and safe else "landing")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("landing")
