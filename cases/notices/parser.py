"""Read a published selection notice (印发公布的评选通知) into plain dataclasses.

Pure Python (the standard library and OpenCC), no Django: the parser runs and is tested on its
own. The Django side turns a ``ParsedNotice`` into database rows (``importer``), and builds one
from the database to write a notice again (``writer``).

``parse_notice`` is the one entry point: it decodes the text, converts traditional characters
to simplified where the text is written in them, reads it as canonical lines (``reading``),
drops stray lines, hands the lines to the reader of the notice's shape (``shapes``), and checks
the result against what the letter says it holds (``checks``). The steps shapes share live in
``reading`` (lines, headings, dates, the letter before the list), ``preamble`` (what the letter
states), ``districts`` (which district a case is about) and ``parsed`` (the result).

The shapes:

* ranked (2022, 2023): 排名N lines, in tiers under headings or in one unheaded tier;
* compilation (2021): 案例N lines under district headings, after a 目录.

Anything else (a numbered list "1. …", a table) is refused with one line saying what was
expected: never a silent partial import.
"""

from __future__ import annotations

import re

from cases.notices import checks
from cases.notices.parsed import IncompleteNotice, NoticeError, ParsedNotice
from cases.notices.reading import (
    Line,
    decode_notice,
    is_page_chrome,
    is_stray,
    rank_of,
    source_lines,
)
from cases.notices.reading import to_simplified as _to_simplified
from cases.notices.shapes import compilation, ranked

EXPECTED = "应为评选名单（“排名1”等行）或汇编（区标题下的“案例一”等行）"
_NUMBERED_ITEM = re.compile(r"^[0-9]{1,3}\s*[.．、]\s*\S")
_TABLE_ROW = re.compile(r"\t|\|.*\||^\s*序号")


def parse_notice(text_or_bytes: str | bytes, *, allow_partial: bool = False) -> ParsedNotice:
    """Parse a notice given as text or as the bytes of its file.

    Raises ``NoticeError`` (one line in Chinese) when it cannot be read, and
    ``IncompleteNotice`` when it does not hold what it says it holds, unless ``allow_partial``:
    then the differences are in ``notice.shortfall``.
    """
    if isinstance(text_or_bytes, (bytes, bytearray, memoryview)):
        text = decode_notice(text_or_bytes)
    elif isinstance(text_or_bytes, str):
        text = text_or_bytes
    else:
        raise TypeError("parse_notice expects str or bytes")
    notice = ParsedNotice()
    text, notice.converted_from_traditional = _to_simplified(text)
    lines = []
    for line in source_lines(text):
        if is_stray(line.text):
            notice.dropped_lines.append(line.text)
        elif is_page_chrome(line.text):
            notice.page_chrome.append(line.text)
        else:
            lines.append(line)
    if not lines:
        raise NoticeError("通知内容为空")
    _shape_of(lines).read(lines, notice)
    notice.shortfall += checks.shortfall(notice)
    if notice.shortfall and not allow_partial:
        raise IncompleteNotice(notice.shortfall, notice)
    return notice


def _shape_of(lines: list[Line]):
    """The reader of the notice's shape, or a refusal naming what was expected."""
    if any(rank_of(line.text) is not None for line in lines):
        return ranked
    if compilation.looks_like_compilation(lines):
        return compilation
    texts = [line.text for line in lines]
    if sum(bool(_TABLE_ROW.search(raw)) for raw in texts) >= 3:
        raise NoticeError(f"无法读取：这是一张表格，{EXPECTED}")
    numbered = [text for text in texts if _NUMBERED_ITEM.match(text)]
    if len(numbered) >= 3:
        raise NoticeError(f"无法读取：这是编号列表（如“{numbered[0][:20]}”），{EXPECTED}")
    raise NoticeError(f"不是评选通知：未找到“排名”行，{EXPECTED}")
