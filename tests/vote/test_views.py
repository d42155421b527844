"""The public vote through its pages: proving a phone, voting, double posts, rate limits."""

import pytest
from django.urls import reverse

from cases.models import Case, Round
from reviews.factories import (
    CAPTCHA_PASSED,
    CaseFactory,
    RoundFactory,
    VoterFactory,
    clear_rate_limits,
)
from reviews.models import Vote
from reviews.vote import identity

PHONE = "13912345678"


# The memory SMS sender and clean rate limits (tests/vote/conftest.py).
pytestmark = pytest.mark.usefixtures("sms")


@pytest.fixture
def round_(db):
    round_ = RoundFactory(votes_per_voter=2)
    CaseFactory(round=round_, title="受理案例甲", summary="甲的摘要")
    CaseFactory(round=round_, title="受理案例乙")
    CaseFactory(round=round_, title="受理案例丙")
    CaseFactory(round=round_, title="未受理案例", status=Case.Status.SUBMITTED)
    return round_


def ask_code(client, phone=PHONE, ip="127.0.0.1"):
    return client.post(reverse("vote:phone"), {"phone": phone, **CAPTCHA_PASSED}, REMOTE_ADDR=ip)


def verify(client, sms, phone=PHONE, ip="127.0.0.1"):
    ask_code(client, phone, ip)
    response = client.post(reverse("vote:verify"), {"code": sms.last_code(phone)}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    return response


def cast(client, round_, case, **extra):
    return client.post(reverse("vote:cast", args=[round_.pk, case.pk]), **extra)


def test_the_round_page_lists_the_accepted_cases(client, round_):
    page = client.get(reverse("vote:round", args=[round_.pk])).content.decode()
    assert "受理案例甲" in page and "甲的摘要" in page and "未受理案例" not in page
    assert "验证手机号后投票" in page


def test_the_index_leads_to_the_only_open_round(client, round_):
    response = client.get(reverse("vote:index"))
    assert response.status_code == 302 and response.url == reverse("vote:round", args=[round_.pk])


def test_the_public_case_page_shows_accepted_cases_of_a_round_in_voting(client, round_):
    accepted = round_.cases.get(title="受理案例甲")
    page = client.get(reverse("vote:case", args=[round_.pk, accepted.pk]))
    assert page.status_code == 200 and "建立专班机制" in page.content.decode()
    other = round_.cases.get(title="未受理案例")
    assert client.get(reverse("vote:case", args=[round_.pk, other.pk])).status_code == 404
    # Once the vote has closed the page stays readable, without a vote button (issue #20).
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REVIEW)
    page = client.get(reverse("vote:case", args=[round_.pk, accepted.pk]))
    assert page.status_code == 200 and "投票已结束" in page.content.decode()
    assert "投一票" not in page.content.decode()


def test_voting_without_a_verified_phone_leads_to_the_phone_page(client, round_):
    response = cast(client, round_, round_.cases.first())
    assert response.status_code == 302 and response.url.startswith(reverse("vote:phone"))
    assert not Vote.objects.exists()


def test_a_verified_voter_votes_and_a_double_post_counts_once(client, round_, sms):
    verify(client, sms)
    case = round_.cases.get(title="受理案例甲")
    cast(client, round_, case)
    response = cast(client, round_, case, follow=True)
    assert "已为该案例投过票" in response.content.decode()
    case.refresh_from_db()
    assert case.vote_count == 1 and Vote.objects.count() == 1


def test_the_round_limit_shows_on_the_page(client, round_, sms):
    verify(client, sms)
    a, b, c = round_.cases.filter(status="accepted").order_by("pk")
    cast(client, round_, a)
    cast(client, round_, b)
    response = cast(client, round_, c, follow=True)
    page = response.content.decode()
    assert "最多可投 2 票" in page and "票数已用完" in page
    assert Vote.objects.count() == 2


def test_two_voters_each_count(client, round_, sms, django_user_model):
    from django.test import Client

    case = round_.cases.get(title="受理案例甲")
    verify(client, sms)
    cast(client, round_, case)
    other = Client()
    verify(other, sms, phone="13700000001")
    cast(other, round_, case)
    case.refresh_from_db()
    assert case.vote_count == 2


