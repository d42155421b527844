"""The publish request's time: staff press 印发公布 on the 2022 round (21 cases).

    /work/main/.venv/bin/python bench/bench_publish.py [--db sqlite|pg|both] [--runs 7]
        [--archive 500]

Each database runs in a child process with its own DATABASE_URL, in the embedded mode (no
REDIS_URL: Celery eager, off-request tasks in threads, ``core.background``): a temporary
SQLite file, or a PostgreSQL database ``bizenv_bench_publish`` created and dropped on the
server of ``BENCH_PG_ADMIN_URL`` (default the project's loopback server). The child migrates,
imports the real 2022 notice (and ``--archive`` other published cases, so that the archive's
own refresh has something to do), then, ``--runs`` times: puts the round back into a finished
公示, posts the notice form through Django's test client as staff (session, middleware,
messages and all), and times the request; then waits for the Word and PDF files, timed from
the same start, and records the request's CPU time (no task thread runs during it: they start
once the response is sent), which a busy machine does not inflate. The same is done a few
times with the files rendered inside the request (``EMBEDDED_TASK_THREADS`` off), the
behaviour before #18, for comparison. Prints one table per database, medians; target: the
publish request under 0.5 s.

Measured 2026-11-29 (``--runs 5 --inline-runs 1 --archive 200``, load average about 7 from
other work on the 2 cores), medians: SQLite 3.40 request 268 ms (CPU 172 ms), files ready
after 19 s; PostgreSQL 15 request 373 ms (CPU 194 ms), files ready after 18 s. Rendering in
the request (before): 13.9 s and 16.3 s on the same busy machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import targets  # bench/targets.py: a missed target exits non-zero

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://bizenv:bizenv@127.0.0.1:5432/bizenv")
# BENCH_DB_PREFIX: two runs on one machine never drop each other's database.
PG_DB = os.environ.get("BENCH_DB_PREFIX", "bizenv_bench") + "_publish"
TARGET_MS = 500.0
CPU_MS: list[float] = []  # the publish requests' CPU time, in the order run


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inline-runs", type=int, default=2, help="runs of the old way")
    parser.add_argument("--archive", type=int, default=500, help="other published cases")
    parser.add_argument("--child", choices=["sqlite", "pg"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    results = []
    for db in ("sqlite", "pg") if args.db == "both" else (args.db,):
        results += run_child(db, args)
    return targets.report(results)


def run_child(db: str, args) -> list:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bizenv.settings", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    env.pop("EMBEDDED_TASK_THREADS", None)
    env["DEBUG"] = "0"  # as in production: no SQL kept per query
    tmp = tempfile.TemporaryDirectory(prefix="bench-publish-")
    env["MEDIA_ROOT"] = tmp.name
    env["BENCH_RESULT_FILE"] = os.path.join(tmp.name, "result.json")
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        admin_db(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        admin_db(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    try:
        cmd = [sys.executable, __file__, "--child", db, "--runs", str(args.runs)]
        cmd += ["--inline-runs", str(args.inline_runs), "--archive", str(args.archive)]
        subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        with open(env["BENCH_RESULT_FILE"], encoding="utf-8") as handle:
            return [dict(row, metric=f"{db}: {row['metric']}") for row in json.load(handle)]
    finally:
        if db == "pg":
            admin_db(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        tmp.cleanup()


def admin_db(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(sql)


# --- Child: load, then time ----------------------------------------------------------------------


def child(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    round_ = load(args.archive)
    staff = make_staff()
    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        vendor += f" {sqlite3.sqlite_version}"
    print(f"\n== {vendor}: publish the 2022 round (21 cases), {args.archive} other published ==")

    rows = []
    for label, threads, runs in (
        ("publish request (files off the request)", True, args.runs),
        ("publish request, files inside it (before)", False, args.inline_runs),
    ):
        settings.EMBEDDED_TASK_THREADS = threads
        requests, ready = [], []
        for _ in range(runs):
            request_ms, ready_ms = publish_once(round_, staff)
            requests.append(request_ms)
            ready.append(ready_ms)
        rows.append((label, requests, TARGET_MS if threads else None))
        if threads:
            rows.append(("  … its CPU time", CPU_MS[-runs:], None))
            rows.append(("  … Word and PDF ready after", ready, None))
    print(f"{'scenario':<44} {'n':>3} {'median ms':>10} {'min ms':>8} {'max ms':>8}  target")
    for label, samples, target in rows:
        median = statistics.median(samples)
        verdict = ""
        if target is not None:
            verdict = f"<{target:.0f} " + ("ok" if median < target else "MISSED")
        print(
            f"{label:<44} {len(samples):>3} {median:>10.1f} {min(samples):>8.1f} "
            f"{max(samples):>8.1f}  {verdict}"
        )
    sys.stdout.flush()
    summary = [
        {
            "metric": f"{label.strip(' …')} median",
            "value": round(statistics.median(samples), 1),
            "unit": "ms",
            "target": f"< {target:.0f} ms" if target else "",
        }
        for label, samples, target in rows
    ]
    with open(os.environ["BENCH_RESULT_FILE"], "w", encoding="utf-8") as handle:
        json.dump(summary, handle, ensure_ascii=False)


def load(archive: int):
    from django.db import transaction

    from cases.models import Case, District, Round
    from cases.notices.importer import import_notice
    from cases.notices.parser import parse_notice

    notice = ROOT / "cases" / "data" / "notices" / "2022.txt"
    round_ = import_notice(parsed=parse_notice(notice.read_bytes()), year=2022).round
    real = list(round_.cases.all())
    districts = list(District.objects.all())
    rng = random.Random(20221108)
    with transaction.atomic():
        for start in range(0, archive, 500):
            year = 2021 - start // 500
            other = Round.objects.create(
                year=year, title=f"{year} 年度评选", status=Round.Status.PUBLISHED
            )
            batch = []
            for i in range(min(500, archive - start)):
                model = rng.choice(real)
                case = Case(
                    round=other,
                    title=f"{model.title[:40]}（{year}-{i + 1}）",
                    sections=model.sections,
                    district=rng.choice(districts),
                    status=Case.Status.PUBLISHED,
                    tier="优秀案例",
                    tier_order=1,
                    rank=i + 1,
                    position=i + 1,
                )
                case.search_text = case.build_search_text()
                batch.append(case)
            Case.objects.bulk_create(batch)
    return round_


def make_staff():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username="bench_staff", password="x" * 12, role="staff", is_staff=True
    )


def publish_once(round_, staff) -> tuple[float, float]:
    """Back to a finished 公示, then publish through the page; (request ms, files ready ms)."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from cases.models import Round
    from core import background
    from publishing import publication
    from publishing.models import NoticeDocument

    round_.refresh_from_db()
    if round_.status == Round.Status.PUBLISHED:
        publication.unpublish_round(round=round_, reason="基准测试：重新公布")
    Round.objects.filter(pk=round_.pk).update(
        publicity_ends=timezone.now() - datetime.timedelta(minutes=1)
    )
    round_.refresh_from_db()
    assert background.wait(timeout=300)  # the archive refresh the unpublishing queued
    client = Client()
    client.force_login(staff)
    form = publication.draft_notice(round_)
    form.update(notice_date="2022-11-08", publish="1", confirmed="yes")
    url = reverse("publishing:notice", args=[round_.pk])

    cpu = time.process_time()  # no task thread runs now: the request's own CPU time
    start = time.perf_counter()
    response = client.post(url, form)
    request_ms = (time.perf_counter() - start) * 1000
    CPU_MS.append((time.process_time() - cpu) * 1000)
    assert response.status_code == 302, response.status_code
    assert background.wait(timeout=300), "the files were not rendered in 300 s"
    ready_ms = (time.perf_counter() - start) * 1000
    statuses = set(NoticeDocument.objects.filter(round=round_).values_list("status", flat=True))
    assert statuses == {"done"}, statuses
    return request_ms, ready_ms


if __name__ == "__main__":
    sys.exit(main())
