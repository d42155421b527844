"""Read a published selection notice (印发公布的评选通知) into plain dataclasses.

Pure Python, standard library only: no Django import, so the parser runs and is tested on its own.
The Django side turns a ``ParsedNotice`` into database rows, and builds one from the database to
write a notice again (see ``notice_writer``).

The layout this understands is the one of the real 2022 notice::

    各区人民政府、各相关单位:            <- addressee (ends with a colon)
      优化营商环境是……。                  <- preamble paragraphs
      附件:上海市2022年度各区优化营商环境优秀案例和良好实践
      上海市发展和改革委员会              <- signature (the line before the date)
      2022年11月8日                       <- date
      上海市2022年度各区优化营商环境优秀案例   <- tier heading: a tier name ends the line
      排名1                               <- one case per rank line
      “快闪办”“自助办”“视讯办”“陪同办”   <- title
      ——打造“小嘉帮办”服务品牌           <- optional subtitle
      一、基本情况                        <- top-level section heading
      嘉定区行政服务中心……。              <- body paragraphs

Canonical text form
-------------------
Copies of the same notice must import alike, whatever the copy's encoding, line ends, indentation
or punctuation width. Every line is therefore read in one canonical form, and that form is what
is stored:

* encoding: UTF-8 with or without BOM, else GB18030 (``decode_notice``);
* line ends CRLF / CR / LF are all line ends; blank lines are ignored, so each non-blank line is
  one paragraph; leading and trailing whitespace (spaces, U+3000, tabs, NBSP) is removed, inner
  whitespace is kept as printed, except that a no-break space (U+00A0, left by web pages)
  becomes a plain space;
* the punctuation marks , : ; ( ) ! ? are stored FULL-WIDTH (，：；（）！？), whichever width the
  copy used, except between two ASCII letters or digits ("1,000", "12:30", "A(B") and in "://",
  where they are stored half-width. The choice depends only on the neighbouring characters,
  never on the width in the copy, so both copies give the same text;
* all other characters (quotes “”, dashes ——, digits in the body, …) are kept as printed.

Full-width digits are read as ASCII digits where they matter for structure (rank lines, tier
headings, the date).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

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

# Stray lines left by copying the notice from a web page: an image placeholder, a link label.
STRAY_LINES = frozenset({"相关附件"})
_STRAY_FILE_NAME = re.compile(r"^[^\s/\\]{1,120}\.(?:png|jpe?g|gif|bmp|webp)$", re.IGNORECASE)


class NoticeError(ValueError):
    """The input cannot be read as a selection notice. ``str(e)`` is one line in Chinese."""

    def __init__(self, message: str):
        super().__init__(" ".join(message.split()))


@dataclass
class ParsedCase:
    tier: str = ""
    rank: int = 0
    # 1-based order among the kept cases of the whole notice; 0 for a skipped duplicate copy.
    position: int = 0
    title: str = ""
    subtitle: str = ""
    # [{"heading": "一、工作背景", "body": "paragraph\nparagraph"}]; heading "" for a lead
    # paragraph or an unsectioned body.
    sections: list[dict] = field(default_factory=list)
    district: str | None = None
    district_needs_review: bool = False
    district_note: str = ""
    # Where the case's rank line stands in the source; provenance only, so two copies that
    # differ in blank lines still compare equal.
    line: int = field(default=0, compare=False)

    @property
    def fingerprint(self) -> str:
        """A key equal for two printings of the same case (title + subtitle + body)."""
        return case_fingerprint(self.title, self.subtitle, self.sections)

    def full_text(self) -> str:
        """Title, subtitle and every heading and paragraph, one per line."""
        lines = [self.title, self.subtitle]
        for section in self.sections:
            lines += [section.get("heading", ""), section.get("body", "")]
        return "\n".join(line for line in lines if line)


@dataclass
class ParsedTier:
    name: str = ""
    heading: str = ""
    cases: list[ParsedCase] = field(default_factory=list)


@dataclass
class ParsedNotice:
    addressee: str = ""
    preamble: list[str] = field(default_factory=list)
    attachment: str = ""
    signature: str = ""
    date: datetime.date | None = None
    year: int | None = None
    tiers: list[ParsedTier] = field(default_factory=list)
    # (skipped copy, the kept original it repeats)
    duplicates: list[tuple[ParsedCase, ParsedCase]] = field(default_factory=list)
    dropped_lines: list[str] = field(default_factory=list)
    # Oddities worth showing to a person (e.g. ranks that break the tie rule); diagnostic only.
    warnings: list[str] = field(default_factory=list, compare=False)

    def cases(self) -> list[ParsedCase]:
        return [case for tier in self.tiers for case in tier.cases]

    def needing_district(self) -> list[ParsedCase]:
        return [case for case in self.cases() if case.district_needs_review]


# --------------------------------------------------------------------------------------------
# Decoding and canonical text


def decode_notice(data: bytes) -> str:
    """Bytes of a notice file to text: UTF-8 (with or without BOM), else GB18030."""
    raw = bytes(data)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise NoticeError("无法识别文件编码：既不是 UTF-8 也不是 GB18030 文本") from None
    if "\x00" in text:
        # UTF-16 text and binary files decode "successfully" but are full of NULs.
        raise NoticeError("无法识别文件编码：文件含空字符，可能是 UTF-16 或二进制文件")
    return text


_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
_FULL_TO_HALF = {full: half for half, full in _HALF_TO_FULL.items()}
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Zero-width characters that web copies leave around lines.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def canonical_punctuation(line: str) -> str:
    """Give , : ; ( ) ! ? their canonical width (see the module docstring)."""
    out = []
    for index, char in enumerate(line):
        half = _FULL_TO_HALF.get(char, char if char in _HALF_TO_FULL else None)
        if half is None:
            out.append(char)
            continue
        before = line[index - 1] if index else ""
        after = line[index + 1] if index + 1 < len(line) else ""
        keep_half = (_is_ascii_alnum(before) and _is_ascii_alnum(after)) or (
            half == ":" and line.startswith("//", index + 1)
        )
        out.append(half if keep_half else _HALF_TO_FULL[half])
    return "".join(out)


def canonical_line(line: str) -> str:
    """One line in canonical form: trimmed, punctuation widths fixed."""
    trimmed = line.strip().strip(_INVISIBLE).strip()
    return canonical_punctuation(trimmed.replace("\xa0", " "))


@dataclass
class _Line:
    number: int  # 1-based line number in the source
    text: str  # canonical form


def _source_lines(text: str) -> list[_Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        canonical = canonical_line(raw)
        if canonical:
            lines.append(_Line(number, canonical))
    return lines


def _is_stray(text: str) -> bool:
    return text in STRAY_LINES or bool(_STRAY_FILE_NAME.match(text))


# --------------------------------------------------------------------------------------------
# Recognising lines

_RANK_LINE = re.compile(r"^(?:排名\s*：?\s*([1-9][0-9]{0,2})|第\s*([1-9][0-9]{0,2})\s*名)$")
_TIER_HEADING = re.compile(r"^(?:上海市)?\s*([0-9]{4})\s*年度?(.{1,40})$")
_TIER_NAME = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_CONJUNCTIONS = "和及与暨、"
_CN_NUMERALS = "一二三四五六七八九十"
_TOP_HEADING = re.compile(rf"^[{_CN_NUMERALS}]+、")
_SUB_HEADING = re.compile(rf"^(?:[（(][{_CN_NUMERALS}0-9]+[)）]|[0-9]+[、.．])")
_SENTENCE_END = "。；：！？;:!?…"
_SUBTITLE_DASHES = "—―－-"
MAX_TITLE_CHARS = 40
MAX_HEADING_CHARS = 60


def _structural(text: str) -> str:
    return text.translate(_FULLWIDTH_DIGITS)


def rank_of(text: str) -> int | None:
    """The rank a rank line gives ("排名1", "排名 10", "排名１０", "第3名"), else None."""
    match = _RANK_LINE.match(_structural(text))
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def tier_heading_parts(text: str) -> tuple[int, str] | None:
    """(year, tier name) for a line shaped like a tier heading, else None.

    "上海市2022年度各区优化营商环境良好实践" -> (2022, "良好实践"): the tier name is what follows
    "营商环境" (or "各区" when the heading lacks it). A name joining two tiers with 和 / 及 is the
    title of the whole attachment, not a heading.
    """
    match = _TIER_HEADING.match(_structural(text))
    if not match:
        return None
    rest = match.group(2)
    for marker in ("营商环境", "各区"):
        if marker in rest:
            name = rest.rsplit(marker, 1)[1]
            break
    else:
        return None
    if not _TIER_NAME.match(name) or any(char in name for char in _CONJUNCTIONS):
        return None
    return int(match.group(1)), name


def is_section_heading(text: str) -> bool:
    """A top-level section heading: "一、工作背景" (not a sentence that happens to start so)."""
    return bool(_TOP_HEADING.match(text)) and "。" not in text and len(text) <= MAX_HEADING_CHARS


def is_title_line(text: str) -> bool:
    """Short, not a heading, not a sentence: can be a case title or subtitle."""
    return (
        len(text) <= MAX_TITLE_CHARS
        and not _TOP_HEADING.match(text)
        and not _SUB_HEADING.match(text)
        and not text.endswith(tuple(_SENTENCE_END))
        and rank_of(text) is None
    )


def _subtitle_of(text: str) -> str | None:
    """The subtitle a line gives ("——打造…" -> "打造…"), or None when it is body text."""
    if text[0] in _SUBTITLE_DASHES:
        stripped = text.lstrip(_SUBTITLE_DASHES).strip()
        return stripped or None
    return text if is_title_line(text) else None


_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
_CN_DIGIT_CHARS = "〇零○一二三四五六七八九"
_DATE = re.compile(
    rf"^([0-9{_CN_DIGIT_CHARS}]{{4}})\s*年\s*([0-9{_CN_DIGIT_CHARS}十]{{1,3}})\s*月"
    rf"\s*([0-9{_CN_DIGIT_CHARS}十]{{1,3}})\s*日$"
)


def _small_number(text: str) -> int:
    """1..31 from ASCII digits or Chinese numerals (十一, 二十八, 三十一)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def date_of(text: str) -> datetime.date | None:
    """The date a date line gives ("2022年11月8日", "二〇二二年十一月八日"), else None."""
    match = _DATE.match(_structural(text))
    if not match:
        return None
    year_text = match.group(1)
    year = int("".join(str(_CN_DIGITS.get(c, c)) for c in year_text))
    try:
        return datetime.date(year, _small_number(match.group(2)), _small_number(match.group(3)))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# District detection

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


