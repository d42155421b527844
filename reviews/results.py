"""The round's result: the ranking engine (reviews/ranking.py) run on the database.

This module only gathers the engine's inputs from the ORM and stores its outputs; every
ranking rule (trim, blend, rounding, ties, tiers) lives in the engine.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Round
from cases.rounds import set_round_status

from .models import Assignment, Result, RoundSelection, Score, ScoreSheet
from .ranking import CaseResult, RankingConfig, RankingError, Tier, rank, round_half_up
from .review import round_criteria, shortlisted_cases
from .vote.monitor import valid_counts

# Decimals shown for the intermediate values of the explanation (the engine keeps them exact).
SHOWN_PLACES = 4
# Case.score and Result.score hold three decimals.
MAX_PRECISION = 3


def build_config(round_: Round) -> RankingConfig:
    """The engine's configuration from the round's settings. The vote cut has already been
    applied and stored in Case.shortlisted when the vote closed, so no cut here."""
    return RankingConfig(
        criteria=tuple(round_criteria(round_)),
        tiers=tuple(Tier(name=t["name"], size=int(t["size"])) for t in round_.tiers),
        shortlist=None,
        trim=round_.trim,
        vote_weight=Decimal(round_.vote_weight),
        normalize=round_.normalize,
        precision=round_.precision,
    )


def gather(round_: Round) -> dict:
    """The engine's inputs: scores of submitted sheets of non-recused assignments of the
    shortlisted cases, and their valid vote counts."""
    case_ids = list(shortlisted_cases(round_).values_list("pk", flat=True))
    scores: dict[int, dict[int, dict[str, Decimal]]] = {}
    rows = Score.objects.filter(
        sheet__status=ScoreSheet.Status.SUBMITTED,
        sheet__assignment__recused=False,
        sheet__assignment__round=round_,
        sheet__assignment__case_id__in=case_ids,
    ).values_list(
        "sheet__assignment__case_id", "sheet__assignment__expert_id", "criterion", "value"
    )
    for case_id, expert_id, criterion, value in rows:
        scores.setdefault(case_id, {}).setdefault(expert_id, {})[criterion] = Decimal(value)
    counts = valid_counts(round_)
    votes = {case_id: counts.get(case_id, 0) for case_id in case_ids}
    return {"cases": case_ids, "scores": scores, "votes": votes}


@dataclass
class ExpertLine:
    expert: object
    total: Decimal
    raw: Decimal
    trimmed: bool


@dataclass
class Line:
    case: Case
    result: CaseResult
    experts: list[ExpertLine]
    recused: list[str]  # experts who declared a conflict (回避): not inputs at all

    def shown(self, value: Fraction) -> Decimal:
        return round_half_up(value, SHOWN_PLACES)

    @property
    def mean(self):
        return self.shown(self.result.mean)

    @property
    def expert_score(self):
        return self.shown(self.result.expert_score)

    @property
    def vote_score(self):
        return self.shown(self.result.vote_score)

    @property
    def final(self):
        return self.shown(self.result.final)


@dataclass
class Ranking:
    config: RankingConfig
    lines: list[Line]
    full_marks: Decimal


def compute(round_: Round) -> Ranking:
    """Run the engine on the round's data; RankingError becomes a ValidationError."""
    if round_.precision > MAX_PRECISION:
        raise ValidationError(_("得分小数位不能超过 %(n)s 位。") % {"n": MAX_PRECISION})
    try:
        config = build_config(round_)
        inputs = gather(round_)
        outcome = rank(config=config, **inputs)
    except RankingError as exc:
        raise ValidationError(_("无法计算排名：%(error)s") % {"error": exc}) from exc
    cases = Case.objects.select_related("district").in_bulk(inputs["cases"])
    users = get_user_model().objects.in_bulk(
        {expert for result in outcome.results for expert, _total in result.expert_totals}
    )
    recused: dict[int, list[str]] = {}
    for assignment in Assignment.objects.filter(round=round_, recused=True).select_related(
        "expert"
    ):
        recused.setdefault(assignment.case_id, []).append(str(assignment.expert))
    lines = []
    for result in outcome.results:
        raw = dict(result.raw_totals)
        experts = [
            ExpertLine(users[expert], total, raw[expert], expert in result.trimmed)
            for expert, total in result.expert_totals
        ]
        lines.append(Line(cases[result.case], result, experts, recused.get(result.case, [])))
    return Ranking(config=config, lines=lines, full_marks=outcome.full_marks)


