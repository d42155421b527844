"""A district files a case and staff check it in, in headless Chromium.

Screenshots of the main pages go to /tmp/shots/ for a person to look at.
"""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case, Round, Topic
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import login, logout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SHOTS = Path("/tmp/shots")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert_accessible(page, name)  # axe: no serious or critical violation (#20)


@pytest.fixture
def seeded(transactional_db):
    """Districts and topics: the root conftest puts them back after each flush."""


@pytest.fixture
def round_2027(seeded):
    now = timezone.now()
    return Round.objects.create(
        year=2027,
        title="2027 年度上海市各区优化营商环境优秀案例评选",
        status=Round.Status.SUBMISSION,
        submission_opens=now - timedelta(days=3),
        submission_closes=now + timedelta(days=21),
        vote_opens=now + timedelta(days=28),
        max_cases_per_district=3,
    )


def fill_case(page):
    page.fill("[name=title]", "“小嘉帮办”服务品牌")
    page.fill("[name=subtitle]", "打造政务服务新体验")
    page.select_option("[name=topic]", label="政务服务")
    page.fill("[name=summary]", "嘉定区政务大厅推出快闪办、自助办、视讯办、陪同办四项服务。")
    page.fill("[name=background]", "嘉定区行政服务中心是全区一门式综合服务平台。\n年均办件量大。")
    page.fill("[name=approach]", "一是推出快闪办。\n二是引导自助办。")
    page.fill("[name=results]", "年均办件量83.97万件，群众满意率99%以上。")
    page.fill("[name=figures-0-indicator]", "年均办件量")
    page.fill("[name=figures-0-value]", "83.97")
    page.fill("[name=figures-0-unit]", "万件")
    page.fill("[name=contact_name]", "李嘉定")
    page.fill("[name=contact_phone]", "021-59991234")


