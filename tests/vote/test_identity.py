"""Who votes: one-time codes (sent through the pluggable sender, stored as a hash, expiring,
few tries) and the signed cookie that names a verified voter."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import RequestFactory
from django.utils import timezone

from reviews.factories import clear_rate_limits, use_memory_sms
from reviews.models import PhoneCode, Voter
from reviews.vote import identity
from reviews.vote.errors import VoteError
from reviews.vote.sms import MemorySender, get_sender

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_sms(settings):
    clear_rate_limits()
    return use_memory_sms(settings)


PHONE = "13800138000"


def test_it_sends_the_code_and_keeps_only_its_hash(memory_sms):
    record = identity.request_code(phone="138 0013 8000", ip="10.0.0.1")
    code = memory_sms.last_code(PHONE)
    assert code and len(code) == 6 and code.isdigit()
    assert code not in record.code_hash
    assert record.code_hash == identity.hash_code(phone=PHONE, code=code)
    assert "验证码" in memory_sms.outbox[-1]["text"]


def test_it_verifies_a_good_code_once(memory_sms):
    identity.request_code(phone=PHONE)
    voter = identity.verify_code(phone=PHONE, code=memory_sms.last_code(PHONE))
    assert voter.verified_at is not None
    assert Voter.objects.get(phone=PHONE).verified_at is not None
    with pytest.raises(VoteError):
        identity.verify_code(phone=PHONE, code=memory_sms.last_code(PHONE))


def test_it_rejects_an_expired_code(memory_sms):
    now = timezone.now()
    identity.request_code(phone=PHONE, now=now)
    later = now + identity.CODE_TTL + timedelta(seconds=1)
    with pytest.raises(VoteError, match="失效"):
        identity.verify_code(phone=PHONE, code=memory_sms.last_code(PHONE), now=later)


def test_it_allows_only_a_few_attempts(memory_sms):
    identity.request_code(phone=PHONE)
    good = memory_sms.last_code(PHONE)
    wrong = "000000" if good != "000000" else "111111"
    for _attempt in range(identity.CODE_MAX_ATTEMPTS - 1):
        with pytest.raises(VoteError, match="还可尝试"):
            identity.verify_code(phone=PHONE, code=wrong)
    with pytest.raises(VoteError, match="次数过多"):
        identity.verify_code(phone=PHONE, code=wrong)
    # Even the right code no longer works once the attempts are used up.
    with pytest.raises(VoteError, match="次数过多"):
        identity.verify_code(phone=PHONE, code=good)
    assert PhoneCode.objects.get().attempts == identity.CODE_MAX_ATTEMPTS


def test_a_new_code_is_refused_within_the_resend_interval():
    now = timezone.now()
    identity.request_code(phone=PHONE, now=now)
    with pytest.raises(VoteError, match="秒后再试"):
        identity.request_code(phone=PHONE, now=now + timedelta(seconds=10))


def test_a_new_code_replaces_the_old_one(memory_sms):
    now = timezone.now()
    identity.request_code(phone=PHONE, now=now)
    old = memory_sms.last_code(PHONE)
    identity.request_code(phone=PHONE, now=now + identity.CODE_RESEND_INTERVAL)
    new = memory_sms.last_code(PHONE)
    if old != new:
        with pytest.raises(VoteError):
            identity.verify_code(phone=PHONE, code=old, now=now + identity.CODE_RESEND_INTERVAL)
    assert identity.verify_code(phone=PHONE, code=new, now=now + identity.CODE_RESEND_INTERVAL)


@pytest.mark.parametrize("raw", ["12345", "23800138000", "1380013800a", ""])
def test_it_rejects_what_is_not_a_mainland_mobile(raw):
    with pytest.raises(VoteError):
        identity.normalise_phone(raw)


@pytest.mark.parametrize("raw", ["+86 138 0013 8000", "0086-13800138000", "13800138000"])
def test_it_normalises_phone_numbers(raw):
    assert identity.normalise_phone(raw) == PHONE


# --- The verified voter's cookie -------------------------------------------------------------


def _voter_request(value):
    request = RequestFactory().post("/")
    if value is not None:
        request.COOKIES[identity.VOTER_COOKIE] = value
    return request


def test_the_voter_cookie_names_the_voter_it_was_signed_for():
    assert identity.request_voter_id(_voter_request(identity.voter_cookie(42))) == 42
    assert identity.request_voter_id(_voter_request(None)) is None


def test_a_forged_or_borrowed_voter_cookie_names_nobody():
    genuine = identity.voter_cookie(42)
    forged = genuine.replace("42.0:", "43.0:", 1)
    new_version = genuine.replace("42.0:", "42.1:", 1)  # a revoked cookie made fresh again
    assert forged != genuine != new_version
    other_salt = signing.get_cookie_signer(salt="sessionid").sign("42")
    for cookie in [
        forged,
        new_version,
        "42",
        other_salt,
        "",
        "x:y:z",
        signing.Signer().sign("42"),
    ]:
        assert identity.request_voter_id(_voter_request(cookie)) is None, cookie


def test_the_voter_cookie_lapses_after_the_ttl(monkeypatch):
    # The signature carries its own timestamp; move the signing module's clock only.
    signed_at = 1_800_000_000
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: signed_at))
    cookie = identity.voter_cookie(42)
    ttl = identity.VOTER_TTL.total_seconds()
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: signed_at + ttl - 5))
    assert identity.request_voter_id(_voter_request(cookie)) == 42
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: signed_at + ttl + 5))
    assert identity.request_voter_id(_voter_request(cookie)) is None


def test_cookies_signed_before_the_move_still_name_their_voter():
    """The salt keeps its first value ("reviews.voting.voter"): cookies in the wild stay valid
    when the module that signs them moves."""
    signer = signing.get_cookie_signer(salt=identity.VOTER_COOKIE + "reviews.voting.voter")
    assert identity.request_voter_id(_voter_request(signer.sign("42"))) == 42


@pytest.mark.parametrize("path", ["reviews.sms.MemorySender", "reviews.vote.sms.MemorySender"])
def test_the_sender_setting_takes_the_old_and_the_new_paths(settings, path):
    settings.SMS_SENDER = path
    assert isinstance(get_sender(), MemorySender)
