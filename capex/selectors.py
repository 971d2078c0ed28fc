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
* What a figure measures (`Measure`: AI investment, total capital expenditure, programme,
  equity commitment, other) is never mixed: every total is of one measure, AI investment
  unless asked otherwise. Meta's capex guidance is not AI spending, and Stargate is a
  programme of several parties, counted once under the programme.
* Every amount carries three values: low, high and point. A range is low..high with its
  midpoint as point. "About" and exact figures carry their value in all three. "Up to X"
  adds 0 to the low value and X to the high and point values. "At least X" adds X to all
  three but leaves the high bound open: a total with such a figure is "at least" its low
  value, says how many of its figures are open-ended (`open_figures`), and its high value
  is only the sum of what was stated. Each value is treated independently by the rules below.
* A figure with no USD value on the chosen basis ("not converted") is left out of totals
  and reported in `Breakdown.unconverted`, never counted as zero. A component with no USD
  value splits nothing off: its part stays in the headline's own bucket.
* Chip vendors: a slice is allocated among its vendors by the shares its source states
  (`VendorShare`: a percentage, a range of percentages or an amount). A share stated for a
  group ("about 60% from Huawei and Cambricon") goes to that group as one bucket, never in
  full to each member. What no share covers goes to "unallocated among <the vendors without
  a share>", and a slice without vendors to "unspecified". So for any set of figures the sum
  over vendor buckets, unallocated included, equals the total of the figures.
