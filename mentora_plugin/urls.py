"""
URLs of the ``mentora`` app, mounted at the site root by edx-django-utils' ``get_plugin_url_patterns``.

``/api/mentora/v1/schema/`` serves the OpenAPI schema and ``/api/mentora/v1/docs/`` its browsable documentation;
``/mentora/courses/<course_id>/`` is the course's Mentora home (where the course tab leads).
"""
from django.urls import path, re_path

from mentora_plugin import views
from mentora_plugin.db import outside_request_transactions
from mentora_plugin.rest.views import MentoraDocsView, MentoraSchemaView

urlpatterns = outside_request_transactions([
    path("api/mentora/v1/schema/", MentoraSchemaView.as_view(), name="api-schema"),
    path("api/mentora/v1/docs/", MentoraDocsView.as_view(), name="api-docs"),
    re_path(r"^mentora/courses/(?P<course_id>[^/]+)/$", views.course_home, name="course-home"),
])
