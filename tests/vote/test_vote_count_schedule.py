"""Counts on a schedule (#21): hidden, live, or a daily snapshot that never changes and is the
only count the public sees in that mode, the vote's JSON answer included."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Round
from cases.staff.round_forms import RoundForm
from core import recovery
from reviews.factories import (
    CAPTCHA_PASSED,
    CaseFactory,
    RoundFactory,
    VoterFactory,
)
from reviews.models import Vote, VoteCountSnapshot
from reviews.vote import snapshots

PHONE = "13912345678"
DAILY = Round.VoteCounts.DAILY


# The memory SMS sender and clean rate limits (tests/vote/conftest.py).
pytestmark = pytest.mark.usefixtures("sms")


def local(year, month, day, hour, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def vote(case, at, voided=False):
    """A vote at a given moment, its counter kept as the vote path keeps it."""
    Vote.objects.create(
        round=case.round, case=case, voter=VoterFactory(), created_at=at, voided=voided
    )
    if not voided:
        case.vote_count += 1
        case.save(update_fields=["vote_count"])


def daily_round(**fields):
    fields.setdefault("vote_opens", local(2026, 5, 1, 9))
    fields.setdefault("vote_closes", local(2026, 5, 10, 17))
    return RoundFactory(vote_count_mode=DAILY, vote_count_time=time(20, 0), **fields)


def test_the_last_due_time_is_today_or_yesterday_at_the_set_time_in_beijing(db):
    round_ = daily_round()
    assert snapshots.latest_due(round_, local(2026, 5, 1, 19, 59)) is None  # not yet once
    assert snapshots.latest_due(round_, local(2026, 5, 1, 20)) == local(2026, 5, 1, 20)
    assert snapshots.latest_due(round_, local(2026, 5, 3, 8)) == local(2026, 5, 2, 20)
    # Beijing 20:00 is 12:00 UTC: the due time does not follow the server's clock zone.
    assert (
        snapshots.latest_due(round_, local(2026, 5, 3, 8))
        .astimezone(timezone.get_fixed_timezone(0))
        .hour
        == 12
    )
    # Nothing is due after the vote closes: the last is the evening before the close.
    assert snapshots.latest_due(round_, local(2026, 5, 20, 21)) == local(2026, 5, 9, 20)
    assert snapshots.next_due(round_, local(2026, 5, 9, 21)) is None
    assert snapshots.next_due(round_, local(2026, 5, 3, 8)) == local(2026, 5, 3, 20)
    live = RoundFactory(vote_count_mode=Round.VoteCounts.LIVE, vote_count_time=time(20, 0))
    assert snapshots.latest_due(live, local(2026, 5, 3, 8)) is None


def test_a_snapshot_counts_the_valid_votes_up_to_its_time_and_never_changes(db):
    round_ = daily_round()
    a, b = CaseFactory(round=round_), CaseFactory(round=round_)
    vote(a, local(2026, 5, 2, 10))
    vote(a, local(2026, 5, 2, 19, 59))
    vote(b, local(2026, 5, 2, 12), voided=True)
    vote(b, local(2026, 5, 2, 20, 1))  # after the due time: the next day's snapshot
    # Taken late (the first read comes the next morning): still the counts of 20:00.
    shown = snapshots.attach_public_counts(round_, [a, b], now=local(2026, 5, 3, 7))
    assert shown.shown and shown.as_of == local(2026, 5, 2, 20)
    assert (a.public_count, b.public_count) == (2, 0)
    # Votes and voids afterwards change the counters, never the published snapshot.
    vote(a, local(2026, 5, 3, 7, 30))
    Vote.objects.filter(case=a).update(voided=True)
    again = snapshots.attach_public_counts(round_, [a, b], now=local(2026, 5, 3, 19))
    assert again.as_of == local(2026, 5, 2, 20) and (a.public_count, b.public_count) == (2, 0)
    assert VoteCountSnapshot.objects.count() == 1
    snapshots.attach_public_counts(round_, [a, b], now=local(2026, 5, 3, 20))
    assert VoteCountSnapshot.objects.count() == 2


def test_the_sweep_takes_what_is_due_once(db):
    round_ = daily_round()
    CaseFactory(round=round_)
    RoundFactory(year=2031)  # hidden counts: nothing to take
    assert snapshots.take_due_snapshots(now=local(2026, 5, 1, 12)) == 0  # not due yet
    done = recovery.recover_pending_work(now=local(2026, 5, 2, 9))
    assert done["vote_snapshots"] == 1
    assert recovery.recover_pending_work(now=local(2026, 5, 2, 10))["vote_snapshots"] == 0
    assert VoteCountSnapshot.objects.get().due_at == local(2026, 5, 1, 20)


def open_daily_round(hours_since_due: float):
    """A round open now whose daily time passed ``hours_since_due`` hours ago."""
    now = timezone.localtime()
    due = now - timedelta(hours=hours_since_due)
    return RoundFactory(
        vote_opens=now - timedelta(days=3),
        vote_closes=now + timedelta(days=3),
        vote_count_mode=DAILY,
        vote_count_time=due.time().replace(second=0, microsecond=0),
        votes_per_voter=3,
    ), due


def test_pages_show_the_snapshot_with_its_time_and_json_never_a_live_count(client, sms, db):
    round_, due = open_daily_round(hours_since_due=1)
    a = CaseFactory(round=round_, title="案例甲")
    b = CaseFactory(round=round_, title="案例乙")
    vote(a, due - timedelta(minutes=30))
    round_url = reverse("vote:round", args=[round_.pk])
    page = client.get(round_url).content.decode()
    assert f'data-testid="public-count-{a.pk}">1 票' in page
    assert f'data-testid="public-count-{b.pk}">0 票' in page
    assert "以下为截至" in page
    # A vote now: the JSON answer carries no count, and the pages keep the snapshot's.
    client.post(reverse("vote:phone"), {"phone": PHONE, **CAPTCHA_PASSED})
    client.post(reverse("vote:verify"), {"code": sms.last_code(PHONE)})
    answer = client.post(
        reverse("vote:cast", args=[round_.pk, a.pk]), HTTP_ACCEPT="application/json"
    ).json()
    assert answer["ok"] and answer["count"] is None
    case_page = client.get(reverse("vote:case", args=[round_.pk, a.pk])).content.decode()
    assert f'data-testid="public-count-{a.pk}">1 票' in case_page
    # The script's live badge ("vote-count") belongs to the live mode only.
    assert 'vote-count"' not in case_page and " vote-count" not in case_page


def test_before_the_first_snapshot_the_page_says_when_and_shows_no_count(client, db):
    round_, _due = open_daily_round(hours_since_due=1)
    # The first due time is still ahead: the vote opened after today's time passed.
    Round.objects.filter(pk=round_.pk).update(vote_opens=timezone.now() - timedelta(minutes=5))
    case = CaseFactory(round=round_)
    vote(case, timezone.now() - timedelta(minutes=1))
    page = client.get(reverse("vote:round", args=[round_.pk])).content.decode()
    assert "首次公布时间" in page and f"public-count-{case.pk}" not in page


def test_hidden_counts_stay_hidden_on_every_answer(client, sms, db):
    round_ = RoundFactory(votes_per_voter=3)
    case = CaseFactory(round=round_)
    vote(case, timezone.now() - timedelta(minutes=5))
    client.post(reverse("vote:phone"), {"phone": PHONE, **CAPTCHA_PASSED})
    client.post(reverse("vote:verify"), {"code": sms.last_code(PHONE)})
    answer = client.post(
        reverse("vote:cast", args=[round_.pk, case.pk]), HTTP_ACCEPT="application/json"
    ).json()
    assert answer["ok"] and answer["count"] is None
    urls = (
        reverse("vote:round", args=[round_.pk]),
        reverse("vote:case", args=[round_.pk, case.pk]),
    )
    for url in urls:
        page = client.get(url).content.decode()
        assert f"public-count-{case.pk}" not in page and " vote-count" not in page


def test_the_round_form_asks_for_the_time_of_a_daily_count(db):
    round_ = RoundFactory()
    data = {
        "year": round_.year,
        "title": round_.title,
        "max_cases_per_district": 3,
        "shortlist_size": 10,
        "votes_per_voter": 10,
        "vote_weight": "0.3",
        "trim": 0,
        "vote_count_mode": "daily",
    }
    form = RoundForm(data, instance=round_)
    assert not form.is_valid()
    assert form.errors["vote_count_time"] == ["每日定时公布票数须填写公布时间。"]
    form = RoundForm({**data, "vote_count_time": "20:00"}, instance=round_)
    assert form.is_valid(), form.errors
