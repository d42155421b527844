"""荣誉证书: one A4 landscape page per awarded case of an approved or published round.

``certificates_for`` gathers what each page prints (plain data, no ORM past it) and
``render_pdf`` writes them with WeasyPrint from ``templates/publishing/certificates.html``.
The staff pages and the ``export_certificates`` command both call ``certificate_pdf``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Round
from cases.notices.writer import format_date

from .document_fonts import document_fonts
from .publication import listed_cases

# Rounds whose list is final enough to print: approved (before or without 公示) and published.
ISSUABLE = (Round.Status.APPROVED, Round.Status.PUBLISHED)
AUTHORITY = "上海市发展和改革委员会"
# The faces of the notice (publishing.document_fonts), each subset by WeasyPrint: 小标宋 for the
# heading, the case's title and the award, 楷体 for the wording and the subtitle, 仿宋 for the
# authority and the date. Each line is in one family; none is emboldened.


# How many 19 pt characters the title's block holds on a line.
TITLE_EM_PER_LINE = 29


@dataclass(frozen=True)
class Certificate:
    district: str
    title: str
    subtitle: str
    award: str  # 优秀案例 / 入选
    rank: int | None  # None in a compilation
    year: int
    authority: str
    date: str  # 2022年11月8日

    @property
    def title_layout(self) -> tuple[int, int]:
        """Font size (pt) and line width (em) of the title: long titles get smaller, and the
        width is chosen so that the lines come out about equally long, not one word left over."""
        chars = len(self.title) + 2  # with 《》
        size = 19 if chars <= 60 else 16 if chars <= 96 else 14
        per_line = TITLE_EM_PER_LINE * 19 // size
        lines = -(-chars // per_line)
        return size, -(-chars // lines) + 1

    @property
    def rank_text(self) -> str:
        return f"第{chinese_number(self.rank)}名" if self.rank is not None else ""


DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, as certificates write ranks; 100 and over in digits."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    ten = (DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
    return ten + (DIGITS[ones] if ones else "")


def issue_blockers(round_: Round) -> list[str]:
    """Why no certificates can be printed for ``round_``, in Chinese; empty when they can."""
    if round_.status not in ISSUABLE:
        return [
            _("评选当前处于“%(status)s”阶段，结果审定或公布后才能打印荣誉证书。")
            % {"status": round_.phase_label}
        ]
    if not listed_cases(round_).exists():
        return [_("该评选没有获奖案例，无荣誉证书可打印。")]
    return []


def certificates_for(round_: Round, case: Case | None = None) -> list[Certificate]:
    """The round's certificates in the notice's order, or only ``case``'s.

    Raises ``ValidationError`` (Chinese) for a round not yet approved or a case not awarded."""
    problems = issue_blockers(round_)
    if problems:
        raise ValidationError(problems)
    cases = listed_cases(round_).select_related("district").in_notice_order()
    if case is not None:
        cases = cases.filter(pk=case.pk)
        if not cases.exists():
            raise ValidationError(_("该案例不在获奖名单中，没有荣誉证书。"))
    authority = (round_.notice_signature or "").strip() or AUTHORITY
    date = format_date(_issue_date(round_))
    return [
        Certificate(
            district=c.district.name if c.district else "",
            title=c.title,
            subtitle="——" + c.subtitle.lstrip("—-－― ") if c.subtitle.strip() else "",
            award=_("入选") if round_.is_compilation else c.tier,
            rank=None if round_.is_compilation else c.rank,
            year=round_.year,
            authority=authority,
            date=date,
        )
        for c in cases
    ]


def _issue_date(round_: Round) -> datetime.date:
    """The notice's date; before the notice is written (an approved round), today."""
    return round_.notice_date or timezone.localdate()


def render_html(certificates: list[Certificate], *, compilation: bool, title: str) -> str:
    fonts = document_fonts()
    return render_to_string(
        "publishing/certificates.html",
        {
            "certificates": certificates,
            "compilation": compilation,
            "title": title,
            "authority": certificates[0].authority if certificates else AUTHORITY,
            "font_faces": fonts.css,
            "fonts": fonts.families,
        },
    )


def render_pdf(certificates: list[Certificate], *, compilation: bool, title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(certificates, compilation=compilation, title=title)).write_pdf()


def certificate_pdf(round_: Round, case: Case | None = None) -> bytes:
    """The PDF of the round's certificates (or ``case``'s one): the one entry point."""
    certificates = certificates_for(round_, case)
    title = _("%(year)s年度优化营商环境案例荣誉证书") % {"year": round_.year}
    return render_pdf(certificates, compilation=round_.is_compilation, title=title)


def file_name(round_: Round, case: Case | None = None) -> str:
    if case is None:
        return f"{round_.year}年度优化营商环境案例荣誉证书.pdf"
    district = case.district.name if case.district else ""
    return f"{round_.year}年度荣誉证书-{district}-{case.pk}.pdf"
