"""Score sheets from a review meeting on paper, uploaded as CSV: parse, preview, apply.

Header ``case,expert,criterion,score``: case = case id, expert = username, criterion = the
round's criterion key, score = a number. ``parse_upload`` saves nothing and reports every
error with its line number; ``apply_upload`` submits the sheets only when there is none.

A paper sheet replaces the expert's online *draft* of the same case (a submitted online sheet
is an error) and submits it in their name: the preview lists those drafts (``Preview.drafts``,
never their contents, which are sealed) and ``apply_upload`` replaces only those drafts that
staff confirmed one by one.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Round
from core.identifiers import IdentifierError, parse_id

from .models import Assignment, ScoreSheet
from .review import clean_score, conflict_reason, round_criteria, save_sheet, shortlisted_cases

HEADER = ["case", "expert", "criterion", "score"]
# An optional fifth column: the expert's comment for the district (ScoreSheet.district_comment),
# on any one row of the sheet (or repeated alike on each).
COMMENT_COLUMN = "district_comment"
MAX_ROWS = 5000


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self):
        return _("第 %(line)s 行：%(message)s") % {"line": self.line, "message": self.message}


@dataclass
class SheetRows:
    assignment: Assignment
    first_line: int
    values: dict = field(default_factory=dict)  # criterion key -> Decimal
    lines: dict = field(default_factory=dict)  # criterion key -> line
    draft: ScoreSheet | None = None  # the expert's online draft this sheet would replace
    district_comment: str | None = None  # None: the file has no such column


@dataclass
class Preview:
    sheets: list[SheetRows] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.sheets)

    @property
    def drafts(self) -> list[SheetRows]:
        """The sheets that would replace an expert's online draft: each needs confirming."""
        return [group for group in self.sheets if group.draft is not None]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030, as Excel saves CSV on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV。"))


def _case_id(text: str) -> int | None:
    """A case id typed in any script's digits (２３ is 23), or None for anything else."""
    try:
        return parse_id(text)
    except IdentifierError:
        return None


