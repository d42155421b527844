"""The public vote: phone codes, casting a vote, the live tally, bursts, voiding, the cut.

Plain functions with keyword-only arguments, called by the views, the demo, the benchmark
and the tests. Correctness under concurrency comes from the database, never from a read
followed by a write in Python: the unique constraint on Vote(voter, case), a conditional
upsert of the Ballot row, and in-place counter increments, all inside one
``transaction.atomic()`` (``record_vote``).
"""

import functools
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import Count, F
from django.db.models.base import ModelState
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cases.models import Case, Round
from cases.rounds import set_round_status

from .models import Ballot, PhoneCode, RoundSelection, Vote, Voter
from .ranking import select_shortlist
from .sms import get_sender

CODE_TTL = timedelta(minutes=5)
CODE_LENGTH = 6
CODE_MAX_ATTEMPTS = 5
# A new code for the same phone no sooner than this: each code is a chance to guess.
CODE_RESEND_INTERVAL = timedelta(seconds=60)
# How long a verified phone stays verified in the browser (closing it ends it sooner).
VOTER_TTL = timedelta(hours=2)

# A burst: at least BURST_THRESHOLD valid votes from one address block (/24 or /48) within
# BURST_WINDOW. Offices and campuses share a block, so a burst is a flag for a person to
# look at, never an automatic void.
BURST_WINDOW = timedelta(minutes=10)
BURST_THRESHOLD = 20
IPV4_BLOCK = 24
IPV6_BLOCK = 48

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class VoteError(Exception):
    """A vote or a code the rules refuse; the message is for the voter (Chinese)."""


# --- Phones and codes ------------------------------------------------------------------------


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not MOBILE_RE.match(phone):
        raise VoteError(_("请输入 11 位中国大陆手机号码。"))
    return phone


