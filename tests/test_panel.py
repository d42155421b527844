"""Panel statistics (reviews/panel.py): hand-worked examples and properties that must hold."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.panel import (
    PanelThresholds,
    average_ranks,
    icc2k,
    kendall_w,
    panel_as_data,
    panel_of_outcome,
    panel_statistics,
    spearman,
)
from reviews.ranking import Criterion, RankingConfig, RankingError, rank

D = Decimal
HUNDRED = D(100)

# Shrout & Fleiss (1979), table 2: six targets rated by four judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def as_totals(matrix, experts=None) -> dict:
    """case → expert → total, cases numbered 1…n and experts "j1"…"jk" unless named."""
    experts = experts or [f"j{j + 1}" for j in range(len(matrix[0]))]
    return {
        case: {expert: D(value) for expert, value in zip(experts, row, strict=True)}
        for case, row in enumerate(matrix, start=1)
    }


def data(totals, full_marks=HUNDRED, **thresholds):
    return panel_as_data(
        panel_statistics(
            totals=totals, full_marks=full_marks, thresholds=PanelThresholds(**thresholds)
        )
    )


# --- Hand-worked ------------------------------------------------------------------------------


def test_shrout_and_fleiss_table_gives_their_icc_2_4():
    # Their ICC(2,4) is 0.62: BMS = 11.24, JMS = 32.49, EMS = 1.02 (n = 6, k = 4), exactly
    # (MSR − MSE) / (MSR + (MSC − MSE) / n) = 736/1187 = 0.620050… → 0.6201.
    assert icc2k(SHROUT_FLEISS) == Fraction(736, 1187)
    assert data(as_totals(SHROUT_FLEISS), full_marks=D(10))["icc2k"] == "0.6201"


def test_kendall_w_of_the_shrout_and_fleiss_table_with_ties():
    # Average ranks per judge (ties share): j1 5 1.5 4 3 6 1.5 (T = 6), j2 3.5 1.5 5 1.5 6 3.5
    # (T = 6 + 6), j3 4 2 5.5 1 5.5 3 (T = 6), j4 4.5 1 4.5 2 6 3 (T = 6).
    # Rank sums 17, 6, 19, 7.5, 23.5, 11 around k (n + 1) / 2 = 14: S = 239.5.
    # W = 12 × 239.5 / (16 × (216 − 6) − 4 × 30) = 2874 / 3240 = 479/540 = 0.88703… → 0.8870.
    assert kendall_w(SHROUT_FLEISS) == Fraction(479, 540)
    assert data(as_totals(SHROUT_FLEISS), full_marks=D(10))["kendall_w"] == "0.8870"


def test_average_ranks_share_ties():
    assert average_ranks([30, 10, 20, 10]) == [4, Fraction(3, 2), 3, Fraction(3, 2)]
    assert average_ranks([7, 7, 7]) == [2, 2, 2]
    assert average_ranks([]) == []


def test_spearman_by_hand():
    # Ranks 1 2 3 4 against 1 3 2 4: d² = 0 1 1 0, rho = 1 − 6 × 2 / (4 × 15) = 0.8.
    assert spearman([10, 20, 30, 40], [5, 7, 6, 9]) == D("0.8")
    assert spearman([1, 2, 3], [3, 2, 1]) == -1
    assert spearman([1, 2], [1, 2]) is None  # under 3 cases
    assert spearman([1, 2, 3], [5, 5, 5]) is None  # no variance
    # With a tie: 1 2.5 2.5 against 1 2 3: 1.5 / √(1.5 × 2) = √3 / 2, 50 significant digits.
    assert spearman([1, 2, 2], [1, 2, 3]) == D(
        "0.86602540378443864676372317075293618347140262690519"
    )


def test_a_recused_expert_is_left_out_of_icc_and_w_but_has_a_line():
    # "r" declared 回避 on case 2: ICC and W are over j1 and j2 only, as if r did not exist.
    totals = as_totals([[70, 80], [85, 90], [85, 95]])
    with_recused = {case: dict(per) for case, per in totals.items()}
    with_recused[1]["r"], with_recused[3]["r"] = D(60), D(100)
    alone, joined = data(totals), data(with_recused)
    assert (joined["experts"], joined["cases"]) == (2, 3)
    assert (joined["icc2k"], joined["kendall_w"]) == (alone["icc2k"], alone["kendall_w"])
    assert (alone["icc2k"], alone["kendall_w"]) == ("0.7692", "0.9286")  # see test_rank_sheet
    # r against the others' means 75 and 90: −15 and +10 → offset −2.50; two cases: no rho.
    assert joined["by_expert"][-1] == {
        "expert": "r",
        "cases": 2,
        "offset": "-2.50",
        "correlation": None,
        "flagged": False,
    }
    assert [item["experts"] for item in joined["by_case"]] == [3, 2, 3]


def test_offsets_and_spreads_are_points_out_of_100_of_full_marks():
    # Full marks 40: j1 gives 10 more than j2 on both cases: offset +25.00 and −25.00 points;
    # each case's spread is 5 × 100 / 40 = 12.50.
    result = data(as_totals([[30, 20], [20, 10]]), full_marks=D(40))
    assert [(e["expert"], e["offset"]) for e in result["by_expert"]] == [
        ("j1", "25.00"),
        ("j2", "-25.00"),
    ]
    assert [c["spread"] for c in result["by_case"]] == ["12.50", "12.50"]
    assert all(e["flagged"] for e in result["by_expert"])  # |25| > 15
    assert not any(c["flagged"] for c in result["by_case"])  # 12.50 ≤ 15


def test_figures_round_half_up_once_from_the_exact_value():
    # j1 − j2 on two cases: 0.25 and 0: offset exactly ±0.125 → 0.13 and −0.13 (half away
    # from zero; banker's rounding gives 0.12).
    result = data(as_totals([["50.25", 50], [60, 60]]))
    assert [e["offset"] for e in result["by_expert"]] == ["0.13", "-0.13"]
    # Two totals 24.69 apart: the population sd is exactly 12.345 → 12.35 (not 12.34), so the
    # 50-digit square root of the exact variance is exact here.
    spread = data({"A": {"e1": D(0), "e2": D("24.69")}})["by_case"][0]["spread"]
    assert spread == "12.35"


def test_flags_compare_the_printed_figures_with_the_thresholds():
    # Spreads 8.16 (101), 4.08 (102), 5.00 (103); rho 0.8660 (j1) and 0.5000 (j2).
    totals = {
        "101": {"j1": D(70), "j2": D(80), "j3": D(90)},
        "102": {"j1": D(85), "j2": D(90), "j3": D(95)},
        "103": {"j1": D(85), "j2": D(95)},
    }
    result = data(totals, flag_spread=D(5), flag_correlation=D("0.5"), flag_offset=D("11.25"))
    # 5.00 is not above 5; 0.5000 is not below 0.5; j3's 11.25 is not above 11.25.
    assert [c["flagged"] for c in result["by_case"]] == [True, False, False]
    assert [e["flagged"] for e in result["by_expert"]] == [False, False, False]
    result = data(totals, flag_spread=D("4.99"), flag_correlation=D("0.51"), flag_offset=D(11))
    assert [c["flagged"] for c in result["by_case"]] == [True, False, True]
    assert [e["flagged"] for e in result["by_expert"]] == [False, True, True]


def test_nulls_where_the_figures_do_not_exist():
    one_expert = data({"A": {"e": D(5)}, "B": {"e": D(6)}, "C": {"e": D(7)}})
    assert (one_expert["experts"], one_expert["icc2k"], one_expert["kendall_w"]) == (1, None, None)
    assert one_expert["by_expert"] == [
        {"expert": "e", "cases": 3, "offset": None, "correlation": None, "flagged": False}
    ]
    assert [c["spread"] for c in one_expert["by_case"]] == ["0.00", "0.00", "0.00"]
    one_case = data({"A": {"e1": D(5), "e2": D(6)}})
    assert (one_case["cases"], one_case["icc2k"], one_case["kendall_w"]) == (1, None, None)
    # Every total equal: no variance at all, both denominators are 0.
    flat = data(as_totals([[5, 5], [5, 5], [5, 5]]))
    assert (flat["icc2k"], flat["kendall_w"]) == (None, None)
    assert [e["correlation"] for e in flat["by_expert"]] == [None, None]
    empty = data({})
    assert empty == {
        "experts": 0,
        "cases": 0,
        "icc2k": None,
        "kendall_w": None,
        "by_expert": [],
        "by_case": [],
    }


def test_no_expert_scored_every_case():
    # e1 missed B, e2 missed A: no one is left for ICC and W, yet both have lines.
    result = data({"A": {"e1": D(5), "e3": D(5)}, "B": {"e2": D(6), "e3": D(7)}, "C": {}})
    assert (result["experts"], result["cases"], result["icc2k"]) == (0, 3, None)
    assert [e["expert"] for e in result["by_expert"]] == ["e1", "e2", "e3"]
    assert result["by_case"][-1] == {"case": "C", "experts": 0, "spread": None, "flagged": False}


def test_ids_in_natural_order():
    result = data({"10": {"9": D(1), "10": D(2)}, "9": {"9": D(1), "10": D(3)}})
    assert [c["case"] for c in result["by_case"]] == ["9", "10"]
    assert [e["expert"] for e in result["by_expert"]] == ["9", "10"]


def test_the_panel_of_a_ranking_uses_raw_totals_of_the_shortlist_only():
    criteria = (Criterion(key="q", label="质量", max=D(50), weight=D(2)),)
    scores = {
        "A": {"e1": {"q": D(40)}, "e2": {"q": D(30)}},
        "B": {"e1": {"q": D(20)}, "e2": {"q": D(25)}},
        "C": {"e1": {"q": D(0)}, "e2": {"q": D(50)}},  # cut by the vote
    }
    votes = {"A": 10, "B": 9, "C": 1}
    results = []
    for normalize in ("none", "zscore"):
        config = RankingConfig(criteria=criteria, tiers=(), shortlist=2, normalize=normalize)
        results.append(
            panel_as_data(panel_of_outcome(rank(config=config, scores=scores, votes=votes)))
        )
    # z-scores change the ranking's totals, never the panel: raw totals 80/60 and 40/50.
    assert results[0] == results[1]
    assert [c["case"] for c in results[0]["by_case"]] == ["A", "B"]
    # Spreads: |80 − 60| / 2 = 10 and 5 points of 100 full marks.
    assert [c["spread"] for c in results[0]["by_case"]] == ["10.00", "5.00"]
    # e1 − e2: +20 and −10 → mean +5 points.
    assert results[0]["by_expert"][0]["offset"] == "5.00"


def test_thresholds_are_checked():
    with pytest.raises(RankingError):
        PanelThresholds(flag_correlation=D(2))
    with pytest.raises(RankingError):
        PanelThresholds(flag_spread=D(-1))
    with pytest.raises(RankingError):
        PanelThresholds(flag_offset=0.5)  # a binary float is refused, as in the engine
    with pytest.raises(RankingError):
        panel_statistics(totals={"A": {"e": D(1)}}, full_marks=D(0))


# --- Properties -------------------------------------------------------------------------------

totals_strategy = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def score_tables(draw, min_cases=2, min_experts=2):
    n = draw(st.integers(min_value=min_cases, max_value=7))
    k = draw(st.integers(min_value=min_experts, max_value=5))
    matrix = [[draw(totals_strategy) for _ in range(k)] for _ in range(n)]
    return matrix


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.integers(min_value=0, max_value=20), min_size=2, max_size=8),
    transforms=st.lists(
        st.tuples(st.integers(min_value=1, max_value=4), st.integers(min_value=0, max_value=30)),
        min_size=2,
        max_size=5,
    ),
)
def test_w_is_one_when_all_experts_rank_alike(base, transforms):
    # Each expert gives a × base + b (a > 0): the same order and the same ties for all.
    matrix = [[D(a * value + b) for a, b in transforms] for value in base]
    w = kendall_w(matrix)
    if len(set(base)) == 1:
        assert w is None  # everything tied: no ranking to agree on
    else:
        assert w == 1
        assert data(as_totals(matrix), full_marks=D(200))["kendall_w"] == "1.0000"


@settings(max_examples=60, deadline=None)
@given(matrix=score_tables(min_cases=1, min_experts=1), data_=st.data())
def test_permuting_experts_or_cases_changes_nothing(matrix, data_):
    n, k = len(matrix), len(matrix[0])
    experts = [f"e{j}" for j in range(k)]
    totals = as_totals(matrix, experts)
    # Drop a few totals (recusals) so that some experts are out of ICC and W.
    holes = data_.draw(st.sets(st.tuples(st.integers(1, n), st.sampled_from(experts)), max_size=3))
    for case, expert in holes:
        totals[case].pop(expert)
    expected = data(totals)

    case_order = data_.draw(st.permutations(list(totals)))
    expert_order = data_.draw(st.permutations(experts))
    shuffled = {
        case: {e: totals[case][e] for e in expert_order if e in totals[case]} for case in case_order
    }
    assert data(shuffled) == expected

    # Renaming the experts by a permutation of their names: the same figures, lines renamed.
    renamed_to = dict(zip(experts, data_.draw(st.permutations(experts)), strict=True))
    renamed = {
        case: {renamed_to[e]: total for e, total in per.items()} for case, per in totals.items()
    }
    result = data(renamed)
    for key in ("experts", "cases", "icc2k", "kendall_w", "by_case"):
        assert result[key] == expected[key]
    by_name = {line["expert"]: line for line in result["by_expert"]}
    for line in expected["by_expert"]:
        assert by_name[renamed_to[line["expert"]]] == {**line, "expert": renamed_to[line["expert"]]}


@settings(max_examples=60, deadline=None)
@given(matrix=score_tables())
def test_w_lies_between_0_and_1(matrix):
    w = kendall_w(matrix)
    assert w is None or 0 <= w <= 1


@settings(max_examples=60, deadline=None)
@given(column=st.lists(totals_strategy, min_size=2, max_size=8), k=st.integers(2, 5))
def test_icc_is_one_when_all_experts_give_the_same_totals(column, k):
    # (ICC(2,k) is not bounded in general: [[0, 1], [1, 0]] gives 2, a negative denominator.)
    matrix = [[value] * k for value in column]
    expected = None if len(set(column)) == 1 else 1
    assert icc2k(matrix) == expected


@settings(max_examples=40, deadline=None)
@given(rows=st.permutations(range(6)), columns=st.permutations(range(4)))
def test_icc_of_the_shrout_and_fleiss_table_in_any_order(rows, columns):
    matrix = [[SHROUT_FLEISS[i][j] for j in columns] for i in rows]
    assert icc2k(matrix) == Fraction(736, 1187)
    assert kendall_w(matrix) == Fraction(479, 540)