def parse_upload(*, round: Round, data: bytes) -> Preview:
    preview = Preview()
    try:
        text = decode(data)
    except ValidationError as exc:
        preview.errors.append(RowError(1, exc.messages[0]))
        return preview
    # newline="": the csv module reads line ends itself (a lone \r inside a file otherwise
    # stops the reader); a malformed file is one error on its line, not an exception.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        preview.errors.append(RowError(reader.line_num, _("CSV 格式有误：%(e)s") % {"e": exc}))
        return preview
    reader = iter(rows)
    header = next(reader, None)
    names = [h.strip().lower() for h in header] if header is not None else None
    if names not in (HEADER, [*HEADER, COMMENT_COLUMN]):
        preview.errors.append(
            RowError(
                1,
                _("表头须为 %(header)s（可另加一列 %(comment)s）。")
                % {"header": ",".join(HEADER), "comment": COMMENT_COLUMN},
            )
        )
        return preview
    with_comment = len(names) > len(HEADER)

    criteria = {c.key: c for c in round_criteria(round)}
    cases = {c.pk: c for c in shortlisted_cases(round)}
    User = get_user_model()
    sheets: dict[tuple[int, int], SheetRows] = {}
    users: dict[str, object] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        preview.rows += 1
        if preview.rows > MAX_ROWS:
            preview.errors.append(RowError(line, _("行数超过上限 %(n)s。") % {"n": MAX_ROWS}))
            break

        def error(message, line=line):
            preview.errors.append(RowError(line, message))

        if len(row) != len(names):
            error(_("应有 %(want)s 列，实际为 %(n)s 列。") % {"want": len(names), "n": len(row)})
            continue
        case_raw, username, key, score_raw = (cell.strip() for cell in row[:4])
        comment = row[4].strip() if with_comment else None
        case = cases.get(_case_id(case_raw))
        if case is None:
            error(_("案例编号“%(value)s”不是本轮入围案例。") % {"value": case_raw})
        if username not in users:
            users[username] = User.objects.filter(username=username, role=User.Role.EXPERT).first()
        expert = users[username]
        if expert is None:
            error(_("专家账号“%(value)s”不存在。") % {"value": username})
        criterion = criteria.get(key)
        if criterion is None:
            error(
                _("评分项“%(value)s”不存在（可用：%(keys)s）。")
                % {"value": key, "keys": "、".join(criteria)}
            )
        value = None
        if criterion is not None:
            try:
                value = clean_score(score_raw, criterion)
            except ValidationError as exc:
                error(exc.messages[0])
        if case is None or expert is None:
            continue
        group = sheets.get((case.pk, expert.pk))
        if group is None:
            reason = conflict_reason(expert=expert, case=case)
            assignment = Assignment.objects.filter(case=case, expert=expert).first()
            if reason:
                error(
                    _("%(expert)s 须回避案例 %(case)s：%(reason)s。")
                    % {"expert": username, "case": case.pk, "reason": reason}
                )
                continue
            if assignment is None:
                error(
                    _("案例 %(case)s 未分配给专家 %(expert)s。")
                    % {"case": case.pk, "expert": username}
                )
                continue
            if assignment.recused:
                error(
                    _("专家 %(expert)s 已声明回避案例 %(case)s。")
                    % {"expert": username, "case": case.pk}
                )
                continue
            sheet = ScoreSheet.objects.filter(assignment=assignment).first()
            if sheet and sheet.status == ScoreSheet.Status.SUBMITTED:
                error(
                    _("专家 %(expert)s 对案例 %(case)s 的评分表已在线提交。")
                    % {"expert": username, "case": case.pk}
                )
                continue
            group = sheets[(case.pk, expert.pk)] = SheetRows(assignment, line, draft=sheet)
            if with_comment:
                group.district_comment = ""
        if comment:
            if group.district_comment and group.district_comment != comment:
                error(_("同一评分表的给申报区意见前后不一致。"))
            else:
                group.district_comment = comment
        if criterion is None or value is None:
            continue
        if key in group.values:
            error(
                _("与第 %(other)s 行重复（同一案例、专家和评分项）。") % {"other": group.lines[key]}
            )
            continue
        group.values[key], group.lines[key] = value, line

    for group in sheets.values():
        missing = [c.label for k, c in criteria.items() if k not in group.values]
        if missing:
            preview.errors.append(
                RowError(
                    group.first_line,
                    _("专家 %(expert)s 对案例 %(case)s 缺少评分项：%(missing)s。")
                    % {
                        "expert": group.assignment.expert.username,
                        "case": group.assignment.case_id,
                        "missing": "、".join(missing),
                    },
                )
            )
    preview.errors.sort(key=lambda e: e.line)
    preview.sheets = sorted(sheets.values(), key=lambda g: g.first_line)
    if not preview.rows and not preview.errors:
        preview.errors.append(RowError(2, _("文件中没有评分数据。")))
    return preview


def apply_upload(*, round: Round, data: bytes, user, replace_drafts=()) -> int:
    """Parse again (the file, not a stale preview, is the source) and submit every sheet.

    ``replace_drafts``: the assignments (ids) whose online draft staff confirmed replacing; a
    sheet replacing any other draft (one saved since the preview, too) refuses the whole file.
    """
    preview = parse_upload(round=round, data=data)
    if not preview.ok:
        raise ValidationError([str(e) for e in preview.errors] or _("文件中没有评分数据。"))
    confirmed = {int(pk) for pk in replace_drafts}
    unconfirmed = [g for g in preview.drafts if g.assignment.pk not in confirmed]
    if unconfirmed:
        raise ValidationError(
            [
                _("专家 %(expert)s 对案例 %(case)s 已有在线评分草稿，须确认替换后才能录入。")
                % {"expert": g.assignment.expert.username, "case": g.assignment.case_id}
                for g in unconfirmed
            ]
        )
    with transaction.atomic():
        for group in preview.sheets:
            save_sheet(
                assignment=group.assignment,
                user=user,
                submit=True,
                on_paper=True,
                values={k: Decimal(v) for k, v in group.values.items()},
                comment=_("纸质评分表录入"),
                district_comment=group.district_comment,
            )
    return len(preview.sheets)
