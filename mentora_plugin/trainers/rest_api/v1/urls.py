"""The trainers' REST API (/api/mentora/v1/trainers/...): each subject's module lists its own routes."""
from mentora_plugin.trainers.rest_api.v1 import applications, disputes, levels, profiles

urlpatterns = [*applications.urlpatterns, *levels.urlpatterns, *disputes.urlpatterns, *profiles.urlpatterns]
