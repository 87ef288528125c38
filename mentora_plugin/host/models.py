"""
Local projections of the platform's courses, enrollments and course roles, and Mentora's own trainer role.

The projections are written only by ``api`` (from openedx-events receivers and ``mentora_sync``); each row remembers
the time of the platform event it reflects (``last_event_at``) so that a late or replayed event never overwrites a
newer state. The user foreign keys of the projections carry no database constraint: an event may name a user this
service has not seen yet (see ``api.record_enrollment``), and the row must still be kept.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField


class Course(models.Model):
    """
    A course of the platform, as Mentora knows it.

    .. no_pii:
    """

    course_key = CourseKeyField(max_length=255, unique=True)
    org = models.CharField(max_length=255, db_index=True)
    title = models.CharField(max_length=255, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ("course_key",)

    def __str__(self) -> str:
        return f"{self.title or self.course_key} ({self.course_key})"


class Enrollment(models.Model):
    """
    A user's enrollment in a course: the mode and whether it is active.

    .. pii: Which courses a user is enrolled in, and in which mode.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False, related_name="mentora_enrollments"
    )
    course_key = CourseKeyField(max_length=255)
    mode = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    last_event_at = models.DateTimeField()
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [models.UniqueConstraint(fields=["user", "course_key"], name="mentora_host_enrollment_unique")]
        indexes = [models.Index(fields=["course_key", "is_active"], name="mentora_host_enr_course_active")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_key} ({self.mode}, {'active' if self.is_active else 'inactive'})"


class CourseAccessRole(models.Model):
    """
    A platform role held by a user in a course or a whole organisation (``course_key`` empty).

    .. pii: Which course or organisation roles a user holds.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False, related_name="mentora_course_roles"
    )
    org = models.CharField(max_length=255, blank=True)
    course_key = CourseKeyField(max_length=255, blank=True)
    role = models.CharField(max_length=64)
    # A removed role is kept inactive, so that an "added" event delivered late cannot bring it back.
    is_active = models.BooleanField(default=True)
    last_event_at = models.DateTimeField()

    class Meta:
        verbose_name = _("course access role")
        verbose_name_plural = _("course access roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "course_key", "role"], name="mentora_host_role_unique")
        ]
        indexes = [models.Index(fields=["course_key", "role", "is_active"], name="mentora_host_role_course")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role} in {self.course_key or self.org}"


class TrainerGrant(models.Model):
    """
    Mentora's own course role: the user mentors in this course. Granted and revoked by course staff.

    A revoked grant is kept (inactive) so that who granted and who revoked, and why, stays on record.

    .. pii: Who mentors in which course, who granted or revoked it and why.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentora_trainer_grants")
    course_key = CourseKeyField(max_length=255)
    is_active = models.BooleanField(default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("trainer grant")
        verbose_name_plural = _("trainer grants")
        constraints = [models.UniqueConstraint(fields=["user", "course_key"], name="mentora_host_trainer_unique")]
        indexes = [models.Index(fields=["course_key", "is_active"], name="mentora_host_trainer_course")]

    def __str__(self) -> str:
        return f"{self.user_id} trains in {self.course_key}{'' if self.is_active else ' (revoked)'}"


class SyncCheckpoint(models.Model):
    """
    Where ``mentora_sync`` stopped in one of the platform's paginated lists, so an interrupted run can resume.

    .. no_pii:
    """

    resource = models.CharField(max_length=255, unique=True)
    next_url = models.TextField(blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    modified = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sync checkpoint")
        verbose_name_plural = _("sync checkpoints")

    def __str__(self) -> str:
        return f"{self.resource}: {'done' if self.completed_at else self.next_url}"


class CoursePassingStatus(models.Model):
    """
    Whether a learner's grade passes a course, as the platform last announced it (``COURSE_PASSING_STATUS_UPDATED``).

    The trainers' levels count the learners a trainer mentored who passed (the seed's learner success); badges will
    ask whether a course was passed. A learner whose grade falls below the pass mark again is kept ``is_passing=False``
    (the platform announces both directions). Like enrollments, the user foreign key carries no database constraint.

    .. pii: Whether a user's grade passes a course.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False, related_name="mentora_passing_statuses"
    )
    course_key = CourseKeyField(max_length=255)
    is_passing = models.BooleanField(default=False)
    last_event_at = models.DateTimeField()
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("course passing status")
        verbose_name_plural = _("course passing statuses")
        constraints = [models.UniqueConstraint(fields=["user", "course_key"], name="mentora_host_passing_unique")]
        indexes = [models.Index(fields=["course_key", "is_passing"], name="mentora_host_passing_course")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_key}: {'passing' if self.is_passing else 'not passing'}"
