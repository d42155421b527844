"""Patterns in the votes, beyond bursts from one address block, for a person to look at on the
staff fraud review (the only page that shows whole phone numbers). A flag never voids a vote:
voiding stays a staff act with a reason (monitor.void_votes).

- a swarm: many phones verified for the first time minutes before voting for one case, within
  a few minutes of each other (bought or borrowed numbers fetched in a batch);
- a run: near-consecutive phone numbers (13900000001, …02, …03) voting for one case within a
  day (a batch of numbers from one dealer).

Thresholds are settings (VOTE_SWARM_*, VOTE_PHONE_RUN_*), with defaults for a city-wide vote.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from cases.models import Case, Round

from . import dense
from .casting import _from_db_datetime
from .monitor import Burst, burst_of, dense_runs


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def swarm_rules() -> dict:
    return {
        "window": timedelta(minutes=_setting("VOTE_SWARM_WINDOW_MINUTES", 10)),
        "threshold": _setting("VOTE_SWARM_THRESHOLD", 15),
        "new": timedelta(minutes=_setting("VOTE_SWARM_NEW_PHONE_MINUTES", 30)),
    }


def run_rules() -> dict:
    return {
        "length": _setting("VOTE_PHONE_RUN_LENGTH", 5),
        "gap": _setting("VOTE_PHONE_RUN_GAP", 3),
        "within": timedelta(hours=_setting("VOTE_PHONE_RUN_HOURS", 24)),
    }


def describe_swarm_rules() -> dict:
    rules = swarm_rules()
    return {
        "window_minutes": int(rules["window"].total_seconds() // 60),
        "threshold": rules["threshold"],
        "new_minutes": int(rules["new"].total_seconds() // 60),
    }


def describe_run_rules() -> dict:
    rules = run_rules()
    hours = int(rules["within"].total_seconds() // 3600)
    return {"length": rules["length"], "gap": rules["gap"], "hours": hours}


def find_swarms(round_: Round, **rules) -> list[Burst]:
    """Votes for one case by newly verified phones, at least ``threshold`` within ``window``:
    one query (reviews.vote.dense)."""
    rules = {**swarm_rules(), **rules}
    new_us = int(rules["new"] / timedelta(microseconds=1))
    if connection.vendor == "postgresql":
        is_new = f"v.created_at <= p.created_at + interval '{new_us} microseconds'"
    else:
        is_new = f"{dense.micros('v.created_at')} <= {dense.micros('p.created_at')} + {new_us}"
    source = (
        "SELECT v.id, v.created_at AS at, v.case_id, v.voter_id, v.case_id AS part "
        "FROM {vote} v INNER JOIN {voter} p ON p.id = v.voter_id "
        f"WHERE v.round_id = %s AND v.voided = %s AND {is_new}"
    ).format(**dense.tables())
    rows = dense.flagged(
        source, [round_.pk, False], window=rules["window"], threshold=rules["threshold"]
    )
    minutes = int(rules["window"].total_seconds() // 60)
    detail = _("%(minutes)s 分钟内 %(n)s 个新验证的手机号投给同一案例")
    flags = []
    for case_votes in dense.by_part(rows).values():
        for group in dense_runs(case_votes, rules["window"], rules["threshold"]):
            flags.append(
                burst_of(group, kind="swarm", detail=detail % {"minutes": minutes, "n": len(group)})
            )
    return flags


def _number_runs(votes, gap: int) -> list[list]:
    """``votes`` (each ending with the phone as an int) split where neighbouring numbers, in
    number order, differ by more than ``gap``."""
    ordered = sorted(votes, key=lambda vote: vote[-1])
    runs, current = [], []
    for vote in ordered:
        if current and vote[-1] - current[-1][-1] > gap:
            runs.append(current)
            current = []
        current.append(vote)
    if current:
        runs.append(current)
    return runs


def _votes_in_number_runs(round_: Round, gap: int, length: int) -> list[tuple]:
    """Valid votes whose phone (11 ASCII digits) lies, among the numbers voting for the same
    case, in a run of at least ``length`` numbers with neighbours at most ``gap`` apart: one
    query; Python then checks the time rule on these few."""
    if connection.vendor == "postgresql":
        digits, number = "p.phone ~ '^[0-9]+$'", "CAST(p.phone AS numeric)"
    else:
        digits, number = "p.phone <> '' AND p.phone NOT GLOB '*[^0-9]*'", "CAST(p.phone AS INTEGER)"
    sql = f"""
    WITH v AS (
        SELECT v.id, v.created_at AS at, v.case_id, v.voter_id, {number} AS num
        FROM {{vote}} v INNER JOIN {{voter}} p ON p.id = v.voter_id
        WHERE v.round_id = %s AND v.voided = %s AND {digits}
    ), breaks AS (
        SELECT v.*, CASE WHEN num - LAG(num) OVER (PARTITION BY case_id ORDER BY num) > {int(gap)}
            THEN 1 ELSE 0 END AS brk FROM v
    ), runs AS (
        SELECT breaks.*, SUM(brk) OVER (PARTITION BY case_id ORDER BY num
            ROWS UNBOUNDED PRECEDING) AS run FROM breaks
    ), sized AS (
        SELECT runs.*, COUNT(*) OVER (PARTITION BY case_id, run) AS size FROM runs
    )
    SELECT id, at, case_id, voter_id, num FROM sized WHERE size >= {int(length)}
    """.format(**dense.tables())
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_.pk, False])
        return [
            (pk, _from_db_datetime(at), case_id, voter_id, num)
            for pk, at, case_id, voter_id, num in cursor.fetchall()
        ]


def find_phone_runs(round_: Round, **rules) -> list[Burst]:
    """At least ``length`` near-consecutive numbers (neighbours at most ``gap`` apart) voting
    for one case within ``within``."""
    rules = {**run_rules(), **rules}
    by_case: dict[int, list] = {}
    for vote_id, at, case_id, voter_id, phone in _votes_in_number_runs(
        round_, rules["gap"], rules["length"]
    ):
        by_case.setdefault(case_id, []).append((vote_id, at, case_id, voter_id, int(phone)))
    detail = _("%(n)s 个相近号码（%(first)s 起）投给同一案例")
    flags = []
    for case_votes in by_case.values():
        for run in _number_runs(case_votes, rules["gap"]):
            if len(run) < rules["length"]:
                continue
            run.sort(key=lambda vote: (vote[1], vote[0]))
            for group in dense_runs(run, rules["within"], rules["length"]):
                first = min(vote[-1] for vote in group)
                text = detail % {"n": len(group), "first": f"{first:011d}"}
                flags.append(burst_of(group, kind="phones", detail=text))
    return flags


def find_flags(round_: Round) -> list[Burst]:
    """Swarms and number runs, oldest first (bursts by address block are monitor's)."""
    flags = find_swarms(round_) + find_phone_runs(round_)
    titles = dict(
        Case.objects.filter(pk__in={pk for flag in flags for pk in flag.cases}).values_list(
            "pk", "title"
        )
    )
    for flag in flags:  # each flag is about one case: name it
        (case_id,) = flag.cases
        flag.detail = _("%(detail)s：%(title)s") % {"detail": flag.detail, "title": titles[case_id]}
    flags.sort(key=lambda flag: flag.first)
    return flags
