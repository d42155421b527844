"""Canonical forms of what people type that becomes a key: ids, numbers, phone numbers, codes.

Python's ``\\d``, ``str.isdigit()`` and ``int()`` accept every Unicode digit (``１``, ``١``,
``१``; ``isdigit`` even ``²``), while ``"１２" != "12"`` as text. So every typed value that
is compared, stored, counted, rate-limited or sent goes through one of these functions first,
and comes out as ASCII or not at all.

- Decimal digits of any script (Unicode category Nd: full-width, Arabic-Indic, Devanagari …)
  become ASCII digits; anything else that looks numeric (superscripts, circled digits,
  fractions, Roman numerals) is refused.
- Surrounding spaces of any width are ignored; the full-width ``＋`` and ``－`` become ASCII.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

# PostgreSQL's bigint, Django's BigAutoField: an id beyond this cannot exist.
MAX_ID = 2**63 - 1
# Spaces, hyphens and dots people put inside phone numbers (ASCII and full-width forms).
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－.．()（）]", re.UNICODE)
_ASCII_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


class IdentifierError(ValueError):
    """A typed value that has no canonical form; ``str()`` is a message in Chinese."""


def ascii_digits(value: str) -> str:
    """``value`` with every decimal digit of any script replaced by its ASCII digit, the
    full-width signs by ASCII ones, and the surrounding whitespace (any width) removed.
    Other characters are kept as they are, for the caller's pattern to refuse."""
    out = []
    for ch in str(value).strip():
        if "0" <= ch <= "9":
            out.append(ch)
            continue
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            out.append(str(digit))
        elif ch in "＋﹢":
            out.append("+")
        elif ch in "－﹣−":
            out.append("-")
        else:
            out.append(ch)
    return "".join(out)


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """The integer a person typed, in any script's digits, within [minimum, maximum].
    Raises IdentifierError for anything else (empty, ``²``, ``1e3``, NUL, out of range)."""
    if value is None:
        raise IdentifierError("请填写数字")
    text = ascii_digits(value)
    if not _ASCII_INT.fullmatch(text) or len(text) > 40:
        raise IdentifierError("请填写整数")
    number = int(text)
    if minimum is not None and number < minimum:
        raise IdentifierError(f"数字不能小于 {minimum}")
    if maximum is not None and number > maximum:
        raise IdentifierError(f"数字不能大于 {maximum}")
    return number


def parse_id(value) -> int:
    """A database id from a URL, a query string, a form or a CSV cell: 1 … 2⁶³−1."""
    try:
        return parse_int(value, minimum=1, maximum=MAX_ID)
    except IdentifierError:
        raise IdentifierError("编号无效") from None


def optional_id(value) -> int | None:
    """``parse_id`` for an optional filter: None when absent or blank; still refuses junk."""
    if value is None or not str(value).strip():
        return None
    return parse_id(value)


def optional_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """``parse_int`` for an optional number (a page, a year): None when absent or blank."""
    if value is None or not str(value).strip():
        return None
    return parse_int(value, minimum=minimum, maximum=maximum)


def normalise_phone(raw) -> str:
    """A mainland mobile number as its 11 ASCII digits. Accepts any script's digits, spaces
    and hyphens inside, and a leading +86 / 0086 / 86; refuses everything else."""
    text = _PHONE_SEPARATORS.sub("", ascii_digits(raw or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    else:
        if len(text) == 13 and text.startswith("86"):
            text = text[2:]
    if not MOBILE_RE.fullmatch(text):
        raise IdentifierError("请输入有效的 11 位手机号码")
    return text


def phone_digest(phone: str) -> str:
    """The keyed hash (HMAC-SHA256 under ``PHONE_HASH_KEY``, not SECRET_KEY) that stands for a
    voter's normalised phone once the number itself is minimised: the same phone, the same
    digest, so a returning voter is found by hashing the number they type."""
    key = settings.PHONE_HASH_KEY.encode()
    return hmac.new(key, b"phone:" + phone.encode("utf-8"), hashlib.sha256).hexdigest()


def mask_phone(phone: str | None) -> str:
    """138****0001: how a phone is shown everywhere but the staff fraud review."""
    if not phone:
        return ""
    if len(phone) != 11:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[7:]}"


def ascii_code(raw, *, length: int) -> str:
    """A one-time code of ``length`` digits, typed in any script's digits, as ASCII."""
    text = ascii_digits(raw or "").replace(" ", "")
    if len(text) != length or not text.isascii() or not text.isdigit():
        raise IdentifierError(f"请输入 {length} 位数字验证码")
    return text


# A mainland landline: an area code (010, 02X, or 0 and three digits) and a 7- or 8-digit
# number, an optional extension after 转 / # / ext.
LANDLINE_RE = re.compile(r"(0(?:10|2[0-9]|[3-9][0-9]{2}))([1-9][0-9]{6,7})", re.ASCII)
_EXTENSION = re.compile(r"(?:转|#|ext\.?|x)([0-9]{1,6})$", re.ASCII | re.IGNORECASE)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+", re.ASCII)


def normalise_landline(raw) -> str:
    """A mainland landline with its area code as ``021-12345678`` (``转123`` kept)."""
    text = ascii_digits(unicodedata.normalize("NFKC", raw or "")).strip()
    extension = ""
    match = _EXTENSION.search(text.replace(" ", ""))
    if match:
        extension = "转" + match.group(1)
        text = text.replace(" ", "")[: match.start()]
    text = _PHONE_SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = "0" + text[len(prefix) :]
            break
    number = LANDLINE_RE.fullmatch(text)
    if not number:
        raise IdentifierError("请输入带区号的固定电话，如 021-12345678")
    return f"{number.group(1)}-{number.group(2)}{extension}"


def normalise_email(raw) -> str:
    """An e-mail address in ASCII (full-width letters folded), its domain in lower case."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if len(text) > 100 or not EMAIL_RE.fullmatch(text):
        raise IdentifierError("请输入有效的电子邮箱，如 name@example.com")
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def normalise_contact(raw) -> str:
    """A way to reach a person: a mobile (11 digits), a landline with its area code, or an
    e-mail address, each in its canonical form; anything else is refused."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if "@" in text:
        return normalise_email(text)
    for parse in (normalise_phone, normalise_landline):
        try:
            return parse(text)
        except IdentifierError:
            continue
    raise IdentifierError("请填写可联系到您的手机号、带区号的固定电话或电子邮箱")
