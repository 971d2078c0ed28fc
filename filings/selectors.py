"""Reads of reported capex that the company pages and dashboard set beside guidance."""

from collections import defaultdict
from dataclasses import dataclass
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

    @property
    def reported_so_far(self) -> Decimal:
        return self.full_year if self.full_year is not None else sum(self.quarters.values(), Decimal(0))

    @property
    def quarters_reported(self) -> int:
        return 4 if self.full_year is not None else len(self.quarters)

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
    for row in current_quarters(company):
        currency[row.fiscal_year] = row.currency
        if row.fiscal_quarter:
            quarters[row.fiscal_year][row.fiscal_quarter] = row.amount
        else:
            full_year[row.fiscal_year] = row.amount
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
        )
        for year in years
    ]
