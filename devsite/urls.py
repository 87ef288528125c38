"""URLs of the demo site: the landing page, the workbench, and every plugin's URLs as the LMS mounts them."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve
from edx_django_utils.plugins import get_plugin_url_patterns

from devsite import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("sign-in-as/", views.sign_in_as, name="sign-in-as"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("workbench/", include("workbench.urls")),
    # Uploaded files (the LMS serves them from its storage backend; the demo from MEDIA_ROOT).
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    # The LMS's way: every plugin app's url_config for the lms.djangoapp project.
    *get_plugin_url_patterns("lms.djangoapp"),
]
