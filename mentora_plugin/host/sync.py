"""
The ``mentora_sync`` back-fill: copy the platform's courses, enrollments and course roles into the host projections.

Why it exists: the projections are fed by openedx-events from the moment Mentora is installed, and an install that
predates Mentora has years of courses, enrollments and staff that no event will ever repeat. This back-fill reads
them once from the LMS's REST APIs, as Mentora's OAuth2 client, page by page.

How it stays correct while the platform keeps sending events:

- Each page is written as of the time its request was *sent*: anything an event changed after that instant is
  newer than the page, and ``api.bulk_record_*`` leave such rows alone (a page is never older than it claims).
- Writes are upserts that skip rows already in the page's state, so a second run changes nothing.
- The rows of a page and the checkpoint that points past it commit in one transaction, so an interrupted run
  resumes (``--resume``) exactly after the last page that was written, without gaps or repeats.
- The LMS owns users: a username this service does not know is counted and skipped, never created.
- A malformed row is logged with its reason and skipped; the rest of its page is written. An HTTP error (after
  the retries of transient ones, done by urllib3's ``Retry`` on the session) stops the run with a ``SyncError``.

The platform endpoints (checked against edx-platform):

- courses: ``GET /api/courses/v1/courses/`` (page numbers, ``{"results", "pagination": {"next"}}``); it lists the
  courses visible to the ``username`` asked about, hence ``MENTORA_PLATFORM_SERVICE_USERNAME``.
- enrollments: ``GET /api/enrollment/v1/enrollments/`` (global staff only; cursor pages ``{"next", "results"}``,
  page-number pages in newer releases: both give ``next``, which is all this module follows). The platform caps
  its page size at 100 whatever ``page_size`` asks for.
- roles: ``POST /courses/{course_id}/instructor/api/list_course_role_members`` with ``rolename``, one course at a
  time; it lists course-level roles only, for the courses in the local course projection (back-fill those first).
"""
from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from edx_rest_api_client.client import OAuthAPIClient
from opaque_keys.edx.keys import CourseKey
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRoleRecord, EnrollmentRecord
from mentora_plugin.host.models import Course, SyncCheckpoint

__all__ = [
    "PLATFORM_ROLES",
    "RESOURCES",
    "PlatformClient",
    "SyncError",
    "SyncStats",
    "backfill_courses",
    "backfill_enrollments",
    "backfill_roles",
    "iter_sync",
]

log = logging.getLogger(__name__)

#: What ``mentora_sync`` can back-fill, in the order ``all`` runs them (roles are listed per known course).
RESOURCES = ("courses", "enrollments", "roles")
#: The platform course roles that the instructor API lists and Mentora projects.
PLATFORM_ROLES = ("staff", "instructor")
#: Answers worth retrying: the platform throttles (429, with Retry-After) and its proxies fail transiently.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})

_ROLE_URL = re.compile(r"/courses/(?P<course_id>.+)/instructor/api/list_course_role_members$")


class SyncError(Exception):
    """
    The platform refused or failed a request, or answered something unusable: the run stops there.

    ``stats`` holds what the interrupted resource did before stopping, for the operator's summary; the checkpoint
    still points at the page that failed, so ``--resume`` starts again from it.
    """

    def __init__(self, message: str, *, stats: SyncStats | None = None) -> None:
        super().__init__(message)
        self.stats = stats


class _MalformedRow(ValueError):
    """One row of a page cannot be used; the message says why, for the log."""


@dataclass
class SyncStats:
    """What one resource's back-fill did, for the command's summary."""

    resource: str
    pages: int = 0
    rows: int = 0
    written: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    skipped_newer: int = 0
    unknown_users: int = 0
    malformed: int = 0
    resumed: bool = False
    completed: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def add(self, outcome: _PageOutcome, rows: int) -> None:
        self.pages += 1
        self.rows += rows
        self.written += outcome.written
        self.withdrawn += outcome.withdrawn
        self.unchanged += outcome.unchanged
        self.skipped_newer += outcome.skipped_newer
        self.unknown_users += outcome.unknown_users
        self.malformed += outcome.malformed

    def summary(self) -> str:
        """One line an operator can read at a glance."""
        state = "complete" if self.completed else "INCOMPLETE"
        extras = [state] + (["resumed"] if self.resumed else []) + (["dry run, nothing saved"] if self.dry_run else [])
        withdrawn = f"{self.withdrawn} withdrawn (no longer listed), " if self.withdrawn else ""
        return (
            f"{self.resource}: {self.pages} pages, {self.rows} rows read, {self.written} written, {withdrawn}"
            f"{self.unchanged} unchanged, {self.skipped_newer} skipped (newer event), "
            f"{self.unknown_users} unknown users, {self.malformed} malformed [{', '.join(extras)}]"
        )


