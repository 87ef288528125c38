"""
The levels' REST API (under /api/mentora/v1/trainers/): a trainer's own standing and capabilities, the published
ladder, and for staff one trainer's standing and history with the lock, unlock, override and recompute actions.

Thin views over ``mentora_plugin.trainers.api``: the levels engine decides every staff action (403
``permission_denied``, 400 ``reason_required``, 400 ``unknown_level``, 400 ``not_locked``, 404 ``trainer_not_found``)
and the capabilities answer what a level unlocks, so the pages and this API refuse the same things with the same
codes.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from mentora_plugin.host import api as host_api
from mentora_plugin.rest.views import document
from mentora_plugin.trainers import api
from mentora_plugin.trainers.common import TrainersError, forbidden, not_found
from mentora_plugin.trainers.rest_api.v1.common import TrainersAPIView, TrainersGenericAPIView, validated

TAGS = ["trainers: levels"]
USERNAME = OpenApiParameter("username", str, OpenApiParameter.PATH, description="The trainer's username.")
COURSE_ID = OpenApiParameter(
    "course_id", str, description="A course key (course-v1:Org+Num+Run); without it, wherever the user trains."
)


# --- serializers ------------------------------------------------------------------------------------------------------


class LevelCapabilitySerializer(serializers.Serializer):
    """One capability: ``value`` applies now, ``level_value`` is what the level grants (``capped`` by probation)."""

    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="\"limit\" (a number) or \"permission\" (true/false).")
    level_value = serializers.JSONField(help_text="A number for a limit, true/false for a permission.")
    value = serializers.JSONField(help_text="A number for a limit, true/false for a permission.")
    capped = serializers.BooleanField()


class LevelCriterionStandingSerializer(serializers.Serializer):
    """Where the trainer stands on one criterion (see ``levels.CriterionStanding``)."""

    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="\"min\" (a minimum to reach) or \"max\" (a maximum not to exceed).")
    value = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True, help_text="The current level's threshold.")
    floor = serializers.FloatField(allow_null=True, help_text="What still keeps the current level.")
    next_threshold = serializers.FloatField(allow_null=True, help_text="The next level's threshold.")
    met_current = serializers.BooleanField(allow_null=True)
    above_floor = serializers.BooleanField(allow_null=True)
    met_next = serializers.BooleanField(allow_null=True)


class LevelStandingSerializer(serializers.Serializer):
    """A trainer's level, what it takes, and what it unlocks now."""

    trainer_id = serializers.IntegerField()
    level = serializers.CharField()
    level_name = serializers.CharField()
    locked = serializers.BooleanField()
    lock_reason = serializers.CharField()
    warning_at = serializers.DateTimeField(allow_null=True)
    warning_deadline = serializers.DateTimeField(allow_null=True)
    probation_until = serializers.DateTimeField(allow_null=True)
    on_probation = serializers.BooleanField()
    next_level = serializers.CharField(allow_null=True)
    next_level_name = serializers.CharField(allow_null=True)
    criteria = LevelCriterionStandingSerializer(many=True)
    metrics = serializers.SerializerMethodField()
    computed_at = serializers.DateTimeField()
    capabilities = serializers.SerializerMethodField()

    def get_metrics(self, standing: Any) -> dict[str, Any]:
        return standing.metrics.as_snapshot()

    def get_capabilities(self, standing: Any) -> list[dict[str, Any]]:
        items = api.describe_capabilities(standing.level, standing.on_probation)
        return LevelCapabilitySerializer(items, many=True).data


class LevelChangeSerializer(serializers.Serializer):
    """One entry of a trainer's level history, with the figures behind it."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    from_level = serializers.CharField()
    from_level_name = serializers.CharField()
    to_level = serializers.CharField()
    to_level_name = serializers.CharField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    metrics = serializers.DictField()
    thresholds = serializers.DictField(child=serializers.FloatField())
    unmet = serializers.ListField(child=serializers.CharField())


class LevelStandingWithHistorySerializer(serializers.Serializer):
    standing = LevelStandingSerializer(allow_null=True)
    history = LevelChangeSerializer(many=True)


#: What every staff action answers: the trainer's standing after it, and their history.
STANDING = LevelStandingWithHistorySerializer


class LevelCriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="\"min\" (a minimum to reach) or \"max\" (a maximum not to exceed).")
    threshold = serializers.FloatField()
    floor = serializers.FloatField()


class LadderLevelSerializer(serializers.Serializer):
    """A level of the published ladder: its criteria and what it unlocks (without probation)."""

    key = serializers.CharField()
    name = serializers.CharField()
    rank = serializers.IntegerField()
    criteria = LevelCriterionSerializer(many=True)
    capabilities = serializers.SerializerMethodField()

    def get_capabilities(self, level: Any) -> list[dict[str, Any]]:
        return LevelCapabilitySerializer(api.describe_capabilities(level.key), many=True).data


class MyLevelCapabilitiesSerializer(serializers.Serializer):
    course_id = serializers.CharField(allow_null=True)
    is_trainer = serializers.BooleanField()
    on_probation = serializers.BooleanField()
    capabilities = serializers.DictField(help_text="Every capability with its value; empty for a non-trainer.")


class LevelReasonSerializer(serializers.Serializer):
    """Why (required by the levels engine, which answers ``reason_required`` without one)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class LevelOverrideSerializer(LevelReasonSerializer):
    level = serializers.CharField(max_length=32)


# --- views ------------------------------------------------------------------------------------------------------------


def _history(trainer: Any) -> list:
    return LevelChangeSerializer(api.level_history(trainer), many=True).data


