"""Account safety around every request: an idle session ends, a password someone else set is
changed first, and a browser that logged in is remembered for the per-username login limit."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import login_throttle, security
from .models import SecurityEvent

# What a user who must change their password may still open (the second factor comes first).
ALLOWED_WHILE_CHANGING = {
    "password_change",
    "password_change_done",
    "logout",
    "admin:logout",
    "two_factor",
}

# The session's last-activity stamp (seconds since the epoch).
ACTIVITY_KEY = "last_activity"
STAMP_EVERY = 60  # seconds: at most one session write a minute for the stamp


def stamp_activity(session, now=None):
    session[ACTIVITY_KEY] = int(now if now is not None else time.time())


def on_logged_in(sender, request, user, **kwargs):
    """A new login starts a fresh idle period (connected in AccountsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        stamp_activity(request.session)


class IdleTimeoutMiddleware:
    """A signed-in session idle for SESSION_IDLE_MINUTES ends: the next request logs out and
    goes to the login page. The stamp is written at most once a minute (a session save), and
    only for sessions with a login: the public and voters never pay for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = time.time()
            last = session.get(ACTIVITY_KEY)
            idle = settings.SESSION_IDLE_MINUTES * 60
            if last is not None and now - last > idle:
                return self._expire(request)
            if last is None or now - last >= STAMP_EVERY:
                stamp_activity(session, now)
        return self.get_response(request)

    def _expire(self, request):
        user = request.user
        security.record(
            SecurityEvent.Kind.IDLE_TIMEOUT,
            request=request,
            actor=user,
            detail=f"超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作",
        )
        logout(request)
        messages.warning(request, _("您已较长时间未操作，为保护账号安全已自动退出，请重新登录。"))
        return redirect_to_login(request.get_full_path())


class PasswordChangeRequiredMiddleware:
    """Sends an account marked ``must_change_password`` (accounts.passwords) to
    ``password_change`` from every page until it has chosen its own password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # No session, no user to load: the public's pages (the vote) skip the user query.
        if SESSION_KEY not in request.session:
            return None
        user = request.user
        if not user.is_authenticated or not user.must_change_password:
            return None
        if request.resolver_match.view_name in ALLOWED_WHILE_CHANGING:
            return None
        return redirect("password_change")


class LoginDeviceMiddleware:
    """Writes the signed cookie of accounts.login_throttle after a successful login (through
    either login door: the ``user_logged_in`` handler marks the request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        username = getattr(request, "login_device_username", None)
        if username:
            login_throttle.remember_device(request, response, username)
        return response
