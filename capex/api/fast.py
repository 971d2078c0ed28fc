"""
The investments list without model instances or DRF's field machinery.

A list page of 50 figures through `InvestmentSerializer` builds and deep-copies nested
serializers per row, reverses URLs per row and walks ~40 fields through `get_attribute`; loading
the page as model instances (figure, company, revision, citations, sources, publishers: 300+
instances a page) cost as much again. At a million figures that Python, not the database, was
most of the request (see BENCHMARKS.md). So a JSON list page is read as plain rows:

* `page_values(queryset)` turns the filtered, ordered queryset into a `values()` queryset with
  exactly the columns a row shows (and the ordering keys the cursor needs), so the page is one
  narrow query;
* `investment_rows(page, request=...)` adds what the page's figures relate to in three more
  queries (vendors and partners; components and revisions; citations with their sources),
  written in SQL since compiling them through the ORM cost more than running them, and builds
  the rows with module-level DRF field instances for the formatting (so decimals and dates read
  exactly as the serializer renders them; datetimes are formatted as its DateTimeField does)
  and URL templates reversed once.

`capex/tests/test_performance_queries.py` checks that the rows equal the serializer's output.
"""

import datetime
import functools
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from capex.api.export import CONVERSION_FIELDS
from capex.choices import WorkflowState
from capex.models import MONEY, RATE, Citation, Investment, sees_drafts
from companies.models import Company
from config.db import read_as_text
from sources.models import Publisher, Source

