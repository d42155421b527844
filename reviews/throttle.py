"""Rate limits of the public vote, and the page shown when one is hit.

The phone-code pages use django-ratelimit's decorator. The vote itself, the hottest request
of the site, uses ``vote_ratelimit``: the same fixed-window counting, but both of its limits
in one round trip to Redis (django-ratelimit makes three per limit: add, exists, incr; six
of a vote's ~12 round trips, measured with bench/bench_votes.py).

Limits count in the cache: with the embedded local-memory cache they hold per process, with
Redis (REDIS_URL) across all workers. ``settings.VOTE_RATELIMITS`` may override any rate.
"""

import functools
import hashlib
import ipaddress
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render

from .voting import VoteError, normalise_phone, request_voter_id

# Carrier-grade NAT puts many phones behind one address, so the per-address limits are
# generous; the per-phone ones are tight.
DEFAULT_RATES = {
    "code_ip": "30/h",  # code requests from one address
    "code_phone": "5/h",  # code requests for one phone
    "verify_ip": "60/h",  # code checks from one address
    "vote_ip": "300/m",  # votes from one address
    "vote_voter": "30/m",  # votes by one verified phone
}


def rate(name):
    def _rate(group, request):
        return getattr(settings, "VOTE_RATELIMITS", {}).get(name, DEFAULT_RATES[name])

    return _rate


def phone_key(group, request):
    try:
        return "phone:" + normalise_phone(request.POST.get("phone", ""))
    except VoteError:
        return "phone:invalid"


def voter_key(request):
    voter_id = request_voter_id(request)
    if voter_id is None:
        return "ip:" + request.META.get("REMOTE_ADDR", "")
    return f"voter:{voter_id}"


def limited_response(request):
    return render(request, "reviews/rate_limited.html", status=429)


# --- The vote's limits in one round trip ----------------------------------------------------

_RATE_RE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
IPV6_MASK = 64  # one subscriber's IPv6 network counts as one address (django-ratelimit's default)


def split_rate(rate: str) -> tuple[int, int]:
    """'300/m' → (300, 60); '5/10m' → (5, 600)."""
    match = _RATE_RE.match(rate)
    if not match:
        raise ValueError(f"bad rate {rate!r}")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT_SECONDS[unit]


def client_address(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/{IPV6_MASK}", strict=False).network_address)
        except ValueError:
            return address
    return address


def hit_limits(request, limits, now: float | None = None) -> bool:
    """Count this request against each ``(rate name, key)`` of ``limits``; True when any of
    them is over its rate. Fixed windows, as django-ratelimit counts."""
    now = int(now if now is not None else time.time())
    counters, allowed = {}, []
    for name, key in limits:
        count, period = split_rate(rate(name)(None, request))
        digest = hashlib.sha256(f"{name}:{key}".encode()).hexdigest()
        counters[f"vrl:{digest}:{now - now % period}"] = period + 1
        allowed.append(count)
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if hasattr(cache, "hit"):  # core.cache.RedisCache: one round trip
        counts = cache.hit(counters)
    else:
        counts = []
        for key, timeout in counters.items():
            cache.add(key, 0, timeout)
            counts.append(cache.incr(key))
    return any(n > limit for n, limit in zip(counts, allowed, strict=True))


def vote_ratelimit(view):
    """Per address and per verified voter; sets ``request.limited`` like django-ratelimit's
    decorator with ``block=False``, and leaves the answer to the view."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and getattr(settings, "RATELIMIT_ENABLE", True):
            request.limited = hit_limits(
                request,
                [("vote_ip", client_address(request)), ("vote_voter", voter_key(request))],
            )
        return view(request, *args, **kwargs)

    return wrapped
