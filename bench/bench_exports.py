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
import json
import os
import shutil
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
import targets  # noqa: E402  (bench/targets.py: a missed target exits non-zero)

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
NGINX = "/usr/sbin/nginx"
PROTECTED = "/protected/"
# BENCH_DB_PREFIX: two runs on one machine never drop each other's database.
PG_DB = os.environ.get("BENCH_DB_PREFIX", "bizenv_bench") + "_exports"
FORMATS = ("xlsx", "csv", "json")
EXPORTS_AT_ONCE = 6
MIN_SAMPLES = 20
PAGE_TIMEOUT = 600  # seconds; a case page that takes longer fails the bench
MAX_BURSTS = 5
TARGET_MS = 200.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--page-loops", type=int, default=20)
    parser.add_argument(
        "--reuse",
        help="SQLite file: load (and prepare) it once, keep it, and only measure on later runs",
    )
    parser.add_argument(
        "--keep-pg",
        action="store_true",
        help=f"keep the PostgreSQL database {PG_DB} (and its files) and reuse it next time",
    )
    parser.add_argument("--load-only", action="store_true", help="load and prepare, then stop")
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
    env["DEBUG"] = "0"  # no query log in the server; the development settings otherwise
    tmp = tempfile.TemporaryDirectory(prefix="bench-exports-")
    env["MEDIA_ROOT"] = tmp.name + "/media"
    pg_url = bench_archive.PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    if db == "sqlite" and args.reuse:
        env["DATABASE_URL"] = f"sqlite:///{args.reuse}"
        env["MEDIA_ROOT"] = args.reuse + ".media"
    elif db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        admin = bench_archive.PG_ADMIN
        if not (args.keep_pg and pg_exists()):
            bench_archive.admin_db(admin, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            bench_archive.admin_db(admin, f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = pg_url
        if args.keep_pg:
            env["MEDIA_ROOT"] = str(Path(tempfile.gettempdir()) / f"{PG_DB}.media")
    env["BENCH_RESULT_FILE"] = os.path.join(tmp.name, "result.json")
    try:
        cmd = [PYTHON, __file__, "--child", db, "--cases", str(args.cases)]
        cmd += ["--workers", str(args.workers), "--page-loops", str(args.page_loops)]
        if args.reuse and db == "sqlite":
            cmd += ["--reuse", args.reuse]
        if args.keep_pg and db == "pg":
            cmd += ["--keep-pg"]
        if args.load_only:
            cmd += ["--load-only"]
        subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        with open(env["BENCH_RESULT_FILE"], encoding="utf-8") as handle:
            return [dict(row, metric=f"{db}: {row['metric']}") for row in json.load(handle)]
    finally:
        if db == "pg" and not args.keep_pg:
            bench_archive.admin_db(
                bench_archive.PG_ADMIN, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"
            )
        tmp.cleanup()


def pg_exists() -> bool:
    import psycopg

    url = bench_archive.PG_ADMIN.replace("postgres://", "postgresql://")
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB])
        return found.fetchone() is not None


# --- Child: load, prepare, serve, measure ------------------------------------------------------


