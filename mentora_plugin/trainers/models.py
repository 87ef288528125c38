"""
Trainers' data: the shared skill taxonomy, trainer profiles, applications and their audit trail, the activity and
ratings that feed levels, level changes, and disputes.

A trainer is an ordinary user with a ``TrainerProfile``. The profile row is also the lock that serialises every
change to one trainer's application and level (``SELECT ... FOR UPDATE``): two reviewers deciding at once, or the
daily recompute racing a staff override, can never both apply.

Checks that span rows (one open application per user, the state machine's transitions) live in ``api``: Django 4.2
and 5.2 spell check constraints differently, and MariaDB has no partial unique indexes.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

USER = settings.AUTH_USER_MODEL


class SkillLevel(models.IntegerChoices):
    """How well a trainer masters a skill, declared by them or validated by a reviewer."""

    BEGINNER = 1, _("Beginner")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")
    EXPERT = 4, _("Expert")


class Skill(models.Model):
    """
    One entry of the skill taxonomy that trainers' profiles and badges share. ``parent`` groups skills.

    .. no_pii:
    """

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class TrainerProfile(models.Model):
    """
    A user's trainer profile, from their first application on; public once they are an active trainer.

    ``level`` is the key of a level of ``MENTORA_TRAINER_LEVELS``; the ``level_*`` fields carry its automatic
    management (a warning before a demotion, a staff lock). ``rating_*`` are kept up to date with the ratings so
    that search can sort by the Bayesian average without aggregating.

    .. pii: The trainer's public profile (headline, biography, experience, languages, time zone, photo, links), their
       trainer status and level.
    .. pii_types: biography, name, image, location, external_service
    .. pii_retirement: local_api
    """

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active trainer")
        SUSPENDED = "suspended", _("Suspended")

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="mentora_trainer_profile")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLICANT)
    headline = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, help_text=_("Markdown."))
    experience_years = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(80)])
    experience = models.TextField(blank=True, help_text=_("Markdown: past roles, teaching, projects."))
    languages = models.JSONField(default=list, blank=True, help_text=_("Language codes, e.g. [\"fr\", \"en\"]."))
    time_zone = models.CharField(max_length=64, default="UTC")
    photo = models.ImageField(upload_to="mentora/trainers/photos/", blank=True)
    links = models.JSONField(default=list, blank=True, help_text=_("A list of {\"label\": ..., \"url\": ...}."))
    activated_at = models.DateTimeField(null=True, blank=True)
    probation_until = models.DateTimeField(null=True, blank=True)
    level = models.CharField(max_length=32, blank=True)
    level_locked = models.BooleanField(default=False)
    level_lock_reason = models.TextField(blank=True)
    level_warning_at = models.DateTimeField(null=True, blank=True)
    level_computed_at = models.DateTimeField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    rating_score = models.FloatField(default=0.0, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trainer profile")
        verbose_name_plural = _("trainer profiles")
        indexes = [models.Index(fields=["status", "level"], name="mentora_trainers_status_lvl")]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.status}, {self.level or '-'})"


class TrainerSkill(models.Model):
    """
    A skill on a trainer's profile: the level they declare, and the level a reviewer validated.

    .. no_pii:
    """

    profile = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="trainer_skills")
    is_specialisation = models.BooleanField(default=False)
    declared_level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, default=SkillLevel.BEGINNER)
    validated_level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, null=True, blank=True)
    validated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    validated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trainer skill")
        verbose_name_plural = _("trainer skills")
        constraints = [models.UniqueConstraint(fields=["profile", "skill"], name="mentora_trainers_skill_unique")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.skill_id}"


class PortfolioItem(models.Model):
    """
    A piece of work on a trainer's profile, with its evidence (a link or a file).

    .. pii: Work the trainer chose to show, possibly with a file.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    profile = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="portfolio")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    url = models.URLField(max_length=500, blank=True)
    evidence = models.FileField(upload_to="mentora/trainers/evidence/", blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="portfolio_items")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("portfolio item")
        verbose_name_plural = _("portfolio items")
        ordering = ("-created",)

    def __str__(self) -> str:
        return self.title


