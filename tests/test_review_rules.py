"""The sealed expert review: assignment and recusal (回避), sheets, locking, sealing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import review
from reviews.factories import SCORES, confirmed_submission, review_round
from reviews.models import Assignment, ScoreSheet
from reviews.rules import can
from tests.conftest import make_user


@pytest.fixture
def setup(db, expert, expert_b, officer_a):
    round_, cases = review_round()  # huangpu, pudong (expert_b's district), jiading
    review.assign_default(round=round_)
    return round_, cases


def test_default_assignment_skips_the_experts_own_district(setup, expert, expert_b):
    round_, (huangpu, pudong, jiading) = setup
    assert set(expert.assignments.values_list("case_id", flat=True)) == {
        huangpu.pk,
        pudong.pk,
        jiading.pk,
    }
    assert set(expert_b.assignments.values_list("case_id", flat=True)) == {huangpu.pk, jiading.pk}


def test_an_expert_of_a_district_officers_organisation_is_recused(setup, officer_a):
    round_, (_huangpu, _pudong, jiading) = setup
    same_org = make_user("expert_jd", role="expert", organisation=officer_a.organisation)
    assert review.conflict_reason(expert=same_org, case=jiading)
    with pytest.raises(ValidationError, match="回避"):
        review.add_assignment(case=jiading, expert=same_org)


def test_staff_cannot_assign_an_expert_to_a_case_of_their_district(setup, expert_b):
    _round, (_h, pudong, _j) = setup
    with pytest.raises(ValidationError, match="所属区"):
        review.add_assignment(case=pudong, expert=expert_b)


def test_an_expert_may_declare_a_further_conflict_with_a_reason(setup, expert):
    round_, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert=expert)
    with pytest.raises(ValidationError, match="回避理由"):
        review.recuse(assignment=assignment, user=expert, reason="")
    review.recuse(assignment=assignment, user=expert, reason="曾参与该项目咨询")
    assignment.refresh_from_db()
    assert assignment.recused and assignment.recusal_reason == "曾参与该项目咨询"
    with pytest.raises(ValidationError, match="回避"):
        review.save_sheet(assignment=assignment, user=expert, values=SCORES, submit=True)


def test_an_expert_cannot_recuse_for_someone_else(setup, expert, expert_b):
    _round, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert=expert)
    with pytest.raises(ValidationError):
        review.recuse(assignment=assignment, user=expert_b, reason="x")


def test_a_draft_may_be_partial_and_a_submission_must_be_complete(setup, expert):
    _round, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert=expert)
    sheet = review.save_sheet(assignment=assignment, user=expert, values={"leading": "35.5"})
    assert sheet.status == ScoreSheet.Status.DRAFT
    assert review.sheet_values(sheet) == {"leading": Decimal("35.50")}
    with pytest.raises(ValidationError, match="感受度高"):
        review.save_sheet(assignment=assignment, user=expert, values={"leading": "35"}, submit=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("41", "0 到 40"),
        ("-1", "0 到 40"),
        ("12.345", "2 位小数"),
        ("abc", "不是数字"),
        ("NaN", "不是数字"),
    ],
)
def test_scores_are_validated(setup, expert, value, message):
    _round, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert=expert)
    with pytest.raises(ValidationError, match=message):
        review.save_sheet(assignment=assignment, user=expert, values={**SCORES, "leading": value})


def test_a_submitted_sheet_is_locked_until_staff_reopen_it(setup, expert, staff):
    _round, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert=expert)
    sheet = review.save_sheet(assignment=assignment, user=expert, values=SCORES, submit=True)
    assert sheet.status == ScoreSheet.Status.SUBMITTED and sheet.submitted_at
    with pytest.raises(ValidationError, match="锁定"):
        review.save_sheet(assignment=assignment, user=expert, values=SCORES)
    review.reopen_sheet(sheet=sheet, user=staff, reason="合计有误")
    review.save_sheet(
        assignment=assignment, user=expert, values={**SCORES, "felt": "25"}, submit=True
    )
    assert review.sheet_values(sheet)["felt"] == Decimal("25.00")


def test_an_expert_cannot_fill_another_experts_sheet(setup, expert, expert_b):
    _round, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert=expert)
    with pytest.raises(ValidationError):
        review.save_sheet(assignment=assignment, user=expert_b, values=SCORES)


def test_closing_needs_every_sheet_unless_told_otherwise(setup, expert, expert_b, staff):
    round_, cases = setup
    for assignment in Assignment.objects.filter(expert=expert):
        review.save_sheet(assignment=assignment, user=expert, values=SCORES, submit=True)
    with pytest.raises(ValidationError, match="2 份评分表未提交"):
        review.close_review(round=round_, user=staff)
    review.close_review(round=round_, user=staff, allow_missing=True)
    assert review.review_closed(round_)
    # Once closed, nobody scores any more, and sheets cannot be reopened.
    late = Assignment.objects.filter(expert=expert_b).first()
    with pytest.raises(ValidationError, match="不能保存"):
        review.save_sheet(assignment=late, user=expert_b, values=SCORES, submit=True)
    with pytest.raises(ValidationError, match="评审已结束"):
        review.reopen_sheet(
            sheet=Assignment.objects.filter(expert=expert).first().sheet, user=staff
        )


def test_closing_refuses_a_case_nobody_scored(setup, staff):
    round_, _cases = setup
    with pytest.raises(ValidationError, match="没有任何已提交的评分"):
        review.close_review(round=round_, user=staff, allow_missing=True)


# --- Sealing through the pages ----------------------------------------------------------


def test_an_expert_requesting_another_experts_sheet_gets_404(setup, client, expert, expert_b):
    _round, (huangpu, *_rest) = setup
    theirs = Assignment.objects.get(case=huangpu, expert=expert)
    review.save_sheet(assignment=theirs, user=expert, values=SCORES, submit=True)
    client.force_login(expert_b)
    assert client.get(reverse("reviews:sheet", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("reviews:sheet", args=[theirs.pk]), {**SCORES, "action": "save"})
    assert response.status_code == 404
    assert (
        client.post(reverse("reviews:recuse", args=[theirs.pk]), {"reason": "x"}).status_code == 404
    )


def test_an_expert_sees_only_their_own_cases(setup, client, expert_b):
    _round, (huangpu, pudong, _j) = setup
    client.force_login(expert_b)
    page = client.get(reverse("reviews:expert_home")).content.decode()
    assert huangpu.title in page and pudong.title not in page


def test_an_expert_never_sees_another_experts_scores(setup, client, expert, expert_b):
    _round, (huangpu, *_rest) = setup
    mine = Assignment.objects.get(case=huangpu, expert=expert_b)
    theirs = Assignment.objects.get(case=huangpu, expert=expert)
    review.save_sheet(
        assignment=theirs,
        user=expert,
        values={"leading": "37.77", "felt": "21", "replicable": "22"},
        comment="独家评语",
        submit=True,
    )
    client.force_login(expert_b)
    page = client.get(reverse("reviews:sheet", args=[mine.pk])).content.decode()
    assert "37.77" not in page and "独家评语" not in page


def test_staff_see_no_scores_before_the_review_closes(setup, client, expert, staff):
    round_, (huangpu, *_rest) = setup
    theirs = Assignment.objects.get(case=huangpu, expert=expert)
    review.save_sheet(
        assignment=theirs,
        user=expert,
        values={"leading": "37.77", "felt": "21", "replicable": "22"},
        comment="独家评语",
        submit=True,
    )
    client.force_login(staff)
    for name in ("reviews:assignments", "reviews:results"):
        page = client.get(reverse(name, args=[round_.pk])).content.decode()
        assert "37.77" not in page and "80.77" not in page and "独家评语" not in page
    page = client.get(reverse("reviews:results", args=[round_.pk])).content.decode()
    assert "评分密封中" in page
    assert not can("reviews.view_scores", staff, round_)
    # Nor through the admin, even for a superuser.
    staff.is_superuser = True
    staff.save()
    response = client.get(reverse("admin:reviews_scoresheet_change", args=[theirs.sheet.pk]))
    assert response.status_code == 200
    admin_page = response.content.decode()
    assert "37.77" not in admin_page and "独家评语" not in admin_page
    history = client.get(reverse("admin:reviews_scoresheet_history", args=[theirs.sheet.pk]))
    assert history.status_code == 403
    assert not can("reviews.view_scores", staff, round_)
    assert client.get(reverse("reviews:sheet", args=[theirs.pk])).status_code in (403, 404)


def test_the_expert_form_saves_a_draft_and_submits(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert=expert)
    url = reverse("reviews:sheet", args=[assignment.pk])
    client.force_login(expert)
    response = client.post(url, {"leading": "99", "felt": "", "replicable": "", "action": "save"})
    assert response.status_code == 200 and "0 到 40" in response.content.decode()
    client.post(url, {"leading": "30", "felt": "", "replicable": "", "action": "save"})
    assert ScoreSheet.objects.get(assignment=assignment).status == "draft"
    # Submitting asks first, on a page that lists the scores; the sheet is saved as a draft.
    page = client.post(url, {**SCORES, "comment": "好", "action": "submit"}).content.decode()
    assert "请确认：提交评分" in page and "合计：" in page
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert sheet.status == "draft" and sheet.comment == "好"
    response = client.post(url, confirmed_submission(assignment, {**SCORES, "comment": "好"}))
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert sheet.status == "submitted" and sheet.comment == "好"
    # A second submission (double click) is refused, the sheet unchanged.
    assert client.post(url, {**SCORES, "felt": "1", "action": "submit"}).status_code == 403
    assert review.sheet_values(sheet)["felt"] == Decimal("20.00")


def test_the_printable_sheet_lists_the_experts_cases(setup, client, expert_b, staff):
    round_, (huangpu, pudong, _j) = setup
    client.force_login(staff)
    page = client.get(reverse("reviews:print_for", args=[round_.pk, expert_b.pk])).content.decode()
    assert "@media print" in page and huangpu.title in page and pudong.title not in page
