"""The steps every shape of notice shares: decoding, canonical lines, recognising lines (rank
lines, tier headings, section headings, titles, dates), sections, and the letter before the list
(addressee, preamble, 附件 line, signature, date). Pure Python, no Django.

Canonical text form
-------------------
Copies of the same notice must import alike, whatever the copy's encoding, line ends, indentation
or punctuation width. Every line is therefore read in one canonical form, and that form is what
is stored:

* encoding: UTF-8 with or without BOM, else GB18030 (``decode_notice``);
* script: a text in traditional characters (as mirror sites republish notices) is converted to
  simplified with OpenCC's t2s when traditional-only characters are more than
  ``TRADITIONAL_SHARE`` of its Han characters (``to_simplified``);
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
import re
import unicodedata
from dataclasses import dataclass

import opencc

from cases.notices.parsed import NoticeError, ParsedCase, ParsedNotice

# Stray lines left by copying the notice from a web page: an image placeholder, a link label.
STRAY_LINES = frozenset({"相关附件"})
_STRAY_FILE_NAME = re.compile(r"^[^\s/\\]{1,120}\.(?:png|jpe?g|gif|bmp|webp)$", re.IGNORECASE)

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


# Above this share of traditional-only characters a text is read as traditional Chinese: a
# simplified notice may quote a traditional name or two, a republished copy is a third or more.
TRADITIONAL_SHARE = 0.02
_T2S = None


def _t2s():
    global _T2S
    if _T2S is None:  # loading the dictionaries takes a moment: only for the first notice
        _T2S = opencc.OpenCC("t2s")
    return _T2S


def traditional_share(text: str) -> float:
    """The share of the text's Han characters that exist only in traditional writing."""
    han = [char for char in text if "\u4e00" <= char <= "\u9fff"]
    if not han:
        return 0.0
    converter = _t2s()
    traditional = {char for char in set(han) if converter.convert(char) != char}
    return sum(char in traditional for char in han) / len(han)


def to_simplified(text: str) -> tuple[str, bool]:
    """(text in simplified characters, whether it was converted): OpenCC's t2s, only when
    traditional-only characters are more than ``TRADITIONAL_SHARE`` of the text."""
    if traditional_share(text) <= TRADITIONAL_SHARE:
        return text, False
    return _t2s().convert(text), True


_CN_VALUES = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def cn_number(text: str) -> int | None:
    """1..999 from ASCII digits or Chinese numerals (三, 十二, 二十一, 一百零五), else None."""
    text = structural(text)
    if text.isdigit():
        return int(text)
    if not text or any(char not in _CN_VALUES and char not in "十百" for char in text):
        return None
    total, digit = 0, None
    for char in text:
        if char in "十百":
            total += (1 if digit is None else digit) * (10 if char == "十" else 100)
            digit = None
        else:
            digit = _CN_VALUES[char]
    total += digit or 0
    return total or None


def cn_numeral(number: int) -> str:
    """1..999 in Chinese numerals as documents print them: 三, 十二, 二十一, 一百零五."""
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    out = f"{digits[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (digits[ones] if ones else "")


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
class Line:
    number: int  # 1-based line number in the source
    text: str  # canonical form


def source_lines(text: str) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        canonical = canonical_line(raw)
        if canonical:
            lines.append(Line(number, canonical))
    return lines


def is_stray(text: str) -> bool:
    return text in STRAY_LINES or bool(_STRAY_FILE_NAME.match(text))


