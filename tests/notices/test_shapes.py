"""The three published shapes of notice (issue #17), read by the parser: the 2021 compilation,
the 2022 tiers, the 2023 single tier; the notice's self-check; traditional characters; shapes
it cannot read. Inputs: tests/data/notice_20xx.txt (see tests/data/build_notice_shapes.py)."""

import datetime
from pathlib import Path

import opencc
import pytest

from cases.notices.parsed import COMPILATION, RANKED, IncompleteNotice, NoticeError
from cases.notices.parser import parse_notice
from cases.notices.preamble import criteria_words, stated_count
from tests.notices.test_parser import EXPECTED_CASES

DATA = Path(__file__).resolve().parents[1] / "data"


def text_of(year: int) -> str:
    return (DATA / f"notice_{year}.txt").read_text("utf-8")


# (district, title, subtitle) in printed order, 案例一 … 案例二十. Subtitles printed after a
# space on the 案例 line are split off only where the 目录 lists the main title alone (2, 9,
# 17); where the 目录 lists the same line (6, 14, 18) the whole line is the title.
EXPECTED_2021 = [
    ("浦东新区", "推进商事登记确认制", "持续创新市场准入便利化改革"),
    ("浦东新区", "试点以信用报告代替行政合规证明", "提升企业上市服务保障效能"),
    ("黄浦区", "“燃创梦想”助力高质量创新创业", ""),
    ("静安区", "智能退税一键式 “双动”创新提效能", ""),
    ("徐汇区", "强化法治“硬功夫” 打造营商“软环境”", ""),
    ("长宁区", "出台服务保障复工复产 持续优化营商环境十大行动方案", ""),
    ("普陀区", "深化“体验官”机制建设，营造浓厚营商氛围", ""),
    ("虹口区", "依托特色品牌系列活动构建", "“政企交流、企企对接”的新型服务平台"),
    ("虹口区", "打造“法律服务产业集聚圈”", "擦亮法治化营商环境新品牌"),
    ("杨浦区", "以人为本稳就业 宜商惠民促发展", ""),
    ("闵行区", "征纳互动“智”优体验 足不出户“指”享服务", ""),
    ("闵行区", "“一库”汇万址 “一纸”惠万众", ""),
    ("宝山区", "代企办，企无忧——首席代办一线直达", ""),
    ("嘉定区", "“快闪办”“自助办”“视讯办”“陪同办” 打造“小嘉帮办”服务品牌", ""),
    ("金山区", "打造“三团一平台”", "构建组团式法治服务新模式"),
    ("金山区", "助企揽才 打造人才服务“金”字招牌", ""),
    ("青浦区", "长三角生态绿色一体化发展示范区", "政务服务一体化建设"),
    ("奉贤区", "全流程在线办案助力高效审判 高质量化解企业多元纠纷", ""),
    ("奉贤区", "“四个一”云审批  开启数字治理新样式", ""),
    ("崇明区", "健全政企沟通机制 助力民营经济发展", ""),
]
# The 2022 cases in their order, ranked 1 … 20 in one tier (the 2022 list's last case left out).
EXPECTED_2023 = [
    ("优秀案例", rank, title, subtitle, district)
    for rank, (_tier, _rank, title, subtitle, district) in enumerate(EXPECTED_CASES[:20], 1)
]


@pytest.fixture(scope="module")
def notice_2021():
    return parse_notice(text_of(2021).encode("utf-8"))


@pytest.fixture(scope="module")
def notice_2023():
    return parse_notice(text_of(2023).encode("utf-8"))


# --- 2021: a compilation --------------------------------------------------------------------


def test_2021_is_a_compilation_without_tiers_or_ranks(notice_2021):
    assert notice_2021.shape == COMPILATION and notice_2021.is_compilation
    assert [(c.tier, c.rank) for c in notice_2021.cases()] == [("", None)] * 20
    assert [c.position for c in notice_2021.cases()] == list(range(1, 21))
    found = [(c.district, c.title, c.subtitle) for c in notice_2021.cases()]
    assert found == EXPECTED_2021


def test_2021_districts_are_the_headings_never_a_guess(notice_2021):
    assert not any(c.district_needs_review or c.district_note for c in notice_2021.cases())
    # The 长宁 case names only "长宁法院" in its text: the heading decides, not the text.
    changning = notice_2021.cases()[5]
    assert changning.district == "长宁区"


