"""The seal in the Django admin, for every ModelAdmin that can reach a score sheet.

While any review runs (reviews.sealing.review_running), the admin offers no lookup, filter,
search, ordering or column on a sealed field (a sheet's comment, a score's value), through any
relation: a ``?comment__contains=`` guess in a changelist's query string answers 400
(``lookup_allowed``), as an export's does (it filters through the same changelist). A deletion
that would take a submitted sheet with it, directly, by "delete selected" or by cascade from a
case or a round, is listed as protected and refused; the model refuses it too
(reviews.sealing's ``pre_delete`` receiver), for every other path.

The admin's users are staff, superusers included: nothing here asks ``is_superuser``.
"""

from django.contrib.admin.utils import NestedObjects
from django.db import router

from . import sealing
from .models import Assignment, Score, ScoreSheet


def _unsealed(model, names, running):
    """``names`` (lookups, search fields, filters, orderings) without those reaching a sealed
    field while a review runs."""
    if not running:
        return names
    kept = []
    for item in names:
        name = item[0] if isinstance(item, (list, tuple)) else item
        if isinstance(name, str) and sealing.touches_sealed_field(model, name.lstrip("-^=@")):
            continue
        kept.append(item)
    return type(names)(kept) if isinstance(names, (list, tuple)) else kept


def sealed_in_deletion(objs, using=None) -> list[str]:
    """What deleting ``objs`` would take with it that the seal protects: submitted sheets of a
    running review, by their assignment (never a score or a comment)."""
    objs = list(objs)
    if not objs:
        return []
    collector = NestedObjects(using=using or router.db_for_write(type(objs[0])))
    collector.collect(objs)  # the admin's own collector: it loads every cascaded object
    found = {model: list(instances) for model, instances in collector.data.items()}
    sheets = sealing.locked_sheets(
        assignments=found.get(Assignment, ()),
        sheets=found.get(ScoreSheet, ()),
        scores=found.get(Score, ()),
    ).select_related("assignment__expert")
    return [sealing.locked_message(sheet) for sheet in sheets]


class SealedAdminMixin:
    """Put first in a ModelAdmin's bases."""

    def lookup_allowed(self, lookup, value, request=None):
        if sealing.touches_sealed_field(self.model, lookup) and sealing.review_running():
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return _unsealed(self.model, fields, fields and sealing.review_running())

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return _unsealed(self.model, filters, filters and sealing.review_running())

    def get_ordering(self, request):
        ordering = super().get_ordering(request) or ()
        return _unsealed(self.model, ordering, ordering and sealing.review_running())

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        return _unsealed(self.model, columns, sealing.review_running())

    def get_sortable_by(self, request):
        sortable = super().get_sortable_by(request)
        return _unsealed(self.model, sortable, sealing.review_running())

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        sealed = sealed_in_deletion(objs)
        if sealed:
            # Refused whatever the permissions: say why (the page shows missing permissions
            # instead of protected objects when there are any; here those are the sealed ones).
            perms_needed = set()
        return to_delete, model_count, perms_needed, [*protected, *sealed]
