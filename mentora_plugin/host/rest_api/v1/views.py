"""
Host REST API (v1): a course as Mentora knows it, its learners, and its Mentora trainers.

Thin views: they validate input, ask ``user.has_perm`` and call ``mentora_plugin.host.api``.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mentora_plugin.host import api
from mentora_plugin.host.rest_api.v1 import serializers
from mentora_plugin.rest.errors import MentoraAPIError
from mentora_plugin.rest.views import MentoraAPIView, MentoraGenericAPIView, document

COURSE_ID = OpenApiParameter(
    "course_id", str, OpenApiParameter.PATH, description="A course key, e.g. course-v1:Org+Num+Run"
)


class _CourseMixin:
    """Resolves ``course_id`` from the URL and checks a permission on it."""

    permission_required = "mentora_host.view_course"
    #: Per HTTP method, where a view's methods need different permissions.
    permissions_by_method: dict[str, str] = {}

    def get_course(self):
        course_key = api.parse_course_key(self.kwargs["course_id"])
        course = api.get_course(course_key)
        if course is None:
            raise MentoraAPIError(_("This course is not known to Mentora."), code="course_not_found", status_code=404)
        permission = self.permissions_by_method.get(self.request.method, self.permission_required)
        if not self.request.user.has_perm(permission, course_key):
            raise PermissionDenied(_("You do not have access to this course's mentoring."))
        return course


@document(parameters=[COURSE_ID], responses=serializers.CourseSerializer, tags=["courses"])
class CourseDetailView(_CourseMixin, MentoraAPIView):
    """A course and the requesting user's roles in it (learner, trainer, staff, instructor)."""

    def get(self, request, course_id: str) -> Response:
        course = self.get_course()
        roles = sorted(role.value for role in api.get_course_roles(request.user, course.course_key))
        data = {**course.__dict__, "course_key": str(course.course_key), "my_roles": roles}
        return Response(serializers.CourseSerializer(data).data)


@document(parameters=[COURSE_ID], responses=serializers.CourseUserSerializer(many=True), tags=["courses"])
class CourseLearnersView(_CourseMixin, MentoraGenericAPIView):
    """The course's learners (active enrollments), by username. Trainers and course staff only."""

    permission_required = "mentora_host.view_course_learners"
    serializer_class = serializers.CourseUserSerializer

    def get(self, request, course_id: str) -> Response:
        course = self.get_course()
        page = self.paginate_queryset(api.get_course_learners(course.course_key))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CourseTrainersView(_CourseMixin, MentoraGenericAPIView):
    """The course's Mentora trainers; course staff grant the role here."""

    serializer_class = serializers.TrainerGrantSerializer
    permissions_by_method = {
        "GET": "mentora_host.view_course_trainers",
        "POST": "mentora_host.manage_course_trainers",
    }

    @document(parameters=[COURSE_ID], responses=serializers.TrainerGrantSerializer(many=True), tags=["trainers"])
    def get(self, request, course_id: str) -> Response:
        """Active trainer grants of the course, by username."""
        course = self.get_course()
        page = self.paginate_queryset(api.get_trainer_grants(course.course_key))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(
        parameters=[COURSE_ID],
        request=serializers.GrantTrainerSerializer,
        responses={201: serializers.TrainerGrantSerializer},
        tags=["trainers"],
    )
    def post(self, request, course_id: str) -> Response:
        """Make a user a Mentora trainer of the course (idempotent). Course staff and platform staff only."""
        course = self.get_course()
        payload = serializers.GrantTrainerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        trainer = _user_by_username(payload.validated_data["username"])
        grant = api.grant_trainer_role(
            course.course_key, trainer, granted_by=request.user, reason=payload.validated_data["reason"]
        )
        return Response(serializers.TrainerGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


@document(parameters=[COURSE_ID, OpenApiParameter("username", str, OpenApiParameter.PATH)], tags=["trainers"])
class CourseTrainerView(_CourseMixin, MentoraAPIView):
    """One trainer of the course."""

    permission_required = "mentora_host.manage_course_trainers"

    @document(request=serializers.RevokeTrainerSerializer, responses={204: None})
    def delete(self, request, course_id: str, username: str) -> Response:
        """Withdraw the user's trainer grant; the grant stays on record, inactive."""
        course = self.get_course()
        payload = serializers.RevokeTrainerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        trainer = _user_by_username(username)
        if not api.revoke_trainer_role(
            course.course_key, trainer, revoked_by=request.user, reason=payload.validated_data["reason"]
        ):
            raise MentoraAPIError(_("This user is not a trainer of the course."), code="not_a_trainer", status_code=404)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _user_by_username(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise MentoraAPIError(_("No active user has the username “{username}”.").format(username=username),
                              code="unknown_user")
    return user
