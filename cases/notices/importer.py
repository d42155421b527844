"""Turning a parsed notice into a published round: the ORM side of ``import_notice``.

Idempotent: a second import of the same notice changes nothing. A case is found again by the
fingerprint of its text as first imported (``source_key``), or failing that by its tier, rank
and title; what a person corrected since (a district assigned by hand) is kept.

Every shape imports alike: a ranked notice gives a round with its tiers, a compilation a round
marked as one, with no tiers and cases without rank. The round's criteria are the words the
preamble states; its signature and date are the notice's own, empty where it has none.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cases.models import Case, District, Round, default_criteria
from cases.notices.checks import count_unchecked
from cases.notices.parsed import ParsedCase, ParsedNotice
from cases.notices.preamble import criteria_words
from cases.topics import apply_topic_rules

CRITERIA_KEYS = ["c1", "c2", "c3", "c4", "c5", "c6"]


@dataclass
class ImportReport:
    round: Round
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)  # (skipped ParsedCase, kept ParsedCase)
    needing_district: list = field(default_factory=list)  # Case objects
    dropped_lines: list = field(default_factory=list)
    tiers: list = field(default_factory=list)  # (name, count)
    round_created: bool = False
    dry_run: bool = False
    compilation: bool = False
    no_signature: bool = False
    no_date: bool = False
    converted_from_traditional: bool = False
    shortfall: list = field(default_factory=list)  # what a partial import lacks
    page_chrome: list = field(default_factory=list)  # a web page's lines, dropped
    title: str = ""  # the letter's title line, when the copy prints it
    document_number: str = ""
    # The letter states no count to check the list against (a missing last case goes unseen).
    count_unchecked: bool = False

    @property
    def changed(self):
        return bool(self.created or self.updated or self.round_created)


def source_key(parsed: ParsedCase) -> str:
    return hashlib.sha256(parsed.fingerprint.encode("utf-8")).hexdigest()[:64]


def criteria_from_preamble(paragraphs) -> list[dict]:
    """The criteria words a notice states ("具有引领性强、感受度高、可复制推广的…", "选出各区
    创新性强、实效性高、可复制推广的20个…"); the default criteria where it states none."""
    words = criteria_words(paragraphs)
    if not 2 <= len(words) <= len(CRITERIA_KEYS):
        return default_criteria()
    # A published notice states the words, not the marks: each criterion out of 10, equal weight.
    return [
        {"key": key, "label": word, "max": 10, "weight": 1}
        for key, word in zip(CRITERIA_KEYS, words, strict=False)
    ]


def import_notice(*, parsed: ParsedNotice, year: int, dry_run: bool = False) -> ImportReport:
    """Create or update the published round of ``year`` from ``parsed``, in one transaction."""
    with transaction.atomic():
        report = _import(parsed=parsed, year=year)
        report.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import(*, parsed: ParsedNotice, year: int) -> ImportReport:
    title = parsed.attachment or f"上海市{year}年度各区优化营商环境优秀案例"
    round_ = Round.objects.filter(year=year, notice_title=title).first()
    round_created = round_ is None
    if round_created:
        round_ = Round(year=year, notice_title=title, title=title)
    if parsed.is_compilation:
        round_.kind = Round.Kind.COMPILATION
        round_.tiers = []
    else:
        round_.tiers = [
            {"name": tier.name, "size": max(c.rank for c in tier.cases)}
            for tier in parsed.tiers
            if tier.cases
        ]
    shortfall = "；".join(parsed.shortfall)
    if round_created:
        round_.criteria = criteria_from_preamble(parsed.preamble)
        round_.status = Round.Status.PUBLISHED
        round_.notice_addressee = parsed.addressee
        round_.notice_preamble = "\n".join(parsed.preamble)
        round_.notice_attachment = parsed.attachment
        # Only what the notice says: no default signature where it has none.
        round_.notice_signature = parsed.signature
        round_.notice_date = parsed.date
        round_.document_number = parsed.document_number
        round_.published_at = timezone.now()
        round_.import_shortfall = shortfall
        round_.save()
    elif round_.import_shortfall != shortfall:
        # A later import of a complete copy clears the shortfall; a partial one records it.
        round_.import_shortfall = shortfall
        round_.save(update_fields=["import_shortfall", "updated_at"])

    report = ImportReport(
        round=round_,
        round_created=round_created,
        duplicates=list(parsed.duplicates),
        dropped_lines=list(parsed.dropped_lines),
        tiers=[(tier.name, len(tier.cases)) for tier in parsed.tiers if tier.name],
        compilation=parsed.is_compilation,
        no_signature=not parsed.signature,
        no_date=parsed.date is None,
        converted_from_traditional=parsed.converted_from_traditional,
        shortfall=list(parsed.shortfall),
        page_chrome=list(parsed.page_chrome),
        title=parsed.title,
        document_number=parsed.document_number,
        count_unchecked=count_unchecked(parsed),
    )
    districts = {d.name: d for d in District.objects.all()}
    for parsed_case in parsed.cases():
        case, outcome = _upsert_case(round_, parsed_case, districts)
        getattr(report, outcome).append(case)
        if case.district_id is None or case.district_needs_review:
            report.needing_district.append(case)
    # Notices name no topic: the keyword rules give one to each case no person has set.
    apply_topic_rules(Case.objects.filter(round=round_))
    return report


def _upsert_case(round_, parsed: ParsedCase, districts) -> tuple[Case, str]:
    key = source_key(parsed)
    district = districts.get(parsed.district) if parsed.district else None
    if Case.objects.filter(round=round_, source_key=key).exists():
        # The notice says what it said when this case was imported: any difference on the
        # case now is a person's correction, and stays.
        return Case.objects.get(round=round_, source_key=key), "unchanged"

    wanted = {
        "title": parsed.title,
        "subtitle": parsed.subtitle,
        "sections": parsed.sections,
        "tier": parsed.tier,
        "rank": parsed.rank or None,
        "position": parsed.position,
        "status": Case.Status.PUBLISHED,
        "source_key": key,
    }
    case = Case.objects.filter(
        round=round_, tier=parsed.tier, rank=parsed.rank or None, title=parsed.title
    ).first()
    if case is None:
        case = Case(round=round_, **wanted)
        outcome = "created"
    else:
        # The same case in a corrected copy of the notice: take the new text.
        for name, value in wanted.items():
            setattr(case, name, value)
        outcome = "updated"
    # The district is the importer's only while no person has confirmed one.
    if not case.district_confirmed:
        case.district = district
        case.district_needs_review = parsed.district_needs_review or district is None
        case.district_note = parsed.district_note
    case.save()
    return case, outcome
