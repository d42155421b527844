"""The seal beyond the review's own pages: rules that hold wherever a score sheet, a score or
an assignment is shown, changed or deleted (the admin, cascades, imports, the shell).

- A submitted sheet, its scores and its assignment cannot be deleted while the round's review
  runs, whatever deletes them: a ``pre_delete`` receiver refuses the deletion of any of them,
  directly, through a queryset, or by cascade from a case or a round (``ProtectedError``).
- A score is refused on an assignment whose expert must recuse (the case's district or
  organisation, or a declared 回避), whatever created the assignment (``Score.save``,
  ``Score.objects.bulk_create`` and the rule ``reviews.score_assignment`` ask
  ``reviews.conflicts.refusal``).
- The sealed fields (a sheet's comments, a score's value, and their history) are named here,
  so the admin can refuse lookups, searches, filters and ordering on them while any review
  runs (``reviews.admin_seal``).
"""

from django.db.models import ProtectedError, Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import Assignment, Score, ScoreSheet

# (app_label, model_name) -> the fields whose values are sealed until the review closes: what
# an expert writes (the comment for staff, the one for the district) and the scores.
SEALED_FIELDS = {
    ("reviews", "scoresheet"): {"comment", "district_comment"},
    ("reviews", "historicalscoresheet"): {"comment", "district_comment"},
    ("reviews", "score"): {"value"},
    ("reviews", "historicalscore"): {"value"},
}


def running_sheets():
    """Sheets of rounds whose review has not been closed: their contents are sealed."""
    return ScoreSheet.objects.exclude(assignment__round__selection__review_closed_at__isnull=False)


def review_running() -> bool:
    return running_sheets().exists()


def touches_sealed_field(model, lookup: str) -> bool:
    """Whether a lookup path (``assignments__sheet__comment__contains``) reaches a sealed field
    from ``model``, through any relation."""
    for part in lookup.split("__"):
        if part == "pk":
            part = model._meta.pk.name
        try:
            field = model._meta.get_field(part)
        except Exception:  # FieldDoesNotExist: the rest is a transform or a lookup
            return False
        if field.name in SEALED_FIELDS.get((model._meta.app_label, model._meta.model_name), ()):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def locked_sheets(*, assignments=(), sheets=(), scores=()):
    """The submitted sheets of a running review among these objects (or behind them)."""
    keys = Q(pk__in=[s.pk for s in sheets if s.pk])
    keys |= Q(assignment_id__in=[a.pk for a in assignments if a.pk])
    keys |= Q(pk__in=[s.sheet_id for s in scores if s.sheet_id])
    return running_sheets().filter(keys, status=ScoreSheet.Status.SUBMITTED)


def locked_message(sheet: ScoreSheet) -> str:
    return _("%(sheet)s：评分表已提交，评审结束前不能删除或修改。") % {"sheet": sheet}


@receiver(pre_delete, sender=Assignment, dispatch_uid="reviews.sealing.assignment")
@receiver(pre_delete, sender=ScoreSheet, dispatch_uid="reviews.sealing.sheet")
@receiver(pre_delete, sender=Score, dispatch_uid="reviews.sealing.score")
def refuse_deleting_sealed(sender, instance, **kwargs):
    """Sent for every object a deletion collects (a model with a receiver is never
    fast-deleted), so a cascade from a case or a round is refused here too, in the deletion's
    transaction, before anything is deleted."""
    key = {Assignment: "assignments", ScoreSheet: "sheets", Score: "scores"}[sender]
    sheet = locked_sheets(**{key: [instance]}).select_related("assignment").first()
    if sheet is not None:
        raise ProtectedError(locked_message(sheet), {instance})
