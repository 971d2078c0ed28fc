"""
Reported capex (filings) beside the company's guidance on its page. capex reads filings; the
guidance figures are capex's own, so they are gathered here and handed to filings.selectors.
"""

from decimal import Decimal

from capex.choices import Measure
from capex.colours import company_colour
from capex.models import Investment
from capex.views.charts import Chart, Series
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


def reported_context(company: Company) -> dict:
    rows = guided_vs_reported(company, guidance=company_guidance(company))
    shown = [row for row in rows if row.quarters or row.full_year is not None]
    if not shown:
        return {"reported_rows": [], "reported_chart": None}
    categories, values = [], []
    for row in shown[-3:]:
        for quarter, amount in row.quarters.items():
            categories.append((f"{row.fiscal_year}-q{quarter}", f"FY{row.fiscal_year} Q{quarter}"))
            values.append(amount)
    chart = Chart(
        id="reported",
        title=f"{company.name}: reported capital expenditure by quarter",
        kind="bar",
        category_label="Fiscal quarter",
        units="USD, as filed with the SEC",
        categories=categories,
        series=[Series("reported", "Reported", values, colour=company_colour(company.slug))],
        note="Q2-Q4 are derived from year-to-date filings; the table below sets each year against guidance.",
    )
    return {
        "reported_rows": [row for row in rows if row.fiscal_year >= shown[-1].fiscal_year - 2],
        "reported_chart": chart,
    }


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
        "quarter placed by the calendar quarter it ends in; Q2-Q4 are derived from year-to-date filings.",
    )


__all__ = ["GuidedVsReported", "dashboard_reported_chart", "reported_context"]
