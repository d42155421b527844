"""The rank_sheet command: files in, ranking out, one clear line on bad input.

No test here is marked django_db: pytest-django refuses database access to them, so these
tests also prove that the command never touches the database.
"""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

MANAGE_PY = Path(__file__).resolve().parents[1] / "manage.py"

# Full marks 40 + 30 + 30 = 100, so an expert total is already the expert score.
CONFIG = """{
  "criteria": [
    {"key": "leading", "label": "引领性强", "max": 40},
    {"key": "felt", "label": "感受度高", "max": 30},
    {"key": "replicable", "label": "可复制推广", "max": 30, "weight": 1}
  ],
  "shortlist": 2,
  "trim": 1,
  "vote_weight": 0.2,
  "tiers": [{"name": "优秀案例", "size": 1}, {"name": "良好实践", "size": 1}]
}
"""

# Votes 300, 150, 150, 60 → vote ranks 1, 2, 2, 4: with shortlist 2, the tie lets 102 and 103
# both through and 104 stays out. Top votes 300.
VOTES = "case,votes\n101,300\n102,150\n103,150\n104,60\n"


def score_rows(case, expert, leading, felt, replicable):
    return f"{case},{expert},leading,{leading}\n{case},{expert},felt,{felt}\n" + (
        f"{case},{expert},replicable,{replicable}\n"
    )


# 101: totals 70, 80, 90; trim 1 drops 70 and 90 → mean 80.
#      final = 0.8 × 80 + 0.2 × (100 × 300 / 300) = 64 + 20 = 84.00
# 102: totals 85, 90, 95 → mean 90; final = 0.8 × 90 + 0.2 × 50 = 72 + 10 = 82.00
# 103: totals 85, 95 — only two, not more than 2 × trim, so none dropped → mean 90 → 82.00
# 104: totals 50, 50 → mean 50; final = 0.8 × 50 + 0.2 × 20 = 40 + 4 = 44.00 (when shortlisted)
# Overall ranks 1, 2, 2 (102 before 103 by id); tiers of 1 and 1: 101 is 优秀案例 1, and the
# tie 102/103 enters 良好实践 whole, both rank 2 − 1 = 1.
SCORES = "case,expert,criterion,score\n" + "".join(
    [
        score_rows(101, "e1", 30, 20, 20),
        score_rows(101, "e2", 32, 24, 24),
        score_rows(101, "e3", 36, 27, 27),
        score_rows(102, "e1", 35, 25, 25),
        score_rows(102, "e2", 36, 27, 27),
        score_rows(102, "e3", 38, 28, 29),
        score_rows(103, "e1", 35, 25, 25),
        score_rows(103, "e2", 38, 28, 29),
        score_rows(104, "e1", 20, 15, 15),
        score_rows(104, "e2", 20, 15, 15),
    ]
)

