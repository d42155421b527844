"""The SMS budget: how many one-time codes may be sent, site-wide and per phone.

Every code sent costs money and is a chance to guess, so a code is sent only within:

- the site's caps: ``SMS_HOURLY_LIMIT`` codes an hour and ``SMS_DAILY_LIMIT`` a day (Shanghai
  days), for the whole city's vote;
- per phone and requester (the address asking, ``code_phone``) and per phone whoever asks
  (``code_phone_all``, higher): a stranger asking codes for someone's phone uses up their own
  share, and at most the phone's cap for the rest of the hour, never the owner's day.

Only codes actually sent count: ``reserve`` counts first (atomic increments in the shared cache,
so concurrent requests cannot both take the last code) and takes its counts back when refused;
the caller ``release``s them when the code is not sent after all. Per-address and per-block
request limits sit in front of this (reviews.vote.throttle).
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .counters import count_hits, counters_cache, rate, split_rate, uncount_hits, window_key
from .errors import CodeLimitReached

HOUR, DAY = 3600, 86400
DEFAULT_HOURLY_LIMIT = 2000
DEFAULT_DAILY_LIMIT = 20000


def hourly_limit() -> int:
    return getattr(settings, "SMS_HOURLY_LIMIT", DEFAULT_HOURLY_LIMIT)


def daily_limit() -> int:
    return getattr(settings, "SMS_DAILY_LIMIT", DEFAULT_DAILY_LIMIT)


def _window_start(now: int, period: int) -> int:
    """Fixed windows of local time (a day starts at midnight in Shanghai, not in UTC)."""
    moment = datetime.fromtimestamp(now, tz=timezone.get_current_timezone())
    offset = int(moment.utcoffset().total_seconds())
    return now - (now + offset) % period


def _site_keys(now: int) -> tuple[str, str]:
    return (
        window_key("sms_site", "hour", _window_start(now, HOUR)),
        window_key("sms_site", "day", _window_start(now, DAY)),
    )


def _timestamp(now) -> int:
    if now is None:
        return int(time.time())
    if isinstance(now, datetime):
        return int(now.timestamp())
    return int(now)


def reserve(*, phone: str, requester: str, now=None) -> list[str]:
    """Count one code to ``phone`` asked by ``requester``, or raise CodeLimitReached (and count
    nothing) when any limit is spent. Returns what ``release`` takes back."""
    now = _timestamp(now)
    hour_key, day_key = _site_keys(now)
    per_requester, requester_period = split_rate(rate("code_phone")(None, None))
    per_phone, phone_period = split_rate(rate("code_phone_all")(None, None))
    limits = [
        (hour_key, HOUR, hourly_limit(), "hour"),
        (day_key, DAY, daily_limit(), "day"),
        (
            window_key("code_phone", f"{phone}|{requester}", now - now % requester_period),
            requester_period,
            per_requester,
            "phone",
        ),
        (
            window_key("code_phone_all", phone, now - now % phone_period),
            phone_period,
            per_phone,
            "phone",
        ),
    ]
    counts = count_hits({key: period + 1 for key, period, _limit, _kind in limits})
    keys = [key for key, _period, _limit, _kind in limits]
    for (_key, _period, limit, kind), n in zip(limits, counts, strict=True):
        if n > limit:
            uncount_hits(keys)
            raise CodeLimitReached(_message(kind))
    return keys


def release(keys) -> None:
    """The code was not sent after all: it costs nothing."""
    uncount_hits(keys)


def _message(kind: str) -> str:
    if kind == "hour":
        return _("本小时短信验证码发送量已达上限，请稍后再试。")
    if kind == "day":
        return _("今日短信验证码发送量已达上限，请明天再试。")
    return _("该手机号获取验证码过于频繁，请稍后再试。")


# The share of an SMS cap at which the vote monitor warns staff.
WARN_SHARE = 0.8


@dataclass(frozen=True)
class Usage:
    """Codes sent in the current hour and day, against the site's caps (the vote monitor)."""

    hour: int
    hour_limit: int
    day: int
    day_limit: int
    hour_ends: datetime
    day_ends: datetime

    @property
    def spent(self) -> bool:
        return self.hour >= self.hour_limit or self.day >= self.day_limit

    @property
    def nearly_spent(self) -> bool:
        """At WARN_SHARE of a cap or more, not yet at it: staff are warned on the monitor
        while there is time to raise the cap (README: the SMS budget of a city-wide vote)."""
        near = self.hour >= WARN_SHARE * self.hour_limit or self.day >= WARN_SHARE * self.day_limit
        return near and not self.spent


def usage(now=None) -> Usage:
    now = _timestamp(now)
    hour_key, day_key = _site_keys(now)
    counts = counters_cache().get_many([hour_key, day_key])
    return Usage(
        hour=int(counts.get(hour_key) or 0),
        hour_limit=hourly_limit(),
        day=int(counts.get(day_key) or 0),
        day_limit=daily_limit(),
        hour_ends=_window_end(now, HOUR),
        day_ends=_window_end(now, DAY),
    )


def _window_end(now: int, period: int) -> datetime:
    start = _window_start(now, period)
    return datetime.fromtimestamp(start, tz=timezone.get_current_timezone()) + timedelta(
        seconds=period
    )
