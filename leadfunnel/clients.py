"""
Who a request comes from, behind the documented reverse proxy: one answer for the log-in
lockout (django-axes), the password-reset throttle and the API throttle (DRF's NUM_PROXIES
reads X-Forwarded-For the same way).
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The client's address: with ``TRUSTED_PROXY_COUNT`` proxies in front, the entry the
    nearest of them added to X-Forwarded-For (``count`` from the right: anything further
    left was written by the client and proves nothing); without, REMOTE_ADDR."""
    if request is None:  # an authentication outside a request (a shell, a test)
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-count] if len(forwarded) >= count else remote
