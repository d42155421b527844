"""The staff side of the vote: the live tally, the chart over time, bursts from one address
block, voiding votes, and closing the vote with its cut (the shortlist)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Round
from cases.rounds import set_round_status

from ..models import RoundSelection, Vote, Voter
from ..ranking import select_shortlist
from . import ledger
from .casting import vote_cases, voted_cases

# A burst: at least BURST_THRESHOLD valid votes from one address block (/24 or /48) within
# BURST_WINDOW. Offices and campuses share a block, so a burst is a flag for a person to
# look at, never an automatic void.
BURST_WINDOW = timedelta(minutes=10)
BURST_THRESHOLD = 20


def valid_counts(round_: Round) -> dict[int, int]:
    """Valid (not voided) votes per case: the ledger's buckets and the votes not folded yet,
    equal to a count of the Vote rows (tests/vote/test_vote_ledger.py)."""
    return ledger.valid_counts(round_)


def voided_counts(round_: Round) -> dict[int, int]:
    """Voided votes per case."""
    return ledger.voided_counts(round_)


def tally(round_: Round) -> list[dict]:
    counts, voided = valid_counts(round_), voided_counts(round_)
    rows = [
        {"case": case, "votes": counts.get(case.pk, 0), "voided": voided.get(case.pk, 0)}
        for case in voted_cases(round_)
    ]
    rows.sort(key=lambda row: (-row["votes"], row["case"].pk))
    return rows


# Chart buckets, smallest first: the first that gives at most MAX_BUCKETS points is used.
BUCKETS = [timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(days=1)]
MAX_BUCKETS = 120


def chart_bucket(first: datetime, last: datetime) -> int:
    """The bucket size (seconds) for votes from minute ``first`` to minute ``last``: the
    smallest of BUCKETS that gives at most MAX_BUCKETS points."""
    span = last - first + timedelta(minutes=1)
    bucket = next((b for b in BUCKETS if span / b <= MAX_BUCKETS), BUCKETS[-1])
    return int(bucket.total_seconds())


def timeline(round_: Round) -> dict:
    """Cumulative valid votes per case over time, for the staff chart (Chart.js). Buckets are
    aligned to Beijing-time boundaries (whole minutes, ten minutes, hours, midnight), and
    counted from the ledger (reviews.vote.ledger), never by reading every vote."""
    found = ledger.timeline_counts(round_, chart_bucket)
    cases = list(voted_cases(round_))
    if found is None:
        return {"labels": [], "datasets": []}
    size, first, last, counts = found
    bucket = timedelta(seconds=size)
    # One empty bucket first, so every line starts from zero and even a single bucket of
    # votes draws a line.
    start = first - bucket
    count = int((last - start) / bucket) + 1
    fmt = "%m-%d %H:%M" if bucket < timedelta(days=1) else "%m-%d"
    labels = [timezone.localtime(start + i * bucket).strftime(fmt) for i in range(count)]
    datasets = []
    for case in cases:
        running, series = 0, []
        for i in range(count):
            running += counts.get((case.pk, start + i * bucket), 0)
            series.append(running)
        datasets.append({"label": case.title[:16], "data": series})
    return {"labels": labels, "datasets": datasets}


@dataclass
class Burst:
    block: str
    first: datetime
    last: datetime
    vote_ids: list[int] = field(default_factory=list)
    cases: Counter = field(default_factory=Counter)
    voters: Counter = field(default_factory=Counter)  # voter id -> votes in the burst
    voter_rows: list = field(default_factory=list)  # (Voter, votes): add_burst_voters
    # "block" (one address block, find_bursts), "swarm" or "phones" (flags.py), and what the
    # staff page says about the latter two.
    kind: str = "block"
    detail: str = ""

    @property
    def count(self) -> int:
        return len(self.vote_ids)


def burst_of(votes, **fields) -> Burst:
    """A flag over ``votes`` (each (id, at, case, voter, …), by time) with their counts."""
    burst = Burst(first=votes[0][1], last=votes[-1][1], **{"block": "", **fields})
    for vote_id, _at, case_id, voter_id, *_rest in votes:
        burst.vote_ids.append(vote_id)
        burst.cases[case_id] += 1
        burst.voters[voter_id] += 1
    return burst


def dense_runs(votes, window: timedelta, threshold: int) -> list[list]:
    """Groups of ``votes`` (sorted by time, each (id, at, case, voter, …)) in which at least
    ``threshold`` fall within ``window``; overlapping windows make one group."""
    flagged = [False] * len(votes)
    left = 0
    for right in range(len(votes)):
        while votes[right][1] - votes[left][1] > window:
            left += 1
        if right - left + 1 >= threshold:
            for i in range(left, right + 1):
                flagged[i] = True
    groups, current, last = [], None, None
    for vote, flag in zip(votes, flagged, strict=True):
        if not flag:
            continue
        if current is None or vote[1] - last > window:
            current = []
            groups.append(current)
        current.append(vote)
        last = vote[1]
    return groups


def find_bursts(
    round_: Round, *, window: timedelta = BURST_WINDOW, threshold: int = BURST_THRESHOLD
) -> list[Burst]:
    """Runs of valid votes from one address block with >= threshold votes within window: one
    query (reviews.vote.dense), whatever the number of blocks."""
    from . import dense

    source = (
        "SELECT id, created_at AS at, case_id, voter_id, ip_block AS part FROM {vote} "
        "WHERE round_id = %s AND voided = %s AND ip_block <> ''"
    ).format(**dense.tables())
    rows = dense.flagged(source, [round_.pk, False], window=window, threshold=threshold)
    bursts = []
    for block, votes in dense.by_part(rows).items():
        bursts += [burst_of(group, block=block) for group in dense_runs(votes, window, threshold)]
    bursts.sort(key=lambda b: b.first)
    return bursts


def add_burst_voters(bursts: list[Burst]) -> list[Burst]:
    """Each burst's voters with their votes in it (``voter_rows``), for the staff fraud review:
    the one place that shows a voter's whole phone number (everywhere else it is masked)."""
    ids = {voter_id for burst in bursts for voter_id in burst.voters}
    voters = Voter.objects.in_bulk(ids) if ids else {}
    for burst in bursts:
        burst.voter_rows = [(voters[pk], n) for pk, n in burst.voters.most_common()]
    return bursts