def test_a_case_from_draft_to_acceptance(page, round_2027, officer_a, officer_b, staff):
    base = page.base_url
    # The officer starts on the district's list and opens a new case.
    login(page, "officer_a")
    assert page.url == base + "/cases/submission/"
    shot(page, "01-my-cases-empty")
    page.click("text=新建案例")
    fill_case(page)
    shot(page, "02-case-form")
    page.click("button[value=draft]")
    assert page.locator(".alert-success").inner_text().startswith("草稿已保存")
    case = Case.objects.get(title="“小嘉帮办”服务品牌")
    assert case.status == "draft" and case.district == officer_a.district

    # Leave, come back: everything is still there.
    page.goto(base + "/")
    page.goto(base + "/cases/submission/")
    shot(page, "03-my-cases-draft")
    page.click("text=编辑")
    assert page.input_value("[name=approach]") == "一是推出快闪办。\n二是引导自助办。"
    assert page.input_value("[name=figures-0-value]") == "83.97"

    # Preview as printed, then submit before the deadline.
    page.click("button[value=preview]")
    assert page.locator("#printed-case h1").inner_text() == "“小嘉帮办”服务品牌"
    assert page.locator("#printed-case").inner_text().count("二、主要做法") == 1
    shot(page, "04-preview")
    page.click("a.btn:has-text('提交申报')")
    # Nothing happens before the officer confirms on the page that says what will.
    assert "占用本区申报名额" in page.locator("[data-testid=confirmation]").inner_text()
    page.click("[data-testid=confirm]")
    assert "案例已提交申报" in page.locator(".alert-success").inner_text()
    assert page.locator("#locked-note").is_visible()
    assert page.locator("a:has-text('编辑')").count() == 0
    shot(page, "05-submitted-locked")
    response = page.goto(base + f"/cases/submission/{case.pk}/edit/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "已提交，已锁定"
    page.goto(base + f"/cases/submission/{case.pk}/")
    logout(page)

    # Staff return it with a comment.
    login(page, "staff")
    assert page.url == base + "/workspace/"  # the staff workspace (#19)
    page.goto(base + "/cases/staff/")
    shot(page, "06-staff-dashboard")
    page.click("#case-table >> text=审核")
    shot(page, "07-staff-review")
    page.fill("#return-form [name=reason]", "请补充“视讯办”的办件数据。")
    page.click("button:has-text('退回修改')")
    assert "案例已退回区里修改" in page.locator(".alert-success").inner_text()
    logout(page)

    # The officer reads the comment, fixes the case and submits it again.
    login(page, "officer_a")
    page.click(f"a[href='/cases/submission/{case.pk}/']")
    assert "请补充“视讯办”的办件数据。" in page.locator("#staff-comment").inner_text()
    shot(page, "08-returned")
    page.click("a.btn:has-text('编辑')")
    page.fill(
        "[name=approach]", "一是推出快闪办。\n二是引导自助办。\n三是开通视讯办，累计办件1.2万件。"
    )
    page.click("button[value=submit]")
    page.click("[data-testid=confirm]")
    assert "案例已提交申报" in page.locator(".alert-success").inner_text()
    case.refresh_from_db()
    assert case.status == "submitted" and "视讯办" in case.sections[1]["body"]
    logout(page)

    # Another district's case, to reject.
    other = Case.objects.create(
        round=round_2027,
        district=officer_b.district,
        title="浦东照搬的案例",
        topic=Topic.objects.first(),
        status="submitted",
        submitted_at=timezone.now(),
    )

    # Staff accept the first, reject the second, look at the dashboard and export it.
    login(page, "staff")
    page.goto(base + f"/cases/staff/cases/{case.pk}/")
    page.click("text=受理，进入网络投票")
    page.click("[data-testid=confirm]")  # the confirmation page (core.confirm)
    assert "案例已受理" in page.locator(".alert-success").inner_text()
    page.goto(base + f"/cases/staff/cases/{other.pk}/")
    page.fill("#return-form [name=reason]", "与往年案例高度重复。")
    page.click("button:has-text('不予受理')")
    page.click("[data-testid=confirm]")
    assert "案例已标记为不予受理" in page.locator(".alert-success").inner_text()
    case.refresh_from_db()
    other.refresh_from_db()
    assert (case.status, other.status) == ("accepted", "rejected")
    jiading = page.locator("#district-table tr[data-district=jiading] td")
    assert jiading.nth(4).inner_text() == "1"  # 已受理
    assert "嘉定区" not in page.locator("#missing-districts").inner_text()
    shot(page, "09-staff-dashboard-after")
    with page.expect_download() as download_info:
        page.click("#export-link")
    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    rows = list(book["申报案例"].values)
    assert rows[0][:3] == ("序号", "区", "主标题")
    assert {r[2] for r in rows[1:]} == {"“小嘉帮办”服务品牌", "浦东照搬的案例"}

    page.goto(base + f"/cases/submission/{case.pk}/history/")
    steps = page.locator("#transitions li")
    assert steps.count() == 4
    assert "请补充“视讯办”的办件数据。" in steps.nth(1).inner_text()
    shot(page, "10-history")


def test_typed_text_survives_an_expired_session(page, round_2027, officer_a):
    base = page.base_url
    login(page, "officer_a")
    page.goto(base + f"/cases/submission/rounds/{round_2027.pk}/new/")
    page.fill("[name=title]", "会话过期前写的标题")
    page.fill("[name=approach]", "第一段做法。\n第二段做法，写了很久。")
    # The autosave runs shortly after typing: wait until the browser holds the text.
    page.wait_for_function(
        """() => {
        const form = document.querySelector("form[data-autosave-key]");
        const saved = form && window.localStorage.getItem(form.dataset.autosaveKey);
        return saved !== null && saved.includes("第二段做法，写了很久。");
    }"""
    )

    # The session expires (the CSRF cookie stays, as it does in real life).
    page.context.clear_cookies(name="sessionid")
    page.click("button[value=draft]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url and "next=" in page.url
    assert not Case.objects.exists()

    page.fill("input[name=username]", "officer_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/cases/submission/rounds/{round_2027.pk}/new/")
    assert page.locator("#autosave-restored").is_visible()
    assert page.input_value("[name=title]") == "会话过期前写的标题"
    assert page.input_value("[name=approach]") == "第一段做法。\n第二段做法，写了很久。"
    shot(page, "11-restored-after-login")

    page.click("button[value=draft]")
    case = Case.objects.get()
    assert case.title == "会话过期前写的标题"
    assert case.sections == [
        {"heading": "二、主要做法", "body": "第一段做法。\n第二段做法，写了很久。"}
    ]
    # Saved on the server: the stored copy is not offered again.
    page.goto(base + f"/cases/submission/{case.pk}/edit/")
    assert not page.locator("#autosave-restored").is_visible()


def test_an_error_keeps_the_text_in_the_browser(page, round_2027, officer_a):
    login(page, "officer_a")
    page.goto(page.base_url + f"/cases/submission/rounds/{round_2027.pk}/new/")
    fill_case(page)
    page.fill("[name=contact_phone]", "12345")
    page.click("button[value=submit]")
    assert "请输入有效的联系电话" in page.locator("form#case-form").inner_text()
    assert page.input_value("[name=approach]") == "一是推出快闪办。\n二是引导自助办。"
    assert page.input_value("[name=figures-0-indicator]") == "年均办件量"
    shot(page, "12-form-error")
    assert not Case.objects.exists()
