"""Flags beyond address blocks (#21): swarms of new phones and runs of near-consecutive
numbers voting alike, shown for a person to review on the staff fraud page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.factories import CaseFactory, RoundFactory, VoterFactory
from reviews.models import Vote, Voter
from reviews.vote import flags

START = timezone.now() - timedelta(hours=6)


@pytest.fixture
def round_(db):
    return RoundFactory(votes_per_voter=3)


def vote(case, phone, at, *, first_seen=None):
    """A vote by ``phone`` at ``at``; the phone was first verified at ``first_seen``."""
    voter = VoterFactory(phone=phone)
    Voter.objects.filter(pk=voter.pk).update(created_at=first_seen or at - timedelta(days=30))
    return Vote.objects.create(round=case.round, case=case, voter=voter, created_at=at)


def scattered(i):
    """Phone numbers far apart, so only the rule under test can flag them."""
    return f"13{(i * 7919 + 1000) % 10**9:09d}"


def test_new_phones_swarming_one_case_are_flagged(round_):
    target, other = CaseFactory(round=round_), CaseFactory(round=round_)
    for i in range(4):  # verified minutes before voting, within four minutes
        vote(target, scattered(i), START + timedelta(minutes=i), first_seen=START)
    vote(other, scattered(10), START, first_seen=START)  # another case: not the same swarm
    # Old voters in the same minutes are not part of a swarm of new phones.
    for i in range(20, 30):
        vote(target, scattered(i), START + timedelta(minutes=2))
    found = flags.find_swarms(round_, threshold=4, window=timedelta(minutes=10))
    assert len(found) == 1
    assert found[0].kind == "swarm" and found[0].count == 4 and set(found[0].cases) == {target.pk}
    assert "4 个新验证的手机号" in found[0].detail
    # Spread over hours, the same new phones are no swarm.
    Vote.objects.filter(case=target).delete()
    for i in range(4):
        at = START + timedelta(hours=i)
        vote(target, scattered(40 + i), at, first_seen=at - timedelta(minutes=1))
    assert flags.find_swarms(round_, threshold=4, window=timedelta(minutes=10)) == []


def test_near_consecutive_numbers_voting_alike_within_a_day_are_flagged(round_):
    target, other = CaseFactory(round=round_), CaseFactory(round=round_)
    run = ["13900000001", "13900000002", "13900000004", "13900000005", "13900000007"]
    for i, phone in enumerate(run):
        vote(target, phone, START + timedelta(hours=i * 3))
    vote(target, "13900000099", START)  # far from the run: not in it
    vote(other, "13900000003", START)  # fits the numbers, but votes for another case
    found = flags.find_phone_runs(round_, length=5, gap=2)
    assert len(found) == 1
    assert found[0].kind == "phones" and found[0].count == 5
    assert "13900000001" in found[0].detail
    # A gap of 3 between two neighbours breaks the run; so does a run spread over days.
    assert flags.find_phone_runs(round_, length=5, gap=1) == []
    Vote.objects.filter(case=target, voter__phone="13900000007").update(
        created_at=START + timedelta(days=3)
    )
    assert flags.find_phone_runs(round_, length=5, gap=2) == []


def test_flags_and_rules_show_on_the_staff_fraud_page_with_whole_numbers(client, staff, round_):
    case = CaseFactory(round=round_, title="被集中投票的案例")
    for i in range(5):
        vote(case, f"1390000001{i}", START + timedelta(minutes=i))
    client.force_login(staff)
    page = client.get(reverse("reviews:votes", args=[round_.pk])).content.decode()
    assert "相近号码" in page
    assert "5 个相近号码（13900000010 起）投给同一案例：被集中投票的案例" in page
    assert "13900000012" in page  # the fraud review is where numbers are shown whole
    assert "相差不超过 3" in page  # the rule, from the settings, in words
    # The flagged votes can be voided from the page with a reason, like a burst.
    ids = [str(pk) for pk in Vote.objects.filter(case=case).values_list("pk", flat=True)]
    for pk in ids:
        assert f'name="vote_ids" value="{pk}"' in page


def test_thresholds_come_from_the_settings(round_, settings):
    case = CaseFactory(round=round_)
    for i in range(3):
        vote(case, f"1390000002{i}", START + timedelta(minutes=i))
    assert flags.find_phone_runs(round_) == []  # the default run is five numbers
    settings.VOTE_PHONE_RUN_LENGTH = 3
    assert len(flags.find_phone_runs(round_)) == 1
