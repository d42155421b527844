"""The notice checks itself: what the letter says the list holds against what was read.

* the count of this year's selection ("选出…的20个…") against the distinct cases read (a case
  printed twice counts once);
* the tiers the 附件 line names against the tiers found (a ranked notice);
* a compilation's 目录 against its body (``shapes.compilation``).

A difference is a shortfall: a truncated copy, a page that lost its second half. Pure Python.
"""

from __future__ import annotations

from cases.notices.parsed import ParsedNotice
from cases.notices.preamble import attachment_tier_names, stated_count


def count_unchecked(notice: ParsedNotice) -> bool:
    """Whether nothing in the letter says how many cases the list holds (2022's letter names
    none, and a compilation without 目录 has nothing to count against): a copy missing its last
    case then reads as complete."""
    return stated_count(notice.preamble) is None and not notice.is_compilation


def shortfall(notice: ParsedNotice) -> list[str]:
    """One message per difference, in Chinese; [] when the notice holds what it says."""
    problems = []
    stated = stated_count(notice.preamble)
    read = len(notice.cases())
    if stated is not None and stated != read:
        verb = "只读到" if read < stated else "却读到"
        problems.append(f"通知写明 {stated} 个案例，{verb} {read} 个")
    if not notice.is_compilation:
        found = {tier.name for tier in notice.tiers}
        for name in attachment_tier_names(notice.attachment):
            if name not in found:
                problems.append(f"附件写明的档次“{name}”在正文中未找到")
    return problems
