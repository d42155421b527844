"""The one door for an adoption record's changes: an officer records or edits it (it waits for
staff again), staff confirm it or return it with a comment. Each change is a saved row (the
history and the audit trail); mails go after the transaction commits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.outbox import enqueue

from .models import Adoption, normalise_text


def _after_commit(task_name: str, adoption_pk: int) -> None:
    from cases import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: enqueue(task, adoption_pk))


@transaction.atomic
def save_record(adoption: Adoption, *, user) -> Adoption:
    """Save an officer's new or edited record: it is pending until staff confirm it again."""
    new = adoption.pk is None
    if new:
        adoption.created_by = user
    adoption.status = Adoption.Status.PENDING
    adoption.full_clean()
    adoption.save()
    if new:
        _after_commit("notify_adoption_recorded", adoption.pk)
    return adoption


@transaction.atomic
def confirm(adoption: Adoption, *, user, comment: str = "") -> Adoption:
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if adoption.status == Adoption.Status.CONFIRMED:
        return adoption
    # The rules again: the own case may have been rejected since it was recorded.
    adoption.full_clean()
    adoption.status = Adoption.Status.CONFIRMED
    adoption.staff_comment = normalise_text(comment)
    adoption.reviewed_by = user
    adoption.reviewed_at = timezone.now()
    adoption.save()
    _after_commit("notify_adoption_confirmed", adoption.pk)
    return adoption


@transaction.atomic
def return_record(adoption: Adoption, *, user, comment: str) -> Adoption:
    comment = normalise_text(comment)
    if not comment:
        raise ValidationError({"comment": _("退回时请写明原因。")})
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    adoption.status = Adoption.Status.RETURNED
    adoption.staff_comment = comment
    adoption.reviewed_by = user
    adoption.reviewed_at = timezone.now()
    adoption.full_clean(exclude=["source", "own_case", "since"])
    adoption.save()
    return adoption
