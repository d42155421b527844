"""The notice's Word file in the national format for official documents, GB/T 9704-2012
《党政机关公文格式》: A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so right 26 mm, bottom
35 mm) on a grid of 22 lines × 28 characters; body 3号 仿宋, title 2号 小标宋, headings 黑体 and
楷体; page numbers "— 1 —" in 4号, right on odd pages and left on even ones.

Every font is set in a paragraph style (``w:rFonts`` with its ``w:eastAsia``), never in a run, so
staff who edit the file keep the format. ``STYLES`` says which style each outline kind
(``cases.notices.writer.Block``) is printed in. The list's titles (a tier's, a compilation's and
its 目录) are 2号 小标宋 like the document's title; a case's title and the first-level headings
(一、基本情况, a compilation's 一、浦东新区) are 3号 黑体; a subtitle is 3号 楷体, the second level.
Outline levels keep Word's navigation pane: list title > case title > section.
"""

from __future__ import annotations

import math
from datetime import datetime

from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

from .notice_layout import AUTHOR, RedHeader

__all__ = ["AUTHOR", "add_lines", "add_red_header", "set_up"]


# The page (GB/T 9704-2012, 5.2): A4, margins and the 版心 of 22 lines × 28 characters.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TEXT_WIDTH, TEXT_HEIGHT = Mm(156), Mm(225)
TOP, BOTTOM, RIGHT = Mm(37), Mm(35), Mm(26)
# 28 mm is 1587.4 twips: rounded up (as Word does) the 版心 is 156 mm to the twip (8844).
LEFT = Twips(PAGE_WIDTH.twips - RIGHT.twips - round(TEXT_WIDTH / 635))
LINES, CHARS = 22, 28
FOOTER_DISTANCE = Mm(25)  # the page number's dashes about 7 mm under the 版心

# Sizes: 2号 22 pt, 3号 16 pt, 4号 14 pt.
SIZE_2, SIZE_3, SIZE_4 = 22, 16, 14
FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = (
    "仿宋_GB2312",
    "方正小标宋简体",
    "黑体",
    "楷体_GB2312",
    "宋体",
)


def line_pitch() -> int:
    """The grid's line pitch in twips: 22 lines fill the 版心's height (rounded down to fit)."""
    return math.floor(round(_twips(TEXT_HEIGHT)) / LINES)


def char_space() -> int:
    """``w:charSpace``: 4096ths of a point added to the body size so 28 characters fill a line."""
    pitch_pt = round(_twips(TEXT_WIDTH)) / CHARS / 20
    return math.floor((pitch_pt - SIZE_3) * 4096)


def _twips(length) -> float:
    return length / 635  # EMU per twip


# Outline kind -> paragraph style. Kinds not listed print as body text ("Normal").
STYLES = {
    "addressee": "Notice Addressee",
    "preamble": "Normal",
    "attachment": "Notice Attachment Note",
    "signature": "Notice Signature",
    "date": "Notice Date",
    "tier": "Notice List Title",
    "list_title": "Notice List Title",
    "toc": "Notice List Title",
    "toc_district": "Notice Contents",
    "toc_case": "Notice Contents",
    "district": "Heading 1",
    "rank": "Notice Rank",
    "title": "Heading 2",
    "subtitle": "Notice Subtitle",
    "heading": "Heading 3",
    "subheading": "Heading 4",
    "paragraph": "Normal",
}

CENTER, LEFT_ALIGN, RIGHT_ALIGN, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)
INDENT = Pt(2 * SIZE_3)  # two characters

