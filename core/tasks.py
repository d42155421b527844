"""Operational tasks that belong to no domain app."""

from celery import shared_task
from django.core.mail import send_mail

from .recovery import recover_pending_work  # noqa: F401  (autodiscovery finds tasks here)


@shared_task(name="core.send_smoke_mail")
def send_smoke_mail(tag: str) -> str:
    """Used by `make deploy-check` to prove the broker and a worker carry tasks end to end."""
    send_mail(f"[smoke] {tag}", "deploy-check", None, ["ops@example.cn"])
    return tag
