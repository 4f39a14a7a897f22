"""
API keys: made, checked, revoked. Only a hash is stored (``ApiKey``); the key is returned
once, by ``api_key_create``, and can never be read back.

Why not DRF's ``TokenAuthentication``: it stores keys in clear, with no expiry. Why not
django-rest-knox, whose design this follows (a short prefix to look the row up, a digest
compared in constant time): it keeps no last use nor a name per key, deletes expired keys
instead of keeping them as a record, and reads every key of the user on each request.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from hmac import compare_digest

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiKey
from .roles import Account

PREFIX_LENGTH = 12
LAST_USE_PRECISION = timedelta(minutes=1)  # at most one write per key per minute


def digest_of(key: str) -> str:
    """SHA-256 of the key: a key carries 256 random bits, so no salt or slow hash is needed
    (the same reasoning as knox and GitHub's tokens)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, user: Account, name: str = "", lifetime: timedelta | None | bool = True
) -> tuple[ApiKey, str]:
    """A new key for ``user``: the row, and the key itself (shown once, never stored).

    ``lifetime`` ``True`` takes ``API_KEY_LIFETIME_DAYS`` (0: never expires), ``None`` makes
    a key that never expires."""
    if lifetime is True:
        days = settings.API_KEY_LIFETIME_DAYS
        lifetime = timedelta(days=days) if days else None
    key = "lf_" + secrets.token_urlsafe(32)
    now = timezone.now()
    row = ApiKey.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        digest=digest_of(key),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    return row, key


def api_key_revoke(*, api_key: ApiKey, by: Account, now: datetime | None = None) -> ApiKey:
    """Stop a key for good (its row stays, as the record of who had it). The owner or a
    superuser may."""
    if by.pk != api_key.user_id and not by.is_superuser:
        raise PermissionDenied(_("Only the key's owner or a superuser revokes it."))
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


def api_key_check(key: str, *, now: datetime | None = None) -> ApiKey | None:
    """The usable key row ``key`` is, or None; notes its last use (to the minute)."""
    now = now or timezone.now()
    digest = digest_of(key)
    candidates = ApiKey.objects.usable(now).filter(prefix=key[:PREFIX_LENGTH])
    found = next(
        (row for row in candidates.select_related("user") if compare_digest(row.digest, digest)),
        None,
    )
    if found is not None and (
        found.last_used_at is None or found.last_used_at < now - LAST_USE_PRECISION
    ):
        ApiKey.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found
