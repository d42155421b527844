"""The near-copy check (cases.submission.neardup) at 20,000 archived cases.

    .venv/bin/python bench/bench_neardup.py [--db sqlite|pg|both] [--cases 20000] [--round 300]

Each database runs in a child process with its own DATABASE_URL: a temporary SQLite file, or
the PostgreSQL database ``--pg-db`` (env BENCH_NEARDUP_PG_DB, default ``bizenv_bench_neardup``)
created and dropped on the server of BENCH_PG_ADMIN_URL. The child loads the 2022 notice and
the synthetic archive of bench/bench_archive.py (search indexes left off: not what is timed),
builds the index once (time, peak Python memory), then files a round of ``--round``
submissions one save at a time, a tenth of them near-copies of archived cases (a paragraph
in seven rewritten, sections reordered, traditional characters, full-width text), and times:
a save's index upkeep, the staff page's check of one submission (and its extra memory), the
staff case page and the dashboard of the round through Django's test client. It checks that
every planted copy is found at or above NEAR_COPY, and with ``--exhaustive N`` that the index
gives the exhaustive check's matches for N planted cases (about a minute each at 20,000).

Each figure is printed with its target and the ratio figure / target; the exit status is 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_archive  # noqa: E402

PG_ADMIN = bench_archive.PG_ADMIN
SEED = 20291207
TARGETS = {  # metric -> (target, unit)
    "index full build": (139.0, "s"),
    "index full build, peak memory": (262.0, "MB"),
    "save one case: index upkeep p95": (50.0, "ms"),
    "near-copy check of one submission p95": (300.0, "ms"),
    "near-copy check, extra memory": (100.0, "MB"),
    "staff case page p95": (300.0, "ms"),
    "dashboard, round of N p95": (500.0, "ms"),
    "planted copies found": (1.0, "share"),
    "related cases: full build": (139.0, "s"),
    "related cases: full build, peak memory": (262.0, "MB"),
    "related cases: refresh after one change": (1.0, "s"),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--round", type=int, default=300)
    parser.add_argument("--loops", type=int, default=20)
    parser.add_argument("--exhaustive", type=int, default=0)
    parser.add_argument(
        "--related", action="store_true", help="also time the related-cases index (slow)"
    )
    parser.add_argument(
        "--pg-db", default=os.environ.get("BENCH_NEARDUP_PG_DB", "bizenv_bench_neardup")
    )
    parser.add_argument("--child", choices=["sqlite", "pg"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    missed = False
    results = []
    for db in ("sqlite", "pg") if args.db == "both" else (args.db,):
        rows = run_child(db, args)
        missed |= any(row["missed"] for row in rows)
        results += [dict(row, metric=f"{db}: {row['metric']}") for row in rows]
    print("RESULT " + json.dumps(results, ensure_ascii=False))
    return 1 if missed else 0


def run_child(db: str, args) -> list:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bizenv.settings", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    env["EMBEDDED_TASK_THREADS"] = "false"  # no background thread beside the timings
    tmp = tempfile.TemporaryDirectory(prefix="bench-neardup-")
    env["MEDIA_ROOT"] = tmp.name
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        bench_archive.admin_db(PG_ADMIN, f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
        bench_archive.admin_db(PG_ADMIN, f"CREATE DATABASE {args.pg_db}")
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + args.pg_db
    env["BENCH_RESULT_FILE"] = os.path.join(tmp.name, "result.json")
    try:
        cmd = [sys.executable, __file__, "--child", db, "--cases", str(args.cases)]
        cmd += ["--round", str(args.round), "--loops", str(args.loops)]
        cmd += ["--exhaustive", str(args.exhaustive)] + (["--related"] if args.related else [])
        subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        with open(env["BENCH_RESULT_FILE"], encoding="utf-8") as handle:
            return json.load(handle)
    finally:
        if db == "pg":
            bench_archive.admin_db(PG_ADMIN, f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
        tmp.cleanup()


def quiet_archive_signals():
    """The public archive's background work (related cases, export files) is queued when a
    published round is saved; in this child it would run in a thread beside the timings and,
    on SQLite, hold the write lock. Not what is measured here: disconnected."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from cases.models import Case, District, Round, Topic

    for model in (Case, Round):
        pre_save.disconnect(sender=model, dispatch_uid=f"archive-pre-{model}")
        post_save.disconnect(sender=model, dispatch_uid=f"archive-{model}")
    post_delete.disconnect(sender=Case, dispatch_uid="archive-case-deleted")
    for model in (District, Topic):
        post_save.disconnect(sender=model, dispatch_uid=f"archive-name-{model}")


