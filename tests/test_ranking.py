"""The ranking engine, on hand-worked examples and on properties that must always hold."""

import dataclasses
import random
import subprocess
import sys
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.ranking import (
    Criterion,
    RankingConfig,
    RankingError,
    Tier,
    assign_tiers,
    competition_ranks,
    id_order_key,
    rank,
    round_half_up,
    select_shortlist,
)

D = Decimal
QUALITY = (Criterion(key="q", label="质量", max=D(100)),)
TWO_TIERS = (Tier(name="优秀案例", size=10), Tier(name="良好实践", size=10))


def make_config(**options) -> RankingConfig:
    options.setdefault("criteria", QUALITY)
    options.setdefault("tiers", ())
    return RankingConfig(**options)


def one_expert(finals: dict) -> dict:
    """Scores where one expert gives each case its final score on a 0–100 criterion."""
    return {case: {"e": {"q": D(str(value))}} for case, value in finals.items()}


def experts(totals_by_case: dict) -> dict:
    """Scores where each listed expert gives the case the listed total on the 0–100 criterion."""
    return {
        case: {expert: {"q": D(str(value))} for expert, value in totals.items()}
        for case, totals in totals_by_case.items()
    }


def table(outcome) -> list[tuple]:
    return [(r.case, str(r.score), r.overall_rank, r.tier, r.rank) for r in outcome.results]


# --- Helpers ----------------------------------------------------------------------------------


def test_competition_ranks_share_a_rank_and_skip_the_next():
    assert competition_ranks([90, 80, 80, 70]) == [1, 2, 2, 4]
    assert competition_ranks([5, 5, 5]) == [1, 1, 1]
    assert competition_ranks([]) == []


def test_competition_ranks_refuses_unsorted_values():
    with pytest.raises(ValueError):
        competition_ranks([1, 2])


def test_round_half_up_at_the_half():
    # 87.125 is exactly halfway: half up gives 87.13, banker's rounding 87.12.
    assert round_half_up(D("87.125"), 2) == D("87.13")
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_EVEN
        assert D("87.125").quantize(D("0.01")) == D("87.12")
    # 2.675 as a float is 2.67499999…, so round(2.675, 2) gives 2.67; exact half up gives 2.68.
    assert round(2.675, 2) == 2.67
    assert round_half_up(D("2.675"), 2) == D("2.68")
    assert round_half_up(Fraction(1, 3), 2) == D("0.33")
    assert round_half_up(Fraction(2, 3), 2) == D("0.67")
    assert round_half_up(D("87.5"), 0) == D("88")
    assert round_half_up(D("-2.675"), 2) == D("-2.68")  # half away from zero, like ROUND_HALF_UP
    assert str(round_half_up(80, 2)) == "80.00"  # always exactly `precision` decimals


def test_round_half_up_refuses_floats():
    with pytest.raises(TypeError):
        round_half_up(2.675, 2)


def test_ids_compare_numerically_only_when_all_are_numbers():
    assert sorted(["10", "9", "100"], key=id_order_key(["10", "9", "100"])) == ["9", "10", "100"]
    assert sorted([10, 9, 100], key=id_order_key([10, 9, 100])) == [9, 10, 100]
    # One non-digit id and all compare as text.
    ids = ["10", "9", "9a"]
    assert sorted(ids, key=id_order_key(ids)) == ["10", "9", "9a"]


# --- Rule 1: the vote cut ---------------------------------------------------------------------


def test_tie_at_the_vote_cut_passes_together():
    # Votes A=10, B=8, C=8, D=5: vote ranks 1, 2, 2, 4. K=2 lets A, B and C through.
    votes = {"A": 10, "B": 8, "C": 8, "D": 5}
    scores = one_expert({"A": 70, "B": 80, "C": 90})
    # D is outside the shortlist: its scores are ignored, even an impossible one.
    scores["D"] = {"e": {"q": D(500), "unknown": D(1)}}
    outcome = rank(config=make_config(shortlist=2), scores=scores, votes=votes)
    assert outcome.shortlist == ["A", "B", "C"]
    assert [r.case for r in outcome.results] == ["C", "B", "A"]


