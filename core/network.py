"""The client's address, behind the proxies this deployment trusts and no others.

``TRUSTED_PROXIES`` (settings, from the environment; empty by default) lists the addresses or
networks of the reverse proxies in front of the application (nginx). Only a request whose
connecting address is one of them may speak for the client: the client address is then the
right-most entry of ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy
appends the address it saw, so everything left of that entry is whatever the client chose
to send). From anyone else, ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are dropped: a
client cannot pick its own address, nor claim HTTPS.

``ClientAddressMiddleware`` runs first and puts the answer in ``REMOTE_ADDR``, so everything
that reads the address (django-axes, django-ratelimit's ``key="ip"``, the vote, objections,
codes) reads this one answer; ``client_address(request)`` is the same answer for callers that
take a request (axes' ``AXES_CLIENT_IP_CALLABLE``).

Written out rather than taken from django-ipware: ipware trusts proxies by address prefix
strings and a proxy count, while a deployment states networks here (``10.0.0.0/8``), and the
rule above (right-most untrusted entry, nothing believed from untrusted peers) is the whole
of what is needed.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_REAL_IP")
# TRUSTED_PROXIES entry for gunicorn's Unix socket (a peer without an address): behind nginx,
# gunicorn listens on a socket only nginx's group may open, so no local process (which could
# connect from any loopback address) can speak as the proxy.
UNIX_SOCKET = "unix"
PEER_KEY = "bizenv.peer_addr"  # request.META: the address that connected, kept for logs


def parse_networks(entries) -> tuple:
    """``["127.0.0.10", "10.0.0.0/8"]`` as networks; a bad entry is a configuration error."""
    networks = []
    for entry in entries:
        if entry.strip().lower() == UNIX_SOCKET:
            networks.append(UNIX_SOCKET)
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an address or network"
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple) -> tuple:
    return parse_networks(entries)


def trusted_networks() -> tuple:
    return _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return address is not None and any(
        address in network for network in networks if network != UNIX_SOCKET
    )


def resolve(peer: str, forwarded_for: str | None, networks) -> tuple[str, bool]:
    """(client address, whether the peer is a trusted proxy) for a connection from ``peer``
    that carried ``forwarded_for``."""
    peer_address = _address(peer or "")
    through_socket = not peer and UNIX_SOCKET in networks
    if not networks or not (through_socket or _is_trusted(peer_address, networks)):
        return peer, False
    client = peer_address
    for entry in reversed((forwarded_for or "").split(",")):
        address = _address(entry)
        if address is None:
            break  # garbage: whatever is left of it was not written by our proxies
        client = address
        if not _is_trusted(address, networks):
            break
    return ("" if client is None else str(client)), True


def client_address(request) -> str:
    """The client's address (after the middleware: ``REMOTE_ADDR``)."""
    meta = request.META
    if PEER_KEY in meta:
        return meta.get("REMOTE_ADDR", "")
    return resolve(
        meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR"), trusted_networks()
    )[0]


class ClientAddressMiddleware:
    """First in MIDDLEWARE: REMOTE_ADDR becomes the client's address, and forwarding headers
    from untrusted peers are dropped before SecurityMiddleware reads X-Forwarded-Proto."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = trusted_networks()

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        client, from_proxy = resolve(peer, meta.get("HTTP_X_FORWARDED_FOR"), self.networks)
        if from_proxy:
            meta["REMOTE_ADDR"] = client
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        meta[PEER_KEY] = peer
        return self.get_response(request)


def address_prefix(ip: str | None) -> str | None:
    """A client address cut to its /24 (IPv4) or /48 (IPv6) network address: what is kept of
    it once personal data is minimised (publishing.retention). None stays None."""
    if not ip:
        return ip
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
