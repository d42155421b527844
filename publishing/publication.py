"""The publication steps of a round: 公示 (public notice period), 印发公布 and its undoing.

Plain functions with keyword-only arguments, called by the staff pages, the tests and the
command line alike. Every round phase change goes through ``cases.rounds.set_round_status``;
every step leaves a ``PublicationEvent`` row and a history row with the reason.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseTransition, Round
from cases.notices.writer import format_date
from cases.rounds import set_round_status

from . import tasks, working_days
from .models import Objection, PublicationEvent
from .notice_draft import NOTICE_FIELDS as NOTICE_FIELDS
from .notice_draft import draft_notice as draft_notice
from .notice_draft import listed_cases as listed_cases

S = Round.Status


# --- The public notice period ---------------------------------------------------------------


def publicity_window(
    start: datetime.datetime, days: int
) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the notice period: it ends at midnight after its last working day."""
    local = timezone.localtime(start)
    last = working_days.add_working_days(local.date(), days).last_day
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    return start, timezone.make_aware(end, timezone.get_current_timezone())


def calendar_warning(round_: Round) -> str:
    """Staff's warning when the round's notice period reaches a year whose holidays the
    calendar does not know (its end was then counted on weekdays only)."""
    if round_.publicity_starts is None:
        return ""
    start = timezone.localtime(round_.publicity_starts).date()
    period = working_days.add_working_days(start, round_.publicity_days or 1)
    return working_days.unknown_years_warning(period)


def last_day(round_: Round) -> datetime.date | None:
    """The last working day of the notice period, as the public notice states it."""
    return round_.publicity_last_day  # the one rule, on the model


def publicity_running(round_: Round, now=None) -> bool:
    now = now or timezone.now()
    return round_.status == S.PUBLICITY and (
        round_.publicity_ends is None or now < round_.publicity_ends
    )


@transaction.atomic
def start_publicity(*, round: Round, user=None, now=None) -> Round:
    """Show the approved list publicly for ``round.publicity_days`` working days."""
    if round.status != S.APPROVED:
        raise ValidationError(_("只有结果已审定的评选才能开始公示。"))
    if not listed_cases(round).exists():
        raise ValidationError(_("评选结果中没有获奖案例，不能公示。"))
    now = now or timezone.now()
    starts, ends = publicity_window(now, round.publicity_days or 1)
    Round.objects.filter(pk=round.pk).update(publicity_starts=starts, publicity_ends=ends)
    round.publicity_starts, round.publicity_ends = starts, ends
    reason = _("开始公示，至 %(end)s 止") % {"end": format_date(round.publicity_last_day)}
    set_round_status(round=round, to=S.PUBLICITY, user=user, reason=reason)
    _event(round, PublicationEvent.Kind.PUBLICITY_STARTED, S.APPROVED, S.PUBLICITY, user, reason)
    return round


# --- Publish --------------------------------------------------------------------------------


def publish_blockers(round_: Round, now=None) -> list[str]:
    """Why ``round_`` cannot be published now, in Chinese; empty when it can."""
    now = now or timezone.now()
    if round_.status != S.PUBLICITY:
        return [
            _("评选当前处于“%(status)s”阶段，须经公示后才能公布。") % {"status": round_.phase_label}
        ]
    problems = []
    if publicity_running(round_, now):
        last = round_.publicity_last_day
        problems.append(
            _("公示期尚未结束（至 %(end)s 止），不能公布。") % {"end": format_date(last)}
            if last
            else _("公示期尚未结束，不能公布。")
        )
    open_count = round_.objections.filter(status=Objection.Status.OPEN).count()
    if open_count:
        problems.append(
            _("尚有 %(count)d 件异议未处理，处理完毕后才能公布。") % {"count": open_count}
        )
    if not listed_cases(round_).exists():
        problems.append(_("评选结果中没有获奖案例。"))
    return problems


@transaction.atomic
def publish_round(*, round: Round, user=None, notice: dict | None = None, now=None) -> Round:
    """Publish ``round`` in one transaction: its notice text, its listed cases, its phase.

    ``notice`` holds the notice fields staff wrote (``NOTICE_FIELDS``); missing ones keep the
    round's values. Any failure leaves the round and every case as they were.
    """
    locked = Round.objects.select_for_update().get(pk=round.pk)
    problems = publish_blockers(locked, now)
    if problems:
        raise ValidationError(problems)
    for name in NOTICE_FIELDS:
        if notice and name in notice:
            setattr(locked, name, notice[name])
    if not (locked.notice_preamble or "").strip():
        raise ValidationError(_("请先填写通知正文。"))
    locked.notice_date = locked.notice_date or timezone.localdate()
    locked.save(update_fields=[*NOTICE_FIELDS, "updated_at"])

    reason = _("印发公布")
    count = _set_cases_status(locked, listed_cases(locked), Case.Status.PUBLISHED, user, reason)
    set_round_status(round=locked, to=S.PUBLISHED, user=user, reason=reason)
    _event(locked, PublicationEvent.Kind.PUBLISHED, S.PUBLICITY, S.PUBLISHED, user, reason, count)

    # The files' rows are recorded with the publication (pending); rendering them is queued
    # once this commits and runs off the request (core.background), else the recovery
    # sweep renders what never finished. The request itself renders nothing.
    tasks.request_documents(round=locked)
    round.refresh_from_db()
    return round


@transaction.atomic
def unpublish_round(*, round: Round, user=None, reason: str, to: str = S.PUBLICITY) -> Round:
    """Take a published list back: its cases return to 'accepted', the round to ``to``."""
    if not (reason or "").strip():
        raise ValidationError(_("撤回公布须填写理由。"))
    if to not in (S.PUBLICITY, S.APPROVED):
        raise ValidationError(_("撤回后只能回到“公示中”或“结果已审定”阶段。"))
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if locked.status != S.PUBLISHED:
        raise ValidationError(_("该评选尚未公布，无需撤回。"))
    cases = locked.cases.filter(status=Case.Status.PUBLISHED)
    count = _set_cases_status(locked, cases, Case.Status.ACCEPTED, user, reason)
    set_round_status(round=locked, to=to, user=user, reason=reason)
    Round.objects.filter(pk=locked.pk).update(published_at=None)
    _event(locked, PublicationEvent.Kind.UNPUBLISHED, S.PUBLISHED, to, user, reason, count)
    round.refresh_from_db()
    return round


# --- The notice text staff start from ---------------------------------------------------------


# --- Helpers ----------------------------------------------------------------------------------


def _set_cases_status(round_, cases, to, user, reason) -> int:
    """Move every case in ``cases`` to ``to``, each with a transition row and a history row."""
    by = user if user is not None and user.is_authenticated else None
    transitions = []
    count = 0
    for case in cases.select_for_update().order_by("id"):
        transitions.append(
            CaseTransition(case=case, from_status=case.status, to_status=to, by=by, reason=reason)
        )
        case.status = to
        case._change_reason = reason
        if by is not None:
            case._history_user = by
        case.save(update_fields=["status", "updated_at"])
        count += 1
    CaseTransition.objects.bulk_create(transitions)
    return count


def _event(round_, kind, from_status, to_status, user, reason, count=0):
    by = user if user is not None and user.is_authenticated else None
    return PublicationEvent.objects.create(
        round=round_,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        by=by,
        case_count=count,
    )