# The panel (reviews.panel), over the raw totals of the shortlisted 101, 102, 103 (full marks
# 100, so points out of 100 are the totals themselves):
# - e3 did not score 103, so ICC and W are over e1 and e2 (k = 2, n = 3): rows 70 80 / 85 90 /
#   85 95. Grand mean 505/6; MSR = 775/6, MSC = 625/6, MSE = 25/6;
#   ICC = (775/6 − 25/6) / (775/6 + (625/6 − 25/6) / 3) = 750/975 = 10/13 = 0.76923 → 0.7692.
#   Ranks: e1 1, 2.5, 2.5 (a tie, T = 2³ − 2 = 6), e2 1, 2, 3; rank sums 2, 4.5, 5.5 around
#   4: S = 6.5; W = 12 × 6.5 / (2² × (27 − 3) − 2 × 6) = 78/84 = 0.92857 → 0.9286.
# - e1 against the others' means 85, 92.5, 95: differences −15, −7.5, −10 → offset −10.83;
#   ranks 1, 2.5, 2.5 against 1, 2, 3: rho = 1.5 / √(1.5 × 2) = 0.86603 → 0.8660.
#   e2 against 80, 90, 85: differences 0, 0, 10 → 3.33; ranks 1, 2, 3 against 1, 3, 2 → 0.5.
#   e3 against 75, 87.5: 15 and 7.5 → 11.25; two cases, so no correlation.
# - Spreads (population sd): 101 √(200/3) = 8.165 → 8.16; 102 √(50/3) = 4.082 → 4.08;
#   103 √25 = 5.00. Nothing passes the default thresholds (0.3, 15, 15).
EXPECTED_PANEL = {
    "experts": 2,
    "cases": 3,
    "icc2k": "0.7692",
    "kendall_w": "0.9286",
    "by_expert": [
        {"expert": "e1", "cases": 3, "offset": "-10.83", "correlation": "0.8660", "flagged": False},
        {"expert": "e2", "cases": 3, "offset": "3.33", "correlation": "0.5000", "flagged": False},
        {"expert": "e3", "cases": 2, "offset": "11.25", "correlation": None, "flagged": False},
    ],
    "by_case": [
        {"case": "101", "experts": 3, "spread": "8.16", "flagged": False},
        {"case": "102", "experts": 3, "spread": "4.08", "flagged": False},
        {"case": "103", "experts": 2, "spread": "5.00", "flagged": False},
    ],
}

EXPECTED = {
    "shortlist": ["101", "102", "103"],
    "results": [
        {"case": "101", "score": "84.00", "overall_rank": 1, "tier": "优秀案例", "rank": 1},
        {"case": "102", "score": "82.00", "overall_rank": 2, "tier": "良好实践", "rank": 1},
        {"case": "103", "score": "82.00", "overall_rank": 2, "tier": "良好实践", "rank": 1},
    ],
    "panel": EXPECTED_PANEL,
}


@pytest.fixture
def sheet(tmp_path, monkeypatch):
    """The three files in a fresh working directory, named as a user would type them."""
    monkeypatch.chdir(tmp_path)
    write(scores=SCORES, votes=VOTES, config=CONFIG)
    return tmp_path


def write(*, scores=None, votes=None, config=None):
    for name, content in (("scores.csv", scores), ("votes.csv", votes), ("config.json", config)):
        if isinstance(content, bytes):
            Path(name).write_bytes(content)
        elif content is not None:
            Path(name).write_text(content, encoding="utf-8")


def run(*extra, votes=True, output_format="json"):
    arguments = ["--scores", "scores.csv", "--config", "config.json", "--format", output_format]
    if votes:
        arguments += ["--votes", "votes.csv"]
    out = StringIO()
    call_command("rank_sheet", *arguments, *extra, stdout=out)
    text = out.getvalue()
    return json.loads(text) if output_format == "json" else text


def run_error(**kwargs) -> str:
    with pytest.raises(CommandError) as caught:
        run(**kwargs)
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- Results ----------------------------------------------------------------------------------


def test_json_output(sheet):
    assert run() == EXPECTED


def test_json_output_is_pretty_and_keeps_chinese(sheet):
    out = StringIO()
    arguments = ["--scores", "scores.csv", "--votes", "votes.csv", "--config", "config.json"]
    call_command("rank_sheet", *arguments, stdout=out)  # JSON is the default format
    assert '"tier": "优秀案例"' in out.getvalue()
    assert out.getvalue().startswith('{\n  "shortlist": [\n    "101",')


def test_table_output(sheet):
    # Without the vote cut 104 is ranked too: 44.00, overall 4; 4 − 1 = 3 > 1, so past the
    # last tier, shown as "-".
    write(config=CONFIG.replace('"shortlist": 2', '"shortlist": null'))
    assert run(output_format="table").splitlines() == [
        "入围（4）: 101, 102, 103, 104",
        "",
        "排名  案例  得分   档次      档内排名",
        "1     101   84.00  优秀案例  1",
        "2     102   82.00  良好实践  1",
        "2     103   82.00  良好实践  1",
        "4     104   44.00  -         -",
    ]


