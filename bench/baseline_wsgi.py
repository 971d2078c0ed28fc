"""
The raw-SQL anchor for E1, served by a bare WSGI app with psycopg and orjson and no
framework, so the API's numbers can be read against what the database and the wire cost:
`/?scope=domestic&page_size=50` lists published, current figures of one scope, newest first,
as 17 columns and the company's name, in one query. It is an anchor, not a second
representation of a figure: cheaper than E1 by construction, and not the same document.

Run under gunicorn with the same worker count as the app:
    BASELINE_DATABASE_URL=postgres://... gunicorn bench.baseline_wsgi:application
"""

import os
from urllib.parse import parse_qs

import orjson
import psycopg

SCOPES = {"unspecified", "domestic", "overseas", "global"}
MAX_PAGE_SIZE = 200
PAGE_SQL = """
SELECT i.id, i.title, i.announced_on, i.amount, i.amount_high, i.qualifier, i.currency,
       i.amount_usd_at_announcement, i.amount_usd_latest, i.scope, i.category, i.workload,
       i.status, i.state, i.parent_id, c.slug, c.name
FROM capex_investment i
JOIN companies_company c ON c.id = i.company_id
WHERE i.state = 'published' AND i.scope = %s
  AND NOT EXISTS (
      SELECT 1 FROM capex_investment r WHERE r.supersedes_id = i.id AND r.state = 'published'
  )
ORDER BY i.announced_on DESC, i.id DESC
LIMIT %s
"""
COLUMNS = (
    "id",
    "title",
    "announced_on",
    "amount",
    "amount_high",
    "qualifier",
    "currency",
    "amount_usd_at_announcement",
    "amount_usd_latest",
    "scope",
    "category",
    "workload",
    "status",
    "state",
    "parent",
)

_connection = None


def _cursor():
    """One connection per worker process, opened on first use (gunicorn forks after import)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BASELINE_DATABASE_URL"], autocommit=True)
        _connection.execute("SET TIME ZONE 'UTC'")
    return _connection.cursor()


def _row(values: tuple) -> dict:
    row = dict(zip(COLUMNS, values[:15], strict=True))
    row["company"] = {"slug": values[15], "name": values[16]}
    for key in ("amount", "amount_high", "amount_usd_at_announcement", "amount_usd_latest"):
        if row[key] is not None:
            row[key] = str(row[key])
    return row


def _answer(start_response, status: str, document) -> list[bytes]:
    body = orjson.dumps(document)
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def application(environ, start_response):
    params = parse_qs(environ.get("QUERY_STRING", ""))
    scope = params.get("scope", ["domestic"])[0]
    if scope not in SCOPES:
        return _answer(start_response, "400 Bad Request", {"scope": [f"Choose one of {', '.join(sorted(SCOPES))}."]})
    try:
        size = min(max(int(params.get("page_size", ["50"])[0]), 1), MAX_PAGE_SIZE)
    except ValueError:
        return _answer(start_response, "400 Bad Request", {"page_size": ["Choose a whole number of rows."]})
    with _cursor() as cursor:
        cursor.execute(PAGE_SQL, (scope, size), prepare=True)
        rows = [_row(values) for values in cursor.fetchall()]
    return _answer(start_response, "200 OK", {"next": None, "previous": None, "results": rows})
