"""Casting a vote: the hot path of the site, its statements written by hand as SQL.

Why by hand: the vote is the busiest request (bench/bench_votes.py), and compiling its
statements with the ORM on every vote cost more than the database work itself. So the
statements are written once, as SQL templates whose table and column names come from the
models (``_sql``), run as prepared statements on PostgreSQL, and the returned rows are turned
into model instances without the ORM's per-field work (``_loaded``).

Correctness under concurrency comes from the database, never from a read followed by a write
in Python: the unique constraint on Vote(voter, case), a conditional upsert of the Ballot row,
and in-place counter increments. On PostgreSQL they are one statement (``_VOTE_STATEMENT``),
on SQLite the same steps in one transaction (``record_vote``).
"""

import functools
import ipaddress
from datetime import UTC, datetime

from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Round

from ..models import Ballot, Vote, Voter
from .errors import StaleVoter, VoteError

# An address block: bursts (monitor.find_bursts) and the code limits count per block.
IPV4_BLOCK = 24
IPV6_BLOCK = 48


@functools.lru_cache(maxsize=65536)  # on every vote; the same addresses come back
def ip_block(ip: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) block of an address, as text; '' when unknown."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = IPV4_BLOCK if address.version == 4 else IPV6_BLOCK
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def is_vote_open(round_: Round, now: datetime | None = None) -> bool:
    return round_.status == Round.Status.VOTING and round_.window_open("vote", now)


def voting_rounds():
    return Round.objects.filter(status=Round.Status.VOTING).order_by("-year", "-id")


def vote_cases(round_: Round):
    """The cases the public may vote for: the round's accepted cases."""
    return _in_order(Case.objects.filter(round=round_, status=Case.Status.ACCEPTED))


# A case that took part in the vote: accepted before it opened (no case is withdrawn once the
# vote has started, cases.workflow), and perhaps published with the round's list since.
IN_THE_VOTE = (Case.Status.ACCEPTED, Case.Status.PUBLISHED)


def voted_cases(round_: Round):
    """The cases that took part in the round's vote, whatever their status since: what the
    tally, the chart and a closed vote's pages show once the round has moved on."""
    return _in_order(Case.objects.filter(round=round_, status__in=IN_THE_VOTE))


def _in_order(cases):
    return cases.select_related("district").order_by("district__order", "position", "id")


# The vote path is the hottest code of the site (bench/bench_votes.py): its statements are
# written once as SQL, not compiled by the ORM on every vote (that compilation cost more than
# the database work). Table and column names come from the models; ``_sql`` fills them in.
# SQLite (>= 3.35: RETURNING, upsert) runs the next three in one transaction; PostgreSQL runs
# them as one statement, ``_VOTE_STATEMENT``.

# One statement counts the vote on the voter's ballot of the round and checks the per-round
# limit: the first vote creates the ballot, later ones add one while used < limit, and no row
# comes back when the limit is reached. Two requests racing for the last vote cannot both see
# used < limit: the database serialises the writes of the row.
_BALLOT_TAKE = (
    "INSERT INTO {ballot} (round_id, voter_id, used) VALUES (%s, %s, 1) "
    "ON CONFLICT (round_id, voter_id) DO UPDATE SET used = {ballot}.used + 1 "
    "WHERE {ballot}.used < (SELECT votes_per_voter FROM {round} WHERE id = {ballot}.round_id) "
    "RETURNING used"
)
_VOTE_INSERT = (
    "INSERT INTO {vote} (round_id, case_id, voter_id, ip, ip_block, created_at, voided, "
    "void_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, '') RETURNING id"
)
_COUNTER_UPDATE = "UPDATE {case} SET vote_count = vote_count + 1 WHERE id = %s RETURNING vote_count"


# The case a vote is for, with what record_vote needs of its round (not the case's full text
# nor the round's criteria and notice, which the vote path never reads).
_TARGET_CASE_FIELDS = ("id", "round_id", "status", "title")
_TARGET_ROUND_FIELDS = (
    "id",
    "status",
    "vote_opens",
    "vote_closes",
    "votes_per_voter",
    "vote_count_mode",
)
# And the voter's token version (NULL for no such voter): the cookie's must equal it.
_VOTE_TARGET = (
    "SELECT {case_columns}, {round_columns}, (SELECT token_version FROM {voter} WHERE id = %s) "
    "FROM {case} INNER JOIN {round} "
    "ON {round}.id = {case}.round_id WHERE {case}.id = %s AND {case}.round_id = %s"
)