* Years: by default each figure is spread over the period it covers, in proportion to the
  days of each calendar year ("spread": Stargate's $500bn over four years is about $125bn a
  year, Alibaba's RMB 380bn over three years about RMB 127bn); a figure without a period
  covers its announcement year. "By announcement year" puts every figure whole into the year
  it was announced. Every total says which view it is.

Where the work happens
----------------------
`figure_slices` cuts figures into slices in Python: the one statement of the rule. A slice is
one part of a figure (a component, or the headline's remainder), for one vendor bucket and one
calendar year of its period. Cutting a million figures on every request took minutes, so the
slices are kept in a table (`FigureSlice`, written by `capex.services.slices` whenever a
figure's countability or USD value changes) and every total is a `GROUP BY` over it
(`SliceSet`): a fixed number of queries, and work in the database rather than in Python,
whatever the number of figures. Amounts are stored in whole thousandths of a dollar; a
pro-rata share is rounded to that and the last share takes the rounding, so slices still add
up to the figure exactly.

The totals of every company, or of named companies, are the slices' groupings once more, kept
per company in `CompanyRollup` by the transaction that rewrites the slices
(`capex.services.rollups`); `RollupSet` reads them, so the dashboard, a company page and the
unfiltered stats read a few rows per company rather than every slice of a basis. Totals of
figures chosen any other way (filters on figures' fields, dates, vendors) group the slices.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from typing import NamedTuple

from django.db.models import Count, F, Model, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django_countries import countries

from capex.choices import Category, FxBasis, Measure, Qualifier, Scope, Workload
from capex.models import CompanyRollup, FigureSlice, Investment, OverallRollup, VendorShare
from companies.models import Company

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)
MILL = Decimal("0.001")
CENT = Decimal("0.01")
UNSPECIFIED = "unspecified"

DIMENSIONS = ("company", "country", "year", "scope", "category", "workload", "vendor")
# "spread" (the default): each figure over the years of its period; "announcement": whole, in its announcement year.
YEAR_MODES = ("spread", "announcement")
DEFAULT_YEAR_MODE = "spread"
YEAR_MODE_LABELS = {"spread": "spread over each figure's period", "announcement": "by announcement year"}
MEASURES = ("low", "high", "point")
DEFAULT_MEASURE = Measure.AI_INVESTMENT
# How a slice's money relates to its chip vendors.
SHARE, GROUP, UNALLOCATED = "share", "group", "unallocated"
VENDOR_KINDS = (SHARE, GROUP, UNALLOCATED, UNSPECIFIED)


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
    company, dates and measure of the headline, scope, category, workload of the component
    (or of the headline, for its remainder), one vendor bucket and one calendar year. `mills`
    holds low, high and point in thousandths of a dollar, or None for a countable figure with
    no USD value on the basis.
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
    measure: str = Measure.AI_INVESTMENT
    year: int = 0  # the calendar year this part falls in when the figure is spread over its period
    high_open: bool = False  # the headline says "at least": its high bound is open
    vendor_kind: str = UNSPECIFIED  # share, group, unallocated or unspecified (see VENDOR_KINDS)


@dataclass
class Bucket:
    key: str
    label: str
    measures: Measures = Measures()
    figure_count: int = 0
    # Figures in the bucket whose high bound is open ("at least"): the bucket is "at least" its low value.
    open_figures: int = 0

    @property
    def high_open(self) -> bool:
        return self.open_figures > 0


@dataclass
class Breakdown:
    dimension: str
    basis: str
    buckets: list[Bucket]
    total: Measures
    figure_count: int
    unconverted: list[int]
    open_figures: int = 0
    measure: str | None = DEFAULT_MEASURE
    year_mode: str = DEFAULT_YEAR_MODE
    # The buckets a grouping for a chart left out (`group(..., largest=n)`), summed into one.
    rest: "Bucket | None" = None

    @property
    def high_open(self) -> bool:
        return self.open_figures > 0

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
    "measure",
    "amount",
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
    """The three values of one converted amount (see the rule on open bounds), or None when it has no USD value."""
    if low is None:
        return None
    if qualifier == Qualifier.RANGE and high is not None:
        return Measures(low, high, (low + high) / TWO)
    if qualifier == Qualifier.UP_TO:
        return Measures(ZERO, low, low)
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
    """Low, high and point of a figure on a basis in mills (see `measures_of`), or None."""
    low_field, high_field = _BASIS_FIELDS[basis]
    low, high = row[low_field], row[high_field]
    if low is None:
        return None
    low = _to_mills(low)
    if row["qualifier"] == Qualifier.RANGE and high is not None:
        high = _to_mills(high)
        return low, high, _divide(low + high, 2)
    if row["qualifier"] == Qualifier.UP_TO:
        return 0, low, low
    return low, low, low


def _shares(stated: int, grows: bool, parts: list[int]) -> tuple[int, list[int]]:
    """
    One value of a headline and its components: the headline's effective value and each
    component's share of it. A headline that is a lower bound ("at least", or the low value of
    "up to") grows to its components' sum; any other scales its components down to fit,
    rounded to the mill, the last share taking the rounding.
    """
    covered = sum(parts)
    if covered <= stated or covered == 0:
        return stated, parts
    if grows:
        return covered, parts
    shares = [_divide(part * stated, covered) for part in parts[:-1]]
    shares.append(max(stated - sum(shares), 0))
    return stated, shares


def _split(total: int, weights: list[Decimal], *, whole: bool = False) -> list[int]:
    """
    `total` mills in proportion to `weights` (which sum to at most 1). With `whole` the weights
    cover all of it and the last part takes the rounding, so the parts add up to `total` exactly.
    Without it the parts never add up to more than `total`: weights that cover it all, rounded
    up past it, have the largest part give back the excess mills.
    """
    parts = [int((Decimal(total) * weight).to_integral_value(ROUND_HALF_EVEN)) for weight in weights]
    if whole and parts:
        parts[-1] = total - sum(parts[:-1])
    elif (excess := sum(parts) - total) > 0:
        largest = parts.index(max(parts))
        parts[largest] -= excess
    return parts


def figure_slices(*, where: Q | None = None, ids: tuple[int, int] | None = None) -> list[Slice]:
    """
    Cut every countable figure that matches `where` (default: all) and whose id lies in the
    half-open range `ids`, if given, into slices, on both bases; a countable figure with no USD
    value on a basis gives one slice without amounts there. Four queries, and two more per
    5,000 components: figures, components, vendors and vendor shares.
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
    component_ids = [row["id"] for row in component_rows]
    vendors = _vendor_sets(countable, component_ids)
    shares = _vendor_shares(countable, component_ids)

    components_by_parent: dict[int, list[dict]] = defaultdict(list)
    for row in component_rows:
        components_by_parent[row["parent_id"]].append(row)

    slices: list[Slice] = []
    for basis in FxBasis.values:
        for top in top_rows:
            slices.extend(_cut(basis, top, components_by_parent.get(top["id"], []), vendors, shares))
    return slices


def _cut(basis: str, top: dict, components: list[dict], vendors: dict, shares: dict) -> list[Slice]:
    """The slices of one countable figure on one basis."""
    stated = _row_mills(top, basis)
    if stated is None:
        return [_slice(basis, top, top, None, (UNSPECIFIED, ()), top["announced_on"].year)]
    parts = [(row, mills) for row in components if (mills := _row_mills(row, basis)) is not None]
    pieces: list[tuple[dict, tuple[int, int, int]]]
    if not parts:
        pieces = [(top, stated)]  # most figures: one part, the whole figure
    else:
        effective, measure_shares = [], []
        for measure in range(3):
            grows = top["qualifier"] == Qualifier.AT_LEAST or (top["qualifier"] == Qualifier.UP_TO and measure == 0)
            value, values = _shares(stated[measure], grows, [mills[measure] for _, mills in parts])
            effective.append(value)
            measure_shares.append(values)
        pieces = [(row, tuple(measure_shares[m][i] for m in range(3))) for i, (row, _) in enumerate(parts)]
        remainder = tuple(max(effective[m] - sum(measure_shares[m]), 0) for m in range(3))
        if remainder != (0, 0, 0):
            pieces.append((top, remainder))
    years = _year_weights(top)
    result = []
    for row, mills in pieces:
        vendor_parts = _allocate_vendors(row, mills, vendors.get(row["id"], ()), shares.get(row["id"], []))
        for vendor, vendor_mills in vendor_parts:
            by_year = [_split(value, [weight for _, weight in years], whole=True) for value in vendor_mills]
            for index, (year, _) in enumerate(years):
                low, high, point = (by_year[m][index] for m in range(3))
                # Each value is shared out on its own, so a part's low share can come out above
                # its high one (components past an "up to" headline: the low value grows to them,
                # the high one scales them down; or a mill of rounding between years). A part is
                # never more certain than its upper bound.
                part = (min(low, high), high, point)
                if part != (0, 0, 0) or len(years) == 1:
                    result.append(_slice(basis, top, row, part, vendor, year))
    return result


def _year_weights(top: dict) -> list[tuple[int, Decimal]]:
    """The calendar years a headline covers, with the share of its days in each; its announcement year if no period."""
    start, end = top["period_start"], top["period_end"]
    if start is None or end is None:
        return [(top["announced_on"].year, ONE)]
    return _year_shares(start, end)


def _allocate_vendors(
    row: dict, mills: tuple[int, int, int], vendor_ids: tuple[int, ...], shares: list[dict]
) -> list[tuple[tuple[str, tuple[int, ...]], tuple[int, int, int]]]:
    """
    A part's money among its chip vendors: each stated share (a vendor's, or a group's once),
    the rest to "unallocated among" the vendors without a share (or among all of them when
    every vendor has one and the shares fall short), nothing to anyone where no vendor is
    named. Shares that add up to more than the whole are scaled down to fit.
    """
    if not vendor_ids:
        return [((UNSPECIFIED, ()), mills)]
    stated: dict[str, tuple[tuple[int, ...], tuple[Decimal, Decimal, Decimal]]] = {}
    with_share: set[int] = set()
    for share in shares:
        if share["vendor_id"] not in vendor_ids:
            continue
        fractions = _share_fractions(share, row["amount"])
        if fractions is None:
            continue
        with_share.add(share["vendor_id"])
        key = f"group:{share['group']}" if share["group"] else f"vendor:{share['vendor_id']}"
        members = stated[key][0] + (share["vendor_id"],) if key in stated else (share["vendor_id"],)
        stated[key] = (members, fractions)
    allocated: list[tuple[tuple[str, tuple[int, ...]], list[int]]] = []
    for members, _ in stated.values():
        kind = GROUP if len(members) > 1 else SHARE
        allocated.append(((kind, tuple(sorted(members))), [0, 0, 0]))
    for measure in range(3):
        weights = [fractions[measure] for _, fractions in stated.values()]
        if sum(weights) > ONE:
            weights = [weight / sum(weights) for weight in weights]
        parts = _split(mills[measure], weights)
        for (_, values), value in zip(allocated, parts, strict=True):
            values[measure] = value
    result = [(vendor, tuple(values)) for vendor, values in allocated if any(values)]
    rest = tuple(mills[m] - sum(values[m] for _, values in allocated) for m in range(3))
    if any(rest):
        without = tuple(sorted(set(vendor_ids) - with_share)) or tuple(sorted(vendor_ids))
        result.append(((UNALLOCATED, without), rest))
    return result or [((UNALLOCATED, tuple(sorted(vendor_ids))), mills)]


def _share_fractions(share: dict, stated_amount: Decimal) -> tuple[Decimal, Decimal, Decimal] | None:
    """A share as fractions of the part for low, high and point, or None where the source gives no share."""
    if share["share_percent"] is not None:
        low = share["share_percent"] / 100
        high = (share["share_percent_high"] / 100) if share["share_percent_high"] is not None else low
        return low, high, (low + high) / TWO
    if share["share_amount"] is not None and stated_amount:
        fraction = min(share["share_amount"] / stated_amount, ONE)
        return fraction, fraction, fraction
    return None


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


_SHARE_FIELDS = ("investment_id", "vendor_id", "share_percent", "share_percent_high", "share_amount", "group")


def _vendor_shares(countable: QuerySet, component_ids: list[int]) -> dict[int, list[dict]]:
    """The stated vendor shares of the countable figures and of these components, by figure id."""
    rows = list(VendorShare.objects.filter(investment__in=countable.values("pk")).values(*_SHARE_FIELDS))
    for start in range(0, len(component_ids), _VENDOR_ID_BATCH):
        batch = component_ids[start : start + _VENDOR_ID_BATCH]
        rows.extend(VendorShare.objects.filter(investment_id__in=batch).values(*_SHARE_FIELDS))
    result: dict[int, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["investment_id"], r["vendor_id"])):
        result[row["investment_id"]].append(row)
    return result


def _slice(
    basis: str,
    top: dict,
    row: dict,
    mills: tuple[int, int, int] | None,
    vendor: tuple[str, tuple[int, ...]],
    year: int,
) -> Slice:
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
        vendor_ids=vendor[1],
        measure=top["measure"],
        year=year,
        high_open=top["qualifier"] == Qualifier.AT_LEAST,
        vendor_kind=vendor[0],
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
_SUMS = {
    "low": Sum("low_mills"),
    "high": Sum("high_mills"),
    "point": Sum("point_mills"),
    "figures": Count("figure_id", distinct=True),
    "open_figures": Count("figure_id", distinct=True, filter=Q(high_open=True)),
}


def _year_shares(start: date, end: date) -> list[tuple[int, Decimal]]:
    """How a period splits over calendar years, in proportion to days."""
    total_days = Decimal((end - start).days + 1)
    shares = []
    for year in range(start.year, end.year + 1):
        first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
        shares.append((year, Decimal((last - first).days + 1) / total_days))
    return shares


class _Grouped:
    """
    What SliceSet and RollupSet share: the total, the figures left out unconverted and the
    breakdowns built from them, each grouping read once. A subclass reads `_total_row`,
    `unconverted` and `_rows` from its own table.
    """

    model: type[Model]  # the table read: one row per slice, or per company's group

    def __init__(self, basis: str, rows: QuerySet | None = None, *, measure: str | None = DEFAULT_MEASURE):
        self.basis = str(FxBasis(basis))
        self.measure = measure
        if rows is None:
            rows = self.model.objects.filter(basis=self.basis)
            if measure is not None:
                rows = rows.filter(measure=measure)
        self.rows = rows
        self._groups: dict[tuple[str, str], Breakdown] = {}

    @property
    def totals(self) -> tuple[Measures, int]:
        found = self._total_row
        return Measures.from_mills(found["low"], found["high"], found["point"]), found["figures"] or 0

    @property
    def open_figures(self) -> int:
        return self._total_row["open_figures"] or 0

    def group(self, dimension: str, *, year_mode: str = DEFAULT_YEAR_MODE, largest: int | None = None) -> Breakdown:
        """
        Totals grouped by `dimension`, largest first and "unspecified" last; years in order.
        Each grouping is read once per SliceSet: a page asks for some twice (the dashboard's
        years and companies, for its cards and its chart). With `largest`, what a chart of at
        most that many bars shows: if there are more buckets, the largest but one and every
        "unspecified" one, the others summed into `rest` ("Other (n)").
        """
        _check(dimension, year_mode)
        key = (dimension, year_mode, largest)
        if key not in self._groups:
            rows = self._rows(dimension, year_mode, split=None)
            rest = None
            if largest is not None and dimension != "year":
                rows, rest = _keep_largest(dimension, rows, largest)
            buckets = self._labelled(dimension, rows, split=None)[None]
            total, figure_count = self.totals
            self._groups[key] = _breakdown(
                dimension,
                self.basis,
                buckets,
                total,
                figure_count,
                self.unconverted,
                open_figures=self.open_figures,
                measure=self.measure,
                year_mode=year_mode,
                rest=rest,
            )
        return self._groups[key]

    def _buckets(self, dimension: str, year_mode: str, *, split: str | None) -> dict[str | None, list[Bucket]]:
        """The buckets of `dimension`, apart for each value of the `split` field (None: one set)."""
        return self._labelled(dimension, self._rows(dimension, year_mode, split=split), split=split)

    @staticmethod
    def _labeller(dimension: str, rows: list[dict]):
        """The key and label of a grouped row of `dimension`: (slug, name), (code, country), vendors named..."""
        if dimension == "company":
            return lambda row: (row["company__slug"], row["company__name"])
        if dimension == "country":
            return lambda row: (str(row["company__country"]), countries.name(row["company__country"]) or "")
        if dimension == "year":
            return lambda row: (str(row.get("year", row.get("announced_year"))),) * 2
        if dimension == "vendor":
            # A bucket per vendor, shared group or unallocated set, named after them: one query for the names.
            ids = {int(part) for row in rows for part in row["vendors"].split(",") if part}
            names = {
                pk: (slug, name)
                for pk, slug, name in Company.objects.filter(pk__in=ids).values_list("pk", "slug", "name")
            }
            return lambda row: vendor_bucket(row["vendor_kind"], row["vendors"], names)
        labels = _CHOICE_LABELS[dimension]
        return lambda row: (row[dimension], labels.get(row[dimension], row[dimension]))

    def _labelled(self, dimension: str, rows: list[dict], *, split: str | None) -> dict[str | None, list[Bucket]]:
        """Grouped rows (`_rows`) as buckets, named, apart for each value of `split`."""
        label = self._labeller(dimension, rows)
        result: dict[str | None, list[Bucket]] = defaultdict(list)
        if split is None:
            result[None] = []
        for row in rows:
            key, text = label(row)
            result[row[split] if split else None].append(
                Bucket(
                    key,
                    text,
                    Measures.from_mills(row["low"], row["high"], row["point"]),
                    row["figures"] or 0,
                    row["open_figures"] or 0,
                )
            )
        return result

    def group_per_company(self, dimension: str, *, year_mode: str = DEFAULT_YEAR_MODE) -> dict[str, Breakdown]:
        """A breakdown of each company's slices by `dimension`, by company slug: three queries for all companies."""
        return self.group_by_each("company__slug", dimension, year_mode=year_mode)


class SliceSet(_Grouped):
    """
    The stored slices of a set of countable figures of one measure on one USD basis, grouped
    in SQL by any dimension. Narrow it with `filter` (slice fields: `company__slug`,
    `figure__in`...) or `in_year`. The total and the figures left out unconverted are read once
    and shared by every grouping; `group_per_company` breaks every company down in one query
    rather than one each. `measure=None` takes the figures' own measure, for a set the caller
    knows to be of one measure (one figure's page).
    """

    model = FigureSlice

    def filter(self, *args, **kwargs) -> "SliceSet":
        return SliceSet(self.basis, self.rows.filter(*args, **kwargs), measure=self.measure)

    def in_year(self, year: int, *, year_mode: str = DEFAULT_YEAR_MODE) -> "SliceSet":
        """The parts of the figures that fall in `year`: spread over periods, or by announcement year."""
        _check("year", year_mode)
        return self.filter(year=year) if year_mode == "spread" else self.filter(announced_on__year=year)

    @property
    def _converted(self) -> QuerySet:
        return self.rows.filter(point_mills__isnull=False).order_by()

    @cached_property
    def _total_row(self) -> dict:
        return self._converted.aggregate(**_SUMS)

    @cached_property
    def unconverted(self) -> list[int]:
        """The countable figures left out for want of a USD value on this basis, by id."""
        missing = self.rows.filter(point_mills__isnull=True).order_by("figure_id").distinct()
        return list(missing.values_list("figure_id", flat=True))

    def group_by_each(self, field: str, dimension: str, *, year_mode: str = DEFAULT_YEAR_MODE) -> dict[str, Breakdown]:
        """
        A breakdown by `dimension` for each value of a slice field (`company__slug`, `measure`), in
        three queries whatever the number of values. Values with only unconverted figures are kept.
        """
        _check(dimension, year_mode)
        per_value = self._buckets(dimension, year_mode, split=field)
        totals = {row[field]: row for row in self._converted.values(field).annotate(**_SUMS)}
        missing = self.rows.filter(point_mills__isnull=True).order_by("figure_id").distinct()
        unconverted: dict[str, list[int]] = defaultdict(list)
        for figure_id, value in missing.values_list("figure_id", field):
            unconverted[value].append(figure_id)
        result = {}
        for value in [*totals, *(value for value in unconverted if value not in totals)]:
            row = totals.get(value, {})
            total = Measures.from_mills(row.get("low"), row.get("high"), row.get("point"))
            result[value] = _breakdown(
                dimension,
                self.basis,
                per_value.get(value, []),
                total,
                row.get("figures", 0),
                unconverted.get(value, []),
                open_figures=row.get("open_figures", 0),
                measure=value if field == "measure" else self.measure,
                year_mode=year_mode,
            )
        return result

    def _grouped(self, rows: QuerySet, fields: list[str]) -> list[dict]:
        # Ordered by the grouping, so buckets of equal size are listed in the same order every time.
        return list(rows.values(*fields).annotate(**_SUMS).order_by(*fields))

    def _rows(self, dimension: str, year_mode: str, *, split: str | None) -> list[dict]:
        """The slices grouped by `dimension` (and `split`), as rows of the grouping's fields and sums."""
        rows_source = self._converted
        fields = {
            "company": ["company__slug", "company__name"],
            "country": ["company__country"],
            "vendor": ["vendor_kind", "vendors"],
        }.get(dimension, [dimension])
        if dimension == "year" and year_mode == "announcement":
            rows_source = rows_source.annotate(announced_year=ExtractYear("announced_on"))
            fields = ["announced_year"]
        return self._grouped(rows_source, [*fields, *([split] if split else [])])


_ROLLUP_SUMS = {
    "low": Sum("low_mills"),
    "high": Sum("high_mills"),
    "point": Sum("point_mills"),
    "figures": Sum("figures"),
    "open_figures": Sum("open_figures"),
}
# The slice fields a `RollupSet` can narrow by: rollups are kept per company.
_COMPANY_LOOKUPS = frozenset(
    {"company", "company_id", "company__in", "company_id__in", "company__slug", "company__slug__in"}
)


class RollupSet(_Grouped):
    """
    What `SliceSet` answers, read from the rollups of totals (`CompanyRollup`: each company's
    slices already grouped by year, scope, category, workload and vendor) instead of the
    slices: the totals of every company, or of some (`filter(company...)`), by any dimension,
    in a fixed number of small queries whatever the number of figures. A figure belongs to
    one company, so every sum here, figure counts included, is a sum of companies' rows.

    Any other narrowing (a figure's attributes, dates, vendors) needs the slices themselves:
    `filter` then returns the `SliceSet` of the same figures.

    Without a company filter, the total and every grouping but by company or country read the
    rows of all companies already summed (`OverallRollup`): a few rows, not one per company.
    """

    model = CompanyRollup

    def __init__(
        self,
        basis: str,
        rows: QuerySet | None = None,
        *,
        measure: str | None = DEFAULT_MEASURE,
        company_filters: tuple[dict, ...] = (),
    ):
        super().__init__(basis, rows, measure=measure)
        self._company_filters = company_filters

    def filter(self, *args, **kwargs) -> "RollupSet | SliceSet":
        if args or not kwargs or set(kwargs) - _COMPANY_LOOKUPS:
            slices = SliceSet(self.basis, measure=self.measure)
            for lookups in self._company_filters:
                slices = slices.filter(**lookups)
            return slices.filter(*args, **kwargs)
        return RollupSet(
            self.basis,
            self.rows.filter(**kwargs),
            measure=self.measure,
            company_filters=(*self._company_filters, kwargs),
        )

    def _of(self, dimension: str, year_mode: str = "") -> QuerySet:
        return self.rows.filter(dimension=dimension, year_mode=year_mode).order_by()

    def _summed(self, dimension: str, year_mode: str = "") -> QuerySet:
        """Rows of `dimension` to sum: of all companies at once where no company is chosen, else of each."""
        if self._company_filters:
            return self._of(dimension, year_mode)
        rows = OverallRollup.objects.filter(basis=self.basis, dimension=dimension, year_mode=year_mode)
        return (rows if self.measure is None else rows.filter(measure=self.measure)).order_by()

    @cached_property
    def _total_row(self) -> dict:
        return self._summed(CompanyRollup.Dimension.TOTAL).aggregate(**_ROLLUP_SUMS)

    @cached_property
    def unconverted(self) -> list[int]:
        """The countable figures left out for want of a USD value on this basis, by id (a row each)."""
        return sorted(int(key) for key in self._of(CompanyRollup.Dimension.UNCONVERTED).values_list("key", flat=True))

    def group_by_each(self, field: str, dimension: str, *, year_mode: str = DEFAULT_YEAR_MODE) -> dict[str, Breakdown]:
        """A breakdown by `dimension` for each value of `field` (`company__slug`, `measure`), as `SliceSet` gives it."""
        _check(dimension, year_mode)
        per_value = self._buckets(dimension, year_mode, split=field)
        source = self._of if field.startswith("company") else self._summed
        totals = {
            row[field]: row
            for row in source(CompanyRollup.Dimension.TOTAL).values(field).annotate(**_ROLLUP_SUMS).order_by(field)
        }
        unconverted: dict[str, list[int]] = defaultdict(list)
        missing = self._of(CompanyRollup.Dimension.UNCONVERTED).values_list("key", field)
        for figure_id, value in sorted((int(key), value) for key, value in missing):
            unconverted[value].append(figure_id)
        result = {}
        for value in [*totals, *(value for value in unconverted if value not in totals)]:
            row = totals.get(value, {})
            result[value] = _breakdown(
                dimension,
                self.basis,
                per_value.get(value, []),
                Measures.from_mills(row.get("low"), row.get("high"), row.get("point")),
                row.get("figures") or 0,
                unconverted.get(value, []),
                open_figures=row.get("open_figures") or 0,
                measure=value if field == "measure" else self.measure,
                year_mode=year_mode,
            )
        return result

    def buyers(self, vendor_id: int, *, year_mode: str = DEFAULT_YEAR_MODE) -> Breakdown:
        """
        Who buys from a chip vendor: each buying company's vendor buckets that include the vendor
        (its stated share, a share held with others, money unallocated among vendors that include
        it), each apart and keyed `company-slug:bucket`, largest first; the total and figure count
        of all the money that names the vendor, each figure counted once.
        """
        Dimension = CompanyRollup.Dimension
        naming = names_vendor(vendor_id)
        rows = list(
            self._of(Dimension.VENDOR)
            .filter(naming)
            .values("company__slug", "company__name", "vendors", vendor_kind=F("key"))
            .annotate(**_ROLLUP_SUMS)
            .order_by()
        )
        label = self._labeller("vendor", rows)
        buckets = []
        for row in rows:
            key, text = label(row)
            buckets.append(
                Bucket(
                    f"{row['company__slug']}:{key}",
                    f"{row['company__name']} · {text}",
                    Measures.from_mills(row["low"], row["high"], row["point"]),
                    row["figures"],
                    row["open_figures"],
                )
            )
        buckets.sort(key=lambda bucket: (-bucket.measures.point, bucket.key))
        total = self._of(Dimension.BUYER).filter(vendors=str(vendor_id)).aggregate(**_ROLLUP_SUMS)
        missing = self._of(Dimension.UNCONVERTED).filter(naming).values_list("key", flat=True)
        unconverted = sorted(int(key) for key in missing)
        return Breakdown(
            "company",
            self.basis,
            buckets,
            Measures.from_mills(total["low"], total["high"], total["point"]),
            total["figures"] or 0,
            unconverted,
            total["open_figures"] or 0,
            self.measure,
            year_mode,
        )

    def _rows(self, dimension: str, year_mode: str, *, split: str | None) -> list[dict]:
        """The rows of `dimension` (apart for each value of `split`) summed, shaped as `SliceSet` groups them."""
        Dimension = CompanyRollup.Dimension
        # Apart for each company: its own rows; else the rows of all companies summed, if kept.
        rows_of = self._of if split is not None and split.startswith("company") else self._summed
        if dimension in ("company", "country"):
            source = self._of(Dimension.TOTAL)
            fields = ["company__slug", "company__name"] if dimension == "company" else ["company__country"]
        elif dimension == "year":
            source, fields = rows_of(Dimension.YEAR, year_mode), ["key"]
        elif dimension == "vendor":
            source, fields = rows_of(Dimension.VENDOR), ["key", "vendors"]
        else:
            source, fields = rows_of(dimension), ["key"]
        grouped = list(source.values(*fields, *([split] if split else [])).annotate(**_ROLLUP_SUMS).order_by(*fields))
        rows = []
        for row in grouped:
            if "key" in row:
                if dimension == "vendor":
                    row["vendor_kind"] = row.pop("key")
                else:
                    row[dimension] = row.pop("key")
            rows.append(row)
        return rows


def names_vendor(vendor_id: int) -> Q:
    """Rows whose `vendors` (ids joined by commas, as slices and rollups hold them) include this vendor."""
    return (
        Q(vendors=str(vendor_id))
        | Q(vendors__startswith=f"{vendor_id},")
        | Q(vendors__endswith=f",{vendor_id}")
        | Q(vendors__contains=f",{vendor_id},")
    )


def vendor_bucket(kind: str, vendors: str, names: dict[int, tuple[str, str]]) -> tuple[str, str]:
    """
    The key and label of a vendor bucket: "nvidia" / "Nvidia" for a stated share,
    "cambricon+huawei" / "Cambricon + Huawei (shared)" for a group's share,
    "unallocated:cambricon+huawei" / "Unallocated among Cambricon, Huawei" for money no share covers.
    """
    members = sorted((names[int(part)] for part in vendors.split(",") if part), key=lambda vendor: vendor[1])
    slugs, labels = "+".join(slug for slug, _ in members), [name for _, name in members]
    if kind == UNSPECIFIED or not members:
        return UNSPECIFIED, "Unspecified"
    if kind == UNALLOCATED:
        return f"{UNALLOCATED}:{slugs}", f"Unallocated among {', '.join(labels)}"
    if kind == GROUP:
        return slugs, f"{' + '.join(labels)} (shared)"
    return slugs, labels[0]


def _check(dimension: str, year_mode: str) -> None:
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; choose one of {', '.join(DIMENSIONS)}.")
    if year_mode not in YEAR_MODES:
        raise ValueError(f"Unknown year mode {year_mode!r}; choose one of {', '.join(YEAR_MODES)}.")


def _breakdown(
    dimension: str,
    basis: str,
    buckets: list[Bucket],
    total: Measures,
    figure_count: int,
    unconverted: list[int],
    *,
    open_figures: int = 0,
    measure: str | None = DEFAULT_MEASURE,
    year_mode: str = DEFAULT_YEAR_MODE,
    rest: Bucket | None = None,
) -> Breakdown:
    ordered = sorted(
        buckets,
        key=lambda b: (
            b.key == UNSPECIFIED or b.key.startswith(f"{UNALLOCATED}:"),
            -b.measures.point if dimension != "year" else int(b.key),
        ),
    )
    return Breakdown(
        dimension, basis, ordered, total, figure_count, unconverted, open_figures, measure, year_mode, rest
    )


OTHER = "other"


def _keep_largest(dimension: str, rows: list[dict], largest: int) -> tuple[list[dict], Bucket | None]:
    """
    Of grouped rows (`_rows`), those a chart of at most `largest` bars shows: all of them if
    they fit; else every "unspecified" one and the largest others but one, in the order
    `_breakdown` lists them (money unallocated among vendors after the rest), and the others
    summed into an "Other (n)" bucket. Done before the rows are named and made buckets: at a
    million figures a grouping by vendor has tens of thousands of rows.
    """
    if len(rows) <= largest:
        return rows, None

    def unspecified(row: dict) -> bool:
        if dimension == "vendor":
            return row["vendor_kind"] == UNSPECIFIED or not row["vendors"]
        return row.get(dimension) == UNSPECIFIED

    named = sorted(
        (row for row in rows if not unspecified(row)),
        key=lambda row: (dimension == "vendor" and row["vendor_kind"] == UNALLOCATED, -row["point"]),
    )
    kept, left = named[: largest - 1], named[largest - 1 :]
    summed = Measures.from_mills(*(sum(row[name] for row in left) for name in ("low", "high", "point")))
    rest = Bucket(OTHER, f"Other ({len(left)})", summed)
    return [*kept, *(row for row in rows if unspecified(row))], rest


# Figures chosen by a filter that `slice_set` reads as a list of ids before their slices.
ORIGINS_LISTED = 2_000


def slice_set(
    *,
    basis: str = FxBasis.ANNOUNCEMENT,
    investments: QuerySet | None = None,
    origins: QuerySet | None = None,
    measure: str | None = DEFAULT_MEASURE,
) -> "SliceSet | RollupSet":
    """
    The slices of the countable figures of `measure` among `investments` (default: all).
    Without `investments` or `origins`, the rollups of those slices (`RollupSet`), which
    narrow by company and answer the same.
    `origins` is a filtered set of figures of any level (the API's and pages' FilterSet):
    a headline in it counts whole, and a component in it counts without its headline, so
    `?scope=overseas` totals ByteDance's overseas component alone while
    `?company=bytedance&top_level=true` totals the headline. A headline without a USD value
    is reported when it or one of its components is among the origins.
    """
    if investments is None and origins is None:
        return RollupSet(basis, measure=measure)
    slices = SliceSet(basis, measure=measure)
    if investments is not None:
        slices = slices.filter(figure__in=investments.values("pk"))
    if origins is not None:
        listed = list(origins.order_by().values_list("pk", "parent_id")[: ORIGINS_LISTED + 1])
        if len(listed) <= ORIGINS_LISTED:
            # A few figures (a search, a company): their ids as a list, and only the slices of
            # their headlines (a slice's `figure` is its headline), read by index. With the
            # filter as a subquery, PostgreSQL tested every slice against it.
            ids = [pk for pk, _ in listed]
            parents = sorted({parent for _, parent in listed if parent is not None})
            slices = slices.filter(figure__in=sorted({*ids, *parents}))
        else:
            ids = origins.order_by().values("pk")
            parents = origins.order_by().filter(parent__isnull=False).values("parent")
        slices = slices.filter(Q(figure__in=ids) | Q(origin__in=ids) | Q(point_mills__isnull=True, figure__in=parents))
    return slices


def breakdown(
    *,
    dimension: str,
    basis: str = FxBasis.ANNOUNCEMENT,
    investments: QuerySet | None = None,
    origins: QuerySet | None = None,
    year_mode: str = DEFAULT_YEAR_MODE,
    measure: str | None = DEFAULT_MEASURE,
) -> Breakdown:
    """
    Totals of countable figures of one measure grouped by `dimension`, in USD on `basis`;
    `investments` and `origins` choose the figures as in `slice_set`. Buckets are sorted
    largest first, "unspecified" and "unallocated" last.
    """
    return slice_set(basis=basis, investments=investments, origins=origins, measure=measure).group(
        dimension, year_mode=year_mode
    )


def company_totals(
    *, basis: str = FxBasis.ANNOUNCEMENT, investments: QuerySet | None = None, measure: str = DEFAULT_MEASURE
) -> Breakdown:
    """Per-company totals of one measure that count each headline once; the home page's table."""
    return breakdown(dimension="company", basis=basis, investments=investments, measure=measure)