def test_2021_letter_and_sections(notice_2021):
    assert notice_2021.addressee == "各区人民政府、各相关单位："
    assert notice_2021.attachment == "2021年全市各区优化营商环境优秀案例"
    assert notice_2021.signature == "上海市发展和改革委员会"
    assert notice_2021.date == datetime.date(2021, 11, 29) and notice_2021.year == 2021
    assert notice_2021.dropped_lines == [] and notice_2021.shortfall == []
    first = notice_2021.cases()[0]
    headings = [s["heading"] for s in first.sections]
    assert headings == ["", "一、改革举措", "二、改革成效", "三、总结"]
    assert first.sections[0]["body"].startswith("浦东新区以立法为抓手")


def test_a_case_line_with_a_dash_gives_a_certain_subtitle():
    text = text_of(2021).replace(
        "案例十八 全流程在线办案助力高效审判 高质量化解企业多元纠纷",
        "案例十八 全流程在线办案助力高效审判 ——高质量化解企业多元纠纷",
    )
    case = parse_notice(text).cases()[17]
    assert (case.title, case.subtitle) == ("全流程在线办案助力高效审判", "高质量化解企业多元纠纷")


# --- 2023: one tier, no heading -------------------------------------------------------------


def test_2023_is_one_tier_named_by_the_preamble(notice_2023):
    assert notice_2023.shape == RANKED
    assert [(t.name, t.heading) for t in notice_2023.tiers] == [("优秀案例", "")]
    found = [(c.tier, c.rank, c.title, c.subtitle, c.district) for c in notice_2023.cases()]
    assert found == EXPECTED_2023


def test_2023_letter_has_no_addressee_and_no_signature(notice_2023):
    assert notice_2023.addressee == "" and notice_2023.signature == ""
    assert notice_2023.preamble[0].startswith("优化营商环境是增强上海城市核心竞争力")
    assert notice_2023.attachment == "2023年度各区优化营商环境优秀案例"
    assert notice_2023.date == datetime.date(2023, 11, 28) and notice_2023.year == 2023


def test_2023_case_printed_twice_counts_once(notice_2023):
    assert len(notice_2023.duplicates) == 1
    assert notice_2023.duplicates[0][0].title == "打造“法律服务产业集聚圈”"
    assert len(notice_2023.cases()) == 20  # as the preamble says, the copy not counted


def test_2023_case_naming_no_district_is_flagged(notice_2023):
    flagged = notice_2023.needing_district()
    assert [(c.rank, c.district) for c in flagged] == [(19, None)]


# --- what the letter states -----------------------------------------------------------------


def test_criteria_in_both_phrasings():
    assert criteria_words(parse_notice(text_of(2021)).preamble) == [
        "首创性强",
        "获得感高",
        "可复制推广",
    ]
    assert criteria_words(["今年，选出具有引领性强、感受度高、可复制推广的优秀案例。"]) == [
        "引领性强",
        "感受度高",
        "可复制推广",
    ]
    assert criteria_words(
        ["经评审，选出各区创新性强、实效性高、可复制推广的20个优化营商环境优秀案例。"]
    ) == ["创新性强", "实效性高", "可复制推广"]
    assert criteria_words(["现将案例印发公布。"]) == []


def test_the_count_is_this_years_never_a_running_total():
    running_then_this_year = "我市已推出三批共47个区级优秀案例。今年选出各区实效性高的20个案例。"
    assert stated_count([running_then_this_year]) == 20
    assert stated_count(["我市已连续两年推出两批共27个区级优秀案例。"]) is None
    assert stated_count(["经评审，评选出二十个优秀案例。"]) == 20


# --- the notice checks itself ---------------------------------------------------------------


def cut_after_first_case(text: str, marker: str) -> str:
    first = text.index(marker)
    return text[: text.index(marker.replace("1", "2").replace("一", "二"), first)]


def test_a_2023_copy_cut_after_the_first_case_is_refused():
    cut = cut_after_first_case(text_of(2023), "排名1")
    with pytest.raises(IncompleteNotice) as caught:
        parse_notice(cut)
    assert str(caught.value) == "通知写明 20 个案例，只读到 1 个"
    partial = parse_notice(cut, allow_partial=True)
    assert len(partial.cases()) == 1 and partial.shortfall == ["通知写明 20 个案例，只读到 1 个"]