def test_running_counts_are_public_only_when_the_round_says_so(client, round_, sms):
    case = round_.cases.get(title="受理案例甲")
    verify(client, sms)
    cast(client, round_, case)
    url = reverse("vote:round", args=[round_.pk])
    assert "public-count-" not in client.get(url).content.decode()
    Round.objects.filter(pk=round_.pk).update(vote_count_mode="live")
    page = client.get(url).content.decode()
    other = round_.cases.get(title="受理案例乙")
    assert f'vote-count" data-testid="public-count-{case.pk}">1 票' in page
    assert f'vote-count" data-testid="public-count-{other.pk}">0 票' in page


def test_code_requests_are_rate_limited_per_address(client, round_, settings, rate_clock):
    settings.VOTE_RATELIMITS = {"code_ip": "2/m"}
    for i in range(2):
        response = ask_code(client, f"1390000000{i}")
        assert response.status_code == 302
    response = ask_code(client, "13900000009")
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()


def test_votes_are_rate_limited_per_voter(client, round_, sms, settings, rate_clock):
    settings.VOTE_RATELIMITS = {"vote_voter": "1/m"}
    verify(client, sms)
    a, b = round_.cases.filter(status="accepted").order_by("pk")[:2]
    assert cast(client, round_, a).status_code == 302
    response = cast(client, round_, b)
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    assert Vote.objects.count() == 1


def test_votes_are_rate_limited_per_address(client, round_, sms, settings, rate_clock):
    settings.VOTE_RATELIMITS = {"vote_ip": "1/m"}
    verify(client, sms)
    a, b = round_.cases.filter(status="accepted").order_by("pk")[:2]
    assert cast(client, round_, a).status_code == 302
    assert cast(client, round_, b).status_code == 429


def test_a_wrong_code_shows_the_attempts_left(client, round_, sms):
    ask_code(client)
    wrong = "000000" if sms.last_code(PHONE) != "000000" else "111111"
    page = client.post(reverse("vote:verify"), {"code": wrong}).content.decode()
    assert "还可尝试 4 次" in page


def test_the_page_script_gets_json_with_the_same_rules(client, round_, sms, settings, rate_clock):
    """The vote page's script posts with Accept: application/json (static/js/vote.js)."""
    a, b, c = (round_.cases.get(title=t) for t in ("受理案例甲", "受理案例乙", "受理案例丙"))
    as_json = {"HTTP_ACCEPT": "application/json"}
    response = cast(client, round_, a, **as_json)
    assert response.status_code == 403 and response.json()["redirect"].startswith(
        reverse("vote:phone")
    )
    verify(client, sms)
    Round.objects.filter(pk=round_.pk).update(vote_count_mode="live")
    response = cast(client, round_, a, **as_json)
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "已为“受理案例甲”投票。本轮您还可投 1 票。",
        "votes_left": 1,
        "count": 1,
    }
    assert "messages" not in response.cookies  # no message storage on the JSON path
    again = cast(client, round_, a, **as_json)
    assert again.status_code == 409 and "只能投一票" in again.json()["message"]
    assert cast(client, round_, b, **as_json).json()["votes_left"] == 0
    over = cast(client, round_, c, **as_json)
    assert over.status_code == 409 and "最多可投 2 票" in over.json()["message"]
    assert Vote.objects.count() == 2
    assert sorted(Case.objects.filter(round=round_).values_list("vote_count", flat=True)) == [
        0,
        0,
        1,
        1,
    ]
    settings.VOTE_RATELIMITS = {"vote_voter": "1/m"}
    clear_rate_limits()
    cast(client, round_, c, **as_json)
    limited = cast(client, round_, c, **as_json)
    assert limited.status_code == 429 and limited.json()["ok"] is False


def test_the_count_stays_private_in_json_unless_the_round_shows_it(client, round_, sms):
    verify(client, sms)
    case = round_.cases.get(title="受理案例甲")
    response = cast(client, round_, case, HTTP_ACCEPT="application/json")
    assert response.json()["ok"] is True and response.json()["count"] is None


def test_the_vote_pages_vary_with_the_voter_cookie(client, round_):
    """A shared cache must not serve one voter's page (votes left, buttons) to another."""
    case = CaseFactory(round=round_)
    client.cookies[identity.VOTER_COOKIE] = identity.voter_cookie(VoterFactory().pk)
    for url in (
        reverse("vote:round", args=[round_.pk]),
        reverse("vote:case", args=[round_.pk, case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "剩余" in response.content.decode()  # the verified voter's bar
        assert "Cookie" in [v.strip() for v in response["Vary"].split(",")]
