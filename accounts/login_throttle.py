"""A second limit on login failures: per username, over every address.

django-axes locks a (username, address) pair after AXES_FAILURE_LIMIT failures, so that nobody
can lock a named user out from elsewhere. Guessing one user's password from many addresses is
slowed by this limit instead, which never locks anyone out:

- every failed login for a username counts, from any address, in the shared cache (Redis in
  production), for LOGIN_USERNAME_WINDOW seconds from the first failure;
- from LOGIN_USERNAME_FAILURE_LIMIT failures on, the username gets one attempt per
  LOGIN_USERNAME_DELAY seconds, whoever makes it; the others are answered with a Chinese
  message (429) without checking the password, so they count nowhere and lock nothing;
- a browser that has logged in as that user before carries a signed cookie naming it (as
  OWASP's "device cookies"): it is exempt, so the owner gets in at once from their own
  machine while an attacker is being slowed down.

Both login forms check it (accounts.views.LoginView and the admin's), failures are counted
from Django's ``user_login_failed`` signal, and accounts.middleware writes the cookie.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

DEVICE_COOKIE = "bizenv_login_device"
DEVICE_SALT = "accounts.login_throttle.device"
DEVICE_MAX_AGE = 180 * 24 * 3600
# Keys outlive their window by this much: the clock ends a window, the timeout only cleans up.
CLEANUP_MARGIN = 60
DEVICE_MAX_USERS = 5  # usernames one browser remembers (a shared office computer)


def failure_limit():
    return getattr(settings, "LOGIN_USERNAME_FAILURE_LIMIT", 20)


def window():
    return getattr(settings, "LOGIN_USERNAME_WINDOW", 3600)


def delay():
    return getattr(settings, "LOGIN_USERNAME_DELAY", 60)


def _key(kind, username):
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    return f"login-{kind}:{digest}"


def record_failure(username):
    """Count one failed login for ``username`` (from any address)."""
    if not username:
        return
    key, since = _key("failures", username), _key("since", username)
    now, keep = time.time(), window() + CLEANUP_MARGIN
    # The window is timed by the clock (tests set it); the cache's timeouts only clean up.
    if not cache.add(since, now, keep) and now >= cache.get(since, now) + window():
        cache.set(since, now, keep)
        cache.set(key, 0, keep)
    cache.add(key, 0, keep)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: this failure starts a new window
        cache.add(key, 1, keep)


def failures(username):
    started = cache.get(_key("since", username))
    if started is None or time.time() >= started + window():
        return 0
    return cache.get(_key("failures", username), 0)


def seconds_to_wait(request, username):
    """0 when this attempt may go ahead, else the seconds until the next one may.

    Takes the username's slot for this period when it is free: call it once per attempt.
    """
    if not username or failures(username) < failure_limit():
        return 0
    if username in known_usernames(request):
        return 0
    period = delay()
    slot = _key("slot", username)
    now, keep = time.time(), period + CLEANUP_MARGIN
    if cache.add(slot, now + period, keep):
        return 0
    free_at = cache.get(slot)
    if free_at is None:  # expired just now
        return 0 if cache.add(slot, now + period, keep) else period
    if free_at <= now:  # the period is over by the clock, the cache has not dropped it yet
        cache.set(slot, now + period, keep)
        return 0
    return max(1, math.ceil(free_at - now))


# --- The browsers that have logged in before --------------------------------------------------


def known_usernames(request):
    if request is None:
        return []
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
    )
    return [name for name in value.split(",") if name]


def remember_device(request, response, username):
    """Add ``username`` to this browser's signed list (most recent first)."""
    names = [username] + [n for n in known_usernames(request) if n != username]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        ",".join(names[:DEVICE_MAX_USERS]),  # Django usernames hold no comma
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- Signal handlers (connected in AccountsConfig.ready) ------------------------------------


def on_login_failed(sender, credentials, request=None, **kwargs):
    record_failure(credentials.get("username", ""))


def on_logged_in(sender, request, user, **kwargs):
    # The response does not exist yet: accounts.middleware.LoginDeviceMiddleware sets it.
    if request is not None:
        request.login_device_username = user.get_username()
