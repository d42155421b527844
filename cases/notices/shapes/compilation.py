"""The compilation shape (2021): no tiers and no ranks, cases grouped under district headings and
numbered across the whole document, first listed in a 目录, then printed in full::

    2021年全市各区优化营商环境优秀案例      <- the list's title (optional, as the 附件 line)
    目  录
    一、浦东新区                          <- district heading
    案例一 推进商事登记确认制             <- listed case
    …
    一、浦东新区                          <- the same structure again, with each case's text
    案例一 推进商事登记确认制 持续创新市场准入便利化改革
    一、改革举措                          <- sections as in every shape
    ……

A case's district is its heading's, never read from its text. The body is authoritative; the
目录 only checks it: a case in one and not the other, or under another district or title, is a
shortfall. On a 案例N line the title may carry its subtitle after a space; it is split only
where the split is certain (the 目录 lists the main title alone, or the subtitle starts with a
dash); otherwise the whole line is the title. A line "——subtitle" after it is the subtitle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cases.notices.districts import DISTRICT_NAMES
from cases.notices.parsed import COMPILATION, NoticeError, ParsedCase, ParsedNotice, ParsedTier
from cases.notices.preamble import stated_year
from cases.notices.reading import (
    Line,
    cn_number,
    cn_numeral,
    keep_distinct,
    letters,
    read_header,
    split_sections,
    year_in,
)

_CASE_LINE = re.compile(
    r"^案例\s*([0-9零〇一二两三四五六七八九十百]+)(?:\s*[：、.．]\s*|\s+|$)(.*)$"
)
_DISTRICT_HEADING = re.compile(
    r"^[一二三四五六七八九十]+\s*[、.．]\s*(" + "|".join(DISTRICT_NAMES) + r")$"
)
_DASHES = "—―－-"
MAX_CASE_LINE_CHARS = 90


@dataclass
class _Printed:
    line: Line
    number: int
    text: str  # what follows 案例N on its line
    district: str
    content: list[Line] = field(default_factory=list)


def case_line(text: str) -> tuple[int, str] | None:
    """(number, rest) of a "案例三 title" line, else None."""
    match = _CASE_LINE.match(text)
    if not match or len(text) > MAX_CASE_LINE_CHARS or text.endswith(("。", "；")):
        return None
    number = cn_number(match.group(1))
    return (number, match.group(2).strip()) if number else None


def district_heading(text: str) -> str | None:
    """The district a "一、浦东新区" heading names, else None."""
    match = _DISTRICT_HEADING.match(text)
    return match.group(1) if match else None


def _is_toc_heading(text: str) -> bool:
    return letters(text) == "目录"


def _district_at(lines: list[Line], index: int) -> str | None:
    # A district heading counts only where a 案例 line follows it (a case's own section
    # "一、浦东新区" would not be followed by one).
    if index + 1 < len(lines) and case_line(lines[index + 1].text):
        return district_heading(lines[index].text)
    return None


def looks_like_compilation(lines: list[Line]) -> bool:
    return any(_district_at(lines, i) for i in range(len(lines)))


def read(lines: list[Line], notice: ParsedNotice) -> None:
    """Fill ``notice`` from the notice's canonical lines (stray lines already dropped)."""
    notice.shape = COMPILATION
    first_district = next(i for i in range(len(lines)) if _district_at(lines, i))
    toc_at = next((i for i in range(first_district) if _is_toc_heading(lines[i].text)), None)
    header_end = first_district if toc_at is None else min(toc_at, first_district)
    list_title = _list_title(lines, header_end)
    read_header(lines[: header_end - (list_title is not None)], notice)
    toc, body_start = ([], first_district) if toc_at is None else _read_toc(lines, toc_at)
    printed = _read_printed(lines[body_start:], notice, list_title)
    cases = [_parse_case(item, toc) for item in printed]
    notice.tiers = [ParsedTier(cases=keep_distinct(cases, notice))]
    notice.year = (
        stated_year(notice.preamble, notice.attachment)
        or year_in(list_title or "")
        or (notice.date.year if notice.date else None)
    )
    if toc_at is None:
        notice.warnings.append("汇编没有目录，未能与目录核对")
    else:
        notice.shortfall += _compare(toc, printed, cases)


def _list_title(lines: list[Line], header_end: int) -> str | None:
    """The list's own title printed just before the 目录 (or the first district), if any."""
    if header_end == 0:
        return None
    text = lines[header_end - 1].text
    if "营商环境" in text and len(text) <= 60 and not text.endswith("。") and "附件" not in text:
        return text
    return None


