"""
The badges domain's one door: the block, the REST API, the pages, Celery and the admin call these functions, and
nothing else of this package.
"""
from mentora_plugin.badges import awards, badge_classes, data, images, portfolio, rules_engine
from mentora_plugin.badges.awards import *  # noqa: F403
from mentora_plugin.badges.badge_classes import *  # noqa: F403
from mentora_plugin.badges.common import BadgesError
from mentora_plugin.badges.data import *  # noqa: F403
from mentora_plugin.badges.images import *  # noqa: F403
from mentora_plugin.badges.portfolio import *  # noqa: F403
from mentora_plugin.badges.rules_engine import *  # noqa: F403

__all__ = [
    "BadgesError",
    *awards.__all__,
    *badge_classes.__all__,
    *data.__all__,
    *images.__all__,
    *portfolio.__all__,
    *rules_engine.__all__,
]
