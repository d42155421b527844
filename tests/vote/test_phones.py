"""One phone, one voter (issue #13): a phone or a code typed in any script's digits is the
same ASCII value before it is compared, stored, counted or sent; phones show masked
everywhere but the staff fraud review."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import reverse

from cases.models import Case
from reviews.factories import (
    CAPTCHA_PASSED,
    CaseFactory,
    RoundFactory,
    VoterFactory,
    clear_rate_limits,
)
from reviews.models import Ballot, PhoneCode, Vote, Voter
from reviews.vote import casting, identity
from reviews.vote.errors import VoteError
from reviews.vote.monitor import BURST_THRESHOLD

PHONE = "13800138000"
WRITTEN = {
    "ascii": PHONE,
    "full-width": "１３８００１３８０００",
    "arabic-indic": "١٣٨٠٠١٣٨٠٠٠",
    "devanagari": "१३८००१३८०००",
}


# The memory SMS sender and clean rate limits (tests/vote/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]


@pytest.fixture
def round_(db):
    return RoundFactory(votes_per_voter=2)


def prove(client, sms, typed, code=None, ip="127.0.0.1"):
    """The phone page and the code page, as a person types them."""
    response = client.post(
        reverse("vote:phone"), {"phone": typed, **CAPTCHA_PASSED}, REMOTE_ADDR=ip
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    code = code or sms.last_code(PHONE)
    response = client.post(reverse("vote:verify"), {"code": code}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    clear_rate_limits()
    # One code a minute per phone: the next request of the test comes "later".
    PhoneCode.objects.update(created_at=F("created_at") - timedelta(minutes=2))
    return response


def test_a_phone_in_any_digits_is_one_voter_with_one_vote_per_case(round_, sms):
    case = CaseFactory(round=round_)
    outcomes = []
    for typed in WRITTEN.values():
        client = Client()
        prove(client, sms, typed)
        response = client.post(
            reverse("vote:cast", args=[round_.pk, case.pk]), HTTP_ACCEPT="application/json"
        )
        outcomes.append(response.status_code)
    assert outcomes == [200, 409, 409, 409]  # the first counts; the others are the same voter
    assert list(Voter.objects.values_list("phone", flat=True)) == [PHONE]
    assert Vote.objects.count() == 1 and Case.objects.get(pk=case.pk).vote_count == 1
    # Every code went to the one ASCII number.
    assert {item["phone"] for item in sms.outbox} == {PHONE}


def test_a_code_typed_in_other_digits_proves_the_phone(round_, sms):
    client = Client()
    client.post(reverse("vote:phone"), {"phone": PHONE, **CAPTCHA_PASSED})
    code = sms.last_code(PHONE)
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post(reverse("vote:verify"), {"code": full_width})
    assert response.status_code == 302
    assert Voter.objects.get(phone=PHONE).verified_at is not None


def test_a_superscript_is_not_a_digit(round_, sms):
    client = Client()
    response = client.post(reverse("vote:phone"), {"phone": "1380013800²", **CAPTCHA_PASSED})
    assert response.status_code == 200 and "11 位" in response.content.decode()
    assert sms.outbox == [] and not PhoneCode.objects.exists()
    with pytest.raises(VoteError):
        identity.verify_code(phone=PHONE, code="12345²")


def test_the_code_page_and_the_voter_bar_show_the_phone_masked(round_, sms):
    client = Client()
    response = client.post(
        reverse("vote:phone"), {"phone": WRITTEN["full-width"], **CAPTCHA_PASSED}, follow=True
    )
    page = response.content.decode()
    assert "138****8000" in page and PHONE not in page
    client.post(reverse("vote:verify"), {"code": sms.last_code(PHONE)})
    page = client.get(reverse("vote:round", args=[round_.pk])).content.decode()
    assert "138****8000" in page and PHONE not in page


def test_the_admin_and_the_audit_show_phones_masked(client, staff, round_):
    voter = VoterFactory(phone=PHONE)
    identity.revoke_voters(voter_ids=[voter.pk], user=staff, reason="核查")
    assert str(voter) == "138****8000"
    client.force_login(staff)
    staff.is_superuser = True
    staff.save()
    for url in (
        reverse("admin:reviews_voter_changelist"),
        reverse("admin:reviews_voter_change", args=[voter.pk]),
        reverse("accounts:audit"),
    ):
        page = client.get(url).content.decode()
        assert "138****8000" in page, url
        assert PHONE not in page, url


def test_the_fraud_review_shows_the_whole_phone(client, staff, round_):
    case = CaseFactory(round=round_)
    voters = [VoterFactory() for _ in range(BURST_THRESHOLD)]
    for i, voter in enumerate(voters):
        casting.cast_vote(round=round_, case=case, voter=voter, ip=f"198.51.100.{i + 1}")
    client.force_login(staff)
    page = client.get(reverse("reviews:votes", args=[round_.pk])).content.decode()
    assert all(voter.phone in page for voter in voters)


# --- Rows written before phones were ASCII (reviews/migrations/0007) ---------------------------


def migrate_phones():
    module = importlib.import_module("reviews.migrations.0007_voter_phones_ascii")
    module.phones_to_ascii(apps, None)


def test_old_rows_take_the_ascii_phone_and_duplicates_merge(round_):
    a, b, c = CaseFactory.create_batch(3, round=round_)
    kept = VoterFactory(phone=PHONE)
    full_width = VoterFactory(phone=WRITTEN["full-width"])
    arabic = VoterFactory(phone=WRITTEN["arabic-indic"])
    alone = VoterFactory(phone="１３９００１３９０００")
    casting.cast_vote(round=round_, case=a, voter=kept)
    casting.cast_vote(round=round_, case=a, voter=full_width)  # the same case again
    casting.cast_vote(round=round_, case=b, voter=full_width)  # moves to the kept voter
    casting.cast_vote(round=round_, case=c, voter=arabic)  # over the limit of 2: voided
    casting.cast_vote(round=round_, case=c, voter=alone)
    PhoneCode.objects.create(
        phone=WRITTEN["devanagari"], code_hash="x", expires_at=round_.vote_closes
    )

    migrate_phones()

    assert set(Voter.objects.values_list("phone", flat=True)) == {
        PHONE,
        "13900139000",
        f"merged:{full_width.pk}",  # keeps its voided vote as evidence
        f"merged:{arabic.pk}",
    }
    assert sorted(Vote.objects.filter(voter=kept, voided=False).values_list("case", flat=True)) == [
        a.pk,
        b.pk,
    ]
    assert Ballot.objects.get(round=round_, voter=kept).used == 2
    valid = dict(Case.objects.filter(round=round_).values_list("pk", "vote_count"))
    assert valid == {a.pk: 1, b.pk: 1, c.pk: 1}  # each phone counts once per case
    assert Vote.objects.filter(voided=True).count() == 2
    merged = Voter.objects.get(pk=full_width.pk)
    assert merged.token_version == full_width.token_version + 1  # its cookies vote nothing
    assert PhoneCode.objects.get().phone == PHONE
    migrate_phones()  # a second run changes nothing
    assert Vote.objects.filter(voided=True).count() == 2


def test_a_merged_voter_with_no_vote_left_is_deleted(round_):
    kept = VoterFactory(phone=PHONE)
    duplicate = VoterFactory(phone=WRITTEN["devanagari"])
    casting.cast_vote(round=round_, case=CaseFactory(round=round_), voter=duplicate)
    migrate_phones()
    assert not Voter.objects.filter(pk=duplicate.pk).exists()
    assert Vote.objects.get().voter_id == kept.pk