def test_scores_of_cases_outside_the_shortlist_are_not_checked(sheet):
    # 104 is cut by votes, so its unknown criterion and impossible score do not matter.
    write(scores=SCORES + "104,e3,foo,999\n104,e4,leading,99\n")
    assert run() == EXPECTED


def test_without_votes_everything_is_shortlisted_and_votes_are_zero(sheet):
    # All cases tie at 0 votes, so all pass the cut; the vote score is 0 for all:
    # 101: 0.8 × 80 = 64.00; 102 and 103: 0.8 × 90 = 72.00; 104: 0.8 × 50 = 40.00.
    data = run(votes=False)
    assert data["shortlist"] == ["101", "102", "103", "104"]
    assert [(r["case"], r["score"], r["overall_rank"]) for r in data["results"]] == [
        ("102", "72.00", 1),
        ("103", "72.00", 1),
        ("101", "64.00", 3),
        ("104", "40.00", 4),
    ]


def test_digit_ids_order_numerically_and_print_as_written(sheet):
    # "9" and "10" tie at 80.00; numerically 9 comes first (as text "10" would).
    write(
        scores="case,expert,criterion,score\n"
        + score_rows("10", "e1", 30, 25, 25)
        + score_rows("9", "e1", 30, 25, 25),
        votes="case,votes\n10,1\n9,1\n",
        config=CONFIG.replace('"vote_weight": 0.2', '"vote_weight": 0'),
    )
    assert [r["case"] for r in run()["results"]] == ["9", "10"]


def test_bom_and_crlf_files_from_excel_are_read(sheet):
    write(
        scores=b"\xef\xbb\xbf" + SCORES.replace("\n", "\r\n").encode(),
        votes=b"\xef\xbb\xbf" + VOTES.replace("\n", "\r\n").encode(),
    )
    assert run() == EXPECTED


def test_config_decimals_are_taken_as_written(sheet):
    # vote_weight 0.1, no votes: final = 0.9 × 80.05 = 72.045 exactly → 72.05.
    # A binary float 0.1 is 0.1000000000000000055…, which would give 72.04499… → 72.04.
    write(
        scores="case,expert,criterion,score\n" + score_rows("A", "e1", 40, 20, "20.05"),
        config=CONFIG.replace('"vote_weight": 0.2', '"vote_weight": 0.1'),
    )
    assert run(votes=False)["results"][0]["score"] == "72.05"


@pytest.mark.parametrize(("precision", "expected"), [(0, "64"), (3, "64.000"), (7, "64.0000000")])
def test_scores_print_with_exactly_precision_decimals(sheet, precision, expected):
    write(config=CONFIG.replace('"trim": 1', f'"trim": 1, "precision": {precision}'))
    assert run(votes=False)["results"][2]["score"] == expected


def test_a_zero_score_prints_in_fixed_point(sheet):
    # str(Decimal) would write 0 at 7 places as "0E-7".
    write(
        scores="case,expert,criterion,score\n" + score_rows("A", "e1", 0, 0, 0),
        config=CONFIG.replace('"trim": 1', '"trim": 1, "precision": 7'),
    )
    assert run(votes=False)["results"][0]["score"] == "0.0000000"


