"""In Chromium, as commission staff: one round from set-up to publication, every step reached
from the workspace (工作台), the irreversible ones through their confirmation page (issue #19).

District officers' filing, the public vote and the experts' scoring have walks of their own;
here they are done in the database between the staff steps. Each main page is photographed at
1280 and 390 px into /tmp/shots/helper-C/ and, at 390, must not scroll sideways.
"""

from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case, District, Round
from publishing.models import Objection
from reviews import review
from reviews.factories import VoterFactory
from reviews.models import Assignment, Vote
from tests.conftest import make_user
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/helper-C")
YEAR = 2031  # beyond chinesecalendar's years: the 公示 warns of weekdays only, as staff see it


def shots(page, name):
    """Photograph the page at 1280 and 390 px; at 390 nothing may scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}_1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.documentElement.clientWidth <= 390")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    page.screenshot(path=str(SHOTS / f"{name}_390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 390, (name, width)


def to_workspace(page):
    page.click("[data-testid=nav-workspace]")
    page.wait_for_selector("[data-testid=workspace-round]")


def next_step(page, round_, key):
    """Follow the workspace's next step for ``round_``, checking which step it offers."""
    to_workspace(page)
    card = page.locator(f"[data-testid=workspace-round][data-round='{round_.pk}']")
    action = card.locator("[data-testid=next-action]")
    assert action.get_attribute("data-action") == key, card.inner_text()
    action.click()
    page.wait_for_load_state("networkidle")


def confirm(page, name):
    page.wait_for_selector("[data-testid=confirmation]")
    shots(page, name)
    page.click("[data-testid=confirm]")
    page.wait_for_load_state("networkidle")


