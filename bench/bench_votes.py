"""Public vote under load: concurrent voters against gunicorn on loopback, embedded SQLite.

    /work/main/.venv/bin/python bench/bench_votes.py [--voters 1500] [--conns 32] [--workers 3]

What it does, all on 127.0.0.1 with bounded request loops:

1. A fresh SQLite file database (WAL, IMMEDIATE, persistent connections: the project's own
   settings), one round in voting with 20 accepted cases, N voters each with a server-side
   session that holds a verified phone (as after the SMS step) and a CSRF cookie.
2. gunicorn (sync workers) serving the project with rate limits raised out of the way.
3. Phase "vote": every voter casts 3 votes through the real view (POST /vote/<round>/cases/
   <case>/vote/) and repeats 10 % of them (double clicks), which must be refused.
4. Phase "bare": a bare Django view that inserts one row in one transaction, same load.
5. Reports requests/s, p50/p99 latency, and checks that Vote rows, the sum of
   Case.vote_count and Ballot.used all equal the number of distinct (voter, case) pairs.

The load generator is Python threads on the same cores as the server, so absolute figures
are a floor; the ratio between the two phases is the useful number.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
CASES = 20
VOTES_PER_VOTER = 3
DUPLICATE_SHARE = 0.10

SETTINGS = """
from bizenv.settings import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench_urls"
# Rate limits stay on (their cache work is part of the cost) but out of the way.
VOTE_RATELIMITS = {k: "1000000/m" for k in ("code_ip", "code_phone", "verify_ip", "vote_ip",
                                            "vote_voter")}
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""

URLS = """
import uuid

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bizenv.urls import urlpatterns as project
from reviews.models import Voter


@csrf_exempt
def bare_insert(request):
    # The floor to compare with: one INSERT in one transaction, nothing else.
    with transaction.atomic():
        Voter.objects.create(phone="b" + uuid.uuid4().hex[:19])
    return HttpResponse("ok")


urlpatterns = [path("bench/insert/", bare_insert), *project]
"""


def django_env(tmp):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        PYTHONPATH=f"{tmp}{os.pathsep}{ROOT}",
        DJANGO_ENV="development",
    )
    return env


def in_django(tmp, *args):
    done = subprocess.run(
        [PYTHON, __file__, *args],
        env=django_env(tmp),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        sys.exit(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Inside Django (subprocesses) ------------------------------------------------------------


def setup(voters):
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from cases.models import Case, District, Round
    from reviews.models import Voter
    from reviews.voting import SESSION_VOTER_KEY

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    round_ = Round.objects.create(
        year=2099,
        title="bench",
        status=Round.Status.VOTING,
        votes_per_voter=10,
        vote_opens=now - timezone.timedelta(days=1),
        vote_closes=now + timezone.timedelta(days=1),
    )
    districts = list(District.objects.all())
    cases = [
        Case.objects.create(
            round=round_,
            title=f"案例{i}",
            status=Case.Status.ACCEPTED,
            district=districts[i % len(districts)],
        ).pk
        for i in range(CASES)
    ]
    Voter.objects.bulk_create([Voter(phone=f"13{i:09d}", verified_at=now) for i in range(voters)])
    sessions = []
    for voter in Voter.objects.filter(phone__startswith="13").order_by("pk"):
        store = SessionStore()
        store[SESSION_VOTER_KEY] = {"id": voter.pk, "at": now.timestamp() + 3600}
        store.create()
        sessions.append(store.session_key)
    return {
        "round": round_.pk,
        "cases": cases,
        "sessions": sessions,
        "cookie": settings.SESSION_COOKIE_NAME,
    }


def verify():
    import django

    django.setup()
    from django.db.models import Sum

    from cases.models import Case
    from reviews.models import Ballot, Vote

    return {
        "votes": Vote.objects.count(),
        "distinct": Vote.objects.values("voter_id", "case_id").distinct().count(),
        "counters": Case.objects.aggregate(n=Sum("vote_count"))["n"] or 0,
        "ballots": Ballot.objects.aggregate(n=Sum("used"))["n"] or 0,
    }


# --- The load generator ------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def run_phase(port, jobs, conns):
    """jobs: list of (path, body, headers); each thread takes jobs from a shared iterator."""
    it = iter(jobs)
    lock = threading.Lock()
    latencies, statuses = [], []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                break
            path, body, headers = job
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses.append(status)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
    }


def vote_jobs(data, rng):
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    jobs, pairs = [], set()
    for session in data["sessions"]:
        headers = {
            "Cookie": f"{data['cookie']}={session}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        for case in rng.sample(data["cases"], VOTES_PER_VOTER):
            job = (
                f"/vote/{data['round']}/cases/{case}/vote/",
                f"csrfmiddlewaretoken={csrf}",
                headers,
            )
            jobs.append(job)
            pairs.add((session, case))
            if rng.random() < DUPLICATE_SHARE:
                jobs.append(job)  # a double click: must be refused
    rng.shuffle(jobs)
    return jobs, len(pairs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=1500)
    parser.add_argument("--conns", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_votes_"))
    (tmp / "bench_settings.py").write_text(SETTINGS)
    (tmp / "bench_urls.py").write_text(URLS)
    server = None
    try:
        data = in_django(tmp, "--setup", str(args.voters))
        port = free_port()
        server = subprocess.Popen(
            [
                GUNICORN,
                "bizenv.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            env=django_env(tmp),
            cwd=ROOT,
            start_new_session=True,
        )
        wait_for(port)
        rng = random.Random(20261125)
        jobs, expected = vote_jobs(data, rng)
        vote = run_phase(port, jobs, args.conns)
        bare = run_phase(port, [("/bench/insert/", "", {})] * len(jobs), args.conns)
        counts = in_django(tmp, "--verify")
        exact = (
            counts["votes"]
            == counts["distinct"]
            == counts["counters"]
            == counts["ballots"]
            == expected
        )
        report = {
            "voters": args.voters,
            "conns": args.conns,
            "workers": args.workers,
            "vote": vote,
            "bare_insert": bare,
            "accepted_expected": expected,
            "db": counts,
            "exact": exact,
            "duplicates_sent": len(jobs) - expected,
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
        print(
            f"vote: {vote['per_second']}/s p50 {vote['p50_ms']} ms p99 {vote['p99_ms']} ms | "
            f"bare insert: {bare['per_second']}/s p50 {bare['p50_ms']} ms p99 "
            f"{bare['p99_ms']} ms | votes in db {counts['votes']} = expected {expected}: {exact}"
        )
        return 0 if exact else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
        print(json.dumps(setup(int(sys.argv[2]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--verify":
        print(json.dumps(verify()))
    else:
        sys.exit(main())