def hash_code(*, phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(*, phone: str, ip: str | None = None, now: datetime | None = None) -> PhoneCode:
    """Create a one-time code for ``phone``, send it and keep only its hash."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    latest = PhoneCode.objects.filter(phone=phone).order_by("-created_at").first()
    if latest and latest.created_at > now - CODE_RESEND_INTERVAL:
        raise VoteError(
            _("验证码已发送，请 %(seconds)s 秒后再试。") % {"seconds": CODE_RESEND_INTERVAL.seconds}
        )
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    with transaction.atomic():
        # Only the newest code counts: earlier unused ones stop working.
        PhoneCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
        record = PhoneCode.objects.create(
            phone=phone,
            code_hash=hash_code(phone=phone, code=code),
            created_at=now,
            expires_at=now + CODE_TTL,
            ip=ip or None,
        )
    get_sender().send(phone=phone, code=code, minutes=int(CODE_TTL.total_seconds() // 60))
    return record


def verify_code(*, phone: str, code: str, now: datetime | None = None) -> Voter:
    """Check a code; on success return the (now verified) voter. Each try counts."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    code = (code or "").strip()
    record = (
        PhoneCode.objects.filter(phone=phone, used_at__isnull=True).order_by("-created_at").first()
    )
    if record is None or record.expires_at <= now:
        raise VoteError(_("验证码已失效，请重新获取。"))
    # Count the attempt before comparing, with a conditional UPDATE: parallel guesses cannot
    # get more than CODE_MAX_ATTEMPTS tries between them.
    counted = PhoneCode.objects.filter(
        pk=record.pk, attempts__lt=CODE_MAX_ATTEMPTS, used_at__isnull=True
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise VoteError(_("验证码错误次数过多，请重新获取。"))
    if not constant_time_compare(record.code_hash, hash_code(phone=phone, code=code)):
        left = CODE_MAX_ATTEMPTS - record.attempts - 1
        if left <= 0:
            raise VoteError(_("验证码错误次数过多，请重新获取。"))
        raise VoteError(_("验证码不正确，还可尝试 %(left)s 次。") % {"left": left})
    if not PhoneCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now):
        raise VoteError(_("验证码已使用，请重新获取。"))
    voter, _created = Voter.objects.get_or_create(phone=phone)
    Voter.objects.filter(pk=voter.pk).update(verified_at=now)
    voter.verified_at = now
    return voter


# The verified voter is a signed cookie, not a session entry: the vote, the hottest request
# of the site, then checks an HMAC in process instead of loading a session from the cache or
# the database (bench/bench_votes.py). Signed with SECRET_KEY and its own salt, so it cannot be
# forged or taken from another signed value; the signature's timestamp bounds it to
# VOTER_TTL; it lives until the browser closes, like the session. Only ``remember_voter``
# writes it, right after ``verify_code`` proved the phone, so the vote path trusts it and
# does not fetch the Voter row.
VOTER_COOKIE = "voter"
VOTER_COOKIE_SALT = "reviews.voting.voter"


def voter_cookie(voter_id: int) -> str:
    """The signed cookie value that names a verified voter."""
    return signing.get_cookie_signer(salt=VOTER_COOKIE + VOTER_COOKIE_SALT).sign(str(voter_id))


def remember_voter(response, voter: Voter) -> None:
    response.set_cookie(
        VOTER_COOKIE,
        voter_cookie(voter.pk),
        path=reverse("vote:index"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_voter(response) -> None:
    response.delete_cookie(VOTER_COOKIE, path=reverse("vote:index"), samesite="Lax")


def request_voter_id(request) -> int | None:
    """The verified voter's id from the request's cookie, while fresh (read once per request:
    the rate limit and the view both ask)."""
    try:
        return request._voter_id
    except AttributeError:
        pass
    value = request.get_signed_cookie(
        VOTER_COOKIE,
        default=None,
        salt=VOTER_COOKIE_SALT,
        max_age=VOTER_TTL.total_seconds(),
    )
    try:
        request._voter_id = int(value) if value is not None else None
    except ValueError:
        request._voter_id = None
    return request._voter_id


def request_voter(request) -> Voter | None:
    voter_id = request_voter_id(request)
    if voter_id is None:
        return None
    return Voter.objects.filter(pk=voter_id).first()


# --- Casting votes ---------------------------------------------------------------------------


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
    return (
        Case.objects.filter(round=round_, status=Case.Status.ACCEPTED)
        .select_related("district")
        .order_by("district__order", "position", "id")
    )


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
    "show_vote_counts",
)
_VOTE_TARGET = (
    "SELECT {case_columns}, {round_columns} FROM {case} INNER JOIN {round} "
    "ON {round}.id = {case}.round_id WHERE {case}.id = %s AND {case}.round_id = %s"
)

# PostgreSQL: the whole vote as one statement, run in autocommit (its own transaction), so
# the vote costs one round trip and no BEGIN or COMMIT of its own. The writes are gated in
# SQL on the same rules ``_check_target`` words for the voter (accepted case, round in
# 'voting', inside its window: ``is_vote_open``; tests hold both to the same answers): a
# statement cannot be undone after the fact. A closed target writes nothing; a ballot at its
# limit returns no row, so no vote and no count; a second vote for a case fails the unique
# constraint and takes the whole statement back. Data-modifying CTEs run once and to the
# end whether or not the outer SELECT reads them; the LEFT JOIN returns a row even when
# there is no such case.
_VOTE_STATEMENT = """
WITH target AS (
    SELECT {case_columns}, {round_columns},
        ({case}.status = %(accepted)s AND {round}.status = %(voting)s
         AND ({round}.vote_opens IS NULL OR {round}.vote_opens <= %(now)s)
         AND ({round}.vote_closes IS NULL OR %(now)s < {round}.vote_closes)) AS open
    FROM {case} INNER JOIN {round} ON {round}.id = {case}.round_id
    WHERE {case}.id = %(case)s AND {case}.round_id = %(round)s
), ballot AS (
    INSERT INTO {ballot} AS taken (round_id, voter_id, used)
    SELECT %(round)s, %(voter)s, 1 FROM target WHERE open
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


def _target_from_row(row) -> Case:
    """The case and its round from a ``_VOTE_TARGET`` row, with the fields the vote path
    reads."""
    split = len(_TARGET_CASE_FIELDS)
    round_values = dict(zip(_TARGET_ROUND_FIELDS, row[split:], strict=True))
    for name in ("vote_opens", "vote_closes"):
        round_values[name] = _from_db_datetime(round_values[name])
    round_values["show_vote_counts"] = bool(round_values["show_vote_counts"])
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
    (row,) = _first_rows((_VOTE_TARGET, [case_pk, round_pk]))
    return None if row is None else _target_from_row(row)


def _check_target(case: Case | None, now: datetime) -> None:
    if case is None:
        raise VoteTargetMissing(_("该案例不在本轮投票范围内。"))
    if not is_vote_open(case.round, now):
        raise VoteError(_("本轮网络投票未在进行中。"))
    if case.status != Case.Status.ACCEPTED:
        raise VoteError(_("该案例不在本轮投票范围内。"))


def record_vote(
    *, round_pk: int, case_pk: int, voter_id: int, ip: str | None = None, now=None
) -> Vote:
    """Record one vote of a verified voter; raises VoteError when the rules or the database
    refuse it (VoteTargetMissing when the case is not in that round).

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
            ip=ip or None,
            address_block=address_block,
            now=now,
        )
    except IntegrityError:
        # A duplicate, unless the case was not open to votes at all: say which.
        _check_target(vote_target(round_pk=round_pk, case_pk=case_pk), now)
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


def _record_in_one_statement(*, round_pk, case_pk, voter_id, ip, address_block, now):
    params = {
        "round": round_pk,
        "case": case_pk,
        "voter": voter_id,
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
    *target, is_open, used, vote_id, count = row
    case = None if target[0] is None else _target_from_row(target)
    if vote_id is None:  # nothing was written: say why
        _check_target(case, now)
        if not is_open:  # the SQL gate and _check_target agree (tested); never a wrong word
            raise VoteError(_("本轮网络投票未在进行中。"))
        raise _limit_reached(case)
    return case, used, vote_id, count


def _record_in_steps(*, round_pk, case_pk, voter_id, ip, address_block, now):
    with transaction.atomic():
        target, ballot, inserted, counter = _first_rows(
            (_VOTE_TARGET, [case_pk, round_pk]),
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
        if ballot is None:
            raise _limit_reached(case)
    return case, ballot[0], inserted[0], counter[0]


def cast_vote(
    *,
    round: Round,
    case: Case,
    voter: Voter | None = None,
    voter_id: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Vote:
    """``record_vote`` for a case and round in hand. Pass ``voter`` (a Voter row: its
    ``verified_at`` is checked) or ``voter_id`` taken from ``request_voter_id`` (verified by
    construction: only ``remember_voter`` puts it there)."""
    if voter is not None:
        if voter.verified_at is None:
            raise VoteError(_("请先验证手机号。"))
        voter_id = voter.pk
    if voter_id is None:
        raise VoteError(_("请先验证手机号。"))
    if case.round_id != round.pk:
        raise VoteError(_("该案例不在本轮投票范围内。"))
    return record_vote(round_pk=round.pk, case_pk=case.pk, voter_id=voter_id, ip=ip, now=now)


def voter_status(round_: Round, voter: Voter | None) -> dict:
    """The cases a voter voted for in a round and how many votes are left."""
    if voter is None:
        return {"voted": set(), "left": round_.votes_per_voter}
    voted = set(Vote.objects.filter(round=round_, voter=voter).values_list("case_id", flat=True))
    return {"voted": voted, "left": max(round_.votes_per_voter - len(voted), 0)}


# --- Watching the vote -----------------------------------------------------------------------


def valid_counts(round_: Round) -> dict[int, int]:
    """Valid (not voided) votes per case, counted from the Vote rows themselves."""
    rows = (
        Vote.objects.filter(round=round_, voided=False)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    return dict(rows)


def tally(round_: Round) -> list[dict]:
    counts = valid_counts(round_)
    voided = dict(
        Vote.objects.filter(round=round_, voided=True)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    rows = [
        {"case": case, "votes": counts.get(case.pk, 0), "voided": voided.get(case.pk, 0)}
        for case in vote_cases(round_)
    ]
    rows.sort(key=lambda row: (-row["votes"], row["case"].pk))
    return rows


# Chart buckets, smallest first: the first that gives at most MAX_BUCKETS points is used.
BUCKETS = [timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(days=1)]
MAX_BUCKETS = 120


def timeline(round_: Round) -> dict:
    """Cumulative valid votes per case over time, for the staff chart (Chart.js)."""
    rows = list(
        Vote.objects.filter(round=round_, voided=False)
        .order_by("created_at")
        .values_list("case_id", "created_at")
    )
    cases = list(vote_cases(round_))
    if not rows:
        return {"labels": [], "datasets": []}
    span = rows[-1][1] - rows[0][1]
    bucket = next((b for b in BUCKETS if span / b <= MAX_BUCKETS), BUCKETS[-1])
    # One empty bucket first, so every line starts from zero and even a single bucket of
    # votes draws a line.
    start = rows[0][1] - bucket
    count = int((rows[-1][1] - start) / bucket) + 1
    per_case = defaultdict(lambda: [0] * count)
    for case_id, at in rows:
        per_case[case_id][int((at - start) / bucket)] += 1
    fmt = "%m-%d %H:%M" if bucket < timedelta(days=1) else "%m-%d"
    labels = [timezone.localtime(start + i * bucket).strftime(fmt) for i in range(count)]
    datasets = []
    for case in cases:
        running, series = 0, []
        for n in per_case.get(case.pk, [0] * count):
            running += n
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

    @property
    def count(self) -> int:
        return len(self.vote_ids)


def find_bursts(
    round_: Round, *, window: timedelta = BURST_WINDOW, threshold: int = BURST_THRESHOLD
) -> list[Burst]:
    """Runs of valid votes from one address block with >= threshold votes within window."""
    blocks = (
        Vote.objects.filter(round=round_, voided=False)
        .exclude(ip_block="")
        .values("ip_block")
        .annotate(n=Count("id"))
        .filter(n__gte=threshold)
        .values_list("ip_block", flat=True)
    )
    bursts = []
    for block in blocks:
        votes = list(
            Vote.objects.filter(round=round_, voided=False, ip_block=block)
            .order_by("created_at", "id")
            .values_list("id", "created_at", "case_id")
        )
        flagged = [False] * len(votes)
        left = 0
        for right in range(len(votes)):
            while votes[right][1] - votes[left][1] > window:
                left += 1
            if right - left + 1 >= threshold:
                for i in range(left, right + 1):
                    flagged[i] = True
        current = None
        for (vote_id, at, case_id), flag in zip(votes, flagged, strict=True):
            if not flag:
                continue
            if current is None or at - current.last > window:
                current = Burst(block=block, first=at, last=at)
                bursts.append(current)
            current.last = at
            current.vote_ids.append(vote_id)
            current.cases[case_id] += 1
    bursts.sort(key=lambda b: b.first)
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
        for vote in Vote.objects.select_for_update().filter(
            round=round, pk__in=list(vote_ids), voided=False
        ):
            vote.voided, vote.void_reason = True, reason[:200]
            vote.voided_by, vote.voided_at = user, now
            vote._history_user = user
            vote._change_reason = reason[:100]
            vote.save(update_fields=["voided", "void_reason", "voided_by", "voided_at"])
            voided[vote.case_id] += 1
        for case_id, n in voided.items():
            Case.objects.filter(pk=case_id).update(vote_count=F("vote_count") - n)
    return sum(voided.values())


# --- Closing the vote ------------------------------------------------------------------------


def close_vote(*, round: Round, user) -> list[int]:
    """End the vote: store the engine's vote cut in Case.shortlisted, move the round to
    'review' and assign the eligible experts to the shortlisted cases."""
    from .review import assign_default

    if round.status != Round.Status.VOTING:
        raise ValidationError(_("本轮评选不在网络投票阶段。"))
    with transaction.atomic():
        accepted = list(vote_cases(round).values_list("pk", flat=True))
        shortlist = select_shortlist(
            cases=accepted, votes=valid_counts(round), size=round.shortlist_size
        )
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