# A web page's own lines, on any government portal: navigation ("首页 > 政务公开 > …", "当前位置：
# …"), the article's tools ("发布日期：… 来源：… 字号：大 中 小", "分享到", "【打印本页】"),
# the neighbours ("上一篇：…", "下一篇：…") and the site's footer ("主办：…", "版权所有", "ICP备",
# "公网安备", "网站标识码"). Never a sentence of the notice: short, and not ending like one.
_PAGE_CHROME = re.compile(
    r"^(?:当前位置|您现在的位置|您的位置|所在位置)\s*[:：]"
    r"|^(?:网站)?首页\s*(?:[>›»＞/|]|&gt;)"
    r"|^(?:发布|发文|更新|印发)(?:日期|时间)\s*[:：]"
    r"|^(?:信息)?来源\s*[:：]|^(?:浏览|阅读|点击|访问)(?:次数|量|数)\s*[:：]"
    r"|(?:字号|字体)\s*[:：]?\s*[【\[（(]?\s*大"
    r"|^(?:分享到|扫一扫|打印本页|关闭窗口)"
    r"|^(?:\s*[【\[]\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏本页|加入收藏)\s*[】\]]\s*)+$"
    r"|^(?:上一篇|下一篇|上一条|下一条)\s*[:：]?"
    r"|^(?:主办|承办|主办单位|承办单位|技术支持|网站标识码)\s*[:：]"
    r"|版权所有|ICP备|公网安备|Copyright|©"
)
MAX_CHROME_CHARS = 120


def is_page_chrome(text: str) -> bool:
    """A line of the web page around the notice, not of the notice."""
    return (
        len(text) <= MAX_CHROME_CHARS
        and not text.endswith(("。", "；"))
        and bool(_PAGE_CHROME.search(text))
    )


# --------------------------------------------------------------------------------------------
# Recognising lines

# "排名1", "排名 10", "排 名 1", "排名：3", "第3名"; the case's title may follow on the same line
# ("排名1 “快闪办”…"), after a space or an opening quote or bracket.
_RANK_LINE = re.compile(
    r"^(?:排\s*名\s*：?\s*([1-9][0-9]{0,2})|第\s*([1-9][0-9]{0,2})\s*名)"
    r"(?:$|\s+(\S.*)$|(?=[“‘\"《「（(])(.+)$)"
)
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


def structural(text: str) -> str:
    return text.translate(_FULLWIDTH_DIGITS)


def rank_line(text: str) -> tuple[int, str] | None:
    """(rank, the title printed on the same line or "") for a rank line ("排名1", "排名 10",
    "排 名 1", "排名１０", "第3名", "排名1 “快闪办”…"), else None. A title on the line must read
    as one (short, not a sentence): "排名10位以内的企业……。" is body text."""
    match = _RANK_LINE.match(structural(text))
    if not match:
        return None
    rest = (match.group(3) or match.group(4) or "").strip()
    if rest:
        rest = text[len(text) - len(rest) :]  # as printed, not with digits made ASCII
        if not _is_title_text(rest):
            return None
    return int(match.group(1) or match.group(2)), rest


def rank_of(text: str) -> int | None:
    """The rank a rank line gives (see ``rank_line``), else None."""
    found = rank_line(text)
    return found[0] if found else None


def tier_heading_parts(text: str) -> tuple[int, str] | None:
    """(year, tier name) for a line shaped like a tier heading, else None.

    "上海市2022年度各区优化营商环境良好实践" -> (2022, "良好实践"): the tier name is what follows
    "营商环境" (or "各区" when the heading lacks it). A name joining two tiers with 和 / 及 is the
    title of the whole attachment, not a heading.
    """
    match = _TIER_HEADING.match(structural(text))
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


def _is_title_text(text: str) -> bool:
    return (
        len(text) <= MAX_TITLE_CHARS
        and not _TOP_HEADING.match(text)
        and not _SUB_HEADING.match(text)
        and not text.endswith(tuple(_SENTENCE_END))
    )


def is_title_line(text: str) -> bool:
    """Short, not a heading, not a sentence: can be a case title or subtitle."""
    return _is_title_text(text) and rank_of(text) is None


def subtitle_of(text: str) -> str | None:
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
    match = _DATE.match(structural(text))
    if not match:
        return None
    year_text = match.group(1)
    year = int("".join(str(_CN_DIGITS.get(c, c)) for c in year_text))
    try:
        return datetime.date(year, _small_number(match.group(2)), _small_number(match.group(3)))
    except ValueError:
        return None


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


