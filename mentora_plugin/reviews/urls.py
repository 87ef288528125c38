"""
URLs of reviews (namespace ``mentora-reviews``): the REST API under /api/mentora/v1/reviews/ and the pages under
/mentora/reviews/. Each subject's views module lists its own patterns.
"""
from django.urls import include, path

from mentora_plugin.db import outside_request_transactions
from mentora_plugin.reviews.views import gallery, queue, reviewing

urlpatterns = outside_request_transactions([
    path("api/mentora/v1/reviews/", include("mentora_plugin.reviews.rest_api.v1.urls")),
    path("mentora/reviews/", include(queue.urlpatterns)),
    path("mentora/reviews/", include(reviewing.urlpatterns)),
    path("mentora/reviews/", include(gallery.urlpatterns)),
])
