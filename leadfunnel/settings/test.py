"""Settings for the test suite: fast hashing, plain static storage, no throttling surprises."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, DATABASES, REDIS_URL, REST_FRAMEWORK


def _database(url: str) -> int:
    return int(urlsplit(url).path.strip("/") or 0)


def _with_database(url: str, number: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


def _neighbour_database(url: str) -> str:
    """The Redis URL of the database next to ``url``'s (15 and 14, 0 and 1, ...)."""
    return _with_database(url, _database(url) ^ 1)


def _database_of_worker(url: str, worker: str) -> str:
    """The Redis URL of pytest-xdist worker ``worker``'s pair of databases: two apart per
    worker, away from the end of the 16 that ``url``'s is at (gw1 of 15 is 13, of 0 is 2)."""
    number, step = _database(url), 2 * int(worker.removeprefix("gw"))
    return _with_database(url, number - step if number >= 8 else number + step)


PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
}
# No collected static files in tests: WhiteNoise serves nothing and finds them through finders.
STATIC_ROOT = None  # type: ignore[assignment]  # served by the finders in tests
WHITENOISE_USE_FINDERS = True

# On SQLite the test database is a file, not Django's default shared in-memory database: the
# live server of the browser tests hands that one connection to all its request threads, and
# the dashboard's panels, loaded in parallel by htmx, then blocked each other inside their
# queries until `make test` stalled. A file gives each thread its own connection, with the
# WAL and busy timeout of base.py, as the app has when it runs. pytest-xdist adds a suffix
# per worker. https://docs.djangoproject.com/en/5.2/topics/testing/overview/#the-test-database
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
    (BASE_DIR / "var").mkdir(exist_ok=True)

# pytest-xdist runs the suite in several processes against one Redis: each worker moves to
# a pair of databases of its own, so that one worker's purge of the queue or flush of the
# cache never empties another's. The environment says so too, for the fixtures and for the
# worker and server processes that tests start: they inherit it, and must not move again.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker and os.environ.get("LEADFUNNEL_REDIS_OF_WORKER") != _worker:
    REDIS_URL = _database_of_worker(REDIS_URL, _worker)
    CELERY_BROKER_URL = os.environ["REDIS_URL"] = REDIS_URL
    os.environ["LEADFUNNEL_REDIS_OF_WORKER"] = _worker

# The throttle tests empty the cache, which on Redis flushes its whole database: the cache
# gets a database of its own, so Celery's queue in REDIS_URL's is left alone.
if REDIS_URL:
    CACHES["default"]["LOCATION"] = _neighbour_database(REDIS_URL)
