"""
``manage.py lms mentora_sync``: back-fill Mentora's course, enrollment and role projections from the LMS's REST APIs.

For installs that predate Mentora: the openedx-events receivers keep the projections current from installation on,
and this command copies what happened before. It is safe to run at any time and any number of times (a second run
changes nothing), and ``--resume`` continues an interrupted run from its last written page. The work itself is in
``mentora_plugin.host.sync``; this module only turns options into a call and results into lines for the operator.
"""
from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mentora_plugin.host import api, sync


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


class Command(BaseCommand):
    help = (
        "Back-fill Mentora's courses, enrollments and course roles from the platform's REST APIs "
        "(MENTORA_PLATFORM_API_URL, as the OAuth2 client MENTORA_PLATFORM_OAUTH_CLIENT_ID)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--resource",
            choices=[*sync.RESOURCES, "all"],
            default="all",
            help="What to back-fill; 'all' runs courses, enrollments, then roles (roles are listed per known course).",
        )
        parser.add_argument(
            "--resume", action="store_true", help="Continue an interrupted run from its last written page."
        )
        parser.add_argument(
            "--page-size",
            type=_positive,
            help="Rows per request (default MENTORA_SYNC_PAGE_SIZE; the platform caps its lists at 100).",
        )
        parser.add_argument(
            "--course", help="Only this course (a course key): its catalog entry, enrollments and roles."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, count what would change, save nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            course = api.parse_course_key(options["course"]) if options["course"] else None
        except api.HostError as error:
            raise CommandError(str(error)) from error
        resources = sync.RESOURCES if options["resource"] == "all" else (options["resource"],)
        verbose = options["verbosity"] >= 2

        def progress(stats: sync.SyncStats) -> None:
            if verbose:
                self.stdout.write(f"  {stats.resource}: page {stats.pages} ({stats.rows} rows so far)")

        try:
            for stats in sync.iter_sync(
                resources,
                page_size=options["page_size"],
                course=course,
                resume=options["resume"],
                dry_run=options["dry_run"],
                on_page=progress,
            ):
                self._report(stats)
        except sync.SyncError as error:
            if error.stats is None:
                raise CommandError(f"mentora_sync could not start: {error}") from error
            self._report(error.stats)
            raise CommandError(
                f"mentora_sync stopped: {error}\nThe pages written so far are kept; run again with --resume to "
                "continue from the page that failed."
            ) from error

    def _report(self, stats: sync.SyncStats) -> None:
        style = self.style.SUCCESS if stats.completed else self.style.WARNING
        self.stdout.write(style(stats.summary()))
        for note in stats.notes:
            self.stdout.write(f"  {note}")
