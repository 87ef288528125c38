"""
``manage.py lms mentora_recompute_levels``: recompute trainers' levels now, as the daily Celery beat task does.

Without options every active trainer is recomputed (``levels.recompute_levels``); ``--trainer USERNAME`` (repeatable)
limits the run to those trainers, e.g. after a correction of their figures. Safe to run at any time and any number of
times: a second run at once changes nothing, and each email is sent once.
"""
from __future__ import annotations

import argparse
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mentora_plugin.trainers import levels


class Command(BaseCommand):
    help = "Recompute trainers' levels from their figures (promotions, warnings, demotions), as the daily task does."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--trainer",
            action="append",
            metavar="USERNAME",
            dest="trainers",
            help="Only this trainer (repeat for several). Users who are not active trainers are left alone.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        trainer_ids = None
        if options["trainers"]:
            usernames = set(options["trainers"])
            found = dict(
                get_user_model().objects.filter(username__in=usernames).values_list("username", "pk")
            )
            missing = sorted(usernames - set(found))
            if missing:
                raise CommandError(f"No such user: {', '.join(missing)}")
            trainer_ids = sorted(found.values())
        began = time.perf_counter()
        summary = levels.recompute_levels(trainer_ids)
        elapsed = time.perf_counter() - began
        self.stdout.write(
            f"Recomputed {summary.trainers} trainers in {summary.batches} batches ({elapsed:.1f} s): "
            f"{summary.promoted} promoted, {summary.warned} warned, {summary.cleared} warnings lifted, "
            f"{summary.demoted} demoted, {summary.unchanged} unchanged, {summary.locked} locked."
        )
