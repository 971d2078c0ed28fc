"""
The raw-SQL baselines for E1, served by a bare WSGI app with psycopg and orjson and no
framework, so the API's numbers can be read against what the database and the wire cost.
Both list published, current figures of one scope, newest first:

* `/?scope=domestic&page_size=50` ("thin"): 17 columns and the company's name, one query.
  Cheaper than E1 by construction: it is not the same document.
* `/same-document/?scope=domestic&page_size=50` ("same document"): the document E1 returns,
  field for field and in the same order (company, partners, vendors, conversions, components,
  revision, citations with their sources, absolute URLs, the cursor `next`/`previous` links of
  DRF's CursorPagination), in four queries as the API makes them.
  `capex/tests/test_baseline_parity.py` checks it against the API on the same data.

Run under gunicorn with the same worker count as the app:
    BASELINE_DATABASE_URL=postgres://... gunicorn bench.baseline_wsgi:application
"""

import base64
import binascii
import os
from collections import defaultdict
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

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

# {position} and {direction} are filled from fixed strings in `same_document`, never from request data.
FULL_PAGE_SQL = """
SELECT i.id, c.slug, c.name, i.title, i.description, i.announced_on, i.period_start, i.period_end,
       i.period_label, i.amount, i.amount_high, i.qualifier, i.currency,
       i.amount_usd_at_announcement, i.amount_high_usd_at_announcement, i.fx_rate_at_announcement,
       i.fx_date_at_announcement, i.fx_provider_at_announcement, i.fx_note_at_announcement,
       i.amount_usd_latest, i.amount_high_usd_latest, i.fx_rate_latest, i.fx_date_latest,
       i.fx_provider_latest, i.fx_note_latest,
       i.scope, i.target_countries, i.category, i.workload, i.evidence, i.disputed, i.dispute_note,
       i.status, i.state, i.parent_id, i.supersedes_id, i.published_at, i.updated_at
FROM capex_investment i
JOIN companies_company c ON c.id = i.company_id
WHERE i.state = 'published' AND i.scope = %(scope)s {position}
  AND NOT EXISTS (
      SELECT 1 FROM capex_investment r WHERE r.supersedes_id = i.id AND r.state = 'published'
  )
ORDER BY i.announced_on {direction}, i.id {direction}
LIMIT %(limit)s OFFSET %(offset)s
"""
COMPANIES_SQL = """
SELECT 'chip_vendors', t.investment_id, c.slug, c.name, c.id
FROM capex_investment_chip_vendors t JOIN companies_company c ON c.id = t.company_id
WHERE t.investment_id = ANY(%(ids)s)
UNION ALL
SELECT 'partners', t.investment_id, c.slug, c.name, c.id
FROM capex_investment_partners t JOIN companies_company c ON c.id = t.company_id
WHERE t.investment_id = ANY(%(ids)s)
ORDER BY 4, 5
"""
LINKED_SQL = """
SELECT id, parent_id, supersedes_id FROM capex_investment
WHERE (parent_id = ANY(%(ids)s) OR supersedes_id = ANY(%(ids)s)) AND state = 'published'
ORDER BY id
"""
CITATIONS_SQL = """
SELECT ci.investment_id, ci.id, ci.quote, ci.locator, s.id, s.title, s.url, p.name, s.published_on
FROM capex_citation ci
JOIN sources_source s ON s.id = ci.source_id
LEFT JOIN sources_publisher p ON p.id = s.publisher_id
WHERE ci.investment_id = ANY(%(ids)s)
ORDER BY ci.id
"""
NOT_CONVERTED_YET = "Not converted yet: the conversion runs after the figure is saved."

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


# --- The same document as the API ----------------------------------------------------------


class BadRequest(Exception):
    pass


