"""The pages whose scripts moved out of the templates (issue #15) still work in Chromium under
the enforced Content-Security-Policy, and Chromium reports no violation: the `page` fixture
(tests/e2e/conftest.py) fails a test whose pages reported one."""

import re

import pytest

from cases.models import Round
from reviews import review
from reviews.factories import CaseFactory, RoundFactory, district, reseed_reference_data
from reviews.models import ScoreSheet
from tests.conftest import make_user
from tests.e2e.conftest import login
from tests.factories import published_case, published_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def keep_reference_data(django_db_blocker):
    """Module-scoped, so it ends after the last test's final flush of every table."""
    yield
    with django_db_blocker.unblock():
        reseed_reference_data()


def chart_drawn(page, canvas_id):
    return page.evaluate(f"() => !!(window.Chart && Chart.getChart('{canvas_id}'))")


def test_the_policy_blocks_inline_code_and_the_watch_sees_it(page):
    page.goto(page.base_url + "/")
    page.evaluate(
        """() => {
        const button = document.createElement("button");
        button.id = "injected";
        button.setAttribute("onclick", "document.title = 'ran'");
        document.body.append(button);
    }"""
    )
    with page.expect_console_message(lambda m: "CSP violation: script-src" in m.text):
        page.click("#injected")
    assert page.title() != "ran"
    assert any("script-src" in p for p in page.policy_problems)
    page.policy_problems.clear()  # seen: not a failure of this test


def test_the_public_statistics_draw_their_charts(page):
    round_ = published_round(year=2022)
    published_case(round_, tier="优秀案例", rank=1, title="案例一", district="嘉定区")
    page.goto(page.base_url + "/statistics/")
    page.wait_for_function("() => window.Chart && Chart.getChart('awards-chart')")
    assert chart_drawn(page, "cases-chart")


def test_staff_pages_with_moved_scripts(page, staff):
    voting = RoundFactory(year=2026)
    CaseFactory(round=voting, title="受理案例甲", district=district("jiading"))
    login(page, "staff")
    base = page.base_url

    # The round form: "add a row" adds a criterion row.
    page.goto(f"{base}/cases/staff/rounds/new/")
    rows = page.locator("[data-rows] tr")
    before = rows.count()
    page.locator("[data-add-row]").first.click()
    assert rows.count() == before + 1

    # The dashboard and the audit trail submit their filter when it changes.
    page.goto(f"{base}/cases/staff/")
    page.select_option("select[name=round]", str(voting.pk))
    page.wait_for_url(re.compile(rf"round={voting.pk}"))
    page.goto(f"{base}/accounts/audit/")
    label = page.locator("select[name=model] option").nth(1).get_attribute("value")
    page.select_option("select[name=model]", label)
    page.wait_for_url(re.compile(r"model="))

    # The vote monitor draws its chart; closing the vote asks first on a confirmation page
    # (core.confirm), and "返回" keeps it open.
    page.goto(f"{base}/selection/rounds/{voting.pk}/votes/")
    page.wait_for_function("() => window.Chart && Chart.getChart('vote-chart')")
    page.click("button:has-text('结束投票')")
    page.wait_for_selector("[data-testid=confirmation]")
    page.click("text=返回，不执行")
    page.wait_for_function("() => window.Chart && Chart.getChart('vote-chart')")
    voting.refresh_from_db()
    assert voting.status == Round.Status.VOTING
    page.click("button:has-text('结束投票')")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("text=入围专家评审")
    voting.refresh_from_db()
    assert voting.status == Round.Status.REVIEW


def test_the_expert_sheet_asks_before_submitting_and_the_print_button_prints(
    page, browser, live_server, staff, expert
):
    round_ = RoundFactory(year=2025, status=Round.Status.REVIEW)
    case = CaseFactory(round=round_, title="入围案例一", shortlisted=True)
    review.add_assignment(case=case, expert=expert)
    login(page, "expert")
    page.goto(page.base_url + "/selection/expert/")
    page.locator("tr", has_text="入围案例一").locator("a").click()
    for key, value in (("leading", "30"), ("felt", "20"), ("replicable", "20")):
        page.fill(f"input[name={key}]", value)
    # Submitting asks first on a confirmation page (no window.confirm under the CSP); going
    # back keeps the scores as a draft.
    page.click("button[value=submit]")
    assert "合计：70.00 / 100" in page.locator("[data-testid=confirmation]").inner_text()
    page.click("a:has-text('返回，不执行')")
    page.wait_for_selector("#score-form")
    assert float(page.input_value("#score-form input[name=leading]")) == 30  # the saved draft
    assert not ScoreSheet.objects.filter(status="submitted").exists()
    page.click("button[value=submit]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("text=评分已提交")

    # Staff print the expert's paper sheet (window.print stubbed: headless has no printer).
    page.context.clear_cookies()
    page.add_init_script("window.print = () => { window.printed = true; };")
    login(page, "staff")
    page.goto(page.base_url + f"/selection/rounds/{round_.pk}/print/{expert.pk}/")
    page.click("[data-print]")
    assert page.evaluate("() => window.printed === true")


def test_the_admin_works_under_the_policy(page, staff):
    staff.is_superuser = True
    staff.save()
    make_user("officer_x", role="officer", organisation="嘉定区发改委")
    login(page, "staff")
    base = page.base_url

    # The changelist's actions (admin/js/actions.js): ticking a row updates the counter.
    page.goto(f"{base}/admin/accounts/user/")
    counter = page.locator(".action-counter")
    before = counter.inner_text()
    page.locator("input.action-select").first.check()
    assert counter.inner_text() != before
    page.select_option("select[name=action]", "delete_selected")
    page.click("button[name=index]")
    page.wait_for_selector("input[name=post]", state="attached")  # the confirmation page
    # The change form with its widgets, the import page, the export page's "select all".
    page.goto(f"{base}/admin/accounts/user/{staff.pk}/change/")
    page.wait_for_selector("#user_form")
    page.goto(f"{base}/admin/accounts/user/import/")
    page.wait_for_selector("input[type=file]")
    page.goto(f"{base}/admin/accounts/user/export/")
    boxes = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert boxes.count() > 1
    page.locator("input.select-toggle").uncheck()
    assert all(not boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.locator("input.select-toggle").check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
