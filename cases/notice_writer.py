"""Write a selection notice as text, in the layout of the published 2022 notice.

Pure Python, no Django: the Django side builds a ``ParsedNotice`` (keyword arguments, sensible
defaults) from the database and calls ``write_notice_text``. Parsing the written text gives the
same tiers, ranks, titles, subtitles, sections and districts back (``notice_parser``).

Layout: the addressee unindented, every other paragraph indented by two spaces, one blank line
between paragraphs, in this order: preamble, "附件：…", signature, date ("2022年11月8日"), then
per tier its heading and per case "排名N", the title, the subtitle, and the sections (heading
line, then body paragraphs). A tier's ``heading`` is written as it is when set (so a parsed
notice keeps its own wording), else built as "上海市{year}年度各区优化营商环境{tier name}".

Limits of the plain-text layout, which the writer cannot express:
* a subtitle is written as its own line; when it would not read back as a subtitle (too long, or
  ending like a sentence) it is written "——subtitle", the form the 2022 notice uses once;
* a section without a heading can only come first (a lead paragraph): later ones read back as
  part of the section before them.
"""

from __future__ import annotations

import datetime

from cases.notice_parser import ParsedNotice, is_title_line

INDENT = "  "


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


def _header_blocks(notice: ParsedNotice) -> list[str]:
    blocks = [notice.addressee.strip()] if notice.addressee.strip() else []
    for paragraph in notice.preamble:
        blocks += [INDENT + line for line in _paragraphs(paragraph)]
    attachment = _paragraphs(notice.attachment or "")
    if attachment:
        blocks.append(INDENT + "附件：" + attachment[0])
        blocks += [INDENT + line for line in attachment[1:]]
    if notice.signature:
        blocks.append(INDENT + notice.signature.strip())
    if notice.date:
        blocks.append(INDENT + format_date(notice.date))
    return blocks


def _tier_heading_text(notice: ParsedNotice, tier) -> str:
    if tier.heading:
        return tier.heading
    year = notice.year or (notice.date.year if notice.date else None)
    if year is None:
        raise ValueError(f"无法生成档次“{tier.name}”的标题：缺少年度")
    return tier_heading(year, tier.name)


def _case_blocks(case) -> list[str]:
    if not case.title.strip():
        raise ValueError(f"排名{case.rank}的案例缺少标题")
    blocks = [INDENT + f"排名{case.rank}", INDENT + case.title.strip()]
    if case.subtitle.strip():
        blocks.append(INDENT + subtitle_line(case.subtitle.strip()))
    for section in case.sections:
        heading = (section.get("heading") or "").strip()
        if heading:
            blocks.append(INDENT + heading)
        blocks += [INDENT + line for line in _paragraphs(section.get("body") or "")]
    return blocks


def write_notice_text(notice: ParsedNotice) -> str:
    """The notice as text in the published layout (see the module docstring)."""
    blocks = _header_blocks(notice)
    for tier in notice.tiers:
        blocks.append(INDENT + _tier_heading_text(notice, tier))
        for case in tier.cases:
            blocks += _case_blocks(case)
    return "\n\n".join(blocks) + "\n"
