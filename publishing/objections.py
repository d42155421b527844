"""Objections (异议) during the public notice period: filing, dismissing, upholding.

Anyone may object to a listed case while the period runs. Staff answer every objection: a
dismissal gives the reason; upholding either sends the round back to the expert review (via
the round phase door) or adjusts the case's place in the list, with the reason recorded.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Round
from cases.rounds import set_round_status
from core.identifiers import IdentifierError, normalise_contact
from core.text import quoted

from .models import Objection, PublicationEvent
from .publication import _event, listed_cases, publicity_running

S = Round.Status


def accepts_objections(round_: Round, now=None) -> bool:
    now = now or timezone.now()
    return publicity_running(round_, now) and (
        round_.publicity_starts is None or round_.publicity_starts <= now
    )


# Reference codes: 12 characters from 31 that cannot be misread (no 0/O, 1/I/L), 59 bits
# from ``secrets``, shown once as XXXX-XXXX-XXXX; only their SHA-256 is kept.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_reference_code() -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def reference_hash(code: str) -> str:
    """The stored form of a code as typed: full-width folded, case and separators ignored."""
    text = unicodedata.normalize("NFKC", code or "").upper()
    text = "".join(ch for ch in text if ch.isascii() and ch.isalnum())
    return hashlib.sha256(text.encode("ascii")).hexdigest() if text else ""


def find_by_code(code: str) -> Objection | None:
    """The objection a reference code belongs to, or None."""
    digest = reference_hash(code)
    if not digest:
        return None
    return Objection.objects.select_related("case", "round").filter(reference_hash=digest).first()


def checked_contact(contact: str) -> str:
    """An objection needs a way to reach the objector: a mobile, a landline with its area
    code or an e-mail address, in canonical form (core.identifiers)."""
    try:
        return normalise_contact(contact)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from None


@transaction.atomic
def file_objection(*, case: Case, name: str, contact: str, grounds: str, ip=None, now=None):
    round_ = case.round
    if not accepts_objections(round_, now):
        raise ValidationError(_("该评选当前不在公示期内，不能提出异议。"))
    if not listed_cases(round_).filter(pk=case.pk).exists():
        raise ValidationError(_("只能对公示名单中的案例提出异议。"))
    for value, label in (
        (name, _("姓名或单位")),
        (contact, _("联系方式")),
        (grounds, _("异议理由")),
    ):
        if not (value or "").strip():
            raise ValidationError(_("请填写%(field)s。") % {"field": label})
    code = new_reference_code()
    objection = Objection.objects.create(
        round=round_,
        case=case,
        name=name.strip(),
        contact=checked_contact(contact),
        grounds=grounds.strip(),
        ip=ip,
        created_at=now or timezone.now(),
        reference_hash=reference_hash(code),
    )
    # Shown to the objector once, never stored: the page that files it displays it.
    objection.reference_code = code
    return objection


def _answer(objection: Objection, *, status, user, answer, remedy=""):
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if not locked.is_open:
        raise ValidationError(_("该异议已处理。"))
    if not (answer or "").strip():
        raise ValidationError(_("请填写处理意见。"))
    locked.status = status
    locked.remedy = remedy
    locked.answer = answer.strip()
    locked.answered_by = user if user is not None and user.is_authenticated else None
    locked.answered_at = timezone.now()
    locked._change_reason = answer.strip()
    locked.save()
    objection.refresh_from_db()
    return locked


@transaction.atomic
def dismiss_objection(*, objection: Objection, user, reason: str) -> Objection:
    return _answer(objection, status=Objection.Status.DISMISSED, user=user, answer=reason)


@transaction.atomic
def uphold_objection(
    *, objection: Objection, user, reason: str, remedy: str, tier: str = "", rank=None
) -> Objection:
    """Uphold an objection: reopen the review, or move the case (``tier``/``rank``; an empty
    tier takes it off the list)."""
    if remedy not in Objection.Remedy.values:
        raise ValidationError(_("请选择处理方式。"))
    round_ = Round.objects.select_for_update().get(pk=objection.round_id)
    if round_.status != S.PUBLICITY:
        raise ValidationError(_("评选已不在公示阶段，不能再采纳异议。"))
    _answer(objection, status=Objection.Status.UPHELD, user=user, answer=reason, remedy=remedy)
    case = objection.case
    if remedy == Objection.Remedy.REOPEN_REVIEW:
        why = _("采纳异议，退回专家评审：%(reason)s") % {"reason": reason}
        set_round_status(round=round_, to=S.REVIEW, user=user, reason=why)
        _event(round_, PublicationEvent.Kind.REVIEW_REOPENED, S.PUBLICITY, S.REVIEW, user, why)
        return objection
    if tier and tier not in round_.tier_names:
        raise ValidationError(_("档次“%(tier)s”不是本评选的档次。") % {"tier": tier})
    if tier and not rank:
        raise ValidationError(_("调整档次时须填写排名。"))
    before = f"{case.tier or '-'} {case.rank or '-'}"
    case.tier = tier
    case.rank = rank if tier else None
    case._change_reason = _("采纳异议，调整结果：%(reason)s") % {"reason": reason}
    if user is not None and user.is_authenticated:
        case._history_user = user
    case.save(update_fields=["tier", "rank", "updated_at"])
    why = _("采纳异议，案例%(title)s由 %(before)s 调整为 %(after)s：%(reason)s") % {
        "title": quoted(case.title),
        "before": before,
        "after": f"{case.tier or '-'} {case.rank or '-'}",
        "reason": reason,
    }
    _event(round_, PublicationEvent.Kind.RESULT_ADJUSTED, S.PUBLICITY, S.PUBLICITY, user, why)
    return objection
