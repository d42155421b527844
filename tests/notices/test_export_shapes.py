"""Every shape written back out in its own shape (issue #17): export_notice txt|docx|pdf, the
txt round trip into an empty database, and a compilation on the pages, exports and statistics."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document

from cases.models import Case, Round
from publishing import notice_documents

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
NOTICES = {year: DATA / f"notice_{year}.txt" for year in (2021, 2022, 2023)}


def archive_json(year):
    out = io.StringIO()
    call_command("export_archive", year=year, format="json", stdout=out)
    rows = json.loads(out.getvalue())
    for row in rows:
        row.pop("id")
    return rows


def export(year, fmt, tmp_path) -> Path:
    path = tmp_path / f"exported_{year}.{fmt}"
    call_command("export_notice", year=year, format=fmt, output=str(path), stderr=io.StringIO())
    return path


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_txt_round_trip_into_an_empty_database_gives_the_same_cases(year, tmp_path):
    call_command("import_notice", str(NOTICES[year]), stdout=io.StringIO())
    before = archive_json(year)
    round_before = Round.objects.values(
        "kind", "tiers", "criteria", "notice_signature", "notice_date", "notice_attachment"
    ).get()
    path = export(year, "txt", tmp_path)
    Case.objects.all().delete()
    Round.objects.all().delete()
    call_command("import_notice", str(path), stdout=io.StringIO())
    assert archive_json(year) == before
    assert Round.objects.values(*round_before).get() == round_before


def test_the_2023_text_has_no_invented_tier_heading_and_no_signature(tmp_path):
    call_command("import_notice", str(NOTICES[2023]), stdout=io.StringIO())
    text = export(2023, "txt", tmp_path).read_text("utf-8")
    assert "排名None" not in text and text.count("排名") == 20
    assert text.count("营商环境优秀案例") == 3  # the preamble twice and the 附件 line
    assert "上海市发展和改革委员会" not in text
    assert "\n  2023年11月28日\n\n  排名1\n" in text


def test_the_2021_text_has_its_contents_and_district_headings(tmp_path):
    call_command("import_notice", str(NOTICES[2021]), stdout=io.StringIO())
    lines = [line.strip() for line in export(2021, "txt", tmp_path).read_text("utf-8").split("\n")]
    assert "排名" not in "".join(lines)
    toc = lines.index("目  录")
    assert lines[toc - 2] == "2021年全市各区优化营商环境优秀案例"
    assert lines[toc + 2 : toc + 7 : 2] == [
        "一、浦东新区",
        "案例一 推进商事登记确认制",
        "案例二 试点以信用报告代替行政合规证明",
    ]
    assert (
        lines.count("十五、崇明区") == 2
        and lines.count("案例二十 健全政企沟通机制 助力民营经济发展") == 2
    )
    first = lines.index("案例一 推进商事登记确认制", lines.index("十五、崇明区") + 1)
    assert lines[first + 2] == "——持续创新市场准入便利化改革"


def docx_paragraphs(year, tmp_path):
    document = Document(str(export(year, "docx", tmp_path)))
    return [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]


def test_the_2023_docx_has_one_unheaded_tier(tmp_path):
    call_command("import_notice", str(NOTICES[2023]), stdout=io.StringIO())
    paragraphs = docx_paragraphs(2023, tmp_path)
    texts = [text for _, text in paragraphs]
    assert [text for style, text in paragraphs if style == "Heading 1"] == []
    ranks = [text for style, text in paragraphs if style == "Notice Rank"]
    assert ranks == [f"排名{r}" for r in range(1, 21)]
    assert "排名None" not in texts
    title = texts.index("“快闪办”“自助办”“视讯办”“陪同办”")
    assert texts[title + 1] == "打造“小嘉帮办”服务品牌"  # no dash in the 2023 shape
    assert "上海市发展和改革委员会" not in texts


def test_the_2021_docx_and_pdf_have_contents_and_districts_and_no_ranks(tmp_path):
    call_command("import_notice", str(NOTICES[2021]), stdout=io.StringIO())
    paragraphs = docx_paragraphs(2021, tmp_path)
    texts = [text for _, text in paragraphs]
    assert not any("排名" in text for text in texts)
    assert "目  录" in texts
    contents = [text for style, text in paragraphs if style == "Notice Contents"]
    assert contents[:3] == [
        "一、浦东新区",
        "案例一 推进商事登记确认制",
        "案例二 试点以信用报告代替行政合规证明",
    ]
    districts = [text for style, text in paragraphs if style == "Heading 1" and "、" in text]
    assert (
        districts[0] == "一、浦东新区" and districts[-1] == "十五、崇明区" and len(districts) == 15
    )
    titles = [text for style, text in paragraphs if style == "Heading 2"]
    assert len(titles) == 20 and titles[0] == "案例一 推进商事登记确认制"

    assert export(2021, "pdf", tmp_path).read_bytes().startswith(b"%PDF")
    round_ = Round.objects.get(year=2021)
    html = notice_documents.notice_html(notice_documents.notice_from_round(round_), "标题")
    assert 'class="rank"' not in html and "目  录" in html
    assert html.count('<h2 class="district">') == 15


def test_a_compilation_case_without_a_district_cannot_be_laid_out(tmp_path):
    call_command("import_notice", str(NOTICES[2021]), stdout=io.StringIO())
    Case.objects.filter(position=3).update(district=None)
    with pytest.raises(CommandError, match="未指定区，无法按区编排"):
        export(2021, "txt", tmp_path)


# --- a compilation on the pages, exports and statistics ------------------------------------


@pytest.fixture
def both(db):
    for year in (2021, 2022):
        call_command("import_notice", str(NOTICES[year]), stdout=io.StringIO())
    return Round.objects.get(year=2021), Round.objects.get(year=2022)


def test_the_round_page_groups_a_compilation_by_district_without_rank_badges(client, both):
    compilation, ranked = both
    html = client.get(reverse("cases:round", args=[compilation.pk])).content.decode()
    assert 'class="badge bg-danger rank-badge"' not in html and not re.search(r"排名\d", html)
    assert 'id="compilation-note"' in html
    assert html.index("浦东新区") < html.index("黄浦区") < html.index("崇明区")
    ranked_html = client.get(reverse("cases:round", args=[ranked.pk])).content.decode()
    assert ranked_html.count('class="badge bg-danger rank-badge"') == 21


def test_the_archive_and_case_pages_show_a_compilation_case_as_selected(client, both):
    html = client.get(reverse("cases:archive"), {"year": 2021}).content.decode()
    assert "2021 入选" in html
    case = Case.objects.get(round=both[0], position=1)
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "2021年度入选" in detail and not re.search(r"排名\d", detail)


def test_exports_mark_a_compilation_case_as_selected(client, both):
    response = client.get(reverse("publishing:export_round", args=[both[0].pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["年度", "档次", "排名"]
    assert {tuple(row[1:3]) for row in rows[1:]} == {("入选", "")} and len(rows) == 21


def test_statistics_count_a_compilation_as_selected_not_as_awards(client, both):
    response = client.get(reverse("publishing:statistics"))
    table = response.context["table"]
    # Both came from notices: their counts are the listed cases, submissions unknown (#20).
    assert table["columns"] == [
        {"year": 2021, "label": "入选", "imported": True},
        {"year": 2022, "label": "获奖", "imported": True},
    ]
    rows = {row["district"]: row for row in table["rows"]}
    pudong = rows["浦东新区"]["cells"]
    assert [(c["awards"], c["selected"]) for c in pudong] == [(0, 2), (2, 0)]
    assert rows["浦东新区"]["total_awards"] == 2 and rows["浦东新区"]["total_selected"] == 2
    assert table["totals"][0] == {"year": 2021, "cases": None, "awards": 0, "selected": 20}
    chart = response.context["chart"]
    assert [s["label"] for s in chart["awards"]] == ["2021年 入选", "2022年 获奖"]
    assert "入选合计" in response.content.decode()
    assert chart["cases"] == []  # no submissions chart repeating the winners
