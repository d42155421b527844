"""Celery tasks: thin wrappers around cases/notifications.py (idempotent, so retries are safe)."""

from celery import shared_task

from . import notifications


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_case_transition(transition_id):
    return notifications.send_transition_notice(transition_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_round_published(round_id):
    return notifications.send_publication_notice(round_id)
