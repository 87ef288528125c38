"""
The demo site: a small Django project that stands where the LMS stands.

It loads Mentora through edx-django-utils' plugin functions exactly as the LMS does (``get_plugin_apps``,
``add_plugins``, ``get_plugin_url_patterns``, ``connect_plugin_receivers``), serves xblock-sdk's workbench for the
blocks, and plays the platform's part by sending the same openedx-events signals the LMS and Studio send.
"""

# Like the LMS's lms/__init__.py: the Celery app is loaded with the project, so shared tasks bind to it.
from devsite.celery import app as celery_app

__all__ = ["celery_app"]