# name: (font, size, alignment, first-line indent, keep with next, outline level)
STYLE_SPECS = {
    "Normal": (FANGSONG, SIZE_3, JUSTIFY, INDENT, False, None),
    "Title": (XIAOBIAOSONG, SIZE_2, CENTER, Pt(0), True, None),
    "Notice List Title": (XIAOBIAOSONG, SIZE_2, CENTER, Pt(0), True, 0),
    "Heading 1": (HEITI, SIZE_3, JUSTIFY, INDENT, True, 0),  # 一、浦东新区 (compilation)
    "Heading 2": (HEITI, SIZE_3, CENTER, Pt(0), True, 1),  # a case's title
    "Heading 3": (HEITI, SIZE_3, JUSTIFY, INDENT, True, 2),  # 一、基本情况
    "Heading 4": (KAITI, SIZE_3, JUSTIFY, INDENT, True, 3),  # （一）做强阵地支撑
    "Notice Subtitle": (KAITI, SIZE_3, CENTER, Pt(0), True, None),
    "Notice Rank": (HEITI, SIZE_3, CENTER, Pt(0), True, None),
    "Notice Attachment Label": (HEITI, SIZE_3, LEFT_ALIGN, Pt(0), True, None),
    "Notice Addressee": (FANGSONG, SIZE_3, JUSTIFY, Pt(0), False, None),
    "Notice Attachment Note": (FANGSONG, SIZE_3, JUSTIFY, INDENT, False, None),
    "Notice Signature": (FANGSONG, SIZE_3, RIGHT_ALIGN, Pt(0), True, None),
    "Notice Date": (FANGSONG, SIZE_3, RIGHT_ALIGN, Pt(0), False, None),
    "Notice Contents": (FANGSONG, SIZE_3, LEFT_ALIGN, INDENT, False, None),
    "Notice Page Number": (SONGTI, SIZE_4, RIGHT_ALIGN, Pt(0), False, None),
}
TITLE_STYLES = {"Title", "Notice List Title"}
TITLE_LINE = Pt(35)  # 2号 titles on a fixed 35 pt line


# --- Document-wide settings ---------------------------------------------------------------------


def set_up(document, *, title: str, author: str) -> None:
    """Page, grid, styles, odd/even page numbers and core properties of a new document."""
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance, section.footer_distance = Mm(15), FOOTER_DISTANCE
    _doc_grid(section)
    _styles(document)
    _languages(document)
    _page_numbers(document, section)
    properties = document.core_properties
    properties.author = properties.last_modified_by = author
    properties.title = title
    properties.subject = properties.keywords = properties.category = ""
    properties.comments = ""
    properties.created = properties.modified = datetime.now().replace(microsecond=0)
    properties.revision = 1


def _doc_grid(section) -> None:
    sectPr = section._sectPr
    grid = sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectPr.append(grid)
    for name in list(grid.attrib):
        del grid.attrib[name]
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch()))
    grid.set(qn("w:charSpace"), str(char_space()))


# The languages a file declares, as Word set up for Chinese writes them: Latin runs en-US, East
# Asian runs zh-CN (python-docx's template says ja-JP, which picks Japanese glyph forms and
# line breaking).
LANGUAGE, EAST_ASIAN_LANGUAGE = "en-US", "zh-CN"


def _languages(document) -> None:
    """``w:lang`` of the document defaults and ``w:themeFontLang`` of the settings."""
    rPr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rPr = rPr.find(qn("w:rPr"))
    lang = rPr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rPr.append(lang)
    settings = document.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is None:
        theme = OxmlElement("w:themeFontLang")
        settings.append(theme)
    for element in (lang, theme):
        element.set(qn("w:val"), LANGUAGE)
        element.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)


def _set_fonts(rPr, font: str) -> None:
    """One font for every script, with the theme fonts (which win over names) removed."""
    fonts = rPr.get_or_add_rFonts()
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font)


