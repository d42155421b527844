"""The audit trail: every recorded change to the tracked models, newest first, in Chinese.

django-simple-history writes a historical row on each save (who, when, the whole row); the
trail reads those rows and the previous row of the same object to say what changed. This
module renders them as staff read them: states by the labels the pages show, people and
related objects by name, Asia/Shanghai times to the second, JSON fields as readable lines.

The trail is generic over the tracked models (simple_history's registry): it names other
apps' models by label only, never imports them (accounts comes before every other app).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.models import registered_models

CHANGE_TYPES = {"+": "新建", "~": "修改", "-": "删除"}
EMPTY = "（空）"
PAGE_SIZE = 50

# Scores are sealed until their round's review is closed: their history is left out of the
# trail before that, for staff too (the results page and the admin keep the same seal).
SEALED = {
    "reviews.score": "sheet__assignment__round__status",
    "reviews.scoresheet": "assignment__round__status",
}
REVIEW_CLOSED = ["approved", "publicity", "published"]

# How each tracked model's rows reach their round and their case (historical-row lookups);
# a model missing here is left out when the trail is filtered by round or case.
ROUND_OF = {
    "cases.adoption": "source__round_id",
    "cases.round": "id",
    "cases.case": "round_id",
    "publishing.objection": "round_id",
    "reviews.result": "round_id",
    "reviews.roundselection": "round_id",
    "reviews.score": "sheet__assignment__round_id",
    "reviews.scoresheet": "assignment__round_id",
    "reviews.vote": "round_id",
}
CASE_OF = {
    "cases.adoption": "source_id",
    "cases.case": "id",
    "publishing.objection": "case_id",
    "reviews.result": "case_id",
    "reviews.score": "sheet__assignment__case_id",
    "reviews.scoresheet": "assignment__case_id",
    "reviews.vote": "case_id",
}

# Keys of the JSON fields (criteria, tiers, sections, result details) as staff call them.
JSON_KEYS = {
    "key": "代码",
    "label": "名称",
    "max": "满分",
    "weight": "权重",
    "guidance": "评分说明",
    "name": "档次",
    "size": "数量",
    "heading": "标题",
    "body": "正文",
}


def tracked_models():
    """(verbose name, label, model) for each model with history, in a stable order."""
    models = {m._meta.label_lower: m for m in registered_models.values()}
    return sorted(
        ((m._meta.verbose_name, label, m) for label, m in models.items()), key=lambda item: item[1]
    )


def model_by_label(label: str):
    for _name, found, model in tracked_models():
        if found == label:
            return model
    return None


@dataclass
class FieldChange:
    label: str
    before: list  # lines
    after: list


@dataclass
class AuditEntry:
    model_label: str
    model_name: str
    object_id: int
    object_repr: str
    change_type: str
    user: str
    at: str  # local time, to the second
    reason: str
    changes: list = field(default_factory=list)  # FieldChange


@dataclass
class Filters:
    model_label: str = ""
    round_id: int | None = None
    case_id: int | None = None
    user_id: int | None = None


@dataclass
class Page:
    entries: list
    number: int
    has_previous: bool
    has_next: bool
    total: int


# --- Reading ---------------------------------------------------------------------------------


def _records(label, model, filters: Filters):
    records = model.history.model.objects.select_related("history_user")
    if label in SEALED:
        records = records.filter(**{f"{SEALED[label]}__in": REVIEW_CLOSED})
    if filters.round_id is not None:
        if label not in ROUND_OF:
            return None
        records = records.filter(**{ROUND_OF[label]: filters.round_id})
    if filters.case_id is not None:
        if label not in CASE_OF:
            return None
        records = records.filter(**{CASE_OF[label]: filters.case_id})
    if filters.user_id is not None:
        records = records.filter(history_user_id=filters.user_id)
    return records


def page(filters: Filters | None = None, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of the trail, newest first, across the tracked models the filters allow."""
    filters = filters or Filters()
    number = max(1, number)
    wanted = number * size
    rows, total = [], 0
    for name, label, model in tracked_models():
        if filters.model_label and label != filters.model_label:
            continue
        records = _records(label, model, filters)
        if records is None:
            continue
        total += records.count()
        for record in records.order_by("-history_date", "-history_id")[:wanted]:
            rows.append((record.history_date, name, label, model, record))
    rows.sort(key=lambda row: row[0], reverse=True)
    chosen = rows[(number - 1) * size : wanted]
    names = _Names()
    return Page(
        entries=[
            render_entry(name, label, model, record, names)
            for _, name, label, model, record in chosen
        ],
        number=number,
        has_previous=number > 1,
        has_next=total > wanted,
        total=total,
    )


