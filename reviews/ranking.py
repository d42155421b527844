"""The ranking engine: from expert scores and public votes to the ranked, tiered result.

Pure Python on purpose (no Django): data in, results out, so the same code serves the staff
results page, the ``rank_sheet`` command and the tests. Arithmetic is exact: scores are
``Decimal``, sums and products are exact ``Decimal`` operations, means and blends are
``Fraction``; the final score is rounded half up once. The one place that cannot be exact is
the square root of ``normalize="zscore"``: that path works with 50 significant digits.

The rules, in order (see ``rank``):

1. Vote cut: competition ranking on votes (missing = 0); a case is shortlisted when its vote
   rank is at most ``shortlist``, so a tie at the boundary passes together.
2. An expert's total for a case is the sum of weight × score; with ``zscore`` each expert's
   totals are standardised and mapped back onto the mean and spread of all totals.
3. Trim: with more than 2 × ``trim`` totals, drop the ``trim`` lowest and highest; then mean.
4. Expert score = 100 × mean / full marks; vote score = 100 × votes / top votes among the
   shortlist; final = blend by ``vote_weight``, rounded half up once to ``precision``.
5. Order by final score, ties by case id; overall rank is competition ranking (1, 2, 2, 4).
6. Tiers take cases in order; a tie at a tier boundary enters the tier whole.

Case ids (and expert ids) may be ints or strings. Ties are broken by id in natural order: when
every id is an int or a string of ASCII digits, ids compare numerically ("9" before "10");
otherwise they all compare as text. See ``id_order_key``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, localcontext
from fractions import Fraction

__all__ = [
    "NORMALIZE_CHOICES",
    "CaseResult",
    "Criterion",
    "RankingConfig",
    "RankingError",
    "RankingOutcome",
    "Tier",
    "assign_tiers",
    "competition_ranks",
    "id_order_key",
    "rank",
    "round_half_up",
    "select_shortlist",
]

CaseId = Hashable
ExpertId = Hashable

NORMALIZE_CHOICES = ("none", "zscore")

# Sums and products of finite decimals are finite decimals: with unlimited precision they are
# exact, and trapping Inexact proves it. Never divide in this context (1/3 would not end).
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])
# Significant digits for the z-score path, which needs a square root.
ZSCORE_DIGITS = 50
_ZSCORE = Context(prec=ZSCORE_DIGITS)


class RankingError(ValueError):
    """Inputs the engine cannot rank; the message is meant for people (Chinese)."""


# --- Configuration ----------------------------------------------------------------------------


def _as_decimal(value, *, what: str) -> Decimal:
    # Binary floats are refused: 0.1 is not one tenth, and scores must be exact.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise RankingError(f"{what} 须为 Decimal 或整数，实际为 {value!r}")
    decimal = Decimal(value)
    if not decimal.is_finite():
        raise RankingError(f"{what} 须为有限数字，实际为 {value}")
    return decimal


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    max: Decimal
    weight: Decimal = Decimal(1)

    def __post_init__(self):
        if not isinstance(self.key, str) or not self.key:
            raise RankingError(f"评分项的 key 须为非空字符串，实际为 {self.key!r}")
        maximum = _as_decimal(self.max, what=f"评分项 {self.key} 的满分")
        weight = _as_decimal(self.weight, what=f"评分项 {self.key} 的权重")
        if maximum <= 0:
            raise RankingError(f"评分项 {self.key} 的满分须大于 0，实际为 {maximum}")
        if weight < 0:
            raise RankingError(f"评分项 {self.key} 的权重不能为负，实际为 {weight}")
        object.__setattr__(self, "max", maximum)
        object.__setattr__(self, "weight", weight)


@dataclass(frozen=True)
class Tier:
    name: str
    size: int

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise RankingError(f"档次名称须为非空字符串，实际为 {self.name!r}")
        if not _is_count(self.size) or self.size < 1:
            raise RankingError(f"档次 {self.name} 的数量须为正整数，实际为 {self.size!r}")


@dataclass(frozen=True)
class RankingConfig:
    criteria: tuple[Criterion, ...]
    tiers: tuple[Tier, ...]
    shortlist: int | None = None
    trim: int = 0
    vote_weight: Decimal = Decimal(0)
    normalize: str = "none"
    precision: int = 2

    def __post_init__(self):
        object.__setattr__(self, "criteria", tuple(self.criteria))
        object.__setattr__(self, "tiers", tuple(self.tiers))
        if not self.criteria:
            raise RankingError("评分标准不能为空")
        keys = [criterion.key for criterion in self.criteria]
        if len(set(keys)) != len(keys):
            raise RankingError("评分项的 key 不能重复")
        names = [tier.name for tier in self.tiers]
        if len(set(names)) != len(names):
            raise RankingError("档次名称不能重复")
        if self.full_marks <= 0:
            raise RankingError("评分项的权重不能全为 0")
        if self.shortlist is not None and (not _is_count(self.shortlist) or self.shortlist < 1):
            raise RankingError(f"入围数量须为正整数或不设，实际为 {self.shortlist!r}")
        if not _is_count(self.trim) or self.trim < 0:
            raise RankingError(f"去掉最高/最低分个数须为非负整数，实际为 {self.trim!r}")
        vote_weight = _as_decimal(self.vote_weight, what="投票得分权重")
        if not 0 <= vote_weight <= 1:
            raise RankingError(f"投票得分权重须在 0 到 1 之间，实际为 {vote_weight}")
        object.__setattr__(self, "vote_weight", vote_weight)
        if self.normalize not in NORMALIZE_CHOICES:
            raise RankingError(f"标准化方式须为 none 或 zscore，实际为 {self.normalize!r}")
        if not _is_count(self.precision) or self.precision < 0:
            raise RankingError(f"得分小数位须为非负整数，实际为 {self.precision!r}")

    @property
    def full_marks(self) -> Decimal:
        """The highest possible expert total: sum of weight × max."""
        with localcontext(_EXACT):
            return sum((c.weight * c.max for c in self.criteria), Decimal(0))


# --- Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseResult:
    """One shortlisted case, with what a results page needs to explain its score."""

    case: CaseId
    score: Decimal  # final score, rounded half up to the config's precision
    overall_rank: int
    tier: str | None
    rank: int | None  # rank within the tier
    tied: bool  # shares its overall rank with another case
    votes: int
    vote_score: Fraction
    expert_score: Fraction
    mean: Fraction  # mean of the kept expert totals
    final: Fraction  # the final score before rounding
    # (expert, total) sorted by total then expert id; totals after z-score when configured.
    expert_totals: tuple[tuple[ExpertId, Decimal], ...]
    # (expert, weighted total before any normalisation), in the order of expert_totals.
    raw_totals: tuple[tuple[ExpertId, Decimal], ...]
    trimmed: tuple[ExpertId, ...]  # experts whose totals were dropped, lowest first


@dataclass(frozen=True)
class RankingOutcome:
    shortlist: list[CaseId]  # in vote order (votes descending, then case id)
    results: list[CaseResult] = field(default_factory=list)  # in ranking order
    full_marks: Decimal = Decimal(0)

    def by_case(self) -> dict[CaseId, CaseResult]:
        return {result.case: result for result in self.results}


# --- Small exact helpers ----------------------------------------------------------------------


def round_half_up(value: Decimal | Fraction | int, precision: int) -> Decimal:
    """Round once, half away from zero (四舍五入), to exactly ``precision`` decimals.

    Works on the exact value, so 87.125 becomes 87.13 and 2.675 becomes 2.68 (banker's
    rounding would give 87.12; a binary float gives 2.67).
    """
    if isinstance(value, float | bool):
        raise TypeError("round_half_up takes Decimal, Fraction or int, not float or bool")
    if not _is_count(precision) or precision < 0:
        raise ValueError(f"precision must be a non-negative int, not {precision!r}")
    exact = Fraction(value)
    units = math.floor(abs(exact) * 10**precision + Fraction(1, 2))
    sign = 1 if exact < 0 and units else 0
    return Decimal((sign, tuple(int(digit) for digit in str(units)), -precision))


def competition_ranks(values_desc: Sequence) -> list[int]:
    """Standard competition ranks ("1224") of values already sorted in descending order:
    each value's rank is 1 + the number of values strictly greater."""
    ranks: list[int] = []
    for position, value in enumerate(values_desc):
        if position and value > values_desc[position - 1]:
            raise ValueError("competition_ranks needs values in descending order")
        tied = position and value == values_desc[position - 1]
        ranks.append(ranks[-1] if tied else position + 1)
    return ranks


