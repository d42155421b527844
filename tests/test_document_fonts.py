"""The notice PDF in the official type families (issue #33): the licensed faces a commission
drops in DOCUMENT_FONT_DIR are exactly what the PDF embeds; the signature page carries body
text (GB/T 9704); a space beside Chinese text is not widened by justification."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from cases.notices.parsed import ParsedCase, ParsedNotice, ParsedTier
from publishing import notice_documents

pytestmark = pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")

TITLE = "关于印发上海市2022年度各区优化营商环境优秀案例的通知"
CASE_BODY = "嘉定区行政服务中心政务大厅作为全区高度集成的一门式综合大厅，高度集成31家职能部门。"


def notice(preamble, body=CASE_BODY):
    case = ParsedCase(
        tier="优秀案例",
        rank=1,
        title="“快闪办”“自助办”",
        subtitle="打造“小嘉帮办”服务品牌",
        sections=[{"heading": "一、基本情况", "body": body}],
    )
    return ParsedNotice(
        addressee="各区人民政府、各相关单位：",
        preamble=preamble,
        attachment="上海市2022年度各区优化营商环境优秀案例",
        signature="上海市发展和改革委员会",
        date=datetime.date(2022, 11, 8),
        year=2022,
        tiers=[
            ParsedTier(
                name="优秀案例", heading="上海市2022年度各区优化营商环境优秀案例", cases=[case]
            )
        ],
    )


def pdf(tmp_path, parsed, name="n.pdf"):
    path = tmp_path / name
    path.write_bytes(notice_documents.render_pdf(parsed, TITLE))
    return path


def faces(path):
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    return {row.split()[0].split("+")[-1] for row in rows.splitlines()[2:]}


def pages(path):
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return text.stdout.split("\f")


def licensed_copy(source: str, target: Path, family: str, postscript: str, text: str) -> None:
    """A stand-in for a licensed face: the Fandol face cut to ``text``, renamed."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(Path(settings.FREE_FONT_DIR) / source)
    subsetter = subset.Subsetter(subset.Options(name_IDs=["*"], name_languages=["*"]))
    subsetter.populate(text=text)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = postscript
    font.save(target)


def test_the_licensed_faces_are_exactly_what_the_pdf_embeds(tmp_path):
    parsed = notice(["优化营商环境是增强上海城市核心竞争力的关键所在。"])
    html = notice_documents.notice_html(parsed, TITLE)
    text = "".join(sorted(set(re.sub(r"<[^>]*>", "", html)))) + "— 0123456789"
    folder = tmp_path / "licensed"
    folder.mkdir()
    licensed_copy(
        "FandolFang-Regular.otf", folder / "fs.ttf", "仿宋_GB2312", "FangSong_GB2312", text
    )
    licensed_copy("FandolKai-Regular.otf", folder / "kt.ttf", "楷体_GB2312", "KaiTi_GB2312", text)
    licensed_copy("FandolSong-Bold.otf", folder / "x.ttf", "方正小标宋简体", "FZXBSJW--GB1-0", text)
    licensed_copy("FandolHei-Bold.otf", folder / "h.ttf", "黑体", "SimHei", text)
    licensed_copy("FandolSong-Regular.otf", folder / "s.ttf", "宋体", "SimSun", text)
    (folder / "readme.txt").write_text("not a font")
    with override_settings(DOCUMENT_FONT_DIR=str(folder)):
        path = pdf(tmp_path, parsed)
    assert faces(path) == {"FangSong_GB2312", "KaiTi_GB2312", "FZXBSJW--GB1-0", "SimHei", "SimSun"}
    # Without the folder: the free faces of the same families.
    assert faces(pdf(tmp_path, parsed, "free.pdf")) <= {
        "FandolFang-Regular",
        "FandolKai-Regular",
        "FandolSong-Bold",
        "FandolHei-Bold",
        "FandolSong-Regular",
    }


@pytest.mark.parametrize("short", range(14))
def test_the_signature_page_carries_two_lines_of_the_body(tmp_path, short):
    # Preambles ending a line further down each time, across a page's end: the 附件 note,
    # signature and date never start a page without at least two lines of the body above them.
    sentence = "各区要力争百尺竿头、更进一步，切实解决企业关心的政策难点。"
    preamble = [sentence * 5, sentence * 4] + [f"第{n}条：特此通知。" for n in range(short)]
    for number, page in enumerate(pages(pdf(tmp_path, notice(preamble)))):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if "2022年11月8日" in lines:
            above = lines[: next(i for i, line in enumerate(lines) if line.startswith("附件"))]
            assert len(above) >= 2, (number, lines)
            break
    else:
        pytest.fail("no date printed")


def gap_after(path, word_end: str, word_start: str) -> float:
    """The horizontal gap (pt) between the word ending in ``word_end`` and the next word."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', out)
    for (_, y, x_max, text), (x_min, y2, _, following) in zip(words, words[1:], strict=False):
        if text.endswith(word_end) and following.startswith(word_start) and y == y2:
            return float(x_min) - float(x_max)
    raise AssertionError(f"{word_end} {word_start} not found on one line")


@pytest.mark.parametrize("lead", range(4))
def test_a_space_beside_chinese_keeps_its_width_in_a_justified_line(tmp_path, lead):
    # "许可证 1.2 万张" mid-line: the line is justified, the spaces stay a space wide (the
    # slack of the line is not poured into them).
    # A web address too long for the rest of the line leaves it with much slack to justify.
    body = (
        "发" * lead
        + "全年共发放电子许可证 1.2 万张，详见 "
        + "https://www.shanghai.gov.cn/nw12344/index.html 公布名单。"
        + CASE_BODY * 3
    )
    path = pdf(tmp_path, notice(["特此通知。"], body))
    assert gap_after(path, "许可证", "1.2") < 8  # half an em of 3号
    assert gap_after(path, "1.2", "万张") < 8
    # The stored text is the text printed: the spaces are still there.
    assert "许可证 1.2 万张" in "".join(pages(path))
