"""Standing users for every test: officers of two districts, experts, staff, anonymous."""

import pytest
from django.contrib.auth import get_user_model

from cases.models import District, Round

PASSWORD = "test-pass-123"


def pytest_configure(config):
    # Real password hashing costs ~0.1 s a user; tests create hundreds.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The vote's captcha takes the answer "PASSED" in tests, and only here: the settings never
    # set it (tests/vote/test_captcha.py checks a real answer and the runtime settings).
    from captcha.conf import settings as captcha_settings

    captcha_settings.CAPTCHA_TEST_MODE = True
    _force_login_passes_the_second_factor()


def _force_login_passes_the_second_factor():
    """``Client.force_login`` skips the password; here it skips the second factor too (a
    session as the two-factor page leaves it, accounts.two_factor.mark_verified). Logins
    through the form still ask for it: tests/test_two_factor.py walks that path."""
    from django.test import Client

    from accounts.two_factor import VERIFIED_KEY

    if getattr(Client.force_login, "passes_second_factor", False):
        return
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[VERIFIED_KEY] = user.pk
        session.save()

    force_login.passes_second_factor = True
    Client.force_login = force_login


def make_user(username, role="", district=None, organisation="", **extra):
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        district=district,
        organisation=organisation,
        **extra,
    )
    return user


def totp_code(device):
    """What the authenticator app shows now for ``device`` (django-otp accepts one step of
    drift either side, so a step boundary between here and the server does not matter).
    A code is good once: when this step's was used already (a second login within the same
    30 seconds), a backup code stands in, as a person would use one."""
    from django_otp.oath import TOTP

    from accounts.two_factor import new_backup_codes

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.confirmed and device.last_t >= totp.t() - 1:
        return new_backup_codes(device.user)[0]
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client, user, next_url=""):
    """The second step of a login through the real pages: enrolment at the first login (the
    page creates the authenticator, the test reads its key as the phone would from the QR
    code), else the authenticator's code. Returns the last response, redirects followed."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert client.get(reverse("two_factor")).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    data = {"token": totp_code(device), "next": next_url}
    response = client.post(reverse("two_factor"), data, follow=True)
    if response.context and "codes" in response.context:
        # The first time: the backup codes are shown once, then "继续" goes on.
        return client.get(response.context["next"], follow=True)
    return response


@pytest.fixture
def district_a(db):
    return District.objects.get(code="jiading")


@pytest.fixture
def district_b(db):
    return District.objects.get(code="pudong")


@pytest.fixture
def officer_a(district_a):
    return make_user("officer_a", role="officer", district=district_a, organisation="嘉定区发改委")


@pytest.fixture
def officer_b(district_b):
    return make_user(
        "officer_b", role="officer", district=district_b, organisation="浦东新区发改委"
    )


@pytest.fixture
def expert(db):
    return make_user("expert", role="expert", organisation="复旦大学")


@pytest.fixture
def expert_b(district_b):
    """An expert from district B: recused from B's cases."""
    return make_user("expert_b", role="expert", district=district_b, organisation="浦东律师协会")


@pytest.fixture
def staff(db):
    return make_user("staff", role="staff", is_staff=True)


@pytest.fixture
def published_round(db):
    return Round.objects.create(
        year=2021,
        title="2021 年度",
        status=Round.Status.PUBLISHED,
        tiers=[{"name": "优秀案例", "size": 2}, {"name": "良好实践", "size": 2}],
    )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Districts and topics are seeded by a migration; a transactional test's flush removes
    them, so every database test starts with them back (idempotent, two queries)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from cases.districts import DISTRICTS, seed_reference_data
    from cases.models import District, Topic

    if District.objects.count() != len(DISTRICTS) or not Topic.objects.exists():
        seed_reference_data(District, Topic)


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory):
    """Files a test writes (uploads, prepared exports) land in a directory of its own under
    pytest's temporary directory, never in the checkout's media/ (created only if written)."""
    import uuid

    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media" / uuid.uuid4().hex


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_tasks(request, settings):
    """Each test starts with an empty cache (rate-limit counters live there, in Redis on the
    PostgreSQL job) and with tasks run in-process, unless it asks for a real worker."""
    from django.core.cache import cache

    from bizenv.celery import app

    cache.clear()
    eager = "celery_worker_process" not in request.fixturenames
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    # Off-request tasks run inline too, inside the test's transaction; tests of the threads
    # themselves (tests/test_publish_async.py) turn this on.
    settings.EMBEDDED_TASK_THREADS = False
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real Celery worker, in its own process, on Redis and the test database.

    Only in the PostgreSQL + Redis job: SQLite's in-memory test database cannot be shared
    with another process. Mail the worker sends lands as files in ``tmp_path / "mail"``.
    """
    import os
    import subprocess
    import sys
    import uuid

    from django.conf import settings as dj_settings
    from django.db import connection

    from bizenv.celery import app

    if not dj_settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and REDIS_URL (the scale-out CI job)")
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ,
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        CELERY_QUEUE=queue,
        MEDIA_ROOT=str(dj_settings.MEDIA_ROOT),
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bizenv",
            "worker",
            "-l",
            "warning",
            "-P",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            queue,
        ],
        env=env,
        cwd=dj_settings.BASE_DIR,
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield {"process": worker, "mail_dir": tmp_path / "mail", "queue": queue}
    finally:
        app.conf.task_default_queue = previous_queue
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, stopped without making the shared in-memory SQLite
    connection bound to one thread again. Its request threads are daemons that the shutdown
    does not wait for: one still serving a keep-alive connection (Chromium's) closes the
    database connections when it ends, after ``LiveServer.stop`` took the connection's thread
    sharing back, and raised there (26 thread exceptions in a full run, now errors through
    ``filterwarnings``). The connection dies with the test process anyway."""
    import os

    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr)
    yield server
    server.thread.terminate()
