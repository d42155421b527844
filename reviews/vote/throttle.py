"""Rate limits of the public vote, and the page shown when one is hit.

The phone-code pages use django-ratelimit's decorator, per address and per address block
(/24, /48); what a code costs once sent is counted by reviews.vote.budget. The vote itself,
the hottest request of the site, uses ``vote_ratelimit``: the same fixed-window counting, but
both of its limits in one round trip to Redis (django-ratelimit makes three per limit: add,
exists, incr; six of a vote's ~12 round trips, measured with bench/bench_votes.py).

Limits count in the shared cache (reviews.vote.counters), with Redis across all workers.
"""

import functools
import ipaddress
import time

from django.conf import settings
from django.shortcuts import render

from .casting import ip_block
from .counters import count_hits, rate, split_rate, window_key
from .identity import request_voter_id


def block_key(group, request):
    return "block:" + ip_block(request.META.get("REMOTE_ADDR", ""))


def voter_key(request):
    voter_id = request_voter_id(request)
    if voter_id is None:
        return "ip:" + request.META.get("REMOTE_ADDR", "")
    return f"voter:{voter_id}"


def limited_response(request):
    return render(request, "reviews/rate_limited.html", status=429)


# --- The vote's limits in one round trip ----------------------------------------------------

IPV6_MASK = 64  # one subscriber's IPv6 network counts as one address (django-ratelimit's default)


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
        counters[window_key(name, key, now - now % period)] = period + 1
        allowed.append(count)
    counts = count_hits(counters)
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
