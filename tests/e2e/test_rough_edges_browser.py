"""Issue 32's pages at 1280 and 390 px, with axe: the results table keeps rank and final score in
view, two-character headers stay on one line, the phase label, the expert's 评审已结束, the
empty search, the footer's padding, 网络投票 selected only on vote pages, the Chinese file input."""

import os
from pathlib import Path

import pytest

from cases import demo
from reviews.demo import ensure_selection_demo
from reviews.demo_panel import ensure_panel_demo
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/bizenv-screenshots"))
# Header cells of up to four characters must sit on one line (排名, 异议, 有效票, 最终得分).
SHORT_HEADERS_ON_ONE_LINE = """() => [...document.querySelectorAll("th")]
  .filter((th) => th.innerText.trim().length > 0 && th.innerText.trim().length <= 4)
  .filter((th) => { const r = document.createRange(); r.selectNodeContents(th);
    return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1; })
  .map((th) => th.innerText)"""


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo_rounds():
    demo.ensure_accounts()
    ensure_selection_demo()
    ensure_panel_demo()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_results_keep_rank_and_final_score_in_view(pages, demo_rounds, width):
    from cases.models import Round

    page = pages(width)
    login(page, "staff", demo.DEMO_PASSWORD)
    page.goto(page.base_url + f"/selection/rounds/{Round.objects.get(year=2024).pk}/results/")
    page.wait_for_selector("#results")
    assert page.locator("[data-testid=phase-badge]").inner_text() == "评审已结束，待审定"
    first = page.locator("#results tbody tr").first
    for index in (0, 1):  # 总排名, 最终得分
        box = first.locator("td").nth(index).bounding_box()
        assert box["x"] + box["width"] <= width, index
    assert page.evaluate(SHORT_HEADERS_ON_ONE_LINE) == []
    shot(page, f"results-{width}")
    assert_accessible(page, f"results at {width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_expert_reads_that_the_review_is_over(pages, demo_rounds, width):
    page = pages(width)
    login(page, "expert_zhao", demo.DEMO_PASSWORD)
    page.goto(page.base_url + "/selection/expert/")
    states = page.locator("[data-testid=review-state]").all_inner_texts()
    assert any(s.startswith("评审已结束（") for s in states) and "评审未开放" not in states
    shot(page, f"expert-home-{width}")
    assert_accessible(page, f"expert home at {width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_empty_search_suggests_what_to_do_and_offers_no_export(pages, demo_rounds, width):
    page = pages(width)
    page.goto(page.base_url + "/cases/archive/?q=没有这样的案例标题")
    empty = page.locator("[data-testid=empty-search]")
    assert "清除全部条件" in empty.inner_text() and "关键词" in empty.inner_text()
    assert page.locator("a[href*='/export/cases.']").count() == 0
    footer = page.locator("footer")
    assert float(footer.evaluate("f => getComputedStyle(f).paddingLeft")[:-2]) >= 12
    vote = page.locator("[data-testid=nav-vote]")
    assert "active" not in (vote.get_attribute("class") or "")
    shot(page, f"archive-empty-{width}")
    assert_accessible(page, f"empty search at {width}")
    page.goto(page.base_url + "/vote/")
    assert "active" in page.locator("[data-testid=nav-vote]").get_attribute("class")
    assert_accessible(page, f"vote index at {width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_file_input_speaks_chinese_and_is_not_marked_required(pages, width):
    from cases.models import Case

    demo.ensure_accounts()
    demo.ensure_submission_round()
    case = Case.objects.filter(round__year=2027, district__code="jiading", status="draft").first()
    page = pages(width)
    login(page, "officer_jiading", demo.DEMO_PASSWORD)
    page.goto(page.base_url + f"/cases/submission/{case.pk}/")
    chooser = page.locator("#attachments .file-chooser")
    assert "选择文件" in chooser.inner_text() and "未选择文件" in chooser.inner_text()
    assert page.locator("#attachments .asteriskField").count() == 0
    page.set_input_files(
        "#attachments input[type=file]",
        files=[{"name": "说明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
    )
    assert "说明.pdf" in chooser.inner_text()
    shot(page, f"case-attachments-{width}")
    assert_accessible(page, f"case page at {width}")