def _decimal(value) -> str | None:
    return None if value is None else format(value, "f")


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def _datetime(value) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _conversion(values: tuple) -> dict:
    amount, high, rate, rate_date, provider, note = values
    return {
        "amount_usd": _decimal(amount),
        "amount_high_usd": _decimal(high),
        "rate": _decimal(rate),
        "rate_date": _date(rate_date),
        "provider": provider or None,
        "not_converted_reason": (note or NOT_CONVERTED_YET) if amount is None else None,
    }


def _decode_cursor(encoded: str | None) -> tuple[int, bool, str | None]:
    """DRF's cursor: base64 of `o=<offset>&r=1&p=<position>`."""
    if encoded is None:
        return 0, False, None
    try:
        tokens = parse_qs(base64.b64decode(encoded.encode("ascii"), validate=True).decode("ascii"))
        offset = int(tokens.get("o", ["0"])[0])
        reverse = bool(int(tokens.get("r", ["0"])[0]))
        position = tokens.get("p", [None])[0]
    except (ValueError, binascii.Error, UnicodeError):
        raise BadRequest("cursor") from None
    if position is not None and len(position) != 10:
        raise BadRequest("cursor")
    return offset, reverse, position


def _cursor_link(base_url: str, offset: int, reverse: bool, position: str | None) -> str:
    tokens = {}
    if offset:
        tokens["o"] = str(offset)
    if reverse:
        tokens["r"] = "1"
    if position is not None:
        tokens["p"] = position
    encoded = base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")
    scheme, netloc, path, query, fragment = urlsplit(base_url)
    params = parse_qs(query, keep_blank_values=True)
    params["cursor"] = [encoded]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment))


def _run(positions: list[str], compare: str | None) -> tuple[int, bool]:
    """How many items at the start of `positions` share the position `compare`, and whether another follows."""
    for count, position in enumerate(positions):
        if position != compare:
            return count, True
        compare = position
    return len(positions), False


def _links(page: list[tuple], *, size: int, cursor: tuple, following: str | None, base_url: str) -> tuple:
    """DRF CursorPagination's next and previous links for a page ordered by (announced_on, id)."""
    offset, reverse, current = cursor
    position_of = [row[5].isoformat() for row in page]
    if reverse:
        has_next, has_previous = current is not None or offset > 0, following is not None
        next_position, previous_position = current, following
    else:
        has_next, has_previous = following is not None, current is not None or offset > 0
        next_position, previous_position = following, current

    next_link = previous_link = None
    if has_next:
        compare = position_of[-1] if page and reverse and offset != 0 else next_position
        skip, unique = _run(position_of[::-1], compare)
        position = position_of[-1 - skip] if unique else None
        if page and not unique:
            if not has_previous:
                skip, position = size, None
            elif reverse:
                skip, position = 0, previous_position
            else:
                skip, position = offset + size, previous_position
        if not page:
            position = next_position
        next_link = _cursor_link(base_url, skip, False, position)
    if has_previous:
        compare = position_of[0] if page and not reverse and offset != 0 else previous_position
        skip, unique = _run(position_of, compare)
        position = position_of[skip] if unique else None
        if page and not unique:
            if not has_next:
                skip, position = size, None
            elif reverse:
                skip, position = offset + size, next_position
            else:
                skip, position = 0, next_position
        if not page:
            position = previous_position
        previous_link = _cursor_link(base_url, skip, True, position)
    return next_link, previous_link


