"""
Totals and breakdowns of announced investments: the rule that totals never double count.

The rule
--------
* A total counts only *countable* figures: top-level (no parent), current (no published
  revision supersedes them), published and not cancelled (`InvestmentQuerySet.countable`).
  Components are never counted on their own; they only split their parent up.
* Each countable figure is cut into *slices* that add up to exactly its effective amount:
  one slice per countable component (published, current, not cancelled), plus one
  *remainder* slice carrying the parent's own classification for whatever the components
  do not cover. A breakdown by any dimension (scope, workload, category, vendor, company,
  country, year) sums slices, so every dimension adds up to the same total and a partial
  breakdown shows its gap in the parent's own bucket, usually "unspecified".
* Where the parent says "at least" and its components add up to more, the components' sum
  is the figure's effective amount (ByteDance: "more than $12bn", components RMB 40bn and
  $6.8bn). Where components exceed any other parent (an editor warning), they are scaled
  down pro rata so the figure still totals what it states.
* Every amount carries three measures: low, high and point. A range is low..high with its
  midpoint as point; "at least", "up to", "about" and exact figures carry their one
  stated bound in all three. Each measure is treated independently by the rules above.
* A figure with no USD value on the chosen basis ("not converted") is left out of totals
  and reported in `Breakdown.unconverted`, never counted as zero. A component with no USD
  value splits nothing off: its part stays in the headline's own bucket.
* Chip vendors: a slice that buys from several vendors goes to one bucket for that set of
  vendors ("Cambricon + Huawei + Nvidia"): the sources do not say how the money splits, and
  an even split would invent figures.
* Years: by the headline's announcement date, or spread over the period it covers in
  proportion to the days of each calendar year (Alibaba's RMB 380bn over three years).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django_countries import countries

from capex.choices import Category, FxBasis, Qualifier, Scope, Workload
from capex.models import Investment

ZERO = Decimal(0)
TWO = Decimal(2)
UNSPECIFIED = "unspecified"

DIMENSIONS = ("company", "country", "year", "scope", "category", "workload", "vendor")
YEAR_MODES = ("announcement", "spread")


@dataclass(frozen=True)
class Measures:
    """Low, high and point value of an amount in USD."""

    low: Decimal = ZERO
    high: Decimal = ZERO
    point: Decimal = ZERO

    def __add__(self, other: "Measures") -> "Measures":
        return Measures(self.low + other.low, self.high + other.high, self.point + other.point)

    def scaled(self, factor: Decimal) -> "Measures":
        return Measures(self.low * factor, self.high * factor, self.point * factor)


@dataclass(frozen=True)
class Slice:
    """A part of one countable figure, with the classification of the row it comes from."""

    figure_id: int  # the countable (top-level) figure
    origin_id: int  # the component, or the figure itself for its remainder
    measures: Measures
    attributes: dict


@dataclass
class Bucket:
    key: str
    label: str
    measures: Measures = field(default_factory=Measures)
    figure_ids: set[int] = field(default_factory=set)

    @property
    def figure_count(self) -> int:
        return len(self.figure_ids)


@dataclass
class Breakdown:
    dimension: str
    basis: str
    buckets: list[Bucket]
    total: Measures
    figure_count: int
    unconverted: list[int]

    def bucket(self, key: str) -> Bucket | None:
        return next((b for b in self.buckets if b.key == key), None)


_BASIS_FIELDS = {
    FxBasis.ANNOUNCEMENT: ("amount_usd_at_announcement", "amount_high_usd_at_announcement"),
    FxBasis.LATEST: ("amount_usd_latest", "amount_high_usd_latest"),
}
_ROW_FIELDS = (
    "id",
    "parent_id",
    "qualifier",
    "scope",
    "category",
    "workload",
    "announced_on",
    "period_start",
    "period_end",
    "company_id",
    "company__slug",
    "company__name",
    "company__country",
)


def measures_of(*, qualifier: str, low: Decimal | None, high: Decimal | None) -> Measures | None:
    """The three measures of one converted amount, or None when it has no USD value."""
    if low is None:
        return None
    if qualifier == Qualifier.RANGE and high is not None:
        return Measures(low, high, (low + high) / TWO)
    return Measures(low, low, low)


def _row_measures(row: dict, basis: str) -> Measures | None:
    low_field, high_field = _BASIS_FIELDS[FxBasis(basis)]
    return measures_of(qualifier=row["qualifier"], low=row[low_field], high=row[high_field])


def _component_shares(parent: Measures, qualifier: str, components: Measures) -> tuple[Measures, Measures]:
    """
    The parent's effective measures and the factor-adjusted components, per measure:
    "at least" grows to its components' sum; any other parent scales components down to fit.
    """
    effective, factors = [], []
    for name in ("low", "high", "point"):
        stated, covered = getattr(parent, name), getattr(components, name)
        if covered <= stated or covered == ZERO:
            effective.append(stated)
            factors.append(Decimal(1))
        elif qualifier == Qualifier.AT_LEAST:
            effective.append(covered)
            factors.append(Decimal(1))
        else:
            effective.append(stated)
            factors.append(stated / covered)
    return Measures(*effective), Measures(*factors)


def figure_slices(
    *, investments: QuerySet | None = None, basis: str = FxBasis.ANNOUNCEMENT
) -> tuple[list[Slice], list[int]]:
    """
    Cut every countable figure among `investments` (default: all) into slices.
    Returns the slices and the ids of countable figures left out for lack of a USD value.
    Three queries whatever the number of figures: figures, components, vendors.
    """
    low_field, high_field = _BASIS_FIELDS[FxBasis(basis)]
    fields = (*_ROW_FIELDS, low_field, high_field)
    base = Investment.objects.all() if investments is None else investments
    top_rows = list(Investment.objects.countable().filter(pk__in=base.values("pk")).values(*fields))
    top_ids = [row["id"] for row in top_rows]
    component_rows = list(
        Investment.objects.published()
        .current()
        .not_cancelled()
        .filter(parent_id__in=top_ids)
        .values(*fields)
        .order_by("id")
    )
    vendors = _vendor_sets([*top_ids, *(row["id"] for row in component_rows)])

    components_by_parent: dict[int, list[dict]] = defaultdict(list)
    for row in component_rows:
        components_by_parent[row["parent_id"]].append(row)

    slices: list[Slice] = []
    unconverted: list[int] = []
    for top in top_rows:
        stated = _row_measures(top, basis)
        if stated is None:
            unconverted.append(top["id"])
            continue
        parts = [(row, _row_measures(row, basis)) for row in components_by_parent.get(top["id"], [])]
        parts = [(row, m) for row, m in parts if m is not None]
        covered = sum((m for _, m in parts), Measures())
        effective, factors = _component_shares(stated, top["qualifier"], covered)
        allocated = Measures()
        for row, m in parts:
            share = Measures(m.low * factors.low, m.high * factors.high, m.point * factors.point)
            allocated += share
            slices.append(Slice(top["id"], row["id"], share, _attributes(top, row, vendors)))
        remainder = Measures(
            max(effective.low - allocated.low, ZERO),
            max(effective.high - allocated.high, ZERO),
            max(effective.point - allocated.point, ZERO),
        )
        if remainder != Measures() or not parts:
            slices.append(Slice(top["id"], top["id"], remainder, _attributes(top, top, vendors)))
    return slices, unconverted


def _vendor_sets(investment_ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    through = Investment.chip_vendors.through
    rows = (
        through.objects.filter(investment_id__in=investment_ids)
        .values_list("investment_id", "company__slug", "company__name")
        .order_by("company__name")
    )
    result: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for investment_id, slug, name in rows:
        result[investment_id].append((slug, name))
    return {key: tuple(value) for key, value in result.items()}


def _attributes(top: dict, row: dict, vendors: dict) -> dict:
    """The classification a slice is bucketed by: the company and dates of the headline, the rest of the row."""
    return {
        "company": (top["company__slug"], top["company__name"]),
        "country": top["company__country"],
        "announced_on": top["announced_on"],
        "period": (top["period_start"], top["period_end"]),
        "scope": row["scope"],
        "category": row["category"],
        "workload": row["workload"],
        "vendors": vendors.get(row["id"], ()),
    }


def _year_shares(attributes: dict, year_mode: str) -> list[tuple[int, Decimal]]:
    start, end = attributes["period"]
    if year_mode == "spread" and start and end:
        total_days = Decimal((end - start).days + 1)
        shares = []
        for year in range(start.year, end.year + 1):
            first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
            shares.append((year, Decimal((last - first).days + 1) / total_days))
        return shares
    return [(attributes["announced_on"].year, Decimal(1))]


_CHOICE_LABELS = {
    "scope": dict(Scope.choices),
    "category": dict(Category.choices),
    "workload": dict(Workload.choices),
}


def _keys(dimension: str, attributes: dict, year_mode: str) -> list[tuple[str, str, Decimal]]:
    """The bucket(s) a slice goes to: (key, label, share of the slice)."""
    if dimension == "company":
        slug, name = attributes["company"]
        return [(slug, name, Decimal(1))]
    if dimension == "country":
        code = str(attributes["country"])
        return [(code, countries.name(code) or code, Decimal(1))]
    if dimension == "year":
        return [(str(year), str(year), share) for year, share in _year_shares(attributes, year_mode)]
    if dimension == "vendor":
        vendors = attributes["vendors"]
        if not vendors:
            return [(UNSPECIFIED, "Unspecified", Decimal(1))]
        return [("+".join(slug for slug, _ in vendors), " + ".join(name for _, name in vendors), Decimal(1))]
    value = attributes[dimension]
    return [(value, _CHOICE_LABELS[dimension].get(value, value), Decimal(1))]


def breakdown(
    *,
    dimension: str,
    basis: str = FxBasis.ANNOUNCEMENT,
    investments: QuerySet | None = None,
    origins: QuerySet | None = None,
    year_mode: str = "announcement",
) -> Breakdown:
    """
    Totals of countable figures grouped by `dimension`, in USD on `basis`.

    `investments` limits which countable figures take part (e.g. one company's).
    `origins` is a filtered set of figures of any level (the API's and pages' FilterSet):
    a headline in it counts whole, and a component in it counts without its headline, so
    `?scope=overseas` totals ByteDance's overseas component alone while
    `?company=bytedance&top_level=true` totals the headline. Buckets are sorted largest
    first, "unspecified" last.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; choose one of {', '.join(DIMENSIONS)}.")
    if year_mode not in YEAR_MODES:
        raise ValueError(f"Unknown year mode {year_mode!r}; choose one of {', '.join(YEAR_MODES)}.")
    if origins is not None:
        involved = Q(pk__in=origins.values("pk")) | Q(components__in=origins.values("pk"))
        candidates = Investment.objects.filter(involved)
        investments = candidates if investments is None else investments.filter(pk__in=candidates.values("pk"))
    slices, unconverted = figure_slices(investments=investments, basis=basis)
    if origins is not None:
        # A matching headline brings its whole effective amount; otherwise only matching components count.
        involved_ids = {s.origin_id for s in slices} | {s.figure_id for s in slices}
        origin_ids = set(origins.filter(pk__in=involved_ids).values_list("pk", flat=True))
        slices = [s for s in slices if s.figure_id in origin_ids or s.origin_id in origin_ids]
    return group_slices(slices, dimension=dimension, basis=basis, year_mode=year_mode, unconverted=unconverted)


def group_slices(
    slices: Iterable[Slice], *, dimension: str, basis: str, year_mode: str, unconverted: list[int]
) -> Breakdown:
    """Sum slices into buckets of one dimension; pages group one set of slices several ways without re-querying."""
    buckets: dict[str, Bucket] = {}
    total = Measures()
    figures: set[int] = set()
    for piece in slices:
        total += piece.measures
        figures.add(piece.figure_id)
        for key, label, share in _keys(dimension, piece.attributes, year_mode):
            bucket = buckets.setdefault(key, Bucket(key=key, label=label))
            bucket.measures += piece.measures.scaled(share) if share != 1 else piece.measures
            bucket.figure_ids.add(piece.figure_id)
    ordered = sorted(
        buckets.values(),
        key=lambda b: (b.key == UNSPECIFIED, -b.measures.point if dimension != "year" else int(b.key)),
    )
    return Breakdown(dimension, str(basis), ordered, total, len(figures), unconverted)


def company_totals(*, basis: str = FxBasis.ANNOUNCEMENT, investments: QuerySet | None = None) -> Breakdown:
    """Per-company totals that count each headline once; the home page's table."""
    return breakdown(dimension="company", basis=basis, investments=investments)


def figure_effective_amount(*, investment: Investment, basis: str = FxBasis.ANNOUNCEMENT) -> Measures | None:
    """What one countable figure contributes to totals: its stated amount, grown to its components under "at least"."""
    slices, _ = figure_slices(investments=Investment.objects.filter(pk=investment.pk), basis=basis)
    if not slices:
        return None
    return sum((s.measures for s in slices), Measures())
