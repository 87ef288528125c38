"""
URLs of trainers (namespace ``mentora-trainers``): the REST API under /api/mentora/v1/trainers/ and the pages under
/mentora/trainers/. Each subject's views module lists its own patterns; the profiles' come last because a public
profile's address ends in a username.
"""
from django.urls import include, path

from mentora_plugin.db import outside_request_transactions
from mentora_plugin.trainers.views import applications, disputes, levels, profiles

urlpatterns = outside_request_transactions([
    path("api/mentora/v1/trainers/", include("mentora_plugin.trainers.rest_api.v1.urls")),
    path("mentora/trainers/", include(applications.urlpatterns)),
    path("mentora/trainers/", include(levels.urlpatterns)),
    path("mentora/trainers/", include(disputes.urlpatterns)),
    path("mentora/trainers/", include(profiles.urlpatterns)),
])
