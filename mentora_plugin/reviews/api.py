"""
The reviews domain's one door: the block, the REST API, the pages, Celery and the admin call these functions, and
nothing else of this package.
"""
from mentora_plugin.reviews import gallery, projects, queue, reviewing, submissions
from mentora_plugin.reviews.common import ReviewsError
from mentora_plugin.reviews.gallery import *  # noqa: F403
from mentora_plugin.reviews.projects import *  # noqa: F403
from mentora_plugin.reviews.queue import *  # noqa: F403
from mentora_plugin.reviews.reviewing import *  # noqa: F403
from mentora_plugin.reviews.submissions import *  # noqa: F403

__all__ = [
    "ReviewsError",
    *gallery.__all__,
    *projects.__all__,
    *queue.__all__,
    *reviewing.__all__,
    *submissions.__all__,
]
