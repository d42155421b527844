"""Panel statistics: how far the experts agree, beside the ranking engine.

Pure Python (no Django), like ``reviews.ranking``: the ``rank_sheet`` command, the staff
results page and the results workbook all call ``panel_statistics`` on the **raw weighted
totals** (Σ weight × score, before any normalisation) of the **shortlisted** cases.

- ``icc2k`` and ``kendall_w`` are computed over the experts who scored every shortlisted case
  (an expert with a recused or missing case is left out of these two), n cases by k experts:
  - ICC(2,k), two-way random effects, absolute agreement, average of k raters (Shrout &
    Fleiss 1979; McGraw & Wong's ICC(A,k)) = (MSR − MSE) / (MSR + (MSC − MSE) / n);
  - Kendall's W with the tie correction, W = 12 S / (k² (n³ − n) − k Σ T);
  each rounded half up to 4 decimals, or None with fewer than 2 experts or 2 cases left, or a
  denominator of 0.
- ``by_expert``: every expert with a total, in id order. offset = the mean over their cases
  that another expert also scored of (their total − the other experts' mean) × 100 / full
  marks (2 decimals, None without such a case); correlation = Spearman's rho between their
  totals and those means (4 decimals, None under 3 cases or without variance).
- ``by_case``: each case in id order, spread = the population standard deviation of its totals
  × 100 / full marks (2 decimals).
- Flags compare the values as printed (rounded) with the thresholds, so a reader can check a
  flag against the figure shown: correlation below ``flag_correlation``, |offset| above
  ``flag_offset``, spread above ``flag_spread``.

Everything is exact (``Fraction``) except the square roots of the correlation and the spread,
which take 50 significant digits as the engine's z-scores do; each figure is rounded half up
once, at the end.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from fractions import Fraction

from .ranking import ZSCORE_DIGITS, RankingError, RankingOutcome, id_order_key, round_half_up

__all__ = [
    "PANEL_CONFIG_KEYS",
    "CaseSpread",
    "ExpertAgreement",
    "Panel",
    "PanelThresholds",
    "average_ranks",
    "icc2k",
    "kendall_w",
    "panel_as_data",
    "panel_of_outcome",
    "panel_statistics",
    "spearman",
]

CaseId = Hashable
ExpertId = Hashable

AGREEMENT_PLACES = 4  # icc2k, kendall_w, correlation
PERCENT_PLACES = 2  # offset, spread (points out of 100)
PANEL_CONFIG_KEYS = ("flag_correlation", "flag_offset", "flag_spread")
_SQRT = Context(prec=ZSCORE_DIGITS)


@dataclass(frozen=True)
class PanelThresholds:
    """When an expert or a case stands out; optional keys of config.json and round settings."""

    flag_correlation: Decimal = Decimal("0.3")
    flag_offset: Decimal = Decimal(15)
    flag_spread: Decimal = Decimal(15)

    def __post_init__(self):
        for name in PANEL_CONFIG_KEYS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise RankingError(f"{name} 须为 Decimal 或整数，实际为 {value!r}")
            value = Decimal(value)
            if not value.is_finite():
                raise RankingError(f"{name} 须为有限数字，实际为 {value}")
            object.__setattr__(self, name, value)
        if not -1 <= self.flag_correlation <= 1:
            raise RankingError(
                f"flag_correlation 须在 -1 到 1 之间，实际为 {self.flag_correlation}"
            )
        for name in ("flag_offset", "flag_spread"):
            if getattr(self, name) < 0:
                raise RankingError(f"{name} 不能为负，实际为 {getattr(self, name)}")


@dataclass(frozen=True)
class ExpertAgreement:
    expert: ExpertId
    cases: int  # shortlisted cases this expert has a total on
    offset: Decimal | None  # points out of 100 above (+) or below (−) the other experts
    correlation: Decimal | None  # Spearman's rho with the other experts' means
    low_correlation: bool  # correlation below flag_correlation
    high_offset: bool  # |offset| above flag_offset

    @property
    def flagged(self) -> bool:
        return self.low_correlation or self.high_offset


@dataclass(frozen=True)
class CaseSpread:
    case: CaseId
    experts: int  # experts with a total on this case
    spread: Decimal | None  # population standard deviation, points out of 100
    flagged: bool  # spread above flag_spread


@dataclass(frozen=True)
class Panel:
    experts: int  # k: experts who scored every shortlisted case
    cases: int  # n: shortlisted cases
    icc2k: Decimal | None
    kendall_w: Decimal | None
    by_expert: tuple[ExpertAgreement, ...]
    by_case: tuple[CaseSpread, ...]
    thresholds: PanelThresholds

    @property
    def flagged_experts(self) -> list[ExpertAgreement]:
        return [item for item in self.by_expert if item.flagged]

    @property
    def flagged_cases(self) -> list[CaseSpread]:
        return [item for item in self.by_case if item.flagged]


# --- Exact helpers ----------------------------------------------------------------------------


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _sqrt(value: Fraction) -> Decimal:
    """√value with 50 significant digits (exact when the root is a short decimal)."""
    with localcontext(_SQRT):
        return (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()


def average_ranks(values: Sequence) -> list[Fraction]:
    """Ranks 1…n in ascending order, tied values sharing the average of their positions."""
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks: list[Fraction] = [Fraction(0)] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = Fraction(start + end + 2, 2)  # the mean of positions start+1 … end+1
        for index in order[start : end + 1]:
            ranks[index] = shared
        start = end + 1
    return ranks


def _tie_term(values: Sequence) -> int:
    """Σ (t³ − t) over the groups of tied values."""
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return sum(t**3 - t for t in counts.values())


# --- Agreement of the whole panel -------------------------------------------------------------


def icc2k(matrix: Sequence[Sequence]) -> Fraction | None:
    """ICC(2,k) of an n × k table (rows: cases, columns: experts), exactly; None when n < 2,
    k < 2 or the denominator is 0."""
    n = len(matrix)
    k = len(matrix[0]) if n else 0
    if n < 2 or k < 2:
        return None
    table = [[Fraction(value) for value in row] for row in matrix]
    grand = _mean([value for row in table for value in row])
    row_means = [_mean(row) for row in table]
    column_means = [_mean([row[j] for row in table]) for j in range(k)]
    ss_rows = k * sum((mean - grand) ** 2 for mean in row_means)
    ss_columns = n * sum((mean - grand) ** 2 for mean in column_means)
    ss_total = sum((value - grand) ** 2 for row in table for value in row)
    ms_rows = ss_rows / (n - 1)
    ms_columns = ss_columns / (k - 1)
    ms_error = (ss_total - ss_rows - ss_columns) / ((n - 1) * (k - 1))
    denominator = ms_rows + (ms_columns - ms_error) / n
    if denominator == 0:
        return None
    return (ms_rows - ms_error) / denominator


def kendall_w(matrix: Sequence[Sequence]) -> Fraction | None:
    """Kendall's W with the tie correction for an n × k table, exactly; None when n < 2,
    k < 2 or the denominator is 0 (every expert gave all cases the same total)."""
    n = len(matrix)
    k = len(matrix[0]) if n else 0
    if n < 2 or k < 2:
        return None
    columns = [[row[j] for row in matrix] for j in range(k)]
    ranks = [average_ranks(column) for column in columns]
    rank_sums = [sum((ranks[j][i] for j in range(k)), Fraction(0)) for i in range(n)]
    mean_sum = Fraction(k * (n + 1), 2)
    s = sum((total - mean_sum) ** 2 for total in rank_sums)
    denominator = k * k * (n**3 - n) - k * sum(_tie_term(column) for column in columns)
    if denominator == 0:
        return None
    return 12 * s / denominator


def spearman(xs: Sequence, ys: Sequence) -> Decimal | None:
    """Spearman's rho (Pearson's correlation of average ranks), with a 50-digit square root;
    None under 3 pairs or when either side has no variance."""
    if len(xs) != len(ys):
        raise ValueError("spearman needs two sequences of the same length")
    if len(xs) < 3:
        return None
    rx, ry = average_ranks(xs), average_ranks(ys)
    mx, my = _mean(rx), _mean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    root = _sqrt(sxy * sxy / (sxx * syy))
    return root if sxy >= 0 else -root


# --- The panel --------------------------------------------------------------------------------


def _expert_agreement(
    expert, totals: Mapping[CaseId, Mapping[ExpertId, Fraction]], full_marks, thresholds
) -> ExpertAgreement:
    own, others = [], []
    scored = 0
    for per_expert in totals.values():
        if expert not in per_expert:
            continue
        scored += 1
        rest = [total for other, total in per_expert.items() if other != expert]
        if rest:
            own.append(per_expert[expert])
            others.append(_mean(rest))
    offset = correlation = None
    if own:
        differences = [a - b for a, b in zip(own, others, strict=True)]
        offset = round_half_up(_mean(differences) * 100 / full_marks, PERCENT_PLACES)
    rho = spearman(own, others)
    if rho is not None:
        correlation = round_half_up(rho, AGREEMENT_PLACES)
    return ExpertAgreement(
        expert=expert,
        cases=scored,
        offset=offset,
        correlation=correlation,
        low_correlation=correlation is not None and correlation < thresholds.flag_correlation,
        high_offset=offset is not None and abs(offset) > thresholds.flag_offset,
    )


def _case_spread(case, per_expert: Mapping[ExpertId, Fraction], full_marks, thresholds):
    values = list(per_expert.values())
    spread = None
    if values:
        mean = _mean(values)
        variance = _mean([(value - mean) ** 2 for value in values])
        spread = round_half_up(_sqrt(variance * 10000 / (full_marks * full_marks)), PERCENT_PLACES)
    flagged = spread is not None and spread > thresholds.flag_spread
    return CaseSpread(case=case, experts=len(values), spread=spread, flagged=flagged)


def panel_statistics(
    *,
    totals: Mapping[CaseId, Mapping[ExpertId, Decimal]],
    full_marks: Decimal,
    thresholds: PanelThresholds | None = None,
    cases: Iterable[CaseId] | None = None,
) -> Panel:
    """The panel over ``totals`` (case → expert → raw weighted total) of the shortlisted cases.

    ``cases`` are the shortlisted cases (default: the keys of ``totals``); a case without any
    total still counts in n and leaves every expert out of ICC and W.
    """
    thresholds = thresholds or PanelThresholds()
    if Decimal(full_marks) <= 0:
        raise RankingError(f"满分须大于 0，实际为 {full_marks}")
    marks = Fraction(full_marks)
    case_list = list(dict.fromkeys(totals if cases is None else cases))
    unknown = set(totals) - set(case_list)
    if unknown:
        raise RankingError(f"案例 {min(unknown, key=str)} 不在入围案例中")
    exact = {
        case: {expert: Fraction(total) for expert, total in totals.get(case, {}).items()}
        for case in case_list
    }
    experts = list(dict.fromkeys(expert for per in exact.values() for expert in per))
    experts.sort(key=id_order_key(experts))
    case_list.sort(key=id_order_key(case_list))
    complete = [e for e in experts if all(e in exact[case] for case in case_list)]
    matrix = [[exact[case][e] for e in complete] for case in case_list] if complete else []
    icc, w = icc2k(matrix), kendall_w(matrix)
    return Panel(
        experts=len(complete),
        cases=len(case_list),
        icc2k=None if icc is None else round_half_up(icc, AGREEMENT_PLACES),
        kendall_w=None if w is None else round_half_up(w, AGREEMENT_PLACES),
        by_expert=tuple(_expert_agreement(e, exact, marks, thresholds) for e in experts),
        by_case=tuple(_case_spread(c, exact[c], marks, thresholds) for c in case_list),
        thresholds=thresholds,
    )


def panel_of_outcome(outcome: RankingOutcome, thresholds: PanelThresholds | None = None) -> Panel:
    """The panel of a ranking: the raw totals of its shortlisted cases."""
    return panel_statistics(
        totals={result.case: dict(result.raw_totals) for result in outcome.results},
        full_marks=outcome.full_marks,
        thresholds=thresholds,
        cases=outcome.shortlist,
    )


def _text(value: Decimal | None) -> str | None:
    # "f" keeps fixed point: str() would print a zero at 4 places as 0E-4.
    return None if value is None else format(value, "f")


def panel_as_data(panel: Panel) -> dict:
    """The JSON shape of ``rank_sheet``'s ``"panel"``: figures as fixed-point strings."""
    return {
        "experts": panel.experts,
        "cases": panel.cases,
        "icc2k": _text(panel.icc2k),
        "kendall_w": _text(panel.kendall_w),
        "by_expert": [
            {
                "expert": item.expert,
                "cases": item.cases,
                "offset": _text(item.offset),
                "correlation": _text(item.correlation),
                "flagged": item.flagged,
            }
            for item in panel.by_expert
        ],
        "by_case": [
            {
                "case": item.case,
                "experts": item.experts,
                "spread": _text(item.spread),
                "flagged": item.flagged,
            }
            for item in panel.by_case
        ],
    }
