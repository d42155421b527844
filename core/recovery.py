"""The recovery sweep: each app registers a function that does what a lost task left undone.

Apps register in their ``AppConfig.ready`` (``recovery.register("documents", fn)``); the
sweep calls each with ``now`` and reports what each did. Every step must be idempotent, so a
sweep that overlaps a late task still sends or writes once.
"""

import logging
from collections.abc import Callable

from celery import shared_task

log = logging.getLogger("core.recovery")

SWEEP_INTERVAL = 300.0  # seconds between sweeps under celery beat

_steps: dict[str, tuple[Callable, str]] = {}


def register(name: str, step: Callable, *, report: str) -> None:
    """Add ``step(now=…) -> int`` to the sweep under ``name`` (registering again replaces).
    ``report`` is how the command line says what it did, with ``{}`` for the count."""
    _steps[name] = (step, report)


@shared_task(name="core.recover_pending_work")
def recover_pending_work(now=None) -> dict:
    """Each step's count, or None for a step that failed: one step's fault (a mail server
    that refuses a message) is logged and must not stop the steps after it."""
    done = {}
    for name, (step, _report) in _steps.items():
        try:
            done[name] = step(now=now)
        except Exception:
            log.exception("recovery step %s failed", name)
            done[name] = None
    return done


def describe(done: dict) -> str:
    """One line in Chinese for what a sweep did, in the order the apps registered."""
    return "，".join(
        _steps[name][1].format(count)
        if count is not None
        else _steps[name][1].split("{}")[0].strip() + "出错（详见日志）"
        for name, count in done.items()
    )


def failed(done: dict) -> list[str]:
    return [name for name, count in done.items() if count is None]
