"""Real notices as people copy them (issue #33): the real 2023 letter's shape (the year only in
its sentences, no 附件 line), a copy from the portal's web page (navigation, tools, footer; the
title line and 文号), 排名 with the title on its line or spaced out, and a copy that lost its last
case where the letter states no count."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case, Round
from cases.notices.parser import parse_notice
from cases.notices.reading import is_page_chrome

DATA = Path(__file__).resolve().parents[1] / "data"
LETTER = DATA / "notice_2023_letter.txt"
WEB = DATA / "notice_2023_web.txt"


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_notice", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_the_year_is_read_from_the_letters_sentences():
    notice = parse_notice(LETTER.read_bytes())
    assert notice.year == 2023
    assert [(t.name, len(t.cases)) for t in notice.tiers] == [("优秀案例", 20)]
    assert notice.shortfall == [] and notice.attachment == ""
    # Each place alone states it: "现印发公布2023年度各区…" and "2023年，各区…".
    text = LETTER.read_text("utf-8")
    assert parse_notice(text.replace("2023年，各区", "各区")).year == 2023
    assert parse_notice(text.replace("现印发公布2023年度", "现印发公布")).year == 2023
    assert "2019年以来" in text  # a year the letter looks back to is not the list's


@pytest.mark.django_db
def test_a_year_option_contradicting_the_letter_is_refused():
    with pytest.raises(CommandError, match="通知为 2023 年度，与 --year 2024 不符"):
        run_import(LETTER, "--year", "2024")
    assert not Round.objects.exists()
    run_import(LETTER)  # no --year needed
    assert Round.objects.get().year == 2023


@pytest.mark.django_db
def test_the_single_tier_is_written_back_without_a_heading(tmp_path):
    run_import(LETTER)
    path = tmp_path / "2023.txt"
    call_command("export_notice", year=2023, format="txt", output=str(path), stderr=io.StringIO())
    lines = [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
    original = [line.strip() for line in LETTER.read_text("utf-8").splitlines() if line.strip()]
    assert lines[: original.index("排名1") + 1] == original[: original.index("排名1") + 1]
    assert not [line for line in lines if re.fullmatch(r".*2023年度各区优化营商环境优秀案例", line)]


@pytest.mark.django_db
def test_a_copy_from_the_web_page_drops_the_page_and_keeps_title_and_number():
    web, letter = parse_notice(WEB.read_bytes()), parse_notice(LETTER.read_bytes())
    assert web.title == "关于印发2023年度各区优化营商环境优秀案例的通知"
    assert web.document_number == "沪发改营商〔2023〕15号"
    assert len(web.page_chrome) == 8 and web.page_chrome[0] == "首页 > 政务公开 > 通知公告"
    # The letter and the cases as in the plain copy: no navigation in the letter, no footer
    # under the last case.
    assert web.preamble == letter.preamble and web.cases() == letter.cases()
    out = run_import(WEB)
    assert "已去掉网页的导航、工具栏和页脚 8 行" in out and "ICP备" in out
    round_ = Round.objects.get()
    assert round_.document_number == "沪发改营商〔2023〕15号"
    assert "首页" not in round_.notice_preamble
    last = Case.objects.get(round=round_, rank=20)
    assert "打印本页" not in str(last.sections) and "版权所有" not in str(last.sections)
    # The plain copy finds the same round: nothing new.
    out = run_import(LETTER)
    assert Round.objects.count() == 1 and "新增 0，更新 0，未变 20" in out


@pytest.mark.parametrize(
    "line",
    [
        "当前位置：首页 > 信息公开 > 规范性文件",
        "您现在的位置：首页 » 政策文件",
        "首页 / 政务公开 / 通知公告",
        "发布时间：2023年12月5日 10:00　浏览次数：1024",
        "信息来源：上海市发展和改革委员会",
        "【字体：大 中 小】",
        "字号：[ 大 中 小 ]",
        "扫一扫在手机打开当前页",
        "[打印本页] [关闭窗口]",
        "【打印】【关闭】",
        "上一条：关于做好2024年元旦春节期间有关工作的通知",
        "网站标识码：3100000001　沪ICP备10016520号",
        "Copyright © 2023 上海市人民政府 版权所有",
        "主办单位：上海市发展和改革委员会",
    ],
)
def test_other_portals_page_lines_are_recognised(line):
    assert is_page_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "首页服务窗口设在一楼大厅，提供咨询和导办服务。",
        "来源于企业的诉求，由专班逐一办理，版权所有方的权益得到保护。",
        "2023年，各区按照全市优化营商环境工作要求，聚焦经营主体反映的突出问题。",
    ],
)
def test_sentences_of_a_notice_are_not_page_lines(line):
    assert not is_page_chrome(line)


@pytest.mark.parametrize(
    "rewrite",
    [
        # The title on the rank line, after a space.
        lambda text: re.sub(r"排名(\d+)\n\n  ", r"排名\1 ", text),
        # 排名 spaced out.
        lambda text: re.sub(r"排名(\d+)", r"排 名 \1", text),
        lambda text: re.sub(r"排名(\d+)", r"排名 \1", text),
    ],
)
def test_rank_lines_with_the_title_on_them_or_spaced_read_alike(rewrite):
    text = LETTER.read_text("utf-8")
    copy = rewrite(text)
    assert copy != text
    assert parse_notice(copy).cases() == parse_notice(text).cases()


@pytest.mark.django_db
def test_a_copy_missing_its_last_case_says_completeness_was_not_checked(tmp_path):
    # 2022's letter names no count: a copy cut before its last case cannot be caught.
    text = (DATA / "notice_2022.txt").read_text("utf-8")
    cut = text[: text.rindex("排名10")]
    out = run_import(write(tmp_path, "cut.txt", cut))
    assert "通知未写明案例数，无法核对是否完整" in out
    # The 2023 letter states its count: checked, so no such note.
    assert "无法核对" not in run_import(LETTER)
