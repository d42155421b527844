"""The results page and approval, on numbers worked out by hand.

Round: criteria 引领性强 40 + 感受度高 30 + 可复制推广 30 (full marks 100), drop one highest
and one lowest total, vote weight 0.2, two decimals; tiers 优秀案例 ×1, 良好实践 ×2.

    case A (10 votes): totals 80, 90, 70, 85 -> drop 70 and 90 -> mean 82.5
        final = 0.8 × 82.5 + 0.2 × (100 × 10/10) = 66 + 20 = 86.00
    case B (5 votes):  totals 88, 76, 82 (e5 recused, not counted) -> drop 76, 88 -> mean 82
        final = 0.8 × 82 + 0.2 × (100 × 5/10) = 65.6 + 10 = 75.60
    case C (10 votes): totals 82.5, 82.5, 60, 95 -> drop 60 and 95 -> mean 82.5 -> 86.00

A and C tie at 86.00: both rank 1 (competition ranking), both enter 优秀案例 although it has
one place (a tie at the boundary enters whole); B is overall 3rd and 良好实践 no. 1.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Round
from reviews import results, review
from reviews.factories import VoterFactory, review_round
from reviews.models import Assignment, Result, Vote
from tests.conftest import make_user

SHEETS = {  # case index -> expert name -> (leading, felt, replicable)
    0: {"expert": (35, 25, 20), "e3": (38, 27, 25), "e4": (30, 20, 20), "e5": (35, 25, 25)},
    1: {"expert": (38, 25, 25), "e3": (30, 26, 20), "e4": (36, 24, 22)},
    2: {"expert": ("35.5", 25, 22), "e3": (35, "25.5", 22), "e4": (30, 15, 15), "e5": (40, 30, 25)},
}
VOTES = [10, 5, 10]


@pytest.fixture
def worked(db, expert, staff):
    round_, cases = review_round(
        districts=("huangpu", "jiading", "xuhui"),
        vote_weight=Decimal("0.2"),
        trim=1,
        tiers=[{"name": "优秀案例", "size": 1}, {"name": "良好实践", "size": 2}],
    )
    experts = {"expert": expert, **{n: make_user(n, role="expert") for n in ("e3", "e4", "e5")}}
    review.assign_default(round=round_)
    for index, sheets in SHEETS.items():
        for name, values in sheets.items():
            assignment = Assignment.objects.get(case=cases[index], expert=experts[name])
            review.save_sheet(
                assignment=assignment,
                user=experts[name],
                submit=True,
                values=dict(zip(("leading", "felt", "replicable"), map(str, values), strict=True)),
            )
    b_e5 = Assignment.objects.get(case=cases[1], expert=experts["e5"])
    review.recuse(assignment=b_e5, user=experts["e5"], reason="曾为该区提供咨询")
    for case, n in zip(cases, VOTES, strict=True):
        for _ in range(n):
            Vote.objects.create(round=round_, case=case, voter=VoterFactory())
    # A voided vote does not count.
    Vote.objects.create(round=round_, case=cases[1], voter=VoterFactory(), voided=True)
    review.close_review(round=round_, user=staff)
    return round_, cases, experts


def test_the_engine_ranks_the_database_as_worked_by_hand(worked):
    round_, (a, b, c), experts = worked
    lines = {line.case.pk: line for line in results.compute(round_).lines}
    assert [line.case.pk for line in results.compute(round_).lines] == [a.pk, c.pk, b.pk]
    la, lb, lc = lines[a.pk], lines[b.pk], lines[c.pk]
    assert (la.result.score, lb.result.score, lc.result.score) == (
        Decimal("86.00"),
        Decimal("75.60"),
        Decimal("86.00"),
    )
    assert (la.result.overall_rank, lc.result.overall_rank, lb.result.overall_rank) == (1, 1, 3)
    assert la.result.tied and lc.result.tied and not lb.result.tied
    assert (la.result.tier, la.result.rank) == ("优秀案例", 1)
    assert (lc.result.tier, lc.result.rank) == ("优秀案例", 1)
    assert (lb.result.tier, lb.result.rank) == ("良好实践", 1)
    assert la.mean == Decimal("82.5000") and lb.mean == Decimal("82.0000")
    assert la.vote_score == Decimal("100.0000") and lb.vote_score == Decimal("50.0000")
    assert {e.expert.username for e in la.experts if e.trimmed} == {"e3", "e4"}
    assert {e.expert.username for e in lb.experts if e.trimmed} == {"e3", "expert"}
    # The recused expert's sheet is not an input at all.
    assert "e5" not in {e.expert.username for e in lb.experts}


def test_the_results_page_explains_each_line(worked, client, staff):
    round_, (a, b, c), _experts = worked
    client.force_login(staff)
    page = client.get(reverse("reviews:results", args=[round_.pk])).content.decode()
    for text in (
        "86.00",
        "75.60",
        "82.5000",
        "82.0000",
        "50.0000",
        "并列",
        "未取整",
        'class="me-2 text-nowrap trimmed"',
        "去掉 1 个最高分",
    ):
        assert text in page, text
    assert page.index(a.title) < page.index(c.title) < page.index(b.title)


def test_approving_freezes_the_result(worked, client, staff):
    round_, (a, b, c), _experts = worked
    client.force_login(staff)
    response = client.post(reverse("reviews:approve", args=[round_.pk]), {"confirmed": "yes"})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.status == Round.Status.APPROVED
    assert round_.history.first().history_user == staff
    rows = {r.case_id: r for r in Result.objects.filter(round=round_)}
    assert (rows[a.pk].score, rows[a.pk].tier, rows[a.pk].rank) == (
        Decimal("86.000"),
        "优秀案例",
        1,
    )
    assert (rows[b.pk].overall_rank, rows[b.pk].tier) == (3, "良好实践")
    assert rows[a.pk].approved_by == staff and rows[a.pk].history.count() == 1
    assert rows[b.pk].details["experts"][0]["trimmed"] in (True, False)
    b.refresh_from_db()
    assert (b.tier, b.rank, b.score) == ("良好实践", 1, Decimal("75.600"))
    assert round_.selection.approved_by == staff

    with pytest.raises(ValidationError, match="不能再次审定"):
        results.approve(round=round_, user=staff)
    with pytest.raises(ValidationError, match="冻结"):
        rows[a.pk].save()
    with pytest.raises(ValidationError, match="冻结"):
        rows[a.pk].delete()
    # Even after stepping the round back to review, a second approval is refused.
    from cases.rounds import set_round_status

    set_round_status(round=round_, to=Round.Status.REVIEW, user=staff)
    with pytest.raises(ValidationError, match="不能再次审定"):
        results.approve(round=round_, user=staff)
    page = client.get(reverse("reviews:results", args=[round_.pk])).content.decode()
    assert "审定并冻结" in page and 'data-testid="approve"' not in page


def test_approval_needs_a_closed_review(db, staff):
    round_, _cases = review_round()
    with pytest.raises(ValidationError, match="尚未结束"):
        results.approve(round=round_, user=staff)


def test_scores_round_half_up_once(db, expert, staff):
    # Two experts, no trim, no votes: totals 80.01 and 80.00, mean 80.005 -> 80.01
    # (banker's rounding would give 80.00).
    round_, (case,) = review_round(cases=1, trim=0, vote_weight=Decimal("0"))
    other = make_user("e6", role="expert")
    review.assign_default(round=round_)
    for user, leading in ((expert, "30.01"), (other, "30")):
        review.save_sheet(
            assignment=Assignment.objects.get(case=case, expert=user),
            user=user,
            submit=True,
            values={"leading": leading, "felt": "25", "replicable": "25"},
        )
    review.close_review(round=round_, user=staff)
    (line,) = results.compute(round_).lines
    assert line.result.score == Decimal("80.01")