# PostgreSQL: the whole vote as one statement, run in autocommit (its own transaction), so
# the vote costs one round trip and no BEGIN or COMMIT of its own. The writes are gated in
# SQL on the same rules ``_check_target`` words for the voter (accepted case, round in
# 'voting', inside its window: ``is_vote_open``; tests hold both to the same answers) and on
# the cookie's token version being the voter's: a statement cannot be undone after the fact.
# A closed target or a revoked cookie writes nothing; a ballot at its
# limit returns no row, so no vote and no count; a second vote for a case fails the unique
# constraint and takes the whole statement back. Data-modifying CTEs run once and to the
# end whether or not the outer SELECT reads them; the LEFT JOIN returns a row even when
# there is no such case.
_VOTE_STATEMENT = """
WITH target AS (
    SELECT {case_columns}, {round_columns},
        (SELECT token_version FROM {voter} WHERE id = %(voter)s) AS voter_version,
        ({case}.status = %(accepted)s AND {round}.status = %(voting)s
         AND ({round}.vote_opens IS NULL OR {round}.vote_opens <= %(now)s)
         AND ({round}.vote_closes IS NULL OR %(now)s < {round}.vote_closes)) AS open
    FROM {case} INNER JOIN {round} ON {round}.id = {case}.round_id
    WHERE {case}.id = %(case)s AND {case}.round_id = %(round)s
), ballot AS (
    INSERT INTO {ballot} AS taken (round_id, voter_id, used)
    SELECT %(round)s, %(voter)s, 1 FROM target WHERE open AND voter_version = %(version)s
    ON CONFLICT (round_id, voter_id) DO UPDATE SET used = taken.used + 1
    WHERE taken.used < (SELECT votes_per_voter FROM target)
    RETURNING used
), inserted AS (
    INSERT INTO {vote} (round_id, case_id, voter_id, ip, ip_block, created_at, voided,
        void_reason)
    SELECT %(round)s, %(case)s, %(voter)s, %(ip)s, %(ip_block)s, %(now)s, false, ''
    FROM ballot RETURNING id
), counter AS (
    UPDATE {case} SET vote_count = vote_count + 1
    WHERE id = %(case)s AND EXISTS (SELECT 1 FROM inserted) RETURNING vote_count
)
SELECT target.*, (SELECT used FROM ballot), (SELECT id FROM inserted),
    (SELECT vote_count FROM counter)
FROM (SELECT 1) AS one LEFT JOIN target ON true
"""


@functools.cache
def _sql_for(template: str, vendor: str) -> str:
    quote = connection.ops.quote_name
    case, round_ = quote(Case._meta.db_table), quote(Round._meta.db_table)
    return template.format(
        ballot=quote(Ballot._meta.db_table),
        vote=quote(Vote._meta.db_table),
        voter=quote(Voter._meta.db_table),
        case=case,
        round=round_,
        case_columns=", ".join(f"{case}.{quote(f)}" for f in _TARGET_CASE_FIELDS),
        round_columns=", ".join(f"{round_}.{quote(f)}" for f in _TARGET_ROUND_FIELDS),
    )


def _sql(template: str, db) -> str:
    return _sql_for(template, db.vendor)


def _first_rows(*statements) -> list:
    """Run ``(template, params)`` statements in order, in the current transaction (or in
    autocommit, each its own); the first row (or None) of each. A database error raises
    Django's exception, as a cursor would.

    PostgreSQL: prepared on the server, so planned once per connection and not once per vote
    (Django leaves psycopg's prepared statements off; settings allow them). SQLite runs
    in-process and keeps its own statement cache."""
    db = connections[DEFAULT_DB_ALIAS]  # the proxy ``connection`` looks it up on every use
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            return _fetch_first(cursor, db, statements)
    db.ensure_connection()
    try:
        return _run_prepared(db, statements)
    except OperationalError:
        # No health check (SELECT 1) before the vote, as Django's cursors make with
        # CONN_HEALTH_CHECKS: the statement is the check. A connection that broke since the
        # last request (a database restart) is replaced and the statements sent again, outside
        # a transaction only. Had the first attempt committed before the break, the second is
        # refused by the unique constraint: the vote still counts once (bench_fault_vote_restart).
        if db.in_atomic_block or not getattr(db.connection, "broken", False):
            raise
        db.close()
        db.ensure_connection()
        return _run_prepared(db, statements)


def _run_prepared(db, statements) -> list:
    import psycopg

    with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
        return _fetch_first(cursor, db, statements, prepare=True)


def _fetch_first(cursor, db, statements, **options) -> list:
    rows = []
    for template, params in statements:
        cursor.execute(_sql(template, db), params, **options)
        rows.append(cursor.fetchone())
    return rows


