"""Read the ``rank_sheet`` inputs into ranking-engine inputs.

Pure Python (csv, json), like the engine. Every problem is a ``RankingInputError`` whose text
is one line naming the file, the line and the problem, in Chinese, for the people who prepare
the sheets, e.g. ``scores.csv 第 5 行: 评分项 "foo" 不在 config.json 的 criteria 中``.

Formats (UTF-8, with or without BOM; blank lines are skipped; cells are stripped of
surrounding spaces; case ids are kept as the text written):

- scores.csv: header ``case,expert,criterion,score``, one row per score; scores are plain
  decimals (``87``, ``12.5``), read with ``Decimal`` from the text.
- votes.csv: header ``case,votes``, votes a non-negative integer, one row per case.
- config.json: ``criteria`` (``key``, ``label``, ``max``, optional ``weight`` = 1) and
  ``tiers`` (``name``, ``size``; may be empty) are required; ``shortlist`` (null or absent:
  no vote cut), ``trim`` (0), ``vote_weight`` (0), ``normalize`` (``none`` or ``zscore``)
  and ``precision`` (2, at most 10) are optional, and so are the panel's thresholds
  ``flag_correlation``, ``flag_offset``, ``flag_spread`` (read by ``reviews.panel_io``).
  Numbers are taken as written (``parse_float=Decimal``).
  Unknown keys are refused: a misspelt ``vote_wieght`` would otherwise silently mean 0.

The cases are those named in either CSV file. Only shortlisted cases have their scores
checked against the criteria, as the engine only ranks those.
"""

from __future__ import annotations

import csv
import io
import json
import json.scanner
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .panel import PANEL_CONFIG_KEYS
from .ranking import Criterion, RankingConfig, RankingError, Tier, select_shortlist

__all__ = [
    "MAX_PRECISION",
    "RankingInputError",
    "ScoreRow",
    "SheetInputs",
    "VoteRow",
    "load_inputs",
    "read_config",
    "read_scores",
    "read_votes",
]

SCORES_HEADER = ("case", "expert", "criterion", "score")
VOTES_HEADER = ("case", "votes")
MAX_PRECISION = 10  # more decimals than anyone publishes; keeps output sizes sane
MAX_VOTE_DIGITS = 15  # beyond any real count; int() refuses very long digit strings

_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_COUNT_TEXT = re.compile(r"[0-9]+")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class RankingInputError(ValueError):
    """A bad input file; ``str()`` is one line naming file, line and problem."""


def _fail(name: str, line: int | None, problem: str) -> RankingInputError:
    where = f"{name} 第 {line} 行" if line else name
    return RankingInputError(f"{where}: {problem}")


# --- Files and CSV ----------------------------------------------------------------------------


def _read_text(path: str | Path) -> str:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise _fail(name, None, "文件不存在") from None
    except IsADirectoryError:
        raise _fail(name, None, "是目录，不是文件") from None
    except PermissionError:
        raise _fail(name, None, "没有读取权限") from None
    except OSError as exc:
        raise _fail(name, None, f"无法读取（{exc.strerror}）") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _fail(
            name, line, f"第 {exc.start + 1} 字节不是 UTF-8 编码，请另存为“CSV UTF-8”或 UTF-8 文本"
        ) from None


