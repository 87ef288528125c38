"""
The one door between Mentora and Open edX.

Everything Mentora knows about the platform's courses, enrollments and course roles lives here as local
projections, fed by the platform's openedx-events signals and back-filled by ``mentora_sync``. Other Mentora apps
ask ``mentora_plugin.host.api``; nothing outside this package imports an edx-platform module.
"""
