"""Full-text search over case titles and bodies that works for Chinese.

SQLite: an FTS5 table with the trigram tokenizer (kept in step by triggers, see migration
0003) answers queries of three or more characters; its MATCH needs at least three, and on
SQLite 3.40 a LIKE against the trigram table returns nothing. Two-character words (the most
common Chinese query: 帮办, 退税) are answered by a second, contentless FTS5 table of the
text's bigrams (migration 0006): each pair of adjacent letters or digits is one token, so a
two-character word is one token lookup instead of a LIKE scan of every case's full text.
One-character queries (and two-character ones containing punctuation) still scan with LIKE.

PostgreSQL: a pg_trgm GIN index on ``search_text`` (stored lower-cased) serves LIKE for three
characters and more; two-character words use a GIN index on the array of the text's bigrams
(``bizenv_bigrams``, stored in ``cases_case_bigrams`` by a trigger), one character scans.

Both bigram indexes are exact: a text contains a two-character word exactly when the word is
one of its bigrams, so the results equal those of ``icontains``.
"""

import functools
import re
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

FTS_TABLE = "cases_case_fts"
BIGRAM_TABLE = "cases_case_bigram"
BIGRAM_FUNCTION = "bizenv_bigrams"
MIN_TRIGRAM = 3


def bigrams(text: str | None) -> str:
    """The distinct pairs of adjacent letters or digits of ``text``, lower-cased, space-separated:
    the tokens of the SQLite bigram index (registered as the SQL function ``bizenv_bigrams``)."""
    if not text:
        return ""
    text = text.lower()
    pairs = dict.fromkeys(
        a + b for a, b in zip(text, text[1:], strict=False) if a.isalnum() and b.isalnum()
    )
    return " ".join(pairs)


def register_sqlite_functions(sender=None, connection=None, **kwargs) -> None:
    """Give every SQLite connection the bigram function its triggers call (connection_created).

    A connection without it (the sqlite3 shell) cannot write cases: edit them through Django.
    """
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(BIGRAM_FUNCTION, 1, bigrams, deterministic=True)


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
BIGRAM_TRIGGERS = {
    "cases_case_bigram_ai": "CREATE TRIGGER cases_case_bigram_ai AFTER INSERT ON cases_case BEGIN "
    f"INSERT INTO {BIGRAM_TABLE}(rowid, grams) "
    f"VALUES (new.id, {BIGRAM_FUNCTION}(new.search_text)); END",
    "cases_case_bigram_ad": "CREATE TRIGGER cases_case_bigram_ad AFTER DELETE ON cases_case BEGIN "
    f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}, rowid, grams) "
    f"VALUES ('delete', old.id, {BIGRAM_FUNCTION}(old.search_text)); END",
    "cases_case_bigram_au": "CREATE TRIGGER cases_case_bigram_au AFTER UPDATE OF search_text "
    "ON cases_case BEGIN "
    f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}, rowid, grams) "
    f"VALUES ('delete', old.id, {BIGRAM_FUNCTION}(old.search_text)); "
    f"INSERT INTO {BIGRAM_TABLE}(rowid, grams) "
    f"VALUES (new.id, {BIGRAM_FUNCTION}(new.search_text)); END",
}
SQLITE_BIGRAM_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {BIGRAM_TABLE} USING fts5("
    "grams, content='', detail=none, columnsize=0, tokenize='unicode61')"
)
# Characters paired with their successor in one pass (unnest + lead): substr() per position
# would rescan the UTF-8 text from its start each time, quadratic in the text's length.
PG_BIGRAM_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {BIGRAM_FUNCTION}(t text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT g), '{}') FROM ("
    "SELECT ch || lead(ch) OVER (ORDER BY n) AS g "
    "FROM unnest(string_to_array(lower(coalesce(t, '')), NULL)) WITH ORDINALITY AS u(ch, n)"
    ") AS pairs WHERE g IS NOT NULL $$"
)
# The bigrams are stored (a side table kept by a trigger), not computed in the index
# expression: a bitmap scan rechecks its rows, and recomputing the function there costs
# milliseconds per row.
PG_BIGRAM_TABLE = [
    "CREATE TABLE IF NOT EXISTS cases_case_bigrams "
    "(case_id bigint PRIMARY KEY, grams text[] NOT NULL)",
    "CREATE INDEX IF NOT EXISTS cases_case_bigrams_gin ON cases_case_bigrams USING gin (grams)",
    "CREATE OR REPLACE FUNCTION cases_case_bigrams_sync() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN DELETE FROM cases_case_bigrams WHERE case_id = OLD.id; RETURN OLD; "
    "END IF; "
    "INSERT INTO cases_case_bigrams (case_id, grams) "
    f"VALUES (NEW.id, {BIGRAM_FUNCTION}(NEW.search_text)) "
    "ON CONFLICT (case_id) DO UPDATE SET grams = EXCLUDED.grams; RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS cases_case_bigrams_sync ON cases_case",
    "CREATE TRIGGER cases_case_bigrams_sync AFTER INSERT OR DELETE OR UPDATE OF search_text "
    "ON cases_case FOR EACH ROW EXECUTE FUNCTION cases_case_bigrams_sync()",
]
PG_BIGRAM_FILL = (
    "INSERT INTO cases_case_bigrams (case_id, grams) "
    f"SELECT id, {BIGRAM_FUNCTION}(search_text) FROM cases_case "
    "ON CONFLICT (case_id) DO UPDATE SET grams = EXCLUDED.grams"
)


