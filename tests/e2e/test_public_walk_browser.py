"""The public's walk (#20) in headless Chromium at 1280 and 390 px, axe-core on every page:
home → the open vote → tap a vote → verify the phone → that vote offered again → 公示 →
a case under 公示 → an objection with its reference code → the archive's topic filter.

Screenshots go to /tmp/shots/helper-D/public_<page>_<width>.png for a person to look at.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.models import District, Round, Topic
from publishing import objections, publication
from publishing.models import Objection
from reviews.factories import CaseFactory, RoundFactory, clear_rate_limits
from reviews.models import Vote
from reviews.vote.sms import MemorySender
from tests.e2e.accessibility import assert_accessible, assert_no_sideways_scroll
from tests.factories import approved_round

SHOTS = Path("/tmp/shots/helper-D")
WIDTHS = (1280, 390)
NOTICE = Path(__file__).resolve().parents[2] / "cases" / "data" / "notices" / "2022.txt"


def look(page, name, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"public_{name}_{width}.png"), full_page=True)
    assert_accessible(page, context=f"{name} at {width} px")
    assert_no_sideways_scroll(page, context=f"{name} at {width} px")
    assert "区待确认" not in page.locator("body").inner_text()


@pytest.fixture
def world(settings, transactional_db):
    settings.SMS_SENDER = "reviews.vote.sms.MemorySender"
    MemorySender.clear()
    clear_rate_limits()
    call_command("import_notice", str(NOTICE), "--year", "2022", stdout=io.StringIO())
    voting = RoundFactory(year=2026, votes_per_voter=3)
    jiading = District.objects.get(code="jiading")
    for n in range(6):  # a long page on a phone: the tapped card is far down
        CaseFactory(round=voting, title=f"推进“一网通办”改革第{n + 1}例", district=jiading)
    tapped = CaseFactory(round=voting, title="“首违不罚”清单制度", district=jiading)
    listed = approved_round(
        2025,
        objection_contact="上海市发展和改革委员会营商环境处\n电话：021-23111111",
    )
    publication.start_publicity(round=listed)
    listed.refresh_from_db()
    return {"voting": voting, "tapped": tapped, "listed": listed}


@pytest.mark.browser
def test_the_public_walk_at_both_widths(pages, world):
    voting, tapped, listed = world["voting"], world["tapped"], world["listed"]
    tax = Topic.objects.get(name="税费服务")
    for width, phone in zip(WIDTHS, ("13800000011", "13800000012"), strict=True):
        clear_rate_limits()
        page = pages(width)
        base = page.base_url

        # Home: the open vote leads the page, and the navigation names it.
        page.goto(base + "/")
        card = page.locator("[data-testid=open-vote-card]")
        assert voting.title in card.inner_text()
        if width < 992:
            page.click(".navbar-toggler")
        assert page.locator("[data-testid=nav-vote]").is_visible()
        look(page, "home", width)

        card.locator("text=参与投票").click()
        page.wait_for_url(re.compile(rf"/vote/{voting.pk}/$"))
        look(page, "vote_round", width)

        # Tap a vote far down the page before proving a phone: to the phone page.
        page.locator(f"[data-testid=vote-{tapped.pk}]").click()
        page.wait_for_url(re.compile(r"/vote/phone/"))
        look(page, "vote_phone", width)
        page.fill("input[name=phone]", phone)
        page.fill("input[name=captcha_1]", "PASSED")
        page.check("input[name=consent]")
        page.click("button:has-text('获取验证码')")
        page.wait_for_url(re.compile(r"/vote/verify/"))
        look(page, "vote_verify", width)
        page.fill("input[name=code]", MemorySender.last_code(phone))
        page.click("button:has-text('验证')")

        # Back at the tapped case's card, its vote offered again, the message in the card.
        page.wait_for_url(re.compile(rf"#vote-case-{tapped.pk}$"))
        slot = page.locator(f"[data-testid=card-message-{tapped.pk}]")
        assert "您选择的“‘首违不罚’清单制度”在此" in slot.inner_text()
        _wait_in_view(page, f"#vote-case-{tapped.pk}")  # the browser went to the card
        look(page, "vote_offered", width)
        page.locator(f"[data-testid=vote-{tapped.pk}]").click()
        page.wait_for_selector(f"[data-testid=card-message-{tapped.pk}] >> text=已为")
        said = slot.inner_text()
        assert "已为“‘首违不罚’清单制度”投票" in said and "““" not in said
        _wait_in_view(page, f"[data-testid=card-message-{tapped.pk}]")
        look(page, "vote_cast", width)
        assert Vote.objects.filter(case=tapped, voter__phone=phone).exists()

        # 公示: authority, period, how to object, contact; a title opens the case text.
        page.goto(base + "/")
        page.click("text=查看公示名单 →")
        page.wait_for_url(re.compile(rf"/publicity/{listed.pk}/$"))
        facts = page.locator("[data-testid=publicity-facts]").inner_text()
        assert "上海市发展和改革委员会" in facts and "个工作日" in facts
        assert "021-23111111" in facts and "查询码" in facts
        look(page, "publicity", width)
        page.click("a:has-text('推进商事登记确认制')")
        page.wait_for_url(re.compile(rf"/publicity/{listed.pk}/cases/\d+/$"))
        assert "浦东新区以立法为抓手" in page.locator("main").inner_text()
        look(page, "publicity_case", width)

        # An objection: an unreachable contact is refused on the page; a phone is taken.
        page.click("text=对此案例提出异议")
        page.fill("input[name=name]", "王五")
        page.fill("input[name=contact]", "找我就行")
        page.fill("textarea[name=grounds]", "该案例数据与实际不符。")
        page.click("button:has-text('提交异议')")
        page.wait_for_selector("text=带区号的固定电话")
        look(page, "objection_refused", width)
        page.fill("input[name=contact]", "021 6234 5678")
        page.click("button:has-text('提交异议')")
        page.wait_for_url(re.compile(r"/publicity/objection-status/$"))
        code = page.locator("[data-testid=reference-code]").inner_text().strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
        look(page, "objection_filed", width)
        objection = Objection.objects.order_by("-pk").first()
        assert objection.contact == "021-62345678"
        objections.dismiss_objection(objection=objection, user=None, reason="经核实，数据无误。")
        page.fill("input[name=code]", code)
        page.click("button:has-text('查询')")
        answer = page.locator("[data-testid=objection-answer]").inner_text()
        assert "不予采纳" in answer and "经核实，数据无误。" in answer and "王五" not in answer
        look(page, "objection_answer", width)

        # The archive: 税费服务 finds the imported tax cases.
        page.goto(base + f"/cases/archive/?topic={tax.pk}")
        text = page.locator("main").inner_text()
        assert "智能退税一键式" in text and "征纳互动" in text
        look(page, "archive_tax", width)

        page.goto(base + "/statistics/")
        assert "申报数不详" in page.locator("main").inner_text()
        look(page, "statistics", width)
    assert Round.objects.get(pk=listed.pk).status == Round.Status.PUBLICITY


def _wait_in_view(page, selector):
    """Wait until the element stands in the viewport (a phone shows it without scrolling;
    the page scrolls smoothly to an anchor, so not at once)."""
    page.wait_for_function(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.bottom > 0 && r.top < window.innerHeight; }""",
        arg=selector,
        timeout=5_000,
    )
