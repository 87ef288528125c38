"""Plugin settings, injected into the LMS and Studio settings by edx-django-utils' ``add_plugins``."""
