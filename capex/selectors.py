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

Where the work happens
----------------------
`figure_slices` cuts figures into slices in Python: the one statement of the rule. Cutting a
million figures on every request took minutes, so the slices are kept in a table
(`FigureSlice`, written by `capex.services.slices` whenever a figure's countability or USD
value changes) and every total is a `GROUP BY` over it (`SliceSet`): a fixed number of
queries, and work in the database rather than in Python, whatever the number of figures.
Amounts are stored in whole thousandths of a dollar; a pro-rata share is rounded to that and
the last share of a figure takes the rounding, so slices still add up to the figure exactly.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django_countries import countries

from capex.choices import Category, FxBasis, Qualifier, Scope, Workload
from capex.models import FigureSlice, Investment
from companies.models import Company

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)
MILL = Decimal("0.001")
CENT = Decimal("0.01")
UNSPECIFIED = "unspecified"

DIMENSIONS = ("company", "country", "year", "scope", "category", "workload", "vendor")
YEAR_MODES = ("announcement", "spread")
MEASURES = ("low", "high", "point")


def _dollars(mills) -> Decimal:
    amount = Decimal(mills).scaleb(-3)
    return amount.quantize(CENT) if mills % 10 == 0 else amount


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

    @classmethod
    def from_mills(cls, low, high, point) -> "Measures":
        """From sums of whole thousandths of a dollar (None, from an empty sum, is zero); in cents where exact."""
        return cls(*(_dollars(value or 0) for value in (low, high, point)))

    def mills(self) -> tuple[int, int, int]:
        return tuple(
            int((value / MILL).to_integral_value(ROUND_HALF_EVEN)) for value in (self.low, self.high, self.point)
        )


class Slice(NamedTuple):
    """
    A part of one countable figure on one basis, classified as the row it comes from: the
    company and dates of the headline, scope, category, workload and chip vendors of the
    component (or of the headline, for its remainder). `mills` holds low, high and point in
    thousandths of a dollar, or None for a countable figure with no USD value on the basis.
    """

    basis: str
    figure_id: int  # the countable (top-level) figure
    origin_id: int  # the component, or the figure itself for its remainder
    mills: tuple[int, int, int] | None
    company_id: int
    announced_on: date
    period_start: date | None
    period_end: date | None
    scope: str
    category: str
    workload: str
    vendor_ids: tuple[int, ...]


@dataclass
class Bucket:
    key: str
    label: str
    measures: Measures = Measures()
    figure_count: int = 0


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


# --- Cutting figures into slices: the rule --------------------------------------------------

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
    *(name for pair in _BASIS_FIELDS.values() for name in pair),
)


def measures_of(*, qualifier: str, low: Decimal | None, high: Decimal | None) -> Measures | None:
    """The three measures of one converted amount, or None when it has no USD value."""
    if low is None:
        return None
    if qualifier == Qualifier.RANGE and high is not None:
        return Measures(low, high, (low + high) / TWO)
    return Measures(low, low, low)


def _to_mills(value: Decimal) -> int:
    return int((value / MILL).to_integral_value(ROUND_HALF_EVEN))


