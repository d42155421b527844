"""Celery tasks: thin wrappers around ``notice_documents``."""

from celery import shared_task
from django.db import OperationalError

from core.background import OffRequestTask

from . import notice_documents


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
