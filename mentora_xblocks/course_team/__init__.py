"""
The "Mentora course team" block: who mentors in this course, and the viewer's part in it.

Registered as ``mentora_course_team`` under the ``xblock.v1`` entry point (see ``setup.py``).
"""
from mentora_xblocks.course_team.block import CourseTeamXBlock

__all__ = ["CourseTeamXBlock"]
