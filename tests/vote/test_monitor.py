"""The staff side of the vote: voiding, bursts from one address block, closing the vote."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from reviews.factories import CaseFactory, RoundFactory, VoterFactory, district
from reviews.models import Vote
from reviews.vote import monitor
from reviews.vote.casting import cast_vote


@pytest.fixture
def round_(db):
    return RoundFactory(votes_per_voter=2)


def test_voiding_takes_votes_off_the_count_once(round_, staff):
    case = CaseFactory(round=round_)
    votes = [cast_vote(round=round_, case=case, voter=VoterFactory()) for _ in range(3)]
    ids = [v.pk for v in votes[:2]]
    assert (
        monitor.void_votes(round=round_, vote_ids=ids, user=staff, reason="同一地址段集中投票") == 2
    )
    assert monitor.void_votes(round=round_, vote_ids=ids, user=staff, reason="再次作废") == 0
    case.refresh_from_db()
    assert case.vote_count == 1
    voided = Vote.objects.get(pk=ids[0])
    assert voided.voided and voided.voided_by == staff and voided.voided_at
    assert voided.history.first().history_change_reason == "同一地址段集中投票"
    assert monitor.valid_counts(round_) == {case.pk: 1}


def test_voiding_needs_a_reason(round_, staff):
    vote = cast_vote(round=round_, case=CaseFactory(round=round_), voter=VoterFactory())
    with pytest.raises(Exception, match="作废原因"):
        monitor.void_votes(round=round_, vote_ids=[vote.pk], user=staff, reason=" ")


def test_it_flags_a_burst_from_one_address_block(round_):
    case = CaseFactory(round=round_)
    start = timezone.now()
    for i in range(monitor.BURST_THRESHOLD):
        cast_vote(
            round=round_,
            case=case,
            voter=VoterFactory(),
            ip=f"198.51.100.{i + 1}",
            now=start + timedelta(seconds=10 * i),
        )
    # Votes from other blocks, or spread out, are not a burst.
    for i in range(5):
        cast_vote(round=round_, case=case, voter=VoterFactory(), ip=f"192.0.{i}.1")
    bursts = monitor.find_bursts(round_)
    assert len(bursts) == 1
    assert bursts[0].block == "198.51.100.0/24"
    assert bursts[0].count == monitor.BURST_THRESHOLD


def test_spread_out_votes_from_one_block_are_not_a_burst(round_):
    case = CaseFactory(round=round_)
    start = timezone.now() - timedelta(days=1)
    for i in range(monitor.BURST_THRESHOLD):
        cast_vote(
            round=round_,
            case=case,
            voter=VoterFactory(),
            ip="198.51.100.7",
            now=start + timedelta(minutes=30 * i),
        )
    assert monitor.find_bursts(round_) == []


def test_closing_the_vote_shortlists_by_competition_rank(round_, staff, expert, expert_b):
    # shortlist_size 2 with votes 5, 3, 3, 1: the tie at the boundary passes together.
    round_.shortlist_size = 2
    round_.save()
    pudong = district("pudong")
    cases = [CaseFactory(round=round_, district=pudong if i == 1 else None) for i in range(4)]
    for case, n in zip(cases, [5, 3, 3, 1], strict=True):
        for _ in range(n):
            cast_vote(round=round_, case=case, voter=VoterFactory())
    shortlist = monitor.close_vote(round=round_, user=staff)
    assert shortlist == [cases[0].pk, cases[1].pk, cases[2].pk]
    round_.refresh_from_db()
    assert round_.status == Round.Status.REVIEW
    assert [
        c.shortlisted for c in Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk")
    ] == [True, True, True, False]
    assert round_.selection.vote_closed_by == staff
    # Experts were assigned, except expert_b to the Pudong case (回避).
    assert expert.assignments.count() == 3
    assert set(expert_b.assignments.values_list("case_id", flat=True)) == {cases[0].pk, cases[2].pk}


def test_voided_votes_do_not_count_for_the_shortlist(round_, staff):
    round_.shortlist_size = 1
    round_.save()
    a, b = CaseFactory(round=round_), CaseFactory(round=round_)
    bad = [cast_vote(round=round_, case=a, voter=VoterFactory()) for _ in range(3)]
    for _ in range(2):
        cast_vote(round=round_, case=b, voter=VoterFactory())
    monitor.void_votes(round=round_, vote_ids=[v.pk for v in bad], user=staff, reason="刷票")
    assert monitor.close_vote(round=round_, user=staff) == [b.pk]


def test_the_monitor_still_counts_the_cases_once_the_round_is_published(
    client, round_, staff, expert
):
    """Issue #19: published cases are no longer 'accepted', yet they took part in the vote."""
    listed, other = CaseFactory(round=round_), CaseFactory(round=round_)
    late = CaseFactory(round=round_, status=Case.Status.SUBMITTED)  # never in the vote
    for case, n in ((listed, 3), (other, 1)):
        for _ in range(n):
            cast_vote(round=round_, case=case, voter=VoterFactory())
    monitor.close_vote(round=round_, user=staff)
    Case.objects.filter(pk=listed.pk).update(status=Case.Status.PUBLISHED)
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLISHED)
    round_.refresh_from_db()
    assert [(row["case"].pk, row["votes"]) for row in monitor.tally(round_)] == [
        (listed.pk, 3),
        (other.pk, 1),
    ]
    chart = monitor.timeline(round_)
    assert [series["data"][-1] for series in chart["datasets"]] == [3, 1]
    client.force_login(staff)
    data = client.get(reverse("reviews:vote_data", args=[round_.pk])).json()
    assert [row["votes"] for row in data["tally"]] == [3, 1]
    assert late.pk not in [row["case"] for row in data["tally"]]
    page = client.get(reverse("reviews:votes", args=[round_.pk])).content.decode()
    assert listed.title in page