def test_missing_votes_count_as_zero_and_tie_at_the_cut():
    # B has no vote row: 0 votes, tied with A at vote rank 1 for K=1, so both pass.
    outcome = rank(
        config=make_config(shortlist=1), scores=one_expert({"A": 50, "B": 60}), votes={"A": 0}
    )
    assert sorted(outcome.shortlist) == ["A", "B"]


def test_no_vote_cut_shortlists_every_case_in_vote_order():
    scores = one_expert({1: 50, 2: 60, 3: 70})
    outcome = rank(config=make_config(), scores=scores, votes={3: 1, 2: 9})
    assert outcome.shortlist == [2, 3, 1]


def test_unscored_case_outside_the_shortlist_is_fine():
    outcome = rank(
        config=make_config(shortlist=1), scores=one_expert({"A": 50}), votes={"A": 5, "B": 1}
    )
    assert outcome.shortlist == ["A"]


def test_select_shortlist_alone():
    votes = {"a": 3, "b": 3, "c": 2, "d": 1}
    assert select_shortlist(cases=votes, votes=votes, size=1) == ["a", "b"]
    assert select_shortlist(cases=votes, votes=votes, size=3) == ["a", "b", "c"]
    assert select_shortlist(cases=votes, votes=votes, size=None) == ["a", "b", "c", "d"]


# --- Rules 5 and 6: order, ranks and tiers ----------------------------------------------------


def test_the_2022_pattern():
    # Final scores 99 … 84 on 22 cases, with the ties of 2022. Overall ranks:
    #   99 98 97 96 95 94 94 93 93 92 92 | 91 91 90 90 89 89 88 87 86 85 | 84
    #    1  2  3  4  5  6  6  8  8 10 10 | 12 12 14 14 16 16 18 19 20 21 | 22
    # 优秀案例 (10) takes overall ranks ≤ 10: eleven cases, as the two at 10 enter together.
    # 良好实践 (10) takes overall rank − 11 ≤ 10: ranks 12 … 21 become 1 1 3 3 5 5 7 8 9 10.
    # The case at 22 (22 − 11 = 11 > 10) is past the last tier.
    finals = [99, 98, 97, 96, 95, 94, 94, 93, 93, 92, 92]
    finals += [91, 91, 90, 90, 89, 89, 88, 87, 86, 85, 84]
    outcome = rank(
        config=make_config(tiers=TWO_TIERS),
        scores=one_expert({str(i): v for i, v in enumerate(finals, start=1)}),
        votes={},
    )
    by_tier = {}
    for result in outcome.results:
        by_tier.setdefault(result.tier, []).append(result.rank)
    assert by_tier["优秀案例"] == [1, 2, 3, 4, 5, 6, 6, 8, 8, 10, 10]
    assert by_tier["良好实践"] == [1, 1, 3, 3, 5, 5, 7, 8, 9, 10]
    assert by_tier[None] == [None]
    assert [r.overall_rank for r in outcome.results] == [
        *(1, 2, 3, 4, 5, 6, 6, 8, 8, 10, 10),
        *(12, 12, 14, 14, 16, 16, 18, 19, 20, 21, 22),
    ]
    last = outcome.results[-1]
    assert (last.case, last.score, last.tier, last.rank) == ("22", D("84.00"), None, None)
    assert [r.tied for r in outcome.results[:7]] == [False] * 5 + [True] * 2


def test_tie_at_a_tier_boundary_enters_whole():
    # Finals 90 85 85 80 75 75 70 → overall ranks 1 2 2 4 5 5 7; tiers of 2 and 2.
    # 一等: ranks ≤ 2 → 90, 85, 85 (three cases, ranks 1 2 2); 3 placed.
    # 二等: 4−3=1, 5−3=2, 5−3=2 enter; 7−3=4 > 2 does not.
    tiers = (Tier(name="一等", size=2), Tier(name="二等", size=2))
    finals = {"a": 90, "b": 85, "c": 85, "d": 80, "e": 75, "f": 75, "g": 70}
    outcome = rank(config=make_config(tiers=tiers), scores=one_expert(finals), votes={})
    assert table(outcome) == [
        ("a", "90.00", 1, "一等", 1),
        ("b", "85.00", 2, "一等", 2),
        ("c", "85.00", 2, "一等", 2),
        ("d", "80.00", 4, "二等", 1),
        ("e", "75.00", 5, "二等", 2),
        ("f", "75.00", 5, "二等", 2),
        ("g", "70.00", 7, None, None),
    ]


def test_a_tie_larger_than_the_tier_fills_it_and_the_next_starts_at_one():
    # Three tied at the top of a tier of 1: all three are 一等 rank 1; the next is 二等 rank 1.
    tiers = (Tier(name="一等", size=1), Tier(name="二等", size=1))
    outcome = rank(
        config=make_config(tiers=tiers), scores=one_expert({1: 9, 2: 9, 3: 9, 4: 8}), votes={}
    )
    assert table(outcome) == [
        (1, "9.00", 1, "一等", 1),
        (2, "9.00", 1, "一等", 1),
        (3, "9.00", 1, "一等", 1),
        (4, "8.00", 4, "二等", 1),
    ]


def test_ties_on_the_rounded_score_order_by_case_id_numerically():
    # 80.004 and 80.001 both round to 80.00: tied, so ordered by id, "9" before "10".
    outcome = rank(config=make_config(), scores=one_expert({"10": "80.004", "9": "80.001"}))
    assert [(r.case, r.overall_rank, r.tied) for r in outcome.results] == [
        ("9", 1, True),
        ("10", 1, True),
    ]


def test_assign_tiers_alone():
    tiers = (Tier(name="A", size=2), Tier(name="B", size=1))
    assert assign_tiers(overall_ranks=[1, 2, 2, 4, 4, 6], tiers=tiers) == [
        ("A", 1),
        ("A", 2),
        ("A", 2),
        ("B", 1),
        ("B", 1),
        (None, None),
    ]
    assert assign_tiers(overall_ranks=[1, 2], tiers=()) == [(None, None), (None, None)]


# --- Rules 2–4: totals, trim, blend, rounding -------------------------------------------------


def test_trim_drops_the_lowest_and_highest():
    # Totals 60, 70, 95 with trim 1: three > 2, so drop 60 and 95; mean 70 → 70.00.
    outcome = rank(
        config=make_config(trim=1), scores=experts({"A": {"x": 95, "y": 60, "z": 70}}), votes={}
    )
    result = outcome.results[0]
    assert result.score == D("70.00")
    assert result.expert_totals == (("y", D(60)), ("z", D(70)), ("x", D(95)))
    assert result.trimmed == ("y", "x")
    assert result.mean == 70


def test_no_trim_when_there_are_too_few_experts():
    # Two totals with trim 1: two is not more than 2 × 1, nothing is dropped.
    # Mean (60 + 95) / 2 = 77.5 → 77.50.
    outcome = rank(config=make_config(trim=1), scores=experts({"A": {"x": 95, "y": 60}}))
    assert outcome.results[0].score == D("77.50")
    assert outcome.results[0].trimmed == ()
    # Four totals with trim 2: four is not more than 4 either. Mean (10+20+30+40)/4 = 25.
    outcome = rank(
        config=make_config(trim=2), scores=experts({"A": {"a": 10, "b": 20, "c": 30, "d": 40}})
    )
    assert outcome.results[0].score == D("25.00")
    # Five totals with trim 2 keep the middle one: 30.
    outcome = rank(
        config=make_config(trim=2),
        scores=experts({"A": {"a": 10, "b": 20, "c": 30, "d": 40, "e": 50}}),
    )
    assert outcome.results[0].score == D("30.00")
    assert outcome.results[0].trimmed == ("a", "b", "d", "e")


def test_mean_exactly_on_the_half_rounds_up():
    # Totals 87 and 87.25: mean 87.125 exactly → 87.13 (banker's rounding would give 87.12).
    outcome = rank(config=make_config(), scores=experts({"A": {"x": 87, "y": "87.25"}}))
    assert outcome.results[0].final == Fraction("87.125")
    assert outcome.results[0].score == D("87.13")
    # Totals 2.6 and 2.75: mean 2.675 → 2.68 (a float would have made it 2.67).
    outcome = rank(config=make_config(), scores=experts({"A": {"x": "2.6", "y": "2.75"}}))
    assert outcome.results[0].score == D("2.68")


def test_rounding_happens_once_at_the_end():
    # Expert score 80.006, vote score 100 (the only case), vote_weight 0.5:
    # final = 0.5 × 80.006 + 0.5 × 100 = 40.003 + 50 = 90.003 → 90.00.
    # Rounding the expert score first (80.01) would give 40.005 + 50 = 90.005 → 90.01.
    outcome = rank(
        config=make_config(vote_weight=D("0.5")), scores=one_expert({"A": "80.006"}), votes={"A": 7}
    )
    result = outcome.results[0]
    assert result.final == Fraction("90.003")
    assert result.score == D("90.00")


def test_weights_count_in_the_total():
    # Criteria A (max 10, weight 2) and B (max 10, weight 1): full marks 2×10 + 10 = 30.
    # X: A=8, B=5 → 16 + 5 = 21 → 100 × 21 / 30 = 70.00.
    # Y: A=5, B=8 → 10 + 8 = 18 → 100 × 18 / 30 = 60.00. Unweighted they would tie.
    criteria = (
        Criterion(key="a", label="引领性强", max=D(10), weight=D(2)),
        Criterion(key="b", label="感受度高", max=D(10)),
    )
    scores = {
        "X": {"e": {"a": D(8), "b": D(5)}},
        "Y": {"e": {"a": D(5), "b": D(8)}},
    }
    outcome = rank(config=make_config(criteria=criteria), scores=scores, votes={})
    assert table(outcome) == [("X", "70.00", 1, None, None), ("Y", "60.00", 2, None, None)]
    assert outcome.full_marks == 30
    assert outcome.results[0].expert_totals == (("e", D(21)),)


def test_decimal_weights_are_exact():
    # Weight 0.1 on max 30 plus weight 1 on max 70: full marks 3 + 70 = 73.
    # Scores 30 and 70 → total 0.1×30 + 70 = 73 → exactly 100.00 (a float 0.1 would not be).
    criteria = (
        Criterion(key="a", label="A", max=D(30), weight=D("0.1")),
        Criterion(key="b", label="B", max=D(70)),
    )
    outcome = rank(
        config=make_config(criteria=criteria), scores={"X": {"e": {"a": D(30), "b": D(70)}}}
    )
    assert outcome.results[0].expert_score == 100
    assert outcome.results[0].score == D("100.00")


def test_vote_weight_blends_expert_and_vote_scores():
    # vote_weight 0.2; top votes among the shortlist 200.
    # A: expert 80, votes 200 → vote score 100 → 0.8×80 + 0.2×100 = 64 + 20 = 84.00.
    # B: expert 90, votes 50  → vote score 25  → 0.8×90 + 0.2×25  = 72 + 5  = 77.00.
    outcome = rank(
        config=make_config(vote_weight=D("0.2")),
        scores=one_expert({"A": 80, "B": 90}),
        votes={"A": 200, "B": 50},
    )
    assert table(outcome) == [("A", "84.00", 1, None, None), ("B", "77.00", 2, None, None)]
    a, b = outcome.results
    assert (a.vote_score, a.expert_score, a.votes) == (100, 80, 200)
    assert (b.vote_score, b.expert_score, b.votes) == (25, 90, 50)


