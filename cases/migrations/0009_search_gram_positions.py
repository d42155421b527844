"""PostgreSQL: the positional bigram index (RUM) that answers words of any length exactly
from the index (see cases/search.py). Skipped, with a notice, where the rum extension cannot
be created (not installed, or no right to create it): search then keeps its other indexes."""

import sys

from django.db import DatabaseError, migrations, transaction

from cases.archive import search


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(search.PG_GRAMS[0])
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc
        sys.stderr.write(f"  rum 扩展不可用，跳过位置索引（搜索仍可用）：{first_line}\n")
        return
    for sql in [*search.PG_GRAMS[1:], search.PG_GRAMS_FILL, *search.PG_GRAMS_INDEXES]:
        schema_editor.execute(sql)
    schema_editor.execute(f"ANALYZE {search.GRAMS_TABLE}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in [
        "DROP TRIGGER IF EXISTS cases_case_grams_sync ON cases_case",
        "DROP FUNCTION IF EXISTS cases_case_grams_sync()",
        f"DROP TABLE IF EXISTS {search.GRAMS_TABLE}",
        f"DROP FUNCTION IF EXISTS {search.GRAM_POSITIONS_FUNCTION}(text)",
    ]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_search_text_lower_case")]
    operations = [migrations.RunPython(forward, backward)]
