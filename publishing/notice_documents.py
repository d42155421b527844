"""The published notice as a document: one implementation for the page, the task and the
``export_notice`` command.

``notice_from_round`` builds a ``ParsedNotice`` from the database (the same dataclasses the
importer reads), and ``render`` writes it as text (``cases.notices.writer``, which imports back
with ``import_notice``), as Word (python-docx) or as PDF (WeasyPrint from an HTML template). All
three follow the notice's own shape, paragraph by paragraph as ``notice_outline`` gives it:
title, addressee, preamble, 附件 line, signature and date, then the list (per tier its heading
and each case as 排名N, title, subtitle and body; or a compilation's 目录 and district headings).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Round
from cases.notices.parsed import COMPILATION, RANKED, ParsedCase, ParsedNotice, ParsedTier
from cases.notices.writer import notice_outline, write_notice_text
from core.outbox import enqueue

from .models import NoticeDocument
from .publication import listed_cases

FORMATS = ("docx", "pdf", "txt")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
}
# The fonts official documents use, then those installed on a Linux server.
CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "SimSun"]
Progress = Callable[[int], None]


def _no_progress(percent: int) -> None:
    pass


# --- From the database ------------------------------------------------------------------------


def notice_from_round(round_: Round) -> ParsedNotice:
    """The round's notice and listed cases, tier by tier in rank order (a compilation's in
    printed order)."""
    cases = list(listed_cases(round_).select_related("district").in_notice_order())
    tiers = []
    if round_.is_compilation:
        tiers = [ParsedTier(cases=[_parsed_case(c) for c in cases])]
    for name in round_.tier_names + sorted({c.tier for c in cases} - set(round_.tier_names)):
        tier_cases = [c for c in cases if c.tier == name]
        if tier_cases and not round_.is_compilation:
            tiers.append(ParsedTier(name=name, cases=[_parsed_case(c) for c in tier_cases]))
    return ParsedNotice(
        shape=COMPILATION if round_.is_compilation else RANKED,
        addressee=round_.notice_addressee,
        preamble=[p.strip() for p in round_.notice_preamble.splitlines() if p.strip()],
        attachment=round_.notice_attachment,
        signature=round_.notice_signature,
        date=round_.notice_date,
        year=round_.year,
        tiers=tiers,
    )


def _parsed_case(case) -> ParsedCase:
    return ParsedCase(
        tier=case.tier,
        rank=case.rank,
        position=case.position,
        title=case.title,
        subtitle=case.subtitle,
        sections=[
            {"heading": s.get("heading", ""), "body": s.get("body", "")} for s in case.sections
        ],
        district=case.district.name if case.district else None,
    )


def document_title(round_: Round) -> str:
    """关于印发…的通知, unless staff wrote a title of their own."""
    title = (round_.notice_title or "").strip()
    attachment = (round_.notice_attachment or "").strip()
    if title and title != attachment:
        return title
    return f"关于印发{attachment or title}的通知"


def file_name(round_: Round, fmt: str) -> str:
    """The name a downloaded file carries: the attachment's title, as the commission names it."""
    return f"{round_.notice_attachment or document_title(round_)}.{fmt}"


# --- Rendering --------------------------------------------------------------------------------


def render(round_: Round, fmt: str, progress: Progress = _no_progress) -> bytes:
    notice = notice_from_round(round_)
    if fmt == "txt":
        data = write_notice_text(notice).encode("utf-8")
    elif fmt == "docx":
        data = render_docx(notice, document_title(round_), progress)
    elif fmt == "pdf":
        data = render_pdf(notice, document_title(round_), progress)
    else:
        raise ValueError(f"unknown format {fmt}")
    progress(100)
    return data


