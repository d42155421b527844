"""Ending the public notice period (公示) before its last working day: a staff decision with a
reason, recorded like every publication step. Publishing then follows its usual checks."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Round
from cases.notices.writer import format_date

from .models import PublicationEvent
from .publication import _event, publicity_running

S = Round.Status


@transaction.atomic
def end_publicity_early(*, round: Round, user=None, reason: str, now=None) -> Round:
    """Close the notice period of ``round`` now; objections can no longer be filed."""
    if not (reason or "").strip():
        raise ValidationError(_("提前结束公示须填写理由。"))
    locked = Round.objects.select_for_update().get(pk=round.pk)
    now = now or timezone.now()
    if not publicity_running(locked, now):
        raise ValidationError(_("该评选当前不在公示期内，无需结束公示。"))
    locked.publicity_ends = now
    why = _("提前结束公示，至 %(end)s 止：%(reason)s") % {
        "end": format_date(locked.publicity_last_day),
        "reason": reason.strip(),
    }
    locked._change_reason = why
    if user is not None and user.is_authenticated:
        locked._history_user = user
    locked.save(update_fields=["publicity_ends", "updated_at"])
    _event(locked, PublicationEvent.Kind.PUBLICITY_ENDED, S.PUBLICITY, S.PUBLICITY, user, why)
    round.refresh_from_db()
    return round
