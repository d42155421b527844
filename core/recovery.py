"""The recovery sweep: each app registers a function that does what a lost task left undone.

Apps register in their ``AppConfig.ready`` (``recovery.register("documents", fn)``); the
sweep calls each with ``now`` and reports what each did. Every step must be idempotent, so a
sweep that overlaps a late task still sends or writes once.
"""

from collections.abc import Callable

from celery import shared_task

SWEEP_INTERVAL = 300.0  # seconds between sweeps under celery beat

_steps: dict[str, tuple[Callable, str]] = {}


def register(name: str, step: Callable, *, report: str) -> None:
    """Add ``step(now=…) -> int`` to the sweep under ``name`` (registering again replaces).
    ``report`` is how the command line says what it did, with ``{}`` for the count."""
    _steps[name] = (step, report)


@shared_task(name="core.recover_pending_work")
def recover_pending_work(now=None) -> dict:
    return {name: step(now=now) for name, (step, _report) in _steps.items()}


def describe(done: dict) -> str:
    """One line in Chinese for what a sweep did, in the order the apps registered."""
    return "，".join(_steps[name][1].format(count) for name, count in done.items())
