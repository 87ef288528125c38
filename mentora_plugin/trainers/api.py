"""
The trainers domain's one door: every other domain, the REST API, the pages, the blocks and the admin call these
functions, and nothing else of this package.

The functions live in small modules by subject (profiles and search, applications, levels and capabilities,
activity and ratings, disputes); this module gathers them.
"""
from mentora_plugin.trainers import (
    activity,
    applications,
    capabilities,
    disputes,
    levels,
    metrics,
    profiles,
    ratings,
)
from mentora_plugin.trainers.activity import *  # noqa: F403
from mentora_plugin.trainers.applications import *  # noqa: F403
from mentora_plugin.trainers.capabilities import *  # noqa: F403
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.disputes import *  # noqa: F403
from mentora_plugin.trainers.levels import *  # noqa: F403
from mentora_plugin.trainers.metrics import *  # noqa: F403
from mentora_plugin.trainers.profiles import *  # noqa: F403
from mentora_plugin.trainers.ratings import *  # noqa: F403

__all__ = [
    "TrainersError",
    *activity.__all__,
    *applications.__all__,
    *capabilities.__all__,
    *disputes.__all__,
    *levels.__all__,
    *metrics.__all__,
    *profiles.__all__,
    *ratings.__all__,
]
