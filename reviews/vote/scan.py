"""The scan for flags (bursts, swarms of new phones, runs of numbers), run off the request and
kept on the round's VoteLedger: the monitor page reads the last scan and says when it ran
("异常检测更新于 14:05").

Who runs it: with a worker, the recovery sweep (celery beat, every five minutes) and the task
the monitor page queues when the last scan is older than FLAG_MAX_AGE; in the embedded mode
(no beat) that same task runs in a thread once the page has been answered. Staff may ask for a
scan now, at most once per REFRESH_INTERVAL. Each new flag is mailed to staff once.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Round

from ..models import VoteLedger
from . import flags, ledger, monitor
from .monitor import Burst

FLAG_MAX_AGE = timedelta(minutes=5)
REFRESH_INTERVAL = timedelta(minutes=1)


def flag_key(flag: Burst) -> str:
    """The same flag in two scans (it may have grown since): its kind, block or case, and
    its first vote."""
    where = flag.block or ",".join(str(pk) for pk in sorted(flag.cases))
    return f"{flag.kind}:{where}:{min(flag.vote_ids)}"


def _as_data(flag: Burst) -> dict:
    return {
        "key": flag_key(flag),
        "kind": flag.kind,
        "block": flag.block,
        "detail": flag.detail,
        "first": flag.first.isoformat(),
        "last": flag.last.isoformat(),
        "vote_ids": flag.vote_ids,
        "cases": {str(k): v for k, v in flag.cases.items()},
        "voters": {str(k): v for k, v in flag.voters.items()},
    }


def _from_data(data: dict) -> Burst:
    burst = Burst(
        block=data["block"],
        first=datetime.fromisoformat(data["first"]),
        last=datetime.fromisoformat(data["last"]),
        vote_ids=list(data["vote_ids"]),
        kind=data["kind"],
        detail=data["detail"],
    )
    burst.cases.update({int(k): v for k, v in data["cases"].items()})
    burst.voters.update({int(k): v for k, v in data["voters"].items()})
    return burst


def scan(round_: Round, now: datetime | None = None) -> list[Burst]:
    """Find every flag of ``round_`` now, keep them on its ledger and mail staff each new one."""
    now = now or timezone.now()
    found = monitor.find_bursts(round_) + flags.find_flags(round_)
    found.sort(key=lambda flag: flag.first)
    ledger.ledger_of(round_)
    VoteLedger.objects.filter(round=round_).update(
        flags=[_as_data(flag) for flag in found], flags_at=now
    )
    for flag in found:
        mail_new_flag(round_, flag)
    return found


def stored(round_: Round) -> tuple[list[Burst], datetime | None]:
    """The last scan's flags and when it ran (None: never)."""
    row = VoteLedger.objects.filter(round=round_).values_list("flags", "flags_at").first()
    if row is None or row[1] is None:
        return [], None
    return [_from_data(data) for data in row[0]], row[1]


def is_stale(round_: Round, scanned_at: datetime | None, now=None) -> bool:
    """Whether the monitor should queue a scan (reviews.tasks.scan_vote_flags): the last one
    is older than FLAG_MAX_AGE, or there is none, and the votes may still change."""
    now = now or timezone.now()
    if scanned_at is None:
        return True
    if round_.status != Round.Status.VOTING:
        return False  # a closed vote's votes no longer change
    return now - scanned_at >= FLAG_MAX_AGE


def may_refresh(round_: Round, now=None) -> bool:
    """Staff's "立即重新检测": allowed unless the last scan is younger than REFRESH_INTERVAL."""
    now = now or timezone.now()
    _flags, scanned_at = stored(round_)
    return scanned_at is None or now - scanned_at >= REFRESH_INTERVAL


def scan_voting_rounds(now=None) -> int:
    """The recovery sweep's step (every five minutes under celery beat): each voting round's
    votes folded into its buckets and scanned for flags."""
    done = 0
    for round_ in Round.objects.filter(status=Round.Status.VOTING):
        ledger.fold(round_)
        scan(round_)
        done += 1
    return done


def mail_new_flag(round_: Round, flag: Burst) -> bool:
    """One mail to staff per flag, the first time a scan finds it (cases.notifications keeps
    the key, so a later scan or a second worker never sends it again)."""
    from django.urls import reverse

    from cases import notifications

    kinds = {"block": _("同一地址段集中投票"), "swarm": _("新号集中投票"), "phones": _("相近号码")}
    what = flag.detail or flag.block
    subject = _("【网络投票】发现异常投票：%(kind)s") % {"kind": kinds.get(flag.kind, flag.kind)}
    body = _(
        "%(round)s 的网络投票发现一处异常，请到投票监控页核查：\n\n"
        "%(what)s\n时间：%(first)s – %(last)s，共 %(n)s 票。\n\n%(url)s\n\n"
        "标记只是提示，不会自动作废选票；作废须在投票监控页填写原因。"
    ) % {
        "round": round_,
        "what": what,
        "first": timezone.localtime(flag.first).strftime("%m-%d %H:%M:%S"),
        "last": timezone.localtime(flag.last).strftime("%H:%M:%S"),
        "n": flag.count,
        "url": notifications.site_url(reverse("reviews:votes", args=[round_.pk])),
    }
    return notifications.send_once(
        key=f"vote-flag:{round_.pk}:{flag_key(flag)}"[:100],
        subject=subject,
        body=body,
        recipients=notifications.staff_recipients(),
    )
