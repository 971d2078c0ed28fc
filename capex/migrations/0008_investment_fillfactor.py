"""
Leave half of every page of figures free on PostgreSQL (fillfactor 50).

A recompute of conversions rewrites every figure in one transaction, changing no indexed column.
With room on the page for the new version of each row, PostgreSQL writes it there without
touching the table's twelve indexes (a heap-only tuple update), and reclaims the old version the
next time the page is read, without a vacuum: the recompute's UPDATE writes far less. The
setting applies to pages
written from now on; `VACUUM FULL capex_investment` lays out the existing ones again.
SQLite has no such setting: nothing to do there.
"""

from django.db import migrations

TABLE = "capex_investment"
FILLFACTOR = 50


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {FILLFACTOR})")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("capex", "0007_revision_and_covering_indexes")]

    operations = [migrations.RunPython(leave_room, fill_pages)]
