"""The badges REST API (/api/mentora/v1/badges/...): each subject's module lists its own routes."""
from mentora_plugin.badges.rest_api.v1 import awards, classes, rules

urlpatterns = [*classes.urlpatterns, *awards.urlpatterns, *rules.urlpatterns]
