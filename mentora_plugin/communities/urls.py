"""
URLs of communities (namespace ``mentora-communities``): the REST API under /api/mentora/v1/communities/ and the
pages under /mentora/communities/.
"""
from django.urls import include, path

from mentora_plugin.db import outside_request_transactions

urlpatterns = outside_request_transactions([
    path("api/mentora/v1/communities/", include("mentora_plugin.communities.rest_api.v1.urls")),
    path("mentora/communities/", include("mentora_plugin.communities.views.pages")),
])
