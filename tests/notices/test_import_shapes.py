"""import_notice on every published shape (issue #17): the entries each gives, criteria,
signature, the self-check with --allow-partial, traditional input, unreadable shapes, and the
guarantees of today for each shape (idempotent, corrections kept, one transaction)."""

import io
import json
from pathlib import Path

import opencc
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cases.models import Case, District, Round
from tests.notices.test_shapes import EXPECTED_2021, EXPECTED_2023, UNREADABLE

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
NOTICES = {year: DATA / f"notice_{year}.txt" for year in (2021, 2022, 2023)}
SIZES = {2021: 20, 2022: 21, 2023: 20}


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_notice", str(path), *args, stdout=out)
    return out.getvalue()


def exported(year):
    out = io.StringIO()
    call_command("export_archive", year=year, format="json", stdout=out)
    return json.loads(out.getvalue())


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_the_2021_compilation_imports_as_a_round_without_tiers():
    summary = run_import(NOTICES[2021])
    round_ = Round.objects.get(year=2021)
    assert round_.is_compilation and round_.tiers == []
    assert round_.status == Round.Status.PUBLISHED
    assert round_.notice_signature == "上海市发展和改革委员会"
    assert [c["label"] for c in round_.criteria] == ["首创性强", "获得感高", "可复制推广"]
    rows = exported(2021)
    assert [(r["district"], r["title"], r["subtitle"] or "") for r in rows] == EXPECTED_2021
    assert {(r["tier"], r["rank"], r["compilation"]) for r in rows} == {(None, None, True)}
    assert not any(r["district_needs_review"] for r in rows)
    assert "案例汇编（不分档次、不排名）：20 个入选案例" in summary
    assert "待人工指定区的案例：0" in summary


def test_the_2023_single_tier_imports_with_the_preambles_words_and_no_signature():
    summary = run_import(NOTICES[2023])
    round_ = Round.objects.get(year=2023)
    assert not round_.is_compilation
    assert round_.tiers == [{"name": "优秀案例", "size": 20}]
    assert [c["label"] for c in round_.criteria] == ["创新性强", "实效性高", "可复制推广"]
    assert round_.notice_signature == "" and round_.notice_date.isoformat() == "2023-11-28"
    rows = exported(2023)
    found = [(r["tier"], r["rank"], r["title"], r["subtitle"] or "", r["district"]) for r in rows]
    assert found == EXPECTED_2023
    assert "优秀案例：20 个案例" in summary
    assert "通知未写落款，年度评选的落款留空" in summary
    assert "重复案例已跳过：1" in summary and "待人工指定区的案例：1" in summary


def test_the_2022_list_still_imports_exactly_as_before():
    summary = run_import(NOTICES[2022])
    round_ = Round.objects.get(year=2022)
    assert not round_.is_compilation and round_.tier_names == ["优秀案例", "良好实践"]
    assert round_.notice_signature == "上海市发展和改革委员会" and round_.import_shortfall == ""
    assert "落款" not in summary and "繁体" not in summary


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_a_second_import_of_each_shape_changes_nothing(year):
    run_import(NOTICES[year])
    before = exported(year)
    history = Case.history.count(), Round.history.count()
    summary = run_import(NOTICES[year])
    assert f"新增 0，更新 0，未变 {SIZES[year]}" in summary
    assert exported(year) == before
    assert (Case.history.count(), Round.history.count()) == history


@pytest.mark.parametrize("year", [2021, 2023])
def test_a_persons_correction_survives_a_corrected_copy(year, tmp_path):
    run_import(NOTICES[year])
    case = Case.objects.get(round__year=year, search_text__contains="年均办件量83.97万件")
    case.district = District.objects.get(name="宝山区")  # a person's (odd) correction
    case.district_confirmed = True
    case.save()
    corrected = NOTICES[year].read_text("utf-8").replace("年均办件量83.97万件", "年均办件量84万件")
    summary = run_import(write(tmp_path, "corrected.txt", corrected))
    assert f"新增 0，更新 1，未变 {SIZES[year] - 1}" in summary
    case.refresh_from_db()
    assert "年均办件量84万件" in case.search_text and case.district.name == "宝山区"
    assert Case.objects.filter(round__year=year).count() == SIZES[year]


