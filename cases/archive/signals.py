"""When the published archive changes, queue the background work that follows it: the
related-cases index (cases.archive.related) and the prepared export files
(cases.archive.prepared).

A change is a published case saved or deleted, a case leaving the published state, a round
saved while (or after being) published, a district or topic renamed. The work is queued once
per transaction, after it commits; what a lost task leaves undone, the recovery sweep does.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from cases.models import Case, District, Round, Topic
from core.outbox import enqueue


def _queue_work():
    from cases import tasks

    enqueue(tasks.refresh_related_cases)
    enqueue(tasks.rebuild_archive_exports)


def archive_changed() -> None:
    """Queue the work after the current transaction commits (at once outside one); twice in
    one transaction queues it once."""
    connection = transaction.get_connection()
    pending = getattr(connection, "_archive_work", None)
    queued = getattr(connection, "run_on_commit", None) or []
    if pending is not None and any(entry[1] is pending for entry in queued):
        return  # already queued in this transaction (a rollback would have dropped it)

    def work():
        connection._archive_work = None
        _queue_work()

    connection._archive_work = work
    # robust: the work is a hint (the sweep redoes it); its failure must not fail the request
    # whose change has committed.
    transaction.on_commit(work, robust=True)


def _was_published(model, instance, published) -> bool:
    if instance.pk is None:
        return False
    return model.objects.filter(pk=instance.pk, status=published).exists()


def note_previous_state(sender, instance, raw=False, **kwargs):
    """Before a save: was this case or round published (a change away from it counts)?"""
    if raw:
        return
    published = Case.Status.PUBLISHED if sender is Case else Round.Status.PUBLISHED
    instance._archive_was_published = instance.status != published and _was_published(
        sender, instance, published
    )


def case_or_round_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    published = Case.Status.PUBLISHED if sender is Case else Round.Status.PUBLISHED
    if instance.status == published or getattr(instance, "_archive_was_published", False):
        archive_changed()


def case_deleted(sender, instance, **kwargs):
    if instance.status == Case.Status.PUBLISHED:
        archive_changed()


def name_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        archive_changed()


def connect() -> None:
    for model in (Case, Round):
        pre_save.connect(note_previous_state, sender=model, dispatch_uid=f"archive-pre-{model}")
        post_save.connect(case_or_round_saved, sender=model, dispatch_uid=f"archive-{model}")
    post_delete.connect(case_deleted, sender=Case, dispatch_uid="archive-case-deleted")
    for model in (District, Topic):
        post_save.connect(name_changed, sender=model, dispatch_uid=f"archive-name-{model}")
