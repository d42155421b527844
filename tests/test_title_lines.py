"""Where a notice's title breaks (GB/T 9704-2012, 7.3.1: words kept whole, lines symmetric, a
trapezoid or a diamond): real titles of the commission and of the State Council."""

import pytest

from publishing.title_lines import title_lines, width

TITLE_WIDTH = 20  # 2号 characters in the 156 mm 版心


@pytest.mark.parametrize(
    "title, lines",
    [
        (  # the 2022 notice
            "关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知",
            ["关于印发上海市2022年度各区", "优化营商环境优秀案例和良好实践的通知"],
        ),
        (  # the 2021 compilation
            "关于印发2021年全市各区优化营商环境优秀案例的通知",
            ["关于印发2021年全市各区", "优化营商环境优秀案例的通知"],
        ),
        (  # 国办发〔2020〕24号
            "国务院办公厅关于进一步优化营商环境更好服务市场主体的实施意见",
            ["国务院办公厅关于进一步优化营商环境", "更好服务市场主体的实施意见"],
        ),
        (
            "关于进一步优化营商环境降低市场主体制度性交易成本的意见",
            ["关于进一步优化营商环境降低", "市场主体制度性交易成本的意见"],
        ),
        ("上海市优化营商环境条例", ["上海市优化营商环境条例"]),  # fits: one line
    ],
)
def test_real_titles_break_between_words(title, lines):
    assert title_lines(title, TITLE_WIDTH) == lines


WORDS = ["营商环境", "优秀案例", "良好实践", "2022年度", "上海市", "的通知", "和改革委员会"]


@pytest.mark.parametrize(
    "title",
    [
        "关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知",
        "关于印发上海市2023年度各区优化营商环境优秀案例的通知",
        "上海市发展和改革委员会关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知",
        "上海市人民政府办公厅关于印发《上海市加强集成创新持续优化营商环境行动方案》的通知",
        "关于公布2019年上海市各区优化营商环境典型案例和2020年各区改革举措的通知",
    ],
)
def test_lines_fit_are_even_and_cut_no_word(title):
    lines = title_lines(title, TITLE_WIDTH)
    assert "".join(lines) == title
    assert all(width(line) <= TITLE_WIDTH for line in lines)
    widths = [width(line) for line in lines]
    assert max(widths) - min(widths) <= 8  # symmetric, not one long line and a stub
    for before, after in zip(lines, lines[1:], strict=False):
        joint = before[-4:] + "|" + after[:4]
        for word in WORDS:
            for cut in range(1, len(word)):
                assert word[:cut] + "|" + word[cut:] not in joint, joint
        assert not after.startswith(("》", "”", "、", "，", "的通知"[1:]))
        assert not before.endswith(("《", "“"))


def test_the_letter_de_of_the_closing_words_stays_with_them():
    lines = title_lines("关于做好2024年度上海市各区优化营商环境优秀案例评选工作的通知", 20)
    assert "".join(lines).endswith("的通知") and not lines[-1].startswith("通知")
    assert all(not line.endswith("的") for line in lines)


def test_a_run_without_word_boundaries_is_still_cut_to_fit():
    lines = title_lines("一二三四五六七八九十" * 3, 20)
    assert "".join(lines) == "一二三四五六七八九十" * 3
    assert all(width(line) <= 20 for line in lines)
