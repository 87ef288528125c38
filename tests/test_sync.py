"""
The ``mentora_sync`` back-fill, end to end through the management command.

The platform's REST API cannot run here, so ``FakeLMS`` stands it in with the ``responses`` library, which
intercepts ``requests`` at the transport adapter: the OAuth2 token endpoint ``/oauth2/access_token`` that
edx-rest-api-client's ``OAuthAPIClient`` calls, the course list (page numbers, ``{"results", "pagination"}``), the
staff-only enrollment list (cursor pages, ``{"next", "previous", "results"}``) and the instructor API's
``list_course_role_members`` (a POST per role), with the shapes edx-platform answers. Everything on Mentora's side
is real: the HTTP client and its urllib3 retries, the command, the checkpoints, the host API writes, and the
openedx-events receivers that the race test drives with a real signal.
"""
from __future__ import annotations

import io
import itertools
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest
import responses
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_django_utils.cache import TieredCache
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.signals import COURSE_ENROLLMENT_CHANGED

from mentora_plugin.host import api, sync
from mentora_plugin.host.data import CourseRole, CourseRoleRecord, EnrollmentRecord
from mentora_plugin.host.models import Course, CourseAccessRole, Enrollment, SyncCheckpoint
from tests.conftest import COURSE, OTHER_COURSE, enrollment_data

pytestmark = pytest.mark.django_db

LMS = "http://lms.test"
#: The origin the LMS puts in its own links when it sits behind a proxy; mentora_sync must not follow it there.
PUBLIC_LMS = "https://courses.example.org"
TOKEN = "header.payload.signature"
ENROLLMENTS = "/api/enrollment/v1/enrollments/"
COURSES = "/api/courses/v1/courses/"