@dataclass(frozen=True)
class _Page:
    """One answer of the platform: its rows, where the next page is (None on the last), and when it was asked."""

    url: str
    rows: list[Any]
    next_url: str | None
    as_of: datetime
    #: The course a per-course list is about (roles), even when the list is empty.
    course_key: CourseKey | None = None


@dataclass
class _PageOutcome:
    written: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    skipped_newer: int = 0
    unknown_users: int = 0
    malformed: int = 0


# --- the platform client --------------------------------------------------------------------------------------------


class PlatformClient:
    """
    The LMS's REST APIs, as Mentora's OAuth2 client.

    ``OAuthAPIClient`` fetches, caches and refreshes the client-credentials JWT itself and sends it as ``JWT <token>``
    (what Open edX expects). Transient failures are retried by urllib3's ``Retry`` mounted on the session, with
    exponential backoff and ``Retry-After`` honoured (the enrollment and course lists are throttled per user).
    The token request itself goes through plain ``requests`` inside the library and is not retried.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 30,
        max_retries: int = 5,
        backoff_seconds: float = 1.0,
        service_username: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.service_username = service_username
        self.session = OAuthAPIClient(self.base_url, client_id, client_secret, timeout=timeout)
        retry = Retry(
            total=max_retries,
            # urllib3 caps the wait at 120 s; ``backoff_max`` is not passed because urllib3 1.26 lacks it.
            backoff_factor=backoff_seconds,
            status_forcelist=TRANSIENT_STATUSES,
            # The role list is a POST only because the platform wants one; it reads, so retrying it is safe.
            allowed_methods=frozenset({"GET", "POST"}),
            respect_retry_after_header=True,
            # Hand the last failed answer back rather than raising, so the error names the status and the URL.
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @classmethod
    def from_settings(cls) -> PlatformClient:
        """A client configured by the ``MENTORA_PLATFORM_*`` and ``MENTORA_SYNC_*`` settings, read now."""
        client_id = getattr(settings, "MENTORA_PLATFORM_OAUTH_CLIENT_ID", "")
        client_secret = getattr(settings, "MENTORA_PLATFORM_OAUTH_CLIENT_SECRET", "")
        if not client_id or not client_secret:
            raise SyncError(
                "Set MENTORA_PLATFORM_OAUTH_CLIENT_ID and MENTORA_PLATFORM_OAUTH_CLIENT_SECRET to an OAuth2 "
                "client-credentials application of the LMS whose user is global staff."
            )
        return cls(
            settings.MENTORA_PLATFORM_API_URL,
            client_id,
            client_secret,
            timeout=settings.MENTORA_SYNC_TIMEOUT_SECONDS,
            max_retries=settings.MENTORA_SYNC_MAX_RETRIES,
            backoff_seconds=settings.MENTORA_SYNC_BACKOFF_SECONDS,
            service_username=getattr(settings, "MENTORA_PLATFORM_SERVICE_USERNAME", ""),
        )

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        """An absolute URL on the platform for ``path`` and query ``params``."""
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    def rebase(self, link: str) -> str:
        """
        A ``next`` link, moved onto the configured platform origin.

        The platform builds its links from the Host header it saw, which behind a proxy may be a public name or
        scheme this service should not use; and the JWT must never be sent to any other host than the LMS.
        """
        base = urlsplit(self.base_url)
        target = urlsplit(link)
        return urlunsplit((base.scheme, base.netloc, target.path, target.query, ""))

    def get(self, url: str) -> dict[str, Any]:
        return self._send("GET", url)

    def post(self, url: str, data: dict[str, str]) -> dict[str, Any]:
        return self._send("POST", url, data=data)

    def _send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise SyncError(f"{method} {url} failed: {error}") from error
        if response.status_code >= 400:
            retried = " after retries" if response.status_code in TRANSIENT_STATUSES else ""
            raise SyncError(
                f"{method} {url} answered HTTP {response.status_code} {response.reason}{retried}: "
                f"{response.text[:300]}"
            )
        try:
            body = response.json()
        except ValueError:
            raise SyncError(f"{method} {url} did not answer JSON: {response.text[:300]}") from None
        if not isinstance(body, dict):
            raise SyncError(f"{method} {url} answered {type(body).__name__}, not a JSON object.")
        return body


# --- rows -----------------------------------------------------------------------------------------------------------


def _course_key(value: Any) -> CourseKey:
    if not isinstance(value, str):
        raise _MalformedRow(f"the course id is missing or not a string: {value!r}")
    return _parse_course_key(value)


@functools.lru_cache(maxsize=4096)
def _parse_course_key(value: str) -> CourseKey:
    """
    Parsing a course key costs tens of microseconds and a page of enrollments names the same few courses a thousand
    times over; keys are immutable, so one parse per distinct string serves every row (invalid ones are not cached).
    """
    try:
        return api.parse_course_key(value)
    except api.HostError as error:
        raise _MalformedRow(str(error)) from None


def _string(row: dict, name: str, max_length: int) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value:
        raise _MalformedRow(f"'{name}' is missing or not a string")
    if len(value) > max_length:
        raise _MalformedRow(f"'{name}' is longer than {max_length} characters")
    return value


def _time(row: dict, name: str) -> datetime | None:
    value = row.get(name)
    if value in (None, ""):
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise _MalformedRow(f"'{name}' is not an ISO 8601 date-time: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def _rows_of(body: dict, url: str, key: str = "results") -> list:
    rows = body.get(key)
    if not isinstance(rows, list):
        raise SyncError(f"{url} answered without a '{key}' list; is MENTORA_PLATFORM_API_URL the LMS?")
    return rows


def _user_ids(usernames: set[str]) -> dict[str, int]:
    """Local user ids by username, in one query for the whole page: the LMS owns users, Mentora only looks up."""
    if not usernames:
        return {}
    return dict(get_user_model().objects.filter(username__in=usernames).values_list("username", "pk"))


def _skip(resource: str, page: _Page, index: int, reason: Any) -> None:
    log.warning("mentora_sync %s: skipped malformed row %d of %s: %s", resource, index, page.url, reason)


# --- checkpoints and the page walk ----------------------------------------------------------------------------------


def _start(
    resource: str, first_url: str, rebase: Callable[[str], str], *, resume: bool, dry_run: bool, stats: SyncStats
) -> str | None:
    """
    The URL to fetch first: the checkpoint's when resuming an unfinished run, else the first page.

    A fresh run resets the checkpoint (a finished run's ``completed_at`` too). Returns None when a resumed run
    has nothing left to do. A dry run reads the checkpoint but never writes it. A resumed URL is moved onto the
    platform origin configured now, in case MENTORA_PLATFORM_API_URL changed since the interrupted run.
    """
    checkpoint = SyncCheckpoint.objects.filter(resource=resource).first()
    if resume and checkpoint is not None:
        if checkpoint.completed_at is not None:
            stats.completed = True
            stats.notes.append(f"already complete since {checkpoint.completed_at:%Y-%m-%d %H:%M:%S} UTC")
            return None
        stats.resumed = True
        stats.notes.append(f"resumed after {checkpoint.items_seen} rows, at {checkpoint.next_url}")
        return rebase(checkpoint.next_url)
    if resume:
        stats.notes.append("no checkpoint to resume from: started from the first page")
    elif checkpoint is not None and checkpoint.completed_at is None:
        stats.notes.append("an earlier run had stopped: started again from the first page (--resume continues it)")
    if not dry_run:
        SyncCheckpoint.objects.update_or_create(
            resource=resource,
            defaults={"next_url": first_url, "items_seen": 0, "started_at": timezone.now(), "completed_at": None},
        )
    return first_url


def _walk(
    client: PlatformClient,
    resource: str,
    first_url: str,
    fetch: Callable[[str], _Page],
    write: Callable[[_Page], _PageOutcome],
    *,
    resume: bool,
    dry_run: bool,
    on_page: Callable[[SyncStats], None] | None,
    notes: Sequence[str] = (),
) -> SyncStats:
    """
    Fetch, write and checkpoint pages until the platform says there is no next one.

    The page's rows and the checkpoint that points past it commit together: a crash between two pages loses
    nothing and repeats nothing. A dry run rolls each page back, checkpoint included.
    """
    stats = SyncStats(resource=resource, dry_run=dry_run, notes=list(notes))
    url = _start(resource, first_url, client.rebase, resume=resume, dry_run=dry_run, stats=stats)
    seen: set[str] = set()
    try:
        while url:
            if url in seen:
                raise SyncError(f"The platform sent {url} twice as the next page; stopping rather than looping.")
            seen.add(url)
            page = fetch(url)
            with transaction.atomic():
                try:
                    outcome = write(page)
                except api.HostError as error:
                    raise SyncError(f"The rows of {page.url} were refused: {error}") from error
                now = timezone.now()
                SyncCheckpoint.objects.filter(resource=resource).update(
                    next_url=page.next_url or "",
                    items_seen=F("items_seen") + len(page.rows),
                    modified=now,
                    completed_at=None if page.next_url else now,
                )
                if dry_run:
                    transaction.set_rollback(True)
            stats.add(outcome, len(page.rows))
            log.info("mentora_sync %s: page %d done, %d rows", resource, stats.pages, len(page.rows))
            if on_page:
                on_page(stats)
            url = page.next_url
    except SyncError as error:
        error.stats = stats
        raise
    stats.completed = True
    return stats


def _fetch_list(client: PlatformClient, url: str, next_of: Callable[[dict], Any]) -> _Page:
    as_of = timezone.now()  # before sending: the page reflects the platform at some instant after this one
    body = client.get(url)
    link = next_of(body)
    if link is not None and not isinstance(link, str):
        raise SyncError(f"{url} answered a 'next' link that is not a string: {link!r}")
    return _Page(url=url, rows=_rows_of(body, url), next_url=client.rebase(link) if link else None, as_of=as_of)


# --- courses --------------------------------------------------------------------------------------------------------


def backfill_courses(
    client: PlatformClient,
    *,
    page_size: int,
    course: CourseKey | None = None,
    resume: bool = False,
    dry_run: bool = False,
    on_page: Callable[[SyncStats], None] | None = None,
) -> SyncStats:
    """
    Back-fill the course projection (key, title, dates) from the course list, or one course's detail.

    Courses are few (hundreds), so each new or changed course goes through ``api.record_course`` (the events'
    writer); one read per page finds the courses that are already as the page says and leaves them unwritten.
    """
    identity = {"username": client.service_username} if client.service_username else {}
    notes = [] if identity else [
        "MENTORA_PLATFORM_SERVICE_USERNAME is not set: the platform lists only the courses an anonymous visitor sees"
    ]
    if course is not None:
        first_url = client.url(f"/api/courses/v1/courses/{quote(str(course), safe=':+/')}/", identity)

        def fetch(url: str) -> _Page:
            as_of = timezone.now()
            return _Page(url=url, rows=[client.get(url)], next_url=None, as_of=as_of)

        resource = f"courses:{course}"
    else:
        first_url = client.url("/api/courses/v1/courses/", {"page_size": page_size, **identity})

        def fetch(url: str) -> _Page:
            return _fetch_list(client, url, lambda body: (body.get("pagination") or {}).get("next"))

        resource = "courses"

    def write(page: _Page) -> _PageOutcome:
        outcome = _PageOutcome()
        parsed: dict[str, tuple[CourseKey, str, datetime | None, datetime | None]] = {}
        for index, row in enumerate(page.rows):
            try:
                if not isinstance(row, dict):
                    raise _MalformedRow("not a JSON object")
                key = _course_key(row.get("id") or row.get("course_id"))
                title = row.get("name") or ""
                if not isinstance(title, str):
                    raise _MalformedRow("'name' is not a string")
                # The projection keeps 255 characters of a title; a longer one is still the course's.
                parsed[str(key)] = (key, title[:255], _time(row, "start"), _time(row, "end"))
            except _MalformedRow as reason:
                outcome.malformed += 1
                _skip(resource, page, index, reason)
        known = {
            str(row.course_key): row for row in Course.objects.filter(course_key__in=[v[0] for v in parsed.values()])
        }
        for key, title, start, end in parsed.values():
            row = known.get(str(key))
            if row is not None and row.last_event_at and row.last_event_at > page.as_of:
                outcome.skipped_newer += 1
            elif row is not None and row.title == title and start in (None, row.start) and end in (None, row.end):
                outcome.unchanged += 1
            else:
                api.record_course(key, page.as_of, title=title, start=start, end=end)
                outcome.written += 1
        return outcome

    options = {"resume": resume, "dry_run": dry_run, "on_page": on_page, "notes": notes}
    return _walk(client, resource, first_url, fetch, write, **options)


# --- enrollments ----------------------------------------------------------------------------------------------------


def backfill_enrollments(
    client: PlatformClient,
    *,
    page_size: int,
    course: CourseKey | None = None,
    resume: bool = False,
    dry_run: bool = False,
    on_page: Callable[[SyncStats], None] | None = None,
) -> SyncStats:
    """
    Back-fill the enrollment projection from the platform's staff-only enrollment list, optionally of one course.

    Per page: one query maps the page's usernames to user ids, then ``api.bulk_record_enrollments`` writes what
    differs in a few queries, whatever the page size; unchanged rows are not rewritten.
    """
    params: dict[str, Any] = {"page_size": page_size}
    if course is not None:
        params["course_id"] = str(course)
    resource = f"enrollments:{course}" if course is not None else "enrollments"

    def fetch(url: str) -> _Page:
        return _fetch_list(client, url, lambda body: body.get("next"))

    def write(page: _Page) -> _PageOutcome:
        outcome = _PageOutcome()
        parsed: dict[tuple[str, str], tuple[str, CourseKey, str, bool]] = {}
        for index, row in enumerate(page.rows):
            try:
                if not isinstance(row, dict):
                    raise _MalformedRow("not a JSON object")
                username = _string(row, "user", 150)
                key = _course_key(row.get("course_id"))
                mode = _string(row, "mode", 100)
                is_active = row.get("is_active")
                if not isinstance(is_active, bool):
                    raise _MalformedRow(f"'is_active' is not true or false: {is_active!r}")
                parsed[(username, str(key))] = (username, key, mode, is_active)
            except _MalformedRow as reason:
                outcome.malformed += 1
                _skip(resource, page, index, reason)
        user_ids = _user_ids({username for username, _ in parsed})
        records = []
        for username, key, mode, is_active in parsed.values():
            if username not in user_ids:
                outcome.unknown_users += 1
                continue
            records.append(EnrollmentRecord(user_id=user_ids[username], course_key=key, mode=mode, is_active=is_active))
        return _written(outcome, records, api.bulk_record_enrollments(records, page.as_of))

    first_url = client.url("/api/enrollment/v1/enrollments/", params)
    return _walk(client, resource, first_url, fetch, write, resume=resume, dry_run=dry_run, on_page=on_page)


def _written(outcome: _PageOutcome, records: Sequence[Any], result: api.BulkResult) -> _PageOutcome:
    outcome.written += result.written
    outcome.skipped_newer += result.skipped_newer
    outcome.unchanged += len(records) - result.written - result.skipped_newer
    return outcome


# --- course roles ---------------------------------------------------------------------------------------------------


def backfill_roles(
    client: PlatformClient,
    *,
    course: CourseKey | None = None,
    resume: bool = False,
    dry_run: bool = False,
    on_page: Callable[[SyncStats], None] | None = None,
) -> SyncStats:
    """
    Back-fill the platform's course-level staff and instructor roles, one course (two requests) per page.

    The platform has no list of every role, so the courses are those of the local course projection, in key
    order (back-fill courses first), or the one ``course``. The checkpoint holds the next course's URL.
    """
    if course is not None:
        course_ids = [str(course)]
        resource = f"roles:{course}"
    else:
        course_ids = sorted(str(key) for key in Course.objects.values_list("course_key", flat=True))
        resource = "roles"

    def url_of(course_id: str) -> str:
        return client.url(f"/courses/{quote(course_id, safe=':+/')}/instructor/api/list_course_role_members")

    def fetch(url: str) -> _Page:
        match = _ROLE_URL.search(urlsplit(url).path)
        try:
            key = _course_key(unquote(match["course_id"]) if match else None)
        except _MalformedRow:
            raise SyncError(f"The roles checkpoint holds {url}, no course's role list: run without --resume.") from None
        as_of = timezone.now()
        rows: list[tuple[CourseKey, str, Any]] = []
        for rolename in PLATFORM_ROLES:
            body = client.post(url, {"rolename": rolename})
            rows.extend((key, rolename, member) for member in _rows_of(body, url, rolename))
        # The first course after this one; found by key, so courses added since a checkpoint do not shift it.
        following = bisect.bisect_right(course_ids, str(key))
        next_url = url_of(course_ids[following]) if following < len(course_ids) else None
        return _Page(url=url, rows=rows, next_url=next_url, as_of=as_of, course_key=key)

    def write(page: _Page) -> _PageOutcome:
        outcome = _PageOutcome()
        parsed: dict[tuple[str, str], tuple[str, CourseKey, str]] = {}
        for index, (key, rolename, member) in enumerate(page.rows):
            try:
                username = _string(member if isinstance(member, dict) else {}, "username", 150)
                parsed[(username, rolename)] = (username, key, rolename)
            except _MalformedRow as reason:
                outcome.malformed += 1
                _skip(resource, page, index, reason)
        user_ids = _user_ids({username for username, _ in parsed})
        records = []
        for username, key, rolename in parsed.values():
            if username not in user_ids:
                outcome.unknown_users += 1
                continue
            records.append(
                CourseRoleRecord(user_id=user_ids[username], org=key.org, course_key=key, role=rolename, is_active=True)
            )
        outcome = _written(outcome, records, api.bulk_record_course_roles(records, page.as_of))
        # The page is the course's complete list of these roles: a local holder missing from it lost the role while
        # no event reached Mentora. Unless some rows could not be read, in which case nobody is withdrawn.
        if not outcome.malformed:
            listed = {user_ids[username] for username, _key, _role in parsed.values() if username in user_ids}
            outcome.withdrawn += api.withdraw_course_roles_not_listed(
                page.course_key, PLATFORM_ROLES, listed, page.as_of
            )
        return outcome

    if not course_ids:
        stats = SyncStats(resource=resource, completed=True, dry_run=dry_run)
        stats.notes.append("no courses in the course projection: back-fill courses first")
        return stats
    return _walk(client, resource, url_of(course_ids[0]), fetch, write, resume=resume, dry_run=dry_run, on_page=on_page)


# --- all of it ------------------------------------------------------------------------------------------------------


def iter_sync(
    resources: Sequence[str] = RESOURCES,
    *,
    client: PlatformClient | None = None,
    page_size: int | None = None,
    course: CourseKey | None = None,
    resume: bool = False,
    dry_run: bool = False,
    on_page: Callable[[SyncStats], None] | None = None,
) -> Iterator[SyncStats]:
    """
    Back-fill ``resources`` in dependency order (courses, enrollments, then roles), yielding each one's stats.

    A generator, so the command can report each resource as soon as it is done. Raises ``SyncError`` (with the
    interrupted resource's stats) on the first failure; the resources before it are complete.
    """
    unknown = set(resources) - set(RESOURCES)
    if unknown:
        raise SyncError(f"Unknown resources: {', '.join(sorted(unknown))}; choose among {', '.join(RESOURCES)}.")
    client = client or PlatformClient.from_settings()
    size = page_size or settings.MENTORA_SYNC_PAGE_SIZE
    options = {"course": course, "resume": resume, "dry_run": dry_run, "on_page": on_page}
    for resource in RESOURCES:
        if resource not in resources:
            continue
        if resource == "courses":
            yield backfill_courses(client, page_size=size, **options)
        elif resource == "enrollments":
            yield backfill_enrollments(client, page_size=size, **options)
        else:
            yield backfill_roles(client, **options)
