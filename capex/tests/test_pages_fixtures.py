"""
Data for the page tests: the real sample figures with USD conversions set as the currency
jobs would leave them, so page tests do not depend on the rates being loaded. (No tests here;
the page test modules import these helpers.)
"""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

from django.db.models import F

from capex.models import Investment
from capex.sample_data import sample_data_load
from capex.services.slices import slices_refresh
from currencies.models import ExchangeRate

# USD per CNY, ECB reference rates (EUR->USD / EUR->CNY).
CNY_AT_ANNOUNCEMENT = {
    datetime.date(2025, 1, 21): Decimal("0.13728245165225"),
    datetime.date(2025, 2, 24): Decimal("0.137930125595"),
}
CNY_LATEST = Decimal("0.140000000000")
LATEST_DATE = datetime.date(2026, 10, 30)

BYTEDANCE_CHIPS_USD = Decimal("5491298066.09")  # RMB 40bn at 0.13728245165225
BYTEDANCE_CHIPS_USD_LATEST = Decimal("5600000000.00")  # RMB 40bn at 0.14


def usd_conversions_set() -> None:
    """Fill both conversions of every figure (USD as stated, CNY at fixed rates) and the slices totals sum."""
    Investment.objects.filter(currency="USD").update(
        amount_usd_at_announcement=F("amount"),
        amount_high_usd_at_announcement=F("amount_high"),
        fx_rate_at_announcement=Decimal(1),
        fx_date_at_announcement=F("announced_on"),
        fx_provider_at_announcement="",
        fx_note_at_announcement="",
        amount_usd_latest=F("amount"),
        amount_high_usd_latest=F("amount_high"),
        fx_rate_latest=Decimal(1),
        fx_date_latest=LATEST_DATE,
        fx_provider_latest="",
        fx_note_latest="",
    )
    for figure in Investment.objects.filter(currency="CNY"):
        rate = CNY_AT_ANNOUNCEMENT[figure.announced_on]
        Investment.objects.filter(pk=figure.pk).update(
            amount_usd_at_announcement=(figure.amount * rate).quantize(Decimal("0.01")),
            fx_rate_at_announcement=rate,
            fx_date_at_announcement=figure.announced_on,
            fx_provider_at_announcement="ecb_bundled",
            fx_note_at_announcement="",
            amount_usd_latest=(figure.amount * CNY_LATEST).quantize(Decimal("0.01")),
            fx_rate_latest=CNY_LATEST,
            fx_date_latest=LATEST_DATE,
            fx_provider_latest="ecb_bundled",
            fx_note_latest="",
        )
    slices_refresh()


def sample_figures_load() -> dict[str, Investment]:
    """The sample data with conversions; returns the figures the tests look at, by a short name."""
    sample_data_load()
    usd_conversions_set()
    figures = {
        "bytedance": Investment.objects.get(company__slug="bytedance", parent=None),
        "bytedance_chips": Investment.objects.get(company__slug="bytedance", title="AI chips bought in China in 2025"),
        "bytedance_overseas": Investment.objects.get(
            company__slug="bytedance", title="Overseas spending on model training in 2025"
        ),
        "meta_january": Investment.objects.get(company__slug="meta", title="Capital expenditures in 2025"),
        "meta_april": Investment.objects.get(
            company__slug="meta", title="Capital expenditures in 2025 (revised outlook)"
        ),
        "alibaba": Investment.objects.get(company__slug="alibaba"),
        "stargate": Investment.objects.get(company__slug="stargate", parent=None),
        "microsoft": Investment.objects.get(company__slug="microsoft", parent=None),
    }
    return figures


def figures_by_name(ids: dict[str, int]) -> dict:
    """Fresh copies of the named figures, so no test sees another's unsaved changes."""
    stored = Investment.objects.in_bulk(ids.values())
    return {name: stored[pk] for name, pk in ids.items()}


def fresh_rates_store(*, newest: datetime.date) -> None:
    """One published rate on `newest`, so the rates read as fresh or stale as a test needs."""
    ExchangeRate.objects.create(provider="ecb", base="EUR", currency="USD", date=newest, rate=Decimal("1.08"))


class _TableParser(HTMLParser):
    """
    Collects the rows of one table (by id): each cell's text, its `<data value>` if any, and
    the text of its first link.
    """

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id = table_id
        self.depth = 0
        self.rows: list[list[dict]] = []
        self.cell: dict | None = None
        self.in_link = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and (self.depth or attributes.get("id") == self.table_id):
            self.depth += 1
        if not self.depth:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = {"text": "", "value": None, "link": None}
            self.rows[-1].append(self.cell)
        elif tag == "data" and self.cell is not None:
            self.cell["value"] = attributes.get("value")
        elif tag == "a" and self.cell is not None and self.cell["link"] is None:
            self.cell["link"] = ""
            self.in_link = True

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "a":
            self.in_link = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data
            if self.in_link:
                self.cell["link"] += data


def table_rows(html: str, table_id: str) -> list[list[dict]]:
    """The rows of the table with this id, header row first; cells as {"text", "value"}."""
    parser = _TableParser(table_id)
    parser.feed(html)
    for row in parser.rows:
        for cell in row:
            cell["text"] = " ".join(cell["text"].split())
    return parser.rows


def chart_table(html: str, chart_id: str) -> list[list[dict]]:
    """The data table of a chart, found by its `data-chart-table` attribute."""
    marker = f'data-chart-table="{chart_id}"'
    start = html.index(marker)
    table_start = html.rindex("<table", 0, start)
    table_end = html.index("</table>", start) + len("</table>")
    return table_rows(html[table_start:table_end].replace(marker, 'id="chart-table"', 1), "chart-table")


def chart_csv_rows(html: str, chart_id: str) -> list[list[str]]:
    """What a chart's CSV must hold: the table's headers, then each cell's exact value."""
    rows = chart_table(html, chart_id)
    return [[cell["text"] for cell in rows[0]]] + [
        [cell["value"] if cell["value"] is not None else cell["text"] for cell in row] for row in rows[1:]
    ]
