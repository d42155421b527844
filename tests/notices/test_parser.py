"""The notice parser against the real 2022 notice, its copies, broken files and random input."""

import datetime
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.notices.districts import DISTRICT_NAMES, NO_DISTRICT_NOTE, find_district
from cases.notices.parsed import NoticeError, ParsedCase
from cases.notices.parser import parse_notice
from cases.notices.reading import (
    canonical_punctuation,
    date_of,
    decode_notice,
    rank_of,
    tier_heading_parts,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "notice_2022.txt"


# The published file as the product ships it (manage.py import_notice, the demo data).
SHIPPED = Path(__file__).resolve().parents[2] / "cases" / "data" / "notices" / "2022.txt"


@pytest.fixture(scope="module")
def real_bytes() -> bytes:
    return DATA.read_bytes()


@pytest.fixture(scope="module")
def real_text(real_bytes) -> str:
    return real_bytes.decode("utf-8")


@pytest.fixture(scope="module")
def real(real_bytes):
    return parse_notice(real_bytes)


def case_at(notice, tier, index):
    return next(t for t in notice.tiers if t.name == tier).cases[index]


# Read off the file by hand: (tier, rank, title, subtitle, district). Titles are stored with
# canonical full-width punctuation; rank 8 of 良好实践 really names no district.
EXPECTED_CASES = [
    ("优秀案例", 1, "“快闪办”“自助办”“视讯办”“陪同办”", "打造“小嘉帮办”服务品牌", "嘉定区"),
    ("优秀案例", 2, "推进商事登记确认制", "持续创新市场准入便利化改革", "浦东新区"),
    ("优秀案例", 3, "征纳互动“智”优体验 足不出户“指”享服务", "", "闵行区"),
    ("优秀案例", 4, "强化法治“硬功夫” 打造营商“软环境”", "", "徐汇区"),
    ("优秀案例", 5, "依托特色品牌系列活动构建", "“政企交流、企企对接”的新型服务平台", "虹口区"),
    ("优秀案例", 6, "“燃创梦想”助力高质量创新创业", "", "黄浦区"),
    ("优秀案例", 6, "全流程在线办案助力高效审判", "高质量化解企业多元纠纷", "奉贤区"),
    ("优秀案例", 8, "打造“三团一平台”", "构建组团式法治服务新模式", "金山区"),
    ("优秀案例", 8, "长三角生态绿色一体化发展示范区", "政务服务一体化建设", "青浦区"),
    ("优秀案例", 10, "代企办，企无忧——首席代办一线直达", "", "宝山区"),
    ("优秀案例", 10, "以人为本稳就业 宜商惠民促发展", "", "杨浦区"),
    ("良好实践", 1, "试点以信用报告代替行政合规证明", "提升企业上市服务保障效能", "浦东新区"),
    ("良好实践", 1, "“一库”汇万址 “一纸”惠万众", "", "闵行区"),
    ("良好实践", 3, "打造“法律服务产业集聚圈”", "擦亮法治化营商环境新品牌", "虹口区"),
    ("良好实践", 3, "“四个一”云审批  开启数字治理新样式", "", "奉贤区"),
    ("良好实践", 5, "助企揽才 打造人才服务“金”字招牌", "", "金山区"),
    ("良好实践", 5, "智能退税一键式 “双动”创新提效能", "", "静安区"),
    ("良好实践", 7, "出台服务保障复工复产", "持续优化营商环境十大行动方案", "长宁区"),
    ("良好实践", 8, "“益”企助企 “律政联商助企”法律服务团", "持续为企业发展“支招", None),
    ("良好实践", 9, "健全政企沟通机制 助力民营经济发展", "", "崇明区"),
    ("良好实践", 10, "深化“体验官”机制建设，营造浓厚营商氛围", "", "普陀区"),
]


# --- the real 2022 notice -------------------------------------------------------------------


def test_copy_in_tests_is_the_published_file(real_bytes):
    assert SHIPPED.read_bytes() == real_bytes


def test_real_notice_has_two_tiers_with_their_ranks(real):
    assert [tier.name for tier in real.tiers] == ["优秀案例", "良好实践"]
    assert [tier.heading for tier in real.tiers] == [
        "上海市2022年度各区优化营商环境优秀案例",
        "上海市2022年度各区优化营商环境良好实践",
    ]
    ranks = {tier.name: [case.rank for case in tier.cases] for tier in real.tiers}
    assert ranks == {
        "优秀案例": [1, 2, 3, 4, 5, 6, 6, 8, 8, 10, 10],
        "良好实践": [1, 1, 3, 3, 5, 5, 7, 8, 9, 10],
    }
    assert len(real.cases()) == 21
    assert [case.position for case in real.cases()] == list(range(1, 22))
    assert all(case.tier == tier.name for tier in real.tiers for case in tier.cases)


def test_real_notice_titles_and_subtitles(real):
    found = [(c.tier, c.rank, c.title, c.subtitle) for c in real.cases()]
    assert found == [row[:4] for row in EXPECTED_CASES]


def test_real_notice_districts(real):
    found = [(c.tier, c.rank, c.title, c.district) for c in real.cases()]
    assert found == [(*row[:3], row[4]) for row in EXPECTED_CASES]


def test_only_the_case_naming_no_district_is_flagged(real):
    flagged = real.needing_district()
    assert [(c.tier, c.rank) for c in flagged] == [("良好实践", 8)]
    assert flagged[0].district is None
    assert flagged[0].district_note == NO_DISTRICT_NOTE
    assert all(c.district_note == "" for c in real.cases() if c not in flagged)


def test_duplicate_case_is_reported_once_and_skipped(real):
    assert len(real.duplicates) == 1
    copy, original = real.duplicates[0]
    assert (copy.line, original.line) == (491, 465)
    assert (copy.tier, copy.rank, copy.title) == ("良好实践", 3, "打造“法律服务产业集聚圈”")
    assert copy == ParsedCase(**{**vars(original), "position": 0})
    assert copy.fingerprint == original.fingerprint
    assert original in real.cases() and copy.position == 0
    fingerprints = [case.fingerprint for case in real.cases()]
    assert len(set(fingerprints)) == len(fingerprints)


def test_stray_lines_are_dropped_and_reported(real):
    assert real.dropped_lines == ["相关附件", "image.png"]
    everything = "\n".join(case.full_text() for case in real.cases())
    assert "image.png" not in everything and "相关附件" not in everything


def test_header_of_the_real_notice(real):
    assert real.addressee == "各区人民政府、各相关单位："
    assert len(real.preamble) == 2
    assert real.preamble[0].startswith("优化营商环境是增强上海城市核心竞争力的关键所在。")
    assert real.preamble[1].endswith("让企业在上海办事更顺心、经营更放心、扎根更安心。")
    assert real.attachment == "上海市2022年度各区优化营商环境优秀案例和良好实践"
    assert real.signature == "上海市发展和改革委员会"
    assert real.date == datetime.date(2022, 11, 8)
    assert real.year == 2022


def headings(case):
    return [section["heading"] for section in case.sections]


def test_section_headings(real):
    assert headings(case_at(real, "优秀案例", 0)) == [
        "一、基本情况",
        "二、主要做法",
        "三、取得成效",
    ]
    # A lead paragraph before the first heading.
    assert headings(case_at(real, "优秀案例", 1)) == [
        "",
        "一、改革举措",
        "二、改革成效",
        "三、总结",
    ]
    assert headings(case_at(real, "优秀案例", 6)) == [
        "",
        "一、全面审查企业危机，高质量化解企业风险",
        "二、全流程网上办案模式助力高效审判",
    ]
    # The first line after title + subtitle can be a section heading.
    assert headings(case_at(real, "优秀案例", 8))[0] == "一、构建长三角政务服务一体化的体制机制"
    # A heading missing its closing quote, like one title.
    assert headings(case_at(real, "良好实践", 3))[2] == "二、上下联动“一根线"
    # No headings at all: one unsectioned body.
    assert headings(case_at(real, "良好实践", 5)) == [""]


def test_section_bodies_keep_sub_headings_as_paragraphs(real):
    first = case_at(real, "优秀案例", 0)
    background, practice = first.sections[0]["body"], first.sections[1]["body"]
    assert len(background.split("\n")) == 2
    assert background.startswith("嘉定区行政服务中心政务大厅")
    paragraphs = practice.split("\n")
    assert paragraphs[0] == "（一）满足个性需求，主题服务多元化"
    assert paragraphs[2].startswith("1、推出快闪办。")
    assert "（二）做强阵地支撑，优化帮办服务" in paragraphs
    lead = case_at(real, "优秀案例", 1).sections[0]["body"].split("\n")
    assert lead[0].startswith("浦东新区以立法为抓手")
    assert lead[1].endswith("包含以下亮点举措：")


def test_stored_text_uses_the_canonical_punctuation(real):
    everything = "\n".join(case.full_text() for case in real.cases())
    assert not re.search(r"[,:;()!?]", everything)
    assert "（以下简称《意见》）" in everything


def test_real_notice_has_no_rank_warnings(real):
    assert [w for w in real.warnings if "排名" in w] == []


def test_district_names_follow_the_seeded_districts():
    from cases.districts import DISTRICTS

    assert DISTRICT_NAMES == tuple(name for _code, name, _short in DISTRICTS)


# --- copies of the notice import alike ------------------------------------------------------


def full_width_variant(text):
    return text.translate(str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"}))


def no_blank_lines(text):
    return "\n".join(line for line in text.split("\n") if line.strip())


def reindent(text, indent):
    return "\n".join(indent + line.strip() if line.strip() else "" for line in text.split("\n"))


VARIANTS = {
    "utf-8 with BOM": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    "GB18030": lambda t: t.encode("gb18030"),
    "CRLF": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    "CR": lambda t: t.replace("\n", "\r"),
    "full-width punctuation": full_width_variant,
    "no blank lines": no_blank_lines,
    "no indentation": lambda t: reindent(t, ""),
    "U+3000 indentation": lambda t: reindent(t, "\u3000\u3000"),
    "tab indentation": lambda t: reindent(t, "\t"),
    "trailing spaces": lambda t: t.replace("\n", " \u3000\t\n"),
    "all at once": lambda t: (
        no_blank_lines(reindent(full_width_variant(t), "\u3000\u3000"))
        .replace("\n", "\r\n")
        .encode("gb18030")
    ),
}


@pytest.mark.parametrize("make_variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_copies_of_the_notice_parse_identically(real, real_text, make_variant):
    variant = parse_notice(make_variant(real_text))
    assert variant == real
    assert variant.dropped_lines == ["相关附件", "image.png"]


def test_line_numbers_point_into_the_source(real, real_text):
    lines = real_text.split("\n")
    for case in real.cases():
        assert lines[case.line - 1].strip() == f"排名{case.rank}"


# --- other shapes of notice -----------------------------------------------------------------

BODY = "嘉定区推出帮办服务，方便企业办事。"


def notice_text(*lines):
    return "\n\n".join(f"  {line}" for line in lines)


def test_one_tier_notice_of_2023():
    notice = parse_notice(
        notice_text(
            "各区人民政府：",
            "现将2023年度案例印发公布。",
            "附件：上海市2023年度各区优化营商环境优秀案例",
            "上海市发展和改革委员会",
            "2023年12月1日",
            "上海市2023年度各区优化营商环境优秀案例",
            "排名1",
            "案例甲",
            BODY,
            "排名2",
            "案例乙",
            "一、工作背景",
            "松江区推出帮办服务。",
        )
    )
    assert [tier.name for tier in notice.tiers] == ["优秀案例"]
    assert notice.year == 2023 and notice.date == datetime.date(2023, 12, 1)
    assert notice.attachment == "上海市2023年度各区优化营商环境优秀案例"
    assert [(c.title, c.district) for c in notice.cases()] == [
        ("案例甲", "嘉定区"),
        ("案例乙", "松江区"),
    ]


def test_ranks_without_a_tier_heading_are_one_tier_named_by_the_preamble():
    notice = parse_notice(notice_text("各区人民政府：", "排名1", "标题", BODY))
    assert [(t.name, t.heading) for t in notice.tiers] == [("优秀案例", "")]
    named = parse_notice(
        notice_text(
            "经评审，选出各区实效性高、可复制推广的1个优化营商环境典型案例。", "排名1", "标题", BODY
        )
    )
    assert [t.name for t in named.tiers] == ["典型案例"]


def test_tier_names_are_not_hard_coded():
    notice = parse_notice(
        notice_text(
            "上海市2024年度各区优化营商环境典型案例",
            "排名1",
            "案例甲",
            BODY,
            "上海市2024年度各区优化营商环境创新案例",
            "排名1",
            "案例乙",
            BODY.replace("帮办", "代办"),
        )
    )
    assert [tier.name for tier in notice.tiers] == ["典型案例", "创新案例"]
    assert notice.year == 2024 and notice.addressee == "" and notice.preamble == []


@pytest.mark.parametrize(
    ("line", "rank"),
    [("排名1", 1), ("排名 10", 10), ("排名１０", 10), ("排名：3", 3), ("第3名", 3), ("排名", None)],
)
def test_rank_lines(line, rank):
    assert rank_of(line) == rank


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("上海市2022年度各区优化营商环境优秀案例", (2022, "优秀案例")),
        ("上海市２０２３年度各区优化营商环境良好实践", (2023, "良好实践")),
        ("附件：上海市2022年度各区优化营商环境优秀案例和良好实践", None),
        ("上海市2022年度各区优化营商环境优秀案例和良好实践", None),
        ("2022年11月8日", None),
    ],
)
def test_tier_heading_lines(line, parts):
    assert tier_heading_parts(line) == parts


def test_dates():
    assert date_of("2022年11月8日") == datetime.date(2022, 11, 8)
    assert date_of("二〇二二年十一月八日") == datetime.date(2022, 11, 8)
    assert date_of("2022年13月8日") is None


def test_subtitle_after_a_dash_and_a_title_with_a_dash_inside():
    notice = parse_notice(
        notice_text(
            "上海市2022年度各区优化营商环境优秀案例",
            "排名1",
            "代企办，企无忧——首席代办一线直达",
            BODY,
            "排名2",
            "主标题",
            "——一个很长的副标题，长到超过了通常的标题长度限制，但以破折号开头，所以仍是副标题",
            BODY,
        )
    )
    first, second = notice.cases()
    assert (first.title, first.subtitle) == ("代企办，企无忧——首席代办一线直达", "")
    assert second.subtitle.startswith("一个很长的副标题")


def test_ranks_breaking_the_tie_rule_are_warned_about():
    notice = parse_notice(
        notice_text(
            "上海市2022年度各区优化营商环境优秀案例",
            *["排名1", "甲", BODY, "排名1", "乙", BODY + "甲", "排名2", "丙", BODY + "乙"],
        )
    )
    assert [c.rank for c in notice.cases()] == [1, 1, 2]
    assert any("按并列排名规则应为1或3" in warning for warning in notice.warnings)


# --- broken input ---------------------------------------------------------------------------

BROKEN = {
    "empty text": "",
    "empty file": b"",
    "whitespace only": " \n\u3000\r\n\t",
    "only stray lines": "image.png\n相关附件",
    "invalid GB18030": b"\x81\x20",
    "neither UTF-8 nor GB18030": b"\xff\xfe\x00\xd8garbage",
    "UTF-16": "排名1".encode("utf-16-le") + b"\x00\x00",
    "no rank lines": notice_text("各区人民政府：", "一段正文。"),
    "a tier heading after unheaded ranks": notice_text(
        "排名1", "甲", BODY, "上海市2022年度各区优化营商环境良好实践", "排名1", "乙", BODY + "乙"
    ),
    "rank line without a title": notice_text("上海市2022年度各区优化营商环境优秀案例", "排名1"),
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_raises_a_one_line_chinese_error(data):
    with pytest.raises(NoticeError) as caught:
        parse_notice(data)
    message = str(caught.value)
    assert message and "\n" not in message
    assert re.search(r"[\u4e00-\u9fff]", message)


def test_specific_error_messages():
    with pytest.raises(NoticeError, match="未找到“排名”行"):
        parse_notice(BROKEN["no rank lines"])
    with pytest.raises(NoticeError, match="之前已有不属于任何档次标题的排名行"):
        parse_notice(BROKEN["a tier heading after unheaded ranks"])
    with pytest.raises(NoticeError, match="无法识别文件编码"):
        decode_notice(b"\x81\x20")
    with pytest.raises(NoticeError, match="内容为空"):
        parse_notice("  \n ")


def test_decode_notice(real_text):
    assert decode_notice(b"\xef\xbb\xbf" + real_text.encode()) == real_text
    assert decode_notice(real_text.encode("gb18030")) == real_text


# --- canonical punctuation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("甲,乙:丙(丁)!?;", "甲，乙：丙（丁）！？；"),
        ("甲，乙：丙（丁）", "甲，乙：丙（丁）"),
        ("共1,000件,12:30开始", "共1,000件，12:30开始"),
        ("共1，000件", "共1,000件"),
        ("见https://example.com", "见https://example.com"),
        ("(1)名称登记", "（1）名称登记"),
    ],
)
def test_canonical_punctuation(text, canonical):
    assert canonical_punctuation(text) == canonical
    assert canonical_punctuation(canonical) == canonical


