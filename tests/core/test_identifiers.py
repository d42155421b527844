"""core.identifiers: what people type that becomes a key, in one ASCII form or refused (#13);
core.converters: ids in URLs (#16)."""

import pytest
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from core.converters import IdConverter
from core.identifiers import (
    MAX_ID,
    IdentifierError,
    ascii_code,
    ascii_digits,
    mask_phone,
    normalise_phone,
    optional_id,
    optional_int,
    parse_id,
    parse_int,
)

# Decimal digits of other scripts, all meaning 2022 (or 12).
FULL_WIDTH = "２０２２"
ARABIC_INDIC = "٢٠٢٢"
DEVANAGARI = "२०२२"


def test_digits_of_any_script_become_ascii():
    for typed in (FULL_WIDTH, ARABIC_INDIC, DEVANAGARI, " 2022\u3000"):
        assert ascii_digits(typed) == "2022"
    assert ascii_digits("－１２") == "-12"
    assert ascii_digits("A١") == "A1"  # other characters are kept, for the caller to refuse


@pytest.mark.parametrize("typed", ["2022", FULL_WIDTH, ARABIC_INDIC, DEVANAGARI, " ２０２２ "])
def test_a_number_typed_in_any_script_is_the_same_number(typed):
    assert parse_int(typed) == 2022
    assert parse_id(typed) == 2022
    assert optional_id(typed) == 2022
    assert optional_int(typed, minimum=1990, maximum=2100) == 2022


@pytest.mark.parametrize(
    "typed",
    [
        "²",  # a superscript: str.isdigit() says yes, int() says no
        "2²",
        "①",
        "½",
        "Ⅻ",
        "1e3",
        "1.5",
        "0x10",
        "1 2",
        "1\x00",
        "\x00",
        "",
        "   ",
        "1" * 41,  # longer than any number we take (int() of 5,000 digits is slow)
    ],
)
def test_anything_else_that_looks_numeric_is_refused_in_chinese(typed):
    with pytest.raises(IdentifierError) as info:
        parse_int(typed)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_ids_are_what_a_64_bit_key_can_hold():
    assert parse_id(str(MAX_ID)) == MAX_ID == 2**63 - 1
    for typed in (str(MAX_ID + 1), str(2**64), "0", "-1", "+0", None):
        with pytest.raises(IdentifierError, match="编号无效"):
            parse_id(typed)


def test_optional_values_are_none_when_absent_and_still_refuse_junk():
    for absent in (None, "", "  ", "\u3000"):
        assert optional_id(absent) is None
        assert optional_int(absent) is None
    with pytest.raises(IdentifierError):
        optional_id("²")
    with pytest.raises(IdentifierError, match="不能大于"):
        optional_int("１０１", maximum=100)
    with pytest.raises(IdentifierError, match="不能小于"):
        optional_int("0", minimum=1)


# --- <id:…> in URLs --------------------------------------------------------------------------


def test_the_id_converter_takes_ascii_ids_that_can_exist():
    converter = IdConverter()
    assert converter.to_python("42") == 42
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    for junk in ("0", str(MAX_ID + 1), "9" * 100):
        with pytest.raises(ValueError):  # Django: this pattern does not match
            converter.to_python(junk)
    assert converter.to_url(42) == "42"


@pytest.mark.parametrize(
    "path",
    [
        "/cases/0/",
        f"/cases/{MAX_ID + 1}/",
        f"/cases/{2**64}/",
        "/cases/١/",  # \d would take it: /staff/cases/١/accept/ acted on case 1
        "/cases/２/",
        f"/vote/1/cases/{2**64}/vote/",
        "/cases/staff/cases/١/accept/",
        f"/api/cases/{2**64}/",
    ],
)
def test_ids_that_cannot_exist_match_no_url(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_every_id_in_a_url_is_a_python_int_up_to_the_largest_key():
    match = resolve(f"/cases/{MAX_ID}/")
    assert match.kwargs == {"pk": MAX_ID}
    assert reverse("cases:staff_case_action", args=[7, "accept"]) == "/cases/staff/cases/7/accept/"


# --- Phones and one-time codes (the vote) ----------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "１３８００１３８０００",  # full-width
        "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic
        "१३८००१३८०००",  # Devanagari
        "+86 138-0013-8000",
        "＋８６ １３８ ００１３ ８０００",
        "0086 138 0013 8000",
        "8613800138000",
        "138.0013.8000",
        " 13800138000\u3000",
    ],
)
def test_a_phone_typed_in_any_digits_is_its_11_ascii_digits(typed):
    assert normalise_phone(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed",
    ["1380013800²", "²3800138000", "1380013800①", "1380013800", "23800138000", "1380013800a", ""],
)
def test_anything_else_is_not_a_phone(typed):
    with pytest.raises(IdentifierError):
        normalise_phone(typed)


def test_a_phone_is_shown_masked():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("merged:7") == "********"  # not a phone: nothing of it shows


@pytest.mark.parametrize("typed", ["123456", "１２３４５６", "١٢٣٤٥٦", "१२३४५६", " 123 456 "])
def test_a_code_typed_in_any_digits_is_ascii(typed):
    assert ascii_code(typed, length=6) == "123456"


@pytest.mark.parametrize("typed", ["12345²", "12345", "1234567", "12345a", "", None])
def test_anything_else_is_not_a_code(typed):
    with pytest.raises(IdentifierError):
        ascii_code(typed, length=6)
