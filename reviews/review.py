"""The sealed expert review: who scores what, conflicts (回避), score sheets, closing.

Sealing is a rule of this module and of reviews/rules.py together: an expert reaches only
their own assignments; staff get progress (who has finished) from ``progress`` and nothing
with a score in it until ``close_review`` has run.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cases.models import Case, Round
from cases.notices.writer import format_date
from core.identifiers import ascii_digits

from .conflicts import conflict_reason, refusal
from .models import Assignment, RoundSelection, Score, ScoreSheet
from .ranking import Criterion

SCORE_PLACES = 2  # decimals allowed in a score
S = Round.Status


def selection_of(round_: Round) -> RoundSelection:
    selection, _created = RoundSelection.objects.get_or_create(round=round_)
    return selection


def review_closed(round_: Round) -> bool:
    return RoundSelection.objects.filter(round=round_, review_closed_at__isnull=False).exists()


def is_review_open(round_: Round, now: datetime | None = None) -> bool:
    return (
        round_.status == Round.Status.REVIEW
        and round_.window_open("review", now)
        and not review_closed(round_)
    )


def review_state(round_: Round, now: datetime | None = None) -> tuple[bool, str]:
    """Whether the review of ``round_`` is open, and what an expert's page says of it:
    评审进行中, 评审已结束（and when: staff's close, else the end of the window), or 评审未开放
    (and when it opens, if set)."""
    now = now or timezone.now()
    if is_review_open(round_, now):
        return True, _("评审进行中")
    selection = RoundSelection.objects.filter(round=round_).first()
    ended = selection.review_closed_at if selection else None
    if ended is None and round_.review_closes and round_.review_closes <= now:
        ended = round_.review_closes
    after = round_.status in (S.APPROVED, S.PUBLICITY, S.PUBLISHED)
    if ended is not None or after:
        if ended is None:
            return False, _("评审已结束")
        return False, _("评审已结束（%(when)s）") % {"when": _day(ended)}
    if round_.review_opens and round_.review_opens > now:
        return False, _("评审未开放（%(when)s 开始）") % {"when": _day(round_.review_opens)}
    return False, _("评审未开放")


def _day(moment: datetime) -> str:
    return format_date(timezone.localtime(moment).date())


def round_criteria(round_: Round) -> list[Criterion]:
    """The round's criteria as the engine's Criterion objects (exact decimals)."""
    return [
        Criterion(
            key=item["key"],
            label=item["label"],
            max=Decimal(str(item["max"])),
            weight=Decimal(str(item.get("weight", 1))),
        )
        for item in round_.criteria
    ]


def criteria_guidance(round_: Round) -> dict[str, str]:
    """Each criterion's scoring guidance (评分说明, the optional ``guidance`` of an item of
    ``Round.criteria``), by key."""
    return {item["key"]: str(item.get("guidance") or "") for item in round_.criteria}


def sheet_total(criteria: list[Criterion], values: dict) -> Decimal:
    """weight × score summed over the filled-in scores (the engine's expert total)."""
    return sum(
        (c.weight * Decimal(values[c.key]) for c in criteria if values.get(c.key) is not None),
        Decimal(0),
    )


# A plain decimal, as a person writes a score: digits, at most one point, an optional sign
# (refused later as out of range). Not what Decimal() also reads: 1e1, 1_0, NaN, Infinity.
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def clean_score(raw, criterion: Criterion) -> Decimal:
    """A score typed by a person: a plain decimal from 0 to the criterion's maximum, ≤ 2
    decimals."""
    # As typed on any keyboard: full-width digits and point (３６．５) and other scripts'
    # digits become ASCII before the number is read.
    text = ascii_digits(unicodedata.normalize("NFKC", str(raw))) if raw is not None else ""
    text = text.strip()
    value = None
    if PLAIN_DECIMAL.fullmatch(text):
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
    if value is None or not value.is_finite():
        raise ValidationError(
            _("“%(label)s”的得分“%(value)s”不是数字。") % {"label": criterion.label, "value": text}
        )
    if value.as_tuple().exponent < -SCORE_PLACES:
        raise ValidationError(
            _("“%(label)s”的得分最多保留 %(places)s 位小数。")
            % {"label": criterion.label, "places": SCORE_PLACES}
        )
    if not Decimal(0) <= value <= criterion.max:
        raise ValidationError(
            _("“%(label)s”的得分须在 0 到 %(max)s 之间。")
            % {"label": criterion.label, "max": criterion.max}
        )
    return value.quantize(Decimal(1).scaleb(-SCORE_PLACES))


# --- Experts and assignments ----------------------------------------------------------------


def experts():
    User = get_user_model()
    return User.objects.filter(role=User.Role.EXPERT, is_active=True).select_related("district")


def shortlisted_cases(round_: Round):
    return (
        Case.objects.filter(round=round_, shortlisted=True, status=Case.Status.ACCEPTED)
        .select_related("district")
        .order_by("district__order", "position", "id")
    )


def assign_default(*, round: Round) -> int:
    """Assign every eligible expert to every shortlisted case; returns assignments created."""
    created = 0
    pool = list(experts())
    for case in shortlisted_cases(round):
        for expert in pool:
            if conflict_reason(expert=expert, case=case):
                continue
            _obj, made = Assignment.objects.get_or_create(
                case=case, expert=expert, defaults={"round": round}
            )
            created += made
    return created


def _check_eligible(*, case: Case, expert) -> None:
    if not case.shortlisted:
        raise ValidationError(_("只能为入围案例分配专家。"))
    if not getattr(expert, "is_expert", False):
        raise ValidationError(_("%(name)s 不是评审专家。") % {"name": expert})
    reason = conflict_reason(expert=expert, case=case)
    if reason:
        raise ValidationError(
            _("%(name)s 须回避该案例：%(reason)s。") % {"name": expert, "reason": reason}
        )


def check_assignment(assignment: Assignment) -> None:
    """The assignment page's rules for an assignment made anywhere else (the admin's form, its
    import; ``Assignment.clean``): a shortlisted case of a round under review whose review is
    not closed, an eligible expert, no 回避 set by staff; an existing assignment is never
    changed (the page only adds and removes)."""
    if assignment.pk is not None:
        columns = ("round_id", "case_id", "expert_id", "recused", "recusal_reason")
        stored = Assignment.objects.filter(pk=assignment.pk).values(*columns).first()
        if stored is not None:
            if {k: getattr(assignment, k) for k in columns} != stored:
                raise ValidationError(_("评审分配建立后不能修改；请在分配页面取消后重新分配。"))
            return
    if assignment.case_id is None or assignment.expert_id is None:
        return  # the form reports the missing field itself
    case = assignment.case
    if assignment.round_id is None:
        assignment.round_id = case.round_id
    elif assignment.round_id != case.round_id:
        raise ValidationError(_("评审分配的轮次须与案例所属轮次一致。"))
    if case.round.status != Round.Status.REVIEW or review_closed(case.round):
        raise ValidationError(_("本轮评选不在专家评审阶段，不能分配专家。"))
    if assignment.recused or assignment.recusal_reason:
        raise ValidationError(_("回避只能由专家本人声明。"))
    _check_eligible(case=case, expert=assignment.expert)


def add_assignment(*, case: Case, expert, user=None) -> Assignment:
    _check_eligible(case=case, expert=expert)
    assignment, _made = Assignment.objects.get_or_create(
        case=case, expert=expert, defaults={"round": case.round}
    )
    return assignment


def remove_assignment(*, assignment: Assignment, user=None) -> None:
    sheet = ScoreSheet.objects.filter(assignment=assignment).first()
    if sheet and sheet.status == ScoreSheet.Status.SUBMITTED:
        raise ValidationError(_("该专家已提交评分，不能取消分配。"))
    assignment.delete()


def recuse(*, assignment: Assignment, user, reason: str) -> Assignment:
    """The expert declares a conflict (回避) with a case assigned to them."""
    reason = (reason or "").strip()
    if assignment.expert_id != user.pk:
        raise ValidationError(_("只能对分配给自己的案例声明回避。"))
    if not reason:
        raise ValidationError(_("请填写回避理由。"))
    if not is_review_open(assignment.round):
        raise ValidationError(_("评审未在进行中。"))
    if assignment.recused:
        raise ValidationError(_("已对该案例声明回避，回避理由不能修改。"))
    sheet = ScoreSheet.objects.filter(assignment=assignment).first()
    if sheet and sheet.status == ScoreSheet.Status.SUBMITTED:
        raise ValidationError(_("已提交评分的案例不能再声明回避。"))
    assignment.recused, assignment.recusal_reason = True, reason[:200]
    assignment.save(update_fields=["recused", "recusal_reason"])
    return assignment


# --- Score sheets ---------------------------------------------------------------------------


def next_unscored(assignment: Assignment) -> Assignment | None:
    """The expert's next case of the round still to score (not recused, no submitted sheet),
    in the order of 我的评审 after ``assignment``, wrapping round; None when all are done."""
    queue = list(
        Assignment.objects.filter(
            expert_id=assignment.expert_id, round_id=assignment.round_id, case__shortlisted=True
        )
        .select_related("case", "sheet")
        .order_by("case__district__order", "case_id")
    )
    here = next((i for i, a in enumerate(queue) if a.pk == assignment.pk), -1)
    for candidate in queue[here + 1 :] + queue[: max(here, 0)]:
        sheet = getattr(candidate, "sheet", None)
        if not candidate.recused and not (sheet and sheet.status == ScoreSheet.Status.SUBMITTED):
            return candidate
    return None


def sheet_values(sheet: ScoreSheet | None) -> dict[str, Decimal]:
    if sheet is None or sheet.pk is None:
        return {}
    return dict(sheet.scores.values_list("criterion", "value"))


def clean_sheet_values(criteria: list[Criterion], values: dict, *, complete: bool) -> dict:
    """The scores of ``values`` as Decimals by criterion key; ``complete`` (a submission):
    every criterion must have one. Raises ValidationError with every fault at once."""
    cleaned, errors = {}, []
    for criterion in criteria:
        raw = values.get(criterion.key)
        if raw is None or str(raw).strip() == "":
            if complete:
                errors.append(_("请填写“%(label)s”的得分。") % {"label": criterion.label})
            continue
        try:
            cleaned[criterion.key] = clean_score(raw, criterion)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def scores_fingerprint(assignment: Assignment, scores: dict) -> str:
    """What a confirmation page listed, as a keyed digest: the submission goes through only
    with the scores the expert saw listed (not an edited POST's)."""
    listed = ";".join(f"{key}={scores[key]}" for key in sorted(scores))
    return salted_hmac("reviews.review.scores_fingerprint", f"{assignment.pk}|{listed}").hexdigest()


def save_sheet(
    *,
    assignment: Assignment,
    user,
    values: dict,
    comment: str = "",
    district_comment: str | None = None,
    submit: bool = False,
    on_paper: bool = False,
) -> ScoreSheet:
    """Save a draft or submit a sheet. ``on_paper``: staff entering a paper sheet (CSV)."""
    round_ = assignment.round
    if not on_paper and assignment.expert_id != user.pk:
        raise ValidationError(_("只能填写分配给自己的评分表。"))
    # Recused, or an expert who must recuse (whatever created the assignment: the page, the
    # admin, an import, the shell); Score.save and ScoreSheet.save refuse it too.
    reason = refusal(assignment)
    if reason:
        raise ValidationError(reason)
    # Paper sheets from the review meeting may be entered after the online window closed.
    window = on_paper or round_.window_open("review")
    if round_.status != Round.Status.REVIEW or review_closed(round_) or not window:
        raise ValidationError(_("评审未在进行中，不能保存评分。"))
    criteria = round_criteria(round_)
    cleaned = clean_sheet_values(criteria, values, complete=submit)
    with transaction.atomic():
        sheet, _made = ScoreSheet.objects.select_for_update().get_or_create(assignment=assignment)
        if sheet.status == ScoreSheet.Status.SUBMITTED:
            raise ValidationError(_("评分表已提交并锁定；如需修改，请联系工作人员退回。"))
        for key, value in cleaned.items():
            Score.objects.update_or_create(sheet=sheet, criterion=key, defaults={"value": value})
        sheet.scores.exclude(criterion__in=[c.key for c in criteria]).delete()
        sheet.comment = (comment or "").strip()
        if district_comment is not None:  # None: as it was (a paper sheet may not carry it)
            sheet.district_comment = district_comment.strip()
        if submit:
            sheet.status, sheet.submitted_at = ScoreSheet.Status.SUBMITTED, timezone.now()
        sheet._history_user = user
        sheet._change_reason = _("纸质评分表录入") if on_paper else ""
        sheet.save()
    return sheet


def reopen_sheet(*, sheet: ScoreSheet, user, reason: str = "") -> ScoreSheet:
    """Staff unlock a submitted sheet so the expert can correct it (before the review ends)."""
    if review_closed(sheet.assignment.round):
        raise ValidationError(_("评审已结束，评分表不能再退回。"))
    if sheet.status != ScoreSheet.Status.SUBMITTED:
        raise ValidationError(_("评分表尚未提交。"))
    sheet.status, sheet.submitted_at = ScoreSheet.Status.DRAFT, None
    sheet._history_user = user
    sheet._change_reason = (reason or _("工作人员退回修改"))[:100]
    sheet.save(update_fields=["status", "submitted_at", "updated_at"])
    return sheet


# --- Progress and closing -------------------------------------------------------------------


@dataclass
class ExpertProgress:
    expert: object
    assigned: int
    recused: int
    submitted: int

    @property
    def to_score(self) -> int:
        return self.assigned - self.recused

    @property
    def finished(self) -> bool:
        return self.submitted >= self.to_score


def progress(round_: Round) -> list[ExpertProgress]:
    """Who has finished: counts only, never a score (sealed until the review closes)."""
    User = get_user_model()
    submitted = Q(
        assignments__round=round_,
        assignments__recused=False,
        assignments__sheet__status=ScoreSheet.Status.SUBMITTED,
    )
    rows = (
        User.objects.filter(assignments__round=round_)
        .distinct()
        .annotate(
            n_assigned=Count("assignments", filter=Q(assignments__round=round_), distinct=True),
            n_recused=Count(
                "assignments",
                filter=Q(assignments__round=round_, assignments__recused=True),
                distinct=True,
            ),
            n_submitted=Count("assignments", filter=submitted, distinct=True),
        )
        .order_by("last_name", "first_name", "username")
    )
    return [ExpertProgress(u, u.n_assigned, u.n_recused, u.n_submitted) for u in rows]


def missing_sheets(round_: Round):
    """Assignments still to be submitted (not recused)."""
    return (
        Assignment.objects.filter(round=round_, recused=False, case__shortlisted=True)
        .exclude(sheet__status=ScoreSheet.Status.SUBMITTED)
        .select_related("case", "expert")
    )


def close_review(*, round: Round, user, allow_missing: bool = False) -> RoundSelection:
    """End the review: sheets lock for good and staff may see the scores and the ranking."""
    if round.status != Round.Status.REVIEW:
        raise ValidationError(_("本轮评选不在专家评审阶段。"))
    with transaction.atomic():
        selection = RoundSelection.objects.select_for_update().get_or_create(round=round)[0]
        if selection.review_closed_at:
            raise ValidationError(_("评审已经结束。"))
        missing = list(missing_sheets(round))
        if missing and not allow_missing:
            raise ValidationError(_("尚有 %(n)s 份评分表未提交。") % {"n": len(missing)})
        unscored = [
            case.title
            for case in shortlisted_cases(round)
            if not Assignment.objects.filter(
                case=case, recused=False, sheet__status=ScoreSheet.Status.SUBMITTED
            ).exists()
        ]
        if unscored:
            raise ValidationError(
                _("以下入围案例还没有任何已提交的评分：%(titles)s")
                % {"titles": "、".join(unscored)}
            )
        selection.review_closed_at, selection.review_closed_by = timezone.now(), user
        selection._history_user = user
        selection.save()
    return selection