def _styles(document) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rPr, FANGSONG)
        for tag in ("w:sz", "w:szCs"):
            element = rPr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                rPr.append(element)
            element.set(qn("w:val"), str(SIZE_3 * 2))
    for name, (font, size, align, indent, keep, outline) in STYLE_SPECS.items():
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.quick_style = True
        element = style.element
        for tag in ("w:pPr", "w:rPr"):  # the template's colours, borders and spacing
            old = element.find(qn(tag))
            if old is not None:
                element.remove(old)
        if name != "Normal":
            style.base_style = styles["Normal"]
        rPr = element.get_or_add_rPr()
        _set_fonts(rPr, font)
        style.font.size = Pt(size)
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = indent
        fmt.left_indent = fmt.right_indent = Pt(0)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = TITLE_LINE if name in TITLE_STYLES else Twips(line_pitch())
        fmt.keep_with_next = keep
        fmt.widow_control = True
        if outline is not None:
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(outline))
            element.get_or_add_pPr().append(level)


# --- Page numbers -------------------------------------------------------------------------------


def _page_numbers(document, section) -> None:
    """ "— N —" in 4号: odd pages on the right and even ones on the left, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, RIGHT_ALIGN), (section.even_page_footer, LEFT_ALIGN)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.style = document.styles["Notice Page Number"]
        paragraph.alignment = align
        if align == RIGHT_ALIGN:
            paragraph.paragraph_format.right_indent = Pt(SIZE_4)
        else:
            paragraph.paragraph_format.left_indent = Pt(SIZE_4)
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph) -> None:
    def char(kind):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    paragraph.add_run()._r.append(instruction)
    char("separate")
    paragraph.add_run("1")
    char("end")


# --- Paragraphs ---------------------------------------------------------------------------------


def signature_indent(signature: str, date_text: str) -> Pt:
    """The signature centred over the date, which stands four characters in from the right
    (GB/T 9704-2012, 7.3.5); a half-width digit counts half a character."""

    def width(text):
        return sum(0.5 if ord(ch) < 128 else 1 for ch in text)

    return Pt(max(0.0, 4 + (width(date_text) - width(signature)) / 2) * SIZE_3)


DATE_INDENT = Pt(4 * SIZE_3)


# --- The red header (版头, GB/T 9704-2012, 7.2) ------------------------------------------------

RED = RGBColor(0xE6, 0x00, 0x12)
RED_LINE_GAP = 11  # pt, the red line 4 mm under the 发文字号 (w:space counts whole points)


def add_red_header(document, header: RedHeader) -> None:
    """The issuer's mark in red 35 mm under the 版心's top, the 发文字号 two lines under it, the
    red line of the 版心's width 4 mm under that, then two lines before the title. Colour and
    sizes live in two styles, like every other font of the file."""
    styles = document.styles
    issuer = _header_style(styles, "Notice Issuer", XIAOBIAOSONG, header.issuer_size)
    issuer.font.color.rgb = RED
    fmt = issuer.paragraph_format
    fmt.space_before = Mm(35)
    fmt.line_spacing = Pt(round(header.issuer_size * 1.2))
    number = _header_style(styles, "Notice Document Number", FANGSONG, SIZE_3)
    number.paragraph_format.space_before = Twips(2 * line_pitch())
    _bottom_border(number.element.get_or_add_pPr())
    document.add_paragraph(header.issuer, style=issuer)
    document.add_paragraph(header.number, style=number)
    for _ in range(2):
        document.add_paragraph()


def _header_style(styles, name, font, size):
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    _set_fonts(style.element.get_or_add_rPr(), font)
    style.font.size = Pt(size)
    fmt = style.paragraph_format
    fmt.alignment = CENTER
    fmt.first_line_indent = Pt(0)
    fmt.keep_with_next = True
    return style


def _bottom_border(pPr) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", str(RED_LINE_GAP))):
        bottom.set(qn(f"w:{key}"), value)
    bottom.set(qn("w:color"), str(RED))
    borders.append(bottom)
    # w:pBdr comes before w:spacing and w:jc in CT_PPr's sequence.
    anchor = next((c for c in pPr if c.tag in (qn("w:spacing"), qn("w:ind"), qn("w:jc"))), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        pPr.append(borders)


def add_lines(paragraph, lines: list[str]) -> None:
    """A title's lines in one paragraph, separated by line breaks (no run formatting)."""
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break()