def _is_numeric_id(value) -> bool:
    if isinstance(value, str):
        return value.isascii() and value.isdigit()
    return _is_count(value)


def id_order_key(ids: Iterable[Hashable]) -> Callable[[Hashable], tuple]:
    """A sort key for ids in natural order, decided once for the whole set of ids.

    When every id is an int or a string of ASCII digits, ids compare numerically ("9" < "10");
    "01" and "1" then order by their text. Otherwise every id compares as text, str(id).
    The type name breaks the last tie (1 and "1" in one set), so the order is total.
    """
    if all(_is_numeric_id(value) for value in ids):
        return lambda value: (int(value), str(value), type(value).__name__)
    return lambda value: (str(value), type(value).__name__)


def _exact_sum(values: Iterable[Decimal]) -> Decimal:
    with localcontext(_EXACT):
        return sum(values, Decimal(0))


# --- Rule 1: the vote cut ---------------------------------------------------------------------


def _vote_counts(votes: Mapping[CaseId, int], cases: Iterable[CaseId]) -> dict[CaseId, int]:
    counts = {}
    for case in cases:
        count = votes.get(case, 0)
        if not _is_count(count) or count < 0:
            raise RankingError(f"案例 {case} 的票数须为非负整数，实际为 {count!r}")
        counts[case] = count
    return counts


