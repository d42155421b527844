"""export_archive writes the published list in rank order as JSON, CSV or Excel."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from cases.models import Case
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_2022():
    round_ = published_round(2022)
    # Created out of order, with a tie, to prove the export sorts by tier then rank.
    published_case(round_, tier="良好实践", rank=1, title="良好一", subtitle="", district=None)
    published_case(
        round_, tier="优秀案例", rank=2, title="优秀二乙", district="浦东新区", position=3
    )
    published_case(
        round_,
        tier="优秀案例",
        rank=1,
        title="优秀一",
        subtitle="副标题",
        district="嘉定区",
        position=1,
        sections=[
            {"heading": "", "body": "导语。"},
            {"heading": "一、工作背景", "body": "第一段。\n第二段。"},
        ],
    )
    published_case(round_, tier="优秀案例", rank=2, title="优秀二甲", district="长宁区", position=2)
    # Not published: never exported.
    Case.objects.create(round=round_, title="草稿", status=Case.Status.DRAFT)
    return round_


def export(fmt, tmp_path=None, **kwargs):
    out = io.StringIO()
    if tmp_path is not None:
        path = tmp_path / f"out.{fmt}"
        call_command(
            "export_archive", year=2022, format=fmt, output=str(path), stderr=io.StringIO()
        )
        return path
    call_command("export_archive", year=2022, format=fmt, stdout=out, **kwargs)
    return out.getvalue()


def test_json_lists_every_published_case_in_rank_order(round_2022):
    rows = json.loads(export("json"))
    assert [(r["tier"], r["rank"], r["title"]) for r in rows] == [
        ("优秀案例", 1, "优秀一"),
        ("优秀案例", 2, "优秀二甲"),
        ("优秀案例", 2, "优秀二乙"),
        ("良好实践", 1, "良好一"),
    ]
    first = rows[0]
    assert first["year"] == 2022 and isinstance(first["rank"], int)
    assert first["district"] == "嘉定区"
    assert first["subtitle"] == "副标题"
    assert first["sections"] == [
        {"heading": "", "body": "导语。"},
        {"heading": "一、工作背景", "body": "第一段。\n第二段。"},
    ]
    assert rows[3]["district"] is None and rows[3]["subtitle"] is None


def test_csv_has_chinese_headers_and_a_bom_for_excel(round_2022, tmp_path):
    data = export("csv", tmp_path).read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["年度", "档次", "排名", "区", "标题", "副标题"]
    assert rows[1][:5] == ["2022", "优秀案例", "1", "嘉定区", "优秀一"]
    assert "一、工作背景\n第一段。\n第二段。" in rows[1][7]
    assert len(rows) == 5


def test_xlsx_opens_with_chinese_headers(round_2022, tmp_path):
    sheet = load_workbook(export("xlsx", tmp_path)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("年度", "档次", "排名", "区", "标题")
    assert values[1][:5] == (2022, "优秀案例", 1, "嘉定区", "优秀一")
    assert len(values) == 5


def test_a_year_without_a_published_round_is_a_one_line_error(db):
    with pytest.raises(CommandError, match="2030 年度没有已公布的评选"):
        call_command("export_archive", year=2030, format="json", stdout=io.StringIO())


def test_xlsx_needs_an_output_file(round_2022):
    with pytest.raises(CommandError, match="--output"):
        export("xlsx")
