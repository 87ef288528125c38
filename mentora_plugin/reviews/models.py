"""
Reviews' data: projects (what the ``mentora_project`` block configures), rubric templates, extensions, teams,
submissions with their versions and files, reviews with their comments and files, the grade history, the trainer's
claim on a submission, the comment bank, learners' replies, and the gallery.

The ``Submission`` row is the lock of one learner's (or one team's) work on one project: submitting, claiming,
reviewing and releasing lock it first, so a claim cannot be taken twice and a release cannot race a resubmission.

A rubric is JSON: ``[{"key", "title", "description", "weight", "levels": [{"points", "label", "description"}]}]``,
validated by ``api``; the project keeps the rubric it was published with, and each review stores the points it gave.
"""
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField, UsageKeyField

USER = settings.AUTH_USER_MODEL


class Project(models.Model):
    """
    A practical project as its block configures it, mirrored here (``api.sync_project``) so that every door (the
    block, the REST API, the trainers' pages, Celery) enforces the same rules.

    .. no_pii:
    """

    usage_key = UsageKeyField(max_length=255, unique=True)
    course_key = CourseKeyField(max_length=255, db_index=True)
    title = models.CharField(max_length=255)
    brief = models.TextField(blank=True, help_text=_("Markdown."))
    rubric = models.JSONField(default=list)
    accepts_text = models.BooleanField(default=True)
    accepts_files = models.BooleanField(default=False)
    accepts_links = models.BooleanField(default=False)
    max_files = models.PositiveSmallIntegerField(default=3)
    max_file_mb = models.PositiveSmallIntegerField(default=10)
    allowed_extensions = models.JSONField(default=list, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    due = models.DateTimeField(null=True, blank=True)
    cutoff = models.DateTimeField(null=True, blank=True)
    max_resubmissions = models.PositiveSmallIntegerField(default=2)
    #: Whether a learner whose latest version was approved may still submit an improved one (within
    #: ``max_resubmissions``); ``MENTORA_REVIEWS_GRADE_POLICY`` then decides which approved grade counts.
    resubmit_after_approval = models.BooleanField(default=False)
    team_mode = models.BooleanField(default=False)
    graded = models.BooleanField(default=True)
    points_possible = models.PositiveSmallIntegerField(default=100, validators=[MinValueValidator(1)])
    self_assessment = models.BooleanField(default=False)
    second_marker = models.BooleanField(default=False)
    target_turnaround_hours = models.PositiveSmallIntegerField(default=72)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.title


class RubricTemplate(models.Model):
    """
    A rubric saved in a course's library, to start new projects from.

    .. no_pii:
    """

    course_key = CourseKeyField(max_length=255, db_index=True)
    title = models.CharField(max_length=255)
    criteria = models.JSONField(default=list)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rubric template")
        verbose_name_plural = _("rubric templates")
        constraints = [models.UniqueConstraint(fields=["course_key", "title"], name="mentora_reviews_rubric_unique")]

    def __str__(self) -> str:
        return self.title


class Extension(models.Model):
    """
    Later dates for one learner (or one team) on one project, granted by staff.

    .. pii: Which learner got more time, who granted it and why.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="extensions")
    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    due = models.DateTimeField(null=True, blank=True)
    cutoff = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [models.UniqueConstraint(fields=["project", "learner"], name="mentora_reviews_ext_unique")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.learner_id}"


class Team(models.Model):
    """
    Learners who submit one piece of work together on a team project.

    .. no_pii:
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=255)
    members = models.ManyToManyField(USER, related_name="mentora_review_teams", blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="mentora_reviews_team_unique")]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """
    One learner's (or one team's) work on one project: the autosaved draft, the status, and the versions submitted.

    .. pii: The learner's draft (text and links).
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for review")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="submissions")
    learner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    draft_text = models.TextField(blank=True)
    draft_links = models.JSONField(default=list, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    points_earned = models.FloatField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["project", "learner"], name="mentora_reviews_sub_learner"),
            models.UniqueConstraint(fields=["project", "team"], name="mentora_reviews_sub_team"),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="mentora_reviews_sub_queue"),
            # A trainer's queue, per project, oldest first: MariaDB reads the waiting rows from the index alone.
            models.Index(fields=["project", "status", "submitted_at"], name="mentora_reviews_sub_pqueue"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.learner_id or self.team_id} ({self.status})"


class SubmissionVersion(models.Model):
    """
    One submitted version, kept with its feedback when the learner resubmits. ``edx_submission_uuid`` is the
    edx-submissions submission it was recorded as (its student item is the block's usage key and the learner's
    anonymous id), which is where the grade is set; in team mode ``edx_submission_uuids`` lists every member's.

    .. pii: What the learner submitted, and their self-assessment.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)
    self_assessment = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    edx_submission_uuid = models.CharField(max_length=36, blank=True)
    #: Every edx-submissions submission of this version: the submitter's only, or in team mode one per member (the
    #: submitter's first), each of which gets the grade.
    edx_submission_uuids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("submission version")
        verbose_name_plural = _("submission versions")
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="mentora_reviews_version_unique")
        ]
        ordering = ("submission", "number")

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.number}"