def same_document(cursor, *, scope: str, size: int, encoded_cursor: str | None, root: str, base_url: str) -> dict:
    offset, reverse, current = _decode_cursor(encoded_cursor)
    # Newest first; a reverse cursor (a `previous` link) reads the other way and flips the page.
    direction = "ASC" if reverse else "DESC"
    position = ""
    if current is not None:
        position = "AND i.announced_on > %(position)s" if reverse else "AND i.announced_on < %(position)s"
    sql = FULL_PAGE_SQL.format(position=position, direction=direction)
    cursor.execute(sql, {"scope": scope, "position": current, "limit": size + 1, "offset": offset}, prepare=True)
    fetched = cursor.fetchall()
    page = fetched[:size]
    following = fetched[size][5].isoformat() if len(fetched) > size else None
    if reverse:
        page.reverse()
    next_link, previous_link = _links(
        page, size=size, cursor=(offset, reverse, current), following=following, base_url=base_url
    )

    ids = [row[0] for row in page]
    companies = {"chip_vendors": defaultdict(list), "partners": defaultdict(list)}
    components, superseded_by, citations = defaultdict(list), {}, defaultdict(list)
    if ids:
        cursor.execute(COMPANIES_SQL, {"ids": ids}, prepare=True)
        for relation, investment_id, slug, name, _ in cursor.fetchall():
            companies[relation][investment_id].append(
                {"slug": slug, "name": name, "api_url": f"{root}/api/v1/companies/{slug}/"}
            )
        cursor.execute(LINKED_SQL, {"ids": ids}, prepare=True)
        on_page = set(ids)
        for pk, parent_id, supersedes_id in cursor.fetchall():
            if parent_id in on_page:
                components[parent_id].append(pk)
            if supersedes_id in on_page:
                superseded_by[supersedes_id] = pk
        cursor.execute(CITATIONS_SQL, {"ids": ids}, prepare=True)
        for investment_id, pk, quote, locator, source_id, title, url, publisher, published_on in cursor.fetchall():
            citations[investment_id].append(
                {
                    "id": pk,
                    "source": {
                        "id": source_id,
                        "title": title,
                        "url": url,
                        "publisher": publisher,
                        "published_on": _date(published_on),
                        "api_url": f"{root}/api/v1/sources/{source_id}/",
                    },
                    "quote": quote,
                    "locator": locator,
                }
            )

    results = []
    for row in page:
        pk = row[0]
        results.append(
            {
                "id": pk,
                "api_url": f"{root}/api/v1/investments/{pk}/",
                "web_url": f"{root}/investments/{pk}/",
                "company": {"slug": row[1], "name": row[2], "api_url": f"{root}/api/v1/companies/{row[1]}/"},
                "partners": companies["partners"].get(pk, []),
                "title": row[3],
                "description": row[4],
                "announced_on": row[5].isoformat(),
                "period": {"start": _date(row[6]), "end": _date(row[7]), "label": row[8]},
                "amount": _decimal(row[9]),
                "amount_high": _decimal(row[10]),
                "qualifier": row[11],
                "currency": row[12],
                "usd_at_announcement": _conversion(row[13:19]),
                "usd_latest": _conversion(row[19:25]),
                "scope": row[25],
                "target_countries": [code for code in (row[26] or "").split(",") if code],
                "category": row[27],
                "workload": row[28],
                "chip_vendors": companies["chip_vendors"].get(pk, []),
                "evidence": row[29],
                "disputed": bool(row[30]),
                "dispute_note": row[31],
                "status": row[32],
                "state": row[33],
                "parent": row[34],
                "components": components.get(pk, []),
                "supersedes": row[35],
                "superseded_by": superseded_by.get(pk),
                "citations": citations.get(pk, []),
                "published_at": _datetime(row[36]),
                "updated_at": _datetime(row[37]),
            }
        )
    return {"next": next_link, "previous": previous_link, "results": results}


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
    if environ.get("PATH_INFO", "/").rstrip("/") == "/same-document":
        root = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', 'localhost')}"
        query = environ.get("QUERY_STRING", "")
        base_url = root + environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
        try:
            with _cursor() as cursor:
                document = same_document(
                    cursor,
                    scope=scope,
                    size=size,
                    encoded_cursor=params.get("cursor", [None])[0],
                    root=root,
                    base_url=base_url,
                )
        except BadRequest as error:
            return _answer(start_response, "400 Bad Request", {str(error): ["This cursor is not valid."]})
        return _answer(start_response, "200 OK", document)
    with _cursor() as cursor:
        cursor.execute(PAGE_SQL, (scope, size), prepare=True)
        rows = [_row(values) for values in cursor.fetchall()]
    return _answer(start_response, "200 OK", {"next": None, "previous": None, "results": rows})
