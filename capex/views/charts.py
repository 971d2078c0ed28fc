"""
Charts as data: each chart is a table first (shown without JavaScript, downloadable as CSV)
and a picture second (drawn in the browser by the vendored chart library from the same
numbers). Because the table, the CSV and the picture come from one object, they cannot
disagree.
"""

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from capex.colours import company_colour
from capex.page_selectors import DIMENSION_LABELS, MAX_CHART_BUCKETS, OTHER, CrossTab
from capex.selectors import UNSPECIFIED, Breakdown, Bucket, Measures
from capex.templatetags.capex_format import money_text

CENTS = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")


def usd_raw(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(CENTS, rounding=ROUND_HALF_UP):f}"


def usd_display(value: Decimal | None) -> str:
    return "—" if value is None else money_text(value, "USD")


@dataclass(frozen=True)
class Cell:
    """One table cell: what a reader sees and the exact value behind it (in the CSV and `<data>`)."""

    display: str
    raw: str
    numeric: bool = True


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    footer: list[Cell] | None = None

    def csv_rows(self) -> list[list[str]]:
        rows = [self.headers, *[[cell.raw for cell in row] for row in self.rows]]
        if self.footer:
            rows.append([cell.raw for cell in self.footer])
        return rows


@dataclass
class Series:
    key: str
    label: str
    values: list[Decimal | None]
    # The company's colour (capex.colours) where the series is one company; else the chart's own.
    colour: str | None = None


@dataclass
class Chart:
    """
    A bar chart over categories (years, buckets) with one or more series. `kind` is "bar"
    (vertical) or "hbar" (horizontal, for long category names); `stacked` stacks series.
    """

    id: str
    title: str
    kind: str
    category_label: str
    units: str
    categories: list[tuple[str, str]]
    series: list[Series]
    stacked: bool = False
    summary: str = ""
    note: str = ""
    ranges: list[Measures] | None = None
    show_share: bool = False
    series_shares: bool = False
    # Draw each series as shares of its own total (compare companies of different sizes);
    # the table keeps the amounts and adds the shares.
    plot_shares: bool = False
    muted_keys: set[str] = field(default_factory=set)
    # One colour per category where each category is a company (who buys from a vendor).
    category_colours: list[str | None] | None = None

    @property
    def value_label(self) -> str:
        return "Share of each company's total (%)" if self.plot_shares else "USD, billions"

    @property
    def size(self) -> str:
        """How tall the drawing needs to be: horizontal bars grow with their rows."""
        if self.kind != "hbar":
            return "m"
        rows = len(self.categories) * (1 if self.stacked else max(len(self.series), 1))
        return "s" if rows <= 3 else "m" if rows <= 6 else "l" if rows <= 12 else "xl"

    @property
    def is_empty(self) -> bool:
        return not self.categories

    def totals(self) -> list[Decimal]:
        return [sum((s.values[i] or Decimal(0) for s in self.series), Decimal(0)) for i in range(len(self.categories))]

    def table(self) -> Table:
        row_total = len(self.series) > 1 and self.stacked
        headers = [self.category_label]
        for s in self.series:
            headers.append(f"{s.label} (USD)")
            if self.series_shares:
                headers.append(f"{s.label} share")
        if row_total:
            headers.append("Total (USD)")
        has_ranges = self.ranges is not None and any(m.low != m.high for m in self.ranges)
        if has_ranges:
            headers += ["Low (USD)", "High (USD)"]
        if self.show_share:
            headers.append("Share")
        totals = self.totals()
        grand_total = sum(totals, Decimal(0))
        series_totals = [sum(values) for values in _column_values(self.series)]
        rows = []
        for index, (_, label) in enumerate(self.categories):
            row = [Cell(label, label, numeric=False)]
            for s, series_total in zip(self.series, series_totals, strict=True):
                row.append(Cell(usd_display(s.values[index]), usd_raw(s.values[index])))
                if self.series_shares:
                    value = s.values[index]
                    row.append(share_cell(value, series_total) if value is not None else Cell("—", ""))
            if row_total:
                row.append(Cell(usd_display(totals[index]), usd_raw(totals[index])))
            if has_ranges:
                measures = self.ranges[index]
                row += [
                    Cell(usd_display(measures.low), usd_raw(measures.low)),
                    Cell(usd_display(measures.high), usd_raw(measures.high)),
                ]
            if self.show_share:
                row.append(share_cell(totals[index], grand_total))
            rows.append(row)
        footer = None
        if len(self.categories) > 1:
            footer = [Cell("Total", "Total", numeric=False)]
            for series_total in series_totals:
                footer.append(Cell(usd_display(series_total), usd_raw(series_total)))
                if self.series_shares:
                    footer.append(share_cell(series_total, series_total))
            if row_total:
                footer.append(Cell(usd_display(grand_total), usd_raw(grand_total)))
            if has_ranges:
                low = sum((m.low for m in self.ranges), Decimal(0))
                high = sum((m.high for m in self.ranges), Decimal(0))
                footer += [Cell(usd_display(low), usd_raw(low)), Cell(usd_display(high), usd_raw(high))]
            if self.show_share:
                footer.append(share_cell(grand_total, grand_total))
        return Table(headers, rows, footer)

    def as_json(self) -> dict:
        """
        What the browser draws: values as strings (Decimal-exact), in USD or, when plotting
        shares, in percent; and the text a reader sees for each value.
        """
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "stacked": self.stacked,
            "unit": "percent" if self.plot_shares else "usd",
            "categoryLabel": self.category_label,
            "valueLabel": self.value_label,
            "categories": [label for _, label in self.categories],
            "mutedCategories": [key in self.muted_keys for key, _ in self.categories],
            "categoryColours": self.category_colours,
            "series": [self._series_json(s) for s in self.series],
        }

    def _series_json(self, series: Series) -> dict:
        if not self.plot_shares:
            return {
                "label": series.label,
                "muted": series.key in self.muted_keys,
                "colour": series.colour,
                "values": [usd_raw(v) for v in series.values],
                "display": [usd_display(v) for v in series.values],
            }
        total = sum((v or Decimal(0) for v in series.values), Decimal(0))
        shares = [share_cell(v or Decimal(0), total) for v in series.values]
        return {
            "label": series.label,
            "muted": series.key in self.muted_keys,
            "colour": series.colour,
            "values": [f"{Decimal(cell.raw) * 100:f}" if cell.raw else None for cell in shares],
            "display": [
                f"{cell.display} ({usd_display(v)})" if v is not None else "—"
                for cell, v in zip(shares, series.values, strict=True)
            ],
        }


