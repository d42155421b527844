"""Rate limits of the public vote (django-ratelimit), and the page shown when one is hit.

Limits count in the cache: with the embedded local-memory cache they hold per process, with
Redis (REDIS_URL) across all workers. ``settings.VOTE_RATELIMITS`` may override any rate.
"""

from django.conf import settings
from django.shortcuts import render

from .voting import SESSION_VOTER_KEY, VoteError, normalise_phone

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


def voter_key(group, request):
    data = request.session.get(SESSION_VOTER_KEY) or {}
    return f"voter:{data.get('id', '')}" if data else "ip:" + request.META.get("REMOTE_ADDR", "")


def limited_response(request):
    return render(request, "reviews/rate_limited.html", status=429)
