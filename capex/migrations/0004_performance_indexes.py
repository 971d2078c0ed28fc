"""
Indexes chosen from EXPLAIN at a million figures:

* (announced_on DESC, id DESC): the default ordering of figures. The admin changelist, the
  home page's latest figures and date-bounded exports sorted a million rows without it
  without it; with it they read the first rows of the index.
* (updated_at): the newest change time is part of the data version of cached totals
  (then kept in capex.aggregates); an index makes it one index probe.

Plain SQL with no model state, so the models stay as they are; the statements are valid on
PostgreSQL and SQLite alike.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("capex", "0003_editorial_groups")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS investment_announced_id ON capex_investment (announced_on DESC, id DESC)",
            "DROP INDEX IF EXISTS investment_announced_id",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS investment_updated_at ON capex_investment (updated_at)",
            "DROP INDEX IF EXISTS investment_updated_at",
        ),
    ]
