"""The host API beyond the projections: Mentora's trainer role, learners, retirement, the course tab."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentora_plugin.host import api, compat
from mentora_plugin.host.course_tab import MentoraCourseTab
from mentora_plugin.host.data import CourseRole
from mentora_plugin.host.models import CourseAccessRole, Enrollment, TrainerGrant
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    api.record_course(COURSE, at(0), title="Mentoring 101")
    return COURSE


class TestTrainerRole:
    def test_grant_is_idempotent_and_recorded(self, make_user, course):
        staff, trainer = make_user(), make_user()
        first = api.grant_trainer_role(course, trainer, granted_by=staff, reason="Expert")
        again = api.grant_trainer_role(course, trainer, granted_by=staff, reason="Expert")
        assert TrainerGrant.objects.count() == 1
        assert first.granted_at == again.granted_at
        assert (first.username, first.granted_by_username, first.reason) == (trainer.username, staff.username, "Expert")
        assert api.get_course_roles(trainer, course) == {CourseRole.TRAINER}
        assert list(api.get_course_trainers(course)) == [trainer]
        assert list(api.get_course_trainers(OTHER_COURSE)) == []

    def test_revoke_keeps_the_record_and_regrant_restores(self, make_user, course):
        staff, trainer = make_user(), make_user()
        api.grant_trainer_role(course, trainer, granted_by=staff)
        assert api.revoke_trainer_role(course, trainer, revoked_by=staff, reason="Left") is True
        assert api.revoke_trainer_role(course, trainer, revoked_by=staff) is False
        grant = TrainerGrant.objects.get()
        assert (grant.is_active, grant.revoked_by, grant.revoke_reason) == (False, staff, "Left")
        assert api.get_course_roles(trainer, course) == frozenset()
        assert api.get_trainer_grants(course) == []
        assert len(api.get_trainer_grants(course, include_revoked=True)) == 1
        api.grant_trainer_role(course, trainer, granted_by=staff, reason="Back")
        grant.refresh_from_db()
        assert (grant.is_active, grant.revoked_by, grant.reason) == (True, None, "Back")

    def test_inactive_or_unknown_users_cannot_be_granted(self, make_user, course):
        inactive = make_user(is_active=False)
        with pytest.raises(api.UnknownUserError):
            api.grant_trainer_role(course, inactive, granted_by=None)
        with pytest.raises(api.UnknownUserError):
            api.grant_trainer_role(course, 987654, granted_by=None)
        with pytest.raises(api.InvalidCourseKeyError):
            api.grant_trainer_role("nope", make_user(), granted_by=None)
        assert not TrainerGrant.objects.exists()


class TestReads:
    def test_learners_are_active_enrollments_of_active_users(self, make_user, course):
        alice, bob, carol, dora = make_user("alice"), make_user("bob"), make_user("carol"), make_user("dora")
        api.record_enrollment(alice.pk, course, "audit", True, at(0))
        api.record_enrollment(bob.pk, course, "verified", True, at(0))
        api.record_enrollment(carol.pk, course, "audit", False, at(0))
        api.record_enrollment(dora.pk, OTHER_COURSE, "audit", True, at(0))
        bob.is_active = False
        bob.save()
        assert list(api.get_course_learners(course)) == [alice]

    def test_roles_are_memoised_per_request_and_forgotten_on_writes(self, make_user, course):
        learner = make_user()
        api.record_enrollment(learner.pk, course, "audit", True, at(0))
        api.get_course_roles(learner, course)
        with CaptureQueriesContext(connection) as queries:
            assert api.get_course_roles(learner, course) == {CourseRole.LEARNER}
        assert len(queries) == 0
        api.record_enrollment(learner.pk, course, "audit", False, at(1))
        assert api.get_course_roles(learner, course) == frozenset()

    def test_anonymous_has_no_role(self, course):
        from django.contrib.auth.models import AnonymousUser

        assert api.get_course_roles(AnonymousUser(), course) == frozenset()
        assert api.get_course_role(None, course) is None

    def test_most_privileged_role(self, make_user, course):
        person = make_user()
        api.record_enrollment(person.pk, course, "audit", True, at(0))
        api.grant_trainer_role(course, person, granted_by=None)
        assert api.get_course_role(person, course) == CourseRole.TRAINER
        from mentora_plugin.host.data import CourseRoleRecord

        api.record_course_role(CourseRoleRecord(person.pk, course.org, course, "instructor"), at(1))
        assert api.get_course_role(person, course) == CourseRole.INSTRUCTOR

    def test_course_staff_are_its_staff_instructors_and_org_staff(self, make_user, course):
        from mentora_plugin.host.data import CourseRoleRecord

        instructor, staff, org_staff, other, gone, learner = (make_user(username=name) for name in (
            "ines", "sam", "olga", "oscar", "gus", "lea"))
        api.record_course_role(CourseRoleRecord(instructor.pk, course.org, course, "instructor"), at(0))
        api.record_course_role(CourseRoleRecord(staff.pk, course.org, course, "staff"), at(0))
        api.record_course_role(CourseRoleRecord(org_staff.pk, course.org, None, "staff"), at(0))
        api.record_course_role(CourseRoleRecord(other.pk, OTHER_COURSE.org, OTHER_COURSE, "staff"), at(0))
        api.record_course_role(CourseRoleRecord(gone.pk, course.org, course, "staff"), at(0))
        api.record_course_role(CourseRoleRecord(gone.pk, course.org, course, "staff", is_active=False), at(1))
        api.record_enrollment(learner.pk, course, "audit", True, at(0))
        api.grant_trainer_role(course, learner, granted_by=None)

        assert [user.username for user in api.get_course_staff(course)] == ["ines", "olga", "sam"]
        assert [user.username for user in api.get_course_staff(OTHER_COURSE)] == ["olga", "oscar"]  # same org

    def test_unknown_course(self):
        assert api.get_course("course-v1:No+Such+Course") is None
        with pytest.raises(api.InvalidCourseKeyError):
            api.get_course("not-a-key")
        with pytest.raises(api.InvalidCourseKeyError):
            api.parse_course_key(42)


class TestRetirement:
    def test_the_retirement_signal_erases_the_users_projections(self, make_user, course):
        """The stand-in carries the platform's USER_RETIRE_LMS_CRITICAL contract: ``user=`` the user retired."""
        leaving, staying, staff = make_user(), make_user(), make_user()
        for person in (leaving, staying):
            api.record_enrollment(person.pk, course, "audit", True, at(0))
            api.grant_trainer_role(course, person, granted_by=staff)
        api.grant_trainer_role(OTHER_COURSE, staying, granted_by=leaving)
        from mentora_plugin.host.data import CourseRoleRecord

        api.record_course_role(CourseRoleRecord(leaving.pk, course.org, course, "staff"), at(0))

        compat.get_retirement_signals()["USER_RETIRE_LMS_CRITICAL"].send(sender=None, user=leaving)

        assert not Enrollment.objects.filter(user=leaving).exists()
        assert not CourseAccessRole.objects.filter(user=leaving).exists()
        assert not TrainerGrant.objects.filter(user=leaving).exists()
        assert TrainerGrant.objects.get(user=staying, course_key=OTHER_COURSE).granted_by is None
        assert Enrollment.objects.filter(user=staying).count() == 1
        assert TrainerGrant.objects.filter(user=staying).count() == 2

    def test_outside_the_lms_the_stand_ins_are_used(self):
        signals = compat.get_retirement_signals()
        assert set(signals) == {"USER_RETIRE_LMS_CRITICAL", "USER_RETIRE_LMS_MISC"}
        assert signals["USER_RETIRE_LMS_CRITICAL"] is compat.STANDIN_RETIREMENT_SIGNALS["USER_RETIRE_LMS_CRITICAL"]

    def test_platform_signals_are_used_when_the_platform_is_there(self, monkeypatch):
        import sys
        import types

        from django.dispatch import Signal

        platform = types.ModuleType(compat._RETIREMENT_SIGNALS_MODULE)
        platform.USER_RETIRE_LMS_CRITICAL, platform.USER_RETIRE_LMS_MISC = Signal(), Signal()
        monkeypatch.setitem(sys.modules, compat._RETIREMENT_SIGNALS_MODULE, platform)
        assert compat.get_retirement_signals()["USER_RETIRE_LMS_CRITICAL"] is platform.USER_RETIRE_LMS_CRITICAL


