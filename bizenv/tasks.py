"""Operational tasks that belong to no domain app: safe enqueueing and the recovery sweep.

Work that must not be lost (a notification, a notice document) is first recorded in the
database: a CaseTransition row, a NoticeDocument row. Enqueueing is then only a hint to do it
now. If the broker is down the hint is lost, not the work: `recover_pending_work` (every few
minutes under celery beat, or `manage.py recover_pending_work`) finds what was recorded and
not done, and does it. Every step is idempotent, so doing it twice sends or writes once.
"""

import logging

from celery import shared_task
from django.core.mail import send_mail

log = logging.getLogger("bizenv.tasks")


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


@shared_task
def recover_pending_work(now=None) -> dict:
    from cases.notifications import send_pending_transition_notices
    from publishing.notice_documents import regenerate_stale_documents

    return {
        "notifications": send_pending_transition_notices(now=now),
        "documents": regenerate_stale_documents(now=now),
    }


@shared_task
def send_smoke_mail(tag: str) -> str:
    """Used by `make deploy-check` to prove the broker and a worker carry tasks end to end."""
    send_mail(f"[smoke] {tag}", "deploy-check", None, ["ops@example.cn"])
    return tag