def test_zscore_from_the_config(sheet):
    # The engine's hand-worked example, through the files (full marks 100, no votes):
    # E1 totals A=60, B=70, C=80; E2 gives 90 to all (z = 0, so the pooled mean 80).
    # Pooled mean 80, sd √(400/3); E1 maps to 80 − √200, 80, 80 + √200.
    # Means: A = 80 − √200/2 = 72.93, B = 80.00, C = 80 + √200/2 = 87.07.
    write(
        scores="case,expert,criterion,score\n"
        + score_rows("A", "E1", 20, 20, 20)
        + score_rows("B", "E1", 30, 20, 20)
        + score_rows("C", "E1", 30, 25, 25)
        + "".join(score_rows(case, "E2", 30, 30, 30) for case in "ABC"),
        config=CONFIG.replace('"trim": 1', '"trim": 0, "normalize": "zscore"').replace(
            '"vote_weight": 0.2', '"vote_weight": 0'
        ),
    )
    data = run(votes=False)
    assert [(r["case"], r["score"]) for r in data["results"]] == [
        ("C", "87.07"),
        ("B", "80.00"),
        ("A", "72.93"),
    ]


# --- The panel ---------------------------------------------------------------------------------


def test_panel_thresholds_from_the_config(sheet):
    # Spreads 8.16, 4.08, 5.00; offsets −10.83, 3.33, 11.25; rho 0.8660, 0.5000, none.
    write(
        config=CONFIG.replace(
            '"trim": 1',
            '"trim": 1, "flag_spread": 5, "flag_offset": 10.9, "flag_correlation": 0.51',
        )
    )
    panel = run()["panel"]
    # 5.00 is not above 5; e1's |−10.83| is not above 10.9, e3's 11.25 is; e2's 0.5 < 0.51.
    assert [(c["case"], c["flagged"]) for c in panel["by_case"]] == [
        ("101", True),
        ("102", False),
        ("103", False),
    ]
    assert [(e["expert"], e["flagged"]) for e in panel["by_expert"]] == [
        ("e1", False),
        ("e2", True),
        ("e3", True),
    ]
    # The ranking itself does not change.
    assert {k: v for k, v in run().items() if k != "panel"} == {
        k: v for k, v in EXPECTED.items() if k != "panel"
    }


def test_panel_is_over_the_shortlist_and_raw_totals(sheet):
    # Without the cut 104 (e1 and e2 both 50) joins; e3 missed 103 and 104, so k stays 2.
    # z-scores change the ranking, never the panel's raw totals.
    write(config=CONFIG.replace('"shortlist": 2', '"shortlist": null'))
    panel = run()["panel"]
    assert (panel["experts"], panel["cases"]) == (2, 4)
    assert panel["by_case"][-1] == {"case": "104", "experts": 2, "spread": "0.00", "flagged": False}
    write(config=CONFIG.replace('"trim": 1', '"trim": 1, "normalize": "zscore"'))
    assert run()["panel"] == EXPECTED_PANEL


def test_panel_of_one_expert_has_nulls(small):
    # SMALL_SCORES: one expert; full marks 15; totals 12 and 10.
    panel = run()["panel"]
    assert panel == {
        "experts": 1,
        "cases": 2,
        "icc2k": None,
        "kendall_w": None,
        "by_expert": [
            {"expert": "e1", "cases": 2, "offset": None, "correlation": None, "flagged": False}
        ],
        "by_case": [
            {"case": "A", "experts": 1, "spread": "0.00", "flagged": False},
            {"case": "B", "experts": 1, "spread": "0.00", "flagged": False},
        ],
    }


def test_table_output_is_unchanged_by_the_panel_thresholds(sheet):
    before = run(output_format="table")
    write(config=CONFIG.replace('"trim": 1', '"trim": 1, "flag_spread": 0'))
    assert run(output_format="table") == before


# --- Bad input: one line naming file, line and problem ------------------------------------------

SMALL_CONFIG = """{
  "criteria": [
    {"key": "q", "label": "质量", "max": 10},
    {"key": "r", "label": "影响", "max": 5}
  ],
  "tiers": [{"name": "优秀案例", "size": 1}]
}
"""
SMALL_SCORES = "case,expert,criterion,score\nA,e1,q,8\nA,e1,r,4\nB,e1,q,7\nB,e1,r,3\n"
SMALL_VOTES = "case,votes\nA,10\nB,5\n"