def _from_db_datetime(value):
    # Raw SQL skips the ORM's converters: SQLite hands back naive datetimes (or text), in UTC
    # as Django stores them.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


class VoteTargetMissing(VoteError):
    """No such case in that round (the vote page answers 404)."""


def _loaded(model, values: dict):
    """An instance as loaded from the database with only ``values`` (attnames); any other
    field loads on access, as with ``only()``. What ``Model.from_db`` gives, without running
    ``__init__`` over every field of the model (a case has some thirty): the vote path builds
    three instances per vote."""
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    instance.__dict__.update(values)
    return instance


_ROUND_END = len(_TARGET_CASE_FIELDS) + len(_TARGET_ROUND_FIELDS)


def _target_from_row(row) -> Case:
    """The case and its round from a ``_VOTE_TARGET`` row (or the same first columns of
    ``_VOTE_STATEMENT``'s), with the fields the vote path reads."""
    split = len(_TARGET_CASE_FIELDS)
    round_values = dict(zip(_TARGET_ROUND_FIELDS, row[split:_ROUND_END], strict=True))
    for name in ("vote_opens", "vote_closes"):
        round_values[name] = _from_db_datetime(round_values[name])
    case = _loaded(Case, dict(zip(_TARGET_CASE_FIELDS, row[:split], strict=True)))
    Case.round.field.set_cached_value(case, _loaded(Round, round_values))
    return case


def vote_target(*, round_pk, case_pk) -> Case | None:
    """The case (with its round) a vote would be for, in one narrow query; None when there is
    no such case in that round."""
    try:
        case_pk, round_pk = int(case_pk), int(round_pk)
    except (TypeError, ValueError):
        return None
    return _target_and_version(round_pk=round_pk, case_pk=case_pk, voter_id=None)[0]


def _target_and_version(*, round_pk, case_pk, voter_id):
    (row,) = _first_rows((_VOTE_TARGET, [voter_id, case_pk, round_pk]))
    if row is None:
        return None, None
    return _target_from_row(row), row[_ROUND_END]


def _stale_voter() -> StaleVoter:
    return StaleVoter(_("您的手机号验证已失效，请重新验证后再投票。"))


def _check_target(case: Case | None, now: datetime) -> None:
    if case is None:
        raise VoteTargetMissing(_("该案例不在本轮投票范围内。"))
    if not is_vote_open(case.round, now):
        raise VoteError(_("本轮网络投票未在进行中。"))
    if case.status != Case.Status.ACCEPTED:
        raise VoteError(_("该案例不在本轮投票范围内。"))


def record_vote(
    *,
    round_pk: int,
    case_pk: int,
    voter_id: int,
    token_version: int,
    ip: str | None = None,
    now=None,
) -> Vote:
    """Record one vote of a verified voter; raises VoteError when the rules or the database
    refuse it (VoteTargetMissing when the case is not in that round, StaleVoter when
    ``token_version``, the cookie's, is no longer the voter's).

    The case and its round are read with the three writes (ballot, vote, counter), and the
    writes stand only when all of them agree with the rules. PostgreSQL: one statement, one
    round trip (``_VOTE_STATEMENT``). SQLite: the same four steps in one transaction, which
    is undone when the rules refuse (SQLite is in-process: no round trips to save). The
    returned Vote carries ``case`` (with ``case.round``), ``votes_left`` and ``count`` (the
    case's new counter).
    """
    now = now or timezone.now()
    try:
        case_pk, round_pk = int(case_pk), int(round_pk)
    except (TypeError, ValueError):
        raise VoteTargetMissing(_("该案例不在本轮投票范围内。")) from None
    address_block = ip_block(ip)
    db = connections[DEFAULT_DB_ALIAS]
    record = _record_in_one_statement if db.vendor == "postgresql" else _record_in_steps
    try:
        case, used, vote_id, count = record(
            round_pk=round_pk,
            case_pk=case_pk,
            voter_id=voter_id,
            token_version=token_version,
            ip=ip or None,
            address_block=address_block,
            now=now,
        )
    except IntegrityError:
        # A duplicate, unless the case was not open to votes at all or the cookie revoked
        # (SQLite inserts before it compares): say which.
        case, version = _target_and_version(round_pk=round_pk, case_pk=case_pk, voter_id=voter_id)
        _check_target(case, now)
        if version != token_version:
            raise _stale_voter() from None
        raise VoteError(_("您已为该案例投过票，每个案例只能投一票。")) from None
    vote = _loaded(
        Vote,
        {
            "id": vote_id,
            "round_id": round_pk,
            "case_id": case_pk,
            "voter_id": voter_id,
            "ip": ip or None,
            "ip_block": address_block,
            "created_at": now,
            "voided": False,
            "void_reason": "",
            "voided_by_id": None,
            "voided_at": None,
        },
    )
    # The case and round in hand: no query on access.
    Vote.case.field.set_cached_value(vote, case)
    Vote.round.field.set_cached_value(vote, case.round)
    vote.votes_left = max(case.round.votes_per_voter - used, 0)
    vote.count = count
    return vote


