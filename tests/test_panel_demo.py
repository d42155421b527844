"""The demo's 2024 round: review closed with every sheet scored, waiting for approval, so the
results page shows the panel at once; idempotent."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.demo import ensure_accounts
from cases.models import Round
from reviews import results, results_panel
from reviews.demo_panel import ensure_panel_demo
from reviews.models import Assignment, ScoreSheet, Vote


@pytest.mark.django_db
def test_the_demo_round_shows_the_panel_at_once(client):
    ensure_accounts()
    line = ensure_panel_demo()
    counts = (Round.objects.count(), Vote.objects.count(), Assignment.objects.count())
    assert ensure_panel_demo() == line
    assert (Round.objects.count(), Vote.objects.count(), Assignment.objects.count()) == counts

    round_ = Round.objects.get(year=2024)
    assert round_.status == Round.Status.REVIEW and round_.selection.review_closed
    assert round_.feedback_to_districts
    # 6 cases × 3 experts, less 孙 (浦东) on 浦东's case; every sheet submitted.
    assert (
        ScoreSheet.objects.filter(
            assignment__round=round_, status=ScoreSheet.Status.SUBMITTED
        ).count()
        == 17
    )
    # 赵 and 钱 scored every case (k = 2, n = 6); hand-worked in reviews/demo_panel.py's data:
    # W = 12 × 64 / (4 × 210) = 0.9143; ICC = (MSR − MSE) / (MSR + (MSC − MSE) / 6) = 0.8035.
    panel = results_panel.report_of_ranking(round_, results.compute(round_))
    assert (panel.panel.experts, panel.panel.cases) == (2, 6)
    assert (panel.panel.icc2k, panel.panel.kendall_w) == (Decimal("0.8035"), Decimal("0.9143"))
    assert [(row.name, row.item.offset) for row in panel.flagged_experts] == [
        ("孙律师", Decimal("20.60"))
    ]
    assert [(row.case.district.code, row.item.spread) for row in panel.flagged_cases] == [
        ("huangpu", Decimal("17.99"))
    ]
    assert "ICC(2,k) = 0.8035，W = 0.9143" in line

    client.force_login(round_.selection.review_closed_by)
    html = client.get(reverse("reviews:results", args=[round_.pk])).content.decode()
    assert "专家评分一致性" in html and "评分普遍偏高：比其他专家平均高 20.60 分" in html
