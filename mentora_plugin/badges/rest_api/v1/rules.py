"""
Award rules' REST API (under /api/mentora/v1/badges/): a class's rules (what earns it automatically), adding one,
changing one, deactivating one.

Thin views over ``badges.api`` (``create_rule``, ``update_rule``, ``deactivate_rule``, ``list_rules``), which checks
the conditions and decides who may change them (the class's managers: ``permission_denied`` for anyone else). A
refusal of a condition is ``field_errors: {"conditions": ["Condition 2: ..."]}``, its message naming the condition.
A class's active rules are public, as its criteria are; its deactivated ones only for its managers. Conditions name
a course ``course_id``, as the rest of the API does (the domain says ``course_key``). Lists run a fixed number of
queries whatever the number of rules (titles of projects and courses are read once each).
"""
from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from mentora_plugin.badges import api
from mentora_plugin.badges.rest_api.v1.common import (
    BadgesAPIView,
    BadgesGenericAPIView,
    boolean,
    public_id,
    uuid_parameter,
)
from mentora_plugin.rest.views import ErrorSerializer, document

TAGS = ["badges: rules"]
CLASS_ID = uuid_parameter("public_id", "A badge class's public id.")
RULE_ID = OpenApiParameter("rule_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A rule's id.")
KINDS_HELP = (
    "project_score {usage_key, min_percent 0-100}; sessions_attended {count 1-1000, course_id?}; course_passed "
    "{course_id?} (a course's class counts its own course; a platform class names one); trainer_metric {metric, "
    "min | max}, the only kind of trainers' classes (metric: sessions_delivered, distinct_learners, rating_count, "
    "rating_average, learner_success, review_turnaround_hours, answer_response_hours, no_show_rate, upheld_complaints)."
)
#: The domain's name of a condition's course, and the API's.
COURSE_NAMES = ("course_key", "course_id")


# --- serializers ----------------------------------------------------------------------------------------------------


class BadgeRuleConditionSerializer(serializers.Serializer):
    """One condition: its kind and that kind's parameters (the others are absent)."""

    kind = serializers.ChoiceField(choices=["project_score", "sessions_attended", "course_passed", "trainer_metric"],
                                   help_text=KINDS_HELP)
    usage_key = serializers.CharField(required=False, help_text="project_score: the project's usage key.")
    min_percent = serializers.FloatField(required=False, help_text="project_score: the least score, in %.")
    count = serializers.IntegerField(required=False, help_text="sessions_attended: how many sessions.")
    course_id = serializers.CharField(required=False, help_text="sessions_attended, course_passed: the course.")
    metric = serializers.CharField(required=False, help_text="trainer_metric: the figure.")
    min = serializers.FloatField(required=False, help_text="trainer_metric: the figure is at least this.")
    max = serializers.FloatField(required=False, help_text="trainer_metric: the figure is at most this.")


class BadgeRuleSerializer(serializers.Serializer):
    """An award rule of a badge class."""

    id = serializers.IntegerField()
    badge_class_id = serializers.SerializerMethodField(help_text="The class's public id.")
    mode = serializers.CharField(help_text="all: every condition must hold; any: one is enough.")
    conditions = serializers.SerializerMethodField()
    labels = serializers.ListField(child=serializers.CharField(),
                                   help_text="Each condition in words, in the requester's language.")
    is_active = serializers.BooleanField(help_text="False once deactivated: it awards nothing any more.")
    created = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.UUID)
    def get_badge_class_id(self, rule: api.RuleInfo) -> str:
        return str(self.context["public_ids"][rule.badge_class_id])

    @extend_schema_field(BadgeRuleConditionSerializer(many=True))
    def get_conditions(self, rule: api.RuleInfo) -> list[dict[str, Any]]:
        return [_renamed(condition, *COURSE_NAMES) for condition in rule.conditions]


class BadgeRuleWriteSerializer(serializers.Serializer):
    """A new rule (``mode`` defaults to all)."""

    mode = serializers.ChoiceField(choices=["all", "any"], required=False)
    conditions = BadgeRuleConditionSerializer(many=True, help_text="1 to 10 conditions.")


class BadgeRuleChangeSerializer(serializers.Serializer):
    """What changes (what is left out stays)."""

    mode = serializers.ChoiceField(choices=["all", "any"], required=False)
    conditions = BadgeRuleConditionSerializer(many=True, required=False, help_text="1 to 10 conditions: they "
                                              "replace the rule's.")


INVALID = OpenApiResponse(ErrorSerializer, description="invalid_mode, invalid_conditions, or a condition's code "
                          "(invalid_project, invalid_min_percent, course_mismatch, invalid_metric...), with "
                          "field_errors naming mode or conditions.")
