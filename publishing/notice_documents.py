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
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    document = Document()
    _docx_styles(document)
    document.core_properties.title = title
    document.add_heading(title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    total = max(1, len(notice.cases()))
    done = 0
    for block in notice_outline(notice, document=True):
        if block.kind == "page":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif block.kind in DOCX_HEADINGS:
            document.add_heading(block.text, level=DOCX_HEADINGS[block.kind])
        elif block.kind == "rank":
            document.add_paragraph(style="Notice Rank").add_run(block.text).bold = True
        else:
            document.add_paragraph(block.text, style=DOCX_STYLES.get(block.kind))
        if block.kind == "title":
            done += 1
            progress(10 + 80 * done // total)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Outline kinds printed as Word headings (by level) and in the notice's own paragraph styles.
DOCX_HEADINGS = {"tier": 1, "list_title": 1, "toc": 1, "title": 2, "district": 1, "heading": 3}
DOCX_STYLES = {
    "addressee": "Notice Addressee",
    "signature": "Notice Signature",
    "date": "Notice Signature",
    "subtitle": "Notice Subtitle",
    "toc_district": "Notice Contents",
    "toc_case": "Notice Contents",
}


def _docx_styles(document) -> None:
    """Black headings in a CJK font, body paragraphs indented two characters."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    def cjk(style, font, size=None, bold=None):
        style.font.name = font
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if size:
            style.font.size = Pt(size)
        if bold is not None:
            style.font.bold = bold

    normal = document.styles["Normal"]
    cjk(normal, "SimSun", 12)
    normal.paragraph_format.first_line_indent = Pt(24)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.4
    for name, size in (("Title", 20), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12)):
        style = document.styles[name]
        cjk(style, "SimHei", size, True)
        style.paragraph_format.first_line_indent = Pt(0)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Heading 2"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name, align, indent in (
        ("Notice Addressee", WD_ALIGN_PARAGRAPH.LEFT, 0),
        ("Notice Signature", WD_ALIGN_PARAGRAPH.RIGHT, 0),
        ("Notice Rank", WD_ALIGN_PARAGRAPH.CENTER, 0),
        ("Notice Subtitle", WD_ALIGN_PARAGRAPH.CENTER, 0),
        ("Notice Contents", WD_ALIGN_PARAGRAPH.LEFT, 0),
    ):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.paragraph_format.alignment = align
        style.paragraph_format.first_line_indent = Pt(indent)


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
