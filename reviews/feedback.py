"""Feedback to districts (评审情况反馈): after publication, when the round says so, a district's
officers see how each of their own cases fared.

What an officer may read is decided here, in the queries, not in a template:

- ``feedback_cases`` is the only way to a case: the officer's own district, a published round
  whose ``feedback_to_districts`` is on, a case that took part in the vote. Any other case is
  not in the queryset (the view answers 404).
- Never an expert's name, never one expert's scores: the criterion means are summed and counted
  by the database (one row per criterion, no sheet or expert column selected) and withheld
  where fewer than ``MIN_EXPERTS`` experts scored the case; comments are fetched as bare text,
  ordered by their text, not by who wrote them.
- Under ``MIN_EXPERTS`` the expert score is withheld too, with the exact number of experts and
  the final score (from which, beside the votes and the round's published vote weight, the
  expert score can be worked back): with one expert it would be his total. The rank, the tier
  (published anyway) and the votes stay.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KeyTextTransform

from cases.models import Case, Round

from .models import Result, Score, ScoreSheet
from .ranking import round_half_up
from .review import round_criteria

MIN_EXPERTS = 3  # fewer experts and a mean would come close to one expert's score
MEAN_PLACES = 2
IN_THE_VOTE = (Case.Status.ACCEPTED, Case.Status.PUBLISHED)


def feedback_cases(user):
    """The cases whose feedback ``user`` may read (none for anyone but a district officer)."""
    if not (user.is_authenticated and user.is_officer and user.district_id):
        return Case.objects.none()
    return (
        Case.objects.filter(
            district_id=user.district_id,
            round__status=Round.Status.PUBLISHED,
            round__feedback_to_districts=True,
            status__in=IN_THE_VOTE,
        )
        .select_related("round", "district")
        .order_by("-round__year", "position", "pk")
    )


@dataclass(frozen=True)
class CriterionMean:
    label: str
    max: Decimal
    mean: Decimal


@dataclass(frozen=True)
class Placing:
    """The case's line of the approved result, without its details (which name the experts)."""

    score: Decimal | None  # None: withheld (fewer than MIN_EXPERTS experts)
    overall_rank: int
    tier: str
    rank: int | None
    expert_score: str | None  # 0–100, as approved (4 decimals); None: withheld


@dataclass(frozen=True)
class Feedback:
    case: Case
    votes: int
    vote_rank: int  # competition rank among the round's cases in the vote
    vote_cases: int
    result: Placing | None  # None: not shortlisted, or not in the approved result
    experts: int | None  # experts whose sheets count; None: withheld (fewer than MIN_EXPERTS)
    criteria: list[CriterionMean] | None  # None: withheld (fewer than MIN_EXPERTS experts)
    comments: list[str]

    @property
    def withheld(self) -> bool:
        """Fewer than MIN_EXPERTS experts scored the case: no score, mean or count of them."""
        return self.experts is None


def _votes(case: Case) -> tuple[int, int, int]:
    """(valid votes, vote rank, cases in the vote) from the Vote rows, voided ones left out."""
    counted = Count("votes", filter=Q(votes__voided=False))
    counts = dict(
        Case.objects.filter(round_id=case.round_id, status__in=IN_THE_VOTE)
        .annotate(n=counted)
        .values_list("pk", "n")
    )
    own = counts.get(case.pk, 0)
    return own, 1 + sum(1 for n in counts.values() if n > own), len(counts)


def _counted_sheets(case: Case):
    return ScoreSheet.objects.filter(
        assignment__case=case,
        assignment__recused=False,
        status=ScoreSheet.Status.SUBMITTED,
    )


def _criterion_means(case: Case, experts: int) -> list[CriterionMean] | None:
    if experts < MIN_EXPERTS:
        return None
    sums = {
        criterion: (total, n)
        for criterion, total, n in Score.objects.filter(sheet__in=_counted_sheets(case))
        .values("criterion")
        .annotate(total=Sum("value"), n=Count("pk"))
        .values_list("criterion", "total", "n")
    }
    return [
        CriterionMean(
            label=criterion.label,
            max=criterion.max,
            mean=round_half_up(
                Fraction(sums[criterion.key][0]) / sums[criterion.key][1], MEAN_PLACES
            ),
        )
        for criterion in round_criteria(case.round)
        if criterion.key in sums
    ]


def feedback_for(case: Case) -> Feedback:
    """What the case's district may learn about it (``case`` from ``feedback_cases``)."""
    votes, vote_rank, vote_cases = _votes(case)
    # Only these columns: a Result's details hold the experts' names and totals.
    placing = (
        Result.objects.filter(case=case, round_id=case.round_id)
        .values("score", "overall_rank", "tier", "rank")
        .annotate(expert_score=KeyTextTransform("expert_score", "details"))
        .first()
    )
    experts = _counted_sheets(case).count()
    few = 0 < experts < MIN_EXPERTS
    if few and placing:
        placing.update(score=None, expert_score=None)
    comments = list(
        _counted_sheets(case)
        .exclude(district_comment="")
        .order_by("district_comment")
        .values_list("district_comment", flat=True)
    )
    return Feedback(
        case=case,
        votes=votes,
        vote_rank=vote_rank,
        vote_cases=vote_cases,
        result=Placing(**placing) if placing else None,
        experts=None if few else experts,
        criteria=_criterion_means(case, experts),
        comments=comments,
    )
