"""Demo data for the panel's agreement (专家评分一致性): a 2024 round whose expert review is
closed with every sheet scored, waiting for staff's approval, so that the results page shows
the ranking and the panel at once. Idempotent: a second run changes nothing.

The scores are chosen so that something stands out: 孙 (the 浦东 expert, who may not score
浦东's case and is therefore left out of ICC and W) scores about 20 points above the others,
and the two other experts disagree widely on 黄浦's case.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Round

from . import review
from .demo import DEMO_CASES, _demo_votes, _ensure_cases, _ensure_round
from .models import Assignment
from .results import compute
from .results_panel import report_of_ranking

PANEL_YEAR = 2024
SHORTLIST = 6  # the first six demo cases; the other two stay out after the vote
EXPERTS = ("expert_zhao", "expert_qian", "expert_sun")
# district code → expert → (引领性强 /40, 感受度高 /30, 可复制推广 /30, comment for the district)
SCORES = {
    "jiading": {
        "expert_zhao": (36, 26, 25, "改革路径清晰，建议补充企业办事成本下降的量化数据。"),
        "expert_qian": (35, 27, 26, "“一证准营”的跨区互认值得在全市推广。"),
        "expert_sun": (39, 29, 29, ""),
    },
    "pudong": {
        "expert_zhao": (34, 25, 24, "确认制的法治保障突出，可进一步说明风险防控安排。"),
        "expert_qian": (33, 24, 24, ""),
    },
    "huangpu": {
        "expert_zhao": (30, 22, 20, ""),
        "expert_qian": (20, 15, 13, "服务专员机制与其他区做法相近，创新性有待提炼。"),
        "expert_sun": (37, 28, 27, "诉求闭环办理的满意率数据有说服力。"),
    },
    "jingan": {
        "expert_zhao": (32, 24, 22, ""),
        "expert_qian": (31, 23, 23, ""),
        "expert_sun": (38, 28, 28, ""),
    },
    "xuhui": {
        "expert_zhao": (28, 20, 19, ""),
        "expert_qian": (29, 21, 20, ""),
        "expert_sun": (36, 27, 26, ""),
    },
    "changning": {
        "expert_zhao": (26, 19, 18, ""),
        "expert_qian": (25, 18, 17, ""),
        "expert_sun": (35, 26, 25, ""),
    },
}
KEYS = ("leading", "felt", "replicable")


def _score(round_, cases, experts, staff):
    for case in cases:
        for username, (*values, district_comment) in SCORES[case.district.code].items():
            expert = experts[username]
            assignment = review.add_assignment(case=case, expert=expert)
            review.save_sheet(
                assignment=assignment,
                user=expert,
                values=dict(zip(KEYS, map(str, values), strict=True)),
                district_comment=district_comment,
                submit=True,
            )
    review.close_review(round=round_, user=staff)


def _figures(round_) -> str:
    """The panel's figures as they stand; a figure that cannot be computed (too few experts who
    scored every case) is left out rather than printed as None."""
    panel = report_of_ranking(round_, compute(round_)).panel
    flagged = len(panel.flagged_experts), len(panel.flagged_cases)
    measures = "，".join(
        f"{name} = {value}"
        for name, value in (("ICC(2,k)", panel.icc2k), ("W", panel.kendall_w))
        if value is not None
    )
    panel_size = f"（k = {panel.experts}，n = {panel.cases}）"
    return (
        f"{measures}{panel_size}，" if measures else ""
    ) + f"需关注专家 {flagged[0]} 位、分歧案例 {flagged[1]} 个"


@transaction.atomic
def ensure_panel_demo():
    User = get_user_model()
    experts = {user.username: user for user in User.objects.filter(username__in=EXPERTS)}
    staff = User.objects.filter(username="staff").first()
    if len(experts) < len(EXPERTS) or staff is None:
        return f"评选演示：缺少演示专家或工作人员账号，未建立 {PANEL_YEAR} 年度评审结果"
    now = timezone.now()
    round_, created = _ensure_round(
        PANEL_YEAR,
        Round.Status.REVIEW,
        vote_opens=now - timedelta(days=60),
        vote_closes=now - timedelta(days=45),
        # Open while the demo's sheets are submitted; closed right after (below).
        review_opens=now - timedelta(days=30),
        review_closes=now + timedelta(hours=1),
        shortlist_size=SHORTLIST,
        trim=0,
        vote_weight="0.1",
        tiers=[{"name": "优秀案例", "size": 2}, {"name": "良好实践", "size": 3}],
        feedback_to_districts=True,
    )
    if created:
        cases = _ensure_cases(round_, DEMO_CASES)
        for case in cases[:SHORTLIST]:
            case.shortlisted = True
            case.save(update_fields=["shortlisted"])
        _demo_votes(round_, cases, [31, 26, 24, 19, 17, 15, 9, 4], now - timedelta(days=55))
        _score(round_, cases[:SHORTLIST], experts, staff)
        Round.objects.filter(pk=round_.pk).update(review_closes=now)
    round_.refresh_from_db()
    scored = Assignment.objects.filter(round=round_).count()
    results = reverse("reviews:results", args=[round_.pk])
    if round_.status != Round.Status.REVIEW:  # staff moved it on since the demo was built
        return f"评选演示：{PANEL_YEAR} 年度：{round_.phase_label}（{results}）"
    return (
        f"评选演示：{PANEL_YEAR} 年度专家评审已结束、待审定（{scored} 份评分表；"
        f"{results}）：{_figures(round_)}"
    )