ARCHIVED = OpenApiResponse(ErrorSerializer, description="badge_class_archived.")


# --- helpers --------------------------------------------------------------------------------------------------------


def _renamed(condition: Any, old: str, new: str) -> Any:
    """A condition with its course parameter named ``new`` (a non-object is left for the domain to refuse)."""
    if not isinstance(condition, dict) or old not in condition:
        return condition
    return {new if key == old else key: value for key, value in condition.items()}


def _body(request: Any) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise api.BadgesError("invalid_input", _("Send the fields as a JSON object."))
    return request.data


def _conditions(data: dict[str, Any]) -> Any:
    """The request's conditions in the domain's shape (``course_id`` named ``course_key``)."""
    conditions = data.get("conditions")
    if isinstance(conditions, list):
        return [_renamed(condition, *reversed(COURSE_NAMES)) for condition in conditions]
    return conditions


def _class_id(value: str) -> Any:
    return public_id(value, "badge_class", _("There is no such badge."))


def _rule_id(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise api.BadgesError("rule_not_found", _("There is no such rule."), status=404)
    return int(value)


def _one(info: api.RuleInfo) -> dict[str, Any]:
    badge_class = api.get_badge_class(info.badge_class_id)
    return BadgeRuleSerializer(info, context={"public_ids": {badge_class.id: badge_class.public_id}}).data


# --- views ----------------------------------------------------------------------------------------------------------


class BadgeClassRulesView(BadgesGenericAPIView):
    """A class's rules; adding one."""

    serializer_class = BadgeRuleSerializer

    @document(
        parameters=[CLASS_ID, OpenApiParameter("include_inactive", bool, description="Deactivated rules too (the "
                                               "class's managers only).")],
        responses=BadgeRuleSerializer(many=True), tags=TAGS,
    )
    def get(self, request, public_id: str) -> Response:
        """The class's rules, oldest first: what earns it automatically (public, as its criteria are)."""
        badge_class = api.get_badge_class(_class_id(public_id), viewer=request.user)
        include_inactive = boolean(request.query_params.get("include_inactive"), "include_inactive")
        if include_inactive and not api.may_manage_badge_class(request.user, badge_class):
            raise api.BadgesError("permission_denied", _("Only the badge's managers can list its deactivated "
                                                         "rules."), status=403)
        found = api.list_rules(badge_class.id, include_inactive=include_inactive)
        page = self.paginate_queryset(found)
        serializer = self.get_serializer(page, many=True, context={"public_ids": {badge_class.id:
                                                                                  badge_class.public_id}})
        return self.get_paginated_response(serializer.data)

    @document(parameters=[CLASS_ID], request=BadgeRuleWriteSerializer,
              responses={201: BadgeRuleSerializer, 400: INVALID, 409: ARCHIVED}, tags=TAGS)
    def post(self, request, public_id: str) -> Response:
        """
        Add a rule (the class's managers). It awards from the next qualifying event on: nothing is awarded at once
        to those who already meet it.
        """
        data = _body(request)
        info = api.create_rule(request.user, _class_id(public_id), _conditions(data), data.get("mode", "all"))
        return Response(_one(info), status=status.HTTP_201_CREATED)


class BadgeRuleView(BadgesAPIView):
    @document(parameters=[RULE_ID], request=BadgeRuleChangeSerializer,
              responses={200: BadgeRuleSerializer, 400: INVALID}, tags=TAGS)
    def patch(self, request, rule_id: str) -> Response:
        """Change a rule's mode and/or conditions (the class's managers). The awards it made stay."""
        data = _body(request)
        info = api.update_rule(request.user, _rule_id(rule_id),
                               conditions=_conditions(data) if "conditions" in data else None,
                               mode=data.get("mode") if "mode" in data else None)
        return Response(_one(info))


class BadgeRuleDeactivateView(BadgesAPIView):
    @document(parameters=[RULE_ID], request=None, responses=BadgeRuleSerializer, tags=TAGS)
    def post(self, request, rule_id: str) -> Response:
        """Stop a rule from awarding (the class's managers; again: no change). The awards it made stay."""
        return Response(_one(api.deactivate_rule(request.user, _rule_id(rule_id))))


urlpatterns = [
    path("classes/<str:public_id>/rules/", BadgeClassRulesView.as_view(), name="api-badge-class-rules"),
    path("rules/<str:rule_id>/", BadgeRuleView.as_view(), name="api-badge-rule"),
    path("rules/<str:rule_id>/deactivate/", BadgeRuleDeactivateView.as_view(), name="api-badge-rule-deactivate"),
]
