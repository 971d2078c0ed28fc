"""
Synthetic data for benchmarks: deterministic (seeded), sized by arguments, shaped like the
real data: headline figures with components, revisions, ranges, many currencies, chip
vendors, a few drafts, several citations per figure.

Rows are written straight to the tables, with COPY on PostgreSQL and batched INSERTs on
SQLite, bypassing services and history on purpose: a million figures through full_clean()
would take hours, and the benchmark measures reads. Every row still satisfies the database
constraints. Synthetic rows are marked: company slugs start with "synthetic-", source URLs
with https://synthetic.invalid/.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from capex.choices import Category, Evidence, Qualifier, Scope, Status, WorkflowState, Workload
from capex.models import Citation, FigureSlice, Investment
from capex.services.slices import slices_refresh
from companies.choices import CompanyKind
from companies.models import Company
from config.bulk import TableWriter, vacuum_analyze
from sources.choices import PublisherKind, SourceKind
from sources.models import Publisher, Source

SLUG_PREFIX = "synthetic-"
URL_PREFIX = "https://synthetic.invalid/"

# Currency mix of announced figures (weights), including ones no provider covers (TWD).
CURRENCIES = {
    "USD": 60, "CNY": 12, "EUR": 7, "JPY": 5, "KRW": 4, "INR": 3, "GBP": 3,
    "HKD": 2, "SAR": 1, "AED": 1, "TWD": 1, "CAD": 1,
}  # fmt: skip
COUNTRIES = ["US", "CN", "JP", "KR", "IN", "GB", "DE", "FR", "SA", "AE", "TW", "CA", "SG", "NL", "IE", "HK"]
# Typical size of an announcement in USD, log-uniform between these.
USD_MIN, USD_MAX = 10_000_000, 100_000_000_000
APPROX_USD = {
    "USD": 1, "CNY": 7.2, "EUR": 0.92, "JPY": 150, "KRW": 1350, "INR": 83, "GBP": 0.79,
    "HKD": 7.8, "SAR": 3.75, "AED": 3.6725, "TWD": 32, "CAD": 1.36,
}  # fmt: skip


@dataclass(frozen=True)
class SyntheticSize:
    companies: int
    figures: int
    sources: int
    citations: int


SIZES = {
    "tiny": SyntheticSize(companies=50, figures=1_000, sources=300, citations=1_500),
    "small": SyntheticSize(companies=1_000, figures=50_000, sources=15_000, citations=75_000),
    "large": SyntheticSize(companies=20_000, figures=1_000_000, sources=300_000, citations=1_500_000),
}


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(*model_list: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id by itself.
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


# The tables a load writes rows to itself (the slices are cut from them by the slices service).
_WRITTEN = (Company, Publisher, Source, Investment, Investment.chip_vendors.through, Citation)


class SyntheticData:
    """One deterministic data set; `load()` writes it and returns the row counts."""

    def __init__(self, size: SyntheticSize, *, seed: int = 2025) -> None:
        self.size = size
        self.random = random.Random(seed)  # noqa: S311 (seeded on purpose: the data set must repeat)
        self.now = timezone.now()

    def _amount(self, currency: str) -> Decimal:
        usd = 10 ** self.random.uniform(len(str(USD_MIN)) - 1, len(str(USD_MAX)) - 1)
        local = usd * APPROX_USD[currency]
        # Round to three significant figures, as announcements are.
        digits = len(str(int(local))) - 3
        return Decimal(round(local / 10**digits) * 10**digits)

    def companies(self, first_id: int) -> Iterator[dict]:
        kinds = [CompanyKind.PLATFORM] * 6 + [CompanyKind.AI_LAB] * 2 + [CompanyKind.FUND, CompanyKind.OTHER]
        for n in range(self.size.companies):
            pk = first_id + n
            vendor = n < max(5, self.size.companies // 200)
            yield {
                "id": pk,
                "name": f"Synthetic {'Chips' if vendor else 'Company'} {pk}",
                "slug": f"{SLUG_PREFIX}{pk}",
                "country": self.random.choice(COUNTRIES),
                "kind": CompanyKind.CHIP_VENDOR if vendor else self.random.choice(kinds),
                "aliases": f"Synthetic alias {pk}",
                "created_at": self.now,
                "updated_at": self.now,
            }

    def publishers(self, first_id: int, count: int = 40) -> Iterator[dict]:
        kinds = list(PublisherKind.values)
        for n in range(count):
            yield {"id": first_id + n, "name": f"Synthetic Publisher {first_id + n}", "kind": kinds[n % len(kinds)]}

    def sources(self, first_id: int, publisher_ids: list[int]) -> Iterator[dict]:
        kinds = list(SourceKind.values)
        start = datetime.date(2018, 1, 1)
        for n in range(self.size.sources):
            pk = first_id + n
            published = start + datetime.timedelta(days=self.random.randrange(3200))
            yield {
                "id": pk,
                "url": f"{URL_PREFIX}articles/{pk}",
                "title": f"Synthetic report {pk} on AI infrastructure plans",
                "publisher_id": self.random.choice(publisher_ids),
                "published_on": published,
                "accessed_on": published,
                "language": "en",
                "kind": self.random.choice(kinds),
                "paywalled": self.random.random() < 0.3,
                "created_at": self.now,
                "updated_at": self.now,
            }

    def figures(self, first_id: int, company_ids: list[int], vendor_ids: list[int]) -> Iterator[tuple[dict, list[int]]]:
        """Yield (investment row, chip vendor ids). Components follow their headline; revisions follow the original."""
        currencies, weights = zip(*CURRENCIES.items(), strict=True)
        scopes = [Scope.DOMESTIC, Scope.OVERSEAS, Scope.GLOBAL, Scope.UNSPECIFIED]
        categories, workloads = list(Category.values), list(Workload.values)
        evidences = [Evidence.OFFICIAL] * 4 + [Evidence.MEDIA_REPORT] * 4 + [Evidence.ESTIMATE, Evidence.RUMOUR]
        start = datetime.date(2018, 1, 1)
        pk = first_id
        made = 0
        while made < self.size.figures:
            company = self.random.choice(company_ids)
            currency = self.random.choices(currencies, weights)[0]
            announced = start + datetime.timedelta(days=self.random.randrange(3200))
            years = self.random.choice([1, 1, 1, 2, 3, 4, 5])
            qualifier = self.random.choice(
                [Qualifier.APPROXIMATELY] * 4 + [Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.UP_TO, Qualifier.RANGE]
            )
            amount = self._amount(currency)
            state = WorkflowState.PUBLISHED if self.random.random() < 0.95 else WorkflowState.DRAFT
            headline = {
                "id": pk,
                "company_id": company,
                "title": f"Synthetic AI infrastructure plan {pk}",
                "announced_on": announced,
                "period_start": datetime.date(announced.year, 1, 1),
                "period_end": datetime.date(announced.year + years - 1, 12, 31),
                "period_label": str(announced.year) if years == 1 else f"{announced.year}-{announced.year + years - 1}",
                "amount": amount,
                "amount_high": amount * Decimal("1.2") if qualifier == Qualifier.RANGE else None,
                "qualifier": qualifier,
                "currency": currency,
                "scope": self.random.choice(scopes),
                "category": self.random.choice(categories),
                "workload": self.random.choice(workloads),
                "evidence": self.random.choice(evidences),
                "disputed": self.random.random() < 0.03,
                "status": Status.CANCELLED if self.random.random() < 0.02 else Status.PLANNED,
                "state": state,
                "published_at": self.now if state == WorkflowState.PUBLISHED else None,
                "created_at": self.now,
                "updated_at": self.now,
            }
            vendors = self.random.sample(vendor_ids, k=self.random.randint(1, 3)) if self.random.random() < 0.3 else []
            yield headline, vendors
            pk += 1
            made += 1
            # About a quarter of headlines are broken down into components.
            if self.random.random() < 0.25 and made < self.size.figures:
                parts = self.random.randint(1, 3)
                for _ in range(min(parts, self.size.figures - made)):
                    share = Decimal(self.random.randint(10, 40)) / 100
                    yield (
                        {
                            **headline,
                            "id": pk,
                            "parent_id": headline["id"],
                            "title": f"Component {pk} of plan {headline['id']}",
                            "amount": (amount * share).quantize(Decimal(1)),
                            "amount_high": None,
                            "qualifier": Qualifier.APPROXIMATELY,
                            "scope": self.random.choice(scopes),
                            "workload": self.random.choice(workloads),
                        },
                        vendors[:1],
                    )
                    pk += 1
                    made += 1
            # About one in twenty is revised later.
            elif self.random.random() < 0.05 and made < self.size.figures:
                revised = amount * Decimal(self.random.choice(["0.9", "1.1", "1.25", "1.5"]))
                yield (
                    {
                        **headline,
                        "id": pk,
                        "supersedes_id": headline["id"],
                        "title": f"Revised plan {pk} (revises {headline['id']})",
                        "announced_on": announced + datetime.timedelta(days=self.random.randint(30, 200)),
                        "amount": revised.quantize(Decimal(1)),
                        "amount_high": (revised * Decimal("1.2")).quantize(Decimal(1))
                        if qualifier == Qualifier.RANGE
                        else None,
                    },
                    vendors,
                )
                pk += 1
                made += 1

    def citations(self, first_id: int, figure_ids: range, source_ids: range) -> Iterator[dict]:
        per_figure = self.size.citations / max(1, self.size.figures)
        pk = first_id
        made = 0
        for figure in figure_ids:
            count = int(per_figure) + (1 if self.random.random() < per_figure - int(per_figure) else 0)
            for n in range(max(1, count)):
                if made >= self.size.citations:
                    return
                yield {
                    "id": pk,
                    "investment_id": figure,
                    "source_id": self.random.choice(source_ids),
                    "quote": f"The company said it plans to invest in AI infrastructure (synthetic quote {pk}).",
                    "locator": f"paragraph {n + 1}",
                    "created_at": self.now,
                }
                pk += 1
                made += 1

    def load(self) -> dict[str, int]:
        """
        Write the data set in one transaction, then vacuum and analyze what it wrote
        (`vacuum_analyze`; inside a caller's transaction, analyze only).
        """
        counts = self._write()
        vacuum_analyze(*_WRITTEN, FigureSlice)
        return counts

    @transaction.atomic
    def _write(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        company_first = _next_id(Company)
        counts["companies"] = TableWriter(Company).write(self.companies(company_first))
        company_ids = list(range(company_first, company_first + self.size.companies))
        vendor_ids = company_ids[: max(5, self.size.companies // 200)]
        buyer_ids = company_ids[len(vendor_ids) :]

        publisher_first = _next_id(Publisher)
        publishers = list(self.publishers(publisher_first))
        counts["publishers"] = TableWriter(Publisher).write(publishers)
        source_first = _next_id(Source)
        counts["sources"] = TableWriter(Source).write(self.sources(source_first, [p["id"] for p in publishers]))

        figure_first = _next_id(Investment)
        vendor_rows: list[dict] = []
        through = Investment.chip_vendors.through

        def figure_rows() -> Iterator[dict]:
            for row, vendors in self.figures(figure_first, buyer_ids, vendor_ids):
                vendor_rows.extend({"investment_id": row["id"], "company_id": v} for v in vendors)
                yield row

        # Revisions point at earlier ids and components at their headline, which COPY writes first.
        counts["investments"] = TableWriter(Investment).write(figure_rows())
        through_first = _next_id(through)
        counts["chip_vendor_links"] = TableWriter(through).write(
            {"id": through_first + n, **row} for n, row in enumerate(vendor_rows)
        )
        counts["citations"] = TableWriter(Citation).write(
            self.citations(
                _next_id(Citation),
                range(figure_first, figure_first + counts["investments"]),
                range(source_first, source_first + self.size.sources),
            )
        )
        _reset_sequences(*_WRITTEN)
        # The slices are cut from the figures just written: the planner needs their statistics.
        vacuum_analyze(*_WRITTEN)
        # Totals are summed from stored slices; a bulk load bypasses the services that keep them.
        counts["slices"] = slices_refresh()
        return counts
