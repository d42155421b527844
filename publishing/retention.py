"""Personal data kept no longer than needed (PIPL art. 19): the recovery sweep's step.

``PERSONAL_DATA_RETENTION_DAYS`` (default 30) after a round's 公示 ends or its publication,
whichever is later (reviews.vote.retention.round_due_at), the round is minimised: its fraud
flags frozen, its votes' client addresses cut to /24 (/48). Then, whatever the round:

- voters' phones whose every round is minimised (and verified before the period): NULL, the
  keyed hash kept, history rows included;
- one-time codes, failed-login records (django-axes ``AccessAttempt``) and expired sessions
  older than the period: deleted;
- objections answered before the period: name and contact erased, address cut, history too;
- backups in ``BACKUP_DIR`` older than the period: deleted (they hold what was minimised).

Published figures never change: votes are not deleted, only their addresses cut, and flags
are frozen before any phone goes. One audit line per sweep that did something: a history
entry of each minimised round's RoundSelection (the audit trail), and a log line.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Round
from core.network import address_prefix
from reviews.vote import retention as vote_retention

from .models import Objection

log = logging.getLogger("bizenv.privacy")


def retention_period() -> timedelta:
    return timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def due_rounds(now: datetime) -> list[Round]:
    period = retention_period()
    candidates = Round.objects.filter(
        status=Round.Status.PUBLISHED, published_at__isnull=False
    ).exclude(selection__personal_data_minimised_at__isnull=False)
    return [r for r in candidates if (due := vote_retention.round_due_at(r, period)) and due <= now]


def erase_objectors(*, cutoff: datetime) -> int:
    """Objections answered before ``cutoff``: the objector's name and contact erased, the
    address cut; their history rows likewise. The grounds and the answer stay."""
    ids = list(
        Objection.objects.filter(answered_at__lt=cutoff)
        .exclude(name="", contact="")
        .values_list("pk", flat=True)
    )
    for model in (Objection, Objection.history.model):
        for row in model.objects.filter(**{"id__in": ids}).exclude(ip=None).only("pk", "ip"):
            model.objects.filter(pk=row.pk).update(ip=address_prefix(row.ip))
        model.objects.filter(id__in=ids).update(name="", contact="")
    return len(ids)


def clear_expired_sessions() -> None:
    # A session may hold a phone typed on the vote's phone page that was never verified.
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


def delete_old_backups(*, cutoff: datetime) -> int:
    folder = Path(settings.BACKUP_DIR)
    if not folder.is_dir():
        return 0
    n = 0
    for path in folder.glob("*.tar.gz"):
        if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink()
            n += 1
    return n


def minimise_personal_data(now: datetime | None = None) -> int:
    """The sweep's step: everything due is minimised; the number of items changed."""
    now = now or timezone.now()
    cutoff = now - retention_period()
    counts = Counter()
    minimised = []
    with transaction.atomic():
        for round_ in due_rounds(now):
            done = vote_retention.minimise_round(round_, now=now)
            counts["rounds"] += 1
            counts["addresses"] += done["addresses"]
            minimised.append(done["selection"])
        counts["phones"] = vote_retention.minimise_voters(now=now, cutoff=cutoff)
        counts["codes"] = vote_retention.delete_old_codes(cutoff=cutoff)
        counts["objections"] = erase_objectors(cutoff=cutoff)
        counts["logins"] = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
        clear_expired_sessions()
        counts["backups"] = delete_old_backups(cutoff=cutoff)
        total = sum(counts.values())
        if not total:
            return 0
        line = describe(counts)
        for selection in minimised:
            selection._change_reason = line[:100]
            selection.save()
    log.info("%s", line)
    return total


def describe(counts: Counter) -> str:
    return _(
        "个人信息最小化：%(rounds)s 轮评选，截短投票地址 %(addresses)s 条，"
        "删除手机号 %(phones)s 个，删除验证码记录 %(codes)s 条，"
        "删除异议人信息 %(objections)s 条，删除登录失败记录 %(logins)s 条，"
        "删除过期备份 %(backups)s 个"
    ) % {
        key: counts.get(key, 0)
        for key in ("rounds", "addresses", "phones", "codes", "objections", "logins", "backups")
    }