def _csv_records(path: str | Path, header: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) for each non-blank row after a correct header."""
    name = str(path)
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    try:
        first = next(reader, None)
        if first is None:
            raise _fail(name, 1, f"文件为空，缺少表头 {','.join(header)}")
        if tuple(cell.strip() for cell in first) != header:
            raise _fail(name, 1, f"表头应为 {','.join(header)}，实际为 {','.join(first)}")
        end = reader.line_num
        for row in reader:
            # A quoted field may span lines: name the line the row starts on.
            line, end = end + 1, reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if len(cells) != len(header):
                raise _fail(name, line, f"应有 {len(header)} 列，实际为 {len(cells)} 列")
            for column, cell in zip(header, cells, strict=True):
                if not cell:
                    raise _fail(name, line, f"{column} 列为空")
                if _CONTROL_CHARACTER.search(cell):
                    raise _fail(name, line, f"{column} 列含换行或控制字符")
            yield line, cells
    except csv.Error as exc:
        raise _fail(name, reader.line_num, f"CSV 格式错误（{exc}）") from None


@dataclass(frozen=True)
class ScoreRow:
    line: int
    case: str
    expert: str
    criterion: str
    score: Decimal


@dataclass(frozen=True)
class VoteRow:
    line: int
    case: str
    votes: int


def read_scores(path: str | Path) -> list[ScoreRow]:
    """The rows of scores.csv, checked for form: numbers, columns, duplicates."""
    name = str(path)
    rows: list[ScoreRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, (case, expert, criterion, score_text) in _csv_records(path, SCORES_HEADER):
        if not _DECIMAL_TEXT.fullmatch(score_text):
            raise _fail(name, line, f'分数 "{score_text}" 不是数字')
        key = (case, expert, criterion)
        if key in seen:
            raise _fail(
                name,
                line,
                f'与第 {seen[key]} 行重复（案例 "{case}"、专家 "{expert}"、评分项 "{criterion}"）',
            )
        seen[key] = line
        rows.append(ScoreRow(line, case, expert, criterion, Decimal(score_text)))
    return rows


def read_votes(path: str | Path) -> list[VoteRow]:
    """The rows of votes.csv, checked for form: counts, columns, duplicates."""
    name = str(path)
    rows: list[VoteRow] = []
    seen: dict[str, int] = {}
    for line, (case, votes_text) in _csv_records(path, VOTES_HEADER):
        if not _COUNT_TEXT.fullmatch(votes_text):
            raise _fail(name, line, f'票数 "{votes_text}" 不是非负整数')
        if len(votes_text) > MAX_VOTE_DIGITS:
            raise _fail(name, line, f"票数 {votes_text} 过大")
        if case in seen:
            raise _fail(name, line, f'案例 "{case}" 与第 {seen[case]} 行重复')
        seen[case] = line
        rows.append(VoteRow(line, case, int(votes_text)))
    return rows


# --- config.json ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    """A JSON value and the line it starts on."""

    value: object
    line: int


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int):
        self.key, self.line = key, line


def _without_duplicates(pairs: list[tuple[str, _Located]]) -> dict[str, _Located]:
    result: dict[str, _Located] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key, value.line)
        result[key] = value
    return result


def _locating(scan_once):
    def scan(string: str, idx: int):
        value, end = scan_once(string, idx)
        return _Located(value, string.count("\n", 0, idx) + 1), end

    return scan


class _LocatingDecoder(json.JSONDecoder):
    """A JSON decoder that wraps every value below the top level in ``_Located``.

    It hooks the object and array parsers of the pure-Python scanner, so messages about a
    value can name its line. Numbers with a fraction or exponent become Decimal, NaN and
    Infinity become Decimal too (and are then refused as not finite).
    """

    def __init__(self):
        super().__init__(
            parse_float=Decimal, parse_constant=Decimal, object_pairs_hook=_without_duplicates
        )
        parse_object, parse_array = self.parse_object, self.parse_array

        def parse_located_object(string_and_end, strict, scan_once, *rest):
            return parse_object(string_and_end, strict, _locating(scan_once), *rest)

        def parse_located_array(string_and_end, scan_once):
            return parse_array(string_and_end, _locating(scan_once))

        self.parse_object = parse_located_object
        self.parse_array = parse_located_array
        self.scan_once = json.scanner.py_make_scanner(self)


# json's messages, in the language of the people who edit the file.
_JSON_MESSAGES = {
    "Expecting value": "此处缺少值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名须用英文双引号括起（或多了逗号）",
    "Extra data": "JSON 结束后还有多余内容",
    "Unterminated string starting at": "字符串缺少结束引号",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的转义字符",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
}

_CONFIG_KEYS = ("criteria", "tiers", "shortlist", "trim", "vote_weight", "normalize", "precision")
_CONFIG_KEYS += PANEL_CONFIG_KEYS
_CRITERION_KEYS = ("key", "label", "max", "weight")
_TIER_KEYS = ("name", "size")


class _ConfigReader:
    """Turns the located JSON tree into a RankingConfig, one clear message per problem."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, located: _Located, problem: str) -> RankingInputError:
        return _fail(self.name, located.line, problem)

    def object(self, located: _Located, what: str, *, allowed, required) -> dict[str, _Located]:
        if not isinstance(located.value, dict):
            raise self.fail(located, f"{what}须为 JSON 对象 {{…}}")
        for key, value in located.value.items():
            if key not in allowed:
                raise self.fail(value, f'{what}中有未知的键 "{key}"（可用：{"、".join(allowed)}）')
        for key in required:
            if key not in located.value:
                raise self.fail(located, f'{what}缺少必填项 "{key}"')
        return located.value

    def array(self, located: _Located, what: str) -> list[_Located]:
        if not isinstance(located.value, list):
            raise self.fail(located, f"{what} 须为列表 […]")
        return located.value

    def text(self, located: _Located, what: str) -> str:
        if not isinstance(located.value, str) or not located.value.strip():
            raise self.fail(located, f"{what} 须为非空字符串")
        return located.value

    def count(self, located: _Located, what: str, *, minimum: int, maximum: int | None = None):
        value = located.value
        in_range = _is_int(value) and value >= minimum and (maximum is None or value <= maximum)
        if not in_range:
            bounds = (
                f" {minimum} 到 {maximum} 之间的整数"
                if maximum is not None
                else f"不小于 {minimum} 的整数"
            )
            raise self.fail(located, f"{what} 须为{bounds}，实际为 {_shown(value)}")
        return value

    def number(self, located: _Located, what: str) -> Decimal:
        value = located.value
        if not (_is_int(value) or isinstance(value, Decimal)):
            raise self.fail(located, f"{what} 须为数字，实际为 {_shown(value)}")
        number = Decimal(value)
        # Finite and of sane magnitude: exponents like 1e-99999999 would cost minutes later.
        if not number.is_finite() or not -30 <= number.as_tuple().exponent <= 30:
            raise self.fail(located, f"{what} 须为合理范围内的有限数字，实际为 {value}")
        return number

    def criterion(self, located: _Located, index: int, seen: dict[str, int]) -> Criterion:
        what = f"criteria 第 {index} 项"
        item = self.object(located, what, allowed=_CRITERION_KEYS, required=("key", "label", "max"))
        key = self.text(item["key"], f"{what}的 key")
        if key in seen:
            raise self.fail(item["key"], f'评分项 key "{key}" 与第 {seen[key]} 行重复')
        seen[key] = item["key"].line
        maximum = self.number(item["max"], f"{what}的 max")
        if maximum <= 0:
            raise self.fail(item["max"], f"{what}的 max 须大于 0，实际为 {maximum}")
        weight = Decimal(1)
        if "weight" in item:
            weight = self.number(item["weight"], f"{what}的 weight")
            if weight < 0:
                raise self.fail(item["weight"], f"{what}的 weight 不能为负，实际为 {weight}")
        label = self.text(item["label"], f"{what}的 label")
        return Criterion(key=key, label=label, max=maximum, weight=weight)

    def tier(self, located: _Located, index: int, seen: dict[str, int]) -> Tier:
        what = f"tiers 第 {index} 项"
        item = self.object(located, what, allowed=_TIER_KEYS, required=_TIER_KEYS)
        name = self.text(item["name"], f"{what}的 name")
        if name in seen:
            raise self.fail(item["name"], f'档次名称 "{name}" 与第 {seen[name]} 行重复')
        seen[name] = item["name"].line
        size = self.count(item["size"], f"{what}的 size", minimum=1)
        return Tier(name=name, size=size)

    def config(self, top: _Located) -> RankingConfig:
        root = self.object(top, "配置", allowed=_CONFIG_KEYS, required=("criteria", "tiers"))
        criteria_list = self.array(root["criteria"], "criteria")
        if not criteria_list:
            raise self.fail(root["criteria"], "criteria 不能为空")
        seen_keys: dict[str, int] = {}
        criteria = [
            self.criterion(item, index, seen_keys)
            for index, item in enumerate(criteria_list, start=1)
        ]
        if sum(c.weight * c.max for c in criteria) <= 0:
            raise self.fail(root["criteria"], "评分项的 weight 不能全为 0")
        seen_names: dict[str, int] = {}
        tiers = [
            self.tier(item, index, seen_names)
            for index, item in enumerate(self.array(root["tiers"], "tiers"), start=1)
        ]
        options = {}
        if "shortlist" in root and root["shortlist"].value is not None:
            options["shortlist"] = self.count(root["shortlist"], "shortlist", minimum=1)
        if "trim" in root:
            options["trim"] = self.count(root["trim"], "trim", minimum=0)
        if "vote_weight" in root:
            vote_weight = self.number(root["vote_weight"], "vote_weight")
            if not 0 <= vote_weight <= 1:
                raise self.fail(
                    root["vote_weight"], f"vote_weight 须在 0 到 1 之间，实际为 {vote_weight}"
                )
            options["vote_weight"] = vote_weight
        if "normalize" in root:
            normalize = root["normalize"].value
            if normalize not in ("none", "zscore"):
                raise self.fail(
                    root["normalize"],
                    f'normalize 须为 "none" 或 "zscore"，实际为 {_shown(normalize)}',
                )
            options["normalize"] = normalize
        if "precision" in root:
            options["precision"] = self.count(
                root["precision"], "precision", minimum=0, maximum=MAX_PRECISION
            )
        try:
            return RankingConfig(criteria=tuple(criteria), tiers=tuple(tiers), **options)
        except RankingError as exc:  # not expected after the checks above; still one line
            raise _fail(self.name, None, str(exc)) from None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value) -> str:
    """A JSON value as the user wrote it, more or less."""
    if isinstance(value, dict | list):
        return "对象" if isinstance(value, dict) else "列表"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def read_config(path: str | Path) -> RankingConfig:
    name = str(path)
    text = _read_text(path)
    try:
        tree = _LocatingDecoder().decode(text)
    except json.JSONDecodeError as exc:
        problem = _JSON_MESSAGES.get(exc.msg, exc.msg)
        raise _fail(name, exc.lineno, f"JSON 格式错误，第 {exc.colno} 列{problem}") from None
    except _DuplicateKey as exc:
        raise _fail(name, exc.line, f'键 "{exc.key}" 重复') from None
    except RecursionError:
        raise _fail(name, None, "JSON 嵌套过深") from None
    except ValueError as exc:  # e.g. an integer past Python's 4,300-digit conversion limit
        raise _fail(name, None, f"JSON 无法读取（{exc}）") from None
    first_line = text[: len(text) - len(text.lstrip())].count("\n") + 1
    return _ConfigReader(name).config(_Located(tree, first_line))


