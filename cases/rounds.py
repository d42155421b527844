"""The one door for a round's phases: draft → submission → voting → review → approved →
publicity → published. Each step is checked here and leaves a history row (simple_history)."""

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
