"""A round's votes counted per case and time bucket, so that no page reads every vote.

The vote path writes only the Vote row and the case's counter (reviews.vote.casting). Off that
path, ``fold`` adds the valid votes cast since its last run to VoteBucket rows: per case, per
minute, ten minutes, hour and Beijing-time day. ``void`` takes voided votes off their buckets
in the voiding transaction. Every figure read here is then the buckets plus the votes not yet
folded (``id > folded_to``: the last minute or two), so it equals a count over the Vote rows:
tests/vote/test_vote_ledger.py compares both on every figure.

``fold`` leaves the votes of the last ``FOLD_LAG`` to a later run: on PostgreSQL a vote's id
is drawn before its statement commits, so a vote still being written may get a lower id than
one already visible; none takes as long as FOLD_LAG (each vote is one short statement). On
SQLite writers take turns, so ids commit in order.

Fold and void both lock the round's VoteLedger row: a vote voided while a fold runs is taken
off its bucket by exactly one of them.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from cases.models import Round

from ..models import Vote, VoteBucket, VoteLedger

MINUTE, TEN_MINUTES, HOUR, DAY = 60, 600, 3600, 86400
SIZES = (MINUTE, TEN_MINUTES, HOUR, DAY)
FOLD_LAG = timedelta(minutes=2)


def ledger_of(round_: Round, *, lock: bool = False) -> VoteLedger:
    ledger, _created = VoteLedger.objects.get_or_create(round=round_)
    if lock:
        ledger = VoteLedger.objects.select_for_update().get(pk=ledger.pk)
    return ledger


# --- Buckets ----------------------------------------------------------------------------------


def _offset_minutes(at: datetime) -> int:
    return int(timezone.localtime(at).utcoffset().total_seconds() // 60)


def local_minute(at: datetime) -> int:
    """Minutes since the epoch in local (Beijing) time: the key all buckets derive from."""
    return int(at.timestamp() // 60) + _offset_minutes(at)


def bucket_start(at: datetime, size: int) -> datetime:
    """The start of the ``size``-second bucket holding ``at``, aligned to Beijing-time
    boundaries (whole minutes, ten minutes, hours, midnight)."""
    minute = local_minute(at)
    return _aware(minute - minute % (size // 60))


_EPOCH = datetime(1970, 1, 1)


def _aware(local_minutes: int) -> datetime:
    """The moment of a local (Beijing) minute count, time-zone aware."""
    return timezone.make_aware(_EPOCH + timedelta(minutes=local_minutes))


def _deltas(votes, sign: int = 1) -> Counter:
    """{(size, start, case id): [votes, at_start]} for ``votes`` as (case id, created_at)."""
    minutes = Counter()
    exact = Counter()
    for case_id, at in votes:
        minute = local_minute(at)
        minutes[(case_id, minute)] += 1
        if at.second == 0 and at.microsecond == 0:
            exact[(case_id, minute)] += 1
    deltas = {}
    for (case_id, minute), n in minutes.items():
        for size in SIZES:
            start = minute - minute % (size // 60)
            key = (size, start, case_id)
            entry = deltas.setdefault(key, [0, 0])
            entry[0] += sign * n
            if size == MINUTE:
                entry[1] += sign * exact[(case_id, minute)]
    return deltas


_UPSERT = (
    "INSERT INTO {table} (round_id, case_id, size, start, votes, at_start) VALUES {rows} "
    "ON CONFLICT (round_id, size, start, case_id) DO UPDATE SET "
    "votes = {table}.votes + excluded.votes, at_start = {table}.at_start + excluded.at_start"
)
_CHUNK = 500  # rows per statement: a fold after a bulk load writes a million


def _apply(round_id: int, deltas: dict) -> None:
    if not deltas:
        return
    table = connection.ops.quote_name(VoteBucket._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (round_id, case_id, size, adapt(_aware(start)), votes, at_start)
        for (size, start, case_id), (votes, at_start) in deltas.items()
    ]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), _CHUNK):
            chunk = rows[i : i + _CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                _UPSERT.format(table=table, rows=values), [v for row in chunk for v in row]
            )


# --- Folding and voiding ----------------------------------------------------------------------


def fold(round_: Round, now: datetime | None = None) -> VoteLedger:
    """Add the valid votes cast since the last fold (and before ``now - FOLD_LAG``) to the
    buckets. Its cost grows with the votes since the last fold, never with all of them."""
    now = now or timezone.now()
    horizon = now - FOLD_LAG
    ledger = ledger_of(round_)
    # Nothing old enough to fold: no lock (on SQLite every write transaction, this one
    # included, takes the lock the votes need). Every read of the figures comes here first.
    oldest_new = (
        Vote.objects.filter(round=round_, pk__gt=ledger.folded_to)
        .order_by("pk")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest_new is None or oldest_new >= horizon:
        return ledger
    with transaction.atomic():
        ledger = ledger_of(round_, lock=True)
        rows = (
            Vote.objects.filter(round=round_, pk__gt=ledger.folded_to)
            .order_by("pk")
            .values_list("pk", "case_id", "created_at", "voided")
        )
        folded_to, valid = ledger.folded_to, []
        for pk, case_id, at, voided in rows.iterator(chunk_size=10000):
            if at >= horizon:
                break  # this vote and later ones stay in the tail until a later fold
            folded_to = pk
            if not voided:
                valid.append((case_id, at))
        if folded_to != ledger.folded_to:
            _apply(round_.pk, _deltas(valid))
            ledger.folded_to, ledger.folded_at = folded_to, now
            ledger.save(update_fields=["folded_to", "folded_at"])
    return ledger


def unfold_voided(round_: Round, votes) -> None:
    """Called by monitor.void_votes inside its transaction, for the votes it voided (each with
    pk, case_id, created_at): those already folded leave their buckets."""
    ledger = ledger_of(round_, lock=True)
    folded = [(v.case_id, v.created_at) for v in votes if v.pk <= ledger.folded_to]
    _apply(round_.pk, _deltas(folded, sign=-1))


def _tail(round_: Round, ledger: VoteLedger):
    """The valid votes not folded yet, as (case id, created_at)."""
    return list(
        Vote.objects.filter(round=round_, pk__gt=ledger.folded_to, voided=False).values_list(
            "case_id", "created_at"
        )
    )


# --- Figures ----------------------------------------------------------------------------------


def valid_counts(round_: Round) -> dict[int, int]:
    """Valid votes per case (cases without votes left out)."""
    ledger = fold(round_)
    counts = Counter()
    for case_id, n in VoteBucket.objects.filter(round=round_, size=DAY).values_list(
        "case_id", "votes"
    ):
        counts[case_id] += n
    for case_id, _at in _tail(round_, ledger):
        counts[case_id] += 1
    return {case_id: n for case_id, n in counts.items() if n}


def voided_counts(round_: Round) -> dict[int, int]:
    """Voided votes per case: read from the partial index of voided votes alone."""
    rows = (
        Vote.objects.filter(round=round_, voided=True)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    return dict(rows)


def counts_up_to(round_: Round, moment: datetime) -> dict[int, int]:
    """Valid votes per case cast at or before ``moment`` (a daily snapshot's due time)."""
    ledger = fold(round_)
    counts = Counter()
    if moment.second or moment.microsecond:
        # Not a whole minute (the form sets whole minutes): count the rows of that minute.
        minute = bucket_start(moment, MINUTE)
        for case_id in Vote.objects.filter(
            round=round_,
            voided=False,
            pk__lte=ledger.folded_to,
            created_at__gte=minute,
            created_at__lte=moment,
        ).values_list("case_id", flat=True):
            counts[case_id] += 1
        end = minute
    else:
        end = moment
        for case_id, n in VoteBucket.objects.filter(
            round=round_, size=MINUTE, start=moment
        ).values_list("case_id", "at_start"):
            counts[case_id] += n
    # Whole buckets before ``end``: days, then hours, ten minutes and minutes up to it.
    since = None
    for size in (DAY, HOUR, TEN_MINUTES, MINUTE):
        limit = bucket_start(end, size)  # buckets starting before it end at or before it
        rows = VoteBucket.objects.filter(round=round_, size=size, start__lt=limit)
        if since is not None:
            rows = rows.filter(start__gte=since)
        for case_id, n in rows.values_list("case_id", "votes"):
            counts[case_id] += n
        since = limit
    for case_id, at in _tail(round_, ledger):
        if at <= moment:
            counts[case_id] += 1
    return {case_id: n for case_id, n in counts.items() if n}


def _edge(round_: Round, last: bool):
    """The start of the first (or last) minute with a folded valid vote, or None."""
    since = until = None
    for size in (DAY, HOUR, TEN_MINUTES, MINUTE):
        rows = VoteBucket.objects.filter(round=round_, size=size, votes__gt=0)
        if since is not None:
            rows = rows.filter(start__gte=since, start__lt=until)
        found = rows.order_by("-start" if last else "start").values_list("start", flat=True)
        start = found.first()
        if start is None:
            return None
        since, until = start, start + timedelta(seconds=size)
    return since


def timeline_counts(round_: Round, size_for) -> tuple[int, datetime, datetime, dict]:
    """What the chart needs: (bucket size, first bucket start, last bucket start,
    {(case id, bucket start): valid votes}); ``size_for(first, last)`` picks the bucket size
    from the first and last vote's minutes. None when there are no valid votes."""
    ledger = fold(round_)
    tail = _tail(round_, ledger)
    edges = [_edge(round_, last=False), _edge(round_, last=True)]
    minutes = [bucket_start(at, MINUTE) for _case, at in tail]
    known = [edge for edge in edges if edge is not None] + minutes
    if not known:
        return None
    first, last = min(known), max(known)
    size = size_for(first, last)
    counts = Counter()
    for case_id, start, n in VoteBucket.objects.filter(
        round=round_, size=size, votes__gt=0
    ).values_list("case_id", "start", "votes"):
        counts[(case_id, start)] += n
    for case_id, at in tail:
        counts[(case_id, bucket_start(at, size))] += 1
    return size, bucket_start(first, size), bucket_start(last, size), counts


def close_figures(round_: Round) -> dict[int, list[int]]:
    """{case id: [counted, voided]} as the vote closes, kept on the ledger for the public pages
    of the closed vote; every later close (after staff reopen the vote) computes them again."""
    counted, voided = valid_counts(round_), voided_counts(round_)
    figures = {pk: [counted.get(pk, 0), voided.get(pk, 0)] for pk in {*counted, *voided}}
    VoteLedger.objects.filter(round=round_).update(
        closed_figures={str(pk): pair for pk, pair in figures.items()}
    )
    return figures


def closed_figures(round_: Round) -> dict[int, list[int]]:
    """The figures stored at the last close; computed now for a vote closed before they were
    kept (they are the same figures: no vote changes once the vote is closed)."""
    stored = (
        VoteLedger.objects.filter(round=round_).values_list("closed_figures", flat=True).first()
    )
    if stored is None:
        return close_figures(round_)
    return {int(pk): pair for pk, pair in stored.items()}
