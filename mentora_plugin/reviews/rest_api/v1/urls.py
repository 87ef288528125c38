"""The reviews REST API (/api/mentora/v1/reviews/...): each subject's module lists its own routes."""
from mentora_plugin.reviews.rest_api.v1 import gallery, queue, reviewing, submissions

urlpatterns = [*submissions.urlpatterns, *reviewing.urlpatterns, *queue.urlpatterns, *gallery.urlpatterns]