def select_shortlist(
    *, cases: Iterable[CaseId], votes: Mapping[CaseId, int], size: int | None
) -> list[CaseId]:
    """The cases that pass the vote cut, in vote order (votes descending, then case id).

    A case passes when its competition rank on votes is at most ``size``, so cases tied at
    the boundary pass together; ``size=None`` means no cut. Missing votes count as 0.
    """
    cases = list(dict.fromkeys(cases))
    counts = _vote_counts(votes, cases)
    order_key = id_order_key(cases)
    ordered = sorted(cases, key=lambda case: (-counts[case], order_key(case)))
    if size is None:
        return ordered
    vote_ranks = competition_ranks([counts[case] for case in ordered])
    return [case for case, vote_rank in zip(ordered, vote_ranks, strict=True) if vote_rank <= size]


# --- Rule 2: expert totals --------------------------------------------------------------------


def _sheet_total(
    criteria: Sequence[Criterion], keys: frozenset[str], case, expert, sheet: Mapping
) -> Decimal:
    """Validate one expert's sheet for one case and return weight × score summed, exactly."""
    if not isinstance(sheet, Mapping):
        raise RankingError(f"专家 {expert} 对案例 {case} 的评分须为 评分项→分数 的映射")
    unknown = sheet.keys() - keys
    if unknown:
        key = min(unknown, key=str)
        raise RankingError(f"专家 {expert} 对案例 {case} 的评分含未知评分项 {key!r}")
    total = Decimal(0)
    with localcontext(_EXACT):
        for criterion in criteria:
            if criterion.key not in sheet:
                raise RankingError(
                    f"专家 {expert} 对案例 {case} 的评分缺少评分项 {criterion.key}"
                    f"（{criterion.label}）"
                )
            value = sheet[criterion.key]
            if type(value) is not Decimal or not value.is_finite():
                value = _as_decimal(value, what=f"专家 {expert} 对案例 {case} 的 {criterion.key}")
            if not 0 <= value <= criterion.max:
                raise RankingError(
                    f"专家 {expert} 对案例 {case} 的评分项 {criterion.key} 为 {value}，"
                    f"超出范围 0–{criterion.max}"
                )
            total += criterion.weight * value
    return total


