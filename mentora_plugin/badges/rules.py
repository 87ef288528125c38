"""
Who may do what in badges (OEP-66, django-rules). Names follow ``mentora_badges.<action>_<model>``; the object is a
course key (or None for the platform's own badge classes) unless said otherwise.
"""
from __future__ import annotations

import rules

from mentora_plugin.host.rules import is_course_staff, is_platform_staff

#: Create and edit a course's badge classes (platform staff: the platform's too).
rules.add_perm("mentora_badges.manage_badgeclass", is_course_staff | is_platform_staff)