def test_staff_run_a_round_from_the_workspace(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("staff", role="staff", is_staff=True, last_name="王", first_name="工作")
    pudong = District.objects.get(code="pudong")
    # Three experts; 孙 is from 浦东新区, so 回避 on 浦东's case.
    make_user("expert_zhao", role="expert", last_name="赵", first_name="专家")
    make_user("expert_qian", role="expert", last_name="钱", first_name="专家")
    make_user("expert_sun", role="expert", last_name="孙", first_name="专家", district=pudong)
    base = page.base_url

    # Staff land on the workspace and set the round up there.
    login(page, "staff")
    assert page.url.endswith("/workspace/")
    nav = page.locator("nav").first.inner_text()
    assert "工作台" in nav and "操作记录" in nav and "我的评审" not in nav
    page.click("text=新建评选")
    page.fill("input[name=year]", str(YEAR))
    page.fill("input[name=title]", f"{YEAR} 年度上海市各区优化营商环境优秀案例评选")
    page.fill("input[name=submission_opens]", f"{YEAR - 1}-09-01T09:00")
    page.fill("input[name=submission_closes]", f"{YEAR + 1}-09-30T17:00")
    page.fill("textarea[name=criteria-0-guidance]", "看改革举措是否首创、能否示范带动。")
    shots(page, "round_form")
    page.click("#round-form button[type=submit]:has-text('保存')")
    page.wait_for_load_state("networkidle")
    round_ = Round.objects.get(year=YEAR)
    assert round_.criteria[0]["guidance"].startswith("看改革举措")

    # Open the submission: the workspace leads to the dashboard's phase switch.
    next_step(page, round_, "open_submission")
    page.click("button:has-text('转入“申报中”')")
    page.wait_for_load_state("networkidle")
    round_.refresh_from_db()
    assert round_.status == Round.Status.SUBMISSION

    # Districts file (their own walk); staff check the cases in, each 受理 asks first.
    cases = []
    for code, title in (
        ("jiading", "一网通办再提速"),
        ("pudong", "商事登记确认制"),
        ("xuhui", "智能退税"),
    ):
        cases.append(
            Case.objects.create(
                round=round_,
                district=District.objects.get(code=code),
                title=title,
                summary="摘要。",
                sections=[{"heading": "一、主要做法", "body": "做法。"}],
                status=Case.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
        )
    for index, case in enumerate(cases):
        next_step(page, round_, "check_in")
        page.goto(f"{base}/cases/staff/cases/{case.pk}/")
        page.click("text=受理，进入网络投票")
        if index == 0:
            confirm(page, "confirm_accept")
        else:
            page.click("[data-testid=confirm]")
            page.wait_for_load_state("networkidle")
    assert set(Case.objects.filter(round=round_).values_list("status", flat=True)) == {"accepted"}

    # Open the vote; the public votes (its own walk); staff close the vote, asked first.
    next_step(page, round_, "open_vote")
    page.click("button:has-text('转入“网络投票”')")
    page.wait_for_load_state("networkidle")
    for case, n in zip(cases, (3, 2, 1), strict=True):
        for _ in range(n):
            Vote.objects.create(round=round_, case=case, voter=VoterFactory())
    shots(page, "workspace_voting")
    next_step(page, round_, "close_vote")
    shots(page, "vote_monitor")
    page.click("button:has-text('结束投票')")
    confirm(page, "confirm_close_vote")
    round_.refresh_from_db()
    assert round_.status == Round.Status.REVIEW

    # Experts are assigned (the 浦东 expert is 回避 on 浦东's case) and score (their walk).
    to_workspace(page)
    shots(page, "workspace")
    if Assignment.objects.filter(round=round_).exists():
        next_step(page, round_, "close_review")
    else:
        next_step(page, round_, "assign_experts")
        page.click("button:has-text('按默认规则补充分配')")
        page.wait_for_load_state("networkidle")
    shots(page, "assignments")
    sun = page.locator("#progress tr", has_text="孙专家").locator("[data-testid=recusals]")
    assert sun.inner_text() == "1"
    for assignment in Assignment.objects.filter(round=round_).select_related("expert"):
        review.save_sheet(
            assignment=assignment,
            user=assignment.expert,
            submit=True,
            values={"leading": "30", "felt": "25", "replicable": "20"},
        )
    next_step(page, round_, "close_review")
    page.click("[data-testid=close-review]")
    confirm(page, "confirm_close_review")
    page.wait_for_selector("#results")
    assert page.locator("[data-testid=phase-badge]").inner_text() == "评审已结束，待审定"
    sign_off = page.locator("[data-testid=sign-off]").inner_text()
    assert "专家组签字" in sign_off and "赵专家" in sign_off and "日期" in sign_off
    shots(page, "results")
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "results_print.png"), full_page=True)
    assert page.locator("[data-testid=sign-off]").is_visible()
    assert not page.locator("[data-testid=results-export]").is_visible()
    page.emulate_media(media="screen")

    # Approve, asked first.
    next_step(page, round_, "approve")
    page.click("[data-testid=approve]")
    confirm(page, "confirm_approve")
    page.wait_for_selector("#frozen")
    round_.refresh_from_db()
    assert round_.status == Round.Status.APPROVED

    # Start the 公示, asked first (the page names its end).
    next_step(page, round_, "start_publicity")
    page.click("button:has-text('开始公示')")
    page.wait_for_selector("[data-testid=confirmation]")
    assert "个工作日，至" in page.locator("[data-testid=confirmation]").inner_text()
    confirm(page, "confirm_publicity")
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLICITY

    # An objection arrives (the public's walk); staff answer it from the workspace.
    Objection.objects.create(
        round=round_, case=cases[0], name="某企业", contact="13900000000", grounds="数据有误"
    )
    next_step(page, round_, "answer_objections")
    page.select_option("select[name=action]", "dismiss")
    page.fill("textarea[name=reason]", "经核实，数据准确。")
    page.click("button:has-text('提交处理意见')")
    page.wait_for_load_state("networkidle")

    # The period still runs: staff end it early, with a reason, asked first.
    next_step(page, round_, "await_publicity")
    page.click("[data-testid=end-publicity]")
    page.fill("textarea[name=reason]", "经请示，公示期提前结束。")
    confirm(page, "confirm_end_publicity")
    round_.refresh_from_db()
    assert round_.publicity_ends <= timezone.now()

    # Publish, asked first; the notice files are generated in this request (Celery eager).
    next_step(page, round_, "publish")
    page.click("button[name=publish]")
    page.wait_for_selector("[data-testid=confirmation]")
    shots(page, "confirm_publish")
    page.click("[data-testid=confirm]", no_wait_after=True)
    page.wait_for_selector("text=已印发公布", timeout=120_000)
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLISHED

    to_workspace(page)
    shots(page, "workspace_done")

    # The audit log of the round, in Chinese and local time.
    page.goto(f"{base}/accounts/audit/?round={round_.pk}")
    body = page.locator("main").inner_text()
    assert "已受理" in body and "公示中" in body and "王工作" in body
    assert "accepted" not in body and "publicity →" not in body
    shots(page, "audit")
