"""The notice as Word, PDF and text: structure of the 2022 notice, the round trip through
import_notice, the export_notice command, and the background job."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from cases.models import Case, Round
from cases.notices.importer import import_notice
from cases.notices.parser import parse_notice
from publishing import notice_documents, tasks
from publishing.models import NoticeDocument

pytestmark = pytest.mark.django_db
NOTICE_2022 = Path(__file__).resolve().parent.parent / "cases" / "data" / "notices" / "2022.txt"


@pytest.fixture
def round_2022():
    return import_notice(parsed=parse_notice(NOTICE_2022.read_bytes()), year=2022).round


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def archive_json():
    out = io.StringIO()
    call_command("export_archive", year=2022, format="json", stdout=out)
    rows = json.loads(out.getvalue())
    for row in rows:
        row.pop("id")
    return rows


def test_docx_follows_the_structure_of_the_2022_notice(round_2022):
    document = Document(io.BytesIO(notice_documents.render(round_2022, "docx")))
    # The title in two lines broken between words (publishing.title_lines).
    assert (
        document.paragraphs[0].text
        == "关于印发上海市2022年度各区\n优化营商环境优秀案例和良好实践的通知"
    )
    paragraphs = [
        (p.style.name, p.text.replace("\n", "")) for p in document.paragraphs if p.text.strip()
    ]
    texts = [text for _, text in paragraphs]
    assert paragraphs[0] == (
        "Title",
        "关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知",
    )
    assert texts[1] == "各区人民政府、各相关单位："
    assert texts[2].startswith("优化营商环境是增强上海城市核心竞争力的关键所在")
    assert "附件：上海市2022年度各区优化营商环境优秀案例和良好实践" in texts
    assert texts.index("上海市发展和改革委员会") + 1 == texts.index("2022年11月8日")
    tier_headings = [text for style, text in paragraphs if style == "Notice List Title"]
    assert tier_headings == [
        "上海市2022年度各区优化营商环境优秀案例",
        "上海市2022年度各区优化营商环境良好实践",
    ]
    ranks = [text for style, text in paragraphs if style == "Notice Rank"]
    assert ranks == [f"排名{r}" for r in (1, 2, 3, 4, 5, 6, 6, 8, 8, 10, 10)] + [
        f"排名{r}" for r in (1, 1, 3, 3, 5, 5, 7, 8, 9, 10)
    ]
    titles = [text for style, text in paragraphs if style == "Heading 2"]
    expected = list(Case.objects.published().in_notice_order().values_list("title", flat=True))
    assert titles == expected
    assert titles[0] == "“快闪办”“自助办”“视讯办”“陪同办”"
    assert texts[texts.index(titles[0]) + 1] == "——打造“小嘉帮办”服务品牌"
    sections = [text for style, text in paragraphs if style == "Heading 3"]
    assert sections[:2] == ["一、基本情况", "二、主要做法"]
    assert "嘉定区行政服务中心政务大厅作为全区高度集成的一门式综合大厅" in "".join(texts)


def test_pdf_has_the_title_the_tiers_and_every_case(round_2022):
    data = notice_documents.render(round_2022, "pdf")
    assert data.startswith(b"%PDF")
    html = notice_documents.notice_html(notice_documents.notice_from_round(round_2022), "标题")
    # The official families' faces, declared from their files (publishing.document_fonts).
    for face in ("FandolFang-Regular", "FandolSong-Bold", "FandolHei-Bold", "FandolKai"):
        assert f'font-family: "{face}' in html
    assert "Noto" not in html and "UKai" not in html
    assert html.count('class="rank"') == 21
    assert html.index("上海市2022年度各区优化营商环境优秀案例") < html.index("排名1")


def test_txt_round_trip_through_import_notice_gives_the_same_list(round_2022, tmp_path):
    before = archive_json()
    assert len(before) == 21
    path = tmp_path / "2022.txt"
    call_command("export_notice", year=2022, format="txt", output=str(path), stderr=io.StringIO())
    Case.objects.all().delete()
    Round.objects.all().delete()
    call_command("import_notice", str(path), year=2022, stdout=io.StringIO())
    assert archive_json() == before


def test_export_notice_writes_docx_and_refuses_unknown_years(round_2022, tmp_path):
    path = tmp_path / "n.docx"
    call_command("export_notice", year=2022, format="docx", output=str(path), stderr=io.StringIO())
    assert Document(str(path)).paragraphs[0].text.startswith("关于印发")
    with pytest.raises(CommandError, match="没有已公布的评选"):
        call_command("export_notice", year=1999, format="txt", output=str(path))


def test_generate_stores_the_file_and_is_idempotent(round_2022, media):
    document = NoticeDocument.objects.create(round=round_2022, format="docx")
    done = notice_documents.generate(document_id=document.pk, task_id="t-1")
    assert done.status == "done" and done.progress == 100 and done.task_id == "t-1"
    assert done.file.name == f"notices/2022/notice-{round_2022.pk}.docx"
    assert (media / done.file.name).exists()
    mtime = (media / done.file.name).stat().st_mtime_ns
    again = notice_documents.generate(document_id=document.pk)
    assert again.file.name == done.file.name
    assert (media / done.file.name).stat().st_mtime_ns == mtime


def test_the_task_wraps_generate_and_records_failures(round_2022, media, monkeypatch):
    document = NoticeDocument.objects.create(round=round_2022, format="pdf")
    tasks.generate_notice_document.apply(args=[document.pk]).get()
    document.refresh_from_db()
    assert document.is_done and document.file.name.endswith(".pdf")

    broken = NoticeDocument.objects.create(round=round_2022, format="txt")
    monkeypatch.setattr(notice_documents, "write_notice_text", lambda n: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        tasks.generate_notice_document.apply(args=[broken.pk]).get()
    broken.refresh_from_db()
    assert broken.status == "failed" and "division" in broken.error


def test_request_documents_runs_after_commit(round_2022, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        documents = tasks.request_documents(round=round_2022)
    assert [d.format for d in documents] == ["docx", "pdf"]
    assert all(d.is_done for d in NoticeDocument.objects.all())
    assert {s["status"] for s in notice_documents.status_of(round_2022)} == {"done"}


@pytest.mark.worker
def test_a_real_worker_generates_the_notice(media, celery_worker_process):
    import time

    from tests.factories import ensure_districts

    ensure_districts()
    round_ = import_notice(parsed=parse_notice(NOTICE_2022.read_bytes()), year=2022).round
    document = NoticeDocument.objects.create(round=round_, format="docx")
    tasks.generate_notice_document.delay(document.pk)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in ("done", "failed"):
            break
        time.sleep(0.3)
    assert document.status == "done", document.error
    assert (media / document.file.name).exists()