def test_vote_score_uses_the_top_of_the_shortlist_and_zero_votes_give_zero():
    # With vote_weight 1 the score is the vote score alone: 100 × votes / 40.
    outcome = rank(
        config=make_config(vote_weight=1),
        scores=one_expert({"A": 1, "B": 1}),
        votes={"A": 40, "B": 10},
    )
    assert [str(r.score) for r in outcome.results] == ["100.00", "25.00"]
    outcome = rank(config=make_config(vote_weight=1), scores=one_expert({"A": 1}), votes={})
    assert outcome.results[0].score == D("0.00")


def test_zscore_maps_each_expert_onto_the_pooled_scale():
    # E1 totals A=60, B=70, C=80: mean 70, population sd √(200/3); z = −√1.5, 0, +√1.5.
    # E2 totals 90, 90, 90: all equal, so z = 0 for each.
    # Pooled totals 60 70 80 90 90 90: mean 80, variance (400+100+0+3×100)/6 = 400/3.
    # Mapped: 80 + z × √(400/3), so E1: A = 80 − √200, B = 80, C = 80 + √200; E2: all 80.
    # Means: A = 80 − √200/2 = 72.9289… → 72.93; B = 80.00; C = 87.0710… → 87.07.
    scores = experts(
        {"A": {"E1": 60, "E2": 90}, "B": {"E1": 70, "E2": 90}, "C": {"E1": 80, "E2": 90}}
    )
    outcome = rank(config=make_config(normalize="zscore"), scores=scores, votes={})
    assert table(outcome) == [
        ("C", "87.07", 1, None, None),
        ("B", "80.00", 2, None, None),
        ("A", "72.93", 3, None, None),
    ]
    results = outcome.by_case()
    totals_a = dict(results["A"].expert_totals)
    with localcontext() as ctx:
        ctx.prec = 60
        assert abs(totals_a["E1"] - (80 - D(200).sqrt())) < D("1e-45")  # 50 digits
    assert totals_a["E2"] == 80  # the expert with all-equal totals sits at the pooled mean
    assert dict(results["B"].expert_totals) == {"E1": 80, "E2": 80}
    assert dict(results["A"].raw_totals) == {"E1": 60, "E2": 90}


def test_zscore_with_one_expert_on_one_case_gives_the_pooled_mean():
    # One total only: pooled mean 75, sd 0, the expert's sd 0 → z = 0 → 75.
    outcome = rank(config=make_config(normalize="zscore"), scores=one_expert({"A": 75}))
    assert outcome.results[0].score == D("75.00")


def test_zscore_only_looks_at_shortlisted_cases():
    # C is cut by votes; its 0 must not widen E's spread. A=60, B=80 → mean 70, sd 10,
    # pooled the same, so the totals map onto themselves.
    outcome = rank(
        config=make_config(normalize="zscore", shortlist=2),
        scores=one_expert({"A": 60, "B": 80, "C": 0}),
        votes={"A": 2, "B": 2, "C": 1},
    )
    assert table(outcome) == [("B", "80.00", 1, None, None), ("A", "60.00", 2, None, None)]


def test_empty_input_gives_an_empty_outcome():
    outcome = rank(config=make_config(), scores={}, votes={})
    assert outcome.shortlist == [] and outcome.results == []


