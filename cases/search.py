"""Full-text search over case titles and bodies that works for Chinese.

SQLite: an FTS5 table with the trigram tokenizer (kept in step by triggers, see migration
0003) answers queries of three or more characters; its MATCH needs at least three, and on
SQLite 3.40 a LIKE against the trigram table returns nothing, so one- and two-character
queries scan the base table with LIKE instead. PostgreSQL: a pg_trgm GIN index on
``search_text`` serves ILIKE for queries of any length (three and more use the index).
"""

import re

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

FTS_TABLE = "cases_case_fts"
MIN_TRIGRAM = 3

SQLITE_TRIGGERS = {
    "cases_case_fts_ai": "CREATE TRIGGER cases_case_fts_ai AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "cases_case_fts_ad": "CREATE TRIGGER cases_case_fts_ad AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "cases_case_fts_au": "CREATE TRIGGER cases_case_fts_au AFTER UPDATE OF search_text "
    "ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
}


def ensure_sqlite_index(connection) -> None:
    """Create the FTS triggers where missing, and rebuild the index if any was.

    SQLite migrations that alter cases_case rebuild the table, which drops its triggers, so
    this runs after every migrate (post_migrate), not only in the migration that made them.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        if cursor.fetchone() is None:
            return  # before migration 0003
        missing = [sql for name, sql in SQLITE_TRIGGERS.items() if name not in present]
        for sql in missing:
            cursor.execute(sql)
        if missing:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def normalise_query(query: str) -> str:
    return " ".join((query or "").split())


def filter_cases(queryset, query: str):
    """Narrow a Case queryset to those whose title or body contains every word of the query."""
    query = normalise_query(query)
    if not query:
        return queryset
    for word in query.split(" "):
        if connection.vendor == "sqlite" and len(word) >= MIN_TRIGRAM and fts_available():
            phrase = '"' + word.replace('"', '""') + '"'
            queryset = queryset.filter(
                id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [phrase])
            )
        else:
            queryset = queryset.filter(search_text__icontains=word)
    return queryset


_fts_cache: dict[str, bool] = {}


def fts_available() -> bool:
    alias = connection.settings_dict.get("NAME", "")
    key = str(alias)
    if key not in _fts_cache:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
            _fts_cache[key] = cursor.fetchone() is not None
    return _fts_cache[key]


def highlight(text: str, query: str, width: int = 80) -> str:
    """An HTML-safe snippet of ``text`` around the first match, every match in <mark>."""
    words = [w for w in normalise_query(query).split(" ") if w]
    if not text:
        return ""
    if not words:
        return escape(text[: width * 2])
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width) if first else 0
    snippet = text[start : start + width * 2 + (len(first.group()) if first else 0)]
    parts, last = [], 0
    for match in pattern.finditer(snippet):
        parts.append(escape(snippet[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(snippet[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + len(snippet) < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)