class FakeLMS:
    """The LMS's REST endpoints that mentora_sync calls, answering from plain lists, as ``responses`` callbacks."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.course_pages: list[list[dict]] = []
        self.enrollment_pages: list[list[dict]] = []
        self.roles: dict[str, dict[str, list[str]]] = {}
        #: Statuses to answer instead, per (resource, page index), one per request while the iterator lasts.
        self.failures: dict[tuple[str, object], Iterator[int]] = {}
        #: Called while the platform serves an enrollment page: what happens on the LMS during the request.
        self.during_enrollment_page: dict[int, Callable[[], None]] = {}
        mock.add(responses.POST, f"{LMS}/oauth2/access_token", json={"access_token": TOKEN, "expires_in": 3600})
        mock.add_callback(responses.GET, re.compile(re.escape(LMS + ENROLLMENTS) + r"(\?.*)?$"), self._enrollments)
        mock.add_callback(responses.GET, re.compile(re.escape(LMS + COURSES) + r"(\?.*)?$"), self._courses)
        mock.add_callback(responses.GET, re.compile(re.escape(LMS + COURSES) + r"[^/?]+/(\?.*)?$"), self._course)
        mock.add_callback(
            responses.POST, re.compile(re.escape(LMS) + r"/courses/.+/instructor/api/list_course_role_members$"),
            self._role_members,
        )

    def requested(self) -> list[str]:
        """The API requests made, as "METHOD path?query", token requests left out."""
        return [
            f"{call.request.method} {call.request.url.removeprefix(LMS)}"
            for call in self.mock.calls
            if not call.request.url.endswith("/oauth2/access_token")
        ]

    def _failure(self, resource: str, index: object) -> tuple[int, dict, str] | None:
        status = next(self.failures.get((resource, index), iter(())), None)
        return (status, {}, json.dumps({"detail": "It broke."})) if status else None

    def _enrollments(self, request) -> tuple[int, dict, str]:
        query = parse_qs(urlsplit(request.url).query)
        index = int(query.get("cursor", ["c0"])[0][1:])
        if failure := self._failure("enrollments", index):
            return failure
        if index in self.during_enrollment_page:
            self.during_enrollment_page[index]()
        rows = self.enrollment_pages[index]
        if "course_id" in query:
            rows = [row for row in rows if row.get("course_id") == query["course_id"][0]]
        following = None
        if index + 1 < len(self.enrollment_pages):
            kept = {name: values[0] for name, values in query.items() if name != "cursor"}
            params = {"cursor": f"c{index + 1}", **kept}
            following = f"{LMS}{ENROLLMENTS}?{urlencode(params)}"
        return 200, {}, json.dumps({"next": following, "previous": None, "results": rows})

    def _courses(self, request) -> tuple[int, dict, str]:
        query = parse_qs(urlsplit(request.url).query)
        number = int(query.get("page", ["1"])[0])
        if failure := self._failure("courses", number - 1):
            return failure
        following = None
        if number < len(self.course_pages):
            params = {**{name: values[0] for name, values in query.items()}, "page": number + 1}
            following = f"{PUBLIC_LMS}{COURSES}?{urlencode(params)}"
        pagination = {"next": following, "previous": None, "count": sum(map(len, self.course_pages)),
                      "num_pages": len(self.course_pages)}
        return 200, {}, json.dumps({"results": self.course_pages[number - 1], "pagination": pagination})

    def _course(self, request) -> tuple[int, dict, str]:
        course_id = unquote(urlsplit(request.url).path.removeprefix(COURSES).strip("/"))
        for row in itertools.chain(*self.course_pages):
            if row["id"] == course_id:
                return 200, {}, json.dumps(row)
        return 404, {}, json.dumps({"detail": "Not found."})

    def _role_members(self, request) -> tuple[int, dict, str]:
        course_id = unquote(re.search(r"/courses/(.+)/instructor/", request.url)[1])
        rolename = parse_qs(request.body)["rolename"][0]
        if failure := self._failure("roles", course_id):
            return failure
        members = [
            {"username": name, "email": f"{name}@example.com", "first_name": "", "last_name": ""}
            for name in self.roles.get(course_id, {}).get(rolename, [])
        ]
        return 200, {}, json.dumps({"course_id": course_id, rolename: members})


@pytest.fixture
def lms(settings):
    settings.MENTORA_PLATFORM_API_URL = LMS
    settings.MENTORA_PLATFORM_OAUTH_CLIENT_ID = "mentora-sync"
    settings.MENTORA_PLATFORM_OAUTH_CLIENT_SECRET = "not-a-secret"
    settings.MENTORA_PLATFORM_SERVICE_USERNAME = "mentora_worker"
    settings.MENTORA_SYNC_PAGE_SIZE = 2
    settings.MENTORA_SYNC_MAX_RETRIES = 2
    settings.MENTORA_SYNC_BACKOFF_SECONDS = 0  # urllib3 would sleep between retries; the tests need not
    TieredCache.dangerous_clear_all_tiers()  # OAuthAPIClient caches its token there: each test gets a new one
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeLMS(mock)
    TieredCache.dangerous_clear_all_tiers()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("mentora_sync", *args, stdout=out)
    return out.getvalue()


def enrollment_row(username: str, course: CourseKey = COURSE, mode: str = "audit", is_active: bool = True) -> dict:
    return {"created": "2019-09-01T10:00:00Z", "mode": mode, "is_active": is_active, "user": username,
            "course_id": str(course)}


def course_row(course_id: str, name: str, start: str | None = "2026-01-05T09:00:00Z", end: str | None = None) -> dict:
    org = course_id.split(":")[1].split("+")[0]
    return {"id": course_id, "course_id": course_id, "name": name, "org": org, "number": "X", "start": start,
            "end": end, "start_display": "", "start_type": "timestamp", "pacing": "instructor"}


def enrollments() -> dict[tuple[str, str], tuple[str, bool]]:
    return {
        (row.user.username, str(row.course_key)): (row.mode, row.is_active)
        for row in Enrollment.objects.select_related("user")
    }


# --- walking the pages ----------------------------------------------------------------------------------------------


def test_courses_walk_every_page_and_stay_on_the_configured_host(lms):
    lms.course_pages = [
        [course_row("course-v1:Org+A+1", "Alpha", end="2026-06-30T00:00:00Z"), course_row("course-v1:Org+B+1", "Beta")],
        [course_row("course-v1:Org+C+1", "Gamma"), course_row("course-v1:Other+D+1", "Delta", start=None)],
        [course_row("course-v1:Other+E+1", "Epsilon")],
    ]

    out = run("--resource=courses")

    assert "courses: 3 pages, 5 rows read, 5 written, 0 unchanged" in out
    assert {(str(c.course_key), c.org, c.title) for c in Course.objects.all()} == {
        ("course-v1:Org+A+1", "Org", "Alpha"), ("course-v1:Org+B+1", "Org", "Beta"),
        ("course-v1:Org+C+1", "Org", "Gamma"),
        ("course-v1:Other+D+1", "Other", "Delta"), ("course-v1:Other+E+1", "Other", "Epsilon"),
    }
    alpha = Course.objects.get(course_key=CourseKey.from_string("course-v1:Org+A+1"))
    assert alpha.start.isoformat() == "2026-01-05T09:00:00+00:00"
    assert alpha.end.isoformat() == "2026-06-30T00:00:00+00:00"
    # Asked as the service user (else the platform lists only public courses), and the links the LMS built for its
    # public host were followed on the configured one, where the JWT belongs.
    assert lms.requested() == [
        f"GET {COURSES}?page_size=2&username=mentora_worker",
        f"GET {COURSES}?page_size=2&username=mentora_worker&page=2",
        f"GET {COURSES}?page_size=2&username=mentora_worker&page=3",
    ]
    assert all(call.request.headers["Authorization"] == f"JWT {TOKEN}" for call in lms.mock.calls[1:])
    token_request = parse_qs(lms.mock.calls[0].request.body)
    assert token_request["client_id"] == ["mentora-sync"] and token_request["grant_type"] == ["client_credentials"]
    checkpoint = SyncCheckpoint.objects.get(resource="courses")
    assert (checkpoint.items_seen, checkpoint.next_url, checkpoint.completed_at is not None) == (5, "", True)


def statement_shape(sql: str) -> tuple[str, str]:
    """(verb, main table) of a statement, whatever the database's quoting and dialect."""
    verb = sql.split(None, 1)[0].upper()
    match = re.search(r"\b(?:FROM|INTO|UPDATE)\s+[`\"]?(\w+)", sql, re.IGNORECASE)
    return verb, match.group(1) if match else ""


