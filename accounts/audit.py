"""The audit trail: every recorded change to the tracked models, newest first.

django-simple-history writes a historical row on each save (who, when, the whole row); the
trail reads those rows and the previous row of the same object to say what changed.
"""

from dataclasses import dataclass

from simple_history.models import registered_models

CHANGE_TYPES = {"+": "新建", "~": "修改", "-": "删除"}

# Scores are sealed until their round's review is closed: their history is left out of the
# trail before that, for staff too (the results page and the admin keep the same seal).
SEALED = {
    "reviews.score": "sheet__assignment__round__status",
    "reviews.scoresheet": "assignment__round__status",
}
REVIEW_CLOSED = ["approved", "publicity", "published"]


def tracked_models():
    """(label, model) for each model with history, in a stable order."""
    models = {m._meta.label_lower: m for m in registered_models.values()}
    return sorted(
        ((m._meta.verbose_name, label, m) for label, m in models.items()), key=lambda item: item[1]
    )


@dataclass
class AuditEntry:
    model_label: str
    model_name: str
    object_id: int
    object_repr: str
    change_type: str
    user: object
    at: object
    reason: str
    changes: list  # (field verbose name, old, new)


def entries(*, model_label: str = "", limit: int = 200):
    """The newest ``limit`` changes, of one model or of all."""
    rows = []
    for name, label, model in tracked_models():
        if model_label and label != model_label:
            continue
        records = model.history.model.objects.select_related("history_user")
        if label in SEALED:
            records = records.filter(**{f"{SEALED[label]}__in": REVIEW_CLOSED})
        for record in records.order_by("-history_date")[:limit]:
            rows.append((record.history_date, name, label, model, record))
    rows.sort(key=lambda row: row[0], reverse=True)
    return [_entry(name, label, model, record) for _, name, label, model, record in rows[:limit]]


def _entry(name, label, model, record):
    changes = []
    if record.history_type == "~":
        previous = record.prev_record
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                changes.append((str(field.verbose_name), _short(change.old), _short(change.new)))
    return AuditEntry(
        model_label=label,
        model_name=str(name),
        object_id=record.id,
        object_repr=_short(str(record.instance), 40),
        change_type=CHANGE_TYPES.get(record.history_type, record.history_type),
        user=record.history_user,
        at=record.history_date,
        reason=record.history_change_reason or "",
        changes=changes,
    )


def _short(value, width=80):
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
