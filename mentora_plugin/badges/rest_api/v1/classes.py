"""
Badge classes' REST API (under /api/mentora/v1/badges/): list a course's (and the platform's) classes, create one
with its image (multipart), read, change and archive one.

Thin views over ``badges.api``, which checks every value and decides who may do what, so that the pages and the
API refuse the same things with the same codes (``name_required``, ``invalid_skill``, ``image_invalid``...; the
field at fault is named in ``field_errors``). The request serializers below document the shapes for the schema;
values go to the domain as sent, since a form sends everything as text (``skills`` as the field repeated or one
comma-separated value, ``for_trainers`` as "true"/"false"). Classes are identified by their ``public_id`` only:
the same id as their public Open Badges URL.
"""
from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from mentora_plugin.badges import api, openbadges2
from mentora_plugin.badges.rest_api.v1.common import (
    BadgesAPIView,
    BadgesGenericAPIView,
    boolean,
    public_id,
    text_list,
    uuid_parameter,
)
from mentora_plugin.host import api as host_api
from mentora_plugin.rest.views import ErrorSerializer, document

TAGS = ["badges: classes"]
CLASS_ID = uuid_parameter("public_id", "A badge class's public id (as in its Open Badges URL).")
MANAGE = "mentora_badges.manage_badgeclass"
KIND_HELP = "badge, certificate or competency."
EXPIRY_HELP = "none (never), date (on expires_on) or duration (valid_days after each award)."


# --- serializers ----------------------------------------------------------------------------------------------------


class BadgeSkillSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(help_text="The slug when the skill was deleted from the taxonomy since.")


class BadgeClassSerializer(serializers.Serializer):
    """A badge class, with its public (Open Badges) URLs."""

    public_id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    criteria = serializers.CharField(help_text="Markdown.")
    criteria_html = serializers.CharField(help_text="The criteria rendered and sanitised.")
    image_url = serializers.SerializerMethodField(help_text="The class's public image (PNG or SVG).")
    image_type = serializers.CharField(help_text="png or svg.")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_label = serializers.CharField()
    skills = BadgeSkillSerializer(many=True)
    expiry = serializers.CharField(help_text=EXPIRY_HELP)
    expires_on = serializers.DateTimeField(allow_null=True)
    valid_days = serializers.IntegerField(allow_null=True)
    course_id = serializers.CharField(source="course_key", allow_null=True, help_text="Null: platform-wide.")
    for_trainers = serializers.BooleanField(help_text="Awarded to trainers (recognition), not learners.")
    version = serializers.IntegerField(help_text="Raised by each change of what the class means.")
    is_active = serializers.BooleanField(help_text="False once archived: no new awards.")
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The Open Badges BadgeClass (JSON-LD).")
    criteria_url = serializers.SerializerMethodField(help_text="The public page of the criteria.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_image_url(self, info: api.BadgeClassInfo) -> str:
        return openbadges2.badge_image_url(info.public_id)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, info: api.BadgeClassInfo) -> str:
        return openbadges2.badge_class_url(info.public_id)

    @extend_schema_field(OpenApiTypes.URI)
    def get_criteria_url(self, info: api.BadgeClassInfo) -> str:
        return openbadges2.criteria_url(info.public_id)


class BadgeClassChangeSerializer(serializers.Serializer):
    """What to change (documentation: the domain checks the values); a field left out stays as it is."""

    name = serializers.CharField(required=False, help_text="1-255 characters.")
    description = serializers.CharField(required=False, help_text="1-5000 characters.")
    criteria = serializers.CharField(required=False, help_text="Markdown, 1-20000 characters.")
    image = serializers.FileField(required=False, help_text="A PNG (1 MB, 1024 px a side) or an SVG (256 KB); "
                                  "cleaned before it is stored (an SVG's scripts, links and metadata are dropped).")
    kind = serializers.CharField(required=False, help_text=KIND_HELP)
    skills = serializers.ListField(child=serializers.CharField(), required=False,
                                  help_text="Slugs of active skills of the taxonomy (at most 10): a list, the field "
                                            "repeated, or one comma-separated value; empty clears them.")
    expiry = serializers.CharField(required=False, help_text=EXPIRY_HELP)
    expires_on = serializers.DateField(required=False, allow_null=True, help_text="With expiry=date: a future date.")
    valid_days = serializers.IntegerField(required=False, allow_null=True, help_text="With expiry=duration: 1-3650.")


class BadgeClassCreateSerializer(BadgeClassChangeSerializer):
    """A new class (documentation: the domain checks the values)."""

    name = serializers.CharField(help_text="1-255 characters.")
    description = serializers.CharField(help_text="1-5000 characters.")
    criteria = serializers.CharField(help_text="Markdown, 1-20000 characters.")
    image = serializers.FileField(help_text="A PNG (1 MB, 1024 px a side) or an SVG (256 KB); cleaned before it is "
                                  "stored (an SVG's scripts, links and metadata are dropped).")
    course_id = serializers.CharField(required=False, help_text="The course it belongs to; left out: platform-wide "
                                      "(platform staff only).")
    for_trainers = serializers.BooleanField(required=False, default=False,
                                            help_text="A class awarded to trainers (platform staff only).")


WRITE_REQUEST = {"multipart/form-data": BadgeClassCreateSerializer}
CHANGE_REQUEST = {"multipart/form-data": BadgeClassChangeSerializer, "application/json": BadgeClassChangeSerializer}
INVALID = OpenApiResponse(ErrorSerializer, description="A value is refused: error_code says which rule (e.g. "
                          "name_required, invalid_skill, invalid_expiry, image_type, image_invalid) and field_errors "
                          "names the field.")