def test_enrollments_walk_cursor_pages_in_a_fixed_number_of_queries(lms, make_user):
    for index in range(9):
        make_user(f"learner{index}")
    lms.enrollment_pages = [
        [enrollment_row("learner0")],
        [enrollment_row("learner1", mode="verified"), enrollment_row("learner2", OTHER_COURSE),
         enrollment_row("learner3", is_active=False)],
        [enrollment_row(f"learner{index}") for index in range(4, 9)],
    ]
    client = sync.PlatformClient.from_settings()
    marks: list[int] = []

    with CaptureQueriesContext(connection) as queries:
        stats = sync.backfill_enrollments(client, page_size=5, on_page=lambda _: marks.append(len(queries)))

    assert (stats.pages, stats.rows, stats.written, stats.completed) == (3, 9, 9, True)
    assert enrollments()[("learner1", str(COURSE))] == ("verified", True)
    assert enrollments()[("learner2", str(OTHER_COURSE))] == ("audit", True)
    assert enrollments()[("learner3", str(COURSE))] == ("audit", False)
    assert len(enrollments()) == 9
    # Pages of 3 and 5 rows cost the same four statements (the savepoints are the test's own transaction's).
    for first, last in itertools.pairwise(marks):
        statements = [statement_shape(query["sql"]) for query in queries.captured_queries[first:last]]
        assert [shape for shape in statements if shape[0] not in ("SAVEPOINT", "RELEASE")] == [
            ("SELECT", "auth_user"),  # the page's usernames, in one query
            ("SELECT", "mentora_host_enrollment"),  # the page's existing rows
            ("INSERT", "mentora_host_enrollment"),  # the new ones (conflicts ignored)
            ("UPDATE", "mentora_host_synccheckpoint"),  # the checkpoint, in the same transaction
        ]
    assert lms.requested() == [
        f"GET {ENROLLMENTS}?page_size=5",
        f"GET {ENROLLMENTS}?cursor=c1&page_size=5",
        f"GET {ENROLLMENTS}?cursor=c2&page_size=5",
    ]


