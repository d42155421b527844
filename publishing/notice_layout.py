"""The notice's printed layout, shared by the Word file (``notice_documents.render_docx``) and
the PDF (``templates/publishing/notice_pdf.html``): which paragraphs are printed, where a page
breaks, where a blank line stands, how long titles break into lines and what the red header
(版头) says. Pure functions over the outline ``cases.notices.writer.notice_outline`` gives.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from cases.notices.writer import Block

from .title_lines import title_lines

AUTHOR = "上海市发展和改革委员会"
# The 版心 is 156 mm (442.2 pt) wide; the grid sets 28 characters of 3号 a line.
TEXT_WIDTH_PT = 156 / 25.4 * 72
TITLE_SIZE, BODY_SIZE = 22, 16
TITLE_WIDTH = math.floor(TEXT_WIDTH_PT / TITLE_SIZE)  # 20 characters of 2号
LINE_WIDTH = 28  # characters of 3号
# Paragraph kinds printed as titles, broken between words when too long, and their widths.
TITLE_KINDS = {"tier": TITLE_WIDTH, "list_title": TITLE_WIDTH, "title": LINE_WIDTH}
BLANK_AFTER = {"tier", "list_title", "toc", "attachment_label"}
JUSTIFIED = {"preamble", "paragraph", "attachment"}
# Printed with the paragraph after them on one page (styles in Word; CSS in the PDF).
BODY = {"paragraph", "subheading"}
KEEP_WITH_NEXT = {
    # The 附件 note stays with the signature and date: GB/T 9704 leaves no 成文日期 alone on
    # a page.
    "attachment",
    "attachment_label",
    "tier",
    "list_title",
    "toc",
    "toc_district",
    "district",
    "rank",
    "title",
    "subtitle",
    "heading",
    "subheading",
    "signature",
}
# A second-level heading standing as its own paragraph in a case's body: "（二）做强阵地支撑，
# 优化帮办服务". Short and not a sentence; a "（一）" that opens a long paragraph is body text.
SUBHEADING = re.compile(r"（[一二三四五六七八九十]{1,3}）[^。；！？]{2,30}[^。；！？：]")


def kind_of(block: Block) -> str:
    if block.kind == "paragraph" and SUBHEADING.fullmatch(block.text.strip()):
        return "subheading"
    return block.kind


@dataclass(frozen=True)
class Printed:
    """One printed paragraph of the notice."""

    kind: str
    text: str = ""
    lines: list[str] = field(default_factory=list)  # the text's lines (titles), else [text]
    new_page: bool = False
    blank_before: bool = False
    blank_after: bool = False
    continued: bool = False  # a second 附件 line, aligned under the first one's name
    # The body's last lines, kept with the signature and date (``keep_body_with_signature``).
    keep: bool = False

    @property
    def keep_with_next(self) -> bool:
        return self.keep or self.kind in KEEP_WITH_NEXT

    @property
    def justified(self) -> bool:
        """Set full width (the body's paragraphs), where ``unjustified_spaces`` matter."""
        return self.kind in JUSTIFIED


@dataclass(frozen=True)
class RedHeader:
    """版头: the issuing authority's mark in red, the 发文字号 under it, the red line."""

    issuer: str
    number: str = ""

    @property
    def issuer_size(self) -> int:
        """The mark's size in pt: as large as fits the 版心 on one line, at most 2 初号 (42)."""
        return min(42, math.floor(TEXT_WIDTH_PT / max(1, len(self.issuer))))


def red_header(*, enabled: bool, signature: str, number: str) -> RedHeader | None:
    if not enabled:
        return None
    authority = (signature or "").strip() or AUTHOR
    return RedHeader(issuer=f"{authority}文件", number=(number or "").strip())


def document_title_lines(title: str) -> list[str]:
    return title_lines(title, TITLE_WIDTH)


# A half-width space beside a Chinese character ("许可证 1.2 万张"), as case texts print them:
# set at its own width, never widened to justify the line (WeasyPrint justifies at spaces only,
# so a line's whole slack would go into it).
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) +(?=\S)|(?<=\S) +(?=[{_CJK}])")


def unjustified_spaces(text: str) -> list[tuple[str, bool]]:
    """``text`` in pieces (piece, whether it is such a space), for the PDF to print the spaces
    unstretched. The text itself is not changed."""
    pieces, at = [], 0
    for match in _CJK_SPACE.finditer(text):
        pieces.append((text[at : match.start()], False))
        pieces.append((match.group(), True))
        at = match.end()
    pieces.append((text[at:], False))
    return [piece for piece in pieces if piece[0]]


def printed(blocks: list[Block]) -> list[Printed]:
    """The outline as printed paragraphs: the letter, then "附件" at the top of a new page and
    the list, each further tier on a page of its own; blank lines after the title, before the
    附件 note, the signature (or the date without one), under the list's titles and between
    cases."""
    items: list[Printed] = []
    new_page = attached = False
    previous = "title"
    for block in blocks:
        if block.kind == "page":
            new_page = True
            continue
        if new_page and not attached:
            items.append(Printed("attachment_label", "附件", ["附件"], True, False, True))
            new_page, attached = False, True
        kind = kind_of(block)
        width = TITLE_KINDS.get(kind)
        items.append(
            Printed(
                kind,
                block.text,
                title_lines(block.text, width) if width else [block.text],
                new_page=new_page,
                blank_before=previous == "title"  # the line under the document's title
                or kind == "signature"
                or (kind == "attachment" and previous != "attachment")
                or (kind == "date" and previous != "signature")
                # A line between one case (or district) and the next.
                or (kind in ("rank", "title", "district") and previous in BODY),
                blank_after=kind in BLANK_AFTER,
                continued=kind == "attachment" and previous == "attachment",
            )
        )
        new_page = False
        previous = kind
    return keep_body_with_signature(items)


# The letter's closing parts: GB/T 9704-2012 (7.3.5) lets none stand on a page without body text.
CLOSING = {"attachment", "signature", "date"}
BODY_LINES_WITH_SIGNATURE = 2


def line_count(text: str, indent: int = 2) -> int:
    """How many lines of the 28-character grid a body paragraph takes (a half-width character
    counts half)."""
    width = indent + sum(0.5 if ord(char) < 128 else 1 for char in text)
    return max(1, math.ceil(width / LINE_WIDTH))


def keep_body_with_signature(items: list[Printed]) -> list[Printed]:
    """Keep at least two lines of the letter's body on the page of its 附件 note, signature and
    date (GB/T 9704-2012: a 成文日期 never stands alone): the body's last paragraphs, as many as
    make two lines, are printed with what follows them; the page breaks inside the first of
    them at the earliest (orphans and widows of two lines)."""
    closing = next((i for i, item in enumerate(items) if item.kind in CLOSING), None)
    if closing is None:
        return items
    lines = 0
    at = closing - 1
    while at >= 0 and lines < BODY_LINES_WITH_SIGNATURE and items[at].kind == "preamble":
        items[at] = replace(items[at], keep=True)
        lines += line_count(items[at].text)
        at -= 1
    return items