class TrainerScope(models.Model):
    """
    Where an approved trainer may act: the whole platform, one organisation, or one course.

    .. no_pii:
    """

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Whole platform")
        ORG = "org", _("Organisation")
        COURSE = "course", _("Course")

    profile = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="scopes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    org = models.CharField(max_length=255, blank=True)
    course_key = CourseKeyField(max_length=255, blank=True)
    application = models.ForeignKey("TrainerApplication", null=True, blank=True, on_delete=models.SET_NULL)
    granted_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("trainer scope")
        verbose_name_plural = _("trainer scopes")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind", "org", "course_key"], name="mentora_trainers_scope_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.kind} {self.course_key or self.org}"


class TrainerApplication(models.Model):
    """
    One application to become a trainer, walking the state machine of ``applications.TRANSITIONS``.

    .. pii: What the applicant wrote (motivation, the micro-task's answer), the interview notes and the decision.
    .. pii_types: biography, other
    .. pii_retirement: local_api
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SCREENING = "screening", _("Screening")
        SKILLS_CHECK = "skills_check", _("Skills check")
        DECISION = "decision", _("Decision")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    profile = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="applications")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    scope_kind = models.CharField(max_length=16, choices=TrainerScope.Kind.choices, default=TrainerScope.Kind.PLATFORM)
    scope_org = models.CharField(max_length=255, blank=True)
    scope_course_key = CourseKeyField(max_length=255, blank=True)
    motivation = models.TextField(blank=True, help_text=_("Markdown."))
    micro_task_answer = models.TextField(blank=True)
    interview_at = models.DateTimeField(null=True, blank=True)
    interview_notes = models.TextField(blank=True)
    screening_problems = models.JSONField(default=list, blank=True)
    decision_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reapply_after = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trainer application")
        verbose_name_plural = _("trainer applications")
        ordering = ("-created",)
        indexes = [models.Index(fields=["state", "submitted_at"], name="mentora_trainers_app_queue")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.state}"


class ApplicationTransition(models.Model):
    """
    The audit trail of an application: every change of state, who made it, when and why.

    .. pii: Who acted on an application and why.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    application = models.ForeignKey(TrainerApplication, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state} -> {self.to_state}"


class ApplicationReviewer(models.Model):
    """
    A reviewer assigned to an application, with their vote once they cast it.

    .. pii: Who reviews whom, their vote and its reason.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Vote(models.TextChoices):
        NONE = "", _("Not yet")
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(TrainerApplication, on_delete=models.CASCADE, related_name="reviewers")
    reviewer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_application_reviews")
    assigned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField()
    vote = models.CharField(max_length=8, choices=Vote.choices, blank=True, default=Vote.NONE)
    vote_reason = models.TextField(blank=True)
    voted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application reviewer")
        verbose_name_plural = _("application reviewers")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="mentora_trainers_reviewer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.reviewer_id} {self.vote or '-'}"


class ApplicationScore(models.Model):
    """
    A reviewer's score of an application on one criterion of ``MENTORA_TRAINER_APPLICATION_RUBRIC``.

    .. pii: A reviewer's judgement of an applicant.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    application = models.ForeignKey(TrainerApplication, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    criterion = models.CharField(max_length=64)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application score")
        verbose_name_plural = _("application scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer", "criterion"], name="mentora_trainers_score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.criterion}={self.score}"


class OnboardingStep(models.Model):
    """
    A step of the onboarding checklist (``MENTORA_TRAINER_ONBOARDING_STEPS``) that a new trainer completed.

    .. no_pii:
    """

    profile = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="onboarding_steps")
    step = models.CharField(max_length=64)
    completed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")
        constraints = [models.UniqueConstraint(fields=["profile", "step"], name="mentora_trainers_onboarding_unique")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.step}"