def test_roles_are_listed_per_known_course_and_grant_the_roles(lms, make_user):
    staff, instructor, both = make_user("staffer"), make_user("teacher"), make_user("both")
    lms.course_pages = [[course_row(str(COURSE), "Test"), course_row(str(OTHER_COURSE), "Other")]]
    lms.roles = {
        str(COURSE): {"staff": ["staffer", "both"], "instructor": ["teacher", "both"]},
        str(OTHER_COURSE): {"staff": ["teacher"]},
    }

    out = run("--resource=courses")
    out += run("--resource=roles")

    assert "roles: 2 pages, 5 rows read, 5 written" in out
    assert set(CourseAccessRole.objects.values_list("user__username", "org", "course_key", "role", "is_active")) == {
        ("staffer", "TestOrg", COURSE, "staff", True), ("both", "TestOrg", COURSE, "staff", True),
        ("teacher", "TestOrg", COURSE, "instructor", True), ("both", "TestOrg", COURSE, "instructor", True),
        ("teacher", "TestOrg", OTHER_COURSE, "staff", True),
    }
    assert api.get_course_role(staff, COURSE) == CourseRole.STAFF
    assert api.get_course_role(instructor, COURSE) == CourseRole.INSTRUCTOR
    assert api.get_course_roles(both, COURSE) == {CourseRole.STAFF, CourseRole.INSTRUCTOR}
    role_calls = [call.request for call in lms.mock.calls if "list_course_role_members" in call.request.url]
    assert [(r.url.removeprefix(LMS), r.body) for r in role_calls] == [
        (f"/courses/{COURSE}/instructor/api/list_course_role_members", "rolename=staff"),
        (f"/courses/{COURSE}/instructor/api/list_course_role_members", "rolename=instructor"),
        (f"/courses/{OTHER_COURSE}/instructor/api/list_course_role_members", "rolename=staff"),
        (f"/courses/{OTHER_COURSE}/instructor/api/list_course_role_members", "rolename=instructor"),
    ]


def test_roles_no_longer_listed_by_the_platform_are_withdrawn(lms, make_user):
    """A role removed while no event reached Mentora: the course's complete list no longer names its holder."""
    kept, gone, org_wide, later = make_user("kept"), make_user("gone"), make_user("orgwide"), make_user("later")
    old = timezone.now() - timedelta(days=1)
    for user in (kept, gone):
        api.record_course_role(CourseRoleRecord(user.pk, COURSE.org, COURSE, "staff"), old)
    api.record_course_role(CourseRoleRecord(org_wide.pk, COURSE.org, None, "staff"), old)
    api.record_course_role(CourseRoleRecord(later.pk, COURSE.org, COURSE, "staff"), timezone.now() + timedelta(hours=1))
    lms.course_pages = [[course_row(str(COURSE), "Test"), course_row(str(OTHER_COURSE), "Other")]]
    lms.roles = {str(COURSE): {"staff": ["kept"]}, str(OTHER_COURSE): {}}

    out = run("--resource=courses") + run("--resource=roles")

    assert "1 withdrawn (no longer listed)" in out
    active = set(CourseAccessRole.objects.filter(is_active=True).values_list("user__username", flat=True))
    # "later" was added by an event newer than the list; the organisation-wide role is not in a course's list.
    assert active == {"kept", "orgwide", "later"}


def test_roles_without_known_courses_say_what_to_do_first(lms):
    out = run("--resource=roles")

    assert "roles: 0 pages" in out and "back-fill courses first" in out
    assert lms.requested() == []