def _raw_totals(
    config: RankingConfig, scores: Mapping, shortlist: Sequence[CaseId]
) -> dict[CaseId, dict[ExpertId, Decimal]]:
    keys = frozenset(criterion.key for criterion in config.criteria)
    totals = {}
    for case in shortlist:
        sheets = scores.get(case)
        if not sheets:
            raise RankingError(f"案例 {case} 已入围，但没有任何专家评分")
        if not isinstance(sheets, Mapping):
            raise RankingError(f"案例 {case} 的评分须为 专家→评分表 的映射")
        expert_key = id_order_key(sheets)
        # Sorted, so that the first error reported does not depend on dict order.
        totals[case] = {
            expert: _sheet_total(config.criteria, keys, case, expert, sheets[expert])
            for expert in sorted(sheets, key=expert_key)
        }
    return totals


def _mean_and_sd(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and population standard deviation, in the current (50-digit) context.

    Sums are exact and each term is computed alone, so the result does not depend on order.
    """
    count = len(values)
    mean = _exact_sum(values) / count
    squares = [(value - mean) * (value - mean) for value in values]
    return mean, (_exact_sum(squares) / count).sqrt()


def _standardised(
    totals: Mapping[CaseId, Mapping[ExpertId, Decimal]],
) -> dict[CaseId, dict[ExpertId, Decimal]]:
    """Each expert's totals as z-scores mapped back onto the mean and spread of all totals.

    This removes an expert's personal leniency and spread. An expert whose totals are all
    equal (or who scored one case) gets z = 0, that is the pooled mean.
    """
    by_expert: dict[ExpertId, list[tuple[CaseId, Decimal]]] = defaultdict(list)
    for case, per_expert in totals.items():
        for expert, total in per_expert.items():
            by_expert[expert].append((case, total))
    mapped: dict[CaseId, dict[ExpertId, Decimal]] = {case: {} for case in totals}
    with localcontext(_ZSCORE):
        pooled_mean, pooled_sd = _mean_and_sd([t for per in totals.values() for t in per.values()])
        for expert, items in by_expert.items():
            mean, sd = _mean_and_sd([total for _, total in items])
            for case, total in items:
                z = (total - mean) / sd if sd else Decimal(0)
                mapped[case][expert] = pooled_mean + z * pooled_sd
    return mapped


# --- Rule 3: trim and mean --------------------------------------------------------------------


def _trimmed_mean(
    totals: Mapping[ExpertId, Decimal], trim: int
) -> tuple[list[tuple[ExpertId, Decimal]], list[ExpertId], Fraction]:
    """Sorted (expert, total) pairs, the experts dropped, and the mean of those kept."""
    expert_key = id_order_key(totals)
    ordered = sorted(totals.items(), key=lambda item: (item[1], expert_key(item[0])))
    if trim > 0 and len(ordered) > 2 * trim:
        kept = ordered[trim:-trim]
        dropped = ordered[:trim] + ordered[-trim:]
    else:  # too few experts to drop any (去掉最高分和最低分 needs more than 2 × trim)
        kept, dropped = ordered, []
    mean = Fraction(_exact_sum(total for _, total in kept)) / len(kept)
    return ordered, [expert for expert, _ in dropped], mean


# --- Rule 6: tiers ----------------------------------------------------------------------------


def assign_tiers(
    *, overall_ranks: Sequence[int], tiers: Sequence[Tier]
) -> list[tuple[str | None, int | None]]:
    """(tier name, rank within tier) for cases given in ranking order.

    A tier takes the next cases whose overall rank minus the cases placed in earlier tiers is
    at most its size, so a tie at the boundary enters whole. Cases past the last tier get
    (None, None).
    """
    placed = 0  # cases placed in any tier so far
    placed_before = 0  # cases placed in tiers before the current one
    tier_index = 0
    assigned: list[tuple[str | None, int | None]] = []
    for overall_rank in overall_ranks:
        while tier_index < len(tiers) and overall_rank - placed_before > tiers[tier_index].size:
            tier_index += 1
            placed_before = placed
        if tier_index == len(tiers):
            assigned.append((None, None))
            continue
        assigned.append((tiers[tier_index].name, overall_rank - placed_before))
        placed += 1
    return assigned


# --- The whole ranking ------------------------------------------------------------------------


def _all_cases(scores: Mapping, votes: Mapping, cases: Iterable[CaseId] | None) -> list[CaseId]:
    if cases is None:
        return list(dict.fromkeys([*scores, *votes]))
    known = list(dict.fromkeys(cases))
    known_set = set(known)
    for source, mapping in (("评分", scores), ("票数", votes)):
        for case in mapping:
            if case not in known_set:
                raise RankingError(f"{source}中的案例 {case} 不在案例列表中")
    return known


def rank(
    *,
    config: RankingConfig,
    scores: Mapping[CaseId, Mapping[ExpertId, Mapping[str, Decimal]]],
    votes: Mapping[CaseId, int] | None = None,
    cases: Iterable[CaseId] | None = None,
) -> RankingOutcome:
    """Rank the cases: vote cut, expert totals, trim, blend, round, order, tiers.

    ``cases`` defaults to every case named in ``scores`` or ``votes``; when given, scores and
    votes for other cases are an error. Only shortlisted cases are validated and ranked:
    scores of the others are ignored. Raises ``RankingError`` on inputs it cannot rank.
    """
    votes = {} if votes is None else votes
    all_cases = _all_cases(scores, votes, cases)
    vote_counts = _vote_counts(votes, all_cases)
    shortlist = select_shortlist(cases=all_cases, votes=vote_counts, size=config.shortlist)

    raw_totals = _raw_totals(config, scores, shortlist)
    used_totals = _standardised(raw_totals) if config.normalize == "zscore" else raw_totals

    full_marks = Fraction(config.full_marks)
    top_votes = max((vote_counts[case] for case in shortlist), default=0)
    vote_weight = Fraction(config.vote_weight)
    partial = {}
    for case in shortlist:
        ordered, dropped, mean = _trimmed_mean(used_totals[case], config.trim)
        expert_score = 100 * mean / full_marks
        vote_score = Fraction(100 * vote_counts[case], top_votes) if top_votes else Fraction(0)
        final = (1 - vote_weight) * expert_score + vote_weight * vote_score
        partial[case] = dict(
            case=case,
            score=round_half_up(final, config.precision),
            votes=vote_counts[case],
            vote_score=vote_score,
            expert_score=expert_score,
            mean=mean,
            final=final,
            expert_totals=tuple(ordered),
            raw_totals=tuple((expert, raw_totals[case][expert]) for expert, _ in ordered),
            trimmed=tuple(dropped),
        )

    case_key = id_order_key(all_cases)
    # Score descending, ties by case id: two stable sorts (negating a Decimal could round).
    by_id = sorted(shortlist, key=case_key)
    ordered_cases = sorted(by_id, key=lambda case: partial[case]["score"], reverse=True)
    overall_ranks = competition_ranks([partial[case]["score"] for case in ordered_cases])
    placements = assign_tiers(overall_ranks=overall_ranks, tiers=config.tiers)
    rank_counts = Counter(overall_ranks)
    results = [
        CaseResult(
            **partial[case],
            overall_rank=overall_rank,
            tier=tier,
            rank=tier_rank,
            tied=rank_counts[overall_rank] > 1,
        )
        for case, overall_rank, (tier, tier_rank) in zip(
            ordered_cases, overall_ranks, placements, strict=True
        )
    ]
    return RankingOutcome(shortlist=shortlist, results=results, full_marks=config.full_marks)