def _column_values(series: list[Series]) -> list[list[Decimal]]:
    return [[v or Decimal(0) for v in s.values] for s in series]


def share_cell(part: Decimal, whole: Decimal) -> Cell:
    if not whole:
        return Cell("—", "")
    fraction = (part / whole).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
    percent = fraction * 100
    places = Decimal("0.1") if percent < 10 else Decimal(1)
    return Cell(f"{percent.quantize(places, rounding=ROUND_HALF_UP)}%", f"{fraction:f}")


def units(basis_label: str, *, plot_shares: bool = False) -> str:
    if plot_shares:
        return f"Bars: share of each company's total; table: USD at the {basis_label.lower()} and shares"
    return f"USD, billions, at the {basis_label.lower()}"


def _largest_buckets(result: Breakdown) -> Breakdown:
    """The breakdown with its smallest groups summed into one "Other (n)" group, "unspecified" kept apart."""
    named = [b for b in result.buckets if b.key != UNSPECIFIED]
    unspecified = [b for b in result.buckets if b.key == UNSPECIFIED]
    if result.rest is not None:  # grouped for a chart already (`group(..., largest=MAX_CHART_BUCKETS)`)
        return replace(result, buckets=[*named, result.rest, *unspecified])
    if result.dimension == "year" or len(result.buckets) <= MAX_CHART_BUCKETS:
        return result
    shown, rest = named[: MAX_CHART_BUCKETS - 1], named[MAX_CHART_BUCKETS - 1 :]
    other = Bucket(key=OTHER, label=f"Other ({len(rest)})", measures=sum((b.measures for b in rest), Measures()))
    return replace(result, buckets=[*shown, other, *unspecified])


