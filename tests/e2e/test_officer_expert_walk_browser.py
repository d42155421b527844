"""The officer's and the expert's walks in headless Chromium at 1280 px and 390 px (#20): axe on
every page they visit (no serious or critical violation), no page wider than the phone, the
officer's steps that cannot be undone ask first, the expert's sheet totals as they type.

Screenshots go to /tmp/shots/helper-E/ for a person to look at.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from cases.models import Attachment, Case, KeyFigure, Round
from reviews import review
from reviews.factories import CRITERIA, CaseFactory, RoundFactory, district, reseed_reference_data
from reviews.models import ScoreSheet
from tests.e2e.accessibility import assert_accessible, assert_no_sideways_scroll
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/helper-E")
WIDTHS = {"desktop": 1280, "phone": 390}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module", autouse=True)
def keep_reference_data(django_db_blocker):
    """Module-scoped, so it ends after the last test's final flush of every table. Outside a
    test the archive's rebuild would start in a thread of its own (core.background) and hold
    SQLite's write lock against the reseeding: run it inline."""
    yield
    with django_db_blocker.unblock(), override_settings(EMBEDDED_TASK_THREADS=False):
        reseed_reference_data()


@pytest.fixture(params=list(WIDTHS))
def sized(request, page):
    width = WIDTHS[request.param]
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    page.size_name = request.param
    return page


def check(page, name):
    """axe, the phone's width and a screenshot, for the page as it stands."""
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.size_name}.png"), full_page=True)
    context = f"{name} at {page.viewport_size['width']} px"
    assert_no_sideways_scroll(page, context)
    assert_accessible(page, context)


