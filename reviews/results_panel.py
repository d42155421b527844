"""The panel's agreement (专家评分一致性) for the results page and the results workbook.

One implementation: ``reviews.panel`` run on the raw weighted totals that the engine used for a
live ranking (``results.compute``) or that approval froze in each Result's details. This module
only gathers those totals, the round's thresholds and the experts' names, and words the reasons
why an expert or a case stands out, for people.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Round

from .panel import (
    PANEL_CONFIG_KEYS,
    CaseSpread,
    ExpertAgreement,
    Panel,
    PanelThresholds,
    panel_statistics,
)
from .ranking import RankingError
from .results import Ranking, build_config

# Koo & Li (2016): below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent.
ICC_LEVELS = (
    (Decimal("0.9"), gettext_lazy("优秀")),
    (Decimal("0.75"), gettext_lazy("良好")),
    (Decimal("0.5"), gettext_lazy("一般")),
    (None, gettext_lazy("较差")),
)


def thresholds_of(round_: Round) -> PanelThresholds:
    return PanelThresholds(
        flag_correlation=Decimal(round_.flag_correlation),
        flag_offset=Decimal(round_.flag_offset),
        flag_spread=Decimal(round_.flag_spread),
    )


@dataclass
class ExpertRow:
    name: str
    item: ExpertAgreement
    reasons: list[str]


@dataclass
class CaseRow:
    case: Case | None
    item: CaseSpread
    reasons: list[str]


@dataclass
class PanelReport:
    panel: Panel
    experts: list[ExpertRow]
    cases: list[CaseRow]

    @property
    def icc_level(self) -> str:
        icc = self.panel.icc2k
        if icc is None:
            return ""
        return next(str(word) for floor, word in ICC_LEVELS if floor is None or icc >= floor)

    @property
    def limits(self) -> dict[str, str]:
        """The thresholds as people write them, by key."""
        thresholds = self.panel.thresholds
        return {key: plain(getattr(thresholds, key)) for key in PANEL_CONFIG_KEYS}

    @property
    def flagged_experts(self) -> list[ExpertRow]:
        return [row for row in self.experts if row.item.flagged]

    @property
    def flagged_cases(self) -> list[CaseRow]:
        return [row for row in self.cases if row.item.flagged]


def plain(value: Decimal) -> str:
    """A threshold as people write it: 15, 0.3 (not 15.00, 0.300)."""
    return format(Decimal(value).normalize(), "f")


def _expert_reasons(item: ExpertAgreement, limits: PanelThresholds) -> list[str]:
    reasons = []
    if item.high_offset:
        values = {"offset": format(abs(item.offset), "f"), "limit": plain(limits.flag_offset)}
        if item.offset > 0:
            reasons.append(
                _("评分普遍偏高：比其他专家平均高 %(offset)s 分（百分制），超过 %(limit)s 分")
                % values
            )
        else:
            reasons.append(
                _("评分普遍偏低：比其他专家平均低 %(offset)s 分（百分制），超过 %(limit)s 分")
                % values
            )
    if item.low_correlation:
        reasons.append(
            _("案例高低排序与其他专家不一致：相关系数 %(rho)s，低于 %(limit)s")
            % {"rho": format(item.correlation, "f"), "limit": plain(limits.flag_correlation)}
        )
    return reasons


def _case_reasons(item: CaseSpread, limits: PanelThresholds) -> list[str]:
    if not item.flagged:
        return []
    return [
        _("专家意见分歧大：各专家总分的标准差为 %(spread)s 分（百分制），超过 %(limit)s 分")
        % {"spread": format(item.spread, "f"), "limit": plain(limits.flag_spread)}
    ]


def report(round_: Round, totals: dict, full_marks: Decimal, names: dict | None = None):
    """The panel over ``totals`` (case id → expert id → raw total) with names and reasons."""
    limits = thresholds_of(round_)
    panel = panel_statistics(totals=totals, full_marks=full_marks, thresholds=limits)
    users = get_user_model().objects.in_bulk([item.expert for item in panel.by_expert])
    names = names or {}
    cases = Case.objects.select_related("district").in_bulk(list(totals))
    return PanelReport(
        panel=panel,
        experts=[
            ExpertRow(
                name=str(users[item.expert])
                if item.expert in users
                else names.get(item.expert, ""),
                item=item,
                reasons=_expert_reasons(item, limits),
            )
            for item in panel.by_expert
        ],
        cases=[
            CaseRow(case=cases.get(item.case), item=item, reasons=_case_reasons(item, limits))
            for item in panel.by_case
        ],
    )


def report_of_ranking(round_: Round, ranking: Ranking) -> PanelReport:
    """The panel of a live ranking: the raw totals the engine computed."""
    totals = {line.case.pk: dict(line.result.raw_totals) for line in ranking.lines}
    return report(round_, totals, ranking.full_marks)


def report_of_results(round_: Round, frozen) -> PanelReport | None:
    """The panel of an approved result: the raw totals frozen in each Result's details.
    None when the details do not hold them or the round's criteria cannot be read."""
    totals, names = {}, {}
    for result in frozen:
        experts = (result.details or {}).get("experts")
        if experts is None or any("raw" not in e or "id" not in e for e in experts):
            return None
        totals[result.case_id] = {e["id"]: Decimal(e["raw"]) for e in experts}
        names.update({e["id"]: e.get("name", "") for e in experts})
    try:
        full_marks = build_config(round_).full_marks
    except RankingError:
        return None
    return report(round_, totals, full_marks, names)
