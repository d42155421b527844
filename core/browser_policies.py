"""The browser policies every response carries: Content-Security-Policy (django-csp, configured
by ``settings.CONTENT_SECURITY_POLICY``) and Permissions-Policy (``settings.PERMISSIONS_POLICY``).

django-csp's middleware builds the policy string anew for every response (copies, a dataclass
turned into a dict: about 0.4 ms on this machine, a fifth of a vote, bench/bench_votes.py).
The string is the same every time unless a view changed the policy (django-csp's decorators)
or used a nonce, so ``CSPMiddleware`` builds it once per settings object and leaves every
other case to django-csp.

``settings.PERMISSIONS_POLICY`` maps a feature to the origins allowed to use it: an empty list
is ``()`` (nobody), ``"self"`` the site itself, anything else an origin in quotes.
"""

import http

from csp import middleware as csp_middleware
from csp.constants import HEADER
from csp.utils import build_policy
from django.conf import settings

# Set on a response by django-csp's decorators: that response's policy differs.
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
_DEBUG_EXEMPT = (http.HTTPStatus.INTERNAL_SERVER_ERROR, http.HTTPStatus.NOT_FOUND)


class _Built:
    """One header string per settings object (override_settings in tests makes a new one)."""

    def __init__(self, build):
        self.build = build
        self.source = self.value = None

    def get(self, source):
        if source is not self.source:
            self.source, self.value = source, self.build(source)
        return self.value


class CSPMiddleware(csp_middleware.CSPMiddleware):
    _built = _Built(lambda policy: build_policy())

    def process_response(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (
            not policy
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in _DEBUG_EXEMPT:
            return response
        excluded = request.path_info.startswith(tuple(policy.get("EXCLUDE_URL_PREFIXES", ())))
        if HEADER not in response and not excluded:
            response[HEADER] = self._built.get(policy)
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


def header_value(policy):
    parts = []
    for feature, origins in policy.items():
        tokens = [origin if origin in ("self", "*") else f'"{origin}"' for origin in origins]
        parts.append(f"{feature}=({' '.join(tokens)})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    _built = _Built(header_value)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", None)
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self._built.get(policy)
        return response
