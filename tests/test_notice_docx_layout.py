"""The notice's Word file in GB/T 9704-2012's layout (issue #18), read back from its XML: page
size and margins, the document grid, the fonts and sizes of each kind of paragraph (in the
styles, none in runs), keep-with-next, page numbers on odd and even pages, the 附件 page and the
core properties; for the 2022 notice (two tiers), the 2023 one (one tier) and the 2021
compilation."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document
from lxml import etree

from cases.models import Round
from publishing import docx_layout, notice_documents

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def w(name):
    return f"{{{W}}}{name}"


def twips(mm):
    return mm * 1440 / 25.4


class Docx:
    """The generated file's parts, parsed."""

    def __init__(self, data: bytes):
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.document = self.xml("word/document.xml")
        self.styles = self.xml("word/styles.xml")
        self.settings = self.xml("word/settings.xml")
        self.docx = Document(io.BytesIO(data))

    def xml(self, name):
        return etree.fromstring(self.zip.read(name))

    def style(self, style_id):
        return self.styles.find(f"w:style[@w:styleId='{style_id}']", NS)

    def style_property(self, style_id, path, attribute="val"):
        """A run or paragraph property of a style, following its w:basedOn chain."""
        while style_id:
            style = self.style(style_id)
            found = style.find(path, NS)
            if found is not None:
                return found.get(w(attribute))
            based = style.find("w:basedOn", NS)
            style_id = based.get(w("val")) if based is not None else None
        return None

    def paragraphs(self):
        """(style id, text, element) of every paragraph of the body."""
        for p in self.document.iter(w("p")):
            style = p.find("w:pPr/w:pStyle", NS)
            text = "".join(t.text or "" for t in p.iter(w("t")))
            yield (style.get(w("val")) if style is not None else "Normal"), text, p

    def footer(self, kind):
        sectPr = self.document.find("w:body/w:sectPr", NS)
        ref = sectPr.find(f"w:footerReference[@w:type='{kind}']", NS)
        rels = self.xml("word/_rels/document.xml.rels")
        rid = ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        return self.xml(f"word/{target}")


def exported(year, tmp_path) -> Docx:
    call_command("import_notice", str(DATA / f"notice_{year}.txt"), stdout=io.StringIO())
    return Docx(notice_documents.render(Round.objects.get(year=year), "docx"))


@pytest.fixture
def notice_2022(tmp_path):
    return exported(2022, tmp_path)


def test_a4_with_the_margins_and_grid_of_gb_t_9704(notice_2022):
    sectPr = notice_2022.document.find("w:body/w:sectPr", NS)
    size = sectPr.find("w:pgSz", NS)
    assert abs(int(size.get(w("w"))) - twips(210)) <= 1
    assert abs(int(size.get(w("h"))) - twips(297)) <= 1
    margins = sectPr.find("w:pgMar", NS)
    for side, mm in (("top", 37), ("left", 28), ("right", 26), ("bottom", 35)):
        assert abs(int(margins.get(w(side))) - twips(mm)) <= 1, side
    grid = sectPr.find("w:docGrid", NS)
    assert grid.get(w("type")) == "linesAndChars"
    pitch, space = int(grid.get(w("linePitch"))), int(grid.get(w("charSpace")))
    assert (pitch, space) == (579, -849)  # the values of the official templates
    assert 22 * pitch <= twips(225) < 23 * pitch  # 22 lines in the 版心's height
    char_pitch = (16 + space / 4096) * 20  # the body's 16 pt plus charSpace, in twips
    assert 28 * char_pitch <= twips(156) < 29 * char_pitch  # 28 characters in its width


