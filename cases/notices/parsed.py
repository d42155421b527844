"""What reading a notice gives: plain dataclasses, shared by every shape, the writer, the
importer and the documents. Pure Python, no Django."""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from dataclasses import dataclass, field

# The shapes of notice the commission has published (see ``cases.notices.shapes``).
RANKED = "ranked"  # tiers of ranked cases (2022: two tiers with headings; 2023: one, unheaded)
COMPILATION = "compilation"  # cases under district headings, no tiers, no ranks (2021)


class NoticeError(ValueError):
    """The input cannot be read as a selection notice. ``str(e)`` is one line in Chinese."""

    def __init__(self, message: str):
        super().__init__(" ".join(message.split()))


class IncompleteNotice(NoticeError):
    """The notice was read, but it does not hold what it says it holds (a truncated copy).

    ``problems`` names each difference; ``notice`` is what was read, for a caller that accepts
    a partial import."""

    def __init__(self, problems: list[str], notice: ParsedNotice):
        super().__init__("；".join(problems))
        self.problems = problems
        self.notice = notice


def case_fingerprint(title: str, subtitle: str, sections: list[dict]) -> str:
    """SHA-1 of title + subtitle + body with whitespace and punctuation removed."""
    parts = [title, subtitle]
    for section in sections:
        parts += [section.get("heading", ""), section.get("body", "")]
    letters = "".join(
        char
        for char in "".join(parts)
        if not char.isspace() and not unicodedata.category(char).startswith("P")
    )
    return hashlib.sha1(letters.encode("utf-8")).hexdigest()


@dataclass
class ParsedCase:
    tier: str = ""  # "" in a compilation
    rank: int | None = 0  # None in a compilation
    # 1-based order among the kept cases of the whole notice; 0 for a skipped duplicate copy.
    position: int = 0
    title: str = ""
    subtitle: str = ""
    # [{"heading": "一、工作背景", "body": "paragraph\nparagraph"}]; heading "" for a lead
    # paragraph or an unsectioned body.
    sections: list[dict] = field(default_factory=list)
    district: str | None = None
    district_needs_review: bool = False
    district_note: str = ""
    # Where the case's rank line stands in the source; provenance only, so two copies that
    # differ in blank lines still compare equal.
    line: int = field(default=0, compare=False)

    @property
    def fingerprint(self) -> str:
        """A key equal for two printings of the same case (title + subtitle + body)."""
        return case_fingerprint(self.title, self.subtitle, self.sections)

    def full_text(self) -> str:
        """Title, subtitle and every heading and paragraph, one per line."""
        lines = [self.title, self.subtitle]
        for section in self.sections:
            lines += [section.get("heading", ""), section.get("body", "")]
        return "\n".join(line for line in lines if line)


@dataclass
class ParsedTier:
    name: str = ""
    heading: str = ""
    cases: list[ParsedCase] = field(default_factory=list)


@dataclass
class ParsedNotice:
    shape: str = RANKED
    # The letter's own title line ("关于印发…的通知") and 发文字号, when the copy prints them.
    title: str = ""
    document_number: str = ""
    addressee: str = ""
    preamble: list[str] = field(default_factory=list)
    attachment: str = ""
    signature: str = ""
    date: datetime.date | None = None
    year: int | None = None
    tiers: list[ParsedTier] = field(default_factory=list)
    # (skipped copy, the kept original it repeats)
    duplicates: list[tuple[ParsedCase, ParsedCase]] = field(default_factory=list)
    dropped_lines: list[str] = field(default_factory=list)
    # A web page's own lines around the notice (navigation, page tools, footer), dropped.
    page_chrome: list[str] = field(default_factory=list, compare=False)
    # Oddities worth showing to a person (e.g. ranks that break the tie rule); diagnostic only.
    warnings: list[str] = field(default_factory=list, compare=False)
    # Where the notice does not hold what it says it holds (count, tiers, 目录); a partial
    # import records these on the round.
    shortfall: list[str] = field(default_factory=list, compare=False)
    # The text was in traditional characters and was read after conversion to simplified.
    converted_from_traditional: bool = field(default=False, compare=False)

    @property
    def is_compilation(self) -> bool:
        return self.shape == COMPILATION

    def cases(self) -> list[ParsedCase]:
        return [case for tier in self.tiers for case in tier.cases]

    def needing_district(self) -> list[ParsedCase]:
        return [case for case in self.cases() if case.district_needs_review]