_MONEY_FIELD = serializers.DecimalField(max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"])
_RATE_FIELD = serializers.DecimalField(max_digits=RATE["max_digits"], decimal_places=RATE["decimal_places"])
_DATE_FIELD = serializers.DateField()
_PK_MARK = "987654321987654321"
_SLUG_MARK = "slug-mark-0d9f8e"
_NOT_CONVERTED_YET = "Not converted yet: the conversion runs after the figure is saved."
_CONVERSIONS = ("at_announcement", "latest")

# The columns of a row, and the ordering keys of the list (`amount_usd`, `company_name`) that a
# cursor position is read from.
PAGE_COLUMNS = (
    "id",
    "company__slug",
    "company__name",
    "title",
    "description",
    "announced_on",
    "period_start",
    "period_end",
    "period_label",
    "amount",
    "amount_high",
    "qualifier",
    "currency",
    *(f"{name}_{suffix}" for suffix in _CONVERSIONS for name in CONVERSION_FIELDS),
    "scope",
    "target_countries",
    "category",
    "workload",
    "evidence",
    "disputed",
    "dispute_note",
    "status",
    "state",
    "parent_id",
    "supersedes_id",
    "published_at",
    "updated_at",
    "amount_usd",
    "company_name",
)


def page_values(queryset):
    """The list's queryset as plain rows of the columns a JSON page shows."""
    return queryset.values(*PAGE_COLUMNS)


class _Decimal:
    """
    What a DRF DecimalField renders, for decimals as the database returns them: Decimals, or on
    PostgreSQL the server's text of a numeric (`SERVER_TEXT_TYPES`), which has the column's
    places and never an exponent. A column of the field's scale returns values that already
    have its decimal places, and quantizing those (DRF copies the decimal context for every
    value) changes nothing: they are formatted directly. That was a fifth of the rows' cost.
    Any other value goes through the field.
    """

    def __init__(self, field: serializers.DecimalField):
        self.field = field
        # Where the point stands in a value with exactly the field's places, formatted as "f".
        self.point = -(field.decimal_places + 1)

    def __call__(self, value: Decimal | str | None) -> str | None:
        if value is None:
            return None
        field = self.field
        text = value if type(value) is str else format(value, "f") if isinstance(value, Decimal) else None
        exact = text is not None and len(text) > -self.point and text[self.point] == "."
        if exact and not field.localize and self._as_string():
            return text
        return field.to_representation(Decimal(value) if type(value) is str else value)

    def _as_string(self) -> bool:
        return getattr(self.field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)


def _date(value: datetime.date | str | None) -> str | None:
    """
    What DRF's DateField renders: ISO 8601 (unless the API is set to another format), for dates
    or on PostgreSQL the server's ISO text of one (`SERVER_TEXT_TYPES`).
    """
    if value is None:
        return None
    output_format = api_settings.DATE_FORMAT
    iso = output_format is not None and output_format.lower() == ISO_8601
    if type(value) is str:
        if iso and len(value) == 10:
            return value
        value = datetime.date.fromisoformat(value)
    if type(value) is datetime.date and iso:
        return value.isoformat()
    return _DATE_FIELD.to_representation(value)


# The PostgreSQL types a page's queries read as the server's text (config.db.read_as_text):
# parsing numerics and dates into Decimal and date objects only to format them back as the same
# text cost 8 % of a built page (24.27 -> 22.44 M instructions in `bench/instructions.py`), and
# timestamps 11 % more (22.29 -> 19.74 M).
SERVER_TEXT_TYPES = ("numeric", "date", "timestamptz")

_money = _Decimal(_MONEY_FIELD)
_rate = _Decimal(_RATE_FIELD)


def _datetime(value: datetime.datetime | str | None, zone, *, utc: bool) -> str | None:
    """
    What DRF's DateTimeField renders (ISO 8601 in the current time zone `zone`, UTC as "Z"),
    without looking the time zone up twice per value: a tenth of the rows' cost. A value may be
    PostgreSQL's ISO text of a timestamptz (`SERVER_TEXT_TYPES`); in a UTC session and with UTC
    the current zone (`utc`), "2025-01-02 03:04:05.12+00" reads "2025-01-02T03:04:05.120000Z"
    without being parsed, else it is parsed.
    """
    if value is None:
        return None
    if type(value) is str:
        if utc and value.endswith("+00") and len(value) >= 22 and value[10] == " ":
            text = value[:10] + "T" + value[11:-3]
            point = text.find(".", 19)
            # The server leaves out a fraction's trailing zeros; Python writes six digits, or none.
            return (text if point == -1 else text.ljust(point + 7, "0")) + "Z"
        value = datetime.datetime.fromisoformat(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _is_utc(zone) -> bool:
    return zone is datetime.UTC or getattr(zone, "key", None) == "UTC"


class _Urls:
    """
    Absolute URLs from templates: `reverse()` per row was a tenth of a list request. The templates
    are reversed once per site root and script prefix (`_url_templates`), not once per request.
    """

    def __init__(self, request):
        root = request.build_absolute_uri("/")[:-1] if request is not None else ""
        self.investment_api, self.investment_web, self.company_api, self.source_api = _url_templates(
            root, get_script_prefix()
        )

    def company(self, slug: str, name: str) -> dict:
        return {"slug": slug, "name": name, "api_url": self.company_api.replace(_SLUG_MARK, slug)}


@functools.lru_cache(maxsize=64)
def _url_templates(root: str, script_prefix: str) -> tuple[str, str, str, str]:
    """
    The URL templates under `root` (a host the site answers to, so there are few). `reverse()`
    reads the script prefix itself; it is part of the key so that a change of it is not missed.
    """
    return (
        root + reverse("api:investment-detail", kwargs={"pk": _PK_MARK}),
        root + reverse("capex:investment-detail", kwargs={"pk": _PK_MARK}),
        root + reverse("api:company-detail", kwargs={"slug": _SLUG_MARK}),
        root + reverse("api:source-detail", kwargs={"pk": _PK_MARK}),
    )


def _countries(value) -> list[str]:
    if isinstance(value, str):
        return [code for code in value.split(",") if code]
    return [getattr(country, "code", str(country)) for country in value or []]


def _conversion(row: dict, suffix: str) -> dict:
    amount = row[f"amount_usd_{suffix}"]
    return {
        "amount_usd": _money(amount),
        "amount_high_usd": _money(row[f"amount_high_usd_{suffix}"]),
        "rate": _rate(row[f"fx_rate_{suffix}"]),
        "rate_date": _date(row[f"fx_date_{suffix}"]),
        "provider": row[f"fx_provider_{suffix}"] or None,
        "not_converted_reason": (row[f"fx_note_{suffix}"] or _NOT_CONVERTED_YET) if amount is None else None,
    }


def _sql(template: str, ids: list[int]) -> tuple[str, list]:
    """
    `template` with each `{ids}` condition (`column {ids}`) made for the database in use, and the
    parameters to go with them. On PostgreSQL the ids are one array parameter, so the statement
    is the same whatever the page size, and is prepared once; elsewhere one placeholder per id.
    """
    if connection.vendor == "postgresql":
        array = "{" + ",".join(map(str, ids)) + "}"  # an array literal: cheaper to send than a list
        return template.format(ids="= ANY(%s::bigint[])"), [array] * template.count("{ids}")
    marks = ", ".join(["%s"] * len(ids))
    return template.format(ids=f"IN ({marks})"), ids * template.count("{ids}")


def _tables() -> dict[str, str]:
    """The tables of the related queries, named by the models (quoted for the database in use)."""
    quote = connection.ops.quote_name
    return {
        "company": quote(Company._meta.db_table),
        "vendors": quote(Investment.chip_vendors.through._meta.db_table),
        "partners": quote(Investment.partners.through._meta.db_table),
        "investment": quote(Investment._meta.db_table),
        "citation": quote(Citation._meta.db_table),
        "source": quote(Source._meta.db_table),
        "publisher": quote(Publisher._meta.db_table),
    }


# What a page's figures relate to, in SQL as plain as the raw-SQL baseline's: through the ORM,
# building and compiling these three querysets cost more than running them (BENCHMARKS.md).
# Vendors and partners in the order of the serializer's (Company's ordering: name, then id).
_COMPANIES_SQL = """
SELECT 'chip_vendors', link.investment_id, company.slug, company.name, company.id
FROM {vendors} link JOIN {company} company ON company.id = link.company_id
WHERE link.investment_id {{ids}}
UNION ALL
SELECT 'partners', link.investment_id, company.slug, company.name, company.id
FROM {partners} link JOIN {company} company ON company.id = link.company_id
WHERE link.investment_id {{ids}}
ORDER BY 4, 5
"""
# Components and revisions of the page's figures; which of them a reader sees is the serializer's rule.
_LINKED_SQL = """
SELECT id, parent_id, supersedes_id, state FROM {investment}
WHERE parent_id {{ids}} OR supersedes_id {{ids}}
ORDER BY id
"""
_CITATIONS_SQL = """
SELECT citation.investment_id, citation.id, citation.quote, citation.locator, source.id, source.title,
       source.url, publisher.name, source.published_on
FROM {citation} citation
JOIN {source} source ON source.id = citation.source_id
LEFT JOIN {publisher} publisher ON publisher.id = source.publisher_id
WHERE citation.investment_id {{ids}}
ORDER BY citation.id
"""


def _related(ids: list[int], user, urls: _Urls) -> dict[str, dict]:
    """Vendors and partners, visible components and revisions, and citations of these figures: three queries."""
    related: dict[str, dict] = {key: defaultdict(list) for key in ("chip_vendors", "partners", "components")}
    related["superseded_by"] = {}
    related["citations"] = defaultdict(list)
    if not ids:
        return related
    tables = _tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            read_as_text(cursor.cursor, SERVER_TEXT_TYPES)
        cursor.execute(*_sql(_COMPANIES_SQL.format(**tables), ids))
        for relation, investment_id, slug, name, _ in cursor.fetchall():
            related[relation][investment_id].append(urls.company(slug, name))

        is_staff = sees_drafts(user)
        page = set(ids)
        cursor.execute(*_sql(_LINKED_SQL.format(**tables), ids))
        for pk, parent_id, supersedes_id, state in cursor.fetchall():
            if not (is_staff or state == WorkflowState.PUBLISHED):
                continue
            if parent_id in page:
                related["components"][parent_id].append(pk)
            if supersedes_id in page:
                related["superseded_by"][supersedes_id] = pk

        cursor.execute(*_sql(_CITATIONS_SQL.format(**tables), ids))
        for investment_id, pk, quote, locator, source_id, title, url, publisher, published_on in cursor.fetchall():
            related["citations"][investment_id].append(
                {
                    "id": pk,
                    "source": {
                        "id": source_id,
                        "title": title,
                        "url": url,
                        "publisher": publisher,
                        "published_on": _date(published_on),
                        "api_url": urls.source_api.replace(_PK_MARK, str(source_id)),
                    },
                    "quote": quote,
                    "locator": locator,
                }
            )
    return related


def investment_rows(page: list[dict], *, request) -> list[dict]:
    """
    `InvestmentSerializer(figures, many=True).data` for the rows of `page_values()`, as the
    reader of `request` sees them (staff also see draft components and revisions).
    """
    urls = _Urls(request)
    related = _related([row["id"] for row in page], getattr(request, "user", None), urls)
    vendors, partners, components = related["chip_vendors"], related["partners"], related["components"]
    superseded_by, citations = related["superseded_by"], related["citations"]
    zone = timezone.get_current_timezone()
    utc = _is_utc(zone)
    rows = []
    for row in page:
        pk = row["id"]
        text_pk = str(pk)
        rows.append(
            {
                "id": pk,
                "api_url": urls.investment_api.replace(_PK_MARK, text_pk),
                "web_url": urls.investment_web.replace(_PK_MARK, text_pk),
                "company": urls.company(row["company__slug"], row["company__name"]),
                "partners": partners.get(pk, []),
                "title": row["title"],
                "description": row["description"],
                "announced_on": _date(row["announced_on"]),
                "period": {
                    "start": _date(row["period_start"]),
                    "end": _date(row["period_end"]),
                    "label": row["period_label"],
                },
                "amount": _money(row["amount"]),
                "amount_high": _money(row["amount_high"]),
                "qualifier": row["qualifier"],
                "currency": row["currency"],
                "usd_at_announcement": _conversion(row, "at_announcement"),
                "usd_latest": _conversion(row, "latest"),
                "scope": row["scope"],
                "target_countries": _countries(row["target_countries"]),
                "category": row["category"],
                "workload": row["workload"],
                "chip_vendors": vendors.get(pk, []),
                "evidence": row["evidence"],
                "disputed": bool(row["disputed"]),
                "dispute_note": row["dispute_note"],
                "status": row["status"],
                "state": row["state"],
                "parent": row["parent_id"],
                "components": components.get(pk, []),
                "supersedes": row["supersedes_id"],
                "superseded_by": superseded_by.get(pk),
                "citations": citations.get(pk, []),
                "published_at": _datetime(row["published_at"], zone, utc=utc),
                "updated_at": _datetime(row["updated_at"], zone, utc=utc),
            }
        )
    return rows
