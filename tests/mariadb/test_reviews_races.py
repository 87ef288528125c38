"""
Project reviews under real concurrency, on MariaDB: trainers claiming one submission at once, a learner's double
clicks on "Submit", a release sent twice, and uploads racing the file limit.

Each test starts threads together (a barrier), each on its own connection, each calling ``reviews.api`` as the block,
the REST API or the pages would. What must hold: one claim, one version, one grade, never more files than allowed;
the losers get a clear ``ReviewsError`` (a 409 or 400 code), never a database error, and nothing saved is lost.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from submissions import api as submissions_api

from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api, notifications
from mentora_plugin.reviews.models import Claim, GradeChange, Review, Submission, SubmissionFile, SubmissionVersion
from tests.conftest import COURSE, at
from tests.mariadb.conftest import THREADS

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()
USAGE = COURSE.make_usage_key("mentora_project", "race")
RUBRIC = [{"key": "quality", "title": "Quality", "weight": 1,
           "levels": [{"points": 0, "label": "Weak"}, {"points": 10, "label": "Strong"}]}]


@pytest.fixture(autouse=True)
def _quiet(monkeypatch, settings, tmp_path):
    """Emails are the notifications module's business (tested elsewhere); files go to a temporary folder."""
    monkeypatch.setattr(notifications, "notify", lambda *args, **kwargs: None)
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def course():
    host_api.record_course(COURSE, at(0), title="Races 101")
    learner = User.objects.create(username="learner", email="learner@example.com")
    host_api.record_enrollment(learner.pk, COURSE, "audit", True, at(0))
    now = timezone.now()
    api.sync_project(USAGE, COURSE, {
        "title": "Race", "rubric": RUBRIC, "accepts_text": True, "accepts_files": True, "max_files": 3,
        "allowed_extensions": ["txt"], "start": now - timedelta(days=1), "due": now + timedelta(days=3),
        "points_possible": 10,
    })
    return learner


def _trainers(count: int) -> list:
    trainers = []
    for index in range(count):
        trainer = User.objects.create(username=f"trainer{index}", email=f"trainer{index}@example.com")
        host_api.grant_trainer_role(COURSE, trainer, granted_by=None)
        trainers.append(trainer)
    return trainers


def _code(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
        return "ok"
    except api.ReviewsError as error:
        return error.code


def test_trainers_claiming_one_submission_at_once_one_claim(race, course):
    trainers = _trainers(THREADS)
    api.save_draft(course, USAGE, text="My work.")
    submission_id = api.submit(course, USAGE).id

    outcome = race(lambda index: _code(api.claim_submission, trainers[index], submission_id))

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("ok") == 1 and results.count("already_claimed") == THREADS - 1
    winner = trainers[next(index for index, result in outcome.results.items() if result == "ok")]
    assert list(Claim.objects.values_list("trainer_id", flat=True)) == [winner.pk]
    assert list(Review.objects.values_list("reviewer_id", flat=True)) == [winner.pk]  # one draft, the winner's
    assert Submission.objects.get(pk=submission_id).status == "in_review"


def test_a_learners_double_submit_makes_one_version(race, course):
    api.save_draft(course, USAGE, text="Submitted once, however many clicks.")

    outcome = race(lambda index: _code(api.submit, course, USAGE, student_id="anon-learner"))

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("ok") == 1 and results.count("waiting_for_review") == THREADS - 1
    version = SubmissionVersion.objects.get()
    assert version.number == 1 and version.text == "Submitted once, however many clicks."
    student_item = {"student_id": "anon-learner", "course_id": str(COURSE), "item_id": str(USAGE),
                    "item_type": "mentora_project"}
    assert len(submissions_api.get_submissions(student_item)) == 1  # one edx-submissions submission too


def test_a_release_sent_twice_grades_once(race, course):
    trainer = _trainers(1)[0]
    api.save_draft(course, USAGE, text="Graded once.")
    submission_id = api.submit(course, USAGE, student_id="anon-learner").id
    review_id = api.claim_submission(trainer, submission_id).review_id
    api.save_review(trainer, submission_id, scores={"quality": {"level": 1, "comment": "Strong."}},
                    feedback="Well done.")

    outcome = race(lambda index: _code(api.release_review, trainer, review_id, "approved"), threads=8)

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("ok") == 1 and set(results) - {"ok"} <= {"review_not_editable", "claim_required"}
    assert GradeChange.objects.count() == 1
    student_item = {"student_id": "anon-learner", "course_id": str(COURSE), "item_id": str(USAGE),
                    "item_type": "mentora_project"}
    assert submissions_api.get_score(student_item)["points_earned"] == 10
    submission = Submission.objects.get(pk=submission_id)
    assert (submission.status, submission.points_earned) == ("approved", 10.0)


def test_uploads_racing_the_file_limit_keep_to_it(race, course):
    api.save_draft(course, USAGE, text="With files.")

    def upload(index: int):
        return _code(api.add_draft_file, course, USAGE,
                     SimpleUploadedFile(f"notes{index}.txt", b"notes %d" % index, content_type="text/plain"))

    outcome = race(upload)

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("ok") == 3 and results.count("too_many_files") == THREADS - 3
    assert SubmissionFile.objects.count() == 3
    assert Submission.objects.get().draft_text == "With files."  # the draft saved before stays intact
