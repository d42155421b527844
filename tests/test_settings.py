"""Settings come from the environment; the same code runs on SQLite and PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# Set by the browser tests' conftest for the test process only; a deployment never has it.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}

PROBE = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
    "debug": settings.DEBUG, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL, "cache": settings.CACHES["default"]["BACKEND"],
    "secure_cookie": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "language": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE, "use_tz": settings.USE_TZ,
}))
"""


def settings_with(**env):
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "DEBUG"} | TEST_ONLY
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env, DJANGO_SETTINGS_MODULE="bizenv.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    return result


def probe(**env):
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_is_sqlite_in_wal_with_immediate_transactions_and_eager_celery():
    conf = probe()
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["name"].endswith("db.sqlite3")
    assert conf["options"]["transaction_mode"] == "IMMEDIATE"
    assert conf["options"]["timeout"] == 20
    assert "journal_mode=WAL" in conf["options"]["init_command"]
    assert conf["eager"] is True
    assert conf["cache"].endswith("LocMemCache")
    assert conf["debug"] is True
    assert (conf["language"], conf["tz"], conf["use_tz"]) == ("zh-hans", "Asia/Shanghai", True)


def test_database_url_may_name_another_sqlite_file(tmp_path):
    conf = probe(DATABASE_URL=f"sqlite:///{tmp_path}/other.db")
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["name"] == f"{tmp_path}/other.db"
    assert conf["options"]["transaction_mode"] == "IMMEDIATE"


def test_database_url_switches_to_postgresql_and_redis_url_to_a_real_broker():
    conf = probe(
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/bizenv", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["name"] == "bizenv"
    assert conf["eager"] is False
    assert conf["broker"] == "redis://127.0.0.1:6379/0"
    assert conf["cache"] == "core.cache.RedisCache"
    # The vote path may prepare its statements, unless a pooler rules it out.
    assert conf["options"]["prepare_threshold"] is not None
    pooled = probe(DATABASE_URL="postgres://u:p@127.0.0.1:5432/bizenv", DB_PREPARED_STATEMENTS="0")
    assert pooled["options"]["prepare_threshold"] is None


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"DJANGO_ENV": "production"}, "SECRET_KEY"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
        ({"DEBUG": "maybe"}, "DEBUG"),
    ],
)
def test_bad_environment_is_a_clear_configuration_error(env, message):
    result = settings_with(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]


def test_production_mode_turns_debug_off_and_cookies_secure():
    conf = probe(DJANGO_ENV="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="cases.example.cn")
    assert conf["debug"] is False
    assert conf["secure_cookie"] is True


# What a production deployment sets (README, "Production"); nothing here reaches a server.
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-secret-" + "x7Q" * 20,
    "ALLOWED_HOSTS": "cases.example.cn",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMS_SENDER": "reviews.vote.sms_gateways.HttpGatewaySender",
    "SITE_URL": "https://cases.example.cn",
    "PHONE_HASH_KEY": "another-long-random-secret-" + "k9P" * 20,
}


def run_in_production(args, **changes):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"} | TEST_ONLY}
    env.update(PRODUCTION_ENV)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_in_production_mode():
    result = run_in_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


UNSAFE = [
    ({"REDIS_URL": None}, "core.E001", "REDIS_URL"),
    ({"SMS_SENDER": None}, "core.E002", "SMS_SENDER"),
    ({"SMS_SENDER": "reviews.vote.sms.MemorySender"}, "core.E002", "SMS_SENDER"),
    ({"SMS_SENDER": "reviews.sms.ConsoleSender"}, "core.E002", "SMS_SENDER"),
    ({"SECRET_KEY": "dev-insecure-key-change-me-" + "x" * 40}, "core.E003", "SECRET_KEY"),
    ({"SITE_URL": None}, "core.E004", "SITE_URL"),
    # A misspelt sender: the class, the module, or something that is not a sender (#27).
    ({"SMS_SENDER": "reviews.vote.sms.HttpGatewaySender"}, "reviews.E001", "SMS_SENDER"),
    ({"SMS_SENDER": "reviews.vote.sms_gateways.HttpGatewaySendr"}, "reviews.E001", "SMS_SENDER"),
    ({"SMS_SENDER": "reviews.vote.sms_gateway.HttpGatewaySender"}, "reviews.E001", "SMS_SENDER"),
    ({"SMS_SENDER": "reviews.vote.sms.BaseSender"}, "reviews.E001", "SMS_SENDER"),
    ({"SMS_SENDER": "collections.OrderedDict"}, "reviews.E001", "SMS_SENDER"),
    ({"SMS_SENDER": "HttpGatewaySender"}, "reviews.E001", "SMS_SENDER"),
    ({"PHONE_HASH_KEY": None}, "core.E005", "PHONE_HASH_KEY"),
    ({"PHONE_HASH_KEY": PRODUCTION_ENV["SECRET_KEY"]}, "core.E005", "PHONE_HASH_KEY"),
]


@pytest.mark.parametrize("changes, check_id, name", UNSAFE)
def test_check_deploy_refuses_unsafe_production_settings(changes, check_id, name):
    result = run_in_production(["manage.py", "check", "--deploy"], **changes)
    assert result.returncode != 0
    assert check_id in result.stderr and name in result.stderr


WSGI_PROBE = "import bizenv.wsgi"


@pytest.mark.parametrize("changes, check_id, name", UNSAFE)
def test_the_wsgi_application_will_not_start_with_unsafe_production_settings(
    changes, check_id, name
):
    result = run_in_production(["-c", WSGI_PROBE], **changes)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last and name in last


def test_the_wsgi_application_starts_with_safe_production_settings():
    result = run_in_production(["-c", WSGI_PROBE])
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_the_running_database_has_its_chinese_search_index():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            # The in-memory test database cannot use WAL; a file database does.
            assert cursor.fetchone()[0] in ("wal", "memory")
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'cases_case_fts'")
            assert cursor.fetchone() is not None
        else:
            assert connection.vendor == "postgresql"
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'cases_case_search_trgm'")
            assert cursor.fetchone() is not None


def test_the_suite_runs_on_the_database_the_environment_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected
