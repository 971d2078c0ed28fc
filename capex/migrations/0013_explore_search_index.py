"""
Text search on explore (`?q=`, capex.filters.InvestmentFilterSet.filter_text) served by an
index on PostgreSQL: trigram GIN indexes on the upper-cased title and description, the very
expressions Django's `icontains` compiles to (`UPPER(col) LIKE UPPER(%s)`), so a search finds
its figures through the index, whatever the words' position. SQLite has no such index and scans.

Created only on PostgreSQL, so the models' state does not change (no Meta.indexes entry).
"""

from django.db import migrations

INDEXES = {
    "capex_investment_title_trgm": "title",
    "capex_investment_description_trgm": "description",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON capex_investment USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("capex", "0012_slices_by_measure_year_and_vendor_share")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
