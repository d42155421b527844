"""One-time codes: sent through the pluggable sender, stored as a hash, expiring, few tries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import voting
from reviews.factories import clear_rate_limits, use_memory_sms
from reviews.models import PhoneCode, Voter
from reviews.voting import VoteError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_sms(settings):
    clear_rate_limits()
    return use_memory_sms(settings)


PHONE = "13800138000"


def test_it_sends_the_code_and_keeps_only_its_hash(memory_sms):
    record = voting.request_code(phone="138 0013 8000", ip="10.0.0.1")
    code = memory_sms.last_code(PHONE)
    assert code and len(code) == 6 and code.isdigit()
    assert code not in record.code_hash
    assert record.code_hash == voting.hash_code(phone=PHONE, code=code)
    assert "验证码" in memory_sms.outbox[-1]["text"]


def test_it_verifies_a_good_code_once(memory_sms):
    voting.request_code(phone=PHONE)
    voter = voting.verify_code(phone=PHONE, code=memory_sms.last_code(PHONE))
    assert voter.verified_at is not None
    assert Voter.objects.get(phone=PHONE).verified_at is not None
    with pytest.raises(VoteError):
        voting.verify_code(phone=PHONE, code=memory_sms.last_code(PHONE))


def test_it_rejects_an_expired_code(memory_sms):
    now = timezone.now()
    voting.request_code(phone=PHONE, now=now)
    later = now + voting.CODE_TTL + timedelta(seconds=1)
    with pytest.raises(VoteError, match="失效"):
        voting.verify_code(phone=PHONE, code=memory_sms.last_code(PHONE), now=later)


def test_it_allows_only_a_few_attempts(memory_sms):
    voting.request_code(phone=PHONE)
    good = memory_sms.last_code(PHONE)
    wrong = "000000" if good != "000000" else "111111"
    for _attempt in range(voting.CODE_MAX_ATTEMPTS - 1):
        with pytest.raises(VoteError, match="还可尝试"):
            voting.verify_code(phone=PHONE, code=wrong)
    with pytest.raises(VoteError, match="次数过多"):
        voting.verify_code(phone=PHONE, code=wrong)
    # Even the right code no longer works once the attempts are used up.
    with pytest.raises(VoteError, match="次数过多"):
        voting.verify_code(phone=PHONE, code=good)
    assert PhoneCode.objects.get().attempts == voting.CODE_MAX_ATTEMPTS


def test_a_new_code_is_refused_within_the_resend_interval():
    now = timezone.now()
    voting.request_code(phone=PHONE, now=now)
    with pytest.raises(VoteError, match="秒后再试"):
        voting.request_code(phone=PHONE, now=now + timedelta(seconds=10))


def test_a_new_code_replaces_the_old_one(memory_sms):
    now = timezone.now()
    voting.request_code(phone=PHONE, now=now)
    old = memory_sms.last_code(PHONE)
    voting.request_code(phone=PHONE, now=now + voting.CODE_RESEND_INTERVAL)
    new = memory_sms.last_code(PHONE)
    if old != new:
        with pytest.raises(VoteError):
            voting.verify_code(phone=PHONE, code=old, now=now + voting.CODE_RESEND_INTERVAL)
    assert voting.verify_code(phone=PHONE, code=new, now=now + voting.CODE_RESEND_INTERVAL)


@pytest.mark.parametrize("raw", ["12345", "23800138000", "1380013800a", ""])
def test_it_rejects_what_is_not_a_mainland_mobile(raw):
    with pytest.raises(VoteError):
        voting.normalise_phone(raw)


@pytest.mark.parametrize("raw", ["+86 138 0013 8000", "0086-13800138000", "13800138000"])
def test_it_normalises_phone_numbers(raw):
    assert voting.normalise_phone(raw) == PHONE
