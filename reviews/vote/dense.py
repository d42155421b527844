"""Dense runs of votes found by the database in one query each (window functions), for the
flags of the vote monitor: bursts from one address block, swarms of new phones, runs of
near-consecutive numbers. Python then groups only the few votes that are flagged.

The rule is monitor.dense_runs's, to the microsecond: a vote is in a dense window when, counting
in (time, id) order, at least ``threshold`` votes of its partition lie within ``window`` before
some vote at or after it. The database counts, for each vote e, its position in the partition
minus the votes more than ``window`` older (``pos - before``), marks e dense when that reaches
the threshold, and flags every vote that has a dense vote within ``window`` after it. Votes at
the same instant as a dense vote but earlier by id are flagged by the RANGE frame as well: they
would be (a later vote at the same instant counts at least as many).

SQLite orders by microseconds since the epoch, computed from the stored text (Django stores
'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC); PostgreSQL by the timestamp itself.
"""

from datetime import timedelta

from django.db import connection

from ..models import Vote, Voter
from .casting import _from_db_datetime


def micros(column: str) -> str:
    """SQL for a datetime column as microseconds since the epoch (an integer)."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    return (
        f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
        f" + CASE WHEN length({column}) > 20"
        f" THEN CAST(substr({column} || '000000', 21, 6) AS INTEGER) ELSE 0 END)"
    )


def _order_and_offset(column: str, delta: timedelta) -> tuple[str, str]:
    us = int(delta / timedelta(microseconds=1))
    if connection.vendor == "postgresql":
        return column, f"interval '{us} microseconds'"
    return micros(column), str(us)


def tables() -> dict:
    quote = connection.ops.quote_name
    return {"vote": quote(Vote._meta.db_table), "voter": quote(Voter._meta.db_table)}


def flagged(source: str, params: list, *, window: timedelta, threshold: int) -> list[tuple]:
    """Rows (id, at, case id, voter id, part) of ``source`` in dense windows, in
    (part, at, id) order. ``source`` is a SELECT of id, at, case_id, voter_id, part."""
    order, wide = _order_and_offset("at", window + timedelta(microseconds=1))
    _order, narrow = _order_and_offset("at", window)
    sql = f"""
    WITH src AS ({source}),
    counted AS (
        SELECT src.*,
            ROW_NUMBER() OVER (PARTITION BY part ORDER BY at, id) AS pos,
            COUNT(*) OVER (PARTITION BY part ORDER BY {order}
                RANGE BETWEEN UNBOUNDED PRECEDING AND {wide} PRECEDING) AS before
        FROM src
    ), marked AS (
        SELECT counted.*,
            MAX(CASE WHEN pos - before >= {int(threshold)} THEN 1 ELSE 0 END) OVER (
                PARTITION BY part ORDER BY {order}
                RANGE BETWEEN CURRENT ROW AND {narrow} FOLLOWING) AS hit
        FROM counted
    )
    SELECT id, at, case_id, voter_id, part FROM marked WHERE hit = 1 ORDER BY part, at, id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (pk, _from_db_datetime(at), case_id, voter_id, part)
            for pk, at, case_id, voter_id, part in cursor.fetchall()
        ]


def by_part(rows) -> dict:
    parts: dict = {}
    for row in rows:
        parts.setdefault(row[-1], []).append(row)
    return parts