# --- district detection ---------------------------------------------------------------------


def test_one_district():
    assert find_district("长宁区法院聚焦重点领域，长宁法院将继续推动。") == ("长宁区", False, "")


def test_no_district_is_never_guessed():
    assert find_district("司法局整合法律服务资源，各区、全区、上海市、上海湾区。") == (
        None,
        True,
        NO_DISTRICT_NOTE,
    )


def test_full_name_is_not_counted_again_as_short_form():
    district, needs_review, _ = find_district("浦东新区")
    assert (district, needs_review) == ("浦东新区", False)


def test_one_clearly_dominant_district_among_several():
    text = "青浦区与吴江、嘉善共建。青浦区、青浦区、青浦区。松江区参与。"
    assert find_district(text) == ("青浦区", False, "")


def test_several_districts_without_a_clear_subject_are_flagged():
    district, needs_review, note = find_district("青浦区、青浦区与嘉定区、嘉定区共建，松江区参与。")
    assert (district, needs_review) == ("青浦区", True)
    assert note == "正文提及多个区：青浦区(2)、嘉定区(2)、松江区(1)，请人工确认"


def test_dominant_district_not_named_first_is_flagged():
    district, needs_review, note = find_district(
        "借鉴徐汇区经验，闵行区、闵行区、闵行区推出新举措。"
    )
    assert (district, needs_review) == ("闵行区", True)
    assert note.startswith("正文提及多个区：闵行区(3)、徐汇区(1)")