def _read_toc(lines: list[Line], toc_at: int) -> tuple[list[tuple[int, str, str]], int]:
    """The 目录 as (number, district, text) and where the body starts."""
    toc: list[tuple[int, str, str]] = []
    district = ""
    index = toc_at + 1

    def continues(found) -> bool:  # numbered on from the 目录's last case
        return bool(found) and (not toc or found[0] > toc[-1][0])

    while index < len(lines):
        text = lines[index].text
        following = case_line(lines[index + 1].text) if index + 1 < len(lines) else None
        found = case_line(text)
        if continues(found):
            toc.append((found[0], district, found[1]))
        elif district_heading(text) and continues(following):
            district = district_heading(text)
        else:
            break  # a case numbered again, or the list's title: the body begins
        index += 1
    if not toc:
        raise NoticeError(f"第{lines[toc_at].number}行的目录之后没有“案例一”等案例行")
    return toc, index


def _read_printed(lines: list[Line], notice: ParsedNotice, list_title: str | None) -> list:
    printed: list[_Printed] = []
    district = ""
    for index, line in enumerate(lines):
        found = case_line(line.text)
        heading = _district_at(lines, index)
        if heading:
            district = heading
        elif found and (not printed or found[0] > printed[-1].number):
            if not district:
                raise NoticeError(f"第{line.number}行“{line.text}”之前没有区标题")
            printed.append(_Printed(line, found[0], found[1], district))
        elif printed:
            printed[-1].content.append(line)
        elif list_title is not None and letters(line.text) == letters(list_title):
            continue  # the list's title printed again above the body
        else:
            notice.dropped_lines.append(line.text)
    if not printed:
        raise NoticeError("汇编正文中没有“案例一”等案例行")
    return printed


def _split_title(item: _Printed, toc_text: str | None) -> tuple[str, str, list[Line]]:
    """(title, subtitle, remaining content) of a printed case; see the module docstring."""
    content = item.content
    text = item.text
    if not text:  # "案例一" alone on its line: the title follows
        if not content:
            raise NoticeError(f"第{item.line.number}行“{item.line.text}”之后没有案例标题")
        text, content = content[0].text, content[1:]
    if content and content[0].text[0] in _DASHES:
        subtitle = content[0].text.lstrip(_DASHES).strip()
        if subtitle:
            return text, subtitle, content[1:]
    parts = re.split(r"\s+", text, maxsplit=1)
    if len(parts) == 2:
        if parts[1][0] in _DASHES and parts[1].lstrip(_DASHES).strip():
            return parts[0], parts[1].lstrip(_DASHES).strip(), content
        if toc_text and letters(toc_text) != letters(text):
            # The 目录 lists the main title alone: the rest of the line is the subtitle.
            for match in re.finditer(r"\s+", text):
                if letters(text[: match.start()]) == letters(toc_text):
                    return text[: match.start()], text[match.end() :], content
    return text, "", content


def _parse_case(item: _Printed, toc: list[tuple[int, str, str]]) -> ParsedCase:
    toc_text = next((text for number, _d, text in toc if number == item.number), None)
    title, subtitle, content = _split_title(item, toc_text)
    return ParsedCase(
        tier="",
        rank=None,
        title=title,
        subtitle=subtitle,
        sections=split_sections([line.text for line in content]),
        district=item.district,
        line=item.line.number,
    )


def _name(number: int, text: str) -> str:
    return f"案例{cn_numeral(number)}“{text}”"


def _compare(toc, printed: list[_Printed], cases: list[ParsedCase]) -> list[str]:
    """Where the body and its 目录 differ, one message per kind of difference."""
    body = {item.number: (item, case) for item, case in zip(printed, cases, strict=True)}
    listed = {number: (district, text) for number, district, text in toc}
    missing = [_name(n, text) for n, (_d, text) in listed.items() if n not in body]
    unlisted = [_name(n, case.title) for n, (_i, case) in body.items() if n not in listed]
    differing, moved = [], []
    for number, (district, text) in listed.items():
        if number not in body:
            continue
        item, case = body[number]
        printed_as = {letters(item.text), letters(case.title), letters(case.title + case.subtitle)}
        if letters(text) not in printed_as:
            differing.append(f"{_name(number, text)}在正文中为“{case.title}”")
        if district and district != item.district:
            moved.append(f"案例{cn_numeral(number)}在目录中属{district}，在正文中属{item.district}")
    problems = []
    for found, what in ((missing, "在正文中未找到"), (unlisted, "不在目录中")):
        if found:
            more = f"等 {len(found)} 个案例" if len(found) > 1 else ""
            where = "目录中的" if what == "在正文中未找到" else "正文中的"
            problems.append(f"{where}{found[0]}{more}{what}")
    problems += [f"目录与正文不一致：{d}" for d in differing[:3]]
    problems += moved[:3]
    return problems
