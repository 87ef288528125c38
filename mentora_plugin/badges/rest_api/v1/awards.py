"""
Awards' REST API (under /api/mentora/v1/badges/): a class's awards, awarding one person or many, one award,
revoking and renewing it, and the signed-in user's own awards.

Thin views over ``badges.api``, which decides who awards whom (``permission_denied``, ``capability_refused``,
``not_enrolled``, ``already_awarded``...). Recipients are named by ``username`` or ``user_id``; an unknown one is
``unknown_user`` (400), said only to someone who may award the class (others get the class's own refusal first),
so the API tells nobody else which accounts exist. An award that the requester may not see is a 404, as if it did
not exist: its recipient, and those who may list the class's awards, see it. Lists run a fixed number of queries
whatever their length.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from mentora_plugin.badges import api, openbadges2
from mentora_plugin.badges.rest_api.v1.common import BadgesAPIView, BadgesGenericAPIView, public_id, uuid_parameter
from mentora_plugin.rest.views import ErrorSerializer, document

TAGS = ["badges: awards"]
CLASS_ID = uuid_parameter("public_id", "A badge class's public id.")
AWARD_ID = uuid_parameter("public_id", "An award's public id (as in its Open Badges assertion URL).")
STATUS_HELP = "active, expired or revoked (computed when read; revocation wins over expiry)."
#: The most recipients of one bulk award: the domain's own limit (``bulk_award`` refuses more), checked before the
#: usernames are looked up.
MAX_ENTRIES = 500
MAX_IDEMPOTENCY_KEY = 64
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Up to 64 characters chosen by the client; a retried request with the same key returns the first "
    "award (200) instead of awarding again.",
)


# --- serializers ----------------------------------------------------------------------------------------------------


class BadgeAwardClassSerializer(serializers.Serializer):
    """The awarded class, in short."""

    public_id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="badge, certificate or competency.")
    image_url = serializers.SerializerMethodField(help_text="The class's public image.")
    image_type = serializers.CharField(help_text="png or svg.")
    course_id = serializers.CharField(source="course_key", allow_null=True, help_text="Null: platform-wide.")
    for_trainers = serializers.BooleanField()
    is_active = serializers.BooleanField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_image_url(self, info: api.BadgeClassInfo) -> str:
        return openbadges2.badge_image_url(info.public_id)


class BadgeEvidenceSerializer(serializers.Serializer):
    url = serializers.URLField()
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class BadgeAwardSerializer(serializers.Serializer):
    """An award, with its public verification URLs."""

    public_id = serializers.UUIDField()
    badge_class = BadgeAwardClassSerializer()
    recipient_id = serializers.IntegerField()
    recipient_username = serializers.CharField()
    recipient_name = serializers.CharField()
    badge_version = serializers.IntegerField(help_text="The class's version it was issued under.")
    issued_on = serializers.DateTimeField()
    expires_on = serializers.DateTimeField(allow_null=True)
    issued_by_id = serializers.IntegerField(allow_null=True, help_text="Null for automatic awards.")
    issued_by_name = serializers.CharField()
    narrative = serializers.CharField(help_text="Markdown.")
    narrative_html = serializers.CharField()
    evidence = BadgeEvidenceSerializer(many=True)
    status = serializers.CharField(help_text=STATUS_HELP)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField(help_text="Public: shown wherever the award is verified.")
    assertion_url = serializers.SerializerMethodField(help_text="The Open Badges Assertion (JSON-LD).")
    verify_url = serializers.SerializerMethodField(help_text="The public verification page.")
    baked_url = serializers.SerializerMethodField(help_text="The image with the award baked in (a download); null "
                                                  "once revoked.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_assertion_url(self, award: api.AwardInfo) -> str:
        return openbadges2.assertion_url(award.public_id)

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, award: api.AwardInfo) -> str:
        return openbadges2.verify_url(award.public_id)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_baked_url(self, award: api.AwardInfo) -> str | None:
        if award.status == "revoked" or award.badge_class.image_type not in ("png", "svg"):
            return None
        return openbadges2.baked_url(award.public_id, award.badge_class.image_type)


class BadgeRecipientSerializer(serializers.Serializer):
    """Who: a username or a user id (one of them)."""

    username = serializers.CharField(required=False, max_length=150)
    user_id = serializers.IntegerField(required=False, min_value=1)
    narrative = serializers.CharField(required=False, allow_blank=True, help_text="Why (Markdown, at most 5000 "
                                      "characters).")
    evidence = BadgeEvidenceSerializer(many=True, required=False, help_text="At most 10 links (http or https).")


class BadgeBulkAwardSerializer(serializers.Serializer):
    entries = BadgeRecipientSerializer(many=True, help_text="At most 500; each with its own note.")


class BadgeBulkPersonSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()


class BadgeBulkRefusalSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The entry's position in the request (from 0).")
    user_id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    error_code = serializers.CharField(help_text="unknown_user, invalid_entries, not_enrolled, no_email, own_award, "
                                       "or a narrative's or evidence's code.")
    message = serializers.CharField()


class BadgeBulkResultSerializer(serializers.Serializer):
    awarded = BadgeAwardSerializer(many=True)
    already_awarded = BadgeBulkPersonSerializer(many=True, help_text="Who already holds a current award.")
    refused = BadgeBulkRefusalSerializer(many=True)


class BadgeRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why (1-2000 characters): public, shown wherever it is verified.")


CONFLICT = OpenApiResponse(ErrorSerializer, description="badge_class_archived, badge_class_expired, "
                           "already_awarded, already_revoked or not_renewable.")
REFUSED = OpenApiResponse(ErrorSerializer, description="permission_denied, capability_refused (your trainer level "
                          "does not unlock issue_badges in this course) or own_award.")


# --- helpers --------------------------------------------------------------------------------------------------------


def _class_id(value: str) -> Any:
    return public_id(value, "badge_class", _("There is no such badge."))


def _award_id(value: str) -> Any:
    return public_id(value, "award", _("There is no such award."))


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise api.BadgesError("invalid_input", _("Send the fields as a JSON object or a form."))
    return data


def _named(entry: Any) -> tuple[str, Any]:
    """
    Which of ``username`` / ``user_id`` an entry names the recipient by, and its value; raises ``invalid_entries``
    unless exactly one is given, as text or a whole number respectively.
    """
    if isinstance(entry, dict):
        given = [key for key in ("username", "user_id") if entry.get(key) not in (None, "")]
        if len(given) == 1:
            key, value = given[0], entry[given[0]]
            if key == "user_id" and isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
                value = int(value)  # a form's number
            if (key == "username" and isinstance(value, str)) or (
                    key == "user_id" and isinstance(value, int) and not isinstance(value, bool)):
                return key, value
    raise api.BadgesError("invalid_entries", _("Name each recipient by a username or a user id (one of them)."),
                          field="username")


def _users(named: list[tuple[str, Any]]) -> tuple[dict[str, Any], dict[int, Any]]:
    """The active users named, by username and by id: two queries at most, whatever their number."""
    User = get_user_model()
    usernames = {value for key, value in named if key == "username"}
    ids = {value for key, value in named if key == "user_id"}
    by_name = {user.username: user for user in User.objects.filter(username__in=usernames, is_active=True)} \
        if usernames else {}
    by_id = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)} if ids else {}
    return by_name, by_id


def _unknown(key: str) -> api.BadgesError:
    message = (_("There is no user with this username.") if key == "username" else _("There is no such user."))
    return api.BadgesError("unknown_user", message, field=key)


def _may_award(user: Any, class_id: Any) -> None:
    """
    Raise the class's refusal of ``user`` as its issuer (not found, not allowed, archived), if any: the domain's own
    checks, run by awarding nobody.
    """
    api.bulk_award(user, class_id, [])


def _idempotency_key(request: Any) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise api.BadgesError("invalid_idempotency_key",
                              _("The Idempotency-Key header is 1 to {count} characters.").format(
                                  count=MAX_IDEMPOTENCY_KEY))
    return f"api:{request.user.pk}:{key}"


# --- views ----------------------------------------------------------------------------------------------------------


class BadgeClassAwardsView(BadgesGenericAPIView):
    """A class's awards; awarding it to one person."""

    serializer_class = BadgeAwardSerializer

    @document(parameters=[CLASS_ID], responses=BadgeAwardSerializer(many=True), tags=TAGS)
    def get(self, request, public_id: str) -> Response:
        """
        The class's awards, newest first, revoked and expired ones too: all of them for those who may award it;
        anyone else sees only their own.
        """
        found = api.list_awards(viewer=request.user, badge_class_id=_class_id(public_id))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(
        parameters=[CLASS_ID, IDEMPOTENCY_KEY], request=BadgeRecipientSerializer,
        responses={201: BadgeAwardSerializer, 200: OpenApiResponse(BadgeAwardSerializer, description="The award "
                   "this Idempotency-Key made before."), 403: REFUSED, 409: CONFLICT},
        tags=TAGS,
    )
    def post(self, request, public_id: str) -> Response:
        """Award the class to one person (its managers; trainers of its course whose level allows it)."""
        class_id = _class_id(public_id)
        data = _object(request.data)
        key, value = _named(data)
        by_name, by_id = _users([(key, value)])
        user = by_name.get(value) if key == "username" else by_id.get(value)
        if user is None:
            _may_award(request.user, class_id)
            raise _unknown(key)
        now = timezone.now()
        try:
            award = api.award_badge(request.user, class_id, user, narrative=data.get("narrative") or "",
                                    evidence=data.get("evidence") or (), source_key=_idempotency_key(request),
                                    now=now)
        except api.BadgesError as error:
            if error.field == "recipient":
                error.field = key
            raise
        created = award.issued_on == now
        return Response(BadgeAwardSerializer(award).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BadgeBulkAwardView(BadgesAPIView):
    @document(parameters=[CLASS_ID], request=BadgeBulkAwardSerializer,
              responses={200: BadgeBulkResultSerializer, 403: REFUSED, 409: CONFLICT}, tags=TAGS)
    def post(self, request, public_id: str) -> Response:
        """
        Award the class to many people at once, each with their own note. Who cannot be awarded is listed in
        ``refused`` with the code and message a single award would have given; the others are awarded.
        """
        class_id = _class_id(public_id)
        entries = _object(request.data).get("entries")
        if not isinstance(entries, list):
            raise api.BadgesError("invalid_entries", _("Give a list of recipients."), field="entries")
        if len(entries) > MAX_ENTRIES:
            raise api.BadgesError("too_many_entries", _("At most {count} recipients at once.").format(
                count=MAX_ENTRIES), field="entries")
        named: list[tuple[str, Any] | api.BadgesError] = []
        for entry in entries:
            try:
                named.append(_named(entry))
            except api.BadgesError as error:
                named.append(error)
        by_name, by_id = _users([item for item in named if isinstance(item, tuple)])
        refused: list[dict[str, Any]] = []
        domain_entries: list[dict[str, Any]] = []
        positions: list[int] = []
        for index, (entry, item) in enumerate(zip(entries, named, strict=True)):
            username = entry.get("username") if isinstance(entry, dict) and isinstance(entry.get("username"),
                                                                                       str) else ""
            if isinstance(item, api.BadgesError):
                refused.append({"index": index, "user_id": None, "username": username, "error_code": item.code,
                                "message": str(item)})
                continue
            key, value = item
            user = by_name.get(value) if key == "username" else by_id.get(value)
            if user is None:
                error = _unknown(key)
                refused.append({"index": index, "user_id": value if key == "user_id" else None, "username": username,
                                "error_code": error.code, "message": str(error)})
                continue
            domain_entries.append({"recipient": user, "narrative": entry.get("narrative"),
                                   "evidence": entry.get("evidence")})
            positions.append(index)
        result = api.bulk_award(request.user, class_id, domain_entries)
        usernames = {user.pk: user.username for user in [*by_name.values(), *by_id.values()]}
        index_of = {}
        for index, entry in zip(positions, domain_entries, strict=True):
            index_of.setdefault(entry["recipient"].pk, index)
        refused.extend(
            {"index": index_of.get(refusal.recipient_id, -1), "user_id": refusal.recipient_id,
             "username": usernames.get(refusal.recipient_id, ""), "error_code": refusal.code,
             "message": refusal.message}
            for refusal in result.refused
        )
        refused.sort(key=lambda item: item["index"])
        body = {
            "awarded": result.awarded,
            "already_awarded": [{"user_id": pk, "username": usernames.get(pk, "")} for pk in result.already_awarded],
            "refused": refused,
        }
        return Response(BadgeBulkResultSerializer(body).data)


class BadgeAwardView(BadgesAPIView):
    @document(parameters=[AWARD_ID], responses=BadgeAwardSerializer, tags=TAGS)
    def get(self, request, public_id: str) -> Response:
        """An award, for its recipient and those who may list its class's awards (404 for anyone else)."""
        award = api.get_award(_award_id(public_id))
        if award.recipient_id != request.user.pk and not any(
            seen.id == award.id for seen in api.list_awards(viewer=request.user, badge_class_id=award.badge_class.id,
                                                            recipient=award.recipient_id)
        ):
            raise api.BadgesError("award_not_found", _("There is no such award."), status=404)
        return Response(BadgeAwardSerializer(award).data)


class BadgeAwardRevokeView(BadgesAPIView):
    @document(parameters=[AWARD_ID], request=BadgeRevokeSerializer,
              responses={200: BadgeAwardSerializer, 403: REFUSED, 409: CONFLICT}, tags=TAGS)
    def post(self, request, public_id: str) -> Response:
        """
        Revoke an award with a public reason (the class's managers, or the trainer who issued it). The recipient
        is told by email; the award stays verifiable as revoked.
        """
        award_id = _award_id(public_id)
        award = api.revoke_award(request.user, award_id, _object(request.data).get("reason"))
        return Response(BadgeAwardSerializer(award).data)


class BadgeAwardRenewView(BadgesAPIView):
    @document(parameters=[AWARD_ID], request=None,
              responses={201: BadgeAwardSerializer, 200: OpenApiResponse(BadgeAwardSerializer, description="The "
                         "renewal made before (renewing twice renews once)."), 403: REFUSED, 409: CONFLICT},
              tags=TAGS)
    def post(self, request, public_id: str) -> Response:
        """Renew an award that has expired or expires within 30 days: a new award with a fresh expiry."""
        now = timezone.now()
        award = api.renew_award(request.user, _award_id(public_id), now=now)
        return Response(BadgeAwardSerializer(award).data,
                        status=status.HTTP_201_CREATED if award.issued_on == now else status.HTTP_200_OK)


class MyBadgeAwardsView(BadgesGenericAPIView):
    serializer_class = BadgeAwardSerializer

    @document(responses=BadgeAwardSerializer(many=True), tags=TAGS)
    def get(self, request) -> Response:
        """Your awards, newest first, revoked and expired ones too (with their status): your portfolio."""
        page = self.paginate_queryset(api.awards_of(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


urlpatterns = [
    path("classes/<str:public_id>/awards/", BadgeClassAwardsView.as_view(), name="api-badge-class-awards"),
    path("classes/<str:public_id>/awards/bulk/", BadgeBulkAwardView.as_view(), name="api-badge-class-awards-bulk"),
    path("awards/<str:public_id>/", BadgeAwardView.as_view(), name="api-badge-award"),
    path("awards/<str:public_id>/revoke/", BadgeAwardRevokeView.as_view(), name="api-badge-award-revoke"),
    path("awards/<str:public_id>/renew/", BadgeAwardRenewView.as_view(), name="api-badge-award-renew"),
    path("me/awards/", MyBadgeAwardsView.as_view(), name="api-badge-my-awards"),
]