# --------------------------------------------------------------------------------------------
# Cases


def case_fingerprint(title: str, subtitle: str, sections: list[dict]) -> str:
    """SHA-1 of title + subtitle + body with whitespace and punctuation removed."""
    parts = [title, subtitle]
    for section in sections:
        parts += [section.get("heading", ""), section.get("body", "")]
    letters = "".join(
        char
        for char in "".join(parts)
        if not char.isspace() and not unicodedata.category(char).startswith("P")
    )
    return hashlib.sha1(letters.encode("utf-8")).hexdigest()


def split_sections(paragraphs: list[str]) -> list[dict]:
    """Group body paragraphs into sections at top-level headings "一、", "二、" …"""
    sections: list[dict] = []
    bodies: list[list[str]] = []
    for paragraph in paragraphs:
        if is_section_heading(paragraph):
            sections.append({"heading": paragraph})
            bodies.append([])
        else:
            if not sections:
                sections.append({"heading": ""})
                bodies.append([])
            bodies[-1].append(paragraph)
    for section, body in zip(sections, bodies, strict=True):
        section["body"] = "\n".join(body)
    return sections


def _parse_case(rank_line: _Line, rank: int, tier: str, content: list[_Line]) -> ParsedCase:
    if not content:
        raise NoticeError(f"第{rank_line.number}行“{rank_line.text}”之后没有案例标题")
    title = content[0].text
    paragraphs = [line.text for line in content[1:]]
    subtitle = ""
    if paragraphs:
        found = _subtitle_of(paragraphs[0])
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


