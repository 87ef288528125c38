"""
Seed the demo: people, two courses, enrollments and course roles, announced to Mentora with the platform's events.

Safe to run again: the platform's events are replayed (Mentora's receivers are idempotent) and users are reused.
"""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from opaque_keys.edx.keys import CourseKey
from openedx_events.content_authoring.data import CourseCatalogData, CourseScheduleData
from openedx_events.content_authoring.data import CourseData as AuthoringCourseData
from openedx_events.content_authoring.signals import COURSE_CATALOG_INFO_CHANGED, COURSE_CREATED
from openedx_events.learning.data import (
    CourseAccessRoleData,
    CourseData,
    CourseEnrollmentData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    COURSE_ACCESS_ROLE_ADDED,
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)

from devsite.people import COURSE_KEY, COURSE_TITLE, PEOPLE, SECOND_COURSE_KEY, SECOND_COURSE_TITLE
from devsite.seed_badges import seed_badges
from devsite.seed_communities import seed_communities
from devsite.seed_reviews import seed_reviews
from devsite.seed_trainers import seed_trainers
from mentora_plugin.booking import api as booking_api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.host import api


def user_data(user) -> UserData:
    """The platform's event representation of a user."""
    return UserData(
        id=user.pk,
        is_active=user.is_active,
        pii=UserPersonalData(username=user.username, email=user.email, name=user.get_full_name()),
    )


def announce_course(course_key: CourseKey, title: str, start: datetime) -> None:
    """What Studio sends when a course is created, then published."""
    COURSE_CREATED.send_event(course=AuthoringCourseData(course_key=course_key))
    COURSE_CATALOG_INFO_CHANGED.send_event(
        catalog_info=CourseCatalogData(
            course_key=course_key,
            name=title,
            schedule_data=CourseScheduleData(start=start, pacing="instructor", end=start + timedelta(days=120)),
        )
    )


def enroll(user, course_key: CourseKey, title: str, mode: str) -> None:
    """What the LMS sends on every enroll: CHANGED, then CREATED."""
    enrollment = CourseEnrollmentData(
        user=user_data(user),
        course=CourseData(course_key=course_key, display_name=title),
        mode=mode,
        is_active=True,
        creation_date=datetime.now(UTC),
    )
    COURSE_ENROLLMENT_CHANGED.send_event(enrollment=enrollment)
    COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment)


def unenroll(user, course_key: CourseKey, title: str, mode: str) -> None:
    """What the LMS sends when a learner leaves a course."""
    enrollment = CourseEnrollmentData(
        user=user_data(user),
        course=CourseData(course_key=course_key, display_name=title),
        mode=mode,
        is_active=False,
        creation_date=datetime.now(UTC),
    )
    COURSE_ENROLLMENT_CHANGED.send_event(enrollment=enrollment)
    COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=enrollment)


def add_role(user, course_key: CourseKey, role: str) -> None:
    """What the LMS sends when course staff add someone to the course team."""
    COURSE_ACCESS_ROLE_ADDED.send_event(
        course_access_role_data=CourseAccessRoleData(
            user=user_data(user), org_key=course_key.org, course_key=course_key, role=role
        )
    )