# --- running twice, resuming ----------------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(lms, make_user):
    for name in ("ann", "bob", "cyd"):
        make_user(name)
    lms.course_pages = [[course_row(str(COURSE), "Test"), course_row(str(OTHER_COURSE), "Other")]]
    lms.enrollment_pages = [[enrollment_row("ann"), enrollment_row("bob", mode="verified")],
                            [enrollment_row("cyd", OTHER_COURSE, is_active=False)]]
    lms.roles = {str(COURSE): {"staff": ["cyd"]}}
    first = run()

    def snapshot():
        return (
            sorted(Course.objects.values_list("course_key", "title", "modified", "last_event_at")),
            sorted(Enrollment.objects.values_list("user_id", "course_key", "mode", "is_active", "modified",
                                                  "last_event_at")),
            sorted(CourseAccessRole.objects.values_list("user_id", "course_key", "role", "is_active", "last_event_at")),
        )

    before = snapshot()
    second = run()

    assert snapshot() == before
    assert (len(before[0]), len(before[1]), len(before[2])) == (2, 3, 1)
    assert "enrollments: 2 pages, 3 rows read, 3 written, 0 unchanged" in first
    assert "courses: 1 pages, 2 rows read, 0 written, 2 unchanged" in second
    assert "enrollments: 2 pages, 3 rows read, 0 written, 3 unchanged" in second
    assert "roles: 2 pages, 1 rows read, 0 written, 1 unchanged" in second


def test_a_failed_run_resumes_from_the_page_that_failed(lms, make_user):
    for index in range(8):
        make_user(f"learner{index}")
    lms.enrollment_pages = [[enrollment_row(f"learner{2 * page}"), enrollment_row(f"learner{2 * page + 1}")]
                            for page in range(4)]
    lms.failures[("enrollments", 2)] = itertools.repeat(500)

    with pytest.raises(CommandError, match=r"HTTP 500 .* after retries(.|\n)*--resume"):
        run("--resource=enrollments")

    page = f"GET {ENROLLMENTS}?cursor=c{{}}&page_size=2"
    # The first page, the second, then the third three times: the request and MENTORA_SYNC_MAX_RETRIES retries.
    assert lms.requested() == [f"GET {ENROLLMENTS}?page_size=2", page.format(1), *[page.format(2)] * 3]
    checkpoint = SyncCheckpoint.objects.get(resource="enrollments")
    assert checkpoint.next_url == f"{LMS}{ENROLLMENTS}?cursor=c2&page_size=2"
    assert (checkpoint.items_seen, checkpoint.completed_at) == (4, None)
    assert sorted(name for name, _ in enrollments()) == ["learner0", "learner1", "learner2", "learner3"]

    del lms.failures[("enrollments", 2)]
    lms.mock.calls.reset()
    out = run("--resource=enrollments", "--resume")

    assert lms.requested() == [page.format(2), page.format(3)]
    assert "enrollments: 2 pages, 4 rows read, 4 written" in out and "resumed" in out
    assert len(enrollments()) == 8
    checkpoint.refresh_from_db()
    assert (checkpoint.items_seen, checkpoint.next_url, checkpoint.completed_at is not None) == (8, "", True)

    lms.mock.calls.reset()
    out = run("--resource=enrollments", "--resume")

    assert lms.requested() == []
    assert "already complete" in out


def test_an_interrupted_roles_run_resumes_at_the_course_that_failed(lms, make_user):
    make_user("staffer")
    courses = [f"course-v1:Org+C{index}+1" for index in range(3)]
    for course_id in courses:
        api.record_course(course_id, timezone.now())
    lms.roles = {course_id: {"staff": ["staffer"]} for course_id in courses}
    lms.failures[("roles", courses[2])] = itertools.repeat(503)

    with pytest.raises(CommandError, match="HTTP 503"):
        run("--resource=roles")

    third = f"/courses/{courses[2]}/instructor/api/list_course_role_members"
    assert SyncCheckpoint.objects.get(resource="roles").next_url == f"{LMS}{third}"
    assert CourseAccessRole.objects.count() == 2

    del lms.failures[("roles", courses[2])]
    lms.mock.calls.reset()
    out = run("--resource=roles", "--resume")

    assert lms.requested() == [f"POST {third}", f"POST {third}"]  # staff, then instructor: the third course only
    assert "roles: 1 pages, 1 rows read, 1 written" in out
    assert CourseAccessRole.objects.filter(role="staff").count() == 3