class TestCourseTab:
    class FakeCourse:
        id = COURSE

    def test_shown_to_people_with_a_part_in_the_course(self, make_user, course):
        learner, stranger = make_user(), make_user()
        api.record_enrollment(learner.pk, course, "audit", True, at(0))
        assert MentoraCourseTab.is_enabled(self.FakeCourse(), learner) is True
        assert MentoraCourseTab.is_enabled(self.FakeCourse(), stranger) is False
        assert MentoraCourseTab.is_enabled(self.FakeCourse(), None) is False

    def test_toggle_hides_it(self, make_user, course, settings):
        learner = make_user()
        api.record_enrollment(learner.pk, course, "audit", True, at(0))
        settings.MENTORA_COURSE_TAB_ENABLED = False
        assert MentoraCourseTab.is_enabled(self.FakeCourse(), learner) is False

    def test_outside_the_lms_the_tab_builds_on_the_stand_in(self):
        assert issubclass(MentoraCourseTab, compat.StandinCourseTab)
        assert MentoraCourseTab({"type": "mentora"}).tab_dict == {"type": "mentora"}
        assert MentoraCourseTab.view_name == "mentora:course-home"


class TestDisplayName:
    def test_the_lms_profile_name_comes_first(self, make_user):
        person = make_user("jdoe", first_name="John", last_name="Doe")
        assert api.display_name(person) == "John Doe"
        person.profile = type("Profile", (), {"name": "Jean Dupont"})()  # the LMS's UserProfile, by duck type
        assert api.display_name(person) == "Jean Dupont"

    def test_the_username_is_the_last_resort(self, make_user):
        assert api.display_name(make_user("nameless")) == "nameless"