class TrainerActivity(models.Model):
    """
    One interaction of a trainer with a learner, recorded from Mentora's events: a session that took place (or where
    a side did not come), a review released, an answer given. Levels count these; ratings need one.

    ``source_id`` is the id in the domain that announced it (a booking id, a review id); ``(kind, source_id)`` is
    unique, so an event delivered twice records once.

    .. pii: Which learner met which trainer, when, in which course.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Kind(models.TextChoices):
        SESSION = "session", _("Mentoring session")
        REVIEW = "review", _("Project review")
        ANSWER = "answer", _("Answer to a question")

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        TRAINER_NO_SHOW = "trainer_no_show", _("Trainer did not come")
        LEARNER_NO_SHOW = "learner_no_show", _("Learner did not come")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    source_id = models.CharField(max_length=64)
    trainer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_trainer_activity")
    learner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    course_key = CourseKeyField(max_length=255, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.DELIVERED)
    occurred_at = models.DateTimeField()
    turnaround_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("trainer activity")
        verbose_name_plural = _("trainer activity")
        constraints = [models.UniqueConstraint(fields=["kind", "source_id"], name="mentora_trainers_activity_unique")]
        indexes = [models.Index(fields=["trainer", "occurred_at"], name="mentora_trainers_activ_when")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}: {self.trainer_id} ({self.outcome})"


class TrainerRating(models.Model):
    """
    A learner's rating of a trainer after one real interaction (one rating per activity), with the trainer's public
    answer. Staff may hide an abusive one, with a reason; a hidden rating counts nowhere.

    .. pii: A learner's opinion of a trainer, the trainer's answer, who hid it and why.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    activity = models.OneToOneField(TrainerActivity, on_delete=models.CASCADE, related_name="rating")
    trainer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_ratings_received")
    learner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    course_key = CourseKeyField(max_length=255, blank=True)
    stars = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)
    hidden_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField()
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trainer rating")
        verbose_name_plural = _("trainer ratings")
        indexes = [models.Index(fields=["trainer", "created"], name="mentora_trainers_rating_when")]

    def __str__(self) -> str:
        return f"{self.trainer_id}: {self.stars}"


class LevelChange(models.Model):
    """
    The log of a trainer's level: every promotion, warning, demotion, lock and override, with the figures that
    caused it (``snapshot``).

    .. pii: A trainer's level history and the figures behind it.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", _("First level")
        PROMOTION = "promotion", _("Promotion")
        WARNING = "warning", _("Warning")
        WARNING_CLEARED = "warning_cleared", _("Warning lifted")
        DEMOTION = "demotion", _("Demotion")
        LOCK = "lock", _("Level locked")
        UNLOCK = "unlock", _("Level unlocked")
        OVERRIDE = "override", _("Level set by staff")

    profile = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="level_changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_level = models.CharField(max_length=32, blank=True)
    to_level = models.CharField(max_length=32, blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.kind} {self.from_level} -> {self.to_level}"


class Dispute(models.Model):
    """
    A problem a learner or a trainer reports about the other; a confidential staff case. An upheld complaint against
    a trainer counts against their level.

    .. pii: Who complained about whom, what they wrote, and the staff's resolution.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    class Category(models.TextChoices):
        NO_SHOW = "no_show", _("Did not come")
        CONDUCT = "conduct", _("Behaviour")
        QUALITY = "quality", _("Quality of the help")
        OTHER = "other", _("Other")

    reporter = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reported = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    against_trainer = models.BooleanField(default=True)
    course_key = CourseKeyField(max_length=255, blank=True)
    activity = models.ForeignKey(TrainerActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    description = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    upheld = models.BooleanField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ("-created",)
        indexes = [
            models.Index(fields=["status", "created"], name="mentora_trainers_disp_queue"),
            models.Index(fields=["reported", "upheld", "resolved_at"], name="mentora_trainers_disp_upheld"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.status}"


class DisputeNote(models.Model):
    """
    A staff note on a dispute, or a status change with its reason; never shown to the parties.

    .. pii: What staff wrote about a case.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    status_change = models.CharField(max_length=32, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dispute note")
        verbose_name_plural = _("dispute notes")
        ordering = ("created", "pk")

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.created}"


class SentNotification(models.Model):
    """
    A trainers' email that went out: the record that makes ``notifications.notify`` send each email at most once.

    ``key`` is the SHA-256 of the email's kind, its recipient and the caller's dedupe key (so it names nobody); the
    sending task inserts the row and sends in one transaction: a second delivery of the task finds the row and sends
    nothing, and a send that fails rolls the row back, so that the retry sends.

    .. no_pii:
    """

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent trainers' notification")
        verbose_name_plural = _("sent trainers' notifications")

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:12]}"
