"""Chinese full-text search: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL."""

from django.db import migrations

from cases.archive import search

# The trigger definitions live in cases.archive.search, which also puts them back after migrations
# that rebuild cases_case (SQLite drops a table's triggers with it).
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
    "search_text, content='cases_case', content_rowid='id', tokenize='trigram')",
    *search.SQLITE_TRIGGERS.values(),
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in search.SQLITE_TRIGGERS),
    "DROP TABLE IF EXISTS cases_case_fts",
]
PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS cases_case_search_trgm ON cases_case "
    "USING gin (search_text gin_trgm_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS cases_case_search_trgm"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed_districts")]
    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
