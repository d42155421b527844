"""A whole selection in headless Chromium: two voters vote, staff close the vote, three
experts score (one declares a conflict), staff close the review and approve the result.

Screenshots go to /tmp/shots/sel_*.png for a person to look at.
"""

import re
from pathlib import Path

import pytest

from cases.models import Round
from reviews.factories import (
    CaseFactory,
    RoundFactory,
    clear_rate_limits,
    district,
    reseed_reference_data,
)
from reviews.models import Result, ScoreSheet
from reviews.vote.sms import MemorySender
from tests.conftest import make_user
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import login

SHOTS = Path("/tmp/shots")
SCORES = {  # expert -> case title -> (leading, felt, replicable)
    "expert": {"甲": ("36", "26", "25"), "乙": ("30", "22.5", "20")},
    "expert_b": {"甲": ("34", "25", "27")},
    "expert_c": {"甲": ("38", "27", "26"), "乙": ("33", "24", "21")},
}


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"sel_{name}.png"), full_page=True)
    assert_accessible(page, name)  # axe: no serious or critical violation (#20)


def new_page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def vote_as(page, phone, titles):
    page.goto(page.base_url + "/vote/")
    page.click("text=验证手机号后投票")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=captcha_1]", "PASSED")  # the captcha's test mode (tests/conftest.py)
    page.check("input[name=consent]")
    page.click("button:has-text('获取验证码')")
    page.wait_for_url(re.compile(r"/vote/verify/"))
    page.fill("input[name=code]", MemorySender.last_code(phone))
    page.click("button:has-text('验证')")
    page.wait_for_selector("text=手机号验证成功")
    for title in titles:
        card = page.locator(".card", has_text=title).last
        card.locator("button:has-text('投一票')").click()
        page.wait_for_selector(f"text=已为“{title}")


def score_as(page, username, sheets, recuse=None, logged_in=False):
    if not logged_in:
        login(page, username)
    page.goto(page.base_url + "/selection/expert/")
    for title, values in sheets.items():
        page.locator("tr", has_text=f"受理案例{title}").locator("a").click()
        for key, value in zip(("leading", "felt", "replicable"), values, strict=True):
            page.fill(f"input[name={key}]", value)
        page.click("button[value=submit]")
        page.click("[data-testid=confirm]")  # the confirmation page lists the scores
        page.wait_for_selector("text=评分已提交")
    if recuse:
        page.locator("tr", has_text=f"受理案例{recuse}").locator("a").click()
        page.click("summary:has-text('声明回避')")
        page.fill("input[name=reason]", "本人曾参与该项目方案论证")
        page.click("button:has-text('声明回避')")
        page.wait_for_selector("text=已声明回避")


@pytest.fixture(scope="module", autouse=True)
def keep_reference_data(django_db_blocker):
    """Module-scoped, so it ends after the last test's final flush of every table."""
    yield
    with django_db_blocker.unblock():
        reseed_reference_data()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_whole_selection(
    keep_reference_data, browser, live_server, settings, staff, expert, expert_b
):
    settings.SMS_SENDER = "reviews.vote.sms.MemorySender"
    MemorySender.clear()
    clear_rate_limits()
    make_user("expert_c", role="expert", organisation="同济大学", last_name="周", first_name="评审")
    round_ = RoundFactory(
        year=2026,
        title="2026 年度上海市各区优化营商环境案例评选",
        shortlist_size=2,
        votes_per_voter=2,
        vote_count_mode="live",
        trim=0,
        tiers=[{"name": "优秀案例", "size": 1}, {"name": "良好实践", "size": 1}],
    )
    for name, code in (("甲", "jiading"), ("乙", "huangpu"), ("丙", "xuhui")):
        CaseFactory(
            round=round_,
            title=f"受理案例{name}",
            district=district(code),
            summary=f"{name}区案例摘要：推行“一网通办”，企业办事时间平均压缩 60%。",
        )

    # Two voters, each proving a phone with the code the sender captured.
    voter1 = new_page(browser, live_server)
    vote_as(voter1, "13800000001", ["受理案例甲", "受理案例乙"])
    shot(voter1, "vote_round")
    voter2 = new_page(browser, live_server)
    vote_as(voter2, "13800000002", ["受理案例甲"])
    voter2.click("text=受理案例丙")
    voter2.wait_for_selector("text=阅读全文", state="detached")
    shot(voter2, "vote_case")
    # The second voter tries to vote for 甲 again: not possible from the page.
    voter2.goto(voter2.base_url + f"/vote/{round_.pk}/")
    assert voter2.locator(".card", has_text="受理案例甲").locator("text=已投票").count() == 1

    # Staff watch the vote and close it: 甲 (2 votes) and 乙 (1) are shortlisted.
    staff_page = new_page(browser, live_server)
    login(staff_page, "staff")
    staff_page.goto(staff_page.base_url + f"/selection/rounds/{round_.pk}/votes/")
    staff_page.wait_for_selector("#vote-chart")
    shot(staff_page, "staff_votes")
    staff_page.click("button:has-text('结束投票')")
    staff_page.click("[data-testid=confirm]")
    staff_page.wait_for_selector("text=入围专家评审")
    shot(staff_page, "assignments")
    round_.refresh_from_db()
    assert round_.status == Round.Status.REVIEW

    # Three experts score; expert_b declares a conflict with 乙.
    expert_page = new_page(browser, live_server)
    score_as(expert_page, "expert", SCORES["expert"])
    shot(expert_page, "expert_home")
    score_as(new_page(browser, live_server), "expert_b", SCORES["expert_b"], recuse="乙")
    third = new_page(browser, live_server)
    login(third, "expert_c")
    third.goto(third.base_url + "/selection/expert/")
    third.locator("tr", has_text="受理案例乙").locator("a").click()
    shot(third, "expert_sheet")
    score_as(third, "expert_c", SCORES["expert_c"], logged_in=True)

    # Staff see who finished but no score, then close the review and approve.
    staff_page.goto(staff_page.base_url + f"/selection/rounds/{round_.pk}/results/")
    assert staff_page.locator("#sealed").count() == 1
    assert "36" not in staff_page.locator("main").inner_text().replace("2026", "")
    staff_page.goto(staff_page.base_url + f"/selection/rounds/{round_.pk}/assignments/")
    shot(staff_page, "assignments_done")
    staff_page.click("[data-testid=close-review]")
    staff_page.click("[data-testid=confirm]")
    staff_page.wait_for_selector("#results")
    shot(staff_page, "results")
    text = staff_page.locator("#results").inner_text()
    # 甲: totals 87, 86, 91 -> mean 88 -> 88.00; 乙: totals 72.5, 78 -> 75.25.
    assert "88.00" in text and "75.25" in text and "expert_b 回避" in text
    staff_page.click("[data-testid=approve]")
    staff_page.click("[data-testid=confirm]")
    staff_page.wait_for_selector("#frozen")
    shot(staff_page, "results_frozen")
    staff_page.goto(staff_page.base_url + f"/selection/rounds/{round_.pk}/print/{expert.pk}/")
    shot(staff_page, "print")

    round_.refresh_from_db()
    assert round_.status == Round.Status.APPROVED
    assert list(Result.objects.order_by("overall_rank").values_list("case__title", "tier")) == [
        ("受理案例甲", "优秀案例"),
        ("受理案例乙", "良好实践"),
    ]
    assert ScoreSheet.objects.filter(status="submitted").count() == 5
