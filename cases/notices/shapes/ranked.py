"""The ranked shape: tiers of cases, each case after an 排名N line. 2022 prints two tiers under
headings; 2023 prints one tier and no heading (its name is the preamble's word, see
``preamble.single_tier_name``), and its subtitles without the leading "——"::

上海市2022年度各区优化营商环境优秀案例   <- tier heading: a tier name ends the line
排名1                               <- one case per rank line
“快闪办”“自助办”“视讯办”“陪同办”   <- title
——打造“小嘉帮办”服务品牌           <- optional subtitle
一、基本情况                        <- top-level section heading
嘉定区行政服务中心……。              <- body paragraphs
"""

from __future__ import annotations

from cases.notices.districts import find_district
from cases.notices.parsed import NoticeError, ParsedCase, ParsedNotice, ParsedTier
from cases.notices.preamble import single_tier_name, stated_year, stated_years
from cases.notices.reading import (
    Line,
    keep_distinct,
    rank_line,
    rank_of,
    read_header,
    split_sections,
    subtitle_of,
    tier_heading_parts,
)


def _parse_case(rank_line: Line, rank: int, tier: str, content: list[Line]) -> ParsedCase:
    if not content:
        raise NoticeError(f"第{rank_line.number}行“{rank_line.text}”之后没有案例标题")
    title = content[0].text
    paragraphs = [line.text for line in content[1:]]
    subtitle = ""
    if paragraphs:
        found = subtitle_of(paragraphs[0])
        if found is not None:
            subtitle = found
            paragraphs = paragraphs[1:]
    case = ParsedCase(
        tier=tier,
        rank=rank,
        title=title,
        subtitle=subtitle,
        sections=split_sections(paragraphs),
        line=rank_line.number,
    )
    case.district, case.district_needs_review, case.district_note = find_district(case.full_text())
    return case


def _is_tier_heading_at(lines: list[Line], index: int) -> bool:
    # A heading-shaped line counts only where a rank line follows it: that keeps the 附件 line
    # and any heading-like sentence of a body from opening a tier.
    return (
        index + 1 < len(lines)
        and rank_of(lines[index + 1].text) is not None
        and tier_heading_parts(lines[index].text) is not None
    )


def _check_ranks(tier: ParsedTier, warnings: list[str]) -> None:
    """Ranks must follow competition ranking: ties share a rank, the next rank skips."""
    for index, case in enumerate(tier.cases):
        previous = tier.cases[index - 1].rank if index else None
        if case.rank != index + 1 and case.rank != previous:
            expected = f"{index + 1}" if previous is None else f"{previous}或{index + 1}"
            warnings.append(
                f"{tier.name}第{index + 1}个案例“{case.title}”排名为{case.rank}，"
                f"按并列排名规则应为{expected}"
            )


def _read_body(lines: list[Line], notice: ParsedNotice) -> None:
    tiers: dict[str, ParsedTier] = {}
    printed: list[tuple[Line, int, str, list[Line]]] = []  # rank line, rank, tier, content
    years: list[int] = []
    current_tier: ParsedTier | None = None
    if rank_of(lines[0].text) is not None:
        # No tier heading: the notice has one tier (2023).
        name = single_tier_name(notice.preamble, notice.attachment)
        current_tier = tiers[name] = ParsedTier(name=name)
    for index, line in enumerate(lines):
        found = rank_line(line.text)
        if found is not None:
            rank, title = found
            # A title printed on the rank line ("排名1 “快闪办”…") is the case's first line.
            content = [Line(line.number, title)] if title else []
            printed.append((line, rank, current_tier.name, content))
        elif _is_tier_heading_at(lines, index):
            if any(not tier.heading for tier in tiers.values()):
                raise NoticeError(
                    f"第{line.number}行的档次标题“{line.text}”之前已有不属于任何档次标题的排名行"
                )
            year, name = tier_heading_parts(line.text)
            years.append(year)
            # A tier printed in two parts is still one tier.
            current_tier = tiers.setdefault(name, ParsedTier(name=name, heading=line.text))
        else:
            printed[-1][3].append(line)

    cases = [_parse_case(*case) for case in printed]
    for case in keep_distinct(cases, notice):
        tiers[case.tier].cases.append(case)

    notice.tiers = list(tiers.values())
    notice.year = (
        years[0] if years else stated_year(notice.preamble, notice.attachment, notice.date)
    )
    if len(set(years)) > 1:
        notice.warnings.append("各档次标题的年度不一致：" + "、".join(map(str, sorted(set(years)))))
    stated = set(years + stated_years(notice.preamble, notice.attachment))
    if len(stated) > 1:
        notice.warnings.append("通知中写明的年度不一致：" + "、".join(map(str, sorted(stated))))
    for tier in notice.tiers:
        _check_ranks(tier, notice.warnings)


def read(lines: list[Line], notice: ParsedNotice) -> None:
    """Fill ``notice`` from the notice's canonical lines (stray lines already dropped)."""
    if not any(rank_of(line.text) is not None for line in lines):
        raise NoticeError("不是评选通知：未找到“排名”行")
    body_start = next(
        i
        for i, line in enumerate(lines)
        if rank_of(line.text) is not None or _is_tier_heading_at(lines, i)
    )
    read_header(lines[:body_start], notice)
    _read_body(lines[body_start:], notice)
