"""What the public may know of the counts while a vote is open (Round.vote_count_mode).

- hidden: nothing until the vote closes;
- live: each case's counter as it stands;
- daily: a snapshot taken once a day at ``vote_count_time`` (Beijing time) and never changed;
  the public sees the last one with its time. Snapshots are taken by the recovery sweep (celery
  beat, with a worker) or, in the embedded mode, by the first read after the time. Either way
  a snapshot counts the valid votes cast up to its due time, so when it is taken does not
  change what it says.

In the hidden and daily modes no page or JSON answer carries a live count.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Round

from ..models import VoteCountSnapshot
from . import ledger

Mode = Round.VoteCounts


@dataclass
class PublicCounts:
    mode: str
    shown: bool  # whether the page shows counts at all
    as_of: datetime | None = None  # the snapshot's time (daily); None for live
    next_due: datetime | None = None  # when the next daily snapshot is due, within the vote


def latest_due(round_: Round, now: datetime) -> datetime | None:
    """The last daily due time at or before ``now`` inside the vote's window; None when none
    has come yet or the round does not publish daily."""
    if round_.vote_count_mode != Mode.DAILY or not round_.vote_count_time or not round_.vote_opens:
        return None
    end = min(now, round_.vote_closes) if round_.vote_closes else now
    local_end = timezone.localtime(end)
    due = timezone.make_aware(datetime.combine(local_end.date(), round_.vote_count_time))
    if due > end:
        due = timezone.make_aware(
            datetime.combine(local_end.date() - timedelta(days=1), round_.vote_count_time)
        )
    return due if due >= round_.vote_opens else None


def next_due(round_: Round, now: datetime) -> datetime | None:
    """The next daily due time after ``now`` that still falls inside the vote."""
    if round_.vote_count_mode != Mode.DAILY or not round_.vote_count_time:
        return None
    local = timezone.localtime(now)
    due = timezone.make_aware(datetime.combine(local.date(), round_.vote_count_time))
    if due <= now:
        due = timezone.make_aware(
            datetime.combine(local.date() + timedelta(days=1), round_.vote_count_time)
        )
    if round_.vote_closes and due > round_.vote_closes:
        return None
    return due


def counts_up_to(round_: Round, moment: datetime) -> dict[str, int]:
    """Valid votes per case (id as text, as JSON keeps it) cast up to ``moment``, from the
    ledger's buckets (reviews.vote.ledger): as cheap at a million votes as at a hundred."""
    return {str(case_id): n for case_id, n in ledger.counts_up_to(round_, moment).items()}


def take_due(round_: Round, now: datetime | None = None) -> VoteCountSnapshot | None:
    """The snapshot due last, taken now if nobody has taken it; None before the first."""
    now = now or timezone.now()
    due = latest_due(round_, now)
    if due is None:
        return None
    found = VoteCountSnapshot.objects.filter(round=round_, due_at=due).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return VoteCountSnapshot.objects.create(
                round=round_, due_at=due, taken_at=now, counts=counts_up_to(round_, due)
            )
    except IntegrityError:  # another request or the sweep took it first: theirs stands
        return VoteCountSnapshot.objects.get(round=round_, due_at=due)


def take_due_snapshots(now=None) -> int:
    """The recovery sweep's step: every daily round still voting gets its due snapshot."""
    now = now or timezone.now()
    before = VoteCountSnapshot.objects.count()
    rounds = Round.objects.filter(status=Round.Status.VOTING, vote_count_mode=Mode.DAILY)
    for round_ in rounds:
        take_due(round_, now)
    return VoteCountSnapshot.objects.count() - before


def attach_public_counts(round_: Round, cases, now: datetime | None = None) -> PublicCounts:
    """Sets ``case.public_count`` on each case (None where nothing may be shown) and says what
    the page shows: the live counter, the last daily snapshot, or nothing."""
    now = now or timezone.now()
    mode = round_.vote_count_mode
    if mode == Mode.LIVE:
        for case in cases:
            case.public_count = case.vote_count
        return PublicCounts(mode=mode, shown=True)
    snapshot = take_due(round_, now) if mode == Mode.DAILY else None
    for case in cases:
        case.public_count = snapshot.counts.get(str(case.pk), 0) if snapshot else None
    return PublicCounts(
        mode=mode,
        shown=snapshot is not None,
        as_of=snapshot.due_at if snapshot else None,
        next_due=next_due(round_, now),
    )


def live_count_allowed(round_: Round) -> bool:
    """Whether an answer (the vote's JSON included) may carry a case's live counter."""
    return round_.vote_count_mode == Mode.LIVE
