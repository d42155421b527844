"""The SMS budget (issue #13): site-wide caps per hour and day, per address and address block,
per phone and requester under a cap per phone; counted in the shared cache, codes sent only."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as dj_settings
from django.core.cache import caches
from django.db.models import F
from django.test import Client
from django.urls import reverse

from reviews.factories import CAPTCHA_PASSED, RoundFactory
from reviews.models import PhoneCode
from reviews.vote import budget, identity
from reviews.vote.errors import CodeLimitReached

ROOT = Path(__file__).resolve().parents[2]
OWNER, STRANGER, OTHER_STRANGER = "203.0.113.10", "198.51.100.20", "192.0.2.30"


# The memory SMS sender and clean rate limits (tests/vote/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]


def ask(phone, ip="127.0.0.1", client=None):
    client = client or Client()
    return client.post(reverse("vote:phone"), {"phone": phone, **CAPTCHA_PASSED}, REMOTE_ADDR=ip)


def a_minute_later():
    """Past the resend interval of every phone."""
    PhoneCode.objects.update(created_at=F("created_at") - timedelta(minutes=2))


def test_the_hourly_cap_stops_codes_with_a_clear_message(sms, settings):
    settings.SMS_HOURLY_LIMIT = 2
    assert ask("13900000001").status_code == 302
    assert ask("13900000002").status_code == 302
    refused = ask("13900000003")
    assert refused.status_code == 429
    assert "本小时短信验证码发送量已达上限" in refused.content.decode()
    assert len(sms.outbox) == 2 and PhoneCode.objects.count() == 2


def test_the_daily_cap_stops_codes_too(sms, settings):
    settings.SMS_DAILY_LIMIT = 1
    assert ask("13900000001").status_code == 302
    refused = ask("13900000002", ip="10.9.9.9")
    assert refused.status_code == 429 and "今日短信验证码发送量已达上限" in refused.content.decode()
    assert len(sms.outbox) == 1


def test_staff_see_the_spent_budget_on_the_vote_monitor(client, staff, settings):
    settings.SMS_HOURLY_LIMIT = 1
    round_ = RoundFactory()
    client.force_login(staff)
    url = reverse("reviews:votes", args=[round_.pk])
    page = client.get(url).content.decode()
    assert "本小时已发送 0 / 1 条" in page and "已达上限" not in page
    ask("13900000001")
    page = client.get(url).content.decode()
    assert "本小时已发送 1 / 1 条" in page and "短信验证码发送量已达上限" in page


def test_the_limits_are_settings_read_from_the_environment():
    probe = "from django.conf import settings as s; print(s.SMS_HOURLY_LIMIT, s.SMS_DAILY_LIMIT)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMS_")}
    env["DJANGO_SETTINGS_MODULE"] = "bizenv.settings"
    read = lambda **extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", probe], cwd=ROOT, env={**env, **extra}, capture_output=True
    )
    assert read().stdout.split() == [b"2000", b"20000"]
    assert read(SMS_HOURLY_LIMIT="50", SMS_DAILY_LIMIT="400").stdout.split() == [b"50", b"400"]
    assert read(SMS_DAILY_LIMIT="many").returncode != 0


def test_asking_codes_for_someone_elses_phone_does_not_lock_its_owner_out(
    sms, settings, rate_clock
):
    settings.VOTE_RATELIMITS = {"code_phone": "1/h", "code_phone_all": "3/h"}
    victim = "13800138000"
    assert ask(victim, ip=STRANGER).status_code == 302
    a_minute_later()
    # The stranger's own share for this phone is spent ...
    assert ask(victim, ip=STRANGER).status_code == 429
    a_minute_later()
    # ... not the owner's.
    assert ask(victim, ip=OWNER).status_code == 302
    assert [item["phone"] for item in sms.outbox] == [victim, victim]


def test_the_phone_has_a_higher_cap_whoever_asks(sms, settings, rate_clock):
    settings.VOTE_RATELIMITS = {"code_phone": "1/h", "code_phone_all": "2/h"}
    victim = "13800138000"
    assert ask(victim, ip=STRANGER).status_code == 302
    a_minute_later()
    assert ask(victim, ip=OTHER_STRANGER).status_code == 302
    a_minute_later()
    refused = ask(victim, ip=OWNER)
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert len(sms.outbox) == 2


def test_only_codes_sent_count(sms, settings, rate_clock):
    settings.VOTE_RATELIMITS = {"code_phone": "1/h"}
    settings.SMS_HOURLY_LIMIT = 1
    phone = "13800138000"
    # Refused requests cost nothing: a wrong captcha, a phone that is not one.
    Client().post(reverse("vote:phone"), {"phone": phone}, REMOTE_ADDR=OWNER)
    ask("1380013800²", ip=OWNER)
    assert sms.outbox == []
    assert ask(phone, ip=OWNER).status_code == 302
    assert len(sms.outbox) == 1


def test_a_code_that_fails_to_send_costs_nothing(sms, settings, monkeypatch):
    settings.SMS_HOURLY_LIMIT = 1

    def broken(self, **kwargs):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(sms, "send", broken)
    with pytest.raises(ConnectionError):
        identity.request_code(phone="13800138000", requester=OWNER)
    assert budget.usage().hour == 0
    monkeypatch.undo()
    identity.request_code(phone="13900139000", requester=OWNER)
    assert budget.usage().hour == 1


def test_code_requests_are_limited_per_address_block(settings, rate_clock):
    settings.VOTE_RATELIMITS = {"code_block": "2/h"}
    assert ask("13900000001", ip="203.0.113.1").status_code == 302
    assert ask("13900000002", ip="203.0.113.2").status_code == 302
    assert ask("13900000003", ip="203.0.113.3").status_code == 429  # the same /24
    assert ask("13900000004", ip="198.51.100.3").status_code == 302
    assert ask("13900000005", ip="2001:db8:1:1::1").status_code == 302
    assert ask("13900000006", ip="2001:db8:1:2::1").status_code == 302
    assert ask("13900000007", ip="2001:db8:1:ffff::9").status_code == 429  # the same /48


def test_the_budget_is_counted_in_the_shared_cache(sms, settings):
    """The counts live in the configured cache (Redis with REDIS_URL), not in the process:
    emptying that cache empties them."""
    settings.SMS_HOURLY_LIMIT = 1
    identity.request_code(phone="13800138000", requester=OWNER)
    assert budget.usage().hour == 1
    with pytest.raises(CodeLimitReached):
        budget.reserve(phone="13900139000", requester=OWNER)
    caches[dj_settings.RATELIMIT_USE_CACHE].clear()
    assert budget.usage().hour == 0
    budget.reserve(phone="13900139000", requester=OWNER)
