"""Tasks that must not hold up the request that queues them, in both modes.

With a worker (``REDIS_URL``) such a task is sent to the broker like any other. In the
embedded mode Celery runs tasks eagerly, inside the caller: a request that publishes a round
would render the notice's Word and PDF files before it answers. A task declared with
``base=OffRequestTask`` runs instead in a thread of its own, started where the task is
queued (``core.outbox.enqueue``, itself called after the transaction commits).

The work is recorded before it is queued (a pending row), so a thread that dies with its
process leaves what the recovery sweep (``core.recovery``) picks up, as a lost task does.
Threads are not daemons: a graceful shutdown lets them finish. ``EMBEDDED_TASK_THREADS``
off runs such tasks eagerly in the caller again (the test suite does, so that one test's
work stays in its own transaction); ``wait()`` joins the threads still running.
"""

from __future__ import annotations

import logging
import threading
import uuid

from celery import Task
from celery.result import AsyncResult
from django.conf import settings
from django.db import connections

log = logging.getLogger("core.background")

_running: set[threading.Thread] = set()
_lock = threading.Lock()


def threads_enabled() -> bool:
    return getattr(settings, "EMBEDDED_TASK_THREADS", True)


class OffRequestTask(Task):
    """A task run in a thread of its own, not in its caller, when Celery runs eagerly."""

    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        if self.app.conf.task_always_eager and threads_enabled():
            task_id = task_id or str(uuid.uuid4())
            start(self, tuple(args or ()), dict(kwargs or {}), task_id)
            return AsyncResult(task_id, app=self.app)
        return super().apply_async(args, kwargs, task_id=task_id, **options)


def start(task: Task, args: tuple, kwargs: dict, task_id: str) -> threading.Thread:
    thread = threading.Thread(
        target=_run, args=(task, args, kwargs, task_id), name=f"task {task.name} {task_id[:8]}"
    )
    with _lock:
        _running.add(thread)
    thread.start()
    return thread


def _run(task: Task, args: tuple, kwargs: dict, task_id: str) -> None:
    try:
        result = task.apply(args=args, kwargs=kwargs, task_id=task_id, throw=False)
        if result.failed():
            # The task records its own failure where staff see it (a failed row).
            log.error("%s%r failed in its thread: %r", task.name, args, result.result)
    except BaseException:  # a dying thread must still log; its row is left for the sweep
        log.exception("%s%r died in its thread", task.name, args)
    finally:
        connections.close_all()  # this thread's own connections
        with _lock:
            _running.discard(threading.current_thread())


def running() -> list[threading.Thread]:
    with _lock:
        return list(_running)


def wait(timeout: float = 120.0) -> bool:
    """Join every task thread, including those started while waiting; False on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while threads := running():
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            return not running()
    return True
