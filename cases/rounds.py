"""The one door for a round's phases: draft → submission → voting → review → approved →
publicity → published. Each step is checked here and leaves a history row (simple_history)."""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Round

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


def can_move(round_: Round, to: str) -> bool:
    return to in ALLOWED.get(round_.status, set())


@transaction.atomic
def set_round_status(*, round: Round, to: str, user=None, reason: str = "") -> Round:
    """Move ``round`` to phase ``to``; raises ValidationError (Chinese) when not allowed."""
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if not can_move(locked, to):
        raise ValidationError(
            _("评选当前处于“%(now)s”阶段，不能转为“%(to)s”。")
            % {"now": locked.get_status_display(), "to": S(to).label}
        )
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
    "show_vote_counts",
    "publicity_days",
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
