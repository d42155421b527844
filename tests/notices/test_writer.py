"""The notice writer: the published layout, and parse -> write -> parse gives the notice back."""

import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.notices.parsed import ParsedCase, ParsedNotice, ParsedTier
from cases.notices.parser import parse_notice
from cases.notices.writer import write_notice_text

DATA = Path(__file__).resolve().parents[1] / "data" / "notice_2022.txt"


@pytest.fixture(scope="module")
def real():
    return parse_notice(DATA.read_bytes())


@pytest.fixture(scope="module")
def written(real):
    return write_notice_text(real)


def test_written_notice_has_the_published_layout(written):
    lines = written.split("\n")
    assert lines[0] == "各区人民政府、各相关单位："
    paragraphs = lines[::2]
    assert all(line == "" for line in lines[1::2]), "one blank line between paragraphs"
    assert all(p.startswith("  ") and not p.startswith("   ") for p in paragraphs[1:])
    assert written.endswith("。\n")
    stripped = [p.strip() for p in paragraphs]
    assert stripped[3:6] == [
        "附件：上海市2022年度各区优化营商环境优秀案例和良好实践",
        "上海市发展和改革委员会",
        "2022年11月8日",
    ]
    assert stripped[6:10] == [
        "上海市2022年度各区优化营商环境优秀案例",
        "排名1",
        "“快闪办”“自助办”“视讯办”“陪同办”",
        "打造“小嘉帮办”服务品牌",
    ]
    assert stripped.count("上海市2022年度各区优化营商环境良好实践") == 1
    assert "image.png" not in written and "相关附件" not in written
    assert written.count("打造“法律服务产业集聚圈”") == 1  # the duplicate is not written


def test_round_trip_of_the_real_notice(real, written):
    again = parse_notice(written)
    assert again.tiers == real.tiers  # ranks, titles, subtitles, sections, districts, positions
    for field in ("addressee", "preamble", "attachment", "signature", "date", "year"):
        assert getattr(again, field) == getattr(real, field)
    assert again.dropped_lines == [] and again.duplicates == []
    assert write_notice_text(again) == written


def test_notice_built_from_keyword_arguments():
    """What the Django side does: build the dataclasses from the database and write them."""
    notice = ParsedNotice(
        year=2023,
        date=datetime.date(2023, 12, 1),
        signature="上海市发展和改革委员会",
        tiers=[
            ParsedTier(
                name="优秀案例",
                cases=[
                    ParsedCase(
                        rank=1,
                        title="案例甲",
                        subtitle="一个很长的副标题，长到超过了通常的标题长度限制，所以只能写成以破折号开头的一行才能读回来",
                        sections=[{"heading": "一、工作背景", "body": "松江区推出帮办服务。"}],
                    )
                ],
            )
        ],
    )
    text = write_notice_text(notice)
    assert "  上海市2023年度各区优化营商环境优秀案例\n" in text
    assert "  ——一个很长的副标题" in text
    again = parse_notice(text)
    case = again.cases()[0]
    assert (case.subtitle, case.district, case.position) == (
        notice.tiers[0].cases[0].subtitle,
        "松江区",
        1,
    )
    assert again.date == notice.date and again.year == 2023


def test_a_tier_heading_needs_a_year():
    notice = ParsedNotice(
        tiers=[
            ParsedTier(name="优秀案例", cases=[ParsedCase(rank=1, title="甲")]),
            ParsedTier(name="良好实践", cases=[ParsedCase(rank=1, title="乙")]),
        ]
    )
    with pytest.raises(ValueError, match="缺少年度"):
        write_notice_text(notice)


