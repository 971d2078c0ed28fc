"""
Export the public figures (published, current) and their companies from PostgreSQL to a
SQLite file for the Datasette comparison. Same rows as the API lists, with an index on
(scope, announced_on) so Datasette's E1 query is served from an index as the app's is.

    python bench/export_sqlite.py postgres://... out.db
"""

import sqlite3
import sys
import time

import psycopg

COMPANY_SQL = "SELECT id, slug, name, country FROM companies_company ORDER BY id"
INVESTMENT_SQL = """
SELECT i.id, i.company_id, i.title, i.announced_on::text, i.amount::text, i.amount_high::text, i.qualifier,
       i.currency, i.amount_usd_at_announcement::text, i.amount_usd_latest::text, i.scope, i.category,
       i.workload, i.status, i.state, i.parent_id
FROM capex_investment i
WHERE i.state = 'published'
  AND NOT EXISTS (SELECT 1 FROM capex_investment r WHERE r.supersedes_id = i.id AND r.state = 'published')
ORDER BY i.id
"""
SCHEMA = """
CREATE TABLE companies_company (id INTEGER PRIMARY KEY, slug TEXT, name TEXT, country TEXT);
CREATE TABLE capex_investment (
    id INTEGER PRIMARY KEY,
    company_id INTEGER REFERENCES companies_company(id),
    title TEXT, announced_on TEXT, amount TEXT, amount_high TEXT, qualifier TEXT, currency TEXT,
    amount_usd_at_announcement TEXT, amount_usd_latest TEXT, scope TEXT, category TEXT,
    workload TEXT, status TEXT, state TEXT, parent_id INTEGER
);
"""
INSERT_FIGURE = "INSERT INTO capex_investment VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INDEXES = """
CREATE INDEX investment_scope_announced ON capex_investment (scope, announced_on DESC, id DESC);
CREATE INDEX investment_announced ON capex_investment (announced_on DESC, id DESC);
CREATE INDEX investment_company ON capex_investment (company_id);
"""


def export(database_url: str, path: str) -> int:
    started = time.monotonic()
    target = sqlite3.connect(path)
    target.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    rows = 0
    with psycopg.connect(database_url) as source:
        with source.cursor() as cursor:
            cursor.execute(COMPANY_SQL)
            target.executemany("INSERT INTO companies_company VALUES (?, ?, ?, ?)", cursor.fetchall())
        with source.cursor(name="figures") as cursor:
            cursor.itersize = 20_000
            cursor.execute(INVESTMENT_SQL)
            while batch := cursor.fetchmany(20_000):
                target.executemany(INSERT_FIGURE, batch)
                rows += len(batch)
    target.executescript(INDEXES + "ANALYZE;")
    target.commit()
    target.close()
    print(f"Exported {rows:,} figures to SQLite in {time.monotonic() - started:.1f} s.")
    return rows


if __name__ == "__main__":
    export(sys.argv[1], sys.argv[2])
