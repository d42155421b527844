"""`make bench`: every benchmark under bench/, end to end, then one summary table.

Each bench_*.py is run as its own process (so each sets up its own database) and prints, as
its last line, `RESULT {json}` with a list of {"metric", "value", "unit", "target"} rows.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["bench_ranking.py", "bench_votes.py", "bench_archive.py"]


def main() -> int:
    scripts = sorted(
        HERE.glob("bench_*.py"),
        key=lambda p: (p.name not in ORDER, ORDER.index(p.name) if p.name in ORDER else 0, p.name),
    )
    rows, failed = [], []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        started = time.time()
        result = subprocess.run(
            [sys.executable, str(script)], cwd=HERE.parent, text=True, capture_output=True
        )
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr[-4000:])
        lines = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")]
        if result.returncode != 0 or not lines:
            failed.append(script.name)
            continue
        for row in json.loads(lines[-1][len("RESULT ") :]):
            rows.append({"bench": script.stem, **row})
        print(f"({time.time() - started:.0f} s)")
    print()
    print(f"{'benchmark':<16} {'metric':<44} {'value':>12} {'unit':<8} target")
    for row in rows:
        value = row["value"]
        shown = (
            f"{value:,.2f}"
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int)
            else str(value)
        )
        unit, target = row.get("unit", ""), row.get("target", "")
        print(f"{row['bench']:<16} {row['metric']:<44} {shown:>12} {unit:<8} {target}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
