"""Reads of reported capex that the company pages and dashboard set beside guidance."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from companies.models import Company
from filings.models import ReportedCapex


@dataclass(frozen=True)
class Guidance:
    """A company's published total-capex guidance for one fiscal year (from capex)."""

    fiscal_year: int
    low: Decimal
    high: Decimal
    currency: str = "USD"


@dataclass(frozen=True)
class GuidedVsReported:
    fiscal_year: int
    guidance_low: Decimal | None
    guidance_high: Decimal | None
    quarters: dict[int, Decimal]
    full_year: Decimal | None
    currency: str
    # The stored values that make up what was reported so far: the year as filed, or its quarters.
    sources: list[ReportedCapex] = field(default_factory=list)

    @property
    def reported_so_far(self) -> Decimal:
        return self.full_year if self.full_year is not None else sum(self.quarters.values(), Decimal(0))

    @property
    def quarters_reported(self) -> int:
        return 4 if self.full_year is not None else len(self.quarters)

    @property
    def complete(self) -> bool:
        """Whether the whole fiscal year is reported: filed as a year, or all four of its quarters."""
        return self.quarters_reported == 4

    @property
    def guidance_mid(self) -> Decimal | None:
        if self.guidance_low is None:
            return None
        return (self.guidance_low + (self.guidance_high or self.guidance_low)) / 2

    @property
    def share_delivered(self) -> Decimal | None:
        """Reported so far as a share of the guidance's midpoint (0.5 = half)."""
        mid = self.guidance_mid
        return None if not mid else self.reported_so_far / mid


def current_quarters(company: Company) -> list[ReportedCapex]:
    """The latest filed value of each of the company's fiscal quarters and years, oldest first."""
    return list(ReportedCapex.objects.current().filter(company=company).order_by("period_end", "fiscal_quarter"))


def guided_vs_reported(company: Company, *, guidance: list[Guidance]) -> list[GuidedVsReported]:
    """
    One row per fiscal year that has guidance or reported values: guidance low-high, the reported
    quarters, what was reported so far and the share of the guidance delivered.
    """
    quarters: dict[int, dict[int, Decimal]] = defaultdict(dict)
    full_year: dict[int, Decimal] = {}
    currency: dict[int, str] = {}
    quarter_rows: dict[int, list[ReportedCapex]] = defaultdict(list)
    year_rows: dict[int, ReportedCapex] = {}
    for row in current_quarters(company):
        currency[row.fiscal_year] = row.currency
        if row.fiscal_quarter:
            quarters[row.fiscal_year][row.fiscal_quarter] = row.amount
            quarter_rows[row.fiscal_year].append(row)
        else:
            full_year[row.fiscal_year] = row.amount
            year_rows[row.fiscal_year] = row
    guided = {g.fiscal_year: g for g in guidance}
    years = sorted(set(quarters) | set(full_year) | set(guided))
    return [
        GuidedVsReported(
            fiscal_year=year,
            guidance_low=guided[year].low if year in guided else None,
            guidance_high=guided[year].high if year in guided else None,
            quarters=dict(sorted(quarters[year].items())),
            full_year=full_year.get(year),
            currency=currency.get(year) or (guided[year].currency if year in guided else "USD"),
            sources=[year_rows[year]] if year in year_rows else sorted(quarter_rows[year], key=_quarter),
        )
        for year in years
    ]


def _quarter(row: ReportedCapex) -> int:
    return row.fiscal_quarter or 0


def largest_spenders_by_quarter(*, quarters: int = 8, companies: int = 5) -> tuple[list[str], dict[str, dict]]:
    """
    The reported capex of the companies that spent most over the last `quarters` calendar quarters
    with filings, by calendar quarter ("2025-Q3": a quarter ending in July-September), in USD:
    (the quarters in order, {company name: {quarter: amount}}). Fiscal quarters are placed by the
    calendar quarter their period ends in, so Microsoft's fiscal Q1 (July-September) stands beside
    Alphabet's calendar Q3.
    """
    rows = list(
        ReportedCapex.objects.current()
        .quarters()
        .filter(currency="USD")
        .select_related("company")
        .order_by("period_end")
        .values_list("company__name", "period_end", "amount")
    )
    by_company: dict[str, dict[str, Decimal]] = {}
    for name, period_end, amount in rows:
        quarter = f"{period_end.year}-Q{(period_end.month - 1) // 3 + 1}"
        by_company.setdefault(name, {})[quarter] = amount
    shown = sorted({quarter for values in by_company.values() for quarter in values})[-quarters:]
    totals = {name: sum((values.get(q, Decimal(0)) for q in shown), Decimal(0)) for name, values in by_company.items()}
    largest = sorted((name for name in by_company if totals[name]), key=lambda name: -totals[name])[:companies]
    return shown, {name: {q: by_company[name].get(q) for q in shown} for name in largest}