def test_a_2022_copy_that_lost_its_second_tier_is_refused():
    text = (DATA / "notice_2022.txt").read_text("utf-8")
    cut = text[: text.index("上海市2022年度各区优化营商环境良好实践")]
    with pytest.raises(IncompleteNotice, match="附件写明的档次“良好实践”在正文中未找到"):
        parse_notice(cut)
    assert [t.name for t in parse_notice(cut, allow_partial=True).tiers] == ["优秀案例"]


def test_a_2021_copy_whose_contents_and_body_differ_is_refused_naming_the_case():
    text = text_of(2021)
    start = text.index("案例九 打造“法律服务产业集聚圈” 擦亮")
    without_nine = text[:start] + text[text.index("八、杨浦区", start) :]
    with pytest.raises(IncompleteNotice) as caught:
        parse_notice(without_nine)
    message = str(caught.value)
    assert "\n" not in message
    assert "目录中的案例九“打造“法律服务产业集聚圈””在正文中未找到" in message
    assert "通知写明 20 个案例，只读到 19 个" in message
    partial = parse_notice(without_nine, allow_partial=True)
    assert len(partial.cases()) == 19 and len(partial.shortfall) == 2


def test_a_2021_copy_cut_after_the_first_case_is_refused():
    text = text_of(2021)
    body = text.index("一、浦东新区", text.index("案例二十"))
    cut = text[: text.index("案例二", body)]
    with pytest.raises(IncompleteNotice, match="案例二“.*”等 19 个案例在正文中未找到"):
        parse_notice(cut)


def test_a_case_in_the_body_but_not_in_the_contents_is_refused():
    text = text_of(2021).replace("  案例二十 健全政企沟通机制 助力民营经济发展\n\n", "", 1)
    with pytest.raises(IncompleteNotice, match="正文中的案例二十“健全政企沟通机制"):
        parse_notice(text)


# --- traditional characters -----------------------------------------------------------------


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_traditional_text_reads_as_the_simplified_one(year):
    simplified = (DATA / f"notice_{year}.txt").read_text("utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    parsed = parse_notice(traditional.encode("utf-8"))
    assert parsed.converted_from_traditional
    assert parsed == parse_notice(simplified)


def test_a_few_traditional_characters_are_left_as_printed():
    text = (DATA / "notice_2022.txt").read_text("utf-8").replace("营造奋勇争先", "營造奋勇争先")
    parsed = parse_notice(text)
    assert not parsed.converted_from_traditional
    assert "營造奋勇争先" in parsed.preamble[0]


# --- shapes it cannot read ------------------------------------------------------------------

UNREADABLE = {
    "numbered list": "\n".join(
        [
            "2024年度优秀案例名单",
            "1. 浦东新区：推进商事登记确认制",
            "2. 嘉定区：打造“小嘉帮办”服务品牌",
            "3. 长宁区：出台服务保障复工复产",
        ]
    ),
    "table": "\n".join(
        [
            "序号\t区\t案例名称",
            "1\t浦东新区\t推进商事登记确认制",
            "2\t嘉定区\t打造“小嘉帮办”服务品牌",
            "3\t长宁区\t出台服务保障复工复产",
        ]
    ),
}


@pytest.mark.parametrize(("shape", "text"), UNREADABLE.items(), ids=UNREADABLE.keys())
def test_unreadable_shapes_are_refused_saying_what_was_expected(shape, text):
    with pytest.raises(NoticeError) as caught:
        parse_notice(text)
    message = str(caught.value)
    assert "\n" not in message
    assert ("编号列表" if shape == "numbered list" else "表格") in message
    assert "排名1" in message and "案例一" in message


def test_a_small_compilation_takes_each_district_from_its_heading():
    text = "\n".join(
        [
            "目  录",
            "一、浦东新区",
            "案例一 甲",
            "二、嘉定区",
            "案例二 乙",
            "一、浦东新区",
            "案例一 甲",
            "借鉴嘉定区、嘉定区的经验推进改革。",
            "二、嘉定区",
            "案例二",
            "乙",
            "——副题",
            "一、主要做法",
            "推进改革。",
        ]
    )
    notice = parse_notice(text)
    found = [(c.district, c.title, c.subtitle, c.district_needs_review) for c in notice.cases()]
    assert found == [("浦东新区", "甲", "", False), ("嘉定区", "乙", "副题", False)]
    assert notice.cases()[1].sections == [{"heading": "一、主要做法", "body": "推进改革。"}]
