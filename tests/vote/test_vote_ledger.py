"""Issue #28: the figures the vote's pages read fast (the ledger's buckets, the flags found by
one query each) equal the slow, obvious computation over every Vote row in Python, on the
database the suite runs on (CI runs SQLite and PostgreSQL): with votes folded and not yet
folded, votes voided after a daily snapshot, and a vote reopened and closed again."""

import random
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from cases.rounds import set_round_status
from reviews.factories import CaseFactory, RoundFactory
from reviews.models import Vote, VoteCountSnapshot, Voter
from reviews.vote import flags, ledger, monitor, snapshots
from reviews.vote.casting import ip_block

DAY0 = timezone.make_aware(datetime(2026, 5, 1, 9, 0))  # Beijing time
NOW = DAY0 + timedelta(days=3, hours=2)


def local(hours=0, minutes=0, seconds=0, micros=0):
    return DAY0 + timedelta(hours=hours, minutes=minutes, seconds=seconds, microseconds=micros)


# --- The slow, obvious computations ----------------------------------------------------------


def rows(round_):
    return list(
        Vote.objects.filter(round=round_).values_list(
            "id", "case_id", "created_at", "voided", "ip_block", "voter__phone", "voter__created_at"
        )
    )


def slow_valid(round_, up_to=None):
    return dict(
        Counter(
            case
            for _id, case, at, voided, *_ in rows(round_)
            if not voided and (up_to is None or at <= up_to)
        )
    )


def slow_voided(round_):
    return dict(Counter(case for _id, case, _at, voided, *_ in rows(round_) if voided))