# --------------------------------------------------------------------------------------------
# The letter before the list


def _index_where(texts: list[str], test, indexes: range) -> int | None:
    return next((i for i in indexes if test(texts[i])), None)


def _is_addressee(text: str) -> bool:
    return text.endswith("：") and len(text) <= MAX_HEADING_CHARS and not text.startswith("附件")


# The letter's title line, possibly broken in two on a page, and its 发文字号 ("沪发改营商〔2023〕
# 15号"), printed above the addressee (or the first paragraph, in a letter without one).
_LETTER_TITLE = re.compile(r"^关于.{2,80}的(?:通知|通报|函)$")
_DOCUMENT_NUMBER = re.compile(r"^\S{1,16}[〔\[［(（]\s*[0-9]{4}\s*[〕\]］)）]\s*[0-9]{1,4}\s*号$")


def _read_title(texts: list[str], notice: ParsedNotice) -> int:
    """Take the letter's title and 文号 from the top; the number of lines they took."""
    at = 0
    while at < min(len(texts), 4):
        text = structural(texts[at])
        if not notice.document_number and _DOCUMENT_NUMBER.match(text):
            notice.document_number = texts[at]
        elif not notice.title and _LETTER_TITLE.match(texts[at]):
            notice.title = texts[at]
        elif (
            not notice.title
            and texts[at].startswith("关于")
            and at + 1 < len(texts)
            and _LETTER_TITLE.match(texts[at] + texts[at + 1])
        ):
            notice.title = texts[at] + texts[at + 1]
            at += 1
        else:
            break
        at += 1
    return at


def read_header(lines: list[Line], notice: ParsedNotice) -> None:
    """Addressee, preamble, attachment, signature and date from the lines before the tiers.

    Order as printed: addressee, preamble, 附件 line(s), signature (the line before the date),
    date. Lines that fit none of these (a title above the addressee, lines after the date) are
    reported as dropped.
    """
    texts = [line.text for line in lines]
    end = len(texts)
    top = _read_title(texts, notice)
    # The addressee opens the notice, possibly after a title line or two (关于印发……的通知).
    addressee_at = _index_where(texts, _is_addressee, range(top, min(top + 3, end)))
    start = top
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
    if (
        date_at is not None
        and date_at - 1 >= start
        and date_at - 1 != attachment_at
        # A signature is a name, not the last sentence of a preamble that has none.
        and is_title_line(texts[date_at - 1])
    ):
        signature_at = date_at - 1

    # Each part runs up to the next part that is present.
    preamble_end = next((i for i in (attachment_at, signature_at, date_at) if i is not None), end)
    notice.preamble = texts[start:preamble_end]
    used = set(range(top)) | set(range(start - 1 if notice.addressee else start, preamble_end))
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


def year_in(text: str) -> int | None:
    match = re.search(r"([0-9]{4})\s*年", structural(text))
    return int(match.group(1)) if match else None


def letters(text: str) -> str:
    """The text without whitespace and punctuation: for comparing two printings of a line."""
    return "".join(
        char
        for char in text
        if not char.isspace() and not unicodedata.category(char).startswith("P")
    )


def keep_distinct(cases: list[ParsedCase], notice: ParsedNotice) -> list[ParsedCase]:
    """The cases as printed, each once: a case printed twice (same text) is kept the first
    time and reported in ``notice.duplicates``; kept cases are numbered 1, 2, … (position)."""
    kept: dict[str, ParsedCase] = {}
    for case in cases:
        original = kept.get(case.fingerprint)
        if original is not None:
            notice.duplicates.append((case, original))
            notice.warnings.append(
                f"第{case.line}行的案例“{case.title}”与第{original.line}行的案例重复，已跳过"
            )
            continue
        kept[case.fingerprint] = case
        case.position = len(kept)
    return list(kept.values())
