"""
Django settings for openedx-forum 0.6.0 alone, as the LMS would configure its MySQL storage, on the private MariaDB
server (the same server as Mentora's side of the benchmark, another database).

What the peer needs outside the LMS:

- ``forum.toggles`` imports ``openedx.core.djangoapps.waffle_utils.CourseWaffleFlag``, which exists only in
  edx-platform: a stub stands in with every flag off (the LMS default for both AI-moderation flags);
- its search calls go to a search server (Elasticsearch, Meilisearch or Typesense), none of which can run here:
  ``FORUM_SEARCH_BACKEND`` points at ``benchmarks.forum_peer.search`` (what it does is said there). Indexing on
  save is not on the timed path, and the data is bulk-inserted (no signals).
"""
import os
import sys
import types

# --- the edx-platform toggle module forum.toggles imports (every flag off) -------------------------------------------


class CourseWaffleFlag:
    """edx-platform's course waffle flag, off for every course (the LMS default for the flags the forum reads)."""

    def __init__(self, name, module_name):
        self.name = name
        self.module_name = module_name

    def is_enabled(self, course_key=None):
        return False


def _install_toggle_stub() -> None:
    names = ("openedx", "openedx.core", "openedx.core.djangoapps", "openedx.core.djangoapps.waffle_utils")
    for name in names:
        module = sys.modules.setdefault(name, types.ModuleType(name))
        module.__path__ = []  # a package, for the import system
    sys.modules["openedx.core.djangoapps.waffle_utils"].CourseWaffleFlag = CourseWaffleFlag


_install_toggle_stub()

# --- Django ---------------------------------------------------------------------------------------------------------

SECRET_KEY = "bench-forum-peer"  # a throwaway benchmark process
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["*"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "forum",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "HOST": os.environ.get("MENTORA_MARIADB_HOST", "127.0.0.1"),
        "PORT": int(os.environ.get("MENTORA_MARIADB_PORT", "3307")),
        "USER": os.environ.get("MENTORA_MARIADB_USER", "mentora"),
        "PASSWORD": os.environ.get("MENTORA_MARIADB_PASSWORD", "mentora"),
        "NAME": os.environ.get("BENCH_FORUM_PEER_DATABASE", "test_mentora_bench_forum_peer"),
        # As tests/settings_mariadb.py configures Mentora's side: the same isolation and character set.
        "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
FEATURES = {"ENABLE_DISCUSSION_SERVICE": True}
FORUM_SEARCH_BACKEND = "benchmarks.forum_peer.search.BenchSearchBackend"
FORUM_ENABLE_HTTP_API = False
