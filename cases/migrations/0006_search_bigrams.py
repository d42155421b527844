"""Two-character Chinese words served by an index: an FTS5 table of bigrams on SQLite, a GIN
index on the array of bigrams on PostgreSQL (see cases/search.py)."""

from django.db import migrations

from cases.archive import search

SQLITE_FORWARD = [search.SQLITE_BIGRAM_TABLE, *search.BIGRAM_TRIGGERS.values()]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in search.BIGRAM_TRIGGERS),
    f"DROP TABLE IF EXISTS {search.BIGRAM_TABLE}",
]
PG_FORWARD = [search.PG_BIGRAM_FUNCTION, *search.PG_BIGRAM_TABLE, search.PG_BIGRAM_FILL]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_case_bigrams_sync ON cases_case",
    "DROP FUNCTION IF EXISTS cases_case_bigrams_sync()",
    "DROP TABLE IF EXISTS cases_case_bigrams",
    f"DROP FUNCTION IF EXISTS {search.BIGRAM_FUNCTION}(text)",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(vendor, []):
        schema_editor.execute(sql)
    if vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            search.rebuild_bigrams(cursor)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_archive_order_index")]
    operations = [migrations.RunPython(forward, backward)]