def config_with(*lines: str) -> str:
    """SMALL_CONFIG with extra lines from line 2 on (so the criteria move down)."""
    return SMALL_CONFIG.replace("{\n", "{\n" + "".join(f"  {line}\n" for line in lines), 1)


@pytest.fixture
def small(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(scores=SMALL_SCORES, votes=SMALL_VOTES, config=SMALL_CONFIG)
    return tmp_path


def test_small_sheet_is_valid(small):
    assert [r["case"] for r in run()["results"]] == ["A", "B"]


BAD_SCORES = [
    (
        SMALL_SCORES + "A,e2,foo,1\n",
        'scores.csv 第 6 行: 评分项 "foo" 不在 config.json 的 criteria 中',
    ),
    (
        SMALL_SCORES.replace("A,e1,q,8", "A,e1,q,11"),
        'scores.csv 第 2 行: 评分项 "q" 的分数 11 超出范围 0–10',
    ),
    (
        SMALL_SCORES.replace("B,e1,r,3", "B,e1,r,-0.5"),
        'scores.csv 第 5 行: 评分项 "r" 的分数 -0.5 超出范围 0–5',
    ),
    (
        SMALL_SCORES + "B,e2,q,5\n",
        'scores.csv 第 6 行: 专家 "e2" 对案例 "B" 的评分缺少评分项 "r"（影响）',
    ),
    (
        SMALL_SCORES + "A,e1,q,9\n",
        'scores.csv 第 6 行: 与第 2 行重复（案例 "A"、专家 "e1"、评分项 "q"）',
    ),
    (
        SMALL_SCORES.replace("criterion", "item"),
        "scores.csv 第 1 行: 表头应为 case,expert,criterion,score，实际为 case,expert,item,score",
    ),
    (SMALL_SCORES + "A,e2,q\n", "scores.csv 第 6 行: 应有 4 列，实际为 3 列"),
    (SMALL_SCORES + "A,e2,q,1,x\n", "scores.csv 第 6 行: 应有 4 列，实际为 5 列"),
    (SMALL_SCORES.replace("A,e1,r,4", "A,e1,r,4分"), 'scores.csv 第 3 行: 分数 "4分" 不是数字'),
    (SMALL_SCORES.replace("A,e1,r,4", "A,e1,r,1e1"), 'scores.csv 第 3 行: 分数 "1e1" 不是数字'),
    (SMALL_SCORES + ",e2,q,1\n", "scores.csv 第 6 行: case 列为空"),
    # A quoted line break would split the one-line message; a NUL is never meant.
    (SMALL_SCORES + 'A,"e\n2",q,1\n', "scores.csv 第 6 行: expert 列含换行或控制字符"),
    (SMALL_SCORES + "A,e2,q,\x001\n", "scores.csv 第 6 行: score 列含换行或控制字符"),
    ("", "scores.csv 第 1 行: 文件为空，缺少表头 case,expert,criterion,score"),
]


@pytest.mark.parametrize(("scores", "message"), BAD_SCORES)
def test_bad_scores_csv(small, scores, message):
    write(scores=scores)
    assert run_error() == message


BAD_VOTES = [
    (
        SMALL_VOTES + "C,20\n",
        'votes.csv 第 4 行: 案例 "C" 已入围，但 scores.csv 中没有它的评分',
    ),
    (SMALL_VOTES + "A,3\n", 'votes.csv 第 4 行: 案例 "A" 与第 2 行重复'),
    ("case,count\nA,1\n", "votes.csv 第 1 行: 表头应为 case,votes，实际为 case,count"),
    (SMALL_VOTES + "C,3.5\n", 'votes.csv 第 4 行: 票数 "3.5" 不是非负整数'),
    (SMALL_VOTES + "C,-1\n", 'votes.csv 第 4 行: 票数 "-1" 不是非负整数'),
    (SMALL_VOTES + "C,many\n", 'votes.csv 第 4 行: 票数 "many" 不是非负整数'),
    (SMALL_VOTES + "C\n", "votes.csv 第 4 行: 应有 2 列，实际为 1 列"),
    (SMALL_VOTES + "C," + "9" * 16 + "\n", f"votes.csv 第 4 行: 票数 {'9' * 16} 过大"),
]


@pytest.mark.parametrize(("votes", "message"), BAD_VOTES)
def test_bad_votes_csv(small, votes, message):
    write(votes=votes)
    assert run_error() == message


BAD_CONFIGS = [
    (
        SMALL_CONFIG.replace('"max": 10}', '"max": 10}}'),
        "config.json 第 3 行: JSON 格式错误，第 43 列缺少逗号",
    ),
    (
        SMALL_CONFIG.replace("]\n}", "],\n}"),
        "config.json 第 7 行: JSON 格式错误，第 1 列键名须用英文双引号括起（或多了逗号）",
    ),
    ("", "config.json 第 1 行: JSON 格式错误，第 1 列此处缺少值"),
    ('{"tiers": []}', 'config.json 第 1 行: 配置缺少必填项 "criteria"'),
    (
        '{\n  "criteria": [{"key": "q", "label": "Q", "max": 1}]\n}',
        'config.json 第 1 行: 配置缺少必填项 "tiers"',
    ),
    (
        SMALL_CONFIG.replace('"label": "影响", "max": 5', '"label": "影响"'),
        'config.json 第 4 行: criteria 第 2 项缺少必填项 "max"',
    ),
    (
        SMALL_CONFIG.replace('"max": 10', '"max": "10"'),
        'config.json 第 3 行: criteria 第 1 项的 max 须为数字，实际为 "10"',
    ),
    (
        SMALL_CONFIG.replace('"max": 10', '"max": 0'),
        "config.json 第 3 行: criteria 第 1 项的 max 须大于 0，实际为 0",
    ),
    (
        SMALL_CONFIG.replace('"max": 10', '"max": 10, "weight": -1'),
        "config.json 第 3 行: criteria 第 1 项的 weight 不能为负，实际为 -1",
    ),
    (
        SMALL_CONFIG.replace('"key": "r"', '"key": "q"'),
        'config.json 第 4 行: 评分项 key "q" 与第 3 行重复',
    ),
    ('{"criteria": {}, "tiers": []}', "config.json 第 1 行: criteria 须为列表 […]"),
    ('{"criteria": [], "tiers": []}', "config.json 第 1 行: criteria 不能为空"),
    (
        SMALL_CONFIG.replace('"size": 1', '"size": 0'),
        "config.json 第 6 行: tiers 第 1 项的 size 须为不小于 1 的整数，实际为 0",
    ),
    (
        SMALL_CONFIG.replace('"size": 1', '"size": 1.5'),
        "config.json 第 6 行: tiers 第 1 项的 size 须为不小于 1 的整数，实际为 1.5",
    ),
    (
        config_with('"vote_weight": 1.5,'),
        "config.json 第 2 行: vote_weight 须在 0 到 1 之间，实际为 1.5",
    ),
    (
        config_with('"vote_weight": -0.1,'),
        "config.json 第 2 行: vote_weight 须在 0 到 1 之间，实际为 -0.1",
    ),
    (
        config_with('"vote_weight": "0.2",'),
        'config.json 第 2 行: vote_weight 须为数字，实际为 "0.2"',
    ),
    (
        config_with('"vote_weight": NaN,'),
        "config.json 第 2 行: vote_weight 须为合理范围内的有限数字，实际为 NaN",
    ),
    (config_with('"trim": -1,'), "config.json 第 2 行: trim 须为不小于 0 的整数，实际为 -1"),
    (config_with('"trim": "1",'), 'config.json 第 2 行: trim 须为不小于 0 的整数，实际为 "1"'),
    (config_with('"trim": true,'), "config.json 第 2 行: trim 须为不小于 0 的整数，实际为 true"),
    (
        config_with('"precision": -1,'),
        "config.json 第 2 行: precision 须为 0 到 10 之间的整数，实际为 -1",
    ),
    (
        config_with('"shortlist": 0,'),
        "config.json 第 2 行: shortlist 须为不小于 1 的整数，实际为 0",
    ),
    (
        config_with('"normalize": "minmax",'),
        'config.json 第 2 行: normalize 须为 "none" 或 "zscore"，实际为 "minmax"',
    ),
    (
        config_with('"vote_wieght": 0.2,'),
        'config.json 第 2 行: 配置中有未知的键 "vote_wieght"'
        "（可用：criteria、tiers、shortlist、trim、vote_weight、normalize、precision、"
        "flag_correlation、flag_offset、flag_spread）",
    ),
    (config_with('"trim": 1,', '"trim": 2,'), 'config.json 第 3 行: 键 "trim" 重复'),
    (
        config_with('"flag_correlation": 1.5,'),
        "config.json 第 2 行: flag_correlation 须在 -1 到 1 之间，实际为 1.5",
    ),
    (config_with('"flag_offset": -1,'), "config.json 第 2 行: flag_offset 不能为负，实际为 -1"),
    (
        config_with('"flag_spread": "15",'),
        'config.json 第 2 行: flag_spread 须为数字，实际为 "15"',
    ),
    # The engine's settings are checked before the panel's thresholds.
    (
        config_with('"flag_spread": -1,', '"trim": -1,'),
        "config.json 第 3 行: trim 须为不小于 0 的整数，实际为 -1",
    ),
    ("[1, 2]", "config.json 第 1 行: 配置须为 JSON 对象 {…}"),
    ("[" * 100_000, "config.json: JSON 嵌套过深"),
]


@pytest.mark.parametrize(("config", "message"), BAD_CONFIGS)
def test_bad_config_json(small, config, message):
    write(config=config)
    assert run_error() == message


@pytest.mark.parametrize("missing", ["scores.csv", "votes.csv", "config.json"])
def test_missing_file(small, missing):
    Path(missing).unlink()
    assert run_error() == f"{missing}: 文件不存在"


def test_undecodable_bytes(small):
    # A row saved as GBK: "专家" is d7 a8 bc d2. The first pair happens to be valid UTF-8
    # (a Hebrew letter), so the first bad byte is bc: 64 bytes of rows before, "B," → byte 69.
    write(scores=SMALL_SCORES.encode() + "B,专家,q,1\n".encode("gbk"))
    assert run_error() == (
        "scores.csv 第 6 行: 第 69 字节不是 UTF-8 编码，请另存为“CSV UTF-8”或 UTF-8 文本"
    )


def test_an_integer_too_long_for_python_is_one_line(small):
    write(config=config_with('"trim": ' + "9" * 5000 + ","))
    assert run_error().startswith("config.json: JSON 无法读取（Exceeds the limit")


def test_config_error_comes_before_csv_errors(small):
    write(scores="nonsense", config=config_with('"trim": -1,'))
    assert run_error().startswith("config.json 第 2 行")


# --- As a user runs it --------------------------------------------------------------------------


def manage(*arguments, cwd):
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), "rank_sheet", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_line_bad_input_is_one_line_on_stderr_and_status_2(small):
    write(scores=SMALL_SCORES + "A,e2,foo,1\n")
    result = manage(
        "--scores", "scores.csv", "--votes", "votes.csv", "--config", "config.json", cwd=small
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'CommandError: scores.csv 第 6 行: 评分项 "foo" 不在 config.json 的 criteria 中'
    ]


def test_command_line_success(sheet):
    result = manage(
        "--scores", "scores.csv", "--votes", "votes.csv", "--config", "config.json", cwd=sheet
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == EXPECTED