def test_the_officer_files_a_case(sized, officer_a, tmp_path):
    page, base = sized, sized.base_url
    now = timezone.now()
    round_ = Round.objects.create(
        year=2027,
        title="2027 年度上海市各区优化营商环境优秀案例评选",
        status=Round.Status.SUBMISSION,
        submission_opens=now - timedelta(days=3),
        submission_closes=now + timedelta(days=21),
        vote_opens=now + timedelta(days=28),
        max_cases_per_district=3,
    )
    page.goto(base + "/accounts/login/")
    check(page, "e01-login")
    login(page, "officer_a")
    assert page.url == base + "/cases/submission/"
    check(page, "e02-my-cases-empty")

    page.click("text=新建案例")
    page.fill("[name=title]", "“小嘉帮办”服务品牌")
    page.fill("[name=subtitle]", "打造政务服务新体验")
    page.select_option("[name=topic]", label="政务服务")
    page.fill("[name=summary]", "嘉定区政务大厅推出快闪办、自助办、视讯办、陪同办四项服务。")
    page.fill("[name=background]", "嘉定区行政服务中心是全区一门式综合服务平台。")
    page.fill("[name=approach]", "一是推出快闪办。\n二是引导自助办。")
    page.fill("[name=results]", "年均办件量83.97万件，群众满意率99%以上。")
    page.fill("[name=figures-0-indicator]", "年均办件量（线上线下合计）")
    page.fill("[name=figures-0-value]", "83.97")
    page.fill("[name=figures-0-unit]", "万件")
    page.fill("[name=contact_name]", "李嘉定")
    page.fill("[name=contact_phone]", "021-59991234")
    check(page, "e03-new-case")
    # The key figures keep readable widths on a phone (a card per row, not squeezed columns).
    indicator = page.locator("[name=figures-0-indicator]").bounding_box()
    assert indicator["width"] >= min(250, page.viewport_size["width"] * 0.6)
    page.click("button[value=draft]")
    case = Case.objects.get(title="“小嘉帮办”服务品牌")
    check(page, "e04-edit")

    page.goto(base + "/cases/submission/")
    title_cell = page.locator("#my-cases td[data-label='标题']").first.bounding_box()
    assert title_cell["width"] >= min(250, page.viewport_size["width"] * 0.6)
    check(page, "e05-my-cases")

    # Attachments: upload one, delete it (asked first), upload again.
    page.goto(base + f"/cases/submission/{case.pk}/")
    upload = tmp_path / "实施方案.pdf"
    upload.write_bytes(PDF)
    page.set_input_files("#attachments input[type=file]", str(upload))
    page.click("#attachments button[type=submit]")
    assert "实施方案.pdf" in page.locator("#attachment-list").inner_text()
    check(page, "e06-detail-attachment")
    page.click("#attachment-list button:has-text('删除')")
    assert "请确认：删除附件" in page.locator("h1").inner_text()
    check(page, "e07-confirm-delete-attachment")
    page.click("text=返回，不执行")
    assert Attachment.objects.filter(case=case).count() == 1
    page.click("#attachment-list button:has-text('删除')")
    page.click("[data-testid=confirm]")
    assert not Attachment.objects.filter(case=case).exists()
    page.set_input_files("#attachments input[type=file]", str(upload))
    page.click("#attachments button[type=submit]")

    page.goto(base + f"/cases/submission/{case.pk}/preview/")
    assert "排名×" not in page.locator("#printed-case").inner_text()
    check(page, "e08-preview")

    # Submitting asks first, then locks the case.
    page.goto(base + f"/cases/submission/{case.pk}/edit/")
    page.click("button[value=submit]")
    assert "占用本区申报名额" in page.locator("[data-testid=confirmation]").inner_text()
    check(page, "e09-confirm-submit")
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    page.click("[data-testid=confirm]")
    assert "案例已提交申报" in page.locator(".alert-success").inner_text()
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    check(page, "e10-submitted")
    page.goto(base + f"/cases/submission/{case.pk}/history/")
    check(page, "e10b-history")

    response = page.goto(base + f"/cases/submission/{case.pk}/edit/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "已提交，已锁定"
    assert page.locator("a[href$='#withdraw']").count() == 1
    check(page, "e11-locked")

    # The locked page asks for the case back (申请退回修改); the request waits for staff.
    page.fill("#return-reason", "第三部分的办件量数据填错，应为83.97万件。")
    page.click("#return-request button[type=submit]")
    assert "已向市发改委申请退回修改" in page.locator(".alert-success").inner_text()
    assert "等待市发改委处理" in page.locator("#return-request").inner_text()
    assert case.return_requests.get().status == "open"
    check(page, "e11b-return-requested")
    assert round_.pk


def test_the_expert_scores_and_moves_on(sized, expert, officer_a):
    page, base = sized, sized.base_url
    criteria = [
        {**CRITERIA[0], "guidance": "看改革举措是否在全国或全市率先推出，有无制度创新。"},
        {**CRITERIA[1], "guidance": "看企业和群众的获得感，是否有满意度等数据支撑。"},
        CRITERIA[2],
    ]
    round_ = RoundFactory(year=2026, status=Round.Status.REVIEW, criteria=criteria)
    first = CaseFactory(
        round=round_,
        district=district("huangpu"),
        shortlisted=True,
        title="入围案例一：推行“一业一证”改革，企业开办全程网办",
    )
    second = CaseFactory(
        round=round_, district=district("jiading"), shortlisted=True, title="入围案例二"
    )
    KeyFigure.objects.create(case=first, indicator="企业开办时间", value="1", unit="天")
    Attachment.objects.create(
        case=first,
        file=ContentFile(PDF, name="方案.pdf"),
        original_name="实施方案.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=officer_a,
    )
    mine = [review.add_assignment(case=c, expert=expert) for c in (first, second)]

    page.goto(base + "/accounts/login/")
    login(page, "expert")
    page.goto(base + "/selection/expert/")
    check(page, "e20-expert-home")
    # One line per button, not a character a line, beside a long title on a phone.
    assert page.locator("[data-testid^=sheet-]").first.bounding_box()["height"] < 40

    page.locator("tr", has_text="入围案例一").locator("a").click()
    assert "看改革举措是否在全国或全市率先推出" in page.locator("#score-form").inner_text()
    assert "企业开办时间" in page.locator("#key-figures").inner_text()
    assert "实施方案.pdf" in page.locator("#case-attachments").inner_text()
    check(page, "e21-sheet")

    # The running total follows the typing; a score over the limit is marked, not counted.
    page.fill("input[name=leading]", "36")
    page.fill("input[name=felt]", "25.5")
    assert page.locator("#running-total").inner_text() == "61.50"
    page.fill("input[name=replicable]", "31")
    assert page.locator("#running-total").inner_text() == "61.50"
    assert page.locator("input[name=replicable].is-invalid").count() == 1
    assert "不在允许范围内" in page.locator("#score-range-note").inner_text()
    check(page, "e22-sheet-over-limit")
    page.fill("input[name=replicable]", "24")
    assert page.locator("#running-total").inner_text() == "85.50"
    assert page.locator("input.is-invalid").count() == 0

    page.click("button[value=save]")
    assert "草稿已保存" in page.locator(".alert-success").inner_text()
    assert page.locator("#running-total").inner_text() == "85.50"
    sheet = ScoreSheet.objects.get(assignment=mine[0])
    assert sheet.status == ScoreSheet.Status.DRAFT
    check(page, "e23-sheet-saved")

    # Submitting asks first, with the scores listed; confirming locks the sheet.
    page.click("button[value=submit]")
    confirmation = page.locator("[data-testid=confirmation]").inner_text()
    assert "合计：85.50 / 100" in confirmation and "评分表提交后锁定" in confirmation
    check(page, "e23b-confirm-scores")
    assert ScoreSheet.objects.get(assignment=mine[0]).status == ScoreSheet.Status.DRAFT
    page.click("[data-testid=confirm]")
    assert "评分已提交" in page.locator(".alert-success").inner_text()
    assert ScoreSheet.objects.get(assignment=mine[0]).status == ScoreSheet.Status.SUBMITTED
    page.goto(base + f"/selection/expert/sheets/{mine[0].pk}/")

    page.click("#next-case")
    assert page.locator("h1").inner_text() == "入围案例二"
    check(page, "e24-next-sheet")

    page.goto(base + f"/selection/expert/rounds/{round_.pk}/print/")
    assert "看改革举措是否在全国或全市率先推出" in page.locator("#print-guidance").inner_text()
    check(page, "e25-paper-sheet")


def test_staff_answer_a_return_request_and_the_district_reads_it(sized, officer_a, staff):
    """申请退回修改 from the staff side: the request on the case page and the dashboard, a
    refusal with its reason, read by the district on its case page."""
    from cases import workflow

    page, base = sized, sized.base_url
    now = timezone.now()
    round_ = RoundFactory(
        year=2027,
        status=Round.Status.SUBMISSION,
        submission_opens=now - timedelta(days=3),
        submission_closes=now + timedelta(days=21),
        vote_opens=now + timedelta(days=28),
    )
    case = CaseFactory(
        round=round_,
        district=district("jiading"),
        status=Case.Status.SUBMITTED,
        submitted_at=now,
        title="“一网通办”企业开办全程网上办理",
    )
    workflow.request_return(case=case, user=officer_a, reason="第三部分的办件量数据填错。")

    login(page, "staff")
    page.goto(base + f"/cases/staff/?round={round_.pk}")
    assert page.locator("[data-testid=return-requested]").count() == 1
    check(page, "e30-dashboard-return-requested")
    page.goto(base + f"/cases/staff/cases/{case.pk}/")
    assert "第三部分的办件量数据填错" in page.locator("#return-request").inner_text()
    check(page, "e31-staff-return-request")
    page.fill("#decline-reason", "材料已进入受理，数据差异请在评审答辩时说明。")
    page.click("#return-request button[type=submit]")
    assert "不同意退回" in page.locator(".alert-success").inner_text()
    assert page.locator("#return-request").count() == 0

    page.context.clear_cookies()
    login(page, "officer_a")
    page.goto(base + f"/cases/submission/{case.pk}/")
    assert "数据差异请在评审答辩时说明" in page.locator("#return-declined").inner_text()
    assert page.locator("#return-reason").count() == 1  # may ask again
    check(page, "e32-return-declined")
