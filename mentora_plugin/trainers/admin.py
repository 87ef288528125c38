"""
The Django admin of trainers. Every change goes through ``api`` (the same functions as the pages and the REST API),
so the admin cannot skip the state machine, the audit trail or the level log.
"""
from mentora_plugin.trainers import admin_applications  # noqa: F401  (registers the applications' admin)