# --- helpers --------------------------------------------------------------------------------------------------------


def _image(request: Any, required: bool) -> Any:
    """
    The uploaded image, or None when none was sent (and ``required`` is false). JSON cannot carry a file: an
    ``image`` there is refused as missing, with the domain's message.
    """
    upload = request.FILES.get("image")
    if upload is None and (required or "image" in request.data):
        raise api.BadgesError("image_required", _("Add an image (PNG or SVG)."), field="image")
    return upload


def _body(request: Any) -> Any:
    """The request's fields: a JSON object or a form (anything else is refused)."""
    if not hasattr(request.data, "get"):
        raise api.BadgesError("invalid_input", _("Send the fields as a JSON object or a form."))
    return request.data


def _class_id(value: str) -> Any:
    return public_id(value, "badge_class", _("There is no such badge."))


# --- views ----------------------------------------------------------------------------------------------------------


class BadgeClassesView(BadgesGenericAPIView):
    """A course's badge classes and the platform's; creating one."""

    serializer_class = BadgeClassSerializer
    parser_classes = (MultiPartParser, FormParser, JSONParser)

    @document(
        parameters=[
            OpenApiParameter("course_id", str, description="A course: its classes and the platform's (for people of "
                             "that course). Left out: the platform's classes only."),
            OpenApiParameter("for_trainers", bool, description="true: classes for trainers only; false: for "
                             "learners only; left out: both."),
            OpenApiParameter("include_archived", bool, description="Archived classes too (their managers only)."),
        ],
        responses={200: BadgeClassSerializer(many=True),
                   404: OpenApiResponse(ErrorSerializer, description="course_not_found: no part in that course.")},
        tags=TAGS,
    )
    def get(self, request) -> Response:
        """Badge classes by name, in a fixed number of queries whatever their number."""
        params = request.query_params
        course_key = None
        if params.get("course_id"):
            try:
                course_key = host_api.parse_course_key(params["course_id"])
            except host_api.HostError:
                raise api.BadgesError("invalid_course_key", _("This is not a valid course key."),
                                      field="course_id") from None
            if not request.user.has_perm("mentora_host.view_course", course_key):
                raise api.BadgesError("course_not_found", _("This course is not known to Mentora."), status=404)
        for_trainers = boolean(params["for_trainers"], "for_trainers") if params.get("for_trainers") else None
        include_archived = boolean(params.get("include_archived"), "include_archived")
        if include_archived and not request.user.has_perm(MANAGE, course_key):
            raise api.BadgesError("permission_denied", _("Only those who manage these badges can list archived "
                                                         "ones."), status=403)
        found = api.list_badge_classes(course_key=course_key, include_platform=True, for_trainers=for_trainers,
                                       active_only=not include_archived)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(request=WRITE_REQUEST, responses={201: BadgeClassSerializer, 400: INVALID}, tags=TAGS)
    def post(self, request) -> Response:
        """
        Create a badge class (version 1, active): course staff for their course, platform staff for the platform's
        classes and for trainers' classes.
        """
        data = _body(request)
        values: dict[str, Any] = {name: data.get(name) for name in ("name", "description", "criteria")}
        values.update(
            image=_image(request, required=True),
            kind=data.get("kind") or "badge",
            skills=text_list(data, "skills") or [],
            expiry=data.get("expiry") or "none",
            expires_on=data.get("expires_on"),
            valid_days=data.get("valid_days"),
            course_key=data.get("course_id") or None,
            for_trainers=boolean(data.get("for_trainers"), "for_trainers"),
        )
        info = api.create_badge_class(request.user, **values)
        return Response(BadgeClassSerializer(info).data, status=status.HTTP_201_CREATED)


class BadgeClassView(BadgesAPIView):
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    @document(parameters=[CLASS_ID], responses=BadgeClassSerializer, tags=TAGS)
    def get(self, request, public_id: str) -> Response:
        """A badge class (public; an archived one only for its managers and those who hold it, else 404)."""
        return Response(BadgeClassSerializer(api.get_badge_class(_class_id(public_id), viewer=request.user)).data)

    @document(parameters=[CLASS_ID], request=CHANGE_REQUEST, responses={200: BadgeClassSerializer, 400: INVALID},
              tags=TAGS)
    def patch(self, request, public_id: str) -> Response:
        """
        Change a badge class (its managers). A change of what it means (all but ``kind``) raises its version;
        awards keep the version they were issued under. ``course_id`` and ``for_trainers`` cannot change.
        """
        data = _body(request)
        changes: dict[str, Any] = {name: data.get(name) for name in data if name not in ("image", "skills")}
        if "skills" in data:
            changes["skills"] = text_list(data, "skills")
        image = _image(request, required=False)
        if image is not None:
            changes["image"] = image
        info = api.update_badge_class(request.user, _class_id(public_id), **changes)
        return Response(BadgeClassSerializer(info).data)


class BadgeClassArchiveView(BadgesAPIView):
    @document(parameters=[CLASS_ID], request=None, responses=BadgeClassSerializer, tags=TAGS)
    def post(self, request, public_id: str) -> Response:
        """Stop awarding a class (its managers; again: no change). Its awards stay verifiable."""
        return Response(BadgeClassSerializer(api.archive_badge_class(request.user, _class_id(public_id))).data)


urlpatterns = [
    path("classes/", BadgeClassesView.as_view(), name="api-badge-classes"),
    path("classes/<str:public_id>/", BadgeClassView.as_view(), name="api-badge-class"),
    path("classes/<str:public_id>/archive/", BadgeClassArchiveView.as_view(), name="api-badge-class-archive"),
]
