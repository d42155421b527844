"""In Chromium: staff take an approved round through the public notice period to the
published notice, download its Word and PDF files; the public then finds a case in the archive.

Screenshots and the PDF pages land in /tmp/shots/pub_*.png for a person to look at.
"""

import datetime
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document

from cases.models import Case, Round
from publishing.models import NoticeDocument, Objection
from tests.conftest import make_user
from tests.e2e.conftest import login
from tests.factories import approved_round_from_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTICE_2022 = Path(__file__).resolve().parents[2] / "cases" / "data" / "notices" / "2022.txt"
SHOTS = Path("/tmp/shots")


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"pub_{name}.png"), full_page=False)


def test_staff_publish_the_notice_and_the_public_finds_a_case(browser, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    round_ = approved_round_from_notice(NOTICE_2022)
    make_user("staff", role="staff", is_staff=True)
    base = page.base_url

    # Staff open the approved round and start the public notice period.
    login(page, "staff")
    page.goto(f"{base}/publishing/")
    page.click(f"a[href='/publishing/rounds/{round_.pk}/']")
    page.click("text=开始公示")
    page.click("[data-testid=confirm]")  # the confirmation page (core.confirm)
    assert page.locator("#round-status").inner_text() == "公示中"
    assert "公示期尚未结束" in page.locator("#blockers").inner_text()

    # A member of the public files an objection.
    public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    visitor = public.new_page()
    visitor.goto(f"{base}/")
    visitor.click("text=查看公示名单")
    assert "拟" in visitor.inner_text("body") and "排名" in visitor.inner_text("body")
    shot(visitor, "publicity")
    visitor.click("#file-objection")
    case = round_.cases.get(tier="良好实践", rank=7)
    visitor.select_option("select[name=case]", str(case.pk))
    visitor.fill("input[name=name]", "上海某科技有限公司")
    visitor.fill("input[name=contact]", "13800000000")
    visitor.fill("textarea[name=grounds]", "案例中的退税数据与我司了解的情况不一致。")
    visitor.click("#objection-form button[type=submit]")
    assert "异议已提交" in visitor.inner_text("body")

    # Staff dismiss it with a reason.
    page.reload()
    objection = Objection.objects.get()
    form = page.locator(f"#objection-{objection.pk} form")
    form.locator("select[name=action]").select_option("dismiss")
    form.locator("textarea[name=reason]").fill("经向区税务局核实，数据准确，不予采纳。")
    shot(page, "objection")
    form.locator("button[type=submit]").click()
    assert "异议已处理" in page.inner_text("body")
    assert Objection.objects.get().status == Objection.Status.DISMISSED

    # The five working days pass.
    Round.objects.filter(pk=round_.pk).update(
        publicity_ends=timezone.now() - datetime.timedelta(minutes=1)
    )

    # Staff write the notice from the prefilled template and publish.
    page.reload()
    page.click("#write-notice")
    preamble = page.locator("textarea[name=notice_preamble]")
    assert "引领性强、感受度高、可复制推广" in preamble.input_value()
    assert "优秀案例11个、良好实践10个" in preamble.input_value()
    preamble.fill(preamble.input_value() + "\n特此通知。")
    page.fill("input[name=notice_date]", "2022-11-08")
    shot(page, "notice_form")
    page.click("button[name=publish]")
    # In the embedded mode the documents are generated inside this request (Celery eager).
    page.click("[data-testid=confirm]", no_wait_after=True)
    page.wait_for_selector("text=已印发公布", timeout=120_000)
    assert "已印发公布" in page.inner_text("body")
    assert Round.objects.get(pk=round_.pk).status == Round.Status.PUBLISHED
    assert Case.objects.published().count() == 21
    page.wait_for_function("document.querySelectorAll('#documents a').length === 2", timeout=60_000)
    assert set(NoticeDocument.objects.values_list("status", flat=True)) == {"done"}
    shot(page, "staff_round")

    # The public downloads the notice from the round's page.
    visitor.goto(f"{base}/cases/rounds/{round_.pk}/")
    with visitor.expect_download() as info:
        visitor.click(".notice-downloads >> text=Word 文档")
    docx_path = tmp_path / "notice.docx"
    info.value.save_as(docx_path)
    assert info.value.suggested_filename.endswith(".docx")
    with visitor.expect_download() as info:
        visitor.click(".notice-downloads >> text=PDF")
    pdf_path = tmp_path / "notice.pdf"
    info.value.save_as(pdf_path)

    # The Word file reads like the 2022 notice.
    paragraphs = [(p.style.name, p.text) for p in Document(str(docx_path)).paragraphs if p.text]
    outline = "\n".join(
        f"{style}: {text[:40]}"
        for style, text in paragraphs
        if style != "Normal" or text.startswith("附件")
    )
    (SHOTS / "pub_docx_outline.txt").write_text(outline, encoding="utf-8")
    # A title's lines are one paragraph with line breaks (publishing/title_lines.py).
    paragraphs = [(style, text.replace("\n", "")) for style, text in paragraphs]
    texts = [t for _, t in paragraphs]
    assert texts[0] == "关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知"
    assert texts[1] == "各区人民政府、各相关单位："
    assert "附件：上海市2022年度各区优化营商环境优秀案例和良好实践" in texts
    assert texts.index("上海市发展和改革委员会") + 1 == texts.index("2022年11月8日")
    assert [t for s, t in paragraphs if s == "Notice List Title"] == [
        "上海市2022年度各区优化营商环境优秀案例",
        "上海市2022年度各区优化营商环境良好实践",
    ]
    assert [t for s, t in paragraphs if s == "Notice Rank"][:3] == ["排名1", "排名2", "排名3"]
    assert "特此通知。" in texts

    # The PDF's pages, as images for a person to look at.
    assert pdf_path.read_bytes().startswith(b"%PDF")
    for old in SHOTS.glob("pub_pdf-*.png"):
        old.unlink()
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "3",
            str(pdf_path),
            str(SHOTS / "pub_pdf"),
        ],
        check=True,
    )
    assert len(list(SHOTS.glob("pub_pdf-*.png"))) == 3
    text = subprocess.run(
        ["pdftotext", "-l", "3", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "各区人民政府" in text and "排名1" in text

    # The public finds a case by a two-character word, narrows by district, opens it.
    visitor.goto(f"{base}/cases/archive/")
    visitor.fill("#q", "帮办")
    visitor.click("form[role=search] button[type=submit]")
    assert visitor.locator("mark").first.inner_text() == "帮办"
    visitor.select_option("select[name=district]", "jiading")
    visitor.click("form[role=search] button[type=submit]")
    results = visitor.locator(".list-group a.list-group-item")
    assert results.count() >= 1
    assert all("嘉定区" in results.nth(i).inner_text() for i in range(results.count()))
    shot(visitor, "archive_search")
    results.first.click()
    body = visitor.inner_text("body")
    assert "2022年度优秀案例 · 排名1" in body and "小嘉帮办" in body and "一、基本情况" in body
    shot(visitor, "case")

    visitor.goto(f"{base}/statistics/")
    visitor.wait_for_function("document.querySelector('#awards-chart').width > 0")
    shot(visitor, "statistics")
    public.close()
