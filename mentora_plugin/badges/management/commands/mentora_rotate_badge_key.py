"""
``manage.py lms mentora_rotate_badge_key``: retire the key that signs Open Badges 3.0 credentials and make a new one.

Run it on a schedule (yearly, say) or at once if the database may have leaked. Credentials signed by the old key keep
verifying (its public key stays published at /badges/keys/); credentials served from now on carry the new key.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mentora_plugin.badges import keys


class Command(BaseCommand):
    help = "Retire the active Open Badges 3.0 signing key and create a new one (old credentials still verify)."

    def handle(self, *args: Any, **options: Any) -> None:
        before = {key.key_id for key in keys.published_keys() if key.retired_at is None}
        new = keys.rotate_signing_key()
        for key_id in sorted(before):
            self.stdout.write(f"Retired {key_id}")
        self.stdout.write(self.style.SUCCESS(f"Active {new.key_id}"))
