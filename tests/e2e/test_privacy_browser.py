"""Personal information in headless Chromium at 1280 and 390 px, axe-core on every page
(issue #30): the footer's link to the notice, the notice, the phone page's consent (refused
without it, a code with it), the voter's own data and its deletion, an officer's account data.

Screenshots go to /tmp/shots/privacy_<page>_<width>.png for a person to look at.
"""

import re
from pathlib import Path

import pytest

from cases.models import Case
from reviews.factories import CaseFactory, RoundFactory, clear_rate_limits, district
from reviews.models import PhoneCode
from reviews.vote.sms import MemorySender
from tests.conftest import make_user
from tests.e2e.accessibility import assert_accessible, assert_no_sideways_scroll
from tests.e2e.conftest import login

SHOTS = Path("/tmp/shots")
WIDTHS = (1280, 390)


def look(page, name, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"privacy_{name}_{width}.png"), full_page=True)
    assert_accessible(page, context=f"{name} at {width} px")
    assert_no_sideways_scroll(page, context=f"{name} at {width} px")


@pytest.fixture
def world(settings, transactional_db):
    settings.SMS_SENDER = "reviews.vote.sms.MemorySender"
    MemorySender.clear()
    voting = RoundFactory(year=2026, votes_per_voter=3)
    case = CaseFactory(round=voting, title="“首违不罚”清单制度")
    make_user("officer_jd", role="officer", district=district("jiading"), phone="13900002222")
    return {"voting": voting, "case": case}


@pytest.mark.browser
def test_notice_consent_and_own_data_at_both_widths(pages, world):
    case = world["case"]
    for width, phone in zip(WIDTHS, ("13800000021", "13800000022"), strict=True):
        clear_rate_limits()
        page = pages(width)
        base = page.base_url

        # The footer of every page leads to the notice.
        page.goto(base + "/")
        page.click("[data-testid=footer-privacy]")
        page.wait_for_url(re.compile(r"/privacy/$"))
        assert "个人信息处理者" in page.locator("h2").first.inner_text()
        assert page.locator("[data-testid=privacy-items] tbody tr").count() >= 6
        look(page, "notice", width)

        # The phone page: the box is not ticked; without it no code is sent.
        page.goto(base + "/vote/phone/")
        sent = len(MemorySender.outbox)
        box = page.locator("input[name=consent]")
        assert not box.is_checked()
        page.fill("input[name=phone]", phone)
        page.fill("input[name=captcha_1]", "PASSED")
        # The browser's own check of a required box is left aside: the server's answer counts.
        page.evaluate("document.querySelector('input[name=consent]').required = false")
        page.click("button:has-text('获取验证码')")
        page.wait_for_selector("text=未勾选同意《个人信息处理告知》")
        assert not PhoneCode.objects.filter(phone=phone).exists()
        assert len(MemorySender.outbox) == sent
        look(page, "phone_refused", width)

        page.fill("input[name=captcha_1]", "PASSED")
        page.check("input[name=consent]")
        page.click("button:has-text('获取验证码')")
        page.wait_for_url(re.compile(r"/vote/verify/"))
        page.fill("input[name=code]", MemorySender.last_code(phone))
        page.click("button:has-text('验证')")
        page.wait_for_selector("text=手机号验证成功")
        page.locator(f"[data-testid=vote-{case.pk}]").click()
        page.wait_for_selector(f"[data-testid=card-message-{case.pk}]")

        # The voter's own data: masked phone, the vote, the deletion while the vote is open.
        page.click("[data-testid=own-data-link]")
        page.wait_for_url(re.compile(r"/vote/me/$"))
        masked = f"{phone[:3]}****{phone[7:]}"
        assert page.locator("[data-testid=own-phone]").inner_text() == masked
        assert case.title in page.locator("[data-testid=own-votes]").inner_text()
        look(page, "own_data", width)
        before = Case.objects.get(pk=case.pk).vote_count
        page.check("#confirm-delete")
        page.click("button:has-text('删除我的投票信息')")
        page.wait_for_selector("text=1 张选票已从计票中撤出")
        assert Case.objects.get(pk=case.pk).vote_count == before - 1
        look(page, "deleted", width)

        # An officer's own account data.
        login(page, "officer_jd")
        if width < 992:
            page.click(".navbar-toggler")
        page.click("[data-testid=nav-own-data]")
        page.wait_for_url(re.compile(r"/accounts/me/$"))
        assert page.locator("[data-testid=account-phone]").inner_text() == "13900002222"
        look(page, "account_data", width)
