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
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.shared import Pt

from cases.models import Round
from cases.notices.parsed import COMPILATION, RANKED, ParsedCase, ParsedNotice, ParsedTier
from cases.notices.writer import notice_outline, write_notice_text

from . import notice_layout
from .document_fonts import document_fonts
from .models import NoticeDocument
from .notice_draft import listed_cases

FORMATS = ("docx", "pdf", "txt")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
}
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
    """The round's notice file as staff preview it and as publishing stores it: one function
    over the round's current state, so both are the same document."""
    notice = notice_from_round(round_)
    header = notice_layout.red_header(
        enabled=round_.red_header, signature=round_.notice_signature, number=round_.document_number
    )
    if fmt == "txt":
        data = write_notice_text(notice).encode("utf-8")
    elif fmt == "docx":
        data = render_docx(notice, document_title(round_), progress, header=header)
    elif fmt == "pdf":
        data = render_pdf(notice, document_title(round_), progress, header=header)
    else:
        raise ValueError(f"unknown format {fmt}")
    progress(100)
    return data


def preview(round_: Round, fmt: str) -> bytes:
    """The file publishing would store now: the notice as the staff page shows it (the fields
    staff saved, the draft for the others, as the form is prefilled) through ``render``.
    Publishing saves the form's values and renders the same round, so staff get what they
    previewed. The round is changed in memory only."""
    from .notice_draft import NOTICE_FIELDS, draft_notice

    draft = draft_notice(round_)
    for name in NOTICE_FIELDS:
        setattr(round_, name, draft[name])
    return render(round_, fmt)


def render_docx(
    notice: ParsedNotice,
    title: str,
    progress: Progress = _no_progress,
    *,
    header: notice_layout.RedHeader | None = None,
) -> bytes:
    """The notice in GB/T 9704-2012's layout (``docx_layout``): the letter, then the list as its
    附件 from a new page, each tier (a compilation's contents and cases) on a page of its own."""
    from docx import Document

    from . import docx_layout as layout

    document = Document()
    layout.set_up(document, title=title, author=notice.signature.strip() or layout.AUTHOR)
    if header:
        layout.add_red_header(document, header)
    layout.add_lines(
        document.add_paragraph(style="Title"), notice_layout.document_title_lines(title)
    )
    total = max(1, len(notice.cases()))
    done = 0
    items = notice_layout.printed(notice_outline(notice, document=True))
    date_text = next((item.text for item in items if item.kind == "date"), "")
    for item in items:
        if item.blank_before:
            document.add_paragraph()
        style = "Notice Attachment Label" if item.kind == "attachment_label" else None
        paragraph = document.add_paragraph(style=style or layout.STYLES.get(item.kind))
        layout.add_lines(paragraph, item.lines)
        fmt = paragraph.paragraph_format
        if item.new_page:
            fmt.page_break_before = True
        if item.keep_with_next and not paragraph.style.paragraph_format.keep_with_next:
            fmt.keep_with_next = True  # 目录's district lines share a style with its cases
        if item.kind == "signature":
            fmt.right_indent = layout.signature_indent(item.text, date_text)
        elif item.kind == "date":
            fmt.right_indent = layout.DATE_INDENT
        elif item.kind == "attachment":  # further lines under the first 附件 line's name
            fmt.left_indent = Pt(5 * layout.SIZE_3)
            fmt.first_line_indent = Pt((-3 if not item.continued else 0) * layout.SIZE_3)
        if item.blank_after:
            document.add_paragraph()
        if item.kind == "title":
            done += 1
            progress(10 + 80 * done // total)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def notice_html(
    notice: ParsedNotice, title: str, *, header: notice_layout.RedHeader | None = None
) -> str:
    from . import docx_layout as layout

    items = notice_layout.printed(notice_outline(notice, document=True))
    date_text = next((item.text for item in items if item.kind == "date"), "")
    signature = next((item.text for item in items if item.kind == "signature"), "")
    pitch = layout.line_pitch() / 20
    fonts = document_fonts()
    return render_to_string(
        "publishing/notice_pdf.html",
        {
            "title": title,
            "title_lines": notice_layout.document_title_lines(title),
            "author": notice.signature.strip() or notice_layout.AUTHOR,
            "blocks": items,
            "red_header": header,
            "issuer_size": header.issuer_size if header else 0,
            "font_faces": fonts.css,
            "fonts": fonts.families,
            "line_pitch": f"{pitch:.2f}",
            "two_lines": f"{2 * pitch:.2f}",
            # The grid's character pitch, a hair tighter so 28 characters fit despite rounding.
            "letter_spacing": f"{layout.char_space() / 4096 - 0.03:.3f}",
            "date_indent": layout.DATE_INDENT.pt,
            "signature_indent": f"{layout.signature_indent(signature, date_text).pt:.1f}",
        },
    )


def render_pdf(
    notice: ParsedNotice,
    title: str,
    progress: Progress = _no_progress,
    *,
    header: notice_layout.RedHeader | None = None,
) -> bytes:
    from weasyprint import HTML

    html = notice_html(notice, title, header=header)
    progress(20)
    document = HTML(string=html).render()
    progress(80)
    return document.write_pdf()


# --- Stored documents and the background job ----------------------------------------------------


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