class TestMentoraEvents:
    """Granting and withdrawing the trainer role is announced, once committed, as Mentora's own events."""

    def test_grant_and_revoke_are_announced_after_commit(self, make_user, course, django_capture_on_commit_callbacks,
                                                         caplog):
        from mentora_plugin.host.signals import TRAINER_ROLE_GRANTED, TRAINER_ROLE_REVOKED

        staff, trainer = make_user("boss"), make_user("mentor")
        received = []

        def receiver(signal, sender, trainer_role, metadata, **kwargs):
            role = trainer_role
            received.append((metadata.event_type, role.user.id, role.changed_by_id, role.reason))

        TRAINER_ROLE_GRANTED.connect(receiver)
        TRAINER_ROLE_REVOKED.connect(receiver)
        try:
            with caplog.at_level("INFO", logger="mentora.tracking"):
                with django_capture_on_commit_callbacks(execute=False) as callbacks:
                    api.grant_trainer_role(course, trainer, granted_by=staff, reason="Expert")
                assert received == []  # nothing is announced before the transaction commits
                for callback in callbacks:
                    callback()
                with django_capture_on_commit_callbacks(execute=True):
                    api.grant_trainer_role(course, trainer, granted_by=staff, reason="Again")  # no change: silent
                    api.revoke_trainer_role(course, trainer, revoked_by=staff, reason="Left")
                    api.revoke_trainer_role(course, trainer, revoked_by=staff, reason="Twice")  # no change: silent
        finally:
            TRAINER_ROLE_GRANTED.disconnect(receiver)
            TRAINER_ROLE_REVOKED.disconnect(receiver)
        assert received == [
            ("org.openedx.mentora.course.trainer_role.granted.v1", trainer.pk, staff.pk, "Expert"),
            ("org.openedx.mentora.course.trainer_role.revoked.v1", trainer.pk, staff.pk, "Left"),
        ]
        assert "edx.mentora.trainer_role.granted" in caplog.text and "edx.mentora.trainer_role.revoked" in caplog.text

    def test_the_platform_tracker_is_used_when_there(self, monkeypatch):
        import sys
        import types

        emitted = []
        tracker = types.ModuleType("eventtracking.tracker")
        tracker.emit = lambda name, data: emitted.append((name, data))
        monkeypatch.setitem(sys.modules, "eventtracking.tracker", tracker)
        compat.emit_tracking_event("edx.mentora.test", {"a": 1})
        assert emitted == [("edx.mentora.test", {"a": 1})]

    def test_the_events_cross_the_event_bus(self, make_user, course):
        """Their data round-trips through openedx-events' Avro serialisation, which the event bus uses."""
        from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
        from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes
        from openedx_events.learning.data import UserData, UserPersonalData

        from mentora_plugin.host.signals import TRAINER_ROLE_GRANTED, TrainerRoleData

        data = {
            "trainer_role": TrainerRoleData(
                user=UserData(id=7, is_active=True, pii=UserPersonalData(username="m", email="m@example.com")),
                course_key=course,
                changed_by_id=3,
                reason="Expert",
            )
        }
        wire = serialize_event_data_to_bytes(data, TRAINER_ROLE_GRANTED)
        assert deserialize_bytes_to_event_data(wire, TRAINER_ROLE_GRANTED) == data
