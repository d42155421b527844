"""A city-wide vote (issue #28): one round of N votes (default 1,000,000), and how fast every
page that reads the votes answers.

    .venv/bin/python bench/bench_million.py --db sqlite|pg|both [--votes N] [--requests 20]
        [--pg-db NAME] [--redis-url URL]

The round: N votes by N/3 voters (3 each, for 3 different cases of 120), first votes spread
over the 7 days before now, the voter's other two within 90 s; voters in N/50 ordinary /24
address blocks and up to 200 office blocks; 20 bursts from office blocks, 10 swarms of newly
verified phones and 20 runs of near-consecutive numbers seeded in (fixed seed), the first five
bursts voided. Loaded the fast way (COPY on PostgreSQL, executemany on SQLite), counters and
ballots set to match; then the ledger folds the votes once and one scan finds the flags (both
timed: what the periodic work does once after a load, and then in small steps).

Timed through the Django test client (p50/p95 over --requests requests each): the staff
monitor page and its JSON, the public round page in each count mode (live, hidden, daily)
while voting (anonymous and a returning voter) and after the vote, the public case page,
taking the daily snapshot, closing the vote (rolled back). Targets (p95, quiet machine):
staff pages and JSON < 300 ms, public pages < 100 ms, closing < 2 s, the snapshot < 100 ms.
Prints a table, the load average, and ``RESULT [...]`` (one JSON line, for bench/run.py);
exits 1 when a target is missed.

Databases come from options or the environment, so two runs on one machine never drop each
other's data: PostgreSQL ``--pg-db`` (default ``$BENCH_DB_PREFIX`` + ``_million``, prefix
default ``bizenv_bench``) on ``$PG_ADMIN_URL``'s server, created and dropped by the run;
Redis ``--redis-url`` (default ``$BENCH_REDIS_URL``, else none: the cache is per process);
SQLite a file in a temporary directory.
"""

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://bizenv:bizenv@127.0.0.1:5432/postgres")
CASES = 120
SEED = 28
STAFF_MS, PUBLIC_MS, CLOSE_MS, SNAPSHOT_MS = 300, 100, 2000, 100