# --- All inputs together ----------------------------------------------------------------------


@dataclass(frozen=True)
class SheetInputs:
    """What ``reviews.ranking.rank`` takes, read from the three files."""

    config: RankingConfig
    scores: dict[str, dict[str, dict[str, Decimal]]]
    votes: dict[str, int]
    cases: list[str]  # in order of first appearance: scores.csv, then votes.csv


def _check_shortlisted_scores(
    *,
    rows: list[ScoreRow],
    shortlisted: set[str],
    config: RankingConfig,
    scores_name: str,
    config_name: str,
) -> None:
    """The checks of the engine, but on rows, so that a message can name the line."""
    criteria = {criterion.key: criterion for criterion in config.criteria}
    sheets: dict[tuple[str, str], list[ScoreRow]] = {}
    for row in rows:
        if row.case not in shortlisted:
            continue  # only shortlisted cases are ranked, so only they are checked
        criterion = criteria.get(row.criterion)
        if criterion is None:
            raise _fail(
                scores_name, row.line, f'评分项 "{row.criterion}" 不在 {config_name} 的 criteria 中'
            )
        if not 0 <= row.score <= criterion.max:
            raise _fail(
                scores_name,
                row.line,
                f'评分项 "{row.criterion}" 的分数 {row.score} 超出范围 0–{criterion.max}',
            )
        sheets.setdefault((row.case, row.expert), []).append(row)
    for (case, expert), sheet in sheets.items():  # in order of each sheet's first line
        scored = {row.criterion for row in sheet}
        for criterion in config.criteria:
            if criterion.key not in scored:
                raise _fail(
                    scores_name,
                    sheet[0].line,
                    f'专家 "{expert}" 对案例 "{case}" 的评分缺少评分项 "{criterion.key}"'
                    f"（{criterion.label}）",
                )