def breakdown_chart(
    result: Breakdown,
    *,
    chart_id: str,
    title: str,
    basis_label: str,
    kind: str = "hbar",
    summary: str = "",
    colour: str | None = None,
) -> Chart:
    """
    One series over the buckets of a breakdown, with each bucket's share of the total. `colour`
    is the company's whose figures these are; a breakdown by company colours each company's bars.
    """
    result = _largest_buckets(result)
    dimension = result.dimension
    muted = {UNSPECIFIED, OTHER}
    category_colours = None
    if dimension == "company":
        # Keys are a company's slug, or "slug:vendor bucket" among a vendor's buyers.
        category_colours = [None if b.key in muted else company_colour(b.key.split(":")[0]) for b in result.buckets]
    return Chart(
        id=chart_id,
        title=title,
        kind=kind,
        category_label=DIMENSION_LABELS.get(dimension, dimension.title()),
        units=units(basis_label),
        categories=[(b.key, b.label) for b in result.buckets],
        series=[Series("total", "Total", [b.measures.point for b in result.buckets], colour=colour)],
        ranges=[b.measures for b in result.buckets],
        show_share=dimension != "year",
        summary=summary or _summary(result),
        note=_unspecified_note(result),
        muted_keys={UNSPECIFIED},
        category_colours=category_colours,
    )


def crosstab_chart(
    table: CrossTab,
    *,
    chart_id: str,
    title: str,
    basis_label: str,
    category_label: str,
    transpose: bool = False,
    stacked: bool = True,
    series_shares: bool = False,
    plot_shares: bool = False,
    kind: str = "bar",
    summary: str = "",
    company_series: bool = False,
) -> Chart:
    """
    A chart of a cross table. Without `transpose`, the table's columns are the categories
    and its rows the series (years along the axis, companies stacked); with it, the other way.
    With `company_series` each series is a company (keyed by slug) and takes its colour.
    """
    if not transpose:
        categories = table.columns
        series = [Series(row.key, row.label, [_point(row.cell(key)) for key, _ in table.columns]) for row in table.rows]
    else:
        categories = [(row.key, row.label) for row in table.rows]
        series = [Series(key, label, [_point(row.cell(key)) for row in table.rows]) for key, label in table.columns]
    muted = {UNSPECIFIED, OTHER}
    if company_series:
        for one in series:
            one.colour = None if one.key in muted else company_colour(one.key)
    return Chart(
        id=chart_id,
        title=title,
        kind=kind,
        category_label=category_label,
        units=units(basis_label, plot_shares=plot_shares),
        categories=categories,
        series=series,
        stacked=stacked,
        series_shares=series_shares,
        plot_shares=plot_shares,
        summary=summary or _series_summary(series),
        note="Ranges count at their midpoint." if _has_ranges(table) else "",
        muted_keys=muted,
    )


def _point(measures: Measures | None) -> Decimal | None:
    """A cell's point value; None where the company or year has nothing (shown as a dash, not $0)."""
    return None if measures is None else measures.point


def _series_summary(series: list[Series]) -> str:
    totals = [(s.label, sum((v or Decimal(0) for v in s.values), Decimal(0))) for s in series]
    return "Totals: " + "; ".join(f"{label}: {usd_display(total)}" for label, total in totals) + "."


def _has_ranges(table: CrossTab) -> bool:
    return any(m.low != m.high for row in table.rows for m in row.cells.values())


def _summary(result: Breakdown) -> str:
    if not result.buckets:
        return "No counted figures."
    parts = [f"{b.label}: {usd_display(b.measures.point)}" for b in result.buckets[:6]]
    more = len(result.buckets) - 6
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "") + "."


def _unspecified_note(result: Breakdown) -> str:
    bucket = result.bucket(UNSPECIFIED)
    if bucket is None or not result.total.point:
        return ""
    return (
        f"Unspecified: {usd_display(bucket.measures.point)} of {usd_display(result.total.point)} "
        "is not broken down by this dimension in the sources."
    )