SETTINGS = """
from bizenv.settings import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""


def default_pg_db() -> str:
    return os.environ.get("BENCH_DB_PREFIX", "bizenv_bench") + "_million"


# --- The driver ------------------------------------------------------------------------------


def run_one(db: str, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench_million_"))
    (tmp / "bench_million_settings.py").write_text(SETTINGS)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench_million_settings",
        PYTHONPATH=f"{tmp}{os.pathsep}{ROOT}",
        DJANGO_ENV="development",
    )
    if db == "pg":
        admin(f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
        admin(f"CREATE DATABASE {args.pg_db}")
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + args.pg_db
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    try:
        done = subprocess.run(
            [
                PYTHON,
                __file__,
                "--inner",
                db,
                "--votes",
                str(args.votes),
                "--requests",
                str(args.requests),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        sys.stderr.write(done.stderr[-6000:])
        lines = [x for x in done.stdout.splitlines() if x.startswith("INNER ")]
        if done.returncode or not lines:
            sys.exit(f"{db}: the run failed")
        return json.loads(lines[-1][len("INNER ") :])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if db == "pg":
            admin(f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pg-db", default=default_pg_db())
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--inner", choices=["sqlite", "pg"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        result = inner(args.inner, args.votes, args.requests)
        print("INNER " + json.dumps(result, ensure_ascii=False))
        return 0
    if args.requests < 20:
        parser.error("--requests: at least 20 (a p95 of fewer says little)")
    dbs = ["sqlite", "pg"] if args.db == "both" else [args.db]
    results, missed, rows = {}, [], []
    for db in dbs:
        print(f"--- {db}: {args.votes:,} votes (load before: {load_average()})", flush=True)
        results[db] = run_one(db, args)
        for step, value in results[db]["setup"].items():
            print(
                f"    {step}: {value}" if isinstance(value, int) else f"    {step}: {value:.1f} s"
            )
    print()
    print("p50 / p95: wall-clock ms through the test client; cpu: the bench process's median CPU")
    print("ms per request (on SQLite the database's too): steadier on a busy machine")
    print(
        f"{'what':<44}"
        + "".join(f"{db + ' p50':>12}{db + ' p95':>12}{db + ' cpu':>12}" for db in dbs)
        + f"{'target p95':>12}"
    )
    for name, target in results[dbs[0]]["targets"].items():
        line = f"{name:<44}"
        for db in dbs:
            p50, p95 = results[db]["timings"][name]
            cpu = results[db]["cpu"].get(name)
            cpu_text = f"{cpu:>10.1f}ms" if cpu is not None else f"{'':>12}"
            line += f"{p50:>10.1f}ms{p95:>10.1f}ms{cpu_text}"
            ok = p95 < target
            rows.append(
                {
                    "metric": f"{db} {name} p95",
                    "value": round(p95, 1),
                    "unit": "ms",
                    "target": f"< {target}",
                }
            )
            if not ok:
                missed.append(f"{db}: {name} p95 {p95:.0f} ms ≥ {target} ms")
        print(line + f"{'< ' + str(target) + ' ms':>12}")
    print(
        f"load average (1/5/15 min) at the end: {load_average()}; "
        + "; ".join(f"{db} during: {results[db]['load']}" for db in dbs)
    )
    for text in missed:
        print("MISSED " + text)
    print("RESULT " + json.dumps(rows, ensure_ascii=False))
    return 1 if missed else 0


# --- Inside Django (one subprocess per database) ----------------------------------------------


def shape(votes: int, now):
    """The round's voters and votes, deterministic: (voters, votes, voided ids by position).
    voters: (id, phone, created_at); votes: (case index, voter id, ip, created_at)."""
    rng = random.Random(SEED)
    n_voters = votes // 3
    ordinary = max(20, votes // 50)
    offices = max(2, min(200, votes // 5000))
    start = now - timedelta(days=7, minutes=10)
    week = 7 * 86400
    voters, rows = [], []
    seeded = {}  # voter index -> (case, time, ip, created_at, phone)
    index = 0
    for b in range(20):  # bursts: 25 voters of one office block within 5 minutes
        at = start + timedelta(seconds=rng.randrange(week))
        case = rng.randrange(CASES)
        for i in range(25):
            t = at + timedelta(seconds=12 * i, microseconds=rng.randrange(10**6))
            ip = f"172.16.{b % offices}.{i + 1}"
            seeded[index] = (case, t, ip, t - timedelta(days=3), None)
            index += 1
    for _s in range(10):  # swarms: 16 phones verified minutes before voting for one case
        at = start + timedelta(seconds=rng.randrange(week))
        case = rng.randrange(CASES)
        for i in range(16):
            t = at + timedelta(seconds=18 * i, microseconds=rng.randrange(10**6))
            seeded[index] = (case, t, None, t - timedelta(minutes=2), None)
            index += 1
    for r in range(20):  # runs: 6 near-consecutive numbers for one case within 12 hours
        at = start + timedelta(seconds=rng.randrange(week - 86400))
        case = rng.randrange(CASES)
        for i in range(6):
            t = at + timedelta(hours=2 * i, seconds=rng.randrange(600))
            seeded[index] = (case, t, None, t - timedelta(days=5), f"18{r:03d}00{i * 2:04d}")
            index += 1
    for v in range(n_voters):
        case, first, ip, created, phone = seeded.get(v, (None, None, None, None, None))
        if first is None:
            first = start + timedelta(
                seconds=rng.randrange(week), microseconds=rng.randrange(10**6)
            )
            # Half verify just before voting, half came back from an earlier day.
            early = rng.random() < 0.5
            created = first - (
                timedelta(seconds=rng.randrange(180))
                if early
                else timedelta(days=1 + rng.randrange(20))
            )
        if ip is None:
            if rng.random() < 0.02:
                ip = f"172.16.{rng.randrange(offices)}.{rng.randrange(1, 255)}"
            else:
                b = rng.randrange(ordinary)
                ip = f"10.{b // 256}.{b % 256}.{rng.randrange(1, 255)}"
        phone = phone or f"13{(v * 7919 + 12345) % 10**9:09d}"
        voters.append((v + 1, phone, created))
        chosen = [case] if case is not None else []
        while len(chosen) < 3:
            pick = rng.randrange(CASES)
            if pick not in chosen:
                chosen.append(pick)
        for k, pick in enumerate(chosen):
            at = (
                first
                if k == 0
                else first
                + timedelta(seconds=5 + rng.randrange(85), microseconds=rng.randrange(10**6))
            )
            rows.append((pick, v + 1, ip, at))
    return voters, rows


def inner(db: str, n_votes: int, requests: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from cases.models import Case, District, Round
    from reviews.vote.casting import ip_block

    setup = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    setup["migrate"] = time.perf_counter() - started
    now = timezone.now()
    round_ = Round.objects.create(
        year=2099,
        title="百万票测试轮次",
        status=Round.Status.VOTING,
        votes_per_voter=3,
        shortlist_size=20,
        vote_opens=now - timedelta(days=8),
        vote_closes=now + timedelta(days=1),
        vote_count_mode=Round.VoteCounts.LIVE,
        vote_count_time=(timezone.localtime(now) - timedelta(hours=1))
        .time()
        .replace(second=0, microsecond=0),
    )
    districts = list(District.objects.order_by("order", "pk"))
    cases = Case.objects.bulk_create(
        Case(
            round=round_,
            title=f"案例{i:03d}：推进“一网通办”改革，压缩企业办事时间",
            subtitle="以企业感受为导向",
            summary="以企业感受为导向，压缩办事环节，" * 6,
            sections=[{"heading": "一、主要做法", "body": "建立专班机制。\n办理时限压缩 50%。"}],
            status=Case.Status.ACCEPTED,
            district=districts[i % len(districts)],
            position=i,
        )
        for i in range(CASES)
    )
    case_ids = [case.pk for case in cases]

    started = time.perf_counter()
    voters, votes = shape(n_votes, now)
    setup["shape (Python)"] = time.perf_counter() - started
    started = time.perf_counter()
    voided_voters = set(range(1, 5 * 25 + 1))  # the first five bursts, every vote of theirs
    load(connection, round_.pk, case_ids, voters, votes, voided_voters, ip_block)
    setup["load (COPY / executemany)"] = time.perf_counter() - started
    del voters, votes

    from reviews.vote import ledger, scan

    started = time.perf_counter()
    ledger.fold(round_)
    setup["fold every vote into the ledger (once)"] = time.perf_counter() - started
    started = time.perf_counter()
    found = scan.scan(round_)
    setup["scan for flags (periodic task)"] = time.perf_counter() - started
    setup["flags found"] = len(found)

    staff = User.objects.create_user("bench_staff", password="x" * 16, role="staff", is_staff=True)
    timings, load_seen, cpu = measure(round_, cases, staff, requests)
    return {"setup": setup, "timings": timings, "cpu": cpu, "targets": TARGETS, "load": load_seen}


TARGETS = {
    "staff monitor page (voting)": STAFF_MS,
    "staff monitor JSON (voting)": STAFF_MS,
    "public round page, live (voting)": PUBLIC_MS,
    "public round page, hidden (voting)": PUBLIC_MS,
    "public round page, daily (voting)": PUBLIC_MS,
    "public round page, returning voter": PUBLIC_MS,
    "public case page (voting)": PUBLIC_MS,
    "daily snapshot (taken)": SNAPSHOT_MS,
    "close the vote (rolled back)": CLOSE_MS,
    "public round page (after the vote)": PUBLIC_MS,
    "public case page (after the vote)": PUBLIC_MS,
    "staff monitor page (after the vote)": STAFF_MS,
    "staff monitor JSON (after the vote)": STAFF_MS,
}


def load(connection, round_pk, case_ids, voters, votes, voided_voters, block_of):
    counts = [0] * len(case_ids)
    for pick, voter_id, _ip, _at in votes:
        if voter_id not in voided_voters:
            counts[pick] += 1
    vote_rows = (
        (
            round_pk,
            case_ids[pick],
            voter_id,
            ip,
            block_of(ip),
            at,
            voter_id in voided_voters,
            "基准测试作废" if voter_id in voided_voters else "",
            at + timedelta(hours=1) if voter_id in voided_voters else None,
        )
        for pick, voter_id, ip, at in votes
    )
    vote_columns = (
        "round_id, case_id, voter_id, ip, ip_block, created_at, voided, void_reason, voided_at"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(
                "COPY reviews_voter (id, phone, verified_at, token_version, created_at) FROM STDIN"
            ) as copy:
                for pk, phone, created in voters:
                    copy.write_row((pk, phone, created, 0, created))
            with raw.copy("COPY reviews_ballot (round_id, voter_id, used) FROM STDIN") as copy:
                for pk, _phone, _created in voters:
                    copy.write_row((round_pk, pk, 3))
            with raw.copy(f"COPY reviews_vote ({vote_columns}) FROM STDIN") as copy:
                for row in vote_rows:
                    copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('reviews_voter', 'id'), %s)", [len(voters)]
            )
            cursor.execute("ANALYZE")
        else:
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(
                "INSERT INTO reviews_voter (id, phone, verified_at, token_version, created_at) "
                "VALUES (%s, %s, %s, 0, %s)",
                ((pk, phone, adapt(c), adapt(c)) for pk, phone, c in voters),
            )
            cursor.executemany(
                "INSERT INTO reviews_ballot (round_id, voter_id, used) VALUES (%s, %s, 3)",
                ((round_pk, pk) for pk, _phone, _created in voters),
            )
            cursor.executemany(
                f"INSERT INTO reviews_vote ({vote_columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                "%s, %s)",
                (
                    (r, c, v, ip, b, adapt(at), voided, reason, adapt(va) if va else None)
                    for r, c, v, ip, b, at, voided, reason, va in vote_rows
                ),
            )
            cursor.execute("ANALYZE")
        for case_id, n in zip(case_ids, counts, strict=True):
            cursor.execute("UPDATE cases_case SET vote_count = %s WHERE id = %s", [n, case_id])


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


CPU: dict[str, float] = {}  # what -> median CPU ms of this process (SQLite: the database too)


def timed(fn, requests: int, name: str = "") -> tuple[float, float]:
    samples, cpu = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    if name:
        CPU[name] = statistics.median(cpu)
    return percentiles(samples)


def measure(round_, cases, staff, requests):
    from django.db import transaction
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import reverse

    from cases.models import Round
    from reviews.models import VoteCountSnapshot, Voter
    from reviews.vote import identity, monitor, snapshots

    def get(client, url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    staff_client, public = Client(), Client()
    staff_client.force_login(staff)
    voter = Voter.objects.get(pk=1000)
    returning = Client()
    cookie = HttpResponse()
    identity.remember_voter(cookie, voter)
    returning.cookies.update(cookie.cookies)
    monitor_url = reverse("reviews:votes", args=[round_.pk])
    data_url = reverse("reviews:vote_data", args=[round_.pk])
    round_url = reverse("vote:round", args=[round_.pk])
    case_url = reverse("vote:case", args=[round_.pk, cases[7].pk])
    timings = {}
    loads = [os.getloadavg()[0]]

    def mode(value):
        Round.objects.filter(pk=round_.pk).update(vote_count_mode=value)

    timings["staff monitor page (voting)"] = timed(
        get(staff_client, monitor_url), requests, "staff monitor page (voting)"
    )
    timings["staff monitor JSON (voting)"] = timed(
        get(staff_client, data_url), requests, "staff monitor JSON (voting)"
    )
    mode(Round.VoteCounts.LIVE)
    timings["public round page, live (voting)"] = timed(
        get(public, round_url), requests, "public round page, live (voting)"
    )
    timings["public round page, returning voter"] = timed(
        get(returning, round_url), requests, "public round page, returning voter"
    )
    page = returning.get(round_url).content.decode()
    assert "已投票" in page  # a returning voter sees the cases voted for
    mode(Round.VoteCounts.HIDDEN)
    timings["public round page, hidden (voting)"] = timed(
        get(public, round_url), requests, "public round page, hidden (voting)"
    )
    mode(Round.VoteCounts.DAILY)
    round_.refresh_from_db()

    def snapshot():
        VoteCountSnapshot.objects.filter(round=round_).delete()
        started = time.perf_counter()
        taken = snapshots.take_due(round_)
        assert taken is not None
        return time.perf_counter() - started

    samples = [snapshot() * 1000 for _ in range(requests)]
    timings["daily snapshot (taken)"] = percentiles(samples)
    timings["public round page, daily (voting)"] = timed(
        get(public, round_url), requests, "public round page, daily (voting)"
    )
    timings["public case page (voting)"] = timed(
        get(public, case_url), requests, "public case page (voting)"
    )
    loads.append(os.getloadavg()[0])

    def close_rolled_back():
        round_.refresh_from_db()
        with transaction.atomic():
            monitor.close_vote(round=round_, user=staff)
            transaction.set_rollback(True)

    timings["close the vote (rolled back)"] = timed(
        close_rolled_back, requests, "close the vote (rolled back)"
    )
    round_.refresh_from_db()
    monitor.close_vote(round=round_, user=staff)
    timings["public round page (after the vote)"] = timed(
        get(public, round_url), requests, "public round page (after the vote)"
    )
    timings["public case page (after the vote)"] = timed(
        get(public, case_url), requests, "public case page (after the vote)"
    )
    timings["staff monitor page (after the vote)"] = timed(
        get(staff_client, monitor_url), requests, "staff monitor page (after the vote)"
    )
    timings["staff monitor JSON (after the vote)"] = timed(
        get(staff_client, data_url), requests, "staff monitor JSON (after the vote)"
    )
    loads.append(os.getloadavg()[0])
    return timings, " / ".join(f"{x:.2f}" for x in loads), dict(CPU)


if __name__ == "__main__":
    sys.exit(main())
