"""
Badges' tables. A ``BadgeClass`` is what can be earned; a ``BadgeAward`` is one person earning it (the Open Badges
Assertion, or OB 3.0 credential); ``AwardRule`` awards automatically on events; ``SigningKey`` signs OB 3.0
credentials (old keys stay to verify what they signed).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

USER = settings.AUTH_USER_MODEL


class BadgeClass(models.Model):
    """
    A badge, certificate or competency that can be earned: what it means (criteria), what it looks like (image),
    what it aligns to (skills of the shared taxonomy), how long it lasts (expiry), and its scope (a course, or the
    platform when ``course_key`` is empty). Editing what it means raises ``version``; awards keep the version they
    were issued under.

    .. no_pii:
    """

    class Kind(models.TextChoices):
        BADGE = "badge", _("Badge")
        CERTIFICATE = "certificate", _("Certificate")
        COMPETENCY = "competency", _("Competency")

    class Expiry(models.TextChoices):
        NONE = "none", _("Never expires")
        DATE = "date", _("Expires on a date")
        DURATION = "duration", _("Expires after a number of days")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    description = models.TextField()
    criteria = models.TextField(help_text=_("Markdown."))
    image = models.FileField(upload_to="mentora/badges/images/")
    image_type = models.CharField(max_length=8)  # "png" or "svg"
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BADGE)
    skills = models.JSONField(default=list, blank=True)  # slugs of trainers' Skill taxonomy
    expiry = models.CharField(max_length=16, choices=Expiry.choices, default=Expiry.NONE)
    expires_on = models.DateTimeField(null=True, blank=True)
    valid_days = models.PositiveIntegerField(null=True, blank=True)
    course_key = CourseKeyField(max_length=255, blank=True, db_index=True)
    for_trainers = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("badge class")
        verbose_name_plural = _("badge classes")

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    """
    One person's award of a badge class: the hosted Open Badges 2.0 Assertion (at a stable URL by ``public_id``,
    the recipient as ``sha256$`` of their email and ``salt``) and the OB 3.0 credential. ``source_key`` makes awards
    idempotent (an event delivered twice awards once): at most one row per (badge class, recipient, source).
    Revocation keeps the row, with who, when and why; a later award is a new row.

    .. pii: Who earned which badge, the note and evidence about them, who revoked it and why.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="awards")
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mentora_badge_awards")
    salt = models.CharField(max_length=64)
    recipient_hash = models.CharField(max_length=100)  # "sha256$<hex>" of the email and the salt
    badge_version = models.PositiveIntegerField(default=1)
    source_key = models.CharField(max_length=255)
    issued_on = models.DateTimeField()
    expires_on = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    narrative = models.TextField(blank=True, help_text=_("Markdown."))
    evidence = models.JSONField(default=list, blank=True)  # [{"url", "name", "narrative"}]
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revocation_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        constraints = [
            models.UniqueConstraint(fields=["badge_class", "recipient", "source_key"],
                                    name="mentora_badges_award_once"),
        ]
        indexes = [models.Index(fields=["recipient", "issued_on"], name="mentora_badges_award_mine")]

    def __str__(self) -> str:
        return f"{self.badge_class_id} → {self.recipient_id}"


class SentBadgeNotification(models.Model):
    """
    An email badges sent about an award (its kind, the award, the person written to), so that each goes once
    whatever Celery retries or redelivers: the unique key refuses a second row. Deleted with the award, so a retired
    user's rows go with their awards.

    .. pii: Which badge emails were sent to whom (by ids only).
    .. pii_types: id
    .. pii_retirement: local_api
    """

    kind = models.CharField(max_length=32)
    award = models.ForeignKey(BadgeAward, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("sent badge notification")
        verbose_name_plural = _("sent badge notifications")
        constraints = [
            models.UniqueConstraint(fields=["kind", "award", "recipient"], name="mentora_badges_notified_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.award_id} → {self.recipient_id}"


class SigningKey(models.Model):
    """
    An Ed25519 key that signs Open Badges 3.0 credentials (Data Integrity ``eddsa-rdfc-2022``). One key is active;
    rotating makes a new one active and retires the old, whose public key stays published so that what it signed
    still verifies. ``key_id`` is the verification method's id (a ``did:key`` URL).

    .. no_pii:
    """

    key_id = models.CharField(max_length=255, unique=True)
    public_key_multibase = models.CharField(max_length=128)
    private_key = models.TextField()  # PKCS#8 PEM; protect the database as the platform's other secrets
    created = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.key_id


class AwardRule(models.Model):
    """
    Awards a badge class automatically when a learner (or, for trainers' badges, a trainer) meets its conditions,
    checked on the events that can change them. ``conditions`` is a list of ``{"kind", ...parameters}`` (kinds:
    ``project_score``, ``sessions_attended``, ``course_passed``, and for trainers ``trainer_metric``); ``mode`` says
    whether all of them or any one must hold.

    .. no_pii:
    """

    class Mode(models.TextChoices):
        ALL = "all", _("All conditions")
        ANY = "any", _("Any condition")

    badge_class = models.ForeignKey(BadgeClass, on_delete=models.CASCADE, related_name="rules")
    conditions = models.JSONField(default=list)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ALL)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")

    def __str__(self) -> str:
        return f"{self.badge_class_id}: {self.mode} of {len(self.conditions or [])}"


class PortfolioSettings(models.Model):
    """
    A learner's choice to share their skills portfolio: private unless they turn ``public`` on; ``share_token`` is
    the unguessable part of the public link (a new one when they share again after stopping).

    .. pii: Whether a person shares their portfolio, and the token of its public link.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="mentora_badge_portfolio")
    public = models.BooleanField(default=False)
    share_token = models.CharField(max_length=64, unique=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portfolio settings")
        verbose_name_plural = _("portfolio settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {'public' if self.public else 'private'}"


class RevokedCredential(models.Model):
    """
    What remains of a revoked award once its recipient is retired: its public id and when it was revoked, nothing
    about the person. The Open Badges 3.0 credential they may have downloaded still carries a valid signature, so
    the revocation list must keep saying it is revoked after the award's row is gone.

    .. no_pii:
    """

    public_id = models.UUIDField(unique=True)
    revoked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("revoked credential")
        verbose_name_plural = _("revoked credentials")

    def __str__(self) -> str:
        return str(self.public_id)
