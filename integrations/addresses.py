"""
Where a webhook may send: public addresses only, so a webhook cannot make the app reach
into its own network (SSRF: the app itself on 127.0.0.1, the cloud's metadata service on
169.254.169.254, a database on 10.0.0.5).

Checked twice: when a webhook is saved (a literal address or a local name is refused with a
400 on ``url``), and when a delivery is sent, after resolving the name: the request then
goes to the very address that was checked (``pinned``), so a name that resolves to a
public address at the check and to a private one a moment later (DNS rebinding) cannot
get through. Redirects are never followed. ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` lifts the rule
for an on-premise install whose receivers live on its own network.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOCAL_NAMES = ("localhost", "localhost.localdomain")
REFUSED = _("Webhooks may only send to public addresses (this one is private or local).")


class PrivateTarget(Exception):
    """The receiver's name resolved to an address the app may not send to."""


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address.is_global and not address.is_multicast


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def validate_public_url(url: str) -> None:
    """A field validator: refuse a URL whose host is a private or local address or name."""
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    address = _literal(host)
    local = host in LOCAL_NAMES or host.endswith(".localhost") or host == ""
    if local or (address is not None and not _allowed(address)):
        raise ValidationError(REFUSED, code="private_target")


@dataclass(frozen=True)
class Pinned:
    """A checked address to connect to, and the name the receiver knows itself by."""

    url: str  # the URL with the checked address as its host
    host_header: str
    server_name: str  # for TLS: the certificate must name this


def pinned(url: str) -> Pinned:
    """Resolve ``url``'s host once, check every address it gives, and name the first one to
    connect to. Raises ``PrivateTarget`` (or ``OSError`` when the name does not resolve)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and not all(map(_allowed, addresses)):
        raise PrivateTarget(REFUSED)
    chosen = addresses[0]
    shown = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    host_header = parts.netloc.rpartition("@")[2]
    return Pinned(parts._replace(netloc=netloc).geturl(), host_header, host)