def test_one_tier_the_letter_names_gets_no_invented_heading():
    case = ParsedCase(rank=1, title="甲", sections=[{"heading": "", "body": "松江区推进改革。"}])
    notice = ParsedNotice(
        attachment="2023年度各区优化营商环境优秀案例",
        year=2023,
        tiers=[ParsedTier(name="优秀案例", cases=[case])],
    )
    text = write_notice_text(notice)
    assert text.count("营商环境优秀案例") == 1  # the 附件 line only
    assert "排名None" not in text
    again = parse_notice(text)
    assert [(t.name, t.heading) for t in again.tiers] == [("优秀案例", "")]
    assert again.year == 2023 and again.cases()[0].title == "甲"
    # A tier the letter does not name keeps its heading, or it would read back as 优秀案例.
    notice.tiers[0].name = "典型案例"
    assert "  上海市2023年度各区优化营商环境典型案例\n" in write_notice_text(notice)


def test_a_case_needs_a_title():
    notice = ParsedNotice(
        year=2022, tiers=[ParsedTier(name="优秀案例", cases=[ParsedCase(rank=1)])]
    )
    with pytest.raises(ValueError, match="缺少标题"):
        write_notice_text(notice)


# --- generated notices ----------------------------------------------------------------------

# Characters that cannot form a rank line, a tier heading, a heading numeral or a date.
SAFE = "营商环境优化服务企业政务创新改革数据平台机制法治高效便利监管信用人才就业园区楼宇"
TIER_NAMES = ["优秀案例", "良好实践", "典型案例", "创新案例"]
NUMERALS = "一二三四五六七八九十"

words = st.text(alphabet=SAFE, min_size=2, max_size=20)
sentences = st.builds(
    lambda district, text: district + text + "。",
    st.sampled_from(["", "嘉定区", "浦东新区", "崇明"]),
    words,
)
bodies = st.lists(sentences, min_size=1, max_size=3).map("\n".join)


@st.composite
def generated_sections(draw):
    sections = []
    if draw(st.booleans()):
        sections.append({"heading": "", "body": draw(bodies)})
    for numeral in NUMERALS[: draw(st.integers(0, 4))]:
        sections.append({"heading": f"{numeral}、{draw(words)}", "body": draw(bodies)})
    return sections


@st.composite
def generated_cases(draw, tier):
    count = draw(st.integers(1, 5))
    ties = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    cases, rank = [], 0
    for index in range(count):
        rank = rank if (index and ties[index]) else index + 1  # competition ranking
        title = draw(words) + tier + str(index)  # unique: no case is a duplicate
        subtitle = draw(st.one_of(st.just(""), words))
        cases.append(
            ParsedCase(
                tier=tier,
                rank=rank,
                title=title,
                subtitle=subtitle,
                sections=draw(generated_sections()),
            )
        )
    return cases


@st.composite
def generated_notices(draw):
    names = draw(st.lists(st.sampled_from(TIER_NAMES), min_size=1, max_size=3, unique=True))
    year = draw(st.integers(2019, 2099))
    return ParsedNotice(
        addressee=draw(st.one_of(st.just(""), words.map(lambda w: w + "："))),
        preamble=draw(st.lists(sentences, max_size=3)),
        attachment=f"上海市{year}年度各区优化营商环境" + "和".join(names),
        signature="上海市发展和改革委员会",
        date=draw(st.dates(datetime.date(year, 1, 1), datetime.date(year, 12, 31))),
        year=year,
        tiers=[ParsedTier(name=name, cases=draw(generated_cases(name))) for name in names],
    )


def structure(notice):
    return [
        (tier.name, [(c.rank, c.title, c.subtitle, c.sections) for c in tier.cases])
        for tier in notice.tiers
    ]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(generated_notices())
def test_generated_notices_round_trip(notice):
    parsed = parse_notice(write_notice_text(notice))
    assert structure(parsed) == structure(notice)
    for field in ("addressee", "preamble", "attachment", "signature", "date", "year"):
        assert getattr(parsed, field) == getattr(notice, field)
    assert parsed.duplicates == [] and parsed.dropped_lines == []
    assert parse_notice(write_notice_text(parsed)) == parsed
