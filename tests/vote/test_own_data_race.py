"""A voter deleting their data while votes of theirs (a second tab, a copied cookie) arrive at
the same moment: every case's counter still equals its valid Vote rows (issue #30).

As in test_concurrency.py: threads with their own connections, on PostgreSQL here; on SQLite
in a subprocess against a file database configured as in production (WAL, IMMEDIATE).
"""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_race() -> dict:
    from cases.models import Case
    from reviews.factories import CaseFactory, RoundFactory, VoterFactory
    from reviews.models import Vote, Voter
    from reviews.vote import casting, own_data
    from tests.vote.test_concurrency import race

    round_ = RoundFactory(year=2033, votes_per_voter=6)
    cases = CaseFactory.create_batch(6, round=round_)
    voter, other = VoterFactory(), VoterFactory()
    for case in cases[:2]:
        casting.record_vote(round_pk=round_.pk, case_pk=case.pk, voter_id=voter.pk, token_version=0)
    casting.record_vote(round_pk=round_.pk, case_pk=cases[0].pk, voter_id=other.pk, token_version=0)
    jobs = iter(
        [lambda: own_data.delete_own_data(voter_id=voter.pk, token_version=0)]
        + [
            (
                lambda case=case: casting.record_vote(
                    round_pk=round_.pk, case_pk=case.pk, voter_id=voter.pk, token_version=0
                )
            )
            for case in cases[2:]
        ]
    )
    lock = threading.Lock()

    def next_job():
        with lock:
            job = next(jobs)
        job()

    outcomes = race(5, next_job)
    counters = dict(Case.objects.filter(round=round_).values_list("pk", "vote_count"))
    rows = {case.pk: Vote.objects.filter(case=case, voided=False).count() for case in cases}
    return {
        "outcomes": outcomes,
        "counters": {str(k): v for k, v in counters.items()},
        "rows": {str(k): v for k, v in rows.items()},
        "voter_left": Voter.objects.filter(pk=voter.pk).exists(),
        "votes_left": Vote.objects.filter(voter_id=voter.pk).count(),
    }


def check(result):
    assert not [o for o in result["outcomes"] if o.startswith("ERROR")], result
    assert result["counters"] == result["rows"], result
    # Votes that came in before the deletion went with it; none after it (the voter is gone,
    # or, had a vote won the race for the row, it stands counted).
    assert result["voter_left"] or result["votes_left"] == 0, result


@pytest.mark.django_db(transaction=True)
def test_deleting_own_data_while_votes_arrive_keeps_every_count_exact(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        check(run_race())
        return
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "bizenv.settings",
        "SMS_SENDER": "reviews.vote.sms.MemorySender",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, __file__], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    check(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module", autouse=True)
def keep_reference_data(django_db_blocker):
    """Module-scoped, so it ends after the last test's final flush of every table."""
    from reviews.factories import reseed_reference_data

    yield
    with django_db_blocker.unblock():
        reseed_reference_data()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(run_race()))
