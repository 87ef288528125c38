"""
The demo's Celery app, configured from Django's settings (``CELERY_*``) as the LMS's own app is.

Mentora's tasks are ``shared_task``s: they run on whichever app the host project defines. In the demo and the tests
``CELERY_TASK_ALWAYS_EAGER`` makes them run in-process, so no broker is needed.
"""
from celery import Celery

app = Celery("devsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
