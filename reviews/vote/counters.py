"""Counting requests and codes in the shared cache: the rates of the vote's limits and the
fixed-window counters behind them (reviews.vote.throttle, reviews.vote.budget).

Counters live in the cache (``RATELIMIT_USE_CACHE``): with Redis (REDIS_URL) one count for every
worker process, never per-process memory; the embedded local-memory cache holds them for its
single process. ``settings.VOTE_RATELIMITS`` may override any rate.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import caches

# Carrier-grade NAT puts many phones behind one address, so the per-address limits are
# generous; the per-phone ones are tight. A per-phone limit counts codes sent, per requester
# under a higher cap for the phone: asking codes for someone else's phone must not lock its
# owner out for long (reviews.vote.budget).
DEFAULT_RATES = {
    "code_ip": "30/h",  # code requests from one address
    "code_block": "300/h",  # code requests from one address block (/24, /48)
    "code_phone": "5/h",  # codes sent to one phone for one requester (address)
    "code_phone_all": "10/h",  # codes sent to one phone, every requester together
    "captcha_ip": "120/h",  # captchas drawn (page views, 换一张, audio) for one address
    "captcha_block": "1200/h",  # the same for one address block
    "verify_ip": "60/h",  # code checks from one address
    "vote_ip": "300/m",  # votes from one address
    "vote_voter": "30/m",  # votes by one verified phone
}


def rate(name):
    def _rate(group, request):
        return getattr(settings, "VOTE_RATELIMITS", {}).get(name, DEFAULT_RATES[name])

    return _rate


_RATE_RE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def split_rate(rate: str) -> tuple[int, int]:
    """'300/m' → (300, 60); '5/10m' → (5, 600)."""
    match = _RATE_RE.match(rate)
    if not match:
        raise ValueError(f"bad rate {rate!r}")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT_SECONDS[unit]


def window_key(name: str, key: str, start: int) -> str:
    """The cache key of one limit's counter for the window starting at ``start``."""
    digest = hashlib.sha256(f"{name}:{key}".encode()).hexdigest()
    return f"vrl:{digest}:{start}"


def counters_cache():
    """The shared cache (Redis with REDIS_URL): counts hold across every worker process."""
    return caches[settings.RATELIMIT_USE_CACHE]


def count_hits(counters: dict[str, int]) -> list[int]:
    """Add one to each counter (key → timeout in seconds, used when the key is new) and return
    the new counts in order; each increment is atomic in the cache."""
    cache = counters_cache()
    if hasattr(cache, "hit"):  # core.cache.RedisCache: one round trip
        return cache.hit(counters)
    counts = []
    for key, timeout in counters.items():
        cache.add(key, 0, timeout)
        counts.append(cache.incr(key))
    return counts


def uncount_hits(keys) -> None:
    """Take back one hit of each counter (a request that ends up costing nothing)."""
    cache = counters_cache()
    for key in keys:
        try:
            cache.decr(key)
        except ValueError:  # expired meanwhile: nothing to take back
            pass
