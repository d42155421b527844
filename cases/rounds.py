"""The one door for a round's phases: draft → submission → voting → review → approved →
publicity → published. Each step is checked here and leaves a history row (simple_history)."""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases.models import Round

S = Round.Status

# Which phase may follow which. Going back one step is allowed for staff to correct a mistake
# (e.g. reopen the submission window), except out of 'published', which unpublish handles.
ALLOWED = {
    S.DRAFT: {S.SUBMISSION},
    S.SUBMISSION: {S.DRAFT, S.VOTING},
    S.VOTING: {S.SUBMISSION, S.REVIEW},
    S.REVIEW: {S.VOTING, S.APPROVED},
    S.APPROVED: {S.REVIEW, S.PUBLICITY},
    # An upheld objection may send the list back to the experts (publishing.objections).
    S.PUBLICITY: {S.APPROVED, S.REVIEW, S.PUBLISHED},
    # Unpublishing returns to the notice period or to the approved result (publishing).
    S.PUBLISHED: {S.PUBLICITY, S.APPROVED},
}


# Moves with a door of their own, which computes or checks something first: closing the vote
# computes the shortlist, approving freezes the result, publishing checks the objections and
# the notice period. The generic phase switch (by_hand=True) never makes these moves.
OWN_DOORS = {
    (S.VOTING, S.REVIEW): _lazy("请在投票管理页“结束投票”，以计算入围名单"),
    (S.REVIEW, S.APPROVED): _lazy("请在评选结果页审定结果"),
    (S.APPROVED, S.PUBLICITY): _lazy("请在公示与公布页开始公示"),
    (S.PUBLICITY, S.REVIEW): _lazy("请在答复异议时选择重新评审"),
    (S.PUBLICITY, S.PUBLISHED): _lazy("请在公示与公布页印发公布"),
    (S.PUBLISHED, S.PUBLICITY): _lazy("请在公示与公布页撤回公布"),
    (S.PUBLISHED, S.APPROVED): _lazy("请在公示与公布页撤回公布"),
}


def can_move(round_: Round, to: str) -> bool:
    return to in ALLOWED.get(round_.status, set())


def moves_by_hand(round_: Round) -> list:
    """The phases the generic switch offers from where ``round_`` is, in flow order."""
    return [to for to in S.values if can_move(round_, to) and (round_.status, to) not in OWN_DOORS]


@transaction.atomic
def set_round_status(
    *, round: Round, to: str, user=None, reason: str = "", by_hand: bool = False
) -> Round:
    """Move ``round`` to phase ``to``; raises ValidationError (Chinese) when not allowed.

    ``by_hand``: the move comes from the generic phase switch, which may not make a move that
    has its own door (OWN_DOORS).
    """
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if not can_move(locked, to):
        raise ValidationError(
            _("评选当前处于“%(now)s”阶段，不能转为“%(to)s”。")
            % {"now": locked.get_status_display(), "to": S(to).label}
        )
    if by_hand and (locked.status, to) in OWN_DOORS:
        raise ValidationError(str(OWN_DOORS[(locked.status, to)]) + "。")
    locked.status = to
    if to == S.PUBLISHED:
        locked.published_at = timezone.now()
    locked._change_reason = reason or f"{round.status} → {to}"
    if user is not None and user.is_authenticated:
        locked._history_user = user
    locked.save()
    round.refresh_from_db()
    return round


# --- copying last year's round -------------------------------------------------------------------

# Settings a new round takes over from the round it copies; dates move on by whole years.
COPIED_SETTINGS = [
    "criteria",
    "tiers",
    "shortlist_size",
    "trim",
    "vote_weight",
    "normalize",
    "precision",
    "max_cases_per_district",
    "votes_per_voter",
    "vote_count_mode",
    "vote_count_time",
    "publicity_days",
    "flag_correlation",
    "flag_offset",
    "flag_spread",
    "feedback_to_districts",
    "notice_addressee",
    "notice_signature",
]
COPIED_DATES = [
    "submission_opens",
    "submission_closes",
    "vote_opens",
    "vote_closes",
    "review_opens",
    "review_closes",
]


def shift_years(value, years: int):
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February into a common year
        return value.replace(year=value.year + years, day=28)


def copy_settings(source: Round, year: int | None = None) -> dict:
    """Initial values for a new round of ``year`` (default: the next year) copied from
    ``source``: the same rules, the same calendar a year (or more) later, a new title."""
    year = year or source.year + 1
    values = {name: copy.deepcopy(getattr(source, name)) for name in COPIED_SETTINGS}
    values.update(
        {name: shift_years(getattr(source, name), year - source.year) for name in COPIED_DATES}
    )
    values["year"] = year
    values["title"] = source.title.replace(str(source.year), str(year))
    if values["title"] == source.title:
        values["title"] = _("%(year)s 年度上海市各区优化营商环境优秀案例评选") % {"year": year}
    return values
