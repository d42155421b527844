"""The per-case attachment limit under real concurrency: fifteen uploads at once to a case
that may hold ten store exactly ten, each thread on its own connection through the real view.

As in tests/vote/test_concurrency.py: SQLite's in-memory test database is shared-cache, whose
table locks ignore the busy timeout, so on SQLite the race runs in a subprocess against a file
database configured as in production (WAL, IMMEDIATE). On PostgreSQL it runs here.
"""

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = 15
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def run_race() -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from cases.models import Attachment, Case, District, Round
    from cases.submission import attachments
    from tests.conftest import make_user

    district = District.objects.get(code="jiading")
    officer = make_user("race_officer", role="officer", district=district)
    now = timezone.now()
    round_ = Round.objects.create(
        year=2039,
        title="2039",
        status=Round.Status.SUBMISSION,
        submission_opens=now - timedelta(days=1),
        submission_closes=now + timedelta(days=1),
        vote_opens=now + timedelta(days=20),
        vote_closes=now + timedelta(days=30),
    )
    case = Case.objects.create(
        round=round_, district=district, title="并发上传", created_by=officer
    )
    url = reverse("cases:attachment_upload", args=[case.pk])
    clients = []
    for _ in range(UPLOADS):
        client = Client()
        client.force_login(officer)
        clients.append(client)
    connection.close()
    barrier = threading.Barrier(UPLOADS)
    outcomes = []

    def worker(client, i):
        try:
            barrier.wait()
            response = client.post(url, {"file": SimpleUploadedFile(f"{i}.pdf", PDF)})
            outcomes.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported, never swallowed
            outcomes.append(f"ERROR: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c, i)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = list(Attachment.objects.filter(case=case).values_list("file", flat=True))
    from django.conf import settings

    on_disk = list((Path(settings.MEDIA_ROOT) / "attachments").rglob("*.pdf"))
    return {
        "outcomes": outcomes,
        "rows": len(stored),
        "files": len(on_disk),
        "limit": attachments.MAX_PER_CASE,
    }


def check(result):
    assert not [o for o in result["outcomes"] if str(o).startswith("ERROR")], result
    assert result["outcomes"] == [302] * UPLOADS
    assert result["rows"] == result["limit"] == 10
    assert result["files"] == result["rows"]  # the refused uploads left no file behind


@pytest.fixture(scope="module", autouse=True)
def keep_reference_data(django_db_blocker):
    from reviews.factories import reseed_reference_data

    yield
    with django_db_blocker.unblock():
        reseed_reference_data()


@pytest.mark.django_db(transaction=True)
def test_fifteen_uploads_at_once_store_exactly_the_limit(tmp_path, settings):
    from django.db import connection

    settings.MEDIA_ROOT = tmp_path
    if connection.vendor != "sqlite":
        check(run_race())
        return
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "bizenv.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, __file__], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    check(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's hosts and the fast password hasher
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(run_race()))
