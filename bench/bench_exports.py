"""Anonymous load on the 20,000-case archive: full exports, the archive list during them, and
the public case page.

    /work/main/.venv/bin/python bench/bench_exports.py [--db sqlite|pg|both] [--cases 20000]
        [--workers 3] [--page-loops 20]

Each database runs in a child process (as bench/bench_archive.py: a temporary SQLite file, or
a PostgreSQL database ``bizenv_bench_exports`` created and dropped on the server of
``BENCH_PG_ADMIN_URL``). The child migrates and loads the archive with bench_archive's loader
(the 2022 notice and synthetic published cases of about 3,000 characters), builds whatever the
code prepares in the background (the related-cases index, the prepared export files: their
build times are reported), then serves the project with gunicorn (``--workers`` sync workers,
DEBUG off, the embedded cache) on loopback and measures over HTTP:

1. For each format (xlsx, csv, json): six clients download ``/export/cases.<fmt>`` at once,
   each from its own loopback address (127.0.0.11…16, so a per-client rate limit sees six
   clients), while one more client reads ``/cases/archive/`` (page 1, then page 2, …) one
   request after another. Reported: the slowest export, the rows one export held (read back
   from the file), and the archive list's p95 during the exports.
2. The public case page ``/cases/<pk>/`` of ``--page-loops`` published cases spread over the
   archive, one after another: p95.

The load generator runs on the same 2 cores as gunicorn and the database, so the figures are
a ceiling on what a real machine of this kind shows. The last line is ``RESULT [...]`` for
bench/run.py.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_archive  # noqa: E402  (the loader and the PostgreSQL helpers)

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PG_DB = "bizenv_bench_exports"
FORMATS = ("xlsx", "csv", "json")
EXPORTS_AT_ONCE = 6
MIN_SAMPLES = 20
MAX_BURSTS = 5
TARGET_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--page-loops", type=int, default=20)
    parser.add_argument("--child", choices=["sqlite", "pg"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    results = []
    for db in ("sqlite", "pg") if args.db == "both" else (args.db,):
        results += run_child(db, args)
    print("RESULT " + json.dumps(results, ensure_ascii=False))


def run_child(db: str, args) -> list:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bizenv.settings", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    env["DEBUG"] = "0"  # no query log in the server; the development settings otherwise
    tmp = tempfile.TemporaryDirectory(prefix="bench-exports-")
    env["MEDIA_ROOT"] = tmp.name + "/media"
    pg_url = bench_archive.PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        admin = bench_archive.PG_ADMIN
        bench_archive.admin_db(admin, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        bench_archive.admin_db(admin, f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = pg_url
    env["BENCH_RESULT_FILE"] = os.path.join(tmp.name, "result.json")
    try:
        cmd = [PYTHON, __file__, "--child", db, "--cases", str(args.cases)]
        cmd += ["--workers", str(args.workers), "--page-loops", str(args.page_loops)]
        subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        with open(env["BENCH_RESULT_FILE"], encoding="utf-8") as handle:
            return [dict(row, metric=f"{db}: {row['metric']}") for row in json.load(handle)]
    finally:
        if db == "pg":
            bench_archive.admin_db(
                bench_archive.PG_ADMIN, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"
            )
        tmp.cleanup()


# --- Child: load, prepare, serve, measure ------------------------------------------------------


def child(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    bench_archive.load(args.cases)
    load_seconds = time.perf_counter() - started
    prepared = prepare()
    connection.close()
    print(
        f"\n== {connection.vendor}: {args.cases} synthetic + 21 real published cases "
        f"(loaded in {load_seconds:.0f} s) =="
    )
    for label, seconds in prepared:
        print(f"{label}: {seconds:.1f} s")
    rows = []
    with serve(args.workers) as port:
        for fmt in FORMATS:
            rows += exports_under_load(port, fmt)
        rows += thousand_row_exports(port)
        rows.append(case_pages(port, args.page_loops))
    print(f"{'scenario':<46} {'value':>10}  target")
    for label, value, unit, target in rows:
        print(f"{label:<46} {value:>10} {unit:<3} {target}")
    summary = [
        {"metric": label, "value": value, "unit": unit, "target": target}
        for label, value, unit, target in rows
    ]
    summary += [
        {"metric": label, "value": round(seconds, 1), "unit": "s", "target": "background"}
        for label, seconds in prepared
    ]
    with open(os.environ["BENCH_RESULT_FILE"], "w", encoding="utf-8") as handle:
        json.dump(summary, handle, ensure_ascii=False)


def prepare() -> list[tuple[str, float]]:
    """What the code keeps ready in the background, built as its tasks would build it (with
    today's code only; older code has nothing to prepare)."""
    timings = []
    try:
        from cases.archive import related
        from cases.models import RelatedCases
    except ImportError:
        related = None
    if related is not None:
        # The load's own saves queued the work already (embedded mode runs it at once): time
        # a build from nothing.
        RelatedCases.objects.all().delete()
        started = time.perf_counter()
        related.refresh_related()
        timings.append(("related-cases index, full build", time.perf_counter() - started))
    try:
        from cases.archive import prepared
    except ImportError:
        prepared = None
    if prepared is not None:
        for fmt in FORMATS:
            prepared.path(fmt).unlink(missing_ok=True)
            started = time.perf_counter()
            prepared.rebuild(fmt)
            timings.append((f"prepared export {fmt}, build", time.perf_counter() - started))
    return timings


class serve:
    """gunicorn on a free loopback port, for a ``with`` block."""

    def __init__(self, workers: int):
        self.workers = workers

    def __enter__(self) -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [GUNICORN, "bizenv.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers)]
            # Long enough to time what the old code did, not cut it at gunicorn's 30 s.
            + ["--timeout", "900"],
            cwd=ROOT,
            env=dict(os.environ),
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _body, _ = get(self.port, "/cases/archive/")
                if status == 200:
                    return self.port
            except OSError:
                pass
            time.sleep(0.3)
        self.process.kill()
        sys.exit("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def get(port, path, source="127.0.0.1", sink=None, timeout=600):
    """GET path; (status, body or bytes counted, seconds). With ``sink`` the body is written
    there in chunks instead of being kept."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
    )
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        if sink is None:
            body = response.read()
        else:
            body = 0
            while chunk := response.read(1 << 20):
                sink.write(chunk)
                body += len(chunk)
        return response.status, body, time.perf_counter() - started
    finally:
        conn.close()


def count_rows(path: Path, fmt: str) -> int:
    if fmt == "json":
        with open(path, encoding="utf-8") as handle:
            return len(json.load(handle))
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True).active
    return sum(1 for _ in sheet.iter_rows(min_row=2, max_col=1, values_only=True))


def exports_under_load(port: int, fmt: str) -> list:
    results, done = [], threading.Event()
    tmp = tempfile.TemporaryDirectory(prefix="bench-export-")

    def export(i):
        target = Path(tmp.name) / f"{i}.{fmt}"
        with open(target, "wb") as sink:
            status, size, seconds = get(port, f"/export/cases.{fmt}", f"127.0.0.{11 + i}", sink)
        results.append((status, size, seconds, target))

    samples = []

    def poll_list():
        page = 1
        while not done.is_set():
            status, _body, seconds = get(port, f"/cases/archive/?page={page}", "127.0.0.30")
            assert status == 200, status
            samples.append(seconds * 1000)
            page = page % 50 + 1

    poller = threading.Thread(target=poll_list)
    started = time.perf_counter()
    poller.start()
    # Bursts of six until the list has been read at least MIN_SAMPLES times during them (a
    # burst that ends in a second leaves too few samples for a p95), at most MAX_BURSTS.
    for _burst in range(MAX_BURSTS):
        threads = [threading.Thread(target=export, args=(i,)) for i in range(EXPORTS_AT_ONCE)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(samples) >= MIN_SAMPLES:
            break
    wall = time.perf_counter() - started
    done.set()
    poller.join()
    statuses = sorted({r[0] for r in results})
    ok = [r for r in results if r[0] == 200]
    rows = count_rows(ok[0][3], fmt) if ok else 0
    tmp.cleanup()
    slowest = max(r[2] for r in results)
    print(
        f"{fmt}: {len(results) // EXPORTS_AT_ONCE} burst(s) of {EXPORTS_AT_ONCE} exports at once, "
        f"statuses {statuses}, "
        f"{ok[0][1] / 1e6 if ok else 0:.1f} MB each, {rows} rows, slowest {slowest:.1f} s, "
        f"all done in {wall:.1f} s; archive list n={len(samples)} "
        f"p50 {statistics.median(samples):.0f} ms"
    )
    return [
        (f"export {fmt} x6: slowest", round(slowest, 2), "s", "< 2 s"),
        (f"export {fmt}: rows in one export", rows, "", "20021"),
        (
            f"archive list p95 during {fmt} exports",
            round(bench_archive.percentile(samples, 0.95), 1),
            "ms",
            f"< {TARGET_MS:.0f} ms",
        ),
    ]


def thousand_row_exports(port: int) -> list:
    """Exports written in the request: a 1,000-case round, and a filter matching 1,000 cases
    (one request each, nothing else running)."""
    from cases.models import Round

    round_pk = Round.objects.get(year=2015).pk
    rows = []
    for label, path in [
        ("round export (1000 rows)", f"/export/rounds/{round_pk}."),
        ("filtered export year=2015", "/export/cases.{fmt}?year=2015"),
    ]:
        for fmt in FORMATS:
            url = path.format(fmt=fmt) if "{fmt}" in path else path + fmt
            status, _size, seconds = get(port, url, "127.0.0.40", sink=io.BytesIO())
            assert status == 200, (url, status)
            rows.append((f"{label} {fmt}", round(seconds, 2), "s", "< 2 s"))
    return rows


def case_pages(port: int, loops: int):
    import django

    django.setup()
    from cases.models import Case

    ids = list(Case.objects.published().order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // loops)
    picked = ids[::step][:loops]
    get(port, f"/cases/{picked[0]}/")  # warm-up
    samples = []
    for pk in picked:
        status, _body, seconds = get(port, f"/cases/{pk}/")
        assert status == 200, status
        samples.append(seconds * 1000)
    print(
        f"case page: n={len(samples)} p50 {statistics.median(samples):.0f} ms "
        f"max {max(samples):.0f} ms"
    )
    p95 = round(bench_archive.percentile(samples, 0.95), 1)
    return ("case page p95", p95, "ms", f"< {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
