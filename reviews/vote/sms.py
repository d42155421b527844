"""Senders for voters' one-time codes. ``settings.SMS_SENDER`` names the class to use.

A real SMS gateway subclasses ``BaseSender``; development prints the code to the console,
tests capture it in memory.
"""

import logging
import threading

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class SmsSendError(Exception):
    """A gateway did not take the message (refused, unreachable, an unreadable answer): the
    code counts as not sent. ``message`` is what the voter is told."""

    message = _("短信发送失败，请稍后再试。")

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class BaseSender:
    """Send one code to one phone. Subclasses implement ``send``; it must not return the code."""

    def message(self, *, code: str, minutes: int) -> str:
        return _(
            "【上海市发展和改革委员会】您的投票验证码为 %(code)s，%(minutes)s 分钟内有效。"
        ) % {
            "code": code,
            "minutes": minutes,
        }

    def send(self, *, phone: str, code: str, minutes: int) -> None:  # pragma: no cover
        raise NotImplementedError


class ConsoleSender(BaseSender):
    """Development: the message goes to the log, which settings.LOGGING writes to the console
    (once: it was also printed, so the console showed every code twice)."""

    def send(self, *, phone, code, minutes):
        logger.info("[SMS] %s: %s", phone, self.message(code=code, minutes=minutes))


class MemorySender(BaseSender):
    """Tests: messages are kept in ``MemorySender.outbox`` (shared by all instances)."""

    outbox: list[dict] = []
    _lock = threading.Lock()

    def send(self, *, phone, code, minutes):
        with self._lock:
            self.outbox.append(
                {"phone": phone, "code": code, "text": self.message(code=code, minutes=minutes)}
            )

    @classmethod
    def last_code(cls, phone: str) -> str | None:
        with cls._lock:
            for item in reversed(cls.outbox):
                if item["phone"] == phone:
                    return item["code"]
        return None

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls.outbox.clear()


DEFAULT_SENDER = "reviews.vote.sms.ConsoleSender"
# Where the senders lived before (issue #12): operators' SMS_SENDER values keep working.
MOVED = {"reviews.sms.": "reviews.vote.sms."}


def sender_path(path: str) -> str:
    """The dotted path of the sender class, old module names mapped to the new ones."""
    for old, new in MOVED.items():
        if path.startswith(old):
            return new + path[len(old) :]
    return path


def production_problems() -> list[tuple[str, str]]:
    """The start-up check (core.deployment): ``SMS_SENDER`` names a sender class that imports
    and instantiates; a misspelt path must stop the start, not the first voter's code."""
    path = getattr(settings, "SMS_SENDER", "") or ""
    if not path:
        return []  # core.E002 says so
    try:
        sender = import_string(sender_path(path))()
    except Exception as exc:  # noqa: BLE001 - any failure is the operator's to read
        return [("reviews.E001", f"SMS_SENDER {path!r} cannot be loaded: {exc!r}"[:300])]
    if not isinstance(sender, BaseSender) or type(sender) is BaseSender:
        return [("reviews.E001", f"SMS_SENDER {path!r} is not a sender (reviews.vote.sms)")]
    return []


def get_sender() -> BaseSender:
    path = getattr(settings, "SMS_SENDER", "") or DEFAULT_SENDER
    return import_string(sender_path(path))()
