"""Host REST API (v1), mounted under ``/api/mentora/v1/``."""
from django.urls import re_path

from mentora_plugin.db import outside_request_transactions
from mentora_plugin.host.rest_api.v1 import views

# Course keys contain "+" and ":"; the views parse and validate them (a malformed key is a 400, not a 404).
COURSE_ID = r"(?P<course_id>[^/]+)"

urlpatterns = outside_request_transactions([
    re_path(rf"^courses/{COURSE_ID}/$", views.CourseDetailView.as_view(), name="course-detail"),
    re_path(rf"^courses/{COURSE_ID}/learners/$", views.CourseLearnersView.as_view(), name="course-learners"),
    re_path(rf"^courses/{COURSE_ID}/trainers/$", views.CourseTrainersView.as_view(), name="course-trainers"),
    re_path(
        rf"^courses/{COURSE_ID}/trainers/(?P<username>[\w.@+-]+)/$",
        views.CourseTrainerView.as_view(),
        name="course-trainer",
    ),
])
