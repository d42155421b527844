"""Where a long title breaks: GB/T 9704-2012 (7.3.1) asks that a title's lines keep each word
whole, stand symmetric and be of fitting lengths (a trapezoid or a diamond). Pure functions, no
Django: the Word and PDF notices both print ``title_lines(title, width)``.

A break may only fall at a phrase boundary: after punctuation, around a quoted name (《…》,
“…”), after 关于 and the verb that follows it (印发, 转发 …), before the closing 的通知, around
a conjunction (和, 及, 与, 暨) and at the edges of the known words of the commission's titles.
Never inside a known word, a number with its unit (2022年度) or a run of Latin letters. Among
the boundaries, the one whose lines are most even wins; a title that fits on a line stays whole.
"""

from __future__ import annotations

import itertools
import math
import re

# Words never cut; their edges are boundaries. Longer ones first so a scan takes the longest.
WORDS = sorted(
    {
        "上海市",
        "人民政府",
        "办公厅",
        "国务院",
        "发展和改革委员会",
        "发展改革委",
        "优化营商环境",
        "营商环境",
        "优秀案例",
        "良好实践",
        "典型案例",
        "改革举措",
        "市场主体",
        "制度性交易成本",
        "实施方案",
        "行动方案",
        "工作方案",
        "实施意见",
        "若干措施",
        "若干意见",
        "管理办法",
        "实施细则",
        "评选",
        "汇编",
        "各区",
        "全市",
        "年度",
        "进一步",
        "持续",
        "加强",
        "集成创新",
        "更好服务",
        "降低",
        "印发",
        "转发",
        "公布",
        "发布",
        "关于",
        "通知",
        "通报",
        "意见",
        "决定",
        "条例",
    },
    key=len,
    reverse=True,
)
VERBS = ("印发", "转发", "公布", "发布", "做好", "开展", "组织", "表彰")
ENDINGS = ("的通知", "的通报", "的决定", "的意见", "的实施意见", "的批复", "的函", "的报告")
CONJUNCTIONS = "和及与暨"
OPENING = "《“‘（(〔【"
CLOSING = "》”’）)〕】、，。；：？！,.;:?!"
# A number and what it counts, and Latin words, stay together: 2022年度, 47个, 12345热线.
UNBREAKABLE = re.compile(r"[0-9A-Za-z.%]+(?:年度|年|月|日|个|项|批|家|号)?", re.ASCII)


def width(text: str) -> float:
    """Printed width in em: full-width characters 1, ASCII (digits, Latin) half."""
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)


def _protected(title: str) -> set[int]:
    """Positions i where a break before title[i] would cut a word, a number or a quote's edge."""
    inside: set[int] = set()
    for match in UNBREAKABLE.finditer(title):
        inside.update(range(match.start() + 1, match.end()))
    for word in WORDS:
        for match in re.finditer(re.escape(word), title):
            inside.update(range(match.start() + 1, match.end()))
    for i, ch in enumerate(title):
        if ch in CLOSING:
            inside.add(i)  # no line starts with closing punctuation
        if ch in OPENING:
            inside.add(i + 1)  # nor ends with opening punctuation
    return inside


def _boundaries(title: str) -> dict[int, float]:
    """Break positions (before title[i]) and their cost: 0 the most natural, higher worse."""
    points: dict[int, float] = {}

    def add(i: int, cost: float) -> None:
        if 0 < i < len(title):
            points[i] = min(cost, points.get(i, cost))

    for i, ch in enumerate(title):
        if ch in CLOSING or ch.isspace():
            add(i + 1, 0)
        if ch in OPENING:
            add(i, 0.5)
        if ch in CONJUNCTIONS:
            add(i, 1)  # 优秀案例 / 和良好实践: the conjunction opens the line
            add(i + 1, 1.5)
    if title.startswith("关于") or "关于" in title[:12]:
        after = title.index("关于") + 2
        add(title.index("关于"), 0.5)
        add(after, 0.5)
        for verb in VERBS:
            if title.startswith(verb, after):
                add(after + len(verb), 0.5)
    for ending in ENDINGS:
        if title.endswith(ending):
            add(len(title) - len(ending), 0.5)
    for word in WORDS:
        for match in re.finditer(re.escape(word), title):
            add(match.start(), 1)
            add(match.end(), 1)
    for match in UNBREAKABLE.finditer(title):
        add(match.end(), 1)
    protected = _protected(title)
    return {i: cost for i, cost in points.items() if i not in protected}


def _fallback_boundaries(title: str) -> dict[int, float]:
    """When no phrase boundary gives lines that fit: any place that cuts no known word."""
    protected = _protected(title)
    return {i: 5.0 for i in range(1, len(title)) if i not in protected}


def _best(title: str, points: dict[int, float], lines: int, limit: float):
    best, best_score = None, math.inf
    target = width(title) / lines
    for cuts in itertools.combinations(sorted(points), lines - 1):
        edges = (0, *cuts, len(title))
        parts = [title[a:b] for a, b in itertools.pairwise(edges)]
        widths = [width(p) for p in parts]
        if max(widths) > limit:
            continue
        # Even lines first; then the natural boundary; a longer last line (a trapezoid) wins ties.
        score = sum((w - target) ** 2 for w in widths) + 4 * sum(points[c] for c in cuts)
        score += 0.01 * (widths[0] > widths[-1])
        if score < best_score:
            best, best_score = parts, score
    return best


def title_lines(title: str, max_width: float) -> list[str]:
    """``title`` in lines no wider than ``max_width`` em, broken only between words, the lines
    as even as the words allow. A single line when it fits."""
    title = title.strip()
    if not title or width(title) <= max_width:
        return [title] if title else []
    for points in (_boundaries(title), _fallback_boundaries(title)):
        fewest = math.ceil(width(title) / max_width)
        for lines in range(fewest, min(len(points) + 1, fewest + 2) + 1):
            found = _best(title, points, lines, max_width)
            if found:
                return [line.strip() for line in found]
    # A run that cannot be broken between words (a long number): cut it by width.
    parts, line = [], ""
    for ch in title:
        if line and width(line + ch) > max_width:
            parts.append(line)
            line = ""
        line += ch
    return [*parts, line]
