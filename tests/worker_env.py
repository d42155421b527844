"""Loaded before Django's settings (``-p tests.worker_env`` in pyproject.toml's addopts).

Under pytest-xdist each worker is a process of its own with its own test database
(pytest-django adds ``_gw0``, ``_gw1`` … to the name). Redis needs the same: the autouse
fixture in ``tests/conftest.py`` clears the cache (FLUSHDB) before every test, which would
wipe the other worker's rate-limit counters, sessions and Celery messages. So each worker
takes the database after the configured one (``/0`` → ``/1`` for gw0, ``/2`` for gw1 …), for
the cache, the broker and any worker process it starts alike (they inherit the environment).
"""

import os
from urllib.parse import urlsplit, urlunsplit


def worker_redis_url(url, worker):
    """``redis://host:6379/4`` for worker ``gw3`` of a run configured with ``/0``."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{base + 1 + index}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], _worker)
