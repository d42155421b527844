"""Recorded work and its queueing hint.

Work that must not be lost (a notification, a notice document) is first recorded in the
database by the app that owns it: a CaseTransition row, a NoticeDocument row. Enqueueing is
then only a hint to do it now. If the broker is down the hint is lost, not the work: the
recovery sweep (core.recovery) finds what was recorded and not done, and does it.
"""

import logging

log = logging.getLogger("core.outbox")


def enqueue(task, *args) -> bool:
    """``task.delay(*args)``, but a broker that is down is logged, not raised: the caller's
    transaction has committed and its user must not see an error for it."""
    try:
        task.delay(*args)
    except Exception as exc:  # kombu raises OperationalError, redis ConnectionError, …
        if task.app.conf.task_always_eager:
            raise  # in eager mode this is the task's own failure, not the broker's
        log.warning("could not enqueue %s%r, left for the recovery sweep: %s", task.name, args, exc)
        return False
    return True