@pytest.mark.parametrize(
    ("year", "cut_at", "message"),
    [
        (2023, "排名2", "通知写明 20 个案例，只读到 1 个"),
        (2022, "上海市2022年度各区优化营商环境良好实践", "附件写明的档次“良好实践”在正文中未找到"),
    ],
)
def test_a_truncated_copy_is_refused_and_allow_partial_imports_it(
    year, cut_at, message, tmp_path, client, staff
):
    text = NOTICES[year].read_text("utf-8")
    path = write(tmp_path, "cut.txt", text[: text.index(cut_at)])
    with pytest.raises(CommandError) as caught:
        run_import(path)
    assert caught.value.returncode == 2
    assert "\n" not in str(caught.value) and message in str(caught.value)
    assert "--allow-partial" in str(caught.value)
    assert not Round.objects.exists() and not Case.objects.exists()

    summary = run_import(path, "--allow-partial")
    round_ = Round.objects.get(year=year)
    assert round_.import_shortfall == message
    assert "部分导入" in summary and message in summary
    client.force_login(staff)
    page = client.get(reverse("publishing:round", args=[round_.pk])).content.decode()
    assert 'id="import-shortfall"' in page and message in page

    # A complete copy imported later clears the shortfall.
    run_import(NOTICES[year])
    round_.refresh_from_db()
    assert round_.import_shortfall == ""


def test_a_2021_copy_whose_contents_and_body_differ_is_refused(tmp_path):
    text = NOTICES[2021].read_text("utf-8")
    start = text.index("案例九 打造“法律服务产业集聚圈” 擦亮")
    path = write(tmp_path, "differ.txt", text[:start] + text[text.index("八、杨浦区", start) :])
    with pytest.raises(CommandError) as caught:
        run_import(path)
    assert "目录中的案例九“打造“法律服务产业集聚圈””在正文中未找到" in str(caught.value)
    assert not Case.objects.exists()
    run_import(path, "--allow-partial")
    assert Case.objects.count() == 19
    assert "目录中的案例九" in Round.objects.get().import_shortfall


def test_a_refused_reimport_leaves_the_imported_round_untouched(tmp_path):
    run_import(NOTICES[2023])
    before = exported(2023)
    text = NOTICES[2023].read_text("utf-8")
    with pytest.raises(CommandError):
        run_import(write(tmp_path, "cut.txt", text[: text.index("排名2")]))
    assert exported(2023) == before


@pytest.mark.parametrize("year", [2021, 2023])
def test_traditional_input_imports_like_the_simplified_notice(year, tmp_path):
    run_import(NOTICES[year])
    reference = exported(year)
    Case.objects.all().delete()
    Round.objects.all().delete()
    traditional = opencc.OpenCC("s2t").convert(NOTICES[year].read_text("utf-8"))
    summary = run_import(write(tmp_path, "traditional.txt", traditional))
    assert "原文为繁体字，已转为简体" in summary
    again = exported(year)
    assert again == [dict(r, id=new["id"]) for r, new in zip(reference, again, strict=True)]


@pytest.mark.parametrize("shape", list(UNREADABLE))
def test_unreadable_shapes_are_refused_with_one_line_and_exit_status_2(shape, tmp_path):
    with pytest.raises(CommandError) as caught:
        run_import(write(tmp_path, "bad.txt", UNREADABLE[shape]), "--year", "2024")
    assert caught.value.returncode == 2 and "\n" not in str(caught.value)
    assert "无法读取" in str(caught.value)
    assert not Round.objects.exists()
