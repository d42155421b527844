"""Celery tasks: thin wrappers around plain functions (idempotent, so retries are safe)."""

from celery import shared_task

from cases import notifications
from core.background import OffRequestTask


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_case_transition(transition_id):
    return notifications.send_transition_notice(transition_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_return_requested(request_id):
    return notifications.send_return_requested_notice(request_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_return_declined(request_id):
    return notifications.send_return_declined_notice(request_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_round_published(round_id):
    return notifications.send_publication_notice(round_id)


# The public archive's background work (cases.archive.signals queues both after a change;
# the recovery sweep runs the same functions). One run at a time is enough: each is idempotent
# and reads the archive as it is when it starts. Off the request (core.background): the
# change that queued them (publishing a round) answers without waiting for them.
@shared_task(base=OffRequestTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def refresh_related_cases():
    from cases.archive import related

    return related.refresh_related()


@shared_task(base=OffRequestTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def rebuild_archive_exports():
    from cases.archive import prepared

    return prepared.rebuild_stale()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_adoption_recorded(adoption_id):
    from cases.adoption import notifications as adoption_notifications

    return adoption_notifications.send_recorded_notice(adoption_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_adoption_confirmed(adoption_id):
    from cases.adoption import notifications as adoption_notifications

    return adoption_notifications.send_confirmed_notice(adoption_id)