def load_inputs(
    *,
    scores_path: str | Path,
    config_path: str | Path,
    votes_path: str | Path | None = None,
) -> SheetInputs:
    """Read and check the three files; raises ``RankingInputError`` on the first problem."""
    config = read_config(config_path)
    score_rows = read_scores(scores_path)
    vote_rows = read_votes(votes_path) if votes_path is not None else []

    votes = {row.case: row.votes for row in vote_rows}
    cases = list(dict.fromkeys([*(row.case for row in score_rows), *votes]))
    shortlisted = set(select_shortlist(cases=cases, votes=votes, size=config.shortlist))
    _check_shortlisted_scores(
        rows=score_rows,
        shortlisted=shortlisted,
        config=config,
        scores_name=str(scores_path),
        config_name=str(config_path),
    )
    scored_cases = {row.case for row in score_rows}
    for row in vote_rows:
        if row.case in shortlisted and row.case not in scored_cases:
            raise _fail(
                str(votes_path),
                row.line,
                f'案例 "{row.case}" 已入围，但 {scores_path} 中没有它的评分',
            )

    scores: dict[str, dict[str, dict[str, Decimal]]] = {}
    for row in score_rows:
        scores.setdefault(row.case, {}).setdefault(row.expert, {})[row.criterion] = row.score
    return SheetInputs(config=config, scores=scores, votes=votes, cases=cases)
