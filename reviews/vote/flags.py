"""Patterns in the votes, beyond bursts from one address block, for a person to look at on the
staff fraud review (the only page that shows whole phone numbers). A flag never voids a vote:
voiding stays a staff act with a reason (monitor.void_votes).

- a swarm: many phones verified for the first time minutes before voting for one case, within
  a few minutes of each other (bought or borrowed numbers fetched in a batch);
- a run: near-consecutive phone numbers (13900000001, …02, …03) voting for one case within a
  day (a batch of numbers from one dealer).

Thresholds are settings (VOTE_SWARM_*, VOTE_PHONE_RUN_*), with defaults for a city-wide vote.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from cases.models import Case, Round

from ..models import Vote
from .monitor import Burst, burst_of, dense_runs


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def swarm_rules() -> dict:
    return {
        "window": timedelta(minutes=_setting("VOTE_SWARM_WINDOW_MINUTES", 10)),
        "threshold": _setting("VOTE_SWARM_THRESHOLD", 15),
        "new": timedelta(minutes=_setting("VOTE_SWARM_NEW_PHONE_MINUTES", 30)),
    }


def run_rules() -> dict:
    return {
        "length": _setting("VOTE_PHONE_RUN_LENGTH", 5),
        "gap": _setting("VOTE_PHONE_RUN_GAP", 3),
        "within": timedelta(hours=_setting("VOTE_PHONE_RUN_HOURS", 24)),
    }


def describe_swarm_rules() -> dict:
    rules = swarm_rules()
    return {
        "window_minutes": int(rules["window"].total_seconds() // 60),
        "threshold": rules["threshold"],
        "new_minutes": int(rules["new"].total_seconds() // 60),
    }


def describe_run_rules() -> dict:
    rules = run_rules()
    hours = int(rules["within"].total_seconds() // 3600)
    return {"length": rules["length"], "gap": rules["gap"], "hours": hours}


def find_swarms(round_: Round, **rules) -> list[Burst]:
    """Votes for one case by newly verified phones, at least ``threshold`` within ``window``."""
    rules = {**swarm_rules(), **rules}
    votes = (
        Vote.objects.filter(
            round=round_,
            voided=False,
            created_at__lte=F("voter__created_at") + rules["new"],
        )
        .order_by("case_id", "created_at", "id")
        .values_list("id", "created_at", "case_id", "voter_id")
    )
    by_case: dict[int, list] = {}
    for vote in votes:
        by_case.setdefault(vote[2], []).append(vote)
    minutes = int(rules["window"].total_seconds() // 60)
    detail = _("%(minutes)s 分钟内 %(n)s 个新验证的手机号投给同一案例")
    flags = []
    for case_votes in by_case.values():
        for group in dense_runs(case_votes, rules["window"], rules["threshold"]):
            flags.append(
                burst_of(group, kind="swarm", detail=detail % {"minutes": minutes, "n": len(group)})
            )
    return flags


def _number_runs(votes, gap: int) -> list[list]:
    """``votes`` (each ending with the phone as an int) split where neighbouring numbers, in
    number order, differ by more than ``gap``."""
    ordered = sorted(votes, key=lambda vote: vote[-1])
    runs, current = [], []
    for vote in ordered:
        if current and vote[-1] - current[-1][-1] > gap:
            runs.append(current)
            current = []
        current.append(vote)
    if current:
        runs.append(current)
    return runs


def find_phone_runs(round_: Round, **rules) -> list[Burst]:
    """At least ``length`` near-consecutive numbers (neighbours at most ``gap`` apart) voting
    for one case within ``within``."""
    rules = {**run_rules(), **rules}
    by_case: dict[int, list] = {}
    rows = Vote.objects.filter(round=round_, voided=False).values_list(
        "id", "created_at", "case_id", "voter_id", "voter__phone"
    )
    for vote_id, at, case_id, voter_id, phone in rows:
        if phone and phone.isascii() and phone.isdigit():  # 11 ASCII digits; None minimised
            by_case.setdefault(case_id, []).append((vote_id, at, case_id, voter_id, int(phone)))
    detail = _("%(n)s 个相近号码（%(first)s 起）投给同一案例")
    flags = []
    for case_votes in by_case.values():
        for run in _number_runs(case_votes, rules["gap"]):
            if len(run) < rules["length"]:
                continue
            run.sort(key=lambda vote: (vote[1], vote[0]))
            for group in dense_runs(run, rules["within"], rules["length"]):
                first = min(vote[-1] for vote in group)
                text = detail % {"n": len(group), "first": f"{first:011d}"}
                flags.append(burst_of(group, kind="phones", detail=text))
    return flags


def find_flags(round_: Round) -> list[Burst]:
    """Swarms and number runs, oldest first (bursts by address block are monitor's)."""
    flags = find_swarms(round_) + find_phone_runs(round_)
    titles = dict(
        Case.objects.filter(pk__in={pk for flag in flags for pk in flag.cases}).values_list(
            "pk", "title"
        )
    )
    for flag in flags:  # each flag is about one case: name it
        (case_id,) = flag.cases
        flag.detail = _("%(detail)s：%(title)s") % {"detail": flag.detail, "title": titles[case_id]}
    flags.sort(key=lambda flag: flag.first)
    return flags
