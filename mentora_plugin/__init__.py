"""
Mentora: human mentoring for Open edX, as one plugin for the LMS and Studio.

Each capability is its own Django app under this package (``host``, and the domains as they come); this package's
own app (``mentora``) carries what they share: plugin settings, the REST API root and its documentation, templates,
static files and the translation catalogs.
"""

__version__ = "0.1.0"