def time_related(record) -> None:
    """The public related-cases index (cases.archive.related): a full build, then the refresh
    after one published case's text changes (which asks the near-copy index's bands)."""
    from cases.archive import related
    from cases.models import Case

    tracemalloc.start()
    begin = time.perf_counter()
    related.refresh_related()
    record("related cases: full build", time.perf_counter() - begin)
    record("related cases: full build, peak memory", tracemalloc.get_traced_memory()[1] / 2**20)
    tracemalloc.stop()
    case = Case.objects.published().order_by("-pk").first()
    case.sections = [*case.sections, {"heading": "补充", "body": "新增一段文字。"}]
    case.save()
    begin = time.perf_counter()
    related.refresh_related()
    record("related cases: refresh after one change", time.perf_counter() - begin)


def p95(values):
    return bench_archive.percentile(values, 0.95)


def child(args) -> int:
    import django

    django.setup()
    import opencc
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from cases.models import Case, District, NearCopyEntry, Round
    from cases.submission import neardup, similarity

    started = time.perf_counter()
    quiet_archive_signals()
    call_command("migrate", verbosity=0)
    bench_archive.load(args.cases, search_indexes=False)
    print(
        f"\n== {connection.vendor}: {args.cases} synthetic + 21 real cases, "
        f"loaded in {time.perf_counter() - started:.0f} s =="
    )
    rows = []

    def record(metric, value, note=""):
        target, unit = TARGETS[metric.replace(f"round of {args.round}", "round of N")]
        ratio = value / target if unit != "share" else value
        missed = value < target if unit == "share" else value > target
        rows.append(
            {
                "metric": metric,
                "value": round(value, 3),
                "unit": unit,
                "target": target,
                "ratio": round(ratio, 3),
                "missed": missed,
                "note": note,
            }
        )

    tracemalloc.start()
    begin = time.perf_counter()
    filed = neardup.rebuild()
    build = time.perf_counter() - begin
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    record("index full build", build, f"{filed} cases")
    record("index full build, peak memory", peak / 2**20)

    # A round of submissions, some copying the archive.
    rng = random.Random(SEED)
    districts = list(District.objects.all())
    archived = list(Case.objects.filter(status=Case.Status.PUBLISHED).values_list("pk", flat=True))
    current = Round.objects.create(year=2030, title="2030 年度", status=Round.Status.SUBMISSION)
    trad = opencc.OpenCC("s2t").convert
    full = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    kinds = ["edited", "reordered", "traditional", "full width"]
    planted, saves = [], []
    for i in range(args.round):
        source = Case.objects.get(pk=rng.choice(archived))
        sections = [dict(s) for s in source.sections]
        title = source.title
        if i % 10 == 0:
            kind = kinds[(i // 10) % len(kinds)]
            if kind == "edited":
                for s in sections:
                    lines = s["body"].split("\n")
                    s["body"] = "\n".join(
                        "本区在此基础上进一步完善了相关工作机制。" if n % 7 == 2 else line
                        for n, line in enumerate(lines)
                    )
            elif kind == "reordered":
                sections = sections[::-1]
            elif kind == "traditional":
                title = trad(title)
                sections = [{"heading": s["heading"], "body": trad(s["body"])} for s in sections]
            else:
                sections = [
                    {"heading": s["heading"], "body": s["body"].translate(full)} for s in sections
                ]
        else:  # a new text: paragraphs of other cases shuffled, as the archive was made
            other = Case.objects.get(pk=rng.choice(archived))
            bodies = [p for s in source.sections + other.sections for p in s["body"].split("\n")]
            rng.shuffle(bodies)
            third = max(1, len(bodies) // 6)
            sections = [
                {"heading": h, "body": "\n".join(bodies[n * third : (n + 1) * third])}
                for n, h in enumerate(["一、背景", "二、做法", "三、成效"])
            ]
            title = f"新案例 {i}"
        case = Case(
            round=current,
            district=rng.choice(districts),
            title=title,
            sections=sections,
            status=Case.Status.SUBMITTED,
        )
        case.save()  # files the case (post_save); then its upkeep again, timed alone
        NearCopyEntry.objects.filter(case_id=case.pk).update(fingerprint="")
        begin = time.perf_counter()
        neardup.refile(case)
        saves.append((time.perf_counter() - begin) * 1000)
        if i % 10 == 0:
            planted.append((case, source))
    record("save one case: index upkeep p95", p95(saves), f"{len(saves)} saves")

    # A planted copy is found when the index gives its source with the exact figure, for
    # every plant whose exact figure is at or above NEAR_COPY (an edit may take it below).
    found = near = 0
    for case, source in planted:
        exact = similarity.similarity(similarity.case_text(case), similarity.case_text(source))
        if exact >= similarity.NEAR_COPY:
            near += 1
            got = {c.pk: s for c, s in neardup.submission_matches(case, 5)}
            found += got.get(source.pk) == exact
    record(
        "planted copies found",
        found / max(near, 1),
        f"{found} of {near} (of {len(planted)} planted)",
    )

    checks = []
    sample = [case for case, _source in planted] + list(
        Case.objects.filter(round=current).order_by("?")[: args.loops]
    )
    for case in sample:
        begin = time.perf_counter()
        neardup.submission_matches(case, 5)
        checks.append((time.perf_counter() - begin) * 1000)
    record("near-copy check of one submission p95", p95(checks), f"{len(checks)} cases")
    tracemalloc.start()
    neardup.submission_matches(sample[0], 5)
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    record("near-copy check, extra memory", peak / 2**20)

    staff = User.objects.create_user("bench-staff", password="x", role="staff", is_staff=True)
    client = Client()
    client.force_login(staff)
    pages = []
    for case in sample[: args.loops]:
        begin = time.perf_counter()
        response = client.get(reverse("cases:staff_case", args=[case.pk]))
        pages.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200
    record("staff case page p95", p95(pages), f"{len(pages)} views")
    dash = []
    for _ in range(args.loops):
        begin = time.perf_counter()
        response = client.get(reverse("cases:staff_dashboard"), {"round": current.pk})
        dash.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200
    record(f"dashboard, round of {args.round} p95", p95(dash), f"{len(dash)} views")

    if args.related:
        time_related(record)

    for case, _source in planted[: args.exhaustive]:
        begin = time.perf_counter()
        exhaustive = similarity.exhaustive_matches(case, 5)
        seconds = time.perf_counter() - begin
        indexed = neardup.submission_matches(case, 5)
        same = [(c.pk, s) for c, s in exhaustive if s >= similarity.NEAR_COPY] == [
            (c.pk, s) for c, s in indexed if s >= similarity.NEAR_COPY
        ]
        print(f"exhaustive check of case {case.pk}: {seconds:.1f} s, index agrees: {same}")
        if not same:
            rows.append({"metric": f"exhaustive agrees ({case.pk})", "missed": True})

    print(f"{'metric':<42} {'value':>10} {'unit':<5} {'target':>8} {'ratio':>6}  note")
    for row in rows:
        if "value" not in row:
            print(f"{row['metric']:<42} MISSED")
            continue
        flag = "MISSED" if row["missed"] else "ok"
        print(
            f"{row['metric']:<42} {row['value']:>10.1f} {row['unit']:<5} {row['target']:>8.0f}"
            f" {row['ratio']:>6.2f}  {flag} {row['note']}"
        )
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with open(os.environ["BENCH_RESULT_FILE"], "w", encoding="utf-8") as handle:
        json.dump(rows, handle, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