def test_each_kind_of_paragraph_has_its_font_and_size_in_its_style(notice_2022):
    doc = notice_2022
    expected = {
        "Title": ("方正小标宋简体", 44),
        "NoticeListTitle": ("方正小标宋简体", 44),
        "Normal": ("仿宋_GB2312", 32),
        "NoticeAddressee": ("仿宋_GB2312", 32),
        "Heading3": ("黑体", 32),
        "Heading2": ("黑体", 32),
        "NoticeRank": ("黑体", 32),
        "NoticeSubtitle": ("楷体_GB2312", 32),
        "NoticeAttachmentLabel": ("黑体", 32),
        "NoticeSignature": ("仿宋_GB2312", 32),
        "NoticeDate": ("仿宋_GB2312", 32),
        "NoticePageNumber": ("宋体", 28),
    }
    for style_id, (font, size) in expected.items():
        assert doc.style_property(style_id, "w:rPr/w:rFonts", "eastAsia") == font, style_id
        assert doc.style_property(style_id, "w:rPr/w:sz") == str(size), style_id
        fonts = doc.style(style_id).find("w:rPr/w:rFonts", NS)
        assert not [a for a in fonts.attrib if a.endswith("Theme")], style_id  # themes win
    paragraphs = list(doc.paragraphs())
    kinds = {}
    for style_id, text, _ in paragraphs:
        if text.strip():
            kinds.setdefault(style_id, text)
    assert kinds["Title"].startswith("关于印发")
    assert kinds["NoticeAddressee"] == "各区人民政府、各相关单位："
    assert kinds["Heading3"] == "一、基本情况"
    assert kinds["NoticeSubtitle"] == "——打造“小嘉帮办”服务品牌"
    assert kinds["NoticeRank"] == "排名1"
    assert kinds["NoticeListTitle"] == "上海市2022年度各区优化营商环境优秀案例"
    assert doc.style_property("Title", "w:pPr/w:jc") == "center"
    assert doc.style_property("Heading3", "w:pPr/w:outlineLvl") == "2"
    # Every run takes its font from its paragraph's style: no run-level formatting at all.
    assert doc.document.findall(".//w:r/w:rPr", NS) == []
    # The document defaults are the body's, so nothing falls back to the template's theme.
    defaults = doc.styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:rFonts", NS).get(w("eastAsia")) == "仿宋_GB2312"
    assert defaults.find("w:sz", NS).get(w("val")) == "32"


def test_the_file_declares_chinese_for_east_asian_text(notice_2022):
    # Word takes the glyph forms, punctuation and line breaking of the language declared:
    # python-docx's template said ja-JP.
    defaults = notice_2022.styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert defaults.get(w("eastAsia")) == "zh-CN"
    theme = notice_2022.settings.find("w:themeFontLang", NS)
    assert theme.get(w("eastAsia")) == "zh-CN"
    assert "ja-JP" not in notice_2022.zip.read("word/styles.xml").decode()
    assert "ja-JP" not in notice_2022.zip.read("word/settings.xml").decode()


def keeps_with_next(doc, style_id):
    """w:keepNext in the style or the one it is based on (no w:val means on)."""
    while style_id:
        keep = doc.style(style_id).find("w:pPr/w:keepNext", NS)
        if keep is not None:
            return keep.get(w("val")) not in ("0", "false")
        based = doc.style(style_id).find("w:basedOn", NS)
        style_id = based.get(w("val")) if based is not None else None
    return False


def test_ranks_titles_and_headings_keep_with_the_next_paragraph(notice_2022):
    doc = notice_2022
    for style_id in ("NoticeRank", "Heading2", "NoticeSubtitle", "Heading3", "NoticeListTitle"):
        assert keeps_with_next(doc, style_id), style_id
    assert not keeps_with_next(doc, "Normal")
    paragraphs = [(s, t) for s, t, _ in doc.paragraphs() if t.strip()]
    ranks = [i for i, (s, _) in enumerate(paragraphs) if s == "NoticeRank"]
    assert len(ranks) == 21
    assert all(paragraphs[i + 1][0] == "Heading2" for i in ranks)  # the rank, then its title
    first = next(i for i, (s, _) in enumerate(paragraphs) if s == "Heading3")
    assert paragraphs[first + 1][0] == "Normal"