# --------------------------------------------------------------------------------------------
# The notice


def _is_tier_heading_at(lines: list[_Line], index: int) -> bool:
    # A heading-shaped line counts only where a rank line follows it: that keeps the 附件 line
    # and any heading-like sentence of a body from opening a tier.
    return (
        index + 1 < len(lines)
        and rank_of(lines[index + 1].text) is not None
        and tier_heading_parts(lines[index].text) is not None
    )


def _index_where(texts: list[str], test, indexes: range) -> int | None:
    return next((i for i in indexes if test(texts[i])), None)


def _is_addressee(text: str) -> bool:
    return text.endswith("：") and len(text) <= MAX_HEADING_CHARS and not text.startswith("附件")


def _parse_header(lines: list[_Line], notice: ParsedNotice) -> None:
    """Addressee, preamble, attachment, signature and date from the lines before the tiers.

    Order as printed: addressee, preamble, 附件 line(s), signature (the line before the date),
    date. Lines that fit none of these (a title above the addressee, lines after the date) are
    reported as dropped.
    """
    texts = [line.text for line in lines]
    end = len(texts)
    # The addressee opens the notice, possibly after a title line or two (关于印发……的通知).
    addressee_at = _index_where(texts, _is_addressee, range(min(3, end)))
    start = 0
    if addressee_at is not None:
        notice.addressee = texts[addressee_at]
        start = addressee_at + 1
    date_at = _index_where(texts, date_of, range(end - 1, start - 1, -1))
    attachment_at = _index_where(
        texts,
        lambda text: text.startswith("附件"),
        range(start, end if date_at is None else date_at),
    )
    signature_at = None
    if date_at is not None and date_at - 1 >= start and date_at - 1 != attachment_at:
        signature_at = date_at - 1

    # Each part runs up to the next part that is present.
    preamble_end = next((i for i in (attachment_at, signature_at, date_at) if i is not None), end)
    notice.preamble = texts[start:preamble_end]
    used = set(range(start - 1 if notice.addressee else start, preamble_end))
    if attachment_at is not None:
        attachment_end = next((i for i in (signature_at, date_at) if i is not None), end)
        first = re.sub(r"^附件\s*[0-9]*\s*：?\s*", "", texts[attachment_at])
        notice.attachment = "\n".join([first, *texts[attachment_at + 1 : attachment_end]])
        used |= set(range(attachment_at, attachment_end))
    if signature_at is not None:
        notice.signature = texts[signature_at]
        used.add(signature_at)
    if date_at is not None:
        notice.date = date_of(texts[date_at])
        used.add(date_at)
    notice.dropped_lines += [text for i, text in enumerate(texts) if i not in used]


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