def _divide(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even, for non-negative integers."""
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


def _row_mills(row: dict, basis: str) -> tuple[int, int, int] | None:
    """Low, high and point of a figure on a basis in mills (a range's point is its midpoint), or None."""
    low_field, high_field = _BASIS_FIELDS[basis]
    low, high = row[low_field], row[high_field]
    if low is None:
        return None
    low = _to_mills(low)
    if row["qualifier"] == Qualifier.RANGE and high is not None:
        high = _to_mills(high)
        return low, high, _divide(low + high, 2)
    return low, low, low


def _shares(stated: int, qualifier: str, parts: list[int]) -> tuple[int, list[int]]:
    """
    One measure of a headline and its components: the headline's effective value and each
    component's share of it. "At least" grows to its components' sum; any other headline
    scales components down to fit, rounded to the mill, the last share taking the rounding.
    """
    covered = sum(parts)
    if covered <= stated or covered == 0:
        return stated, parts
    if qualifier == Qualifier.AT_LEAST:
        return covered, parts
    shares = [_divide(part * stated, covered) for part in parts[:-1]]
    shares.append(max(stated - sum(shares), 0))
    return stated, shares


def figure_slices(*, where: Q | None = None, ids: tuple[int, int] | None = None) -> list[Slice]:
    """
    Cut every countable figure that matches `where` (default: all) and whose id lies in the
    half-open range `ids`, if given, into slices, on both bases; a countable figure with no USD
    value on a basis gives one slice without amounts there. Three queries, and one more per
    5,000 components: figures, components, and vendors.
    """
    countable = Investment.objects.countable()
    components = Investment.objects.published().current().not_cancelled()
    if where is not None:
        countable = countable.filter(where)
    if ids is not None:
        # Said of the components' parents too, so that they are found through the parent index
        # rather than by reading every figure once per range of a full rebuild.
        countable = countable.filter(pk__gte=ids[0], pk__lt=ids[1])
        components = components.filter(parent_id__gte=ids[0], parent_id__lt=ids[1])
    top_rows = list(countable.values(*_ROW_FIELDS).order_by("id"))
    component_rows = list(components.filter(parent_id__in=countable.values("pk")).values(*_ROW_FIELDS).order_by("id"))
    vendors = _vendor_sets(countable, [row["id"] for row in component_rows])

    components_by_parent: dict[int, list[dict]] = defaultdict(list)
    for row in component_rows:
        components_by_parent[row["parent_id"]].append(row)

    slices: list[Slice] = []
    for basis in FxBasis.values:
        for top in top_rows:
            slices.extend(_cut(basis, top, components_by_parent.get(top["id"], []), vendors))
    return slices


def _cut(basis: str, top: dict, components: list[dict], vendors: dict) -> list[Slice]:
    """The slices of one countable figure on one basis."""
    stated = _row_mills(top, basis)
    if stated is None:
        return [_slice(basis, top, top, None, vendors)]
    parts = [(row, mills) for row in components if (mills := _row_mills(row, basis)) is not None]
    if not parts:
        return [_slice(basis, top, top, stated, vendors)]  # most figures: one slice, the whole figure
    effective, shares = [], []
    for measure in range(3):
        value, measure_shares = _shares(stated[measure], top["qualifier"], [mills[measure] for _, mills in parts])
        effective.append(value)
        shares.append(measure_shares)
    result = [
        _slice(basis, top, row, (shares[0][i], shares[1][i], shares[2][i]), vendors) for i, (row, _) in enumerate(parts)
    ]
    remainder = tuple(max(effective[m] - sum(shares[m]), 0) for m in range(3))
    if remainder != (0, 0, 0):
        result.append(_slice(basis, top, top, remainder, vendors))
    return result


# Component ids per query for their vendors: well within the parameters a statement may carry.
_VENDOR_ID_BATCH = 5_000


def _vendor_sets(countable: QuerySet, component_ids: list[int]) -> dict[int, tuple[int, ...]]:
    """
    The chip vendors of the countable figures and of these components, by figure id. The
    components' are read by their ids: through a join, after a recompute had rewritten every
    figure, the planner read the whole table for each chunk of a rebuild.
    """
    through = Investment.chip_vendors.through
    links = list(
        through.objects.filter(investment__in=countable.values("pk")).values_list("investment_id", "company_id")
    )
    for start in range(0, len(component_ids), _VENDOR_ID_BATCH):
        batch = component_ids[start : start + _VENDOR_ID_BATCH]
        links.extend(through.objects.filter(investment_id__in=batch).values_list("investment_id", "company_id"))
    result: dict[int, list[int]] = defaultdict(list)
    for investment_id, company_id in sorted(links):
        result[investment_id].append(company_id)
    return {key: tuple(value) for key, value in result.items()}


def _slice(basis: str, top: dict, row: dict, mills: tuple[int, int, int] | None, vendors: dict) -> Slice:
    return Slice(
        basis=basis,
        figure_id=top["id"],
        origin_id=row["id"],
        mills=mills,
        company_id=top["company_id"],
        announced_on=top["announced_on"],
        period_start=top["period_start"],
        period_end=top["period_end"],
        scope=row["scope"],
        category=row["category"],
        workload=row["workload"],
        vendor_ids=vendors.get(row["id"], ()),
    )


def figure_effective_amount(*, investment: Investment, basis: str = FxBasis.ANNOUNCEMENT) -> Measures | None:
    """What one countable figure contributes to totals: its stated amount, grown to its components under "at least"."""
    slices = [s for s in figure_slices(where=Q(pk=investment.pk)) if s.basis == basis]
    if not slices or slices[0].mills is None:
        return None
    return Measures.from_mills(*(sum(s.mills[m] for s in slices) for m in range(3)))


# --- Totals: sums of the stored slices -----------------------------------------------------

_CHOICE_LABELS = {
    "scope": dict(Scope.choices),
    "category": dict(Category.choices),
    "workload": dict(Workload.choices),
}
_SUMS = {"low": Sum("low_mills"), "high": Sum("high_mills"), "point": Sum("point_mills")}


def _year_shares(start: date, end: date) -> list[tuple[int, Decimal]]:
    """How a period splits over calendar years, in proportion to days."""
    total_days = Decimal((end - start).days + 1)
    shares = []
    for year in range(start.year, end.year + 1):
        first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
        shares.append((year, Decimal((last - first).days + 1) / total_days))
    return shares


class SliceSet:
    """
    The stored slices of a set of countable figures on one USD basis, grouped in SQL by any
    dimension. Narrow it with `filter` (slice fields: `company__slug`, `figure__in`...). The
    total and the figures left out unconverted are read once and shared by every grouping;
    `group_per_company` breaks every company down in one query rather than one each.
    """

    def __init__(self, basis: str, rows: QuerySet | None = None):
        self.basis = str(FxBasis(basis))
        self.rows = FigureSlice.objects.filter(basis=self.basis) if rows is None else rows
        self._groups: dict[tuple[str, str], Breakdown] = {}

    def filter(self, *args, **kwargs) -> "SliceSet":
        return SliceSet(self.basis, self.rows.filter(*args, **kwargs))

    @property
    def _converted(self) -> QuerySet:
        return self.rows.filter(point_mills__isnull=False).order_by()

    @cached_property
    def totals(self) -> tuple[Measures, int]:
        found = self._converted.aggregate(**_SUMS, figures=Count("figure_id", distinct=True))
        return Measures.from_mills(found["low"], found["high"], found["point"]), found["figures"]

    @cached_property
    def _unconverted_by_company(self) -> list[tuple[int, str]]:
        missing = self.rows.filter(point_mills__isnull=True).order_by("figure_id")
        return list(missing.values_list("figure_id", "company__slug"))

    @property
    def unconverted(self) -> list[int]:
        """The countable figures left out for want of a USD value on this basis, by id."""
        return [figure_id for figure_id, _ in self._unconverted_by_company]

    def group(self, dimension: str, *, year_mode: str = "announcement") -> Breakdown:
        """
        Totals grouped by `dimension`, largest first and "unspecified" last; years in order.
        Each grouping is read once per SliceSet: a page asks for some twice (the dashboard's
        years and companies, for its cards and its chart), and each reads every slice.
        """
        _check(dimension, year_mode)
        key = (dimension, year_mode)
        if key not in self._groups:
            buckets = self._buckets(dimension, year_mode, split=None)[None]
            total, figure_count = self.totals
            self._groups[key] = _breakdown(dimension, self.basis, buckets, total, figure_count, self.unconverted)
        return self._groups[key]

    def group_per_company(self, dimension: str, *, year_mode: str = "announcement") -> dict[str, Breakdown]:
        """A breakdown of each company's slices by `dimension`, by company slug: two queries for all companies."""
        _check(dimension, year_mode)
        per_company = self._buckets(dimension, year_mode, split="company__slug")
        totals = {
            row["company__slug"]: row
            for row in self._converted.values("company__slug").annotate(
                **_SUMS, figures=Count("figure_id", distinct=True)
            )
        }
        result = {}
        for slug, row in totals.items():
            unconverted = [figure_id for figure_id, company in self._unconverted_by_company if company == slug]
            total = Measures.from_mills(row["low"], row["high"], row["point"])
            result[slug] = _breakdown(
                dimension, self.basis, per_company.get(slug, []), total, row["figures"], unconverted
            )
        return result

    def _grouped(self, rows: QuerySet, fields: list[str]) -> list[dict]:
        return list(rows.values(*fields).annotate(**_SUMS, figures=Count("figure_id", distinct=True)).order_by())

    def _buckets(self, dimension: str, year_mode: str, *, split: str | None) -> dict[str | None, list[Bucket]]:
        """The buckets of `dimension`, apart for each value of the `split` field (None: one set)."""
        if dimension == "year":
            return self._years(year_mode, split)
        fields = {
            "company": ["company__slug", "company__name"],
            "country": ["company__country"],
            "vendor": ["vendors"],
        }.get(dimension, [dimension])
        rows = self._grouped(self._converted, [*fields, *([split] if split else [])])
        label = self._labeller(dimension, rows)
        result: dict[str | None, list[Bucket]] = defaultdict(list)
        for row in rows:
            key, text = label(row)
            result[row[split] if split else None].append(
                Bucket(key, text, Measures.from_mills(row["low"], row["high"], row["point"]), row["figures"])
            )
        return result

    @staticmethod
    def _labeller(dimension: str, rows: list[dict]):
        """The key and label of a grouped row of `dimension`: (slug, name), (code, country), vendors named..."""
        if dimension == "company":
            return lambda row: (row["company__slug"], row["company__name"])
        if dimension == "country":
            return lambda row: (str(row["company__country"]), countries.name(row["company__country"]) or "")
        if dimension == "vendor":
            # A bucket per set of vendors, named after them: one query for the names of all.
            ids = {int(part) for row in rows for part in row["vendors"].split(",") if part}
            names = {
                pk: (slug, name)
                for pk, slug, name in Company.objects.filter(pk__in=ids).values_list("pk", "slug", "name")
            }

            def vendor(row: dict) -> tuple[str, str]:
                vendors = sorted((names[int(part)] for part in row["vendors"].split(",") if part), key=lambda v: v[1])
                if not vendors:
                    return UNSPECIFIED, "Unspecified"
                return "+".join(slug for slug, _ in vendors), " + ".join(name for _, name in vendors)

            return vendor
        labels = _CHOICE_LABELS[dimension]
        return lambda row: (row[dimension], labels.get(row[dimension], row[dimension]))

    def _years(self, year_mode: str, split: str | None) -> dict[str | None, list[Bucket]]:
        """By announcement year, or spread over each figure's period (grouped by period, spread in Python)."""
        converted = self._converted
        extra = [split] if split else []
        spread = Q(period_start__isnull=False, period_end__isnull=False)
        by_period = []
        if year_mode == "spread":
            by_period = self._grouped(converted.filter(spread), ["period_start", "period_end", *extra])
            converted = converted.exclude(spread)
        sums: dict[str | None, dict[int, Measures]] = defaultdict(lambda: defaultdict(Measures))
        counts: dict[str | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for row in self._grouped(converted.annotate(year=ExtractYear("announced_on")), ["year", *extra]):
            part = row[split] if split else None
            sums[part][row["year"]] += Measures.from_mills(row["low"], row["high"], row["point"])
            counts[part][row["year"]] += row["figures"]
        for row in by_period:
            part = row[split] if split else None
            measures = Measures.from_mills(row["low"], row["high"], row["point"])
            for year, share in _year_shares(row["period_start"], row["period_end"]):
                sums[part][year] += measures.scaled(share) if share != ONE else measures
                counts[part][year] += row["figures"]  # a figure's slices share its headline's period
        result: dict[str | None, list[Bucket]] = {None: []} if split is None else {}
        for part, years in sums.items():
            result[part] = [Bucket(str(year), str(year), years[year], counts[part][year]) for year in years]
        return result


def _check(dimension: str, year_mode: str) -> None:
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; choose one of {', '.join(DIMENSIONS)}.")
    if year_mode not in YEAR_MODES:
        raise ValueError(f"Unknown year mode {year_mode!r}; choose one of {', '.join(YEAR_MODES)}.")


def _breakdown(
    dimension: str, basis: str, buckets: list[Bucket], total: Measures, figure_count: int, unconverted: list[int]
) -> Breakdown:
    ordered = sorted(
        buckets,
        key=lambda b: (b.key == UNSPECIFIED, -b.measures.point if dimension != "year" else int(b.key)),
    )
    return Breakdown(dimension, basis, ordered, total, figure_count, unconverted)


def slice_set(
    *, basis: str = FxBasis.ANNOUNCEMENT, investments: QuerySet | None = None, origins: QuerySet | None = None
) -> SliceSet:
    """
    The slices of the countable figures among `investments` (default: all).
    `origins` is a filtered set of figures of any level (the API's and pages' FilterSet):
    a headline in it counts whole, and a component in it counts without its headline, so
    `?scope=overseas` totals ByteDance's overseas component alone while
    `?company=bytedance&top_level=true` totals the headline. A headline without a USD value
    is reported when it or one of its components is among the origins.
    """
    slices = SliceSet(basis)
    if investments is not None:
        slices = slices.filter(figure__in=investments.values("pk"))
    if origins is not None:
        ids = origins.values("pk")
        slices = slices.filter(
            Q(figure__in=ids)
            | Q(origin__in=ids)
            | Q(point_mills__isnull=True, figure__in=origins.filter(parent__isnull=False).values("parent"))
        )
    return slices


def breakdown(
    *,
    dimension: str,
    basis: str = FxBasis.ANNOUNCEMENT,
    investments: QuerySet | None = None,
    origins: QuerySet | None = None,
    year_mode: str = "announcement",
) -> Breakdown:
    """
    Totals of countable figures grouped by `dimension`, in USD on `basis`; `investments` and
    `origins` choose the figures as in `slice_set`. Buckets are sorted largest first,
    "unspecified" last.
    """
    return slice_set(basis=basis, investments=investments, origins=origins).group(dimension, year_mode=year_mode)


def company_totals(*, basis: str = FxBasis.ANNOUNCEMENT, investments: QuerySet | None = None) -> Breakdown:
    """Per-company totals that count each headline once; the home page's table."""
    return breakdown(dimension="company", basis=basis, investments=investments)
