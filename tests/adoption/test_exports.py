"""export_adoptions and /api/adoptions/: confirmed records only, hostile text stays data."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Adoption, AdoptionFigure, District
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def records(db):
    source = published_case(
        published_round(2022), tier="优秀案例", rank=1, title=HOSTILE, district="浦东新区"
    )
    unknown = published_case(
        published_round(2021, tiers=(("优秀案例", 3),)),
        tier="优秀案例",
        rank=1,
        title="未注明区的案例",
    )
    made = []
    for case, code, status in (
        (source, "jiading", "confirmed"),
        (source, "xuhui", "pending"),
        (unknown, "jiading", "confirmed"),
    ):
        made.append(
            Adoption.objects.create(
                source=case,
                district=District.objects.get(code=code),
                description="@SUM(1+1)" if status == "confirmed" else "未确认",
                since=datetime.date(2023, 1, 1),
                stage="effective",
                status=status,
            )
        )
    AdoptionFigure.objects.create(adoption=made[0], indicator="-办理时限", value="50", unit="%")
    return made


def test_json_lists_confirmed_records_only_by_source_year(records, capsys):
    call_command("export_adoptions", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert [(r["source_year"], r["district"]) for r in rows] == [(2021, "嘉定区"), (2022, "嘉定区")]
    assert rows[0]["source_district"] is None
    call_command("export_adoptions", "--format", "json", "--year", "2022")
    rows = json.loads(capsys.readouterr().out)
    assert [r["source_title"] for r in rows] == [HOSTILE]
    assert rows[0]["key_figures"] == [{"indicator": "-办理时限", "value": "50", "unit": "%"}]


def test_csv_cells_stay_data(records, capsys):
    call_command("export_adoptions", "--format", "csv", "--year", "2022")
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert rows[1][2] == "'" + HOSTILE and rows[1][6] == "'@SUM(1+1)"
    assert rows[1][7] == "'-办理时限 50%"


def test_xlsx_cells_stay_text(records, tmp_path):
    target = tmp_path / "adoptions.xlsx"
    call_command("export_adoptions", "--format", "xlsx", "--output", str(target))
    sheet = load_workbook(target)["复制推广情况"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][1] == "未注明区"
    assert values[1][2] == HOSTILE and sheet.cell(row=3, column=3).data_type == "s"
    assert values[1][6] == "@SUM(1+1)" and sheet.cell(row=3, column=7).data_type == "s"


def test_command_errors_are_one_line(records, tmp_path):
    with pytest.raises(CommandError, match="xlsx 格式须用 --output"):
        call_command("export_adoptions", "--format", "xlsx")
    with pytest.raises(CommandError, match="无法写入"):
        call_command("export_adoptions", "--format", "csv", "--output", str(tmp_path / "no/x.csv"))


def test_api_lists_confirmed_records_and_is_in_the_index(client, records):
    data = client.get(reverse("publishing:api_adoptions")).json()
    assert data["count"] == 2
    assert {r["description"] for r in data["results"]} == {"@SUM(1+1)"}
    assert client.get(reverse("publishing:api_adoptions"), {"year": "2021"}).json()["count"] == 1
    bad = client.get(reverse("publishing:api_adoptions"), {"year": "abc"})
    assert bad.status_code == 400 and "year" in bad.json()["error"]
    assert client.get(reverse("publishing:api_adoptions"), {"page": "9"}).status_code == 400
    index = client.get(reverse("publishing:api_index")).json()
    assert any(e["url"].endswith("/api/adoptions/") for e in index["endpoints"])