def slow_floor(at, size):
    """The Beijing-time bucket of ``at``: whole minutes, ten minutes, hours or midnight."""
    local_at = timezone.localtime(at)
    if size == 86400:
        return local_at.replace(hour=0, minute=0, second=0, microsecond=0)
    minute_of_day = local_at.hour * 60 + local_at.minute
    floored = minute_of_day - minute_of_day % (size // 60)
    return local_at.replace(
        hour=floored // 60, minute=floored % 60, second=0, microsecond=0
    ).astimezone(timezone.get_current_timezone())


def slow_timeline(round_, cases):
    valid = sorted((at, case) for _id, case, at, voided, *_ in rows(round_) if not voided)
    if not valid:
        return {"labels": [], "datasets": []}
    first, last = slow_floor(valid[0][0], 60), slow_floor(valid[-1][0], 60)
    size = monitor.chart_bucket(first, last)
    bucket = timedelta(seconds=size)
    start = slow_floor(first, size) - bucket
    count = int((slow_floor(last, size) - start) / bucket) + 1
    per = {case.pk: [0] * count for case in cases}
    for at, case in valid:
        per[case][int((slow_floor(at, size) - start) / bucket)] += 1
    fmt = "%m-%d %H:%M" if size < 86400 else "%m-%d"
    labels = [timezone.localtime(start + i * bucket).strftime(fmt) for i in range(count)]
    datasets = []
    for case in cases:
        running, series = 0, []
        for n in per[case.pk]:
            running += n
            series.append(running)
        datasets.append({"label": case.title[:16], "data": series})
    return {"labels": labels, "datasets": datasets}


def slow_dense(votes, window, threshold):
    """monitor.dense_runs as it was before #28 (every vote into Python)."""
    return monitor.dense_runs(votes, window, threshold)


def slow_bursts(round_):
    by_block = {}
    for pk, case, at, voided, block, _phone, _seen in sorted(
        rows(round_), key=lambda r: (r[2], r[0])
    ):
        if not voided and block:
            by_block.setdefault(block, []).append((pk, at, case, 0))
    found = []
    for block, votes in by_block.items():
        for group in slow_dense(votes, monitor.BURST_WINDOW, monitor.BURST_THRESHOLD):
            found.append((block, [v[0] for v in group]))
    return sorted(found)


def slow_swarms(round_):
    rules = flags.swarm_rules()
    by_case = {}
    for pk, case, at, voided, _block, _phone, seen in sorted(
        rows(round_), key=lambda r: (r[2], r[0])
    ):
        if not voided and at <= seen + rules["new"]:
            by_case.setdefault(case, []).append((pk, at, case, 0))
    found = []
    for votes in by_case.values():
        for group in slow_dense(votes, rules["window"], rules["threshold"]):
            found.append(sorted(v[0] for v in group))
    return sorted(found)


def slow_runs(round_):
    rules = flags.run_rules()
    by_case = {}
    for pk, case, at, voided, _block, phone, _seen in rows(round_):
        if not voided and phone.isascii() and phone.isdigit():
            by_case.setdefault(case, []).append((pk, at, case, 0, int(phone)))
    found = []
    for votes in by_case.values():
        votes.sort(key=lambda v: v[-1])
        runs, current = [], []
        for vote in votes:
            if current and vote[-1] - current[-1][-1] > rules["gap"]:
                runs.append(current)
                current = []
            current.append(vote)
        runs.append(current)
        for run in runs:
            if len(run) >= rules["length"]:
                run.sort(key=lambda v: (v[1], v[0]))
                for group in slow_dense(run, rules["within"], rules["length"]):
                    found.append(sorted(v[0] for v in group))
    return sorted(found)


# --- The round ---------------------------------------------------------------------------------


@pytest.fixture
def round_(db):
    return RoundFactory(
        votes_per_voter=3,
        shortlist_size=2,
        vote_opens=DAY0,
        vote_closes=DAY0 + timedelta(days=10),
        vote_count_mode=Round.VoteCounts.DAILY,
        vote_count_time=time(20, 0),
    )


def make_votes(round_, cases, spec):
    """``spec``: (case, phone, at, ip, first_seen) per vote; one voter per phone."""
    phones = {phone: seen for _case, phone, _at, _ip, seen in spec}
    known = dict(Voter.objects.filter(phone__in=phones).values_list("phone", "pk"))
    new = [Voter(phone=p, verified_at=s) for p, s in phones.items() if p not in known]
    for voter in Voter.objects.bulk_create(new):
        known[voter.phone] = voter.pk
    for phone, seen in phones.items():
        Voter.objects.filter(pk=known[phone]).update(created_at=seen)
    Vote.objects.bulk_create(
        Vote(
            round=round_,
            case=case,
            voter_id=known[phone],
            ip=ip,
            ip_block=ip_block(ip),
            created_at=at,
        )
        for case, phone, at, ip, _seen in spec
    )
    # The counters, as the vote path keeps them.
    for case_id, n in Counter(case.pk for case, *_ in spec).items():
        Case.objects.filter(pk=case_id).update(vote_count=F("vote_count") + n)


def build(round_, cases, rng, *, start, hours, n, prefix):
    """``n`` ordinary votes over ``hours`` from ``start``: some at whole minutes, some on the
    same microsecond, plus a burst, a swarm and a run of numbers."""
    spec = []
    for i in range(n):
        at = start + timedelta(
            seconds=rng.randrange(hours * 3600), microseconds=rng.randrange(10**6)
        )
        if i % 7 == 0:
            at = at.replace(second=0, microsecond=0)  # exactly on a minute
        ip = f"10.{rng.randrange(4)}.{rng.randrange(3)}.{rng.randrange(250)}"
        spec.append((cases[i % len(cases)], f"13{prefix}{i:08d}", at, ip, at - timedelta(days=9)))
    burst_at = start + timedelta(hours=1, seconds=17)
    for i in range(monitor.BURST_THRESHOLD + 3):  # one block, 20+ votes in 6 minutes
        at = burst_at + timedelta(seconds=15 * i)
        spec.append((cases[0], f"15{prefix}{i:08d}", at, f"203.0.113.{i}", at - timedelta(days=9)))
    spec.append(
        (cases[1], f"15{prefix}99999999", burst_at, "203.0.113.250", burst_at)
    )  # same instant
    swarm_at = start + timedelta(hours=2)
    for i in range(flags.swarm_rules()["threshold"] + 1):  # new phones, minutes apart
        at = swarm_at + timedelta(seconds=20 * i)
        spec.append(
            (cases[2], f"17{prefix}{i * 37:08d}", at, f"198.51.{i}.1", at - timedelta(minutes=3))
        )
    for i in range(6):  # near-consecutive numbers, hours apart
        at = start + timedelta(hours=i)
        spec.append(
            (cases[1], f"18{prefix}000000{i * 2:02d}", at, f"192.0.{i}.9", at - timedelta(days=9))
        )
    make_votes(round_, cases, spec)


def void(round_, staff, ids):
    return monitor.void_votes(round=round_, vote_ids=ids, user=staff, reason="核查后作废")


def assert_exact(round_, cases):
    assert monitor.valid_counts(round_) == slow_valid(round_)
    assert monitor.voided_counts(round_) == slow_voided(round_)
    tally = {row["case"].pk: (row["votes"], row["voided"]) for row in monitor.tally(round_)}
    valid, voided = slow_valid(round_), slow_voided(round_)
    assert tally == {c.pk: (valid.get(c.pk, 0), voided.get(c.pk, 0)) for c in cases}
    assert monitor.timeline(round_) == slow_timeline(round_, cases)
    for moment in (
        local(hours=11),  # 20:00 Beijing, a whole minute
        local(hours=11, seconds=30, micros=5),  # not a whole minute
        local(hours=35, minutes=7),
        NOW,
    ):
        fast = {int(k): v for k, v in snapshots.counts_up_to(round_, moment).items()}
        assert fast == slow_valid(round_, up_to=moment), moment
    bursts = sorted((b.block, b.vote_ids) for b in monitor.find_bursts(round_))
    assert bursts == slow_bursts(round_)
    assert sorted(sorted(f.vote_ids) for f in flags.find_swarms(round_)) == slow_swarms(round_)
    assert sorted(sorted(f.vote_ids) for f in flags.find_phone_runs(round_)) == slow_runs(round_)


def test_fast_figures_equal_the_slow_count_through_folds_voids_snapshots_and_closes(
    round_, staff, expert, client, monkeypatch
):
    clock = [local(hours=12)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    rng = random.Random(28)
    cases = [CaseFactory(round=round_) for _ in range(4)]
    build(round_, cases, rng, start=DAY0, hours=30, n=400, prefix="1")
    assert monitor.find_bursts(round_) and flags.find_swarms(round_)
    assert flags.find_phone_runs(round_)

    # Folded up to a moment in the middle: the later votes are read from the rows.
    assert 0 < ledger.fold(round_).folded_to < max(Vote.objects.values_list("pk", flat=True))
    assert_exact(round_, cases)

    # A daily snapshot at 20:00 on the first day, then votes voided on both sides of its time
    # and of the fold: the snapshot stays as taken, every live figure follows the voids.
    snapshot = snapshots.take_due(round_, now=local(hours=13))
    before = {int(k): v for k, v in snapshot.counts.items()}
    assert before == slow_valid(round_, up_to=local(hours=11))
    early = list(
        Vote.objects.filter(round=round_, created_at__lt=local(hours=11)).values_list(
            "pk", flat=True
        )[:9]
    )
    late = list(
        Vote.objects.filter(round=round_, created_at__gt=local(hours=14)).values_list(
            "pk", flat=True
        )[:5]
    )
    assert void(round_, staff, early + late) == len(early + late)
    assert VoteCountSnapshot.objects.get(pk=snapshot.pk).counts == snapshot.counts
    assert_exact(round_, cases)

    # Everything folded; voids of folded votes leave their buckets.
    clock[0] = NOW + timedelta(days=1)
    ledger.fold(round_)
    burst = monitor.find_bursts(round_)[0]
    void(round_, staff, burst.vote_ids[:4])
    assert_exact(round_, cases)

    # Closing stores the public figures; reopening, more votes and voids, closing again
    # computes them again.
    clock[0] = NOW
    monitor.close_vote(round=round_, user=staff)
    figures = ledger.closed_figures(round_)
    valid, voided = slow_valid(round_), slow_voided(round_)
    assert figures == {pk: [valid.get(pk, 0), voided.get(pk, 0)] for pk in {*valid, *voided}}
    set_round_status(round=round_, to=Round.Status.VOTING, user=staff, reason="重新开放投票")
    build(round_, cases, rng, start=NOW - timedelta(hours=1), hours=1, n=60, prefix="2")
    void(
        round_,
        staff,
        list(Vote.objects.filter(round=round_, voided=False).values_list("pk", flat=True)[:3]),
    )
    assert_exact(round_, cases)
    round_.refresh_from_db()
    monitor.close_vote(round=round_, user=staff)
    valid, voided = slow_valid(round_), slow_voided(round_)
    assert ledger.closed_figures(round_) == {
        pk: [valid.get(pk, 0), voided.get(pk, 0)] for pk in {*valid, *voided}
    }
    page = client.get(reverse("vote:round", args=[round_.pk])).content.decode()
    for case in cases:
        assert f'data-testid="votes-counted-{case.pk}">有效票 {valid.get(case.pk, 0)} 票' in page
        assert f'data-testid="votes-voided-{case.pk}">作废 {voided.get(case.pk, 0)} 票' in page


def test_votes_on_the_same_microsecond_as_a_window_edge_count_as_the_slow_rule(round_):
    """Exact window edges and ties, where a window function's frame could differ by one: a
    block whose last vote is exactly one window after its first is a burst, one microsecond
    later it is not; votes on the same microsecond count in id order."""
    case = CaseFactory(round=round_)
    at = local(hours=3)
    spec = []
    for block, last in (
        (1, monitor.BURST_WINDOW),
        (2, monitor.BURST_WINDOW + timedelta(microseconds=1)),
        (3, timedelta(minutes=5)),
    ):
        for i in range(monitor.BURST_THRESHOLD - 1):
            moment = at + timedelta(seconds=i) if block == 3 else at + timedelta(seconds=30 * i)
            spec.append((case, f"136{block}000{i:04d}", moment, f"203.0.{block}.{i}", at))
        spec.append((case, f"136{block}1110000", at + last, f"203.0.{block}.200", at))
        if block == 3:  # two more on the very same microsecond
            spec.append((case, f"136{block}1110001", at + last, f"203.0.{block}.201", at))
            spec.append((case, f"136{block}1110002", at + last, f"203.0.{block}.202", at))
    make_votes(round_, [case], spec)
    found = sorted((b.block, b.vote_ids) for b in monitor.find_bursts(round_))
    assert found == slow_bursts(round_)
    assert [block for block, _ids in found] == ["203.0.1.0/24", "203.0.3.0/24"]