def test_page_numbers_right_on_odd_pages_and_left_on_even_ones(notice_2022):
    doc = notice_2022
    assert doc.settings.find("w:evenAndOddHeaders", NS) is not None
    for kind, align in (("default", "right"), ("even", "left")):
        footer = doc.footer(kind)
        paragraph = footer.find("w:p", NS)
        assert paragraph.find("w:pPr/w:pStyle", NS).get(w("val")) == "NoticePageNumber"
        assert paragraph.find("w:pPr/w:jc", NS).get(w("val")) == align
        instructions = [t.text.strip() for t in paragraph.iter(w("instrText"))]
        assert instructions == ["PAGE"]
        kinds = [c.get(w("fldCharType")) for c in paragraph.iter(w("fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        text = "".join(t.text for t in paragraph.iter(w("t")))
        assert text == "— 1 —"  # the field's cached value between em dashes


def test_the_letter_then_the_attachment_on_a_new_page(notice_2022):
    paragraphs = list(notice_2022.paragraphs())
    texts = [t for _, t, _ in paragraphs]
    title = texts.index("关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知")
    assert title == 0 and texts[1] == "" and texts[2] == "各区人民政府、各相关单位："
    note = texts.index("附件：上海市2022年度各区优化营商环境优秀案例和良好实践")
    assert texts[note - 1] == "" and paragraphs[note][0] == "NoticeAttachmentNote"
    signature = texts.index("上海市发展和改革委员会")
    assert texts[signature + 1] == "2022年11月8日"
    assert paragraphs[signature][0] == "NoticeSignature"
    assert paragraphs[signature + 1][0] == "NoticeDate"
    label = texts.index("附件")
    assert label == signature + 2
    style_id, _, element = paragraphs[label]
    assert style_id == "NoticeAttachmentLabel"
    assert element.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert notice_2022.style_property(style_id, "w:pPr/w:jc") == "left"
    assert notice_2022.style_property(style_id, "w:pPr/w:ind", "firstLine") == "0"
    breaks = [t for _, t, p in paragraphs if p.find("w:pPr/w:pageBreakBefore", NS) is not None]
    assert breaks == ["附件", "上海市2022年度各区优化营商环境良好实践"]  # the second tier too
    # The signature centred over the date, which stands four characters from the right.
    indents = [
        p.find("w:pPr/w:ind", NS).get(w("right"))
        for _, _, p in paragraphs[signature : signature + 2]
    ]
    date_indent = int(indents[1])
    assert date_indent == 4 * 16 * 20
    assert int(indents[0]) == round(
        docx_layout.signature_indent(texts[signature], texts[signature + 1]).twips
    )


def test_core_properties_are_the_commissions(notice_2022):
    properties = notice_2022.docx.core_properties
    assert properties.author == "上海市发展和改革委员会"
    assert properties.last_modified_by == "上海市发展和改革委员会"
    assert properties.title == "关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知"
    assert b"python-docx" not in notice_2022.zip.read("docProps/core.xml")


@pytest.mark.parametrize("year", [2021, 2023])
def test_single_tier_and_compilation_notices_have_the_same_layout(year, tmp_path):
    doc = exported(year, tmp_path)
    grid = doc.document.find("w:body/w:sectPr/w:docGrid", NS)
    assert grid.get(w("linePitch")) == "579"
    assert doc.settings.find("w:evenAndOddHeaders", NS) is not None
    assert doc.document.findall(".//w:r/w:rPr", NS) == []
    paragraphs = [(s, t, p) for s, t, p in doc.paragraphs() if t.strip()]
    breaks = [t for _, t, p in paragraphs if p.find("w:pPr/w:pageBreakBefore", NS) is not None]
    assert breaks[0] == "附件"
    assert doc.docx.core_properties.author == "上海市发展和改革委员会"  # 2023 has no signature
    if year == 2021:  # the contents on the attachment's first page, the cases from the next
        assert breaks == ["附件", "一、浦东新区"]
        titles = [t for s, t, _ in paragraphs if s == "Heading2"]
        assert len(titles) == 20 and titles[0] == "案例一 推进商事登记确认制"
        assert [s for s, t, _ in paragraphs if t == "目  录"] == ["NoticeListTitle"]
        assert doc.style_property("Heading1", "w:rPr/w:rFonts", "eastAsia") == "黑体"
    else:
        assert breaks == ["附件"]
        ranks = [i for i, (s, _, _) in enumerate(paragraphs) if s == "NoticeRank"]
        assert len(ranks) == 20 and all(paragraphs[i + 1][0] == "Heading2" for i in ranks)
        assert "上海市发展和改革委员会" not in [t for _, t, _ in paragraphs]


def test_the_title_breaks_between_words_in_the_title_style(notice_2022):
    style_id, _, title = next(notice_2022.paragraphs())
    assert style_id == "Title"
    runs = title.findall("w:r", NS)
    assert ["".join(t.text for t in r.iter(w("t"))) for r in runs] == [
        "关于印发上海市2022年度各区",
        "优化营商环境优秀案例和良好实践的通知",
    ]
    assert runs[0].find("w:br", NS) is not None and runs[1].find("w:br", NS) is None


def test_no_red_header_unless_the_round_asks_for_it(notice_2022):
    texts = [t for _, t, _ in notice_2022.paragraphs()]
    assert "上海市发展和改革委员会文件" not in texts
    assert notice_2022.style("NoticeIssuer") is None


def test_the_red_header_prints_the_issuer_the_number_and_the_red_line(tmp_path):
    call_command("import_notice", str(DATA / "notice_2022.txt"), stdout=io.StringIO())
    Round.objects.filter(year=2022).update(
        red_header=True, document_number="沪发改营商〔2022〕12号"
    )
    doc = Docx(notice_documents.render(Round.objects.get(year=2022), "docx"))
    paragraphs = list(doc.paragraphs())
    assert [(s, t) for s, t, _ in paragraphs[:5]] == [
        ("NoticeIssuer", "上海市发展和改革委员会文件"),
        ("NoticeDocumentNumber", "沪发改营商〔2022〕12号"),
        ("Normal", ""),
        ("Normal", ""),
        ("Title", "关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知"),
    ]
    # The issuer in red 小标宋 35 mm under the 版心's top, as large as fits one line.
    assert doc.style_property("NoticeIssuer", "w:rPr/w:rFonts", "eastAsia") == "方正小标宋简体"
    assert doc.style_property("NoticeIssuer", "w:rPr/w:color") == "E60012"
    size_pt = int(doc.style_property("NoticeIssuer", "w:rPr/w:sz")) / 2
    assert len("上海市发展和改革委员会文件") * size_pt <= 156 / 25.4 * 72
    before = int(doc.style_property("NoticeIssuer", "w:pPr/w:spacing", "before"))
    assert abs(before - twips(35)) <= 1
    assert doc.style_property("NoticeIssuer", "w:pPr/w:jc") == "center"
    # The number two lines under it, the red line 4 mm (11 pt) under the number.
    assert doc.style_property("NoticeDocumentNumber", "w:rPr/w:rFonts", "eastAsia") == "仿宋_GB2312"
    assert doc.style_property("NoticeDocumentNumber", "w:pPr/w:spacing", "before") == "1158"
    border = doc.style("NoticeDocumentNumber").find("w:pPr/w:pBdr/w:bottom", NS)
    assert (border.get(w("color")), border.get(w("space")), border.get(w("val"))) == (
        "E60012",
        "11",
        "single",
    )
    assert doc.document.findall(".//w:r/w:rPr", NS) == []  # still no run formatting


def test_second_level_headings_are_kaiti_and_keep_with_their_paragraph(notice_2022):
    doc = notice_2022
    assert doc.style_property("Heading4", "w:rPr/w:rFonts", "eastAsia") == "楷体_GB2312"
    assert keeps_with_next(doc, "Heading4")
    paragraphs = [(s, t) for s, t, _ in doc.paragraphs() if t.strip()]
    second = [t for s, t in paragraphs if s == "Heading4"]
    assert "（一）聚焦放宽市场准入的核心要素，打出登记制度创新“组合拳”" in second
    assert all(len(t) <= 40 and not t.endswith("。") for t in second)
    # "（一）…。" opening a long paragraph stays body text.
    assert any(s == "Normal" and t.startswith("（一）") for s, t in paragraphs)


def test_the_contents_keep_each_district_with_its_first_case(tmp_path):
    doc = exported(2021, tmp_path)
    for _, text, p in doc.paragraphs():
        if (
            text == "十五、崇明区"
            and p.find("w:pPr/w:pStyle", NS).get(w("val")) == "NoticeContents"
        ):
            assert p.find("w:pPr/w:keepNext", NS) is not None
            break
    else:
        raise AssertionError("no 目录 line for 崇明区")