# --- what is skipped and why ----------------------------------------------------------------------------------------


def test_unknown_usernames_are_counted_and_skipped(lms, make_user, django_user_model):
    make_user("known")
    lms.enrollment_pages = [
        [enrollment_row("known"), enrollment_row("stranger"), enrollment_row("ghost", OTHER_COURSE)]
    ]

    out = run("--resource=enrollments")

    assert "1 written, 0 unchanged, 0 skipped (newer event), 2 unknown users" in out
    assert list(enrollments()) == [("known", str(COURSE))]
    assert not django_user_model.objects.filter(username__in=["stranger", "ghost"]).exists()  # the LMS owns users


def test_malformed_rows_are_logged_and_skipped_and_the_page_is_still_written(lms, make_user, caplog):
    for name in ("good", "also_good", "x"):
        make_user(name)
    lms.enrollment_pages = [
        [
            enrollment_row("good"),
            {**enrollment_row("x"), "course_id": "not a course key"},
            {key: value for key, value in enrollment_row("x").items() if key != "user"},
            {**enrollment_row("x"), "is_active": "yes"},
            {**enrollment_row("x"), "mode": ""},
            "a string, not an object",
        ],
        [enrollment_row("also_good", OTHER_COURSE)],
    ]

    with caplog.at_level(logging.WARNING, logger="mentora_plugin.host.sync"):
        out = run("--resource=enrollments")

    assert "enrollments: 2 pages, 7 rows read, 2 written, 0 unchanged, 0 skipped (newer event), 0 unknown users, " \
           "5 malformed [complete]" in out
    assert set(enrollments()) == {("good", str(COURSE)), ("also_good", str(OTHER_COURSE))}
    reasons = [record.getMessage() for record in caplog.records if record.name == "mentora_plugin.host.sync"]
    assert len(reasons) == 5
    for expected in ("“not a course key” is not a valid course key", "'user' is missing", "'is_active' is not true",
                     "'mode' is missing", "not a JSON object"):
        assert any(expected in reason for reason in reasons), expected


def test_an_event_newer_than_the_page_is_not_overwritten(lms, make_user):
    racer, early = make_user("racer"), make_user("early")
    before_sync = timezone.now() - timedelta(hours=1)
    # An old event (before the sync) that the page contradicts: the page is newer, so it wins.
    COURSE_ENROLLMENT_CHANGED.send_event(time=before_sync, enrollment=enrollment_data(early, mode="honor"))
    event_times = []

    def upgrade_during_the_request():
        # The learner upgrades on the LMS while the platform is serving the page that still says "audit".
        event_times.append(timezone.now())
        COURSE_ENROLLMENT_CHANGED.send_event(time=event_times[0], enrollment=enrollment_data(racer, mode="verified"))

    lms.enrollment_pages = [[enrollment_row("early")], [enrollment_row("racer")]]
    lms.during_enrollment_page[1] = upgrade_during_the_request

    out = run("--resource=enrollments")

    assert "2 rows read, 1 written, 0 unchanged, 1 skipped (newer event)" in out
    racer_row = Enrollment.objects.get(user=racer)
    assert (racer_row.mode, racer_row.last_event_at) == ("verified", event_times[0])
    early_row = Enrollment.objects.get(user=early)
    assert early_row.mode == "audit" and early_row.last_event_at > before_sync


# --- HTTP errors ----------------------------------------------------------------------------------------------------


def test_a_transient_503_is_retried_then_succeeds(lms, make_user):
    make_user("learner")
    lms.enrollment_pages = [[enrollment_row("learner")]]
    lms.failures[("enrollments", 0)] = iter([503, 503])

    out = run("--resource=enrollments")

    assert lms.requested() == [f"GET {ENROLLMENTS}?page_size=2"] * 3
    assert "1 written" in out and "[complete]" in out
    assert list(enrollments()) == [("learner", str(COURSE))]


