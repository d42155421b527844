"""Account safety around every request: a password someone else set is changed first, and a
browser that logged in is remembered for the per-username login limit."""

from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect

from . import login_throttle

# What a user who must change their password may still open.
ALLOWED_WHILE_CHANGING = {"password_change", "password_change_done", "logout", "admin:logout"}


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