# --- PostgreSQL: a positional bigram index (RUM) for exact words of any length -----------------
#
# pg_trgm is lossy: a word of three characters or more is confirmed by reading each
# candidate's whole text out of TOAST, about 1 s for a word most of 20,000 cases contain. The
# RUM index (Debian's postgresql-15-rum) keeps each bigram's positions in the index itself, so
# "一网通办" is the phrase '一网' <-> '网通' <-> '通办' answered from the index alone, exactly:
# adjacent bigrams at consecutive positions are the word itself. Positions are the text's
# character offsets; pairs outside GRAM_CHARS leave a gap, so a phrase never bridges them.
# tsvector positions stop at 16,383: a longer text is marked incomplete and also matched with
# LIKE. Without the extension (migration 0009 skips it) search uses the indexes above.
GRAMS_TABLE = "cases_case_grams"
GRAM_POSITIONS_FUNCTION = "bizenv_gram_positions"
MAX_GRAM_POSITION = 16383
GRAM_CHARS = "0-9a-z\u4e00-\u9fff"  # digits, lower-case Latin, CJK unified ideographs
GRAM_WORD_RE = re.compile(f"^[{GRAM_CHARS}]{{2,}}$")
_GRAM_TEXT = (  # a text's eligible bigrams with their positions, as tsvector input
    "SELECT coalesce(string_agg(quote_literal(g) || ':' || n, ' ')::tsvector, ''::tsvector) "
    "FROM (SELECT ch || lead(ch) OVER (ORDER BY n) AS g, n "
    "FROM unnest(string_to_array(coalesce(t, ''), NULL)) WITH ORDINALITY AS u(ch, n)) AS pairs "
    f"WHERE n <= {MAX_GRAM_POSITION} AND g ~ '^[{GRAM_CHARS}]{{2}}$'"
)


def _gram_columns(text: str) -> str:
    """The side table's positions and complete columns for the SQL expression ``text``."""
    return (
        f"{GRAM_POSITIONS_FUNCTION}({text}), "
        f"char_length(coalesce({text}, '')) <= {MAX_GRAM_POSITION + 1}"
    )


_GRAMS_UPSERT = (
    "ON CONFLICT (case_id) DO UPDATE SET positions = EXCLUDED.positions, "
    "complete = EXCLUDED.complete"
)
PG_GRAMS = [
    "CREATE EXTENSION IF NOT EXISTS rum",
    f"CREATE OR REPLACE FUNCTION {GRAM_POSITIONS_FUNCTION}(t text) RETURNS tsvector "
    f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ {_GRAM_TEXT} $$",
    f"CREATE TABLE IF NOT EXISTS {GRAMS_TABLE} (case_id bigint PRIMARY KEY, "
    "positions tsvector NOT NULL, complete boolean NOT NULL)",
    "CREATE OR REPLACE FUNCTION cases_case_grams_sync() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'DELETE' THEN DELETE FROM {GRAMS_TABLE} WHERE case_id = OLD.id; RETURN OLD; "
    "END IF; "
    f"INSERT INTO {GRAMS_TABLE} (case_id, positions, complete) "
    f"VALUES (NEW.id, {_gram_columns('NEW.search_text')}) {_GRAMS_UPSERT}; RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS cases_case_grams_sync ON cases_case",
    "CREATE TRIGGER cases_case_grams_sync AFTER INSERT OR DELETE OR UPDATE OF search_text "
    "ON cases_case FOR EACH ROW EXECUTE FUNCTION cases_case_grams_sync()",
]
PG_GRAMS_FILL = (
    f"INSERT INTO {GRAMS_TABLE} (case_id, positions, complete) "
    f"SELECT id, {_gram_columns('search_text')} FROM cases_case {_GRAMS_UPSERT}"
)
PG_GRAMS_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS cases_case_grams_rum ON {GRAMS_TABLE} "
    "USING rum (positions rum_tsvector_ops)",
    f"CREATE INDEX IF NOT EXISTS cases_case_grams_incomplete ON {GRAMS_TABLE} (case_id) "
    "WHERE NOT complete",
]


def gram_phrase(word: str) -> str:
    """The tsquery of a word (lower case, GRAM_WORD_RE): its bigrams, each next to the last."""
    return " <-> ".join(f"'{word[i : i + 2]}'" for i in range(len(word) - 1))


def _incomplete_texts_exist() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {GRAMS_TABLE} WHERE NOT complete)")
        return cursor.fetchone()[0]


