"""What the letter before the list states about the list: this year's count, the criteria, the
tiers. Read from the preamble and the 附件 line, in any of the phrasings the commission used:

* 2022: "……选出具有引领性强、感受度高、可复制推广的上海市2022年度各区优化营商环境优秀案例和良好实践"
* 2023: "我市已推出三批共47个区级优秀案例……选出各区创新性强、实效性高、可复制推广的20个优化营商
  环境优秀案例": the count of this year's selection follows "选出…的"; a running total of earlier
  years ("两批共27个", "三批共47个") is never this year's count.

Pure Python, no Django.
"""

from __future__ import annotations

import re

from cases.notices.reading import cn_number, structural, year_in

DEFAULT_TIER = "优秀案例"
_HAN = "\u4e00-\u9fff"
_NUMBER = "0-9零〇一二两三四五六七八九十百"
# "选出" / "评选出" / "遴选出", then (within the sentence) "…的20个" or directly "20个".
_SELECTION = re.compile(
    rf"选出([^。；！？]*?)(?:(?<=的)|(?<=选出))\s*([{_NUMBER}]+)\s*个([^。；，]*)"
)
_SELECTION_SENTENCE = re.compile(r"[^。；！？]*选出[^。；！？]*")
_QUALITIES = re.compile(rf"([{_HAN}]{{2,10}}(?:、[{_HAN}]{{2,10}})+)的")
_QUALITY_PREFIXES = ("具有", "各区", "全市")
_TIER_NAME = re.compile(rf"^[{_HAN}]{{2,8}}$")
_TIER_JOINS = r"[和及与暨、]"


def _sentences(preamble: list[str]) -> list[str]:
    return _SELECTION_SENTENCE.findall("".join(preamble))


def stated_count(preamble: list[str]) -> int | None:
    """The number of cases this year's selection names ("选出…的20个…"), else None."""
    for sentence in _sentences(preamble):
        match = _SELECTION.search(structural(sentence))
        if match:
            return cn_number(match.group(2))
    return None


def criteria_words(preamble: list[str]) -> list[str]:
    """The qualities the cases were chosen for, as the preamble lists them ("具有A、B、C的",
    "选出各区A、B、C的20个"); [] when it lists none."""
    text = "".join(preamble)
    candidates = _sentences(preamble) + [s for s in re.split("[。；]", text) if "具有" in s]
    for sentence in candidates:
        match = _QUALITIES.search(sentence)
        if not match:
            continue
        words = match.group(1).split("、")
        first = words[0]
        for prefix in _QUALITY_PREFIXES:
            if prefix in first:
                first = first.rsplit(prefix, 1)[1]
        first = re.sub(r"^.*选出", "", first)
        words[0] = first
        if all(2 <= len(word) <= 8 for word in words):
            return words
    return []


def _tier_names_after(text: str) -> list[str]:
    """Tier names in "…营商环境优秀案例和良好实践" -> ["优秀案例", "良好实践"], else []."""
    for marker in ("营商环境", "各区"):
        if marker in text:
            rest = text.rsplit(marker, 1)[1]
            break
    else:
        return []
    names = [name for name in re.split(_TIER_JOINS, rest.strip()) if name]
    return names if names and all(_TIER_NAME.match(name) for name in names) else []


def attachment_tier_names(attachment: str) -> list[str]:
    """The tiers the 附件 line names ("上海市2022年度各区优化营商环境优秀案例和良好实践")."""
    first = attachment.split("\n", 1)[0].strip()
    return _tier_names_after(first) if year_in(first) else []


def preamble_tier_names(preamble: list[str]) -> list[str]:
    """The tiers the selection sentence names ("选出…的20个优化营商环境优秀案例")."""
    for sentence in _sentences(preamble):
        match = _SELECTION.search(structural(sentence))
        tail = match.group(3) if match else sentence.split("选出", 1)[1]
        names = _tier_names_after(tail)
        if names:
            return names
    return []


def single_tier_name(preamble: list[str], attachment: str) -> str:
    """The name of the one tier of a notice that prints no tier heading: the preamble's word,
    else the 附件 line's, else 优秀案例."""
    names = preamble_tier_names(preamble) or attachment_tier_names(attachment)
    return names[0] if names else DEFAULT_TIER


# The other places a letter states its year (the real 2023 letter has no 附件 line and no year in
# its selection sentence): the sentence that issues the list ("现将2022年各区…印发公布",
# "现印发公布2023年度各区…") and a sentence opening on the year ("2023年，各区…"; not "2019年以来").
_ISSUE_SENTENCE = re.compile(r"[^。；！？]*印发[^。；！？]*")
_LIST_YEAR = re.compile(r"([0-9]{4})\s*年度?\s*(?:上海市|全市|本市)?\s*各区")
_OPENING_YEAR = re.compile(r"(?:^|[。；！？])\s*([0-9]{4})\s*年度?\s*[，,]")


def stated_years(preamble: list[str], attachment: str, date=None) -> list[int]:
    """Every year the letter names for its list, in the order trusted: the 附件 line's, the
    selection sentence's, the issuing sentence's, a sentence opening on a year, then the date's."""
    years = []
    if year_in(attachment) is not None:
        years.append(year_in(attachment))
    for sentence in _sentences(preamble):
        match = re.search(r"([0-9]{4})\s*年度", structural(sentence))
        if match:
            years.append(int(match.group(1)))
    text = structural("".join(preamble))
    for sentence in _ISSUE_SENTENCE.findall(text):
        years += [int(year) for year in _LIST_YEAR.findall(sentence)]
    years += [int(year) for year in _OPENING_YEAR.findall(text)]
    if date is not None:
        years.append(date.year)
    return years


def stated_year(preamble: list[str], attachment: str, date=None) -> int | None:
    """The year the letter names for the list (the first of ``stated_years``), else None."""
    years = stated_years(preamble, attachment, date)
    return years[0] if years else None
