"""Fault: PostgreSQL restarts in the middle of the public vote. No accepted vote is lost.

    /work/main/.venv/bin/python bench/bench_fault_vote_restart.py [--voters 400] [--conns 8]

On loopback only, with bounded request loops:
1. Its own database `bizenv_fault` on the local PostgreSQL (created and dropped), Redis db 6,
   a round in voting with 20 accepted cases and N verified voters (signed voter cookies).
2. gunicorn (3 sync workers) serving the project; client threads cast every voter's 3 votes
   through the page's JSON endpoint (Accept: application/json).
3. Shortly after the load starts, `pg_ctlcluster … restart -m fast` (needs root, as CI is).
4. Every vote answered `{"ok": true}` must be in the database afterwards (none lost), the rows
   must equal the counters and the ballots (none doubled). Requests that failed while the
   server was down got an error page, not a confirmation: the voter sees it and votes again.
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
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DB = os.environ.get("BENCH_DB_PREFIX", "bizenv") + "_fault"  # never another run's
DB_URL = f"postgres://bizenv:bizenv@127.0.0.1:5432/{DB}"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
VOTES_PER_VOTER = 3

SETTINGS = """
from bizenv.settings import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
VOTE_RATELIMITS = {k: "1000000/m" for k in ("code_ip", "code_phone", "verify_ip", "vote_ip",
                                            "vote_voter")}
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""


def env(tmp):
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "fault_settings",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS,
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT), str(ROOT / "bench")]),
        "DJANGO_ENV": "development",
    }


def in_django(tmp, *args):
    done = subprocess.run(
        [PYTHON, __file__, *args],
        env=env(tmp),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def setup(voters):
    # The same world as the vote benchmark: a round in voting, accepted cases, verified voters.
    from bench_votes import setup as vote_world

    world = vote_world(voters)
    world["cookies"] = dict(zip(world["cookies"], world["voters"], strict=True))
    return world


def verify():
    import django

    django.setup()
    from django.db.models import Sum

    from cases.models import Case
    from reviews.models import Ballot, Vote

    pairs = sorted([v, c] for v, c in Vote.objects.values_list("voter_id", "case_id"))
    return {
        "pairs": pairs,
        "votes": len(pairs),
        "counters": Case.objects.aggregate(n=Sum("vote_count"))["n"] or 0,
        "ballots": Ballot.objects.aggregate(n=Sum("used"))["n"] or 0,
    }


def pg(*args):
    subprocess.run(["su", "postgres", "-c", " ".join(args)], check=True, capture_output=True)


def restart_postgres():
    version = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
    started = time.perf_counter()
    subprocess.run(["pg_ctlcluster", version, "main", "restart", "-m", "fast"], check=True)
    return time.perf_counter() - started


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cast_all(port, jobs, conns, data):
    it, lock, results = iter(jobs), threading.Lock(), []
    csrf = secrets.token_hex(16)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                break
            voter_cookie, case = job
            headers = {
                "Cookie": f"{data['cookie']}={voter_cookie}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "X-CSRFToken": csrf,
            }
            try:
                conn.request(
                    "POST",
                    f"/vote/{data['round']}/cases/{case}/vote/",
                    body=f"csrfmiddlewaretoken={csrf}",
                    headers=headers,
                )
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and json.loads(body).get("ok") is True
                status = response.status
            except (OSError, http.client.HTTPException, ValueError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok, status = False, 0
            with lock:
                results.append((data["cookies"][voter_cookie], case, status, ok))
            time.sleep(0.002)  # a steady stream across the restart, not a burst before it
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for thread in threads:
        thread.start()
    return threads, results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--conns", type=int, default=8)
    args = parser.parse_args()
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        print("needs root and the local PostgreSQL (make services)", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="fault_vote_"))
    (tmp / "fault_settings.py").write_text(SETTINGS)
    server = None
    pg(f"dropdb --if-exists {DB}")
    pg(f"createdb -O bizenv {DB}")
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
                "3",
                "--log-level",
                "critical",
            ],
            env=env(tmp),
            cwd=ROOT,
            start_new_session=True,
        )
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        rng = random.Random(20261125)
        jobs = [(s, c) for s in data["cookies"] for c in rng.sample(data["cases"], VOTES_PER_VOTER)]
        rng.shuffle(jobs)
        threads, results = cast_all(port, jobs, args.conns, data)
        while len(results) < len(jobs) // 4:
            time.sleep(0.05)
        before_restart = len(results)
        downtime = restart_postgres()
        for thread in threads:
            thread.join()
        db = in_django(tmp, "--verify")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
        pg(f"dropdb --if-exists {DB}")

    stored = {tuple(p) for p in db["pairs"]}
    accepted = {(voter, case) for voter, case, _status, ok in results if ok}
    lost = accepted - stored
    failed = sum(1 for *_rest, ok in results if not ok)
    exact = db["votes"] == db["counters"] == db["ballots"] == len(stored)
    print(
        f"{len(results)} vote requests, restart after {before_restart} "
        f"(pg restart took {downtime:.1f} s): {len(accepted)} confirmed, {failed} refused or "
        f"failed while the database was down; stored {db['votes']}, lost {len(lost)}, "
        f"rows = counters = ballots: {exact}"
    )
    print(
        "RESULT "
        + json.dumps(
            [
                {
                    "metric": "votes confirmed across a PostgreSQL restart",
                    "value": len(accepted),
                    "unit": "votes",
                    "target": "",
                },
                {
                    "metric": "confirmed votes lost",
                    "value": len(lost),
                    "unit": "votes",
                    "target": "0",
                },
                {
                    "metric": "rows = counters = ballots",
                    "value": str(exact),
                    "unit": "",
                    "target": "True",
                },
            ],
            ensure_ascii=False,
        )
    )
    return 0 if not lost and exact and accepted else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
        print(json.dumps(setup(int(sys.argv[2]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--verify":
        print(json.dumps(verify()))
    else:
        sys.exit(main())
