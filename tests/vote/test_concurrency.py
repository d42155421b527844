"""Vote uniqueness under real concurrency: threads, each with its own connection, hitting
``cast_vote`` at once. The database (unique constraint + conditional UPDATE + F()) must keep
every count exact.

SQLite's in-memory test database is shared-cache, whose table locks ignore the busy timeout,
so on SQLite the races run in a subprocess against a file database configured as in
production (WAL, IMMEDIATE). On PostgreSQL they run here, on the test database.
"""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def race(n, fn):
    """Run ``fn`` in n threads released together; per thread 'ok', the VoteError text, or
    'ERROR: …' for anything else (which the tests treat as a failure)."""
    from django.db import connection

    from reviews.vote.errors import VoteError

    barrier = threading.Barrier(n)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            fn()
            outcomes.append("ok")
        except VoteError as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported, never swallowed
            outcomes.append(f"ERROR: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def run_races() -> dict:
    """Both races; returns plain data for the assertions."""
    from cases.models import Case
    from reviews.factories import CaseFactory, RoundFactory, VoterFactory
    from reviews.models import Ballot, Vote
    from reviews.vote.casting import cast_vote

    # Race 1: eight requests for the same voter and case (double clicks, two tabs).
    round_ = RoundFactory(year=2031, votes_per_voter=5)
    case, voter = CaseFactory(round=round_), VoterFactory()
    one_case = race(8, lambda: cast_vote(round=round_, case=case, voter=voter))
    case.refresh_from_db()
    same = {
        "outcomes": one_case,
        "votes": Vote.objects.filter(case=case).count(),
        "count": case.vote_count,
        "ballot": Ballot.objects.get(voter=voter).used,
    }

    # Race 2: one voter, limit 2, six different cases at once.
    round2 = RoundFactory(year=2032, votes_per_voter=2)
    cases = CaseFactory.create_batch(6, round=round2)
    voter2 = VoterFactory()
    pending = iter(cases)
    lock = threading.Lock()

    def vote_next():
        with lock:
            target = next(pending)
        cast_vote(round=round2, case=target, voter=voter2)

    limit = race(6, vote_next)
    counts = list(Case.objects.filter(round=round2).values_list("vote_count", flat=True))
    limited = {
        "outcomes": limit,
        "votes": Vote.objects.filter(voter=voter2).count(),
        "count": sum(counts),
        "ballot": Ballot.objects.get(voter=voter2).used,
    }
    return {"same_case": same, "round_limit": limited}


def check(result):
    same, limited = result["same_case"], result["round_limit"]
    assert not [o for o in same["outcomes"] + limited["outcomes"] if o.startswith("ERROR")], result
    assert same["outcomes"].count("ok") == 1
    assert same["votes"] == same["count"] == same["ballot"] == 1
    assert limited["outcomes"].count("ok") == 2
    assert limited["votes"] == limited["count"] == limited["ballot"] == 2


@pytest.fixture(scope="module", autouse=True)
def keep_reference_data(django_db_blocker):
    """Module-scoped, so it ends after the last test's final flush of every table."""
    from reviews.factories import reseed_reference_data

    yield
    with django_db_blocker.unblock():
        reseed_reference_data()


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_count_once_and_respect_the_limit(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        check(run_races())
        return
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "bizenv.settings",
        "SMS_SENDER": "reviews.vote.sms.MemorySender",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, __file__],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    check(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(run_races()))
