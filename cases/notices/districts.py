"""Which district a case is about, read from its text; a district the text does not name is
never guessed. Pure Python."""

from __future__ import annotations

import re

# The 16 districts in the order official documents list them (same order as cases.districts).
DISTRICT_NAMES = (
    "浦东新区",
    "黄浦区",
    "静安区",
    "徐汇区",
    "长宁区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
)

NO_DISTRICT_NOTE = "正文未提及任何区，请人工指定"

_SHORT_NAMES = {name: ("浦东" if name == "浦东新区" else name[:-1]) for name in DISTRICT_NAMES}
# Short forms that are also part of other place names: 黄浦江 (the river), 黄浦军校 (Guangzhou),
# 普陀山 (Zhejiang), 旧金山 / 金山银山, 宝山路 (a road in 静安区).
_SHORT_FORM_GUARDS = {
    "黄浦": r"黄浦(?!江|军校)",
    "普陀": r"普陀(?!山)",
    "金山": r"(?<!旧)金山(?!银山)",
    "宝山": r"宝山(?!路)",
}
_MENTION = re.compile(
    "|".join(
        [f"(?P<full{i}>{re.escape(name)})" for i, name in enumerate(DISTRICT_NAMES)]
        + [
            f"(?P<short{i}>{_SHORT_FORM_GUARDS.get(short, re.escape(short))})"
            for i, short in enumerate(_SHORT_NAMES.values())
        ]
    )
)


def district_mentions(text: str) -> dict[str, dict]:
    """Per district named in the text: {"full": n, "short": n, "first": offset}.

    Full names are matched before short forms, so "浦东新区" counts once, as a full name.
    """
    mentions: dict[str, dict] = {}
    for match in _MENTION.finditer(text):
        kind, number = re.fullmatch(r"([a-z]+)([0-9]+)", match.lastgroup).groups()
        name = DISTRICT_NAMES[int(number)]
        found = mentions.setdefault(name, {"full": 0, "short": 0, "first": match.start()})
        found[kind] += 1
    return mentions


def find_district(text: str) -> tuple[str | None, bool, str]:
    """Which district a case text is about: (district, needs_review, note).

    Counted: full names ("嘉定区") and short forms ("嘉定", "浦东"), except where a short form
    is part of another place name (黄浦江, 普陀山, 金山银山 …). "上海", "各区", "全区" name no
    district. In the 2022 notice every short form ("浦东确认制", "长宁法院", "静安税务") refers to
    the district the case is about, so short forms add weight to a district's count.

    * no district named -> (None, True, "正文未提及任何区，请人工指定"): never guess;
    * one district named by its full name -> (it, False, "");
    * several districts -> the most mentioned one, flagged unless it is clearly the subject:
      at least twice the mentions of the runner-up AND the first district the text names;
    * a district named only by its short form is returned but flagged.
    """
    mentions = district_mentions(text)
    if not mentions:
        return None, True, NO_DISTRICT_NOTE

    def total(name: str) -> int:
        return mentions[name]["full"] + mentions[name]["short"]

    ranked = sorted(mentions, key=lambda name: (-total(name), mentions[name]["first"]))
    top = ranked[0]
    reasons = []
    if len(ranked) > 1:
        first_named = min(mentions, key=lambda name: mentions[name]["first"])
        clear = total(top) >= 2 * total(ranked[1]) and first_named == top
        if not clear:
            counts = "、".join(f"{name}({total(name)})" for name in ranked)
            reasons.append(f"正文提及多个区：{counts}")
    if mentions[top]["full"] == 0:
        short = _SHORT_NAMES[top]
        reasons.append(f"正文只有简称“{short}”({total(top)})，未写全称“{top}”")
    if reasons:
        return top, True, "；".join(reasons) + "，请人工确认"
    return top, False, ""
