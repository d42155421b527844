"""A revocable voter (issue #13): the signed cookie carries the voter's token version, the vote
checks it in the same statement (PostgreSQL) or steps (SQLite), and "更换手机号" or staff move
it on, so a copied cookie votes nothing more."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from cases.models import Case
from reviews.factories import (
    CAPTCHA_PASSED,
    CaseFactory,
    RoundFactory,
    VoterFactory,
    use_memory_sms,
)
from reviews.models import Ballot, Vote, Voter
from reviews.vote import casting, identity
from reviews.vote.errors import StaleVoter

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(db):
    return RoundFactory(votes_per_voter=3)


def holding(voter, version=None) -> Client:
    """A browser holding the cookie the verify view gives ``voter``."""
    client = Client()
    version = voter.token_version if version is None else version
    client.cookies[identity.VOTER_COOKIE] = identity.voter_cookie(voter.pk, version)
    return client


def vote(client, round_, case, **extra):
    return client.post(reverse("vote:cast", args=[round_.pk, case.pk]), **extra)


def written(round_):
    return (
        Vote.objects.filter(round=round_).count(),
        sum(Ballot.objects.filter(round=round_).values_list("used", flat=True)),
        sum(Case.objects.filter(round=round_).values_list("vote_count", flat=True)),
    )


def test_a_copied_cookie_votes_nothing_after_changing_the_phone(round_):
    a, b = CaseFactory(round=round_), CaseFactory(round=round_)
    voter = VoterFactory()
    browser, copy = holding(voter), holding(voter)
    assert vote(browser, round_, a, HTTP_ACCEPT="application/json").status_code == 200
    browser.post(reverse("vote:forget"))  # "更换手机号"
    assert Voter.objects.get(pk=voter.pk).token_version == voter.token_version + 1
    refused = vote(copy, round_, b, HTTP_ACCEPT="application/json")
    assert refused.status_code == 403
    assert "重新验证" in refused.json()["message"]
    assert refused.json()["redirect"].startswith(reverse("vote:phone"))
    assert refused.cookies[identity.VOTER_COOKIE].value == ""  # the stale cookie is dropped
    # Without script: to the phone page with the same words.
    page = vote(holding(voter, version=0), round_, b, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("vote:phone"))
    assert "重新验证" in page.content.decode()
    assert written(round_) == (1, 1, 1)


def test_the_vote_checks_the_version_where_it_writes(round_):
    """record_vote itself (the one statement on PostgreSQL, the steps on SQLite) refuses a
    stale version and writes nothing, also for a case the voter voted for already."""
    case = CaseFactory(round=round_)
    voter = VoterFactory()
    casting.record_vote(round_pk=round_.pk, case_pk=case.pk, voter_id=voter.pk, token_version=0)
    Voter.objects.filter(pk=voter.pk).update(token_version=1)
    for target in (CaseFactory(round=round_), case):  # a new case, and a duplicate
        with pytest.raises(StaleVoter):
            casting.record_vote(
                round_pk=round_.pk, case_pk=target.pk, voter_id=voter.pk, token_version=0
            )
    assert written(round_) == (1, 1, 1)
    fresh = casting.record_vote(
        round_pk=round_.pk,
        case_pk=CaseFactory(round=round_).pk,
        voter_id=voter.pk,
        token_version=1,
    )
    assert fresh.votes_left == 1
    with pytest.raises(StaleVoter):  # no such voter at all
        casting.record_vote(round_pk=round_.pk, case_pk=case.pk, voter_id=10**9, token_version=0)


def test_a_revoked_cookie_shows_no_verified_phone(round_):
    voter = VoterFactory()
    client = holding(voter)
    page = client.get(reverse("vote:round", args=[round_.pk])).content.decode()
    assert voter.masked_phone in page
    Voter.objects.filter(pk=voter.pk).update(token_version=5)
    page = client.get(reverse("vote:round", args=[round_.pk])).content.decode()
    assert voter.masked_phone not in page and "验证手机号后投票" in page


def test_verifying_again_gives_a_cookie_that_votes(round_, settings):
    sender = use_memory_sms(settings)
    voter = VoterFactory(phone="13800138000", token_version=4)
    client = Client()
    client.post(reverse("vote:phone"), {"phone": voter.phone, **CAPTCHA_PASSED})
    client.post(reverse("vote:verify"), {"code": sender.last_code(voter.phone)})
    assert identity.request_voter_token(_request(client)) == (voter.pk, 4)
    assert vote(client, round_, CaseFactory(round=round_)).status_code == 302
    assert Vote.objects.filter(voter=voter).count() == 1


def _request(client):
    request = RequestFactory().get("/")
    request.COOKIES[identity.VOTER_COOKIE] = client.cookies[identity.VOTER_COOKIE].value
    return request


def test_staff_revoke_a_voter_from_the_vote_monitor(client, staff, round_):
    case, later = CaseFactory(round=round_), CaseFactory(round=round_)
    voter = VoterFactory()
    copy = holding(voter)
    vote(copy, round_, case)
    client.force_login(staff)
    url = reverse("reviews:revoke_voters", args=[round_.pk])
    # A reason is required; without one nothing changes.
    client.post(url, {"voter_ids": [voter.pk], "reason": " "})
    assert Voter.objects.get(pk=voter.pk).token_version == 0
    response = client.post(url, {"voter_ids": [voter.pk], "reason": "同一地址段集中投票"})
    assert response.status_code == 302
    assert Voter.objects.get(pk=voter.pk).token_version == 1
    assert vote(copy, round_, later, HTTP_ACCEPT="application/json").status_code == 403
    record = Voter.history.filter(id=voter.pk).latest("history_date")
    assert record.history_user == staff and "同一地址段集中投票" in record.history_change_reason
    # By phone, in any digits.
    client.post(
        url, {"phone": "".join(chr(ord("０") + int(d)) for d in voter.phone), "reason": "x"}
    )
    assert Voter.objects.get(pk=voter.pk).token_version == 2


def test_the_monitor_offers_the_revoke_button_with_its_token(client, staff, round_):
    client.force_login(staff)
    page = client.get(reverse("reviews:votes", args=[round_.pk])).content.decode()
    action = reverse("reviews:revoke_voters", args=[round_.pk])
    assert f'action="{action}"' in page and "csrfmiddlewaretoken" in page
