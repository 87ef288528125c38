"""
The communities domain's one door: the block, the REST API, the pages, Celery and the admin call these functions,
and nothing else of this package.
"""
from mentora_plugin.communities import (
    access,
    data,
    follows,
    forums,
    groups,
    listing,
    moderation,
    notifications,
    posts,
    qa,
)
from mentora_plugin.communities.access import *  # noqa: F403
from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.communities.data import *  # noqa: F403
from mentora_plugin.communities.follows import *  # noqa: F403
from mentora_plugin.communities.forums import *  # noqa: F403
from mentora_plugin.communities.groups import *  # noqa: F403
from mentora_plugin.communities.listing import *  # noqa: F403
from mentora_plugin.communities.moderation import *  # noqa: F403
from mentora_plugin.communities.notifications import *  # noqa: F403
from mentora_plugin.communities.posts import *  # noqa: F403
from mentora_plugin.communities.qa import *  # noqa: F403

__all__ = [
    "CommunitiesError",
    *access.__all__,
    *data.__all__,
    *follows.__all__,
    *forums.__all__,
    *groups.__all__,
    *listing.__all__,
    *moderation.__all__,
    *notifications.__all__,
    *posts.__all__,
    *qa.__all__,
]
