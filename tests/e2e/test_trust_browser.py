"""Trust in the result (#21), walked in headless Chromium at 1280 and 390 px with axe-core:
a district officer reads the feedback on the district's case, staff read the panel's
agreement on the results page, a voter sees the daily count (and no live count after voting),
and staff see a run of near-consecutive numbers on the fraud review and void it.

Screenshots go to /tmp/shots/trust_*.png for a person to look at.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Round
from reviews.factories import CaseFactory, RoundFactory, VoterFactory, clear_rate_limits
from reviews.models import Vote
from reviews.vote.sms import MemorySender
from tests.e2e.accessibility import assert_accessible, assert_no_sideways_scroll
from tests.e2e.conftest import login
from tests.test_feedback import build_published

SHOTS = Path("/tmp/shots")
WIDTHS = (1280, 390)


def look(page, name, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"trust_{name}_{width}.png"), full_page=True)
    assert_accessible(page, context=f"{name} at {width} px")
    assert_no_sideways_scroll(page, context=f"{name} at {width} px")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_feedback_to_the_district_and_the_panel_for_staff(pages, staff, officer_a):
    round_, (jiading, *_rest), _experts = build_published(staff)
    for width in WIDTHS:
        officer = pages(width)
        login(officer, "officer_a")
        officer.goto(officer.base_url + "/selection/feedback/")
        officer.click(f"a[href$='/selection/feedback/{jiading.pk}/']")
        officer.wait_for_selector("text=总排名第 2 名")
        text = officer.locator("main").inner_text()
        assert "80.31" in text and "33.63" in text and "做法可在全市复制推广。" in text
        # Never an expert's name, one expert's score, or the comment meant for staff.
        for hidden in ("专家e1", "专家e2", "85.5", "72.75", "内部评语"):
            assert hidden not in text, hidden
        look(officer, "feedback", width)

        desk = pages(width)
        login(desk, "staff")
        desk.goto(desk.base_url + f"/selection/rounds/{round_.pk}/results/")
        panel = desk.locator("#panel")
        assert "专家评分一致性" in panel.inner_text()
        look(desk, "results_panel", width)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_daily_count_and_a_run_of_numbers_on_the_fraud_review(pages, settings, staff):
    settings.SMS_SENDER = "reviews.vote.sms.MemorySender"
    MemorySender.clear()
    clear_rate_limits()
    now = timezone.localtime()
    due = now - timedelta(hours=1)
    round_ = RoundFactory(
        year=2027,
        votes_per_voter=2,
        vote_opens=now - timedelta(days=2),
        vote_closes=now + timedelta(days=2),
        vote_count_mode=Round.VoteCounts.DAILY,
        vote_count_time=due.time().replace(second=0, microsecond=0),
    )
    target = CaseFactory(round=round_, title="受理案例甲")
    CaseFactory(round=round_, title="受理案例乙")
    # Five near-consecutive numbers voted for 甲 before the daily time.
    for i in range(5):
        voter = VoterFactory(phone=f"1370000000{i}")
        Vote.objects.create(
            round=round_, case=target, voter=voter, created_at=due - timedelta(minutes=30 - i)
        )
    target.vote_count = 5
    target.save(update_fields=["vote_count"])

    for width, phone in zip(WIDTHS, ("13800000001", "13800000002"), strict=True):
        voter = pages(width)
        voter.goto(voter.base_url + f"/vote/{round_.pk}/")
        voter.wait_for_selector("[data-testid=count-schedule-note]")
        badge = voter.locator(f"[data-testid=public-count-{target.pk}]")
        assert badge.inner_text() == "5 票"
        look(voter, "vote_daily", width)
        voter.click("text=验证手机号后投票")
        voter.fill("input[name=phone]", phone)
        voter.fill("input[name=captcha_1]", "PASSED")
        voter.check("input[name=consent]")
        voter.click("button:has-text('获取验证码')")
        voter.wait_for_url(re.compile(r"/vote/verify/"))
        voter.fill("input[name=code]", MemorySender.last_code(phone))
        voter.click("button:has-text('验证')")
        voter.goto(voter.base_url + f"/vote/{round_.pk}/")
        card = voter.locator(".card", has_text="受理案例甲").last
        card.locator("button:has-text('投一票')").click()
        voter.wait_for_selector("text=已为“受理案例甲”投票")
        # The vote counted, but the page keeps the published snapshot's figure.
        assert badge.inner_text() == "5 票"
        voter.reload()
        assert voter.locator(f"[data-testid=public-count-{target.pk}]").inner_text() == "5 票"

    desk = pages(1280)
    login(desk, "staff")
    desk.goto(desk.base_url + f"/selection/rounds/{round_.pk}/votes/")
    flag = desk.locator(".card", has_text="相近号码").first
    assert "5 个相近号码（13700000000 起）投给同一案例" in flag.inner_text()
    look(desk, "fraud_review", 1280)
    flag.locator("input[name=reason]").first.fill("号段连号集中投票，经核实为同一来源")
    flag.locator("button:has-text('作废这批选票')").click()
    desk.wait_for_load_state("networkidle")
    assert Vote.objects.filter(case=target, voided=True).count() == 5
    target.refresh_from_db()
    assert target.vote_count == 2  # the two votes cast through the page stand
