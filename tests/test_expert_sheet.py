"""The expert's score sheet (#20): limits on the inputs, the criteria's scoring guidance, the
case's key figures and attachments (downloaded through the expert's own sheet), a total, and
"下一个案例" (the next case the expert has still to score)."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cases.models import Attachment, KeyFigure
from reviews import review
from reviews.factories import CRITERIA, SCORES, review_round
from reviews.models import Assignment, ScoreSheet

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GUIDED = [
    {**CRITERIA[0], "guidance": "看改革是否在全国或全市率先。"},
    {**CRITERIA[1], "weight": 2},
    CRITERIA[2],
]


@pytest.fixture
def setup(db, expert):
    round_, cases = review_round(criteria=GUIDED)  # huangpu, pudong, jiading
    for case in cases:
        Assignment.objects.create(round=round_, case=case, expert=expert)
    return round_, cases


def assignment_of(case, expert):
    return Assignment.objects.get(case=case, expert=expert)


def carried(page: str) -> dict:
    """What the confirmation page's form posts back: its hidden fields, as a browser sends."""
    form = page[page.index('data-testid="confirmation"') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


def sheet_page(client, expert, case):
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(case, expert).pk])
    return client.get(url).content.decode()


def test_the_inputs_carry_each_criterions_limits(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    page = sheet_page(client, expert, huangpu)
    leading = re.search(r'<input[^>]*name="leading"[^>]*>', page).group(0)
    assert 'type="number"' in leading
    assert 'min="0"' in leading and 'max="40"' in leading and 'step="0.01"' in leading
    felt = re.search(r'<input[^>]*name="felt"[^>]*>', page).group(0)
    assert 'max="30"' in felt and 'data-weight="2"' in felt


def test_the_server_still_refuses_a_score_over_the_limit(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(huangpu, expert).pk])
    response = client.post(url, {"leading": "40.5", "action": "save"})
    assert response.status_code == 200
    assert "须在 0 到 40 之间" in response.content.decode()


def test_each_criterion_shows_its_scoring_guidance(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    page = sheet_page(client, expert, huangpu)
    assert "看改革是否在全国或全市率先。" in page
    assert (
        page.index("引领性强") < page.index("看改革是否在全国或全市率先。") < page.index("感受度高")
    )


def test_the_total_is_weighted_and_shown_with_its_maximum(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    review.save_sheet(assignment=assignment_of(huangpu, expert), user=expert, values=SCORES)
    page = sheet_page(client, expert, huangpu)
    # 30 + 2 × 20 + 20; the maximum 40 + 2 × 30 + 30.
    assert re.search(r'id="running-total"[^>]*>90\.00</output>', page)
    assert "/ 130" in page
    assert "js/score_sheet.js" in page


def test_the_sheet_shows_the_cases_key_figures_and_attachments(setup, client, expert, officer_a):
    _round, (huangpu, *_rest) = setup
    KeyFigure.objects.create(case=huangpu, indicator="年均办件量", value="83.97", unit="万件")
    attachment = Attachment.objects.create(
        case=huangpu,
        file=ContentFile(PDF, name="方案.pdf"),
        original_name="实施方案.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=officer_a,
    )
    page = sheet_page(client, expert, huangpu)
    assert "年均办件量" in page and "83.97 万件" in page
    assignment = assignment_of(huangpu, expert)
    url = reverse("reviews:sheet_attachment", args=[assignment.pk, attachment.pk])
    assert url in page and "实施方案.pdf" in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_attachment_of_another_case_is_not_reachable_through_a_sheet(
    setup, client, expert, officer_a
):
    _round, (huangpu, pudong, _j) = setup
    other = Attachment.objects.create(
        case=pudong,
        file=ContentFile(PDF, name="x.pdf"),
        original_name="x.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=officer_a,
    )
    client.force_login(expert)
    url = reverse("reviews:sheet_attachment", args=[assignment_of(huangpu, expert).pk, other.pk])
    assert client.get(url).status_code == 404


def test_next_case_leads_to_the_next_case_still_to_score(setup, client, expert):
    _round, (huangpu, pudong, jiading) = setup
    first, second, third = (assignment_of(c, expert) for c in (huangpu, pudong, jiading))
    order = [
        a.pk
        for a in sorted((first, second, third), key=lambda a: (a.case.district.order, a.case_id))
    ]
    assert review.next_unscored(Assignment.objects.get(pk=order[0])).pk == order[1]
    # A submitted sheet is skipped; the queue wraps round to the start.
    review.save_sheet(
        assignment=Assignment.objects.get(pk=order[2]), user=expert, values=SCORES, submit=True
    )
    assert review.next_unscored(Assignment.objects.get(pk=order[1])).pk == order[0]
    page = sheet_page(client, expert, Assignment.objects.get(pk=order[1]).case)
    assert 'id="next-case"' in page
    assert reverse("reviews:sheet", args=[order[0]]) in page


def test_next_case_says_when_everything_is_scored(setup, client, expert):
    _round, cases = setup
    for case in cases[1:]:
        review.save_sheet(
            assignment=assignment_of(case, expert), user=expert, values=SCORES, submit=True
        )
    page = sheet_page(client, expert, cases[0])
    assert 'id="next-case"' not in page
    assert "均已评分提交" in page


def test_the_paper_sheet_prints_the_scoring_guidance(setup, client, expert):
    round_, _cases = setup
    client.force_login(expert)
    page = client.get(reverse("reviews:print_mine", args=[round_.pk])).content.decode()
    assert "评分说明" in page and "引领性强：看改革是否在全国或全市率先。" in page


# --- submitting asks first ----------------------------------------------------------------


def test_submitting_lists_the_weighted_total_on_a_confirmation_page_before_locking(
    setup, client, expert
):
    _round, (huangpu, *_rest) = setup
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(huangpu, expert).pk])
    posted = {"leading": "36", "felt": "25.5", "replicable": "24", "action": "submit"}
    page = client.post(url, {**posted, "comment": "材料翔实"}).content.decode()
    assert "请确认：提交评分" in page
    # felt weighs 2 (GUIDED): 36 + 2 × 25.5 + 24 out of 40 + 2 × 30 + 30.
    assert "合计：111.00 / 130" in page
    assert re.search(r"感受度高：25\.5\d* / 30", page)
    # The form on the page carries the scores and comment back, with the confirmation.
    for name, value in [*posted.items(), ("comment", "材料翔实"), ("confirmed", "yes")]:
        assert f'name="{name}" value="{value}"' in page
    sheet = assignment_of(huangpu, expert).sheet
    assert sheet.status == "draft" and sheet.comment == "材料翔实"  # saved, not locked
    assert review.sheet_values(sheet)["felt"] == 25.5
    client.post(url, carried(page))
    sheet.refresh_from_db()
    assert sheet.status == "submitted" and sheet.submitted_at is not None


