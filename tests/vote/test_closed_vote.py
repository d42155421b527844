"""A closed vote's pages (issues #20, #21): readable, saying the vote has ended, each case's
counted and voided votes; no vote buttons, and votes refused."""

import pytest
from django.urls import reverse

from cases.models import Case, Round
from reviews.factories import CaseFactory, RoundFactory, VoterFactory, clear_rate_limits
from reviews.models import Vote
from reviews.vote import identity, monitor
from reviews.vote.casting import cast_vote


@pytest.fixture(autouse=True)
def no_rate_limits():
    clear_rate_limits()
    yield
    clear_rate_limits()


@pytest.fixture
def closed(db, staff):
    """A round whose vote has closed: 甲 3 votes (1 voided), 乙 1 vote, a case never accepted."""
    round_ = RoundFactory(shortlist_size=1)
    a = CaseFactory(round=round_, title="受理案例甲")
    b = CaseFactory(round=round_, title="受理案例乙")
    CaseFactory(round=round_, title="未受理案例", status=Case.Status.SUBMITTED)
    votes = [cast_vote(round=round_, case=a, voter=VoterFactory()) for _ in range(3)]
    cast_vote(round=round_, case=b, voter=VoterFactory())
    monitor.void_votes(round=round_, vote_ids=[votes[0].pk], user=staff, reason="刷票")
    monitor.close_vote(round=round_, user=staff)
    round_.refresh_from_db()
    return round_, a, b


def page(client, *args):
    name = "vote:round" if len(args) == 1 else "vote:case"
    response = client.get(reverse(name, args=[arg.pk for arg in args]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_closed_vote_page_says_it_has_ended_with_counted_and_voided_votes(client, closed):
    round_, a, b = closed
    assert round_.status == Round.Status.REVIEW
    html = page(client, round_)
    assert "投票已结束" in html and "共计有效票 3 票，作废 1 票" in html
    assert f'data-testid="votes-counted-{a.pk}">有效票 2 票' in html
    assert f'data-testid="votes-voided-{a.pk}">作废 1 票' in html
    assert f'data-testid="votes-counted-{b.pk}">有效票 1 票' in html
    assert f'data-testid="votes-voided-{b.pk}">作废 0 票' in html
    assert "未受理案例" not in html
    for text in ("投一票", "验证手机号后投票", "vote.js", "投票未开放"):
        assert text not in html
    html = page(client, round_, a)
    assert "投票已结束" in html and "有效票 2 票" in html and "作废 1 票" in html
    assert "投一票" not in html and "vote.js" not in html


def test_the_shortlist_is_cut_from_the_counted_votes(closed):
    round_, a, b = closed
    # 甲 had 3 votes cast, 2 counted; with one place the cut still goes to 甲 (2 > 1), and the
    # figures it was cut from are the counted ones.
    assert monitor.valid_counts(round_) == {a.pk: 2, b.pk: 1}
    assert list(Case.objects.filter(round=round_, shortlisted=True)) == [a]


@pytest.mark.parametrize("status", ["review", "approved", "publicity", "published"])
def test_the_pages_stay_readable_after_the_vote_whatever_the_phase(client, closed, status):
    round_, a, b = closed
    Round.objects.filter(pk=round_.pk).update(status=status)
    if status == "published":  # the listed case is no longer 'accepted'
        Case.objects.filter(pk=a.pk).update(status=Case.Status.PUBLISHED)
    html = page(client, round_)
    assert "投票已结束" in html and "受理案例甲" in html and "受理案例乙" in html
    assert "投票已结束" in page(client, round_, a)


def test_a_case_outside_the_vote_stays_hidden_after_it(client, closed):
    round_, _a, _b = closed
    other = round_.cases.get(title="未受理案例")
    assert client.get(reverse("vote:case", args=[round_.pk, other.pk])).status_code == 404


@pytest.mark.parametrize("status", ["draft", "submission"])
def test_rounds_before_the_vote_have_no_vote_pages(client, db, status):
    round_ = RoundFactory(status=status)
    case = CaseFactory(round=round_)
    assert client.get(reverse("vote:round", args=[round_.pk])).status_code == 404
    assert client.get(reverse("vote:case", args=[round_.pk, case.pk])).status_code == 404


def test_votes_are_refused_once_the_vote_has_closed(client, closed):
    round_, a, b = closed
    client.cookies[identity.VOTER_COOKIE] = identity.voter_cookie(VoterFactory().pk)
    before = Vote.objects.count()
    url = reverse("vote:cast", args=[round_.pk, b.pk])
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and response.json()["ok"] is False
    response = client.post(url, follow=True)
    assert "投票已结束" in response.content.decode()
    assert Vote.objects.count() == before
    b.refresh_from_db()
    assert b.vote_count == 1


@pytest.mark.parametrize("status", ["review", "approved", "publicity", "published"])
def test_the_vote_index_after_the_vote_leads_to_the_closed_rounds_counts(client, closed, status):
    """No vote open: /vote/ links the last closed vote's counts, and its 公示 or the archive
    once there (#32)."""
    round_, _a, _b = closed
    Round.objects.filter(pk=round_.pk).update(status=status)
    html = client.get(reverse("vote:index")).content.decode()
    assert "目前没有正在进行的网络投票" in html and round_.title in html
    assert f'href="{reverse("vote:round", args=[round_.pk])}"' in html
    publicity = reverse("publishing:publicity", args=[round_.pk])
    assert (f'href="{publicity}"' in html) == (status == "publicity")
    archive = reverse("cases:archive") + f"?year={round_.year}"
    assert (f'href="{archive}"' in html) == (status == "published")


def test_the_vote_index_before_any_vote_offers_nothing_to_follow(client, db):
    RoundFactory(status="submission")
    html = client.get(reverse("vote:index")).content.decode()
    assert "目前没有正在进行的网络投票" in html and 'data-testid="ended-vote"' not in html
