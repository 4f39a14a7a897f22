"""Counting uses of something per hour in the cache (Redis in production), for the limits
that stop one client address from flooding a mailbox or a form."""

from django.core.cache import cache

WINDOW_SECONDS = 3600


def spent(key: str, limit: int) -> bool:
    """Count one more use of ``key`` in the hour; whether that goes over ``limit``."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, WINDOW_SECONDS)
        used = 1
    return used > limit