class MyLevelView(TrainersAPIView):
    """The requester's own level."""

    @document(responses=LevelStandingWithHistorySerializer, tags=TAGS)
    def get(self, request) -> Response:
        """Where I stand, criterion by criterion, what my level unlocks now, and my level history."""
        standing = api.trainer_standing(request.user)
        if standing is None:
            raise not_found("trainer")
        return Response({"standing": LevelStandingSerializer(standing).data, "history": _history(request.user)})


class MyCapabilitiesView(TrainersAPIView):
    """What the requester may do as a trainer in a course."""

    @document(parameters=[COURSE_ID], responses=MyLevelCapabilitiesSerializer, tags=TAGS)
    def get(self, request) -> Response:
        """My capabilities in the course (``?course_id=``), or wherever I train; empty for a non-trainer."""
        course_id = request.query_params.get("course_id") or None
        try:
            values = api.capabilities_of(request.user, course_id)
        except host_api.HostError as error:
            raise TrainersError(error.code, str(error), 400) from None
        return Response({
            "course_id": course_id,
            "is_trainer": bool(values),
            "on_probation": bool(values) and api.on_probation(request.user),
            "capabilities": values,
        })


class LadderView(TrainersGenericAPIView):
    """The published ladder."""

    serializer_class = LadderLevelSerializer

    @document(responses=LadderLevelSerializer(many=True), tags=TAGS)
    def get(self, request) -> Response:
        """Every level, lowest first: its criteria (threshold and the floor that keeps it) and what it unlocks."""
        if not request.user.has_perm("mentora_trainers.view_ladder"):
            raise forbidden(_("Sign in to see the trainer levels."))
        page = self.paginate_queryset(api.ladder())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class _StaffTrainerMixin:
    """A trainer by username, for staff only (403 before any lookup, so nothing leaks to others)."""

    permission = "mentora_trainers.view_level"

    def trainer(self, request, username: str) -> Any:
        if not request.user.has_perm(self.permission):
            raise forbidden(_("Only staff may see or change trainers' levels."))
        trainer = get_user_model().objects.filter(username=username).first()
        if trainer is None:
            raise not_found("trainer")
        return trainer

    def answer(self, trainer: Any) -> Response:
        api.forget_cached_capabilities()
        standing = api.trainer_standing(trainer)
        return Response({
            "standing": LevelStandingSerializer(standing).data if standing else None,
            "history": _history(trainer),
        })


class StaffTrainerLevelView(_StaffTrainerMixin, TrainersAPIView):
    """One trainer's level, for staff."""

    @document(parameters=[USERNAME], responses=LevelStandingWithHistorySerializer, tags=TAGS)
    def get(self, request, username: str) -> Response:
        """The trainer's standing (null when not an active trainer) and level history."""
        return self.answer(self.trainer(request, username))


class StaffLockView(_StaffTrainerMixin, TrainersAPIView):
    permission = "mentora_trainers.manage_level"

    @document(parameters=[USERNAME], request=LevelReasonSerializer, responses=STANDING, tags=TAGS)
    def post(self, request, username: str) -> Response:
        """Lock the trainer's level where it is (a reason is required)."""
        trainer = self.trainer(request, username)
        api.lock_level(trainer, request.user, validated(LevelReasonSerializer, request.data)["reason"])
        return self.answer(trainer)


class StaffUnlockView(_StaffTrainerMixin, TrainersAPIView):
    permission = "mentora_trainers.manage_level"

    @document(parameters=[USERNAME], request=LevelReasonSerializer, responses=STANDING, tags=TAGS)
    def post(self, request, username: str) -> Response:
        """Hand the trainer's level back to the recompute (a reason is required)."""
        trainer = self.trainer(request, username)
        api.unlock_level(trainer, request.user, validated(LevelReasonSerializer, request.data)["reason"])
        return self.answer(trainer)


class StaffOverrideView(_StaffTrainerMixin, TrainersAPIView):
    permission = "mentora_trainers.manage_level"

    @document(parameters=[USERNAME], request=LevelOverrideSerializer, responses=STANDING, tags=TAGS)
    def post(self, request, username: str) -> Response:
        """Set the trainer's level by hand, which locks it there (a reason is required)."""
        trainer = self.trainer(request, username)
        data = validated(LevelOverrideSerializer, request.data)
        api.override_level(trainer, data["level"], request.user, data["reason"])
        return self.answer(trainer)


class StaffRecomputeView(_StaffTrainerMixin, TrainersAPIView):
    permission = "mentora_trainers.manage_level"

    @document(parameters=[USERNAME], request=None, responses=LevelStandingWithHistorySerializer, tags=TAGS)
    def post(self, request, username: str) -> Response:
        """Recompute the trainer's level now, as the daily recompute would."""
        trainer = self.trainer(request, username)
        api.recompute_trainer(trainer, actor=request.user)
        return self.answer(trainer)


urlpatterns = [
    path("me/level/", MyLevelView.as_view(), name="api-levels-mine"),
    path("me/capabilities/", MyCapabilitiesView.as_view(), name="api-levels-capabilities"),
    path("levels/", LadderView.as_view(), name="api-levels-ladder"),
    path("levels/staff/<str:username>/", StaffTrainerLevelView.as_view(), name="api-levels-trainer"),
    path("levels/staff/<str:username>/lock/", StaffLockView.as_view(), name="api-levels-lock"),
    path("levels/staff/<str:username>/unlock/", StaffUnlockView.as_view(), name="api-levels-unlock"),
    path("levels/staff/<str:username>/override/", StaffOverrideView.as_view(), name="api-levels-override"),
    path("levels/staff/<str:username>/recompute/", StaffRecomputeView.as_view(), name="api-levels-recompute"),
]
