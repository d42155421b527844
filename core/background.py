"""Tasks that must not hold up the request that queues them, in both modes.

With a worker (``REDIS_URL``) such a task is sent to the broker like any other. In the
embedded mode Celery runs tasks eagerly, inside the caller: a request that publishes a round
would render the notice's Word and PDF files before it answers. A task declared with
``base=OffRequestTask`` runs instead in a thread of its own, started where the task is
queued (``core.outbox.enqueue``, itself called after the transaction commits), or, within a
request, once its response has been sent.

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
_active: set[tuple] = set()  # (task name, args, kwargs) with a thread
_again: set[tuple] = set()  # … queued again while that thread runs
_lock = threading.Lock()


def threads_enabled() -> bool:
    return getattr(settings, "EMBEDDED_TASK_THREADS", True)


class OffRequestTask(Task):
    """A task run in a thread of its own, not in its caller, when Celery runs eagerly."""

    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        if self.app.conf.task_always_eager and threads_enabled():
            task_id = task_id or str(uuid.uuid4())
            call = (self, tuple(args or ()), dict(kwargs or {}), task_id)
            deferred = getattr(_request, "deferred", None)
            if deferred is not None:
                deferred.append(call)
            else:
                start(*call)
            return AsyncResult(task_id, app=self.app)
        return super().apply_async(args, kwargs, task_id=task_id, **options)


# Queued during a request, the threads start once its response has gone out (request_finished
# comes when the server closes the response): until then they would share the interpreter,
# and SQLite's write lock, with the request they are meant not to slow down.
_request = threading.local()


def request_started(**kwargs) -> None:
    _request.deferred = []


def request_finished(**kwargs) -> None:
    deferred, _request.deferred = getattr(_request, "deferred", None), None
    for call in deferred or ():
        start(*call)


def connect() -> None:
    """Called by ``CoreConfig.ready``."""
    from django.core import signals

    signals.request_started.connect(request_started, dispatch_uid="core.background.started")
    signals.request_finished.connect(request_finished, dispatch_uid="core.background.finished")


def start(task: Task, args: tuple, kwargs: dict, task_id: str) -> threading.Thread | None:
    """Run ``task`` in a thread. The same task with the same arguments queued while its thread
    runs is not started beside it: that thread runs it once more when done (a burst of
    archive changes refreshes the archive twice, not once per change)."""
    key = (task.name, args, tuple(sorted(kwargs.items())))
    with _lock:
        if key in _active:
            _again.add(key)
            return None
        _active.add(key)
    thread = threading.Thread(
        target=_run, args=(task, args, kwargs, task_id, key), name=f"task {task.name}"
    )
    with _lock:
        _running.add(thread)
    thread.start()
    return thread


def _run(task: Task, args: tuple, kwargs: dict, task_id: str, key) -> None:
    released = False
    try:
        while not released:
            result = task.apply(args=args, kwargs=kwargs, task_id=task_id, throw=False)
            if result.failed():
                # The task records its own failure where staff see it (a failed row).
                log.error("%s%r failed in its thread: %r", task.name, args, result.result)
            with _lock:  # decide and let go in one step, or a call queued meanwhile is lost
                if key in _again:
                    _again.discard(key)
                else:
                    _active.discard(key)
                    released = True
    except BaseException:  # a dying thread must still log; its row is left for the sweep
        log.exception("%s%r died in its thread", task.name, args)
    finally:
        connections.close_all()  # this thread's own connections
        with _lock:
            if not released:
                _active.discard(key)
                _again.discard(key)
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
