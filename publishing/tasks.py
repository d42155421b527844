"""Celery tasks: thin wrappers around ``notice_documents``, and the queueing of them."""

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from cases.models import Round
from core.background import OffRequestTask
from core.outbox import enqueue

from . import notice_documents
from .models import NoticeDocument


# Off the request: publishing answers at once, the files follow (core.background).
@shared_task(
    bind=True,
    base=OffRequestTask,
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=60,
    retry_kwargs={"max_retries": 3},
)
def generate_notice_document(self, document_id: int) -> str:
    document = notice_documents.generate(document_id=document_id, task_id=self.request.id or "")
    return document.file.name


def request_documents(*, round: Round, formats=("docx", "pdf")) -> list[NoticeDocument]:
    """(Re)generate the round's notice files in the background; returns their rows."""
    documents = []
    for fmt in formats:
        document, _created = NoticeDocument.objects.get_or_create(round=round, format=fmt)
        NoticeDocument.objects.filter(pk=document.pk).update(
            status=NoticeDocument.Status.PENDING, progress=0, error="", updated_at=timezone.now()
        )
        documents.append(document)

    def enqueue_all():
        for document in documents:
            try:
                # A broker that is down leaves the row pending for the recovery sweep.
                enqueue(generate_notice_document, document.pk)
            except Exception as exc:  # eager mode runs it here; the row says what failed
                NoticeDocument.objects.filter(pk=document.pk).update(
                    status=NoticeDocument.Status.FAILED, error=str(exc)[:2000]
                )

    transaction.on_commit(enqueue_all)
    return documents
