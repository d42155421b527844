"""Personal data of the vote kept no longer than needed (PIPL art. 19): the vote's side of the
sweep that publishing.retention runs.

- A round due for minimisation first has its fraud-review flags frozen (``freeze_flags``: the
  staff page then shows exactly what it showed before), then its votes' client addresses,
  history rows included, cut to their /24 (IPv6 /48) (``minimise_round``).
- A voter's phone becomes NULL, its keyed hash kept (core.identifiers.phone_digest), once no
  round the voter took part in is still within its period (``minimise_voters``).
- One-time codes (phone and address) older than the period are deleted (``delete_old_codes``).
"""

import re
from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from cases.models import Round
from core.identifiers import mask_phone
from core.network import address_prefix

from ..models import Ballot, PhoneCode, RoundSelection, Vote, Voter
from . import flags, monitor
from .monitor import Burst

MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", re.ASCII)


def _burst_to_json(burst: Burst) -> dict:
    """A flag as stored once frozen: a phone number in its text (a run's first number) is
    kept masked, the number itself is what minimisation removes."""
    return {
        "kind": burst.kind,
        "block": burst.block,
        "detail": MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group()), burst.detail),
        "first": burst.first.isoformat(),
        "last": burst.last.isoformat(),
        "vote_ids": list(burst.vote_ids),
        "cases": [[pk, n] for pk, n in burst.cases.items()],
        "voters": [[pk, n] for pk, n in burst.voters.items()],
    }


def _burst_from_json(data: dict) -> Burst:
    return Burst(
        kind=data["kind"],
        block=data["block"],
        detail=data["detail"],
        first=datetime.fromisoformat(data["first"]),
        last=datetime.fromisoformat(data["last"]),
        vote_ids=list(data["vote_ids"]),
        cases=Counter(dict(data["cases"])),
        voters=Counter(dict(data["voters"])),
    )


def current_flags(round_: Round) -> list[Burst]:
    """The fraud review's flags as computed from the votes now."""
    return monitor.find_bursts(round_) + flags.find_flags(round_)


def frozen_flags(round_: Round) -> list[Burst] | None:
    """The flags frozen when the round's personal data was minimised, or None before."""
    selection = RoundSelection.objects.filter(round=round_).first()
    if selection is not None and selection.frozen_flags is not None:
        return [_burst_from_json(item) for item in selection.frozen_flags]
    return None


def flags_for(round_: Round) -> list[Burst]:
    """The flags staff see: frozen ones once the round's personal data is minimised (the
    phones they were computed from are gone), else computed."""
    frozen = frozen_flags(round_)
    return current_flags(round_) if frozen is None else frozen


def freeze_flags(selection: RoundSelection) -> None:
    if selection.frozen_flags is None:
        selection.frozen_flags = [_burst_to_json(b) for b in current_flags(selection.round)]


def _cut_addresses(queryset) -> int:
    """Client addresses cut to their block, one UPDATE per address block (the votes' own
    ``ip_block``, so no row is read); rows without a block lose the address."""
    n = 0
    blocks = queryset.exclude(ip=None).values_list("ip_block", flat=True).distinct()
    for block in list(blocks):
        prefix = address_prefix(block.partition("/")[0]) if block else None
        rows = queryset.filter(ip_block=block).exclude(ip=None)
        if prefix is not None:
            rows = rows.exclude(ip=prefix)
        n += rows.update(ip=prefix)
    return n


def minimise_round(round_: Round, *, now: datetime) -> dict:
    """Freeze the round's flags, cut its votes' addresses (history too) and mark it; the
    counts for the audit line."""
    selection, _created = RoundSelection.objects.select_for_update().get_or_create(round=round_)
    freeze_flags(selection)
    votes = _cut_addresses(Vote.objects.filter(round=round_))
    _cut_addresses(Vote.history.filter(round_id=round_.pk))
    selection.personal_data_minimised_at = now
    # Written now (no history entry: the caller saves the audit line once the whole sweep is
    # counted), so that the voters' step below sees this round as minimised.
    RoundSelection.objects.filter(pk=selection.pk).update(
        personal_data_minimised_at=now, frozen_flags=selection.frozen_flags
    )
    return {"selection": selection, "addresses": votes}


def pending_round_ids():
    """Rounds with votes whose personal data is not minimised yet."""
    return Round.objects.exclude(selection__personal_data_minimised_at__isnull=False).values("pk")


def minimise_voters(*, now: datetime, cutoff: datetime) -> int:
    """Phones of voters verified before ``cutoff`` who voted in no round still pending: NULL,
    their keyed hash kept; the voters' history rows lose the number too."""
    # Ballots, not votes: one row per voter and round (written with the voter's first vote).
    pending_voters = Ballot.objects.filter(round_id__in=pending_round_ids()).values("voter_id")
    voters = (
        Voter.objects.exclude(phone=None)
        .filter(Q(verified_at__lt=cutoff) | Q(verified_at=None, created_at__lt=cutoff))
        .exclude(pk__in=pending_voters)
    )
    ids = list(voters.values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        Voter.objects.filter(pk__in=chunk).update(phone=None, minimised_at=now)
        Voter.history.filter(id__in=chunk).update(phone=None)
    return len(ids)


def delete_old_codes(*, cutoff: datetime) -> int:
    """One-time codes (a phone, an address) older than the period: of no use after minutes."""
    return PhoneCode.objects.filter(created_at__lt=cutoff).delete()[0]


def round_due_at(round_: Round, period: timedelta) -> datetime | None:
    """When a round's personal data is minimised: ``period`` after its 公示 ends or after its
    publication, whichever is later; None until it is published."""
    if round_.status != Round.Status.PUBLISHED or round_.published_at is None:
        return None
    ends = [at for at in (round_.publicity_ends, round_.published_at) if at is not None]
    return max(ends) + period


def phone_minimised_after(voter: Voter, period: timedelta) -> datetime | None:
    """When the voter's phone will be minimised at the earliest (the sweep runs every few
    minutes): None while a round they voted in is not published yet."""
    base = voter.verified_at or voter.created_at or timezone.now()
    dues = [base + period]
    for round_ in Round.objects.filter(votes__voter=voter).distinct():
        due = round_due_at(round_, period)
        if due is None:
            return None
        dues.append(due)
    return max(dues)
