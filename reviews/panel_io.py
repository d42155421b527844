"""Read the panel's thresholds from ``rank_sheet``'s config.json (see ``reviews.panel``).

``flag_correlation`` (default 0.3, from −1 to 1), ``flag_offset`` and ``flag_spread`` (default
15, not negative) are optional numbers of the same file whose other keys ``reviews.ranking_io``
reads; a bad value is one line naming the file and the line, like every other input error.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .panel import PANEL_CONFIG_KEYS, PanelThresholds

# The same decoder and checks as the rest of config.json, so the messages read alike.
from .ranking_io import _ConfigReader, _LocatingDecoder, _read_text, read_config

__all__ = ["read_thresholds"]

# (lowest, highest) allowed; None: no bound.
_BOUNDS = {
    "flag_correlation": (Decimal(-1), Decimal(1)),
    "flag_offset": (Decimal(0), None),
    "flag_spread": (Decimal(0), None),
}


def read_thresholds(path: str | Path) -> PanelThresholds:
    """The thresholds of config.json; the engine's settings are checked first (read_config),
    so a file with several problems names the same first problem as before."""
    read_config(path)
    reader = _ConfigReader(str(path))
    tree = _LocatingDecoder().decode(_read_text(path))  # read_config has decoded it already
    values = {}
    for key in PANEL_CONFIG_KEYS:
        if key not in tree:
            continue
        value = reader.number(tree[key], key)
        lowest, highest = _BOUNDS[key]
        if value < lowest or (highest is not None and value > highest):
            rule = f"须在 {lowest} 到 {highest} 之间" if highest is not None else "不能为负"
            raise reader.fail(tree[key], f"{key} {rule}，实际为 {value}")
        values[key] = value
    return PanelThresholds(**values)