def test_a_refusal_is_not_retried_and_says_what_failed(lms):
    lms.enrollment_pages = [[enrollment_row("learner")]]
    lms.failures[("enrollments", 0)] = itertools.repeat(403)

    with pytest.raises(CommandError, match=r"GET http://lms.test/api/enrollment/v1/enrollments/\?page_size=2 answered "
                                           r"HTTP 403 Forbidden: .*It broke"):
        run("--resource=enrollments")

    assert len(lms.requested()) == 1
    assert SyncCheckpoint.objects.get(resource="enrollments").completed_at is None


def test_a_refused_token_stops_the_run_and_says_so(lms):
    lms.mock.replace(responses.POST, f"{LMS}/oauth2/access_token", status=401, json={"error": "invalid_client"})

    with pytest.raises(CommandError, match=r"401 Client Error.*oauth2/access_token"):
        run("--resource=enrollments")

    assert lms.requested() == []
    assert not Enrollment.objects.exists()


def test_missing_credentials_stop_before_any_request(lms, settings):
    settings.MENTORA_PLATFORM_OAUTH_CLIENT_SECRET = ""

    with pytest.raises(CommandError, match="MENTORA_PLATFORM_OAUTH_CLIENT_SECRET"):
        run()

    assert len(lms.mock.calls) == 0


def test_an_invalid_course_option_is_refused(lms):
    with pytest.raises(CommandError, match="not a valid course key"):
        run("--course=nope")


# --- options --------------------------------------------------------------------------------------------------------


def test_course_option_limits_every_resource_to_that_course(lms, make_user):
    make_user("ann")
    make_user("bob")
    lms.course_pages = [[course_row(str(COURSE), "Test"), course_row(str(OTHER_COURSE), "Other")]]
    lms.enrollment_pages = [[enrollment_row("ann"), enrollment_row("bob", OTHER_COURSE)]]
    lms.roles = {str(COURSE): {"staff": ["bob"]}, str(OTHER_COURSE): {"staff": ["ann"]}}

    out = run(f"--course={COURSE}")

    assert lms.requested() == [
        f"GET {COURSES}{COURSE}/?username=mentora_worker",
        f"GET {ENROLLMENTS}?page_size=2&course_id={COURSE}".replace(":", "%3A").replace("+", "%2B"),
        f"POST /courses/{COURSE}/instructor/api/list_course_role_members",
        f"POST /courses/{COURSE}/instructor/api/list_course_role_members",
    ]
    assert list(Course.objects.values_list("course_key", flat=True)) == [COURSE]
    assert list(enrollments()) == [("ann", str(COURSE))]
    assert list(CourseAccessRole.objects.values_list("course_key", "role")) == [(COURSE, "staff")]
    assert SyncCheckpoint.objects.filter(resource=f"enrollments:{COURSE}", completed_at__isnull=False).exists()
    assert f"courses:{COURSE}: 1 pages" in out and f"roles:{COURSE}: 1 pages, 1 rows read, 1 written" in out


def test_dry_run_counts_but_saves_nothing(lms, make_user):
    make_user("ann")
    lms.enrollment_pages = [[enrollment_row("ann")], [enrollment_row("nobody")]]

    out = run("--resource=enrollments", "--dry-run")

    assert "enrollments: 2 pages, 2 rows read, 1 written, 0 unchanged, 0 skipped (newer event), 1 unknown users" in out
    assert "dry run, nothing saved" in out
    assert not Enrollment.objects.exists()
    assert not SyncCheckpoint.objects.exists()


def test_page_size_option_is_sent_and_must_be_positive(lms):
    lms.enrollment_pages = [[]]

    run("--resource=enrollments", "--page-size=100")
    with pytest.raises(CommandError):
        run("--resource=enrollments", "--page-size=0")

    assert lms.requested() == [f"GET {ENROLLMENTS}?page_size=100"]


# --- the host API's bulk writers the back-fill relies on ------------------------------------------------------------