def void_votes(*, round: Round, vote_ids, user, reason: str) -> int:
    """Void valid votes of ``round``; each voided vote takes one from its case's count."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写作废原因。"))
    if round.status != Round.Status.VOTING:
        raise ValidationError(_("只能在网络投票阶段作废投票。"))
    now = timezone.now()
    voided = Counter()
    with transaction.atomic():
        # select_for_update holds the rows on PostgreSQL; on SQLite the IMMEDIATE transaction
        # already serialises writers. Either way a vote is voided (and counted down) once.
        changed = []
        for vote in Vote.objects.select_for_update().filter(
            round=round, pk__in=list(vote_ids), voided=False
        ):
            vote.voided, vote.void_reason = True, reason[:200]
            vote.voided_by, vote.voided_at = user, now
            vote._history_user = user
            vote._change_reason = reason[:100]
            vote.save(update_fields=["voided", "void_reason", "voided_by", "voided_at"])
            voided[vote.case_id] += 1
            changed.append(vote)
        ledger.unfold_voided(round, changed)
        for case_id, n in voided.items():
            Case.objects.filter(pk=case_id).update(vote_count=F("vote_count") - n)
    return sum(voided.values())


# --- Closing the vote ------------------------------------------------------------------------


def close_vote(*, round: Round, user) -> list[int]:
    """End the vote: store the engine's vote cut in Case.shortlisted, move the round to
    'review' and assign the eligible experts to the shortlisted cases."""
    from ..review import assign_default

    if round.status != Round.Status.VOTING:
        raise ValidationError(_("本轮评选不在网络投票阶段。"))
    with transaction.atomic():
        accepted = list(vote_cases(round).values_list("pk", flat=True))
        # The public pages of the closed vote read these figures (again at every close).
        figures = ledger.close_figures(round)
        counted = {case_id: pair[0] for case_id, pair in figures.items()}
        shortlist = select_shortlist(cases=accepted, votes=counted, size=round.shortlist_size)
        chosen = set(shortlist)
        for case in Case.objects.filter(round=round, status=Case.Status.ACCEPTED):
            if case.shortlisted != (case.pk in chosen):
                case.shortlisted = case.pk in chosen
                case._history_user = user
                case.save(update_fields=["shortlisted"])
        set_round_status(
            round=round,
            to=Round.Status.REVIEW,
            user=user,
            reason=_("网络投票结束，%(n)s 个案例入围专家评审") % {"n": len(shortlist)},
        )
        selection, _created = RoundSelection.objects.get_or_create(round=round)
        selection.vote_closed_at, selection.vote_closed_by = timezone.now(), user
        selection._history_user = user
        selection.save()
        assign_default(round=round)
    return shortlist
