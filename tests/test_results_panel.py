"""The panel's agreement on the staff results page and in the results workbook.

The round of tests/test_results.py (the ``worked`` fixture), full marks 100:

    A: expert 80, e3 90, e4 70, e5 85
    B: expert 88, e3 76, e4 82          (e5 recused)
    C: expert 82.5, e3 82.5, e4 60, e5 95

e5 has no total on B, so ICC and W are over expert, e3, e4 (k = 3, n = 3):
    grand mean 79; row means 80, 82, 75 → MSR = 3 × 26 / 2 = 39;
    column means 83.5, 82.83…, 70.66… → MSC = 3758/24; SSE = 687.5 − 78 − 3758/12 → MSE = 889/12;
    ICC = (39 − 889/12) / (39 + (3758/24 − 889/12) / 3) = (−421/12) / (133/2) = −421/798
        = −0.52757 → "-0.5276" (the experts disagree more than chance).
    ranks: expert 1 3 2, e3 3 1 2, e4 2 3 1 → sums 6, 7, 5 around 6: S = 2,
    W = 12 × 2 / (9 × 24) = 1/9 → "0.1111".
by expert (offset = mean of own − others' mean; rho on three cases is ±1 here):
    expert: −5/3, +9, +10/3 → 32/9 = 3.56; ranks 1 3 2 against 3 1 2 → rho −1 → flagged
    e3: +35/3, −9, +10/3 → 2.00; rho −1 → flagged
    e4: −15, −6 … (85, 82, 86.67): −15, 0, −80/3 → −125/9 = −13.89; rho −1 → flagged
    e5: A and C only: +5, +20 → 12.50; no rho → not flagged
spreads: A √54.6875 = 7.395 → 7.40; B √24 = 4.899 → 4.90; C √159.375 = 12.624 → 12.62.
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case, Round
from reviews import results, results_panel
from tests.test_results import worked  # noqa: F401  (the fixture)


def page(client, round_):
    response = client.get(reverse("reviews:results", args=[round_.pk]))
    assert response.status_code == 200
    return response


def workbook(client, round_):
    response = client.get(reverse("reviews:results_export", args=[round_.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(BytesIO(response.content))


def test_the_panel_of_the_worked_round(worked):  # noqa: F811
    round_, (a, b, c), experts = worked
    report = results_panel.report_of_ranking(round_, results.compute(round_))
    panel = report.panel
    assert (panel.experts, panel.cases) == (3, 3)
    assert (panel.icc2k, panel.kendall_w) == (Decimal("-0.5276"), Decimal("0.1111"))
    by_name = {row.name: row.item for row in report.experts}
    assert [(by_name[n].offset, by_name[n].correlation) for n in ("expert", "e3", "e4", "e5")] == [
        (Decimal("3.56"), Decimal("-1.0000")),
        (Decimal("2.00"), Decimal("-1.0000")),
        (Decimal("-13.89"), Decimal("-1.0000")),
        (Decimal("12.50"), None),
    ]
    assert [row.item.flagged for row in report.experts] == [True, True, True, False]
    assert [(row.case, row.item.spread) for row in report.cases] == [
        (a, Decimal("7.40")),
        (b, Decimal("4.90")),
        (c, Decimal("12.62")),
    ]
    assert report.icc_level == "较差"


def test_the_results_page_explains_the_panel_in_chinese(worked, client, staff):  # noqa: F811
    round_, _cases, _experts = worked
    client.force_login(staff)
    html = page(client, round_).content.decode()
    for text in (
        "专家评分一致性",
        "组内相关系数 ICC(2,k)",
        "-0.5276",
        "肯德尔和谐系数 W",
        "0.1111",
        "评完全部 3 个入围案例的 3 位专家",
        "案例高低排序与其他专家不一致：相关系数 -1.0000，低于 0.3",
        "没有案例的专家评分分歧明显。",
        reverse("reviews:results_export", args=[round_.pk]),
    ):
        assert text in html, text


def test_the_round_thresholds_decide_who_stands_out(worked, client, staff):  # noqa: F811
    round_, (_a, _b, c), _experts = worked
    Round.objects.filter(pk=round_.pk).update(
        flag_correlation=Decimal("-1"), flag_offset=Decimal("12.5"), flag_spread=Decimal("12")
    )
    round_.refresh_from_db()
    report = results_panel.report_of_ranking(round_, results.compute(round_))
    # rho −1 is not below −1; only e4's |−13.89| is above 12.5 (e5's 12.50 is not).
    assert [(row.name, row.reasons) for row in report.flagged_experts] == [
        ("e4", ["评分普遍偏低：比其他专家平均低 13.89 分（百分制），超过 12.5 分"])
    ]
    assert [row.case for row in report.flagged_cases] == [c]
    client.force_login(staff)
    html = page(client, round_).content.decode()
    assert "专家意见分歧大：各专家总分的标准差为 12.62 分（百分制），超过 12 分" in html


def test_the_approved_result_shows_the_same_panel(worked, client, staff):  # noqa: F811
    round_, _cases, _experts = worked
    live = results_panel.report_of_ranking(round_, results.compute(round_))
    results.approve(round=round_, user=staff)
    frozen = results_panel.report_of_results(round_, round_.results.all())
    assert frozen.panel == live.panel
    assert [row.name for row in frozen.experts] == ["expert", "e3", "e4", "e5"]
    client.force_login(staff)
    assert "-0.5276" in page(client, round_).content.decode()


def test_the_workbook_holds_the_ranking_and_the_panel(worked, client, staff):  # noqa: F811
    round_, (a, b, c), experts = worked
    # Text that a spreadsheet would run as a formula stays text.
    Case.objects.filter(pk=b.pk).update(title='=HYPERLINK("http://x","点我")')
    experts["e5"].last_name = "@SUM(1)"
    experts["e5"].save()
    client.force_login(staff)
    book = workbook(client, round_)
    assert book.sheetnames == ["评选结果", "专家评分一致性", "专家评分偏差", "案例评分分歧"]
    ranking = list(book["评选结果"].values)
    assert ranking[0][:6] == ("总排名", "并列", "档次", "档内名次", "案例", "区")
    assert [row[0] for row in ranking[1:4]] == [1, 1, 3]
    assert ranking[5][0] == "专家组签字"  # after a blank row: the sign-off (#19)
    assert ranking[3][4] == '\'=HYPERLINK("http://x","点我")'
    assert ranking[3][11] == 75.6  # the final score is a number
    summary = {row[0]: row[1] for row in book["专家评分一致性"].values}
    assert summary["组内相关系数 ICC(2,k)"] == -0.5276
    assert summary["肯德尔和谐系数 W"] == 0.1111
    assert summary["评完全部入围案例的专家数（k）"] == 3
    experts_sheet = list(book["专家评分偏差"].values)
    assert experts_sheet[0] == (
        "专家",
        "评分案例数",
        "平均偏差（百分制）",
        "排序相关系数",
        "需关注",
        "原因",
    )
    assert experts_sheet[4][:5] == ("'@SUM(1)", 2, 12.5, None, None)
    assert experts_sheet[3][:5] == ("e4", 3, -13.89, -1, "是")
    cases_sheet = list(book["案例评分分歧"].values)
    assert [row[3] for row in cases_sheet[1:]] == [7.4, 4.9, 12.62]


def test_no_workbook_while_the_scores_are_sealed(db, client, staff):
    from reviews.factories import review_round

    round_, _cases = review_round()
    client.force_login(staff)
    url = reverse("reviews:results_export", args=[round_.pk])
    assert client.get(url).status_code == 403
    assert "专家评分一致性" not in page(client, round_).content.decode()


@pytest.mark.parametrize("role", ["officer_a", "expert"])
def test_only_staff_download_the_workbook(worked, client, role, request):  # noqa: F811
    round_, _cases, _experts = worked
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("reviews:results_export", args=[round_.pk])).status_code == 403