def _limit_reached(case: Case) -> VoteError:
    limit = case.round.votes_per_voter
    return VoteError(_("您在本轮最多可投 %(limit)s 票，已全部投出。") % {"limit": limit})


def _record_in_one_statement(*, round_pk, case_pk, voter_id, token_version, ip, address_block, now):
    params = {
        "round": round_pk,
        "case": case_pk,
        "voter": voter_id,
        "version": token_version,
        "ip": ip,
        "ip_block": address_block,
        "now": now,
        "accepted": Case.Status.ACCEPTED.value,
        "voting": Round.Status.VOTING.value,
    }
    if connection.in_atomic_block:
        # Inside a caller's transaction (tests, scripts): a savepoint, so that a refused
        # duplicate does not break the caller's transaction.
        with transaction.atomic():
            (row,) = _first_rows((_VOTE_STATEMENT, params))
    else:
        (row,) = _first_rows((_VOTE_STATEMENT, params))
    *target, voter_version, is_open, used, vote_id, count = row
    case = None if target[0] is None else _target_from_row(target)
    if vote_id is None:  # nothing was written: say why
        _check_target(case, now)
        if voter_version != token_version:
            raise _stale_voter()
        if not is_open:  # the SQL gate and _check_target agree (tested); never a wrong word
            raise VoteError(_("本轮网络投票未在进行中。"))
        raise _limit_reached(case)
    return case, used, vote_id, count


def _record_in_steps(*, round_pk, case_pk, voter_id, token_version, ip, address_block, now):
    with transaction.atomic():
        target, ballot, inserted, counter = _first_rows(
            (_VOTE_TARGET, [voter_id, case_pk, round_pk]),
            # Counts the vote on the ballot; no row when the round's limit is reached.
            (_BALLOT_TAKE, [round_pk, voter_id]),
            # The unique constraint on (voter, case) refuses a second vote for the same case,
            # however the requests interleave (IntegrityError). The row itself records the
            # vote (who, when, from where); history starts with its first change (a void).
            (
                _VOTE_INSERT,
                [
                    round_pk,
                    case_pk,
                    voter_id,
                    ip,
                    address_block,
                    connection.ops.adapt_datetimefield_value(now),
                    False,
                ],
            ),
            (_COUNTER_UPDATE, [case_pk]),
        )
        case = None if target is None else _target_from_row(target)
        _check_target(case, now)  # raising undoes the writes
        if target[_ROUND_END] != token_version:
            raise _stale_voter()
        if ballot is None:
            raise _limit_reached(case)
    return case, ballot[0], inserted[0], counter[0]


def cast_vote(
    *,
    round: Round,
    case: Case,
    voter: Voter | None = None,
    token: tuple[int, int] | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Vote:
    """``record_vote`` for a case and round in hand. Pass ``voter`` (a Voter row: its
    ``verified_at`` is checked) or ``token``, the (voter id, token version) taken from
    ``identity.request_voter_token`` (verified by construction: only ``remember_voter``
    signs it)."""
    if voter is not None:
        if voter.verified_at is None:
            raise VoteError(_("请先验证手机号。"))
        token = (voter.pk, voter.token_version)
    if token is None:
        raise VoteError(_("请先验证手机号。"))
    if case.round_id != round.pk:
        raise VoteError(_("该案例不在本轮投票范围内。"))
    voter_id, token_version = token
    return record_vote(
        round_pk=round.pk,
        case_pk=case.pk,
        voter_id=voter_id,
        token_version=token_version,
        ip=ip,
        now=now,
    )


def voter_status(round_: Round, voter: Voter | None) -> dict:
    """The cases a voter voted for in a round and how many votes are left."""
    if voter is None:
        return {"voted": set(), "left": round_.votes_per_voter}
    voted = set(Vote.objects.filter(round=round_, voter=voter).values_list("case_id", flat=True))
    return {"voted": voted, "left": max(round_.votes_per_voter - len(voted), 0)}
