"""Celery tasks: thin wrappers around ``notice_documents``."""

from celery import shared_task
from django.db import OperationalError

from . import notice_documents


@shared_task(
    bind=True,
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=60,
    retry_kwargs={"max_retries": 3},
)
def generate_notice_document(self, document_id: int) -> str:
    document = notice_documents.generate(document_id=document_id, task_id=self.request.id or "")
    return document.file.name