def _in_gram_index(word: str, *, incomplete_texts: bool) -> RawSQL:
    indexed = f"SELECT case_id FROM {GRAMS_TABLE} WHERE positions @@ %s::tsquery"
    params = [gram_phrase(word)]
    if incomplete_texts:
        # Only then: the union hides the row count from the planner, which then joins the
        # matches one by one instead of hashing them (0.14 s instead of 0.07 s for 20,000).
        indexed += (
            f" UNION ALL SELECT g.case_id FROM {GRAMS_TABLE} g JOIN cases_case c "
            "ON c.id = g.case_id WHERE NOT g.complete AND c.search_text LIKE %s"
        )
        params.append(_like_pattern(word))
    return RawSQL(f'"cases_case"."id" IN ({indexed})', params, output_field=BooleanField())


def rebuild_bigrams(cursor) -> None:
    """Refill the contentless bigram table from the cases (after a bulk load or a rebuild)."""
    cursor.execute(f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}) VALUES ('delete-all')")
    cursor.execute(
        f"INSERT INTO {BIGRAM_TABLE}(rowid, grams) "
        f"SELECT id, {BIGRAM_FUNCTION}(search_text) FROM cases_case"
    )


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
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [BIGRAM_TABLE])
        if cursor.fetchone() is None:
            return  # before migration 0006
        missing = [sql for name, sql in BIGRAM_TRIGGERS.items() if name not in present]
        for sql in missing:
            cursor.execute(sql)
        if missing:
            rebuild_bigrams(cursor)


@contextmanager
def index_scans():
    """Run a search's queries planned with the search indexes (PostgreSQL).

    The planner does not count the cost of reading each case's long text or bigram array out
    of TOAST storage, so for a word most cases contain it prefers a sequential scan that does
    exactly that: 3.3 s instead of 68 ms for 帮办 over 20,000 cases (bench/bench_archive.py).
    Scoped to a transaction (SET LOCAL); a no-op on SQLite, whose plans are fixed by hand
    (``_rowid_in``)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def normalise_query(query: str) -> str:
    return " ".join((query or "").split())


def filter_cases(queryset, query: str):
    """Narrow a Case queryset to those whose title or body contains every word of the query."""
    query = normalise_query(query)
    if not query:
        return queryset
    # Asked once per search, and only if a word goes to the positional index.
    incomplete_texts = functools.cache(_incomplete_texts_exist)
    for word in query.split(" "):
        queryset = _filter_word(queryset, word, incomplete_texts)
    return queryset


def _filter_word(queryset, word: str, incomplete_texts):
    sqlite = connection.vendor == "sqlite"
    if not sqlite and GRAM_WORD_RE.match(word.lower()) and gram_index_available():
        return queryset.filter(_in_gram_index(word.lower(), incomplete_texts=incomplete_texts()))
    if sqlite and len(word) >= MIN_TRIGRAM and fts_available():
        return queryset.filter(_rowid_in(FTS_TABLE, word))
    if len(word) == 2 and word.isalnum():
        if sqlite and fts_available(BIGRAM_TABLE):
            return queryset.filter(_rowid_in(BIGRAM_TABLE, word.lower()))
        if connection.vendor == "postgresql":
            return queryset.filter(
                id__in=RawSQL(
                    "SELECT case_id FROM cases_case_bigrams WHERE grams @> ARRAY[%s]::text[]",
                    [word.lower()],
                )
            )
    if connection.vendor == "postgresql":
        # LIKE on the (lower-cased) column itself is what the pg_trgm GIN index serves;
        # Django's icontains writes UPPER(col) LIKE UPPER(…), which no index serves (a full
        # scan), and ILIKE lower-cases each candidate's text again on every search.
        return queryset.filter(
            RawSQL(
                '"cases_case"."search_text" LIKE %s',
                [_like_pattern(word.lower())],
                output_field=BooleanField(),
            )
        )
    return queryset.filter(search_text__icontains=word)


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _rowid_in(table: str, word: str) -> RawSQL:
    """``id IN (the FTS table's matches)``, written ``+id`` so that SQLite does not look each
    match up in the table (reading its long texts to reach the status and order columns) but
    scans the covering archive index and tests membership there."""
    return RawSQL(
        f'+"cases_case"."id" IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)',
        [_phrase(word)],
        output_field=BooleanField(),
    )


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


_fts_cache: dict[str, bool] = {}
_gram_index_cache: dict[str, bool] = {}


def gram_index_available() -> bool:
    """Whether migration 0009 built the RUM index (PostgreSQL with the rum extension)."""
    if connection.vendor != "postgresql":
        return False
    name = connection.settings_dict["NAME"]
    if name not in _gram_index_cache:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('cases_case_grams_rum') IS NOT NULL")
            _gram_index_cache[name] = cursor.fetchone()[0]
    return _gram_index_cache[name]


def fts_available(table: str = FTS_TABLE) -> bool:
    key = f"{connection.settings_dict.get('NAME', '')}:{table}"
    if key not in _fts_cache:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [table])
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