def test_short_form_only_is_flagged():
    district, needs_review, note = find_district("静安税务将继续深化改革。")
    assert (district, needs_review) == ("静安区", True)
    assert "静安" in note and note.endswith("请人工确认")


def test_place_names_that_are_not_districts():
    assert find_district("黄浦江两岸，普陀山，旧金山，绿水青山就是金山银山。")[0] is None


def test_no_district_anywhere_in_the_2022_rank_8_case(real):
    case = case_at(real, "良好实践", 7)
    assert not any(name[:2] in case.full_text() for name in DISTRICT_NAMES)


# --- robustness -----------------------------------------------------------------------------

FRAGMENTS = [
    "排名1",
    "排名 2",
    "第3名",
    "上海市2022年度各区优化营商环境优秀案例",
    "上海市2023年度各区优化营商环境良好实践",
    "附件：上海市2022年度",
    "各区人民政府：",
    "2022年11月8日",
    "二〇二二年十一月八日",
    "上海市发展和改革委员会",
    "一、工作背景",
    "（一）做法",
    "——副标题",
    "——",
    "嘉定区推出服务。",
    "image.png",
    "相关附件",
    "目  录",
    "一、浦东新区",
    "二、嘉定区",
    "案例一 甲",
    "案例二 乙 副题",
    "案例三",
    "选出各区实效性高、可复制推广的2个优化营商环境优秀案例。",
    "",
    "　",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_raises_only_notice_error(text):
    try:
        parse_notice(text)
    except NoticeError as error:
        assert "\n" not in str(error)


@settings(max_examples=300)
@given(st.binary())
def test_arbitrary_bytes_raise_only_notice_error(data):
    try:
        parse_notice(data)
    except NoticeError:
        pass


@settings(max_examples=300)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=30))
def test_notice_shaped_text_raises_only_notice_error(lines):
    try:
        notice = parse_notice("\n".join(lines))
    except NoticeError:
        return
    assert all(case.title for case in notice.cases())
    assert [c.position for c in notice.cases()] == list(range(1, len(notice.cases()) + 1))
    if notice.is_compilation:
        assert all(c.district and c.rank is None for c in notice.cases())


def test_header_lines_that_fit_nowhere_are_reported():
    notice = parse_notice(
        notice_text(
            "关于印发2023年度案例的通知",
            "各区人民政府：",
            "现将案例印发公布。",
            "附件：1.案例汇编",
            "2.评审说明",
            "上海市发展和改革委员会",
            "二〇二三年十二月一日",
            "（此件公开发布）",
            "上海市2023年度各区优化营商环境优秀案例",
            "排名1",
            "案例甲",
            BODY,
        )
    )
    assert notice.addressee == "各区人民政府："
    assert notice.preamble == ["现将案例印发公布。"]
    assert notice.attachment == "1.案例汇编\n2.评审说明"
    assert (notice.signature, notice.date) == ("上海市发展和改革委员会", datetime.date(2023, 12, 1))
    # The letter's title line is kept in its own field (issue #33), not in the letter's text.
    assert notice.title == "关于印发2023年度案例的通知"
    assert notice.dropped_lines == ["（此件公开发布）"]
