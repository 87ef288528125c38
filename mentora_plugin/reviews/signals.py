"""
Reviews' public events (openedx-events signals of Mentora's own ``org.openedx.mentora.reviews.*`` types).

Each is sent after the change commits (``mentora_plugin.events.announce``). The badges' rules react to these (a
project scored at least X %); nothing imports reviews' models to do so.
"""
from datetime import datetime

import attr
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.tooling import OpenEdxPublicSignal


@attr.s(frozen=True)
class ReviewReleasedData:
    """
    A review as it was released to its learners.

    Attributes:
        review_id (int): the released review (one event per release: a receiver may key its idempotency on it).
        submission_id (int): the submission it reviews.
        usage_key (UsageKey): the project block.
        course_key (CourseKey): the project's course.
        learner_ids (list[int]): who the work is by: the learner, or each active member of the team.
        outcome (str): ``approved`` or ``changes_requested`` (only an approval grades).
        points (float): the rubric's points of the review.
        points_possible (int): the project's points possible.
        released_at (datetime): when it was released (UTC).
    """

    review_id = attr.ib(type=int)
    submission_id = attr.ib(type=int)
    usage_key = attr.ib(type=UsageKey)
    course_key = attr.ib(type=CourseKey)
    learner_ids = attr.ib(type=list[int])
    outcome = attr.ib(type=str)
    points = attr.ib(type=float)
    points_possible = attr.ib(type=int)
    released_at = attr.ib(type=datetime)


# .. event_type: org.openedx.mentora.reviews.review.released.v1
# .. event_name: REVIEW_RELEASED
# .. event_description: A trainer's review of a project submission was released to its learners (approved, or
#   changes requested), directly or when the lead confirmed a second marker's review.
# .. event_data: ReviewReleasedData
# .. event_trigger_repository: mentora
REVIEW_RELEASED = OpenEdxPublicSignal(
    event_type="org.openedx.mentora.reviews.review.released.v1", data={"review": ReviewReleasedData}
)


def announce_review_released(
    *,
    review_id: int,
    submission_id: int,
    usage_key: UsageKey,
    course_key: CourseKey,
    learner_ids: list[int],
    outcome: str,
    points: float,
    points_possible: int,
    released_at: datetime,
) -> None:
    """
    Announce REVIEW_RELEASED (and the tracking event ``edx.mentora.reviews.review.released``) once the release
    commits. Takes plain values so that this module stays free of reviews' models.
    """
    from mentora_plugin.events import announce

    announce(
        REVIEW_RELEASED,
        "edx.mentora.reviews.review.released",
        {
            "review_id": review_id,
            "submission_id": submission_id,
            "usage_key": str(usage_key),
            "course_id": str(course_key),
            "outcome": outcome,
        },
        review=ReviewReleasedData(
            review_id=review_id,
            submission_id=submission_id,
            usage_key=usage_key,
            course_key=course_key,
            learner_ids=list(learner_ids),
            outcome=outcome,
            points=float(points),
            points_possible=int(points_possible),
            released_at=released_at,
        ),
    )
