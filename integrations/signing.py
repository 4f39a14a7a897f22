"""
How receivers know a webhook came from us, and not from a replay.

Header ``X-Leadfunnel-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256, keyed with the webhook's secret, of ``f"{t}.".encode() + raw_body``. A receiver
recomputes it over the raw bytes it got (before parsing the JSON), compares in constant
time, and refuses a ``t`` older than a few minutes: a captured request cannot be replayed
later, and changing ``t`` breaks the signature. In Python::

    t, v1 = (dict(p.split("=", 1) for p in header.split(","))[k] for k in ("t", "v1"))
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, v1) and abs(time.time() - int(t)) < 300
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Leadfunnel-Signature"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
