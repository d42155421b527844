"""Production refuses settings that would be unsafe there, at start and in check --deploy.

- ``REDIS_URL`` unset: rate limits and the SMS budget would be counted per process.
- A console or memory SMS sender: codes would go to the log, not to phones.
- ``SECRET_KEY`` equal to the development default.
- ``SITE_URL`` unset: e-mails would link to a developer's machine.
- Whatever the apps register (``register``): e.g. an ``SMS_SENDER`` that cannot be imported
  and instantiated (reviews.vote.sms), which would otherwise fail on the first code.
- ``PHONE_HASH_KEY`` unset, the development default or SECRET_KEY itself.
- ``TWO_FACTOR_ROLES`` without staff or auditor: they would log in with a password alone
  (等保 2.0 asks two factors of administrators; superusers are always asked).
- ``SESSION_IDLE_MINUTES`` off or over 30 minutes.
"""

from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed

DEVELOPMENT_KEY_PREFIX = "dev-insecure-key"
# Senders that do not reach a phone (the old and the new dotted paths).
TEST_SENDERS = ("ConsoleSender", "MemorySender")
MAX_IDLE_MINUTES = 30

# Apps' own production checks: each returns [(id, message)] (registered in AppConfig.ready,
# as core.recovery's steps; core imports no app).
_registered: list[Callable[[], list[tuple[str, str]]]] = []


def register(check: Callable[[], list[tuple[str, str]]]) -> None:
    if check not in _registered:
        _registered.append(check)


def unsafe_settings() -> list[tuple[str, str]]:
    """(id, message) for each unsafe production setting; empty outside production."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    found = []
    if not getattr(settings, "REDIS_URL", ""):
        found.append(("core.E001", "REDIS_URL is not set: limits would be counted per process"))
    sender = getattr(settings, "SMS_SENDER", "")
    if not sender or sender.rpartition(".")[2] in TEST_SENDERS:
        found.append(("core.E002", f"SMS_SENDER {sender!r} does not send to phones"))
    if settings.SECRET_KEY.startswith(DEVELOPMENT_KEY_PREFIX):
        found.append(("core.E003", "SECRET_KEY is the development default"))
    if not getattr(settings, "SITE_URL", ""):
        found.append(("core.E004", "SITE_URL is not set: e-mails would carry no valid link"))
    for check in _registered:
        found.extend(check())
    phone_key = getattr(settings, "PHONE_HASH_KEY", "")
    if not phone_key or phone_key.startswith("dev-") or phone_key == settings.SECRET_KEY:
        found.append(("core.E005", "PHONE_HASH_KEY must be a secret of its own"))
    missing = {"staff", "auditor"} - set(getattr(settings, "TWO_FACTOR_ROLES", []))
    if missing:
        found.append(
            (
                "core.E006",
                f"TWO_FACTOR_ROLES leaves {', '.join(sorted(missing))} without a second factor",
            )
        )
    idle = getattr(settings, "SESSION_IDLE_MINUTES", 0)
    if not 0 < idle <= MAX_IDLE_MINUTES:
        found.append(("core.E007", f"SESSION_IDLE_MINUTES={idle}: must be 1 to {MAX_IDLE_MINUTES}"))
    return found


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs=None, **kwargs):
    return [checks.Error(message, id=check_id) for check_id, message in unsafe_settings()]


class ProductionSettingsMiddleware:
    """Loaded once when the WSGI application starts: refuses to serve with unsafe production
    settings, and otherwise takes itself out of the chain (no cost per request)."""

    def __init__(self, get_response):
        problems = unsafe_settings()
        if problems:
            raise ImproperlyConfigured(
                "unsafe production settings: " + "; ".join(message for _, message in problems)
            )
        raise MiddlewareNotUsed