def render_docx(notice: ParsedNotice, title: str, progress: Progress = _no_progress) -> bytes:
    """The notice in GB/T 9704-2012's layout (``docx_layout``): the letter, then the list as its
    附件 from a new page, each tier (a compilation's contents and cases) on a page of its own."""
    from docx import Document

    from . import docx_layout as layout

    document = Document()
    layout.set_up(document, title=title, author=notice.signature.strip() or layout.AUTHOR)
    document.add_paragraph(title, style="Title")
    total = max(1, len(notice.cases()))
    done = 0
    new_page = attached = False
    blocks = notice_outline(notice, document=True)
    date_text = next((b.text for b in blocks if b.kind == "date"), "")
    previous = "title"
    for block in blocks:
        if block.kind == "page":
            new_page = True
            continue
        if block.kind == "addressee" or (block.kind == "attachment" and previous != "attachment"):
            document.add_paragraph()  # a blank line after the title and before the 附件 line
        if block.kind == "signature" or (block.kind == "date" and previous != "signature"):
            document.add_paragraph()
        if new_page and not attached:
            label = document.add_paragraph("附件", style="Notice Attachment Label")
            label.paragraph_format.page_break_before = True
            document.add_paragraph()
            new_page, attached = False, True
        paragraph = document.add_paragraph(block.text, style=layout.STYLES.get(block.kind))
        if new_page:
            paragraph.paragraph_format.page_break_before = True
            new_page = False
        if block.kind == "signature":
            paragraph.paragraph_format.right_indent = layout.signature_indent(block.text, date_text)
        elif block.kind == "date":
            paragraph.paragraph_format.right_indent = layout.DATE_INDENT
        if block.kind in ("tier", "list_title", "toc"):
            document.add_paragraph()  # a blank line under the list's title
        if block.kind == "title":
            done += 1
            progress(10 + 80 * done // total)
        previous = block.kind
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def notice_html(notice: ParsedNotice, title: str) -> str:
    return render_to_string(
        "publishing/notice_pdf.html",
        {
            "title": title,
            "blocks": notice_outline(notice, document=True),
            "fonts": ", ".join(f'"{f}"' for f in CJK_FONTS) + ", serif",
        },
    )


def render_pdf(notice: ParsedNotice, title: str, progress: Progress = _no_progress) -> bytes:
    from weasyprint import HTML

    html = notice_html(notice, title)
    progress(20)
    document = HTML(string=html).render()
    progress(80)
    return document.write_pdf()


# --- Stored documents and the background job ----------------------------------------------------


def request_documents(*, round: Round, formats=("docx", "pdf")) -> list[NoticeDocument]:
    """(Re)generate the round's notice files in the background; returns their rows."""
    from . import tasks

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
                enqueue(tasks.generate_notice_document, document.pk)
            except Exception as exc:  # eager mode runs it here; the row says what failed
                NoticeDocument.objects.filter(pk=document.pk).update(
                    status=NoticeDocument.Status.FAILED, error=str(exc)[:2000]
                )

    transaction.on_commit(enqueue_all)
    return documents


# A document pending or running longer than this lost its task (broker down, worker killed):
# rendering the largest notice takes seconds.
STALE_AFTER = timedelta(minutes=5)


def regenerate_stale_documents(now=None) -> int:
    """Render the documents whose task was lost; the number rendered."""
    now = now or timezone.now()
    stale = NoticeDocument.objects.filter(
        status__in=[NoticeDocument.Status.PENDING, NoticeDocument.Status.RUNNING],
        updated_at__lt=now - STALE_AFTER,
    )
    done = 0
    for document_id in stale.values_list("pk", flat=True):
        try:
            generate(document_id=document_id)
            done += 1
        except Exception:  # the row says what failed; the next sweep does not retry a failure
            continue
    return done


def generate(*, document_id: int, task_id: str = "") -> NoticeDocument:
    """Render and store one notice file. Idempotent: a file already done is left alone."""
    document = NoticeDocument.objects.select_related("round").get(pk=document_id)
    if document.is_done and document.file.storage.exists(document.file.name):
        return document
    rows = NoticeDocument.objects.filter(pk=document.pk)
    rows.update(
        status=NoticeDocument.Status.RUNNING,
        progress=5,
        error="",
        task_id=task_id,
        updated_at=timezone.now(),
    )
    last = [5]

    def progress(percent):
        if percent - last[0] >= 5 or percent == 100:  # a few writes, not one per case
            last[0] = percent
            rows.update(progress=min(percent, 99))

    try:
        data = render(document.round, document.format, progress)
        if document.file:
            document.file.delete(save=False)
        document.file.save(
            f"notice-{document.round_id}.{document.format}", ContentFile(data), save=False
        )
    except Exception as exc:
        rows.update(status=NoticeDocument.Status.FAILED, error=str(exc)[:2000] or repr(exc))
        raise
    rows.update(file=document.file.name, status=NoticeDocument.Status.DONE, progress=100)
    document.refresh_from_db()
    return document


def status_of(round_: Round) -> list[dict]:
    """The state of a round's notice files, for the progress endpoint."""
    return [
        {
            "format": d.format,
            "status": d.status,
            "status_display": d.get_status_display(),
            "progress": d.progress,
            "error": d.error,
            "ready": d.is_done,
        }
        for d in round_.notice_documents.all()
    ]


def missing_message(fmt: str) -> str:
    return _("该通知的 %(format)s 文件尚未生成。") % {"format": fmt}
