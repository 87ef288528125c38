"""
URLs of badges (namespace ``mentora-badges``): the public Open Badges URLs under /badges/ (JSON-LD, images,
criteria and verification pages: stable forever by ``public_id``, see ``views.public``), the REST API under
/api/mentora/v1/badges/ and the signed-in pages under /mentora/badges/. Each views module lists its own patterns.
"""
from django.urls import include, path

from mentora_plugin.badges.views import pages, public

urlpatterns = [
    path("badges/", include(public.urlpatterns)),
    path("api/mentora/v1/badges/", include("mentora_plugin.badges.rest_api.v1.urls")),
    path("mentora/badges/", include(pages.urlpatterns)),
]
