"""Each benchmark's stated targets, checked: the RESULT line, then a non-zero exit when a row
misses its target ("< 2 s", ">= 500", "20021", True; "-" or words such as "background" state
none)."""

import json
import re

_BOUND = re.compile(r"^\s*(<=|>=|<|>|=)?\s*(-?[\d.,]+)")


def missed(row) -> bool:
    target, value = row.get("target"), row.get("value")
    if target is True or target is False:
        return value is not target
    match = _BOUND.match(str(target)) if target is not None else None
    if not match:
        return False
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return True  # a figure was promised and none came
    bound = float(match.group(2).replace(",", ""))
    op = match.group(1) or "="
    return not {
        "<": value < bound,
        "<=": value <= bound,
        ">": value > bound,
        ">=": value >= bound,
        "=": value == bound,
    }[op]


def report(rows) -> int:
    """Print the RESULT line and the targets missed; the exit status (1 when any is)."""
    print("RESULT " + json.dumps(rows, ensure_ascii=False), flush=True)
    misses = [row for row in rows if missed(row)]
    for row in misses:
        print(f"MISSED {row['metric']}: {row['value']} (target {row['target']})", flush=True)
    return 1 if misses else 0