# --- Errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "votes", "cases", "message"),
    [
        ({}, {"A": 1}, None, "没有任何专家评分"),
        ({"A": {}}, {}, None, "没有任何专家评分"),
        ({"A": {"e": {}}}, {}, None, "缺少评分项 q"),
        ({"A": {"e": {"q": D(1), "z": D(1)}}}, {}, None, "未知评分项 'z'"),
        ({"A": {"e": {"q": D(101)}}}, {}, None, "超出范围 0–100"),
        ({"A": {"e": {"q": D(-1)}}}, {}, None, "超出范围 0–100"),
        ({"A": {"e": {"q": 1.5}}}, {}, None, "须为 Decimal 或整数"),
        ({"A": {"e": {"q": D("NaN")}}}, {}, None, "有限数字"),
        ({"A": {"e": {"q": D(1)}}}, {"A": -1}, None, "票数须为非负整数"),
        ({"A": {"e": {"q": D(1)}}}, {"A": 1.0}, None, "票数须为非负整数"),
        ({"A": {"e": {"q": D(1)}}}, {}, ["B"], "不在案例列表中"),
    ],
)
def test_bad_inputs_raise_ranking_error(scores, votes, cases, message):
    with pytest.raises(RankingError, match=message):
        rank(config=make_config(), scores=scores, votes=votes, cases=cases)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"criteria": ()}, "评分标准不能为空"),
        ({"criteria": QUALITY * 2}, "key 不能重复"),
        ({"criteria": (Criterion(key="q", label="Q", max=D(1), weight=0),)}, "不能全为 0"),
        ({"tiers": (Tier(name="A", size=1),) * 2}, "档次名称不能重复"),
        ({"shortlist": 0}, "入围数量"),
        ({"trim": -1}, "去掉最高/最低分"),
        ({"vote_weight": D("1.5")}, "0 到 1 之间"),
        ({"vote_weight": 0.5}, "须为 Decimal 或整数"),
        ({"normalize": "minmax"}, "none 或 zscore"),
        ({"precision": -1}, "小数位"),
    ],
)
def test_bad_configs_raise_ranking_error(options, message):
    with pytest.raises(RankingError, match=message):
        make_config(**options)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"key": "", "label": "x", "max": D(1)}, "非空字符串"),
        ({"key": "k", "label": "x", "max": D(0)}, "满分须大于 0"),
        ({"key": "k", "label": "x", "max": D(1), "weight": D(-1)}, "权重不能为负"),
        ({"key": "k", "label": "x", "max": 1.0}, "须为 Decimal 或整数"),
    ],
)
def test_bad_criteria_raise_ranking_error(arguments, message):
    with pytest.raises(RankingError, match=message):
        Criterion(**arguments)


def test_bad_tier_raises_ranking_error():
    with pytest.raises(RankingError, match="正整数"):
        Tier(name="A", size=0)


