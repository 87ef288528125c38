"""
Mentora's own public events about course roles (openedx-events signals, ``org.openedx.mentora.*`` event types).

Receivers get ``trainer_role`` (a ``TrainerRoleData``) and the usual ``metadata``.
"""
import attr
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import UserData
from openedx_events.tooling import OpenEdxPublicSignal


@attr.s(frozen=True)
class TrainerRoleData:
    """
    A user's Mentora trainer role in a course, and who changed it.

    Attributes:
        user (UserData): the trainer.
        course_key (CourseKey): the course.
        changed_by_id (int): the user who granted or revoked the role; 0 when done by the system.
        reason (str): the reason given, possibly empty.
    """

    user = attr.ib(type=UserData)
    course_key = attr.ib(type=CourseKey)
    changed_by_id = attr.ib(type=int)
    reason = attr.ib(type=str, factory=str)


# .. event_type: org.openedx.mentora.course.trainer_role.granted.v1
# .. event_name: TRAINER_ROLE_GRANTED
# .. event_description: A user became a Mentora trainer in a course (or became one again after a withdrawal).
# .. event_data: TrainerRoleData
# .. event_trigger_repository: mentora
TRAINER_ROLE_GRANTED = OpenEdxPublicSignal(
    event_type="org.openedx.mentora.course.trainer_role.granted.v1", data={"trainer_role": TrainerRoleData}
)

# .. event_type: org.openedx.mentora.course.trainer_role.revoked.v1
# .. event_name: TRAINER_ROLE_REVOKED
# .. event_description: A user's Mentora trainer role in a course was withdrawn.
# .. event_data: TrainerRoleData
# .. event_trigger_repository: mentora
TRAINER_ROLE_REVOKED = OpenEdxPublicSignal(
    event_type="org.openedx.mentora.course.trainer_role.revoked.v1", data={"trainer_role": TrainerRoleData}
)