def details_of(line: Line) -> dict:
    """What a frozen Result keeps to explain itself later (decimals as text)."""
    r = line.result
    return {
        "votes": r.votes,
        "vote_score": str(line.vote_score),
        "expert_score": str(line.expert_score),
        "mean": str(line.mean),
        "final": str(line.final),
        "tied": r.tied,
        "recused": line.recused,
        "experts": [
            {
                "id": e.expert.pk,
                "name": str(e.expert),
                "total": str(e.total),
                "raw": str(e.raw),
                "trimmed": e.trimmed,
            }
            for e in line.experts
        ],
    }


def is_approved(round_: Round) -> bool:
    return Result.objects.filter(round=round_).exists()


def approve(*, round: Round, user) -> list[Result]:
    """Freeze the ranking: Result rows, each case's tier, rank and score, and the round's move
    to 'approved'. A round is approved once; its Result rows are never rewritten."""
    with transaction.atomic():
        selection = RoundSelection.objects.select_for_update().get_or_create(round=round)[0]
        if selection.approved_at or is_approved(round):
            raise ValidationError(_("本轮结果已审定并冻结，不能再次审定。"))
        if not selection.review_closed_at:
            raise ValidationError(_("专家评审尚未结束，不能审定结果。"))
        ranking = compute(round)
        now = timezone.now()
        results = []
        for line in ranking.lines:
            r = line.result
            result = Result(
                round=round,
                case=line.case,
                score=r.score,
                overall_rank=r.overall_rank,
                tier=r.tier or "",
                rank=r.rank,
                details=details_of(line),
                approved_by=user,
                approved_at=now,
            )
            result._history_user = user
            result.save()
            results.append(result)
            case = line.case
            case.tier, case.rank, case.score = r.tier or "", r.rank, r.score
            case._history_user = user
            case.save(update_fields=["tier", "rank", "score"])
        selection.approved_at, selection.approved_by = now, user
        selection._history_user = user
        selection.save()
        set_round_status(round=round, to=Round.Status.APPROVED, user=user, reason=_("评选结果审定"))
    return results


def rows_of_ranking(ranking: Ranking) -> list[dict]:
    """Lines for the results page, in one shape for a live ranking and a frozen one."""
    return [
        {
            "case": line.case,
            "overall_rank": line.result.overall_rank,
            "tier": line.result.tier or "",
            "rank": line.result.rank,
            "score": line.result.score,
            "tied": line.result.tied,
            "votes": line.result.votes,
            "vote_score": line.vote_score,
            "mean": line.mean,
            "expert_score": line.expert_score,
            "final": line.final,
            "experts": [
                {"name": str(e.expert), "total": e.total, "raw": e.raw, "trimmed": e.trimmed}
                for e in line.experts
            ],
            "recused": line.recused,
        }
        for line in ranking.lines
    ]


def rows_of_results(frozen) -> list[dict]:
    rows = []
    for result in frozen:
        d = result.details or {}
        rows.append(
            {
                "case": result.case,
                "overall_rank": result.overall_rank,
                "tier": result.tier,
                "rank": result.rank,
                "score": result.score,
                "tied": d.get("tied", False),
                "votes": d.get("votes"),
                "vote_score": d.get("vote_score"),
                "mean": d.get("mean"),
                "expert_score": d.get("expert_score"),
                "final": d.get("final"),
                "experts": d.get("experts", []),
                "recused": d.get("recused", []),
            }
        )
    return rows
