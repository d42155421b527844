"""回避: who may never score what. Below the models (it imports none of this app's modules), so
``ScoreSheet.save`` and ``Score.save`` ask it whatever created the assignment (a page, the
admin, an import, the shell), as the review's pages and the rule ``reviews.score_assignment`` do.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from cases.models import Case


def _organisations_of(case: Case) -> set[str]:
    """The organisations standing behind a case: its own (if the model has one) and those of
    its district's officers."""
    User = get_user_model()
    names = {getattr(case, "organisation", "") or ""}
    if case.district_id:
        names |= set(
            User.objects.filter(role=User.Role.OFFICER, district_id=case.district_id).values_list(
                "organisation", flat=True
            )
        )
    return {name.strip() for name in names if name and name.strip()}


def conflict_reason(*, expert, case: Case) -> str | None:
    """Why ``expert`` may never score ``case`` (回避), or None."""
    if expert.district_id and expert.district_id == case.district_id:
        return _("专家所属区与案例所在区相同")
    organisation = (expert.organisation or "").strip()
    if organisation and organisation in _organisations_of(case):
        return _("专家工作单位与案例申报单位相同")
    return None


def refusal(assignment) -> str | None:
    """Why no score may be saved on this assignment, whatever created it, or None."""
    if assignment.recused:
        return _("已回避的案例不能评分。")
    reason = conflict_reason(expert=assignment.expert, case=assignment.case)
    if reason:
        return _("该专家须回避此案例（%(reason)s），不能评分。") % {"reason": reason}
    return None