def test_the_engine_does_not_import_django():
    code = (
        "import sys, reviews.ranking, reviews.ranking_io; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


# --- Properties -------------------------------------------------------------------------------

CRITERIA = (
    Criterion(key="a", label="A", max=D(10)),
    Criterion(key="b", label="B", max=D(5), weight=D(2)),
)


@st.composite
def ranking_inputs(draw):
    case_count = draw(st.integers(min_value=1, max_value=10))
    cases = [str(n) for n in range(1, case_count + 1)]
    experts_pool = [f"e{n}" for n in range(1, 6)]
    scores = {}
    for case in cases:
        panel = draw(st.lists(st.sampled_from(experts_pool), min_size=1, max_size=5, unique=True))
        scores[case] = {
            expert: {
                # Tenths, so sums and means exercise exact decimals.
                criterion.key: D(draw(st.integers(0, int(criterion.max) * 10))) / 10
                for criterion in CRITERIA
            }
            for expert in panel
        }
    votes = {case: draw(st.integers(0, 6)) for case in cases if draw(st.booleans())}
    tier_sizes = draw(st.lists(st.integers(1, 4), max_size=3))
    config = RankingConfig(
        criteria=CRITERIA,
        tiers=tuple(Tier(name=f"T{n}", size=size) for n, size in enumerate(tier_sizes)),
        shortlist=draw(st.none() | st.integers(1, case_count + 1)),
        trim=draw(st.integers(0, 2)),
        vote_weight=draw(st.sampled_from([D(0), D("0.2"), D("0.5"), D(1)])),
        normalize=draw(st.sampled_from(["none", "zscore"])),
        precision=draw(st.integers(0, 3)),
    )
    return config, scores, votes


@settings(max_examples=150, deadline=None)
@given(ranking_inputs())
def test_overall_ranks_are_competition_ranks(inputs):
    config, scores, votes = inputs
    results = rank(config=config, scores=scores, votes=votes).results
    assert results[0].overall_rank == 1
    for before, after in zip(results, results[1:], strict=False):
        assert before.overall_rank <= after.overall_rank
        assert (before.score, -int(before.case)) > (after.score, -int(after.case))
    for result in results:
        better = sum(1 for other in results if other.score > result.score)
        assert result.overall_rank == 1 + better
        tied = sum(1 for other in results if other.score == result.score) > 1
        assert result.tied == tied
        assert result.score.as_tuple().exponent == -config.precision


@settings(max_examples=150, deadline=None)
@given(ranking_inputs())
def test_tier_ranks_are_consistent(inputs):
    config, scores, votes = inputs
    results = rank(config=config, scores=scores, votes=votes).results
    tier_order = [tier.name for tier in config.tiers] + [None]
    positions = [tier_order.index(result.tier) for result in results]
    assert positions == sorted(positions)  # tiers come in order, each one contiguous
    placed_before = 0
    for tier in config.tiers:
        members = [r for r in results if r.tier == tier.name]
        for member in members:
            assert member.rank == member.overall_rank - placed_before
            assert 1 <= member.rank <= tier.size
        if members:
            assert members[0].rank == 1
        # Whole ties: no case outside this tier shares a member's overall rank.
        ranks = {member.overall_rank for member in members}
        assert not [r for r in results if r.overall_rank in ranks and r.tier != tier.name]
        last_tier_start, placed_before = placed_before, placed_before + len(members)
    # A case is left out of the tiers only when it does not fit the last tier.
    for result in results:
        if result.tier is None:
            assert result.rank is None
            if config.tiers:
                assert result.overall_rank - last_tier_start > config.tiers[-1].size


@settings(max_examples=100, deadline=None)
@given(ranking_inputs(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_dict_order(inputs, rng: random.Random):
    config, scores, votes = inputs

    def shuffled(mapping):
        items = list(mapping.items())
        rng.shuffle(items)
        return {key: shuffled(value) if isinstance(value, dict) else value for key, value in items}

    expected = rank(config=config, scores=scores, votes=votes)
    assert rank(config=config, scores=shuffled(scores), votes=shuffled(votes)) == expected


@settings(max_examples=150, deadline=None)
@given(ranking_inputs())
def test_scores_stay_between_0_and_100_without_normalisation(inputs):
    config, scores, votes = inputs
    config = dataclasses.replace(config, normalize="none")
    for result in rank(config=config, scores=scores, votes=votes).results:
        assert 0 <= result.score <= 100
        assert 0 <= result.expert_score <= 100 and 0 <= result.vote_score <= 100


@settings(max_examples=150, deadline=None)
@given(ranking_inputs())
def test_shortlist_is_every_case_with_at_least_the_kth_highest_votes(inputs):
    config, scores, votes = inputs
    outcome = rank(config=config, scores=scores, votes=votes)
    counts = {case: votes.get(case, 0) for case in scores}
    if config.shortlist is None or config.shortlist >= len(counts):
        expected = set(counts)
    else:
        kth_highest = sorted(counts.values(), reverse=True)[config.shortlist - 1]
        expected = {case for case, count in counts.items() if count >= kth_highest}
    assert set(outcome.shortlist) == expected
    assert {result.case for result in outcome.results} == expected
