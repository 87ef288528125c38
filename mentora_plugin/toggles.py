"""
Mentora's feature toggles (OEP-17), each read at call time.

The annotations below are collected by code-annotations' feature toggle report, as for every Open edX toggle.
"""
from edx_toggles.toggles import SettingToggle

# .. toggle_name: MENTORA_COURSE_TAB_ENABLED
# .. toggle_implementation: SettingToggle
# .. toggle_default: True
# .. toggle_description: Shows the "Mentoring" tab in the courses of an LMS that has Mentora installed, for
#   enrolled learners, course staff and the course's trainers.
# .. toggle_use_cases: opt_out
# .. toggle_creation_date: 2026-11-25
COURSE_TAB_ENABLED = SettingToggle("MENTORA_COURSE_TAB_ENABLED", default=True, module_name=__name__)

# .. toggle_name: MENTORA_TRAINER_GRANTS_BY_COURSE_STAFF
# .. toggle_implementation: SettingToggle
# .. toggle_default: True
# .. toggle_description: Lets course staff and instructors grant and revoke the Mentora trainer role in their
#   course. When off, only platform staff can, for institutions that vet every trainer centrally.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-11-25
TRAINER_GRANTS_BY_COURSE_STAFF = SettingToggle(
    "MENTORA_TRAINER_GRANTS_BY_COURSE_STAFF", default=True, module_name=__name__
)
