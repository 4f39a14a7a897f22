"""
The Redis cache, failing soft.

The cache holds nothing the app cannot do without: DRF's throttle keeps its request counts
there, and throttling is abuse reduction, not a quota (DRF #5181, field notes). Redis is the
Celery broker too, and while it is down the API must go on answering (the work it would
enqueue is found again from database state by the beat sweeps) instead of failing every
request in the throttle with a 500.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

UNREACHABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError)


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache that answers as an empty cache while Redis cannot be reached.

    After a failure it leaves Redis alone for ``PAUSE`` seconds, so a Redis that accepts
    connections and never answers costs one request the socket timeout, not every request.
    Counters (``incr``) and ``clear`` still raise: they cannot pretend.
    """

    PAUSE = 10.0
    _down_until = 0.0  # on the class: Django makes one instance per thread

    def _soft(self, fallback: Any, call, *args: Any) -> Any:
        if time.monotonic() < FailSoftRedisCache._down_until:
            return fallback
        try:
            return call(*args)
        except UNREACHABLE as error:
            logger.warning("Cache unavailable, skipped for %s s: %s", self.PAUSE, error)
            FailSoftRedisCache._down_until = time.monotonic() + self.PAUSE
            return fallback

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._soft(None, super().delete_many, keys, version)