def parse_notice(text_or_bytes: str | bytes) -> ParsedNotice:
    """Parse a notice given as text or as the bytes of its file."""
    if isinstance(text_or_bytes, (bytes, bytearray, memoryview)):
        text = decode_notice(text_or_bytes)
    elif isinstance(text_or_bytes, str):
        text = text_or_bytes
    else:
        raise TypeError("parse_notice expects str or bytes")
    notice = ParsedNotice()
    lines = []
    for line in _source_lines(text):
        if _is_stray(line.text):
            notice.dropped_lines.append(line.text)
        else:
            lines.append(line)
    if not lines:
        raise NoticeError("通知内容为空")
    if not any(rank_of(line.text) is not None for line in lines):
        raise NoticeError("不是评选通知：未找到“排名”行")

    body_start = next(
        i
        for i, line in enumerate(lines)
        if rank_of(line.text) is not None or _is_tier_heading_at(lines, i)
    )
    _parse_header(lines[:body_start], notice)
    _parse_body(lines[body_start:], notice)
    return notice


def _parse_body(lines: list[_Line], notice: ParsedNotice) -> None:
    tiers: dict[str, ParsedTier] = {}
    printed: list[tuple[_Line, int, str, list[_Line]]] = []  # rank line, rank, tier, content
    years: list[int] = []
    current_tier: ParsedTier | None = None
    for index, line in enumerate(lines):
        rank = rank_of(line.text)
        if rank is not None:
            if current_tier is None:
                raise NoticeError(f"排名行之前没有档次标题（第{line.number}行“{line.text}”）")
            printed.append((line, rank, current_tier.name, []))
        elif _is_tier_heading_at(lines, index):
            year, name = tier_heading_parts(line.text)
            years.append(year)
            # A tier printed in two parts is still one tier.
            current_tier = tiers.setdefault(name, ParsedTier(name=name, heading=line.text))
        else:
            printed[-1][3].append(line)

    kept: dict[str, ParsedCase] = {}
    for rank_line, rank, tier_name, content in printed:
        case = _parse_case(rank_line, rank, tier_name, content)
        original = kept.get(case.fingerprint)
        if original is not None:
            notice.duplicates.append((case, original))
            continue
        kept[case.fingerprint] = case
        case.position = len(kept)
        tiers[tier_name].cases.append(case)

    notice.tiers = list(tiers.values())
    notice.year = years[0] if years else _year_in(notice.attachment)
    if len(set(years)) > 1:
        notice.warnings.append("各档次标题的年度不一致：" + "、".join(map(str, sorted(set(years)))))
    for tier in notice.tiers:
        _check_ranks(tier, notice.warnings)
    for copy, original in notice.duplicates:
        notice.warnings.append(
            f"第{copy.line}行的案例“{copy.title}”与第{original.line}行的案例重复，已跳过"
        )


def _year_in(text: str) -> int | None:
    match = re.search(r"([0-9]{4})\s*年", _structural(text))
    return int(match.group(1)) if match else None