def test_an_incomplete_sheet_is_refused_before_any_confirmation(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(huangpu, expert).pk])
    page = client.post(url, {"leading": "36", "felt": "", "replicable": "24", "action": "submit"})
    text = page.content.decode()
    assert "请确认" not in text and "请填写“感受度高”的得分。" in text
    assert not ScoreSheet.objects.filter(assignment__case=huangpu).exists()  # nothing saved


def test_scores_typed_full_width_or_in_other_digits_read_as_numbers(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(huangpu, expert).pk])
    typed = {"leading": "３６", "felt": " ２５．５ ", "replicable": "٢٤", "action": "submit"}
    page = client.post(url, typed).content.decode()
    assert "合计：111.00 / 130" in page  # 36 + 2 × 25.5 + 24, as from ASCII digits
    client.post(url, carried(page))
    sheet = assignment_of(huangpu, expert).sheet
    assert sheet.status == "submitted"
    assert review.sheet_values(sheet) == {"leading": 36, "felt": 25.5, "replicable": 24}


@pytest.mark.parametrize(
    "typed", ["1e1", "1E1", "2e-1", "1_0", "NaN", "Infinity", "0x10", "１ｅ１"]
)
def test_only_plain_decimals_count_as_scores(setup, client, expert, typed):
    _round, (huangpu, *_rest) = setup
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(huangpu, expert).pk])
    response = client.post(url, {"leading": typed, "action": "save"})
    assert response.status_code == 200 and "不是数字" in response.content.decode()
    assert not ScoreSheet.objects.filter(assignment__case=huangpu).exists()


@pytest.mark.parametrize(
    "edit", [{"felt": "30"}, {"felt": "25.50", "leading": "35"}, {"listed": ""}]
)
def test_what_is_submitted_is_what_the_confirmation_listed(setup, client, expert, edit):
    """An edited POST (or another tab's draft meanwhile) cannot change the scores between the
    confirmation page and the submission: different scores are listed again, not submitted."""
    _round, (huangpu, *_rest) = setup
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(huangpu, expert).pk])
    posted = {"leading": "36", "felt": "25.5", "replicable": "24", "action": "submit"}
    listed = carried(client.post(url, posted).content.decode())
    # Another tab saves other scores meanwhile: the page's confirmation still submits its own.
    client.post(url, {"leading": "1", "felt": "1", "replicable": "1", "action": "save"})
    again = client.post(url, {**listed, **edit})
    assert again.status_code == 200
    text = again.content.decode()
    assert "请确认：提交评分" in text and "与确认页所列不一致" in text
    sheet = assignment_of(huangpu, expert).sheet
    assert sheet.status == "draft"
    # Confirming what is now listed submits exactly that.
    assert client.post(url, carried(text)).status_code == 302
    sheet.refresh_from_db()
    expected = {**{k: v for k, v in posted.items() if k != "action"}, **edit}
    expected.pop("listed", None)
    assert sheet.status == "submitted"
    assert review.sheet_values(sheet) == {k: float(v) for k, v in expected.items()}


def test_a_listed_confirmation_submits_although_another_tab_saved_meanwhile(setup, client, expert):
    _round, (huangpu, *_rest) = setup
    client.force_login(expert)
    url = reverse("reviews:sheet", args=[assignment_of(huangpu, expert).pk])
    posted = {"leading": "36", "felt": "25.5", "replicable": "24", "action": "submit"}
    listed = carried(client.post(url, posted).content.decode())
    client.post(url, {"leading": "1", "felt": "1", "replicable": "1", "action": "save"})
    assert client.post(url, listed).status_code == 302
    sheet = assignment_of(huangpu, expert).sheet
    assert sheet.status == "submitted"
    assert review.sheet_values(sheet) == {"leading": 36, "felt": 25.5, "replicable": 24}
