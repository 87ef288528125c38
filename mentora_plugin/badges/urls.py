"""
URLs of badges (namespace ``mentora-badges``): the public Open Badges URLs under /badges/ (JSON-LD, images,
criteria and verification pages: stable forever by ``public_id``, see ``views.public``), the REST API under
/api/mentora/v1/badges/ and the signed-in pages under /mentora/badges/. Each views module lists its own patterns.
"""
from django.urls import include, path

from mentora_plugin.badges.views import credentials, pages, public
from mentora_plugin.db import outside_request_transactions

urlpatterns = outside_request_transactions([
    path("badges/", include(public.urlpatterns)),
    path("badges/", include(credentials.urlpatterns)),  # Open Badges 3.0: credentials, revocations, keys
    path("api/mentora/v1/badges/", include("mentora_plugin.badges.rest_api.v1.urls")),
    path("mentora/badges/", include(pages.urlpatterns)),
    path("", include("mentora_plugin.badges.views.portfolio")),  # both prefixes: see views.portfolio
])
