"""The notice's PDF read back with poppler (issue #18): A4 pages, every font subset and none of
them WenQuanYi, under 1 MB for the 2022 notice, the text in the notice's order with the title
broken between words, the red header when the round asks for it, page numbers "— N —"."""

import io
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.models import Round
from publishing import notice_documents

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed"),
]

DATA = Path(__file__).resolve().parent / "data"
# Where a person looks at the pages (pdftoppm); kept when the variable is set.
KEEP = os.environ.get("NOTICE_PDF_KEEP")


def poppler(tool, path, *args):
    out = ["-"] if tool == "pdftotext" else []  # to stdout, not a .txt beside the file
    command = [tool, *args, str(path), *out]
    return subprocess.run(command, capture_output=True, text=True, check=True)


def render(year, tmp_path, **round_fields):
    call_command("import_notice", str(DATA / f"notice_{year}.txt"), stdout=io.StringIO())
    round_ = Round.objects.get(year=year)
    if round_fields:
        Round.objects.filter(pk=round_.pk).update(**round_fields)
        round_.refresh_from_db()
    started = time.process_time()
    data = notice_documents.render(round_, "pdf")
    elapsed = time.process_time() - started
    path = tmp_path / f"notice_{year}.pdf"
    path.write_bytes(data)
    if KEEP:
        Path(KEEP).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(KEEP) / path.name)
    return path, elapsed


@pytest.fixture(scope="module")
def pdf_2022(tmp_path_factory, django_db_setup, django_db_blocker):
    """Rendered once for the tests that only read it (a render takes seconds)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            path, elapsed = render(2022, tmp_path_factory.mktemp("pdf"))
            print(f"2022 notice PDF: {path.stat().st_size} bytes in {elapsed:.2f} s CPU")
            transaction.set_rollback(True)
    return path, elapsed


# The free faces of the official families (publishing.document_fonts), as pdffonts names them.
OFFICIAL_FACES = {
    "FandolFang-Regular",
    "FandolSong-Bold",
    "FandolHei-Bold",
    "FandolKai-Regular",
    "FandolSong-Regular",
}


def fonts(path):
    """(face, subset?) of every font of the PDF, the face without its subset tag."""
    lines = poppler("pdffonts", path).stdout.splitlines()[2:]
    return [(line.split()[0].split("+")[-1], line.split()[-5]) for line in lines]


def test_a4_pages_subset_fonts_and_under_a_megabyte(pdf_2022):
    pdf_2022, _ = pdf_2022
    info = poppler("pdfinfo", pdf_2022).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) > 20
    assert re.search(
        r"Title:\s+关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知", info
    )
    assert re.search(r"Author:\s+上海市发展和改革委员会", info)
    used = fonts(pdf_2022)
    assert used and all(sub == "yes" for _, sub in used), used
    # 仿宋 (body), 小标宋 (titles: the heaviest free serif), 黑体, 楷体 and 宋体 (page numbers),
    # and nothing else: every glyph of the notice, "——", "·" and no-break spaces included.
    assert {face for face, _ in used} == OFFICIAL_FACES
    # 1 MiB: the Fandol subsets take 0.9 MB of it (FandolFang's ~1,350 glyphs alone 650 kB).
    assert pdf_2022.stat().st_size <= 1024 * 1024


def test_the_text_reads_in_the_notices_order(pdf_2022):
    pdf_2022, _ = pdf_2022
    text = poppler("pdftotext", pdf_2022, "-layout").stdout
    pages = text.split("\f")
    first = [line.strip() for line in pages[0].splitlines() if line.strip()]
    # The title in two lines broken between words, then the addressee.
    assert first[:3] == [
        "关于印发上海市2022年度各区",
        "优化营商环境优秀案例和良好实践的通知",
        "各区人民政府、各相关单位：",
    ]
    flat = re.sub(r"\s+", "", text)
    order = [
        "各区人民政府、各相关单位：",
        "附件：上海市2022年度各区优化营商环境优秀案例和良好实践",
        "上海市发展和改革委员会",
        "2022年11月8日",
        "附件上海市2022年度各区优化营商环境优秀案例",
        "排名1“快闪办”“自助办”“视讯办”“陪同办”——打造“小嘉帮办”服务品牌一、基本情况",
        "上海市2022年度各区优化营商环境良好实践",
        "排名1",
        "排名10",
    ]
    at = 0
    for part in order:  # each after the one before
        at = flat.index(part, at) + len(part)
    # The 附件 starts a page with "附件" at its top; the second tier starts a page too.
    starts = [p.strip().splitlines()[0].strip() for p in pages if p.strip()]
    assert "附件" in starts
    assert "上海市2022年度各区优化营商环境良好实践" in starts
    # Page numbers: "— 1 —" on the first page, "— 2 —" on the second.
    assert re.search(r"—\s*1\s*—", pages[0]) and re.search(r"—\s*2\s*—", pages[1])


def test_no_rank_line_ends_a_page(pdf_2022):
    pdf_2022, _ = pdf_2022
    text = poppler("pdftotext", pdf_2022, "-layout").stdout
    for number, page in enumerate(text.split("\f"), start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"—\s*\d+\s*—", line)]
        if body:
            assert not re.fullmatch(r"排名\d+", body[-1]), number


def test_red_header_with_the_document_number(tmp_path):
    path, _ = render(2022, tmp_path, red_header=True, document_number="沪发改营商〔2022〕12号")
    first = poppler("pdftotext", path, "-l", "1", "-layout").stdout
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    assert lines[:3] == [
        "上海市发展和改革委员会文件",
        "沪发改营商〔2022〕12号",
        "关于印发上海市2022年度各区",
    ]
    used = fonts(path)
    assert all(sub == "yes" for _, sub in used) and {face for face, _ in used} <= OFFICIAL_FACES


def test_without_red_header_the_number_is_not_printed(tmp_path):
    path, _ = render(2022, tmp_path, document_number="沪发改营商〔2022〕12号")
    first = poppler("pdftotext", path, "-l", "1").stdout
    assert "沪发改营商" not in first and "文件" not in first


@pytest.mark.parametrize("year", [2021, 2023])
def test_single_tier_and_compilation_pdfs(year, tmp_path):
    path, _ = render(year, tmp_path)
    assert re.search(r"\(A4\)", poppler("pdfinfo", path).stdout)
    used = fonts(path)
    assert all(sub == "yes" for _, sub in used) and {face for face, _ in used} <= OFFICIAL_FACES
    flat = re.sub(r"\s+", "", poppler("pdftotext", path).stdout)
    if year == 2021:
        assert flat.index("目录") < flat.index("一、浦东新区案例一推进商事登记确认制")
    else:
        assert flat.index("排名1") < flat.index("排名20")
