"""
Reported capex (filings) beside the company's guidance on its page. capex reads filings; the
guidance figures are capex's own, so they are gathered here and handed to filings.selectors.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from capex.choices import Measure
from capex.colours import company_colour
from capex.models import Investment
from capex.templatetags.capex_format import money_text
from capex.views.charts import Cell, Chart, Series, Table, usd_display, usd_raw
from companies.models import Company
from filings.edgar import fiscal_position
from filings.selectors import Guidance, GuidedVsReported, guided_vs_reported, largest_spenders_by_quarter

MILLION = Decimal(1_000_000)


def company_guidance(company: Company) -> list[Guidance]:
    """The company's current published total-capex guidance in USD, the latest announced per fiscal year."""
    figures = (
        Investment.objects.countable()
        .filter(company=company, measure=Measure.TOTAL_CAPEX, currency="USD", period_end__isnull=False)
        .order_by("announced_on", "pk")
    )
    by_year: dict[int, Guidance] = {}
    for figure in figures:
        year, _ = fiscal_position(figure.period_end, company.fiscal_year_end_month)
        by_year[year] = Guidance(year, figure.amount, figure.amount_high or figure.amount)
    return list(by_year.values())


QUARTER_KEYS = ("q1", "q2", "q3", "q4")
UNSPLIT = "year-unsplit"


@dataclass
class GuidedChart(Chart):
    """
    Reported capex by fiscal year, its quarters stacked, with the guidance for the same year as a
    band (its low to high). The table, the CSV and the drawing come from this one object: quarters,
    what was reported so far, and the guidance's low and high, one row per fiscal year.
    """

    guidance: list[tuple[Decimal | None, Decimal | None]] = field(default_factory=list)
    reported_so_far: list[Decimal | None] = field(default_factory=list)

    def table(self) -> Table:
        headers = [self.category_label, *[f"{s.label} (USD)" for s in self.series]]
        headers += ["Reported so far (USD)", "Guidance low (USD)", "Guidance high (USD)"]
        rows = []
        for index, (_, label) in enumerate(self.categories):
            low, high = self.guidance[index]
            row = [Cell(label, label, numeric=False)]
            row += [Cell(usd_display(s.values[index]), usd_raw(s.values[index])) for s in self.series]
            so_far = self.reported_so_far[index]
            row += [Cell(usd_display(value), usd_raw(value)) for value in (so_far, low, high)]
            rows.append(row)
        return Table(headers, rows)

    def as_json(self) -> dict:
        data = super().as_json()
        data["band"] = {
            "label": "Guidance (low to high)",
            "low": [usd_raw(low) for low, _ in self.guidance],
            "high": [usd_raw(high) for _, high in self.guidance],
            "display": [
                "no guidance" if low is None else money_text(low, "USD", high=high, stated=True)
                for low, high in self.guidance
            ],
        }
        data["reportedSoFar"] = [usd_display(value) for value in self.reported_so_far]
        return data


def guided_chart(company: Company, rows: list[GuidedVsReported]) -> GuidedChart:
    """
    One stacked bar per fiscal year: its reported quarters, and for a year whose filings give only
    the full year, the part not split into quarters. Each year's guidance is the band behind it.
    """
    quarters = [
        Series(key, f"Q{number}", [row.quarters.get(number) for row in rows])
        for number, key in enumerate(QUARTER_KEYS, start=1)
    ]
    unsplit = [
        row.full_year - sum(row.quarters.values(), Decimal(0))
        if row.full_year is not None and len(row.quarters) < 4
        else None
        for row in rows
    ]
    series = [s for s in quarters if any(value is not None for value in s.values)]
    if any(unsplit):
        series.append(Series(UNSPLIT, "Year, not split into quarters", unsplit))
    reported = [row.reported_so_far if (row.quarters or row.full_year is not None) else None for row in rows]
    guided = [row for row in rows if row.guidance_low is not None]
    summary = "; ".join(
        f"FY{row.fiscal_year}: {usd_display(so_far) if so_far is not None else 'nothing'} reported"
        + (
            f" against guidance of {money_text(row.guidance_low, 'USD', high=row.guidance_high, stated=True)}"
            if row.guidance_low is not None
            else ""
        )
        for row, so_far in zip(rows, reported, strict=True)
    )
    return GuidedChart(
        id="reported",
        title=f"{company.name}: reported capital expenditure by quarter and guidance",
        kind="bar",
        category_label="Fiscal year",
        units="USD, as filed with the SEC; the band is the company's guidance for the year",
        categories=[(str(row.fiscal_year), f"FY{row.fiscal_year}") for row in rows],
        series=series,
        stacked=True,
        summary=summary + ".",
        note="Bars: each fiscal year's reported quarters, stacked; a quarter not filed on its own is derived "
        "from year-to-date filings. "
        + ("Band: the current total-capex guidance for the same fiscal year." if guided else "No guidance published."),
        guidance=[(row.guidance_low, row.guidance_high) for row in rows],
        reported_so_far=reported,
        muted_keys={UNSPLIT},
    )


def reported_years(companies) -> list[tuple[Company, GuidedVsReported]]:
    """
    Each company's fiscal years with reported values, beside the guidance for the same year: the
    rows of the company page's "guided vs reported" table, for the stats API.
    """
    result = []
    for company in companies:
        rows = guided_vs_reported(company, guidance=company_guidance(company))
        result += [(company, row) for row in rows if row.quarters or row.full_year is not None]
    return result


def reported_context(company: Company) -> dict:
    rows = guided_vs_reported(company, guidance=company_guidance(company))
    shown = [row for row in rows if row.quarters or row.full_year is not None]
    if not shown:
        return {"reported_rows": [], "reported_chart": None}
    recent = [row for row in rows if row.fiscal_year >= shown[-1].fiscal_year - 2]
    return {"reported_rows": recent, "reported_chart": guided_chart(company, recent)}


def dashboard_reported_chart() -> Chart | None:
    """The largest spenders' reported capex by calendar quarter, stacked, with the total in the table."""
    quarters, companies = largest_spenders_by_quarter()
    if not companies:
        return None
    # Keyed by slug, as every company series is, so each company has its colour (capex.colours).
    slugs = dict(Company.objects.filter(name__in=companies).values_list("name", "slug"))
    return Chart(
        id="reported-by-quarter",
        title="Reported capital expenditure of the largest spenders, by quarter",
        kind="bar",
        category_label="Calendar quarter",
        units="USD, as filed with the SEC",
        categories=[(quarter, quarter.replace("-", " ")) for quarter in quarters],
        series=[
            Series(slugs[name], name, [values[quarter] for quarter in quarters], colour=company_colour(slugs[name]))
            for name, values in companies.items()
        ],
        stacked=True,
        note="What the companies' filings show they spent (purchases of property and equipment), each fiscal "
        "quarter placed by the calendar quarter it ends in; a quarter not filed on its own is derived from "
        "year-to-date filings.",
    )


__all__ = ["GuidedVsReported", "dashboard_reported_chart", "reported_context", "reported_years"]
