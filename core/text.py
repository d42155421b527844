"""Quoting a title inside a sentence, the one way every message does it."""

OPEN, CLOSE = "“", "”"
INNER_OPEN, INNER_CLOSE = "‘", "’"


def quoted(title) -> str:
    """``title`` in Chinese double quotes, as a sentence cites it: "已为“…”投票".

    Many titles carry quotes of their own (“首违不罚”清单, “益”企助企). Wrapping them again
    printed "““首违不罚”…"; Chinese usage nests quotes as “…‘…’…”. A title that is wholly
    one quoted phrase already has its outer quotes and keeps them once.
    """
    text = str(title or "").strip()
    if (
        text.startswith(OPEN)
        and text.endswith(CLOSE)
        and text.count(OPEN) == 1
        and text.count(CLOSE) == 1
    ):
        text = text[1:-1]
    text = text.replace(OPEN, INNER_OPEN).replace(CLOSE, INNER_CLOSE)
    return f"{OPEN}{text}{CLOSE}"
