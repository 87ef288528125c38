"""
The communities REST API (/api/mentora/v1/communities/...): each subject's module lists its own routes. Every route
is reached through ``communities.api`` only, which refuses (403 ``not_enrolled``) anyone without a part in the
course, whatever the door (tests/test_communities_rest.py walks every route of this list to check it).
"""
from mentora_plugin.communities.rest_api.v1 import groups, moderation, notifications, questions, spaces, threads

urlpatterns = [
    *spaces.urlpatterns,
    *threads.urlpatterns,
    *questions.urlpatterns,
    *moderation.urlpatterns,
    *groups.urlpatterns,
    *notifications.urlpatterns,
]