class Command(BaseCommand):
    help = "Seed the Mentora demo with people, courses, enrollments and roles, through the platform's events."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, (name, _description, platform_staff) in PEOPLE.items():
            first, _, last = name.partition(" ")
            user, _ = get_user_model().objects.update_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.com",
                    "first_name": first,
                    "last_name": last,
                    "is_staff": platform_staff,
                    "is_superuser": platform_staff,
                },
            )
            user.set_unusable_password()
            user.save()
            users[username] = user

        course = CourseKey.from_string(COURSE_KEY)
        second = CourseKey.from_string(SECOND_COURSE_KEY)
        start = datetime(2026, 9, 1, tzinfo=UTC)
        announce_course(course, COURSE_TITLE, start)
        announce_course(second, SECOND_COURSE_TITLE, start + timedelta(days=30))

        enroll(users["alice"], course, COURSE_TITLE, "verified")
        enroll(users["alice"], second, SECOND_COURSE_TITLE, "audit")
        enroll(users["bruno"], course, COURSE_TITLE, "audit")
        enroll(users["chloe"], course, COURSE_TITLE, "audit")
        unenroll(users["chloe"], course, COURSE_TITLE, "audit")
        enroll(users["tariq"], course, COURSE_TITLE, "honor")
        add_role(users["sofia"], course, "staff")
        add_role(users["ines"], course, "instructor")
        add_role(users["ines"], second, "instructor")

        api.grant_trainer_role(
            course, users["tariq"], granted_by=users["sofia"], reason="Ten years of mentoring data teams."
        )
        api.grant_trainer_role(second, users["tariq"], granted_by=users["ines"], reason="Leads the data projects.")
        seed_trainers(users, course, second, self.stdout)
        self.seed_booking(course, users)
        seed_reviews(users, course, self.stdout)
        seed_badges(users, course, self.stdout)
        seed_communities(users, course, self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo seeded: {len(users)} people, 2 courses."))

    def seed_booking(self, course: CourseKey, users: dict) -> None:
        """Tariq's availability and session types, and a few bookings made through the booking API."""
        tariq = users["tariq"]
        booking_api.set_calendar(tariq, time_zone="Europe/Paris", max_sessions_per_day=6)
        booking_api.set_weekly_rules(
            tariq,
            [WeeklyRule(day, time(9), time(12)) for day in range(5)]
            + [WeeklyRule(1, time(14), time(18)), WeeklyRule(3, time(14), time(18))],
        )
        offered = {session_type.title: session_type for session_type in booking_api.list_session_types(trainer=tariq)}
        kinds = {
            "Project review (1:1)": {
                "description": "Bring your project; we go through it together against the rubric.",
                "duration_minutes": 45, "slot_interval_minutes": 15, "buffer_after_minutes": 15,
                "location": "video", "location_detail": "https://meet.example.org/tariq", "learner_max_per_week": 2,
            },
            "Office hours (group)": {
                "description": "Drop in with your questions; up to three learners.",
                "duration_minutes": 60, "capacity": 3, "location": "video",
                "location_detail": "https://meet.example.org/tariq-office-hours",
            },
            "Career conversation": {
                "description": "A longer talk about where you are heading. Tariq confirms each request.",
                "duration_minutes": 60, "requires_approval": True, "location": "in_person",
                "location_detail": "Room 2.14, Learning Centre",
            },
        }
        for title, fields in kinds.items():
            if title not in offered:
                offered[title] = booking_api.create_session_type(tariq, course, title=title, window_days=45, **fields)
        paris = ZoneInfo("Europe/Paris")
        today = datetime.now(paris).date()
        monday = today + timedelta(days=7 - today.weekday())
        wishes = [
            ("alice", "Project review (1:1)", datetime.combine(monday, time(10), tzinfo=paris),
             "Feedback on my capstone"),
            ("alice", "Office hours (group)", datetime.combine(monday + timedelta(days=2), time(9), tzinfo=paris), ""),
            ("bruno", "Office hours (group)", datetime.combine(monday + timedelta(days=2), time(9), tzinfo=paris), ""),
            ("bruno", "Career conversation", datetime.combine(monday + timedelta(days=1), time(15), tzinfo=paris),
             "Moving into data engineering"),
        ]
        for username, title, start, goal in wishes:
            try:
                booking_api.book(users[username], offered[title].id, start, goal=goal,
                                 idempotency_key=f"demo-{username}-{title}-{start:%Y%m%d%H%M}")
            except booking_api.BookingError as error:  # already booked by an earlier run, or no longer free
                self.stdout.write(f"  {username}: {title} at {start:%a %H:%M} not booked ({error.code})")
