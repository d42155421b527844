"""Casting votes: one per case, N per round, counted once however requests interleave; and
the hot path (reviews.vote.casting.record_vote): what it reads and what it undoes."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from reviews.factories import CaseFactory, RoundFactory, VoterFactory
from reviews.models import Ballot, Vote
from reviews.vote import casting, identity
from reviews.vote.errors import VoteError

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(db):
    return RoundFactory(votes_per_voter=2)


def test_a_vote_counts_once(round_):
    case, voter = CaseFactory(round=round_), VoterFactory()
    vote = casting.cast_vote(round=round_, case=case, voter=voter, ip="203.0.113.9")
    assert vote.ip_block == "203.0.113.0/24"
    case.refresh_from_db()
    assert case.vote_count == 1
    assert Ballot.objects.get(round=round_, voter=voter).used == 1


def test_it_refuses_a_second_vote_for_the_same_case(round_):
    case, voter = CaseFactory(round=round_), VoterFactory()
    casting.cast_vote(round=round_, case=case, voter=voter)
    with pytest.raises(VoteError, match="已为该案例投过票"):
        casting.cast_vote(round=round_, case=case, voter=voter)
    case.refresh_from_db()
    assert case.vote_count == 1
    # The refused vote did not use up a ballot slot.
    assert Ballot.objects.get(round=round_, voter=voter).used == 1


def test_it_enforces_the_per_round_limit(round_):
    cases = CaseFactory.create_batch(3, round=round_)
    voter = VoterFactory()
    casting.cast_vote(round=round_, case=cases[0], voter=voter)
    casting.cast_vote(round=round_, case=cases[1], voter=voter)
    with pytest.raises(VoteError, match="最多可投 2 票"):
        casting.cast_vote(round=round_, case=cases[2], voter=voter)
    assert Vote.objects.filter(voter=voter).count() == 2


def test_the_limit_is_per_round(round_):
    other = RoundFactory(year=2027, votes_per_voter=1)
    voter = VoterFactory()
    casting.cast_vote(round=other, case=CaseFactory(round=other), voter=voter)
    casting.cast_vote(round=round_, case=CaseFactory(round=round_), voter=voter)
    assert Vote.objects.filter(voter=voter).count() == 2


def test_it_refuses_votes_outside_the_window(round_):
    case, voter = CaseFactory(round=round_), VoterFactory()
    Round.objects.filter(pk=round_.pk).update(vote_closes=timezone.now() - timedelta(minutes=1))
    round_.refresh_from_db()
    with pytest.raises(VoteError, match="未在进行中"):
        casting.cast_vote(round=round_, case=case, voter=voter)


def test_it_refuses_cases_not_accepted_or_of_another_round(round_):
    voter = VoterFactory()
    with pytest.raises(VoteError, match="不在本轮投票范围"):
        casting.cast_vote(
            round=round_, case=CaseFactory(round=round_, status=Case.Status.SUBMITTED), voter=voter
        )
    with pytest.raises(VoteError, match="不在本轮投票范围"):
        casting.cast_vote(
            round=round_, case=CaseFactory(round=RoundFactory(year=2024)), voter=voter
        )


def test_ipv6_blocks_are_slash_48():
    assert casting.ip_block("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert casting.ip_block("") == ""


# --- The hot path ----------------------------------------------------------------------------


@pytest.fixture
def round_of_one(db):
    return RoundFactory(votes_per_voter=1)


def test_the_target_carries_the_rounds_window_as_stored(round_of_one):
    case = CaseFactory(round=round_of_one)
    target = casting.vote_target(round_pk=round_of_one.pk, case_pk=case.pk)
    stored = Round.objects.get(pk=round_of_one.pk)
    assert (target.pk, target.title, target.status) == (case.pk, case.title, case.status)
    assert target.round.vote_opens == stored.vote_opens
    assert target.round.vote_closes == stored.vote_closes
    assert timezone.is_aware(target.round.vote_opens)
    assert target.round.votes_per_voter == 1
    assert casting.is_vote_open(target.round)


def test_no_target_for_a_case_of_another_round_or_a_bad_id(round_of_one):
    other = CaseFactory(round=RoundFactory(year=2024))
    assert casting.vote_target(round_pk=round_of_one.pk, case_pk=other.pk) is None
    assert casting.vote_target(round_pk=round_of_one.pk, case_pk="x") is None


def _written(round_of_one):
    return (
        Vote.objects.filter(round=round_of_one).count(),
        sum(Ballot.objects.filter(round=round_of_one).values_list("used", flat=True)),
        sum(Case.objects.filter(round=round_of_one).values_list("vote_count", flat=True)),
    )


def test_a_case_of_another_round_writes_nothing(round_of_one):
    other = CaseFactory(round=RoundFactory(year=2024))
    voter = VoterFactory()
    with pytest.raises(casting.VoteTargetMissing):
        casting.record_vote(
            round_pk=round_of_one.pk, case_pk=other.pk, voter_id=voter.pk, token_version=0
        )
    assert _written(round_of_one) == (0, 0, 0)
    assert Vote.objects.count() == Ballot.objects.count() == 0
    assert Case.objects.get(pk=other.pk).vote_count == 0


def test_the_returned_vote_is_the_stored_row(round_of_one, django_assert_num_queries):
    """record_vote builds its answer from what the statement returned, not by reading the
    row back: every field must still equal the stored one, and the case and round come
    without a query."""
    case, voter = CaseFactory(round=round_of_one), VoterFactory()
    vote = casting.record_vote(
        round_pk=round_of_one.pk, case_pk=case.pk, voter_id=voter.pk, token_version=0, ip="::1"
    )
    stored = Vote.objects.get(pk=vote.pk)
    for field in Vote._meta.concrete_fields:
        assert getattr(vote, field.attname) == getattr(stored, field.attname), field.name
    assert not vote._state.adding
    with django_assert_num_queries(0):
        assert (vote.case.pk, vote.case.title, vote.round.pk) == (
            case.pk,
            case.title,
            round_of_one.pk,
        )
        assert vote.case.round.votes_per_voter == round_of_one.votes_per_voter
    # A field the vote path did not read loads on access, as with only().
    assert vote.case.district_id == case.district_id


def test_a_vote_over_the_limit_is_undone_whole(round_of_one):
    first, second = CaseFactory(round=round_of_one), CaseFactory(round=round_of_one)
    voter = VoterFactory()
    vote = casting.record_vote(
        round_pk=round_of_one.pk, case_pk=first.pk, voter_id=voter.pk, token_version=0
    )
    assert (vote.votes_left, vote.count, vote.case.title) == (0, 1, first.title)
    with pytest.raises(casting.VoteError, match="最多可投 1 票"):
        casting.record_vote(
            round_pk=round_of_one.pk, case_pk=second.pk, voter_id=voter.pk, token_version=0
        )
    # The second vote's row and counter were written in the same round trip, then undone.
    assert _written(round_of_one) == (1, 1, 1)
    assert Case.objects.get(pk=second.pk).vote_count == 0


def test_a_closed_round_refuses_and_writes_nothing(round_of_one):
    case = CaseFactory(round=round_of_one)
    Round.objects.filter(pk=round_of_one.pk).update(status=Round.Status.REVIEW)
    with pytest.raises(casting.VoteError, match="未在进行中"):
        casting.record_vote(
            round_pk=round_of_one.pk, case_pk=case.pk, voter_id=VoterFactory().pk, token_version=0
        )
    assert _written(round_of_one) == (0, 0, 0)


def test_the_vote_page_answers_404_for_a_case_of_another_round(client, round_of_one):
    other = CaseFactory(round=RoundFactory(year=2024))
    client.cookies[identity.VOTER_COOKIE] = identity.voter_cookie(VoterFactory().pk)
    response = client.post(reverse("vote:cast", args=[round_of_one.pk, other.pk]))
    assert response.status_code == 404
    assert Vote.objects.count() == 0


def test_the_writes_are_gated_exactly_where_the_rules_say(round_of_one):
    """On PostgreSQL the vote is one statement that gates its writes in SQL; on both
    databases a vote is written exactly in a round in 'voting', inside its window (opens ==
    now is open, closes == now is closed), for an accepted case. The answers are written out,
    not asked of ``is_vote_open``."""
    now = timezone.now()
    second = datetime.timedelta(seconds=1)
    # (opens, closes, open at now?)
    windows = [
        (None, None, True),
        (now, None, True),
        (now + second, None, False),
        (None, now, False),
        (None, now + second, True),
        (now - second, now + second, True),
        (now - 2 * second, now - second, False),
    ]
    case_statuses = [Case.Status.ACCEPTED, Case.Status.SUBMITTED, Case.Status.PUBLISHED]
    written_in = []
    for round_status in Round.Status.values:
        for opens, closes, window_open in windows:
            Round.objects.filter(pk=round_of_one.pk).update(
                status=round_status, vote_opens=opens, vote_closes=closes
            )
            round_of_one.refresh_from_db()
            for case_status in case_statuses:
                case = CaseFactory(round=round_of_one, status=case_status)
                allowed = round_status == "voting" and window_open and case_status == "accepted"
                try:
                    casting.record_vote(
                        round_pk=round_of_one.pk,
                        case_pk=case.pk,
                        voter_id=VoterFactory().pk,
                        token_version=0,
                        now=now,
                    )
                    written = True
                except casting.VoteError as exc:
                    assert not isinstance(exc, casting.VoteTargetMissing)
                    written = False
                assert written == allowed, (round_status, opens, closes, case_status)
                assert Vote.objects.filter(case=case).exists() == allowed
                if written:
                    written_in.append((opens, closes))
    # Four windows of seven are open; in each, one vote (the accepted case of the open round).
    assert written_in == [(o, c) for o, c, open_ in windows if open_]
