"""The results page for the review meeting's record (issue #19): the sign-off block on the page
(printable) and in the workbook, the phase badge that follows the round, and the 回避 count
on the assignment page that matches the cells saying 回避."""

import re
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from reviews import review
from reviews.factories import review_round
from reviews.models import Assignment
from tests.test_results import worked  # noqa: F401  (the fixture)


def test_the_results_page_has_a_sign_off_block_for_the_panel(worked, client, staff):  # noqa: F811
    round_, _cases, _experts = worked
    client.force_login(staff)
    html = client.get(reverse("reviews:results", args=[round_.pk])).content.decode()
    block = html.split('data-testid="sign-off"', 1)[1].split("</section>", 1)[0]
    assert "专家组签字" in block and "日期" in block
    for name in ("expert", "e3", "e4", "e5"):
        assert f">{name}</span>" in block, name
    # Printed, it keeps the block and drops the buttons (print CSS: .no-print).
    assert 'class="sign-off' in html and "no-print" in html


def test_the_workbook_ends_its_ranking_with_the_sign_off(worked, client, staff):  # noqa: F811
    round_, _cases, _experts = worked
    client.force_login(staff)
    response = client.get(reverse("reviews:results_export", args=[round_.pk]))
    sheet = load_workbook(BytesIO(response.content))["评选结果"]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    start = values.index(["专家组签字"])
    signers = values[start + 1 : start + 5]
    assert sorted(signers) == [
        ["e3", "签字："],
        ["e4", "签字："],
        ["e5", "签字："],
        ["expert", "签字："],
    ]
    assert values[start + 5] == ["日期："]


def test_a_name_like_a_formula_stays_text_on_the_sign_off(worked, client, staff):  # noqa: F811
    round_, _cases, experts = worked
    experts["e3"].last_name = "=HYPERLINK(1)"
    experts["e3"].save()
    client.force_login(staff)
    response = client.get(reverse("reviews:results_export", args=[round_.pk]))
    sheet = load_workbook(BytesIO(response.content))["评选结果"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert not any(str(c).startswith("=") for c in cells)


def test_the_phase_badge_follows_the_round(worked, client, staff):  # noqa: F811
    round_, _cases, _experts = worked
    client.force_login(staff)

    def badge():
        html = client.get(reverse("reviews:results", args=[round_.pk])).content.decode()
        return re.search(r'data-testid="phase-badge">([^<]+)<', html).group(1)

    assert badge() == "评审已结束，待审定"
    client.post(reverse("reviews:approve", args=[round_.pk]), {"confirmed": "yes"})
    assert badge() == "结果已审定"


def test_the_recusal_count_matches_the_cells_saying_recusal(client, staff, expert, expert_b):
    # expert_b is from 浦东新区: the 浦东 case is a conflict (回避, never assigned); expert
    # declares 回避 on the 黄浦 case.
    round_, cases = review_round()
    review.assign_default(round=round_)
    huangpu = Assignment.objects.get(case=cases[0], expert=expert)
    review.recuse(assignment=huangpu, user=expert, reason="曾为该区提供咨询")
    client.force_login(staff)
    html = client.get(reverse("reviews:assignments", args=[round_.pk])).content.decode()
    progress = html.split('id="progress"', 1)[1].split("</table>", 1)[0]
    counts = dict(re.findall(r"<td>([^<]+)</td>.*?data-testid=\"recusals\">(\d+)<", progress, re.S))
    matrix = html.split('id="matrix"', 1)[1].split("</table>", 1)[0]
    assert matrix.count(">回避</span>") + matrix.count(">已声明回避</span>") == 2
    assert counts == {"expert": "1", "expert_b": "1"}
