"""
Who may do what in reviews (OEP-66, django-rules). Names follow ``mentora_reviews.<action>_<model>``; the object is a
course key unless said otherwise.
"""
from __future__ import annotations

import rules

from mentora_plugin.host.rules import is_course_learner, is_course_staff, is_course_trainer, is_platform_staff

#: Submit work to a course's projects.
rules.add_perm("mentora_reviews.submit_project", is_course_learner)
#: See a course's review queue, claim and review its submissions.
rules.add_perm("mentora_reviews.review_submission", is_course_trainer | is_course_staff | is_platform_staff)
#: Grant extensions, override grades, manage teams and the rubric library of a course.
rules.add_perm("mentora_reviews.manage_project", is_course_staff | is_platform_staff)
