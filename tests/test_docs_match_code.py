"""What the comments and the README say about a rule is what the code does (#27): the figures
are read from the code, so a changed rule makes its description fail here."""

import math
import re
from pathlib import Path

from cases.archive.query import MAX_QUERY
from publishing import objections

ROOT = Path(__file__).resolve().parent.parent


def test_the_reference_code_comment_states_its_alphabet_and_strength():
    source = (ROOT / "publishing" / "objections.py").read_text()
    said = re.search(
        r"(\d+) characters from (\d+) that cannot be misread.*?(\d+) bits", source, re.S
    )
    length, symbols, bits = (int(n) for n in said.groups())
    assert length == objections.CODE_LENGTH
    assert symbols == len(objections.CODE_ALPHABET) == len(set(objections.CODE_ALPHABET))
    assert bits == math.floor(length * math.log2(symbols))


def test_the_readme_states_the_search_cap():
    row = next(
        line
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("| `/cases/archive/`")
    )
    assert "any length" not in row
    assert f"up to {MAX_QUERY} characters" in row