def entries(*, model_label: str = "", limit: int = 200):
    """The newest ``limit`` changes, of one model or of all."""
    return page(Filters(model_label=model_label), 1, limit).entries


# --- Rendering -------------------------------------------------------------------------------


class _Names:
    """Related objects by name, each looked up once per page."""

    def __init__(self):
        self.cache = {}

    def of(self, model, pk) -> str:
        if pk in (None, ""):
            return EMPTY
        key = (model._meta.label_lower, pk)
        if key not in self.cache:
            found = model._default_manager.filter(pk=pk).first()
            self.cache[key] = _short(str(found), 40) if found is not None else f"#{pk}（已删除）"
        return self.cache[key]


def local_time(value: datetime.datetime) -> str:
    """Asia/Shanghai (settings.TIME_ZONE), to the second."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def value_lines(model_field, value, names=None) -> list[str]:
    """How a field's value reads on the page: one or more lines."""
    names = names or _Names()
    if model_field is not None and model_field.is_relation and model_field.related_model:
        return [names.of(model_field.related_model, value)]
    if value is None or value == "":
        return [EMPTY]
    if model_field is not None and model_field.choices:
        return [str(dict(model_field.flatchoices).get(value, value))]
    if isinstance(value, bool):
        return ["是" if value else "否"]
    if isinstance(value, datetime.datetime):
        return [local_time(value)]
    if isinstance(value, datetime.date):
        return [value.strftime("%Y-%m-%d")]
    if isinstance(value, Decimal):
        return [format(value.normalize(), "f")]
    if isinstance(value, (list, dict)):
        return json_lines(value) or [EMPTY]
    return [_short(value)]


def json_lines(value) -> list[str]:
    """A JSON field as readable lines: one line per list item, keys by their Chinese names."""
    if isinstance(value, dict):
        return [f"{JSON_KEYS.get(k, k)}：{_inline(v)}" for k, v in value.items()]
    if isinstance(value, list):
        return [_inline(item) for item in value]
    return [_short(value)]


def _inline(value) -> str:
    if isinstance(value, dict):
        return _short(
            "，".join(f"{JSON_KEYS.get(k, k)}：{_inline(v)}" for k, v in value.items()), 120
        )
    if isinstance(value, list):
        return _short("；".join(_inline(item) for item in value), 120)
    if isinstance(value, bool):
        return "是" if value else "否"
    return _short(value, 120)


TRANSITION = re.compile(r"^\s*([a-z_]+)\s*(?:→|->)\s*([a-z_]+)\s*$")


def readable_reason(model, reason: str) -> str:
    """A reason written as ``returned → submitted`` in the labels the pages show."""
    match = TRANSITION.match(reason or "")
    if not match:
        return reason or ""
    try:
        status = model._meta.get_field("status")
    except Exception:  # a model without a status field: leave the words as written
        return reason
    labels = dict(status.flatchoices) if status.choices else {}
    old, new = match.groups()
    if old in labels and new in labels:
        return f"{labels[old]} → {labels[new]}"
    return reason


def render_entry(name, label, model, record, names=None) -> AuditEntry:
    names = names or _Names()
    changes = []
    if record.history_type == "~":
        previous = record.prev_record
        if previous is not None:
            for change in record.diff_against(previous).changes:
                model_field = model._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        label=str(model_field.verbose_name),
                        before=value_lines(model_field, change.old, names),
                        after=value_lines(model_field, change.new, names),
                    )
                )
    user = record.history_user
    return AuditEntry(
        model_label=label,
        model_name=str(name),
        object_id=record.id,
        object_repr=_short(str(record.instance), 40),
        change_type=CHANGE_TYPES.get(record.history_type, record.history_type),
        user=str(user) if user is not None else "系统",
        at=local_time(record.history_date),
        reason=readable_reason(model, record.history_change_reason or ""),
        changes=changes,
    )


def people():
    """Whom the trail may be filtered by: everyone with an account, staff first."""
    return get_user_model().objects.order_by("role", "last_name", "first_name", "username")


def rounds():
    """The rounds to filter by, through the tracked model (no import of the cases app)."""
    model = model_by_label("cases.round")
    return model._default_manager.order_by("-year", "-id") if model else []


def _short(value, width=80):
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