class SubmissionFile(models.Model):
    """
    A file of a submission: in the draft (``version`` empty) until submitted, then frozen with its version.

    .. pii: A file the learner uploaded.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    version = models.ForeignKey(
        SubmissionVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to="mentora/reviews/submissions/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("submission file")
        verbose_name_plural = _("submission files")

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    """
    A trainer's claim on a submission waiting for review: a lock that expires, so a forgotten claim frees itself.

    .. no_pii:
    """

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="claim")
    trainer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.trainer_id} until {self.expires_at}"


class Review(models.Model):
    """
    A review of one version: per-criterion scores and comments, overall feedback, an outcome. A draft has no
    outcome; a released review has ``released_at``. A second marker's review (``role`` second) with an outcome but no
    ``released_at`` waits for the lead trainer, who confirms it (``confirmed_by``, which releases it) or returns it
    to its marker as a draft (``returned_*``, with why); staff overrides are ``GradeChange`` rows of their own kind.

    .. pii: A trainer's judgement of a learner's work.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Role(models.TextChoices):
        MARKER = "marker", _("Marker")
        SECOND = "second", _("Second marker")
        SELF = "self", _("Self-assessment")

    class Outcome(models.TextChoices):
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    version = models.ForeignKey(SubmissionVersion, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MARKER)
    scores = models.JSONField(default=dict, blank=True)
    feedback = models.TextField(blank=True, help_text=_("Markdown."))
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    points = models.FloatField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(blank=True, help_text=_("Why the lead trainer sent the review back."))
    returned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["reviewer", "released_at"], name="mentora_reviews_rev_when")]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.role} {self.outcome or '-'}"


class InlineComment(models.Model):
    """
    A comment anchored to a passage of a text submission (character offsets into the version's text, with the
    quoted passage kept so the anchor survives display changes).

    .. pii: A trainer's comment on a learner's text.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="inline_comments")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    comment = models.TextField()

    class Meta:
        verbose_name = _("inline comment")
        verbose_name_plural = _("inline comments")
        ordering = ("start", "pk")

    def __str__(self) -> str:
        return f"{self.review_id}@{self.start}"


class ReviewFile(models.Model):
    """
    A feedback file a trainer attached to a review.

    .. pii: A file about a learner's work.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="mentora/reviews/feedback/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("review file")
        verbose_name_plural = _("review files")

    def __str__(self) -> str:
        return self.name


class GradeChange(models.Model):
    """
    Every change of a submission's grade: who, when, why, from what to what (a release, a staff override).

    .. pii: A learner's grades and who changed them.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="grade_changes")
    version = models.ForeignKey(SubmissionVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    old_points = models.FloatField(null=True, blank=True)
    new_points = models.FloatField(null=True, blank=True)
    points_possible = models.FloatField()
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    kind = models.CharField(max_length=16)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.old_points} -> {self.new_points}"


class FeedbackReply(models.Model):
    """
    A learner's reply to the feedback on a version (and the trainer's answers), a short conversation.

    .. pii: What the learner and the trainer wrote to each other.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    version = models.ForeignKey(SubmissionVersion, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback reply")
        verbose_name_plural = _("feedback replies")
        ordering = ("created", "pk")

    def __str__(self) -> str:
        return f"{self.version_id}: {self.author_id}"


class CommentBankEntry(models.Model):
    """
    A comment a trainer reuses across reviews.

    .. pii: A trainer's saved comments.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    trainer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_comment_bank")
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment bank entry")
        verbose_name_plural = _("comment bank entries")
        ordering = ("-created",)

    def __str__(self) -> str:
        return self.text[:40]


class GalleryEntry(models.Model):
    """
    An approved project a trainer featured, shown only while its learner consents (revoking removes it at once).

    The row also keeps a consent given before any trainer featured the work (``featured_at`` empty until one does),
    and stays when the work is taken out of the gallery (``featured_at`` emptied), so that a consent is never asked
    twice. ``consented_by`` lists the ids of the people who consented: the learner, or each member of a team;
    ``consented_at`` is set once all of them have, and emptied as soon as one withdraws. The gallery shows the rows
    with both dates.

    .. pii: Which learner's work is showcased, and their consent.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="gallery_entry")
    featured_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    featured_at = models.DateTimeField(null=True, blank=True)
    consented_by = models.JSONField(default=list, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    skills = models.JSONField(default=list, blank=True)
    kudos_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("gallery entry")
        verbose_name_plural = _("gallery entries")
        indexes = [models.Index(fields=["consented_at", "featured_at"], name="mentora_reviews_gallery_shown")]

    def __str__(self) -> str:
        return f"{self.submission_id}"


class Kudos(models.Model):
    """
    One person's kudos to a gallery entry (once each).

    .. pii: Who gave kudos to whose work.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    entry = models.ForeignKey(GalleryEntry, on_delete=models.CASCADE, related_name="kudos")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kudos")
        verbose_name_plural = _("kudos")
        constraints = [models.UniqueConstraint(fields=["entry", "user"], name="mentora_reviews_kudos_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.user_id}"


class SentNotification(models.Model):
    """
    An email reviews sent, by its dedupe key (a hash), so that each goes once whatever Celery retries.

    .. no_pii:
    """

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")

    def __str__(self) -> str:
        return self.kind
