"""Serializers of the host API (v1)."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRole


class CourseSerializer(serializers.Serializer):
    """A course, with the requesting user's roles in it."""

    course_key = serializers.CharField()
    org = serializers.CharField()
    title = serializers.CharField()
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    my_roles = serializers.ListField(child=serializers.ChoiceField(choices=[role.value for role in CourseRole]))


class CourseUserSerializer(serializers.Serializer):
    """A person in a course, by the public parts of their account."""

    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return api.display_name(user)


class TrainerGrantSerializer(serializers.Serializer):
    """A Mentora trainer grant."""

    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    course_key = serializers.CharField()
    is_active = serializers.BooleanField()
    granted_at = serializers.DateTimeField()
    granted_by = serializers.CharField(source="granted_by_username", allow_null=True)
    reason = serializers.CharField()


class GrantTrainerSerializer(serializers.Serializer):
    """What course staff send to make someone a trainer."""

    username = serializers.CharField(max_length=150, help_text=_("The username of the new trainer."))
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RevokeTrainerSerializer(serializers.Serializer):
    """Why a trainer grant is withdrawn (optional)."""

    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
