"""Write a selection notice in the shape it was published in: as text, or as the outline the
Word and PDF documents follow (``publishing.notice_documents``).

Pure Python, no Django: the Django side builds a ``ParsedNotice`` (keyword arguments, sensible
defaults) from the database and calls ``write_notice_text``. Parsing the written text gives the
same shape, tiers, ranks, titles, subtitles, sections and districts back (``cases.notices.parser``).

Layout: the addressee unindented, every other paragraph indented by two spaces, one blank line
between paragraphs, in this order: preamble, "附件：…", signature, date ("2022年11月8日"), then
the list in its shape:

* ranked: per tier its heading and per case "排名N", the title, the subtitle, and the sections
  (heading line, then body paragraphs). A tier's ``heading`` is written as it is when set (so a
  parsed notice keeps its own wording), else built as "上海市{year}年度各区优化营商环境{tier}".
  A notice of one tier whose name and year the letter already states (2023) gets no heading:
  none is invented;
* compilation: the list's title (the 附件 line), "目  录" with the district headings
  ("一、浦东新区") and "案例N title" lines numbered across the document, then the same again
  with each case's "——subtitle" and sections. Cases are grouped by district in the order their
  districts first appear.

Limits of the plain-text layout, which the writer cannot express:
* a subtitle is written as its own line; when it would not read back as a subtitle (too long, or
  ending like a sentence) it is written "——subtitle", the form the 2022 notice uses once;
* a section without a heading can only come first (a lead paragraph): later ones read back as
  part of the section before them.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from cases.notices.parsed import ParsedNotice, ParsedTier
from cases.notices.preamble import single_tier_name, stated_year
from cases.notices.reading import cn_numeral, is_title_line

INDENT = "  "
TOC_HEADING = "目  录"


class Block(NamedTuple):
    """One printed paragraph: ``kind`` says what it is (the documents style it by kind)."""

    kind: str  # addressee preamble attachment signature date page list_title toc toc_district
    # toc_case tier district rank title subtitle heading paragraph
    text: str = ""


def format_date(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def tier_heading(year: int, tier_name: str) -> str:
    return f"上海市{year}年度各区优化营商环境{tier_name}"


def subtitle_line(subtitle: str) -> str:
    """The subtitle as printed: plain where it reads back as a subtitle, else after a dash."""
    if is_title_line(subtitle) and not subtitle.startswith(("—", "-", "－", "―")):
        return subtitle
    return "——" + subtitle


def _paragraphs(text: str) -> list[str]:
    return [paragraph.strip() for paragraph in text.splitlines() if paragraph.strip()]


def _header_blocks(notice: ParsedNotice) -> list[Block]:
    blocks = [Block("addressee", notice.addressee.strip())] if notice.addressee.strip() else []
    for paragraph in notice.preamble:
        blocks += [Block("preamble", line) for line in _paragraphs(paragraph)]
    attachment = _paragraphs(notice.attachment or "")
    if attachment:
        blocks.append(Block("attachment", "附件：" + attachment[0]))
        blocks += [Block("attachment", line) for line in attachment[1:]]
    if notice.signature:
        blocks.append(Block("signature", notice.signature.strip()))
    if notice.date:
        blocks.append(Block("date", format_date(notice.date)))
    return blocks


def prints_tier_headings(notice: ParsedNotice) -> bool:
    """Whether the list names its tiers in headings: not for one tier whose name and year the
    letter states already (the 2023 shape), unless the notice was read with a heading."""
    if len(notice.tiers) != 1 or notice.tiers[0].heading:
        return True
    implied_name = single_tier_name(notice.preamble, notice.attachment)
    implied_year = stated_year(notice.preamble, notice.attachment)
    return (implied_name, implied_year) != (notice.tiers[0].name, notice.year)


def tier_heading_text(notice: ParsedNotice, tier: ParsedTier) -> str:
    if tier.heading:
        return tier.heading
    year = notice.year or (notice.date.year if notice.date else None)
    if year is None:
        raise ValueError(f"无法生成档次“{tier.name}”的标题：缺少年度")
    return tier_heading(year, tier.name)


def _body_blocks(case) -> list[Block]:
    blocks = []
    for section in case.sections:
        heading = (section.get("heading") or "").strip()
        if heading:
            blocks.append(Block("heading", heading))
        blocks += [Block("paragraph", line) for line in _paragraphs(section.get("body") or "")]
    return blocks


def _ranked_blocks(notice: ParsedNotice, *, document: bool) -> list[Block]:
    headed = prints_tier_headings(notice)
    blocks = []
    for tier in notice.tiers:
        blocks.append(Block("page"))
        if headed:
            blocks.append(Block("tier", tier_heading_text(notice, tier)))
        for case in tier.cases:
            if not case.title.strip():
                raise ValueError(f"排名{case.rank}的案例缺少标题")
            blocks += [Block("rank", f"排名{case.rank}"), Block("title", case.title.strip())]
            subtitle = case.subtitle.strip()
            if subtitle:
                # The documents print the 2022 dash; the 2023 shape prints subtitles without.
                dashed = document and headed
                blocks.append(
                    Block("subtitle", "——" + subtitle if dashed else subtitle_line(subtitle))
                )
            blocks += _body_blocks(case)
    return blocks


def _compilation_blocks(notice: ParsedNotice) -> list[Block]:
    groups: dict[str, list] = {}
    for case in notice.cases():
        if not case.district:
            raise ValueError(f"汇编中的案例“{case.title}”未指定区，无法按区编排")
        if not case.title.strip():
            raise ValueError(f"{case.district}的一个案例缺少标题")
        groups.setdefault(case.district, []).append(case)
    toc, body = [Block("toc", TOC_HEADING)], [Block("page")]
    number = 0
    for index, (district, cases) in enumerate(groups.items(), start=1):
        heading = f"{cn_numeral(index)}、{district}"
        toc.append(Block("toc_district", heading))
        body.append(Block("district", heading))
        for case in cases:
            number += 1
            line = f"案例{cn_numeral(number)} {case.title.strip()}"
            toc.append(Block("toc_case", line))
            body.append(Block("title", line))
            if case.subtitle.strip():
                body.append(Block("subtitle", "——" + case.subtitle.strip()))
            body += _body_blocks(case)
    title = _paragraphs(notice.attachment or "")[:1]
    return [Block("page"), *(Block("list_title", t) for t in title), *toc, *body]


def notice_outline(notice: ParsedNotice, *, document: bool = False) -> list[Block]:
    """The notice as printed, paragraph by paragraph, in its shape (see the module docstring).
    ``document``: for Word and PDF, which print the 2022 shape's subtitles after a dash."""
    if notice.is_compilation:
        return _header_blocks(notice) + _compilation_blocks(notice)
    return _header_blocks(notice) + _ranked_blocks(notice, document=document)


def write_notice_text(notice: ParsedNotice) -> str:
    """The notice as text in the published layout (see the module docstring)."""
    lines = [
        block.text if block.kind == "addressee" else INDENT + block.text
        for block in notice_outline(notice)
        if block.kind != "page"
    ]
    return "\n\n".join(lines) + "\n"