def child(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    loaded = (args.reuse or args.keep_pg) and Case.objects.count() > args.cases
    if not loaded:
        bench_archive.load(args.cases)
    load_seconds = time.perf_counter() - started
    # A reused database keeps its related-cases index; its export files are rebuilt (the
    # archive they were built from may be older than the load).
    prepared = prepare(related_index=not loaded)
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum keeps them on a running server (a fresh load, or
        # a server restarted after a crash, has none: the archive list then sorts every row).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    print(
        f"\n== {connection.vendor}: {args.cases} synthetic + 21 real published cases "
        f"(loaded in {load_seconds:.0f} s) ==",
        flush=True,
    )
    for label, seconds in prepared:
        print(f"{label}: {seconds:.1f} s", flush=True)
    if args.load_only:
        with open(os.environ["BENCH_RESULT_FILE"], "w", encoding="utf-8") as handle:
            json.dump(build_rows(prepared), handle, ensure_ascii=False)
        return
    rows = []
    with serve(args.workers) as port:
        print("-- gunicorn alone: its workers send the files", flush=True)
        for fmt in FORMATS:
            rows += exports_under_load(port, fmt, "gunicorn")
        rows += thousand_row_exports(port)
        rows.append(case_pages(port, args.page_loops))
    if shutil.which(NGINX) and (ROOT / "core" / "downloads.py").exists():
        with serve(args.workers, behind_nginx=True) as port:
            print("-- behind nginx, as deployed: nginx sends the files", flush=True)
            for fmt in FORMATS:
                rows += exports_under_load(port, fmt, "nginx")
    print(f"{'scenario':<46} {'value':>10}  target")
    for label, value, unit, target in rows:
        print(f"{label:<46} {value:>10} {unit:<3} {target}")
    summary = [
        {"metric": label, "value": value, "unit": unit, "target": target}
        for label, value, unit, target in rows
    ]
    summary += build_rows(prepared)
    with open(os.environ["BENCH_RESULT_FILE"], "w", encoding="utf-8") as handle:
        json.dump(summary, handle, ensure_ascii=False)


def build_rows(prepared) -> list[dict]:
    return [
        {"metric": label, "value": round(seconds, 1), "unit": "s", "target": "background"}
        for label, seconds in prepared
    ]


def prepare(related_index: bool = True) -> list[tuple[str, float]]:
    """What the code keeps ready in the background, built as its tasks would build it (with
    today's code only; older code has nothing to prepare)."""
    timings = []
    try:
        from cases.archive import related
        from cases.models import RelatedCases
    except ImportError:
        related = None
    if related is not None and related_index:
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NGINX_CONF = """
worker_processes 1;
user root;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 512; }}
http {{
    access_log off;
    sendfile on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream app {{ server 127.0.0.1:{app}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location /media/ {{ return 404; }}
        location {protected} {{ internal; alias {media}/; }}
        location / {{
            proxy_pass http://app;
            proxy_bind 127.0.0.2;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


class serve:
    """gunicorn on a free loopback port for a ``with`` block; with ``behind_nginx``, nginx in
    front of it as scripts/nginx/bizenv.conf.in deploys it (the app answers X-Accel-Redirect
    for files and believes nginx's X-Forwarded-For), and the port is nginx's."""

    def __init__(self, workers: int, behind_nginx: bool = False):
        self.workers = workers
        self.behind_nginx = behind_nginx
        self.nginx = None

    def __enter__(self) -> int:
        self.port = free_port()
        env = dict(os.environ)
        if self.behind_nginx:
            env.update(PROTECTED_DOWNLOADS_PREFIX=PROTECTED, TRUSTED_PROXIES="127.0.0.2")
            self.tmp = tempfile.TemporaryDirectory(prefix="bench-nginx-")
            front = free_port()
            conf = Path(self.tmp.name) / "nginx.conf"
            conf.write_text(
                NGINX_CONF.format(
                    tmp=self.tmp.name,
                    app=self.port,
                    port=front,
                    protected=PROTECTED,
                    media=os.environ["MEDIA_ROOT"],
                )
            )
            self.nginx = subprocess.Popen([NGINX, "-c", str(conf)], stderr=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            [GUNICORN, "bizenv.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers)]
            # Long enough to time what the old code did, not cut it at gunicorn's 30 s.
            + ["--timeout", "900"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        port = front if self.behind_nginx else self.port
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _body, _ = get(port, "/cases/archive/")
                if status == 200:
                    warm_up(port, self.workers)
                    return port
            except OSError:
                pass
            time.sleep(0.3)
        self.process.kill()
        sys.exit("gunicorn did not start")

    def __exit__(self, *exc):
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(timeout=30)
            self.tmp.cleanup()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still inside a long request
            self.process.kill()
            self.process.wait()


def warm_up(port: int, workers: int) -> None:
    """Every worker's first request (imports, templates, connection) before anything is
    timed: a few rounds of as many requests at once as there are workers."""
    for _ in range(3):
        threads = [
            threading.Thread(target=get, args=(port, f"/cases/archive/?page={i + 1}"))
            for i in range(workers * 2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


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


def published_count() -> int:
    import django

    django.setup()
    from cases.models import Case

    return Case.objects.published().count()


def exports_under_load(port: int, fmt: str, mode: str) -> list:
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
    # A time is only reported for complete exports: every one answered 200, all alike, and
    # holding every published case.
    expected = published_count()
    assert statuses == [200], f"{mode} {fmt}: statuses {statuses}"
    assert len({r[1] for r in results}) == 1, (
        f"{mode} {fmt}: sizes {sorted({r[1] for r in results})}"
    )
    assert rows == expected, f"{mode} {fmt}: {rows} rows, {expected} published cases"
    slowest = max(r[2] for r in results)
    p95 = round(bench_archive.percentile(samples, 0.95), 1)
    print(
        f"{mode} {fmt}: {len(results) // EXPORTS_AT_ONCE} burst(s) of {EXPORTS_AT_ONCE} at once, "
        f"statuses {statuses}, "
        f"{ok[0][1] / 1e6 if ok else 0:.1f} MB each, {rows} rows, slowest {slowest:.1f} s, "
        f"all done in {wall:.1f} s; archive list n={len(samples)} "
        f"p50 {statistics.median(samples):.0f} ms p95 {p95:.0f} ms",
        flush=True,
    )
    return [
        (f"{mode}: export {fmt} x6, slowest", round(slowest, 2), "s", "< 2 s"),
        (f"{mode}: export {fmt}, rows", rows, "", str(expected)),
        (f"{mode}: archive list p95 during {fmt} exports", p95, "ms", f"< {TARGET_MS:.0f} ms"),
    ]


def thousand_row_exports(port: int) -> list:
    """Exports written in the request: a 1,000-case round, and a filter matching 1,000 cases
    (one request each, nothing else running)."""
    from cases.models import Round

    round_ = Round.objects.exclude(year=2022).order_by("year").first()
    n = round_.cases.count()
    rows = []
    for label, path in [
        (f"round export ({n} rows)", f"/export/rounds/{round_.pk}."),
        (
            f"filtered export year={round_.year} ({n} rows)",
            f"/export/cases.{{fmt}}?year={round_.year}",
        ),
    ]:
        for fmt in FORMATS:
            url = path.format(fmt=fmt) if "{fmt}" in path else path + fmt
            with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
                target = Path(folder) / f"export.{fmt}"
                with open(target, "wb") as sink:
                    status, _size, seconds = get(port, url, "127.0.0.40", sink=sink)
                assert status == 200, (url, status)
                got = count_rows(target, fmt)
            assert got == n, (url, got, n)
            rows.append((f"{label} {fmt}", round(seconds, 2), "s", "< 2 s"))
            print(f"{label} {fmt}: {seconds:.2f} s", flush=True)
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
        try:
            status, _body, seconds = get(port, f"/cases/{pk}/", timeout=PAGE_TIMEOUT)
        except TimeoutError:  # a failure, not a slow 200
            sys.exit(f"case page {pk}: no answer within {PAGE_TIMEOUT} s")
        assert status == 200, (pk, status)
        samples.append(seconds * 1000)
    print(
        f"case page: n={len(samples)} p50 {statistics.median(samples):.0f} ms "
        f"max {max(samples):.0f} ms",
        flush=True,
    )
    p95 = round(bench_archive.percentile(samples, 0.95), 1)
    return ("case page p95", p95, "ms", f"< {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
