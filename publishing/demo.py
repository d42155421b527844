"""Demo data step (``manage.py demo_data``): the published 2022 notice as Word and PDF."""

from cases.models import Round

from . import notice_documents
from .models import NoticeDocument


def ensure_notice_documents() -> str:
    made = []
    for round_ in Round.objects.filter(status=Round.Status.PUBLISHED):
        for fmt in ("docx", "pdf"):
            document, _created = NoticeDocument.objects.get_or_create(round=round_, format=fmt)
            if not document.is_done:
                notice_documents.generate(document_id=document.pk)
                made.append(f"{round_.year}.{fmt}")
    return f"已生成通知文件：{'、'.join(made)}" if made else "通知文件已存在"
