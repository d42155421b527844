"""At most one code per solved captcha and one per phone per resend interval, under real
concurrency (#27): threads post the phone form at once to a live, threaded server.

The server and the threads run in a subprocess with the production settings' database
options: a SQLite file (WAL, IMMEDIATE) or the PostgreSQL test database, Redis when the run has
it. (SQLite's in-memory test database would put every request on one shared connection.)
"""

import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 8


def _client():
    jar = CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _form(opener, base):
    """A fresh browser's phone page: its CSRF token and captcha key."""
    page = opener.open(base + "/vote/phone/").read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return csrf, key


def _post_all(base, bodies):
    """Each body posted by its own browser, all released together; the status codes."""
    from captcha.models import CaptchaStore

    prepared = []
    for body in bodies:
        opener, _jar = _client()
        csrf, key = _form(opener, base)
        if body.get("captcha_0") is None:  # this browser's own captcha, solved
            body = {**body, "captcha_0": key}
            body["captcha_1"] = CaptchaStore.objects.get(hashkey=key).response
        prepared.append((opener, {**body, "csrfmiddlewaretoken": csrf}))
    barrier = threading.Barrier(len(prepared))
    statuses = []

    def post(opener, body):
        data = urllib.parse.urlencode(body).encode()
        request = urllib.request.Request(
            base + "/vote/phone/", data=data, headers={"Referer": base + "/vote/phone/"}
        )
        barrier.wait()
        try:
            statuses.append(opener.open(request).status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    threads = [threading.Thread(target=post, args=item) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def run_races() -> dict:
    """Serve the site on a free port in this process and run both races against it."""
    from captcha.models import CaptchaStore
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    from reviews.factories import clear_rate_limits
    from reviews.models import PhoneCode
    from reviews.vote.sms import MemorySender

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    clear_rate_limits()
    MemorySender.clear()
    try:
        # Race 1: one solved captcha, posted by several browsers at once for different phones
        # (so that no resend interval stands in the way).
        opener, _jar = _client()
        _csrf, key = _form(opener, base)
        answer = CaptchaStore.objects.get(hashkey=key).response
        phones = [f"1380013{n:04d}" for n in range(PARALLEL)]
        shared = _post_all(
            base,
            [{"phone": p, "captcha_0": key, "captcha_1": answer, "consent": "on"} for p in phones],
        )
        one_captcha = {
            "statuses": shared,
            "sent": len([m for m in MemorySender.outbox if m["phone"] in phones]),
            "codes": PhoneCode.objects.filter(phone__in=phones).count(),
        }
        # Race 2: one phone, each browser with its own solved captcha, all at once.
        phone = "13900139000"
        same_phone = _post_all(
            base, [{"phone": phone, "captcha_0": None, "consent": "on"}] * PARALLEL
        )
        one_phone = {
            "statuses": same_phone,
            "sent": len([m for m in MemorySender.outbox if m["phone"] == phone]),
            "codes": PhoneCode.objects.filter(phone=phone).count(),
        }
    finally:
        server.shutdown()
    return {"one_captcha": one_captcha, "one_phone": one_phone}


@pytest.fixture(scope="module", autouse=True)
def keep_reference_data(django_db_blocker):
    from reviews.factories import reseed_reference_data

    yield
    with django_db_blocker.unblock():
        reseed_reference_data()


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_send_one_code_per_captcha_and_per_phone(tmp_path):
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "bizenv.settings",
        "SMS_SENDER": "reviews.vote.sms.MemorySender",
    }
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'races.sqlite3'}"
        env.pop("REDIS_URL", None)
    else:  # the test database, which this test leaves committed for the server to read
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    done = subprocess.run(
        [sys.executable, __file__], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    one_captcha, one_phone = result["one_captcha"], result["one_phone"]
    # Every post answered (the code page, the form again, a spent limit), none failed.
    assert set(one_captcha["statuses"] + one_phone["statuses"]) <= {200, 302, 429}, result
    assert one_captcha["sent"] == one_captcha["codes"] == 1, result
    assert one_phone["sent"] == one_phone["codes"] == 1, result


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(run_races()))