def test_bulk_enrollments_write_only_what_is_new_or_changed_and_never_a_newer_row(make_user):
    ann, bob, cyd = make_user(), make_user(), make_user()
    now = timezone.now()
    api.record_enrollment(ann.pk, COURSE, "audit", True, now - timedelta(days=1))
    api.record_enrollment(bob.pk, COURSE, "audit", True, now - timedelta(days=1))
    api.record_enrollment(cyd.pk, COURSE, "audit", True, now + timedelta(minutes=1))  # newer than the page
    unchanged_before = Enrollment.objects.get(user=ann).modified

    result = api.bulk_record_enrollments(
        [
            EnrollmentRecord(ann.pk, COURSE, "audit", True),  # same state: not rewritten
            EnrollmentRecord(bob.pk, COURSE, "verified", True),  # changed: updated
            EnrollmentRecord(cyd.pk, COURSE, "audit", False),  # a newer event said otherwise: left alone
            EnrollmentRecord(ann.pk, OTHER_COURSE, "audit", True),  # new
        ],
        now,
    )

    assert (result.written, result.skipped_newer) == (2, 1)
    assert Enrollment.objects.get(user=ann, course_key=COURSE).modified == unchanged_before
    assert (Enrollment.objects.get(user=bob).mode, Enrollment.objects.get(user=bob).last_event_at) == ("verified", now)
    assert Enrollment.objects.get(user=cyd).is_active is True
    assert Enrollment.objects.filter(user=ann, course_key=OTHER_COURSE).exists()


def test_bulk_enrollments_reject_a_bad_page_whole(make_user):
    user = make_user()

    with pytest.raises(api.InvalidCourseKeyError):
        api.bulk_record_enrollments(
            [EnrollmentRecord(user.pk, COURSE, "audit", True), EnrollmentRecord(user.pk, "bad", "audit", True)],
            timezone.now(),
        )
    with pytest.raises(api.InvalidRecordError):
        naive = timezone.now().replace(tzinfo=None)
        api.bulk_record_enrollments([EnrollmentRecord(user.pk, COURSE, "audit", True)], naive)

    assert not Enrollment.objects.exists()


def test_bulk_roles_reactivate_older_rows_and_leave_newer_ones(make_user):
    old, new = make_user(), make_user()
    now = timezone.now()
    removed = {"org": "TestOrg", "course_key": COURSE, "role": "staff", "is_active": False}
    api.record_course_role(CourseRoleRecord(old.pk, **removed), now - timedelta(days=1))
    api.record_course_role(CourseRoleRecord(new.pk, **removed), now + timedelta(days=1))

    result = api.bulk_record_course_roles(
        [CourseRoleRecord(old.pk, "TestOrg", COURSE, "staff"), CourseRoleRecord(new.pk, "TestOrg", COURSE, "staff")],
        now,
    )

    assert (result.written, result.skipped_newer) == (1, 1)
    assert dict(CourseAccessRole.objects.values_list("user_id", "is_active")) == {old.pk: True, new.pk: False}
    with pytest.raises(api.InvalidRecordError):
        api.bulk_record_course_roles([CourseRoleRecord(old.pk, "OtherOrg", COURSE, "staff")], now)


def test_bulk_enrollments_let_an_event_that_lands_between_read_and_write_win(make_user):
    learner = make_user()
    now = timezone.now()
    api.record_enrollment(learner.pk, COURSE, "audit", True, now - timedelta(days=1))
    fired = []

    def event_after_the_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not fired and statement_shape(sql) == ("SELECT", "mentora_host_enrollment"):
            fired.append(True)  # the LMS changes the enrollment just after the back-fill read the row
            COURSE_ENROLLMENT_CHANGED.send_event(
                time=now + timedelta(seconds=1), enrollment=enrollment_data(learner, mode="honor")
            )
        return result

    with connection.execute_wrapper(event_after_the_read):
        result = api.bulk_record_enrollments([EnrollmentRecord(learner.pk, COURSE, "verified", True)], now)

    assert fired
    assert (result.written, result.skipped_newer) == (0, 1)
    assert Enrollment.objects.get(user=learner).mode == "honor"
