"""Feedback to districts: after publication, a district's officers see how their own cases
fared, never an expert's name or one expert's scores.

The round (criteria 40 + 30 + 30, no trim, no vote weight, tiers 优秀案例 ×1, 良好实践 ×2):

    jiading (7 votes, one more voided): e1 36.5 25 24 = 85.5, e2 30 22.75 20 = 72.75,
        e3 33 27 21 = 81, e4 35 22 25 = 82 → expert score 321.25 / 4 = 80.3125 → 80.31
        criterion means over the four: 134.5 / 4 = 33.625 → 33.63 (half up), 96.75 / 4 =
        24.1875 → 24.19, 90 / 4 = 22.50
    pudong (12 votes): e1 38 28 27 = 93, e2 37 28 28 = 93 → 93.00 (two experts: no means)
    huangpu (7 votes): 70, 73, 67, 76 → 71.50
    jiading's second case (2 votes): not shortlisted.

Vote ranks over the four cases in the vote: pudong 1, jiading 2, huangpu 2, the other 4.
Overall: pudong 1 (优秀案例 1), jiading 2 (良好实践 1), huangpu 3 (良好实践 2).
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Round
from reviews import feedback, results, review
from reviews.factories import CaseFactory, VoterFactory, review_round
from reviews.models import Assignment, ScoreSheet, Vote
from tests.conftest import make_user

KEYS = ("leading", "felt", "replicable")
SHEETS = {  # case index → expert → (scores, comment for staff, comment for the district)
    0: {
        "e1": (("36.5", 25, 24), "", "建议补充企业办事成本下降的数据。"),
        "e2": ((30, "22.75", 20), "内部评语：材料偏弱，不宜外传", ""),
        "e3": ((33, 27, 21), "", "做法可在全市复制推广。"),
        "e4": ((35, 22, 25), "", ""),
    },
    1: {
        "e1": ((38, 28, 27), "", "浦东案例的专家意见"),
        "e2": ((37, 28, 28), "", ""),
    },
    2: {
        "e1": ((30, 20, 20), "", ""),
        "e2": ((31, 21, 21), "", ""),
        "e3": ((29, 19, 19), "", ""),
        "e4": ((32, 22, 22), "", ""),
    },
}
INDIVIDUAL = ["36.5", "22.75", "85.5", "72.75", "72.7500", "85.5000"]
STAFF_COMMENT = "内部评语：材料偏弱，不宜外传"


def _votes(round_, case, n, voided=0):
    for i in range(n + voided):
        Vote.objects.create(round=round_, case=case, voter=VoterFactory(), voided=i >= n)


@pytest.fixture
def published(db, staff):
    return build_published(staff)


def build_published(staff):
    """The round of the module's docstring, published with feedback on (the browser walk in
    tests/e2e/test_trust_browser.py builds it too)."""
    round_, cases = review_round(
        districts=("jiading", "pudong", "huangpu"),
        trim=0,
        vote_weight=Decimal("0"),
        tiers=[{"name": "优秀案例", "size": 1}, {"name": "良好实践", "size": 2}],
    )
    other = CaseFactory(round=round_, district=cases[0].district, title="未入围的嘉定案例")
    experts = {name: make_user(name, role="expert", last_name=f"专家{name}") for name in SHEETS[0]}
    for index, sheets in SHEETS.items():
        for name, (values, comment, district_comment) in sheets.items():
            review.save_sheet(
                assignment=review.add_assignment(case=cases[index], expert=experts[name]),
                user=experts[name],
                values=dict(zip(KEYS, map(str, values), strict=True)),
                comment=comment,
                district_comment=district_comment,
                submit=True,
            )
    for case, n in zip([*cases, other], [7, 12, 7, 2], strict=True):
        _votes(round_, case, n, voided=1 if case == cases[0] else 0)
    review.close_review(round=round_, user=staff)
    results.approve(round=round_, user=staff)
    Round.objects.filter(pk=round_.pk).update(
        status=Round.Status.PUBLISHED, feedback_to_districts=True
    )
    round_.refresh_from_db()
    return round_, [*cases, other], experts


def get(client, user, case):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("reviews:feedback_case", args=[case.pk]))


def test_it_gives_the_district_its_own_figures(published):
    _round, (jiading, *_rest), _experts = published
    f = feedback.feedback_for(jiading)
    assert (f.votes, f.vote_rank, f.vote_cases) == (7, 2, 4)
    assert f.result == feedback.Placing(
        score=Decimal("80.31"), overall_rank=2, tier="良好实践", rank=1, expert_score="80.3125"
    )
    assert [(c.label, c.mean) for c in f.criteria] == [
        ("引领性强", Decimal("33.63")),  # 33.625, half up
        ("感受度高", Decimal("24.19")),
        ("可复制推广", Decimal("22.50")),
    ]
    assert f.experts == 4
    assert f.comments == ["做法可在全市复制推广。", "建议补充企业办事成本下降的数据。"]


def test_the_officer_reads_it_without_any_expert_or_single_score(published, client, officer_a):
    _round, (jiading, *_rest), experts = published
    response = get(client, officer_a, jiading)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "7 票",
        "在 4 个参评案例中排第 2 名",
        "80.3125",
        "80.31",
        "总排名第 2 名",
        "良好实践",
    ):
        assert text in html, text
    for text in (
        "33.63",
        "24.19",
        "22.50",
        "做法可在全市复制推广。",
        "建议补充企业办事成本下降的数据。",
    ):
        assert text in html, text
    for text in [*INDIVIDUAL, STAFF_COMMENT, "浦东案例的专家意见"]:
        assert text not in html, text
    for expert in experts.values():
        assert str(expert) not in html  # 专家e1 …


@pytest.mark.parametrize("counted", [1, 2])
def test_under_three_experts_nothing_gives_an_experts_score_away(
    published, client, officer_b, counted
):
    """Fewer than 3 experts' sheets count (recusals make this common): no expert score, no
    final score (with the votes and the vote weight beside it, it gives the expert score
    back), no exact number of experts, no means; the rank, the tier and the votes stay."""
    _round, (_jiading, pudong, *_rest), _experts = published
    if counted == 1:
        Assignment.objects.filter(case=pudong, expert__username="e2").update(recused=True)
    f = feedback.feedback_for(pudong)
    assert (f.experts, f.criteria, f.withheld) == (None, None, True)
    assert (f.result.score, f.result.expert_score) == (None, None)
    assert (f.result.overall_rank, f.result.tier, f.result.rank) == (1, "优秀案例", 1)
    html = get(client, officer_b, pudong).content.decode()
    figures = html[html.index('id="feedback-figures"') :]
    for hidden in ("93.00", "93.0000", "93", f"{counted} 位专家", "2 位专家"):
        assert hidden not in figures, hidden
    assert "评分专家少于 3 位" in html and "不反馈专家得分、最终得分、评分专家人数" in html
    assert "12 票" in html and "总排名第 1 名" in html and "优秀案例" in html
    assert "浦东案例的专家意见" in html  # comments still go back
    assert 'id="feedback-criteria"' not in html


def test_a_case_left_out_by_the_vote_gets_its_votes(published, client, officer_a):
    *_, other = published[1]
    f = feedback.feedback_for(other)
    assert (f.votes, f.vote_rank, f.result, f.criteria, f.comments) == (2, 4, None, None, [])
    assert "未入围专家评审" in get(client, officer_a, other).content.decode()


def test_it_rejects_an_officer_of_another_district(published, client, officer_b):
    _round, (jiading, pudong, huangpu, other), _experts = published
    for case in (jiading, huangpu, other):
        assert get(client, officer_b, case).status_code == 404
    listed = client.get(reverse("reviews:feedback")).content.decode()
    assert pudong.title in listed and jiading.title not in listed


def test_nothing_before_publication_or_without_the_setting(published, client, officer_a):
    round_, (jiading, *_rest), _experts = published
    Round.objects.filter(pk=round_.pk).update(feedback_to_districts=False)
    assert get(client, officer_a, jiading).status_code == 404
    assert jiading.title not in client.get(reverse("reviews:feedback")).content.decode()
    Round.objects.filter(pk=round_.pk).update(
        feedback_to_districts=True, status=Round.Status.PUBLICITY
    )
    assert get(client, None, jiading).status_code == 404
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLISHED)
    assert get(client, None, jiading).status_code == 200


@pytest.mark.parametrize("role", ["staff", "expert"])
def test_it_is_for_officers_only(published, client, role, request):
    jiading = published[1][0]
    assert get(client, request.getfixturevalue(role), jiading).status_code == 403


def test_the_queries_never_read_an_expert(published):
    _round, (jiading, *_rest), _experts = published
    with CaptureQueriesContext(connection) as queries:
        feedback.feedback_for(jiading)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "expert_id" not in sql and "accounts_user" not in sql
    # A Result's details name the experts: read only through its expert_score key.
    uses = re.findall(r'"details"(.{0,30})', sql)
    assert uses and all("expert_score" in after for after in uses)


def test_the_expert_writes_a_comment_for_the_district(db, client):
    _round, (case, *_rest) = review_round(districts=("jiading",))
    expert = make_user("writer", role="expert")
    assignment = review.add_assignment(case=case, expert=expert)
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment.pk])
    assert "给申报区的意见" in client.get(url).content.decode()
    data = {"leading": "30", "felt": "20", "replicable": "20", "action": "save"}
    response = client.post(url, {**data, "comment": "给工作人员", "district_comment": " 给区里 "})
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert (sheet.comment, sheet.district_comment) == ("给工作人员", "给区里")
    # A paper sheet without the column leaves the district's comment as it was.
    review.save_sheet(assignment=Assignment.objects.get(pk=assignment.pk), user=expert, values=data)
    assert ScoreSheet.objects.get(pk=sheet.pk).district_comment == "给区里"
