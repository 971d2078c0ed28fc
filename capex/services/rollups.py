"""
Keeping the rollups of totals (`CompanyRollup`) in step with the stored slices.

A company's rollup rows are its slices grouped the way `capex.selectors.SliceSet` groups
them: its total, each year (both year views), each scope, category, workload and vendor
bucket, its money that names each chip vendor (what a vendor's page lists as its buyers),
and its unconverted figures. Every writer of slices calls in here in its own
transaction: `slices_refresh_for` for the companies whose slices it rewrote (a publish,
a return to draft, an edit's conversion, a revision), the delete of a figure for its
company, and the full rebuild of the slices for every company. So a reader sees a company's
rollups and slices from the same commit, and a rolled-back publish leaves both as they were.

A refresh recomputes whole companies from their slices rather than adding differences: a
company's slices are few and indexed by company, and a recomputed row cannot drift.

The rows of every company summed (`OverallRollup`, what the dashboard and the unfiltered
stats read) do take the difference: a refresh adds what its companies' new rows hold less
what their old rows held, group by group, in the same transaction. Summing every company's
rows again would read tens of thousands of rows per group on each publish. The full rebuild
sums them afresh, so any drift would not outlive the next rebuild, and the tests hold the
difference to the fresh sum.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from capex.models import CompanyRollup, FigureSlice, Investment, OverallRollup
from config.bulk import TableWriter, vacuum_analyze

Dimension = CompanyRollup.Dimension
# Refreshes of rollups take turns (PostgreSQL advisory lock; SQLite serialises writers anyway):
# two publishes of one company's figures would otherwise both insert its new rows.
LOCK_KEY = 7_310_552_012

_SUMS = {
    "low_mills": Sum("low_mills"),
    "high_mills": Sum("high_mills"),
    "point_mills": Sum("point_mills"),
    "figures": Count("figure_id", distinct=True),
    "open_figures": Count("figure_id", distinct=True, filter=Q(high_open=True)),
}
_GROUP = ("basis", "measure", "company_id")


def _groupings(slices: QuerySet) -> Iterator[list[dict]]:
    """Every rollup row of these slices, as dicts of field values, a list per grouping: nine grouped queries."""
    converted = slices.filter(point_mills__isnull=False).order_by()
    yield [{**row, "dimension": Dimension.TOTAL.value} for row in converted.values(*_GROUP).annotate(**_SUMS)]
    yield [
        {**row, "dimension": Dimension.YEAR.value, "year_mode": "spread", "key": str(row.pop("year"))}
        for row in converted.values(*_GROUP, "year").annotate(**_SUMS)
    ]
    announced = converted.annotate(announced_year=ExtractYear("announced_on"))
    yield [
        {
            **row,
            "dimension": Dimension.YEAR.value,
            "year_mode": "announcement",
            "key": str(row.pop("announced_year")),
        }
        for row in announced.values(*_GROUP, "announced_year").annotate(**_SUMS)
    ]
    for dimension in (Dimension.SCOPE, Dimension.CATEGORY, Dimension.WORKLOAD):
        yield [
            {**row, "dimension": dimension.value, "key": row.pop(dimension.value)}
            for row in converted.values(*_GROUP, dimension.value).annotate(**_SUMS)
        ]
    yield [
        {**row, "dimension": Dimension.VENDOR.value, "key": row.pop("vendor_kind")}
        for row in converted.values(*_GROUP, "vendor_kind", "vendors").annotate(**_SUMS)
    ]
    yield _buyers(converted)
    yield _unconverted(slices)


def _unconverted(slices: QuerySet) -> list[dict]:
    """One row per figure left out unconverted, naming the vendors its slices name."""
    missing = slices.filter(point_mills__isnull=True).order_by().values_list(*_GROUP, "figure_id", "vendors")
    named: dict[tuple, set[str]] = defaultdict(set)
    for *group, figure_id, vendors in missing.distinct():
        named[(*group, figure_id)].update(part for part in vendors.split(",") if part)
    return [
        {
            "basis": basis,
            "measure": measure,
            "company_id": company_id,
            "dimension": Dimension.UNCONVERTED.value,
            "key": str(figure_id),
            "vendors": _joined(vendor_ids),
            "figures": 1,
        }
        for (basis, measure, company_id, figure_id), vendor_ids in named.items()
    ]


def _joined(vendor_ids: Iterable[str]) -> str:
    return ",".join(sorted(vendor_ids, key=int))


def _buyers(converted: QuerySet) -> list[dict]:
    """
    Each company's money that names each chip vendor, in any bucket (its stated share, a shared
    one, money unallocated among vendors that include it): one row per vendor, with the distinct
    figures behind it. A figure can be in two buckets that name one vendor, so these rows are
    not sums of the vendor rows. Slices name their vendors as a list of ids, so the rows are
    summed here from the slices grouped by figure.
    """
    sums: dict[tuple, list] = {}
    per_figure = (
        converted.exclude(vendors="")
        .values_list(*_GROUP, "vendors", "figure_id", "high_open")
        .annotate(low=Sum("low_mills"), high=Sum("high_mills"), point=Sum("point_mills"))
    )
    for basis, measure, company_id, vendors, figure_id, high_open, low, high, point in per_figure:
        for vendor_id in vendors.split(","):
            # A converted slice has all three amounts (FigureSlice's check constraint).
            found = sums.setdefault((basis, measure, company_id, vendor_id), [0, 0, 0, set(), set()])
            found[0] += low
            found[1] += high
            found[2] += point
            found[3].add(figure_id)
            if high_open:
                found[4].add(figure_id)
    return [
        {
            "basis": basis,
            "measure": measure,
            "company_id": company_id,
            "dimension": Dimension.BUYER.value,
            "vendors": vendor_id,
            "low_mills": low,
            "high_mills": high,
            "point_mills": point,
            "figures": len(figures),
            "open_figures": len(open_figures),
        }
        for (basis, measure, company_id, vendor_id), (low, high, point, figures, open_figures) in sums.items()
    ]


def rollups_write(slices: QuerySet, *, model: type[CompanyRollup] = CompanyRollup) -> int:
    """
    Store the rollup rows of these slices in `model` (the migration that adds the table passes
    its historical model); the caller deletes the rows they replace.
    """
    writer = TableWriter(model, database_ids=True)
    # One grouping at a time, each read in full before it is written: PostgreSQL runs no query
    # on a connection while it COPYs into it, and every grouping held at once is several times
    # the memory of the largest.
    return sum(writer.write(rows) for rows in _groupings(slices))


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


@transaction.atomic
def refresh_company_rollups(company_ids: Iterable[int]) -> int:
    """
    Recompute the rollup rows of these companies from their stored slices, in the caller's
    transaction (the one that rewrote the slices); returns the rows written.
    """
    ids = sorted(set(company_ids))
    if not ids:
        return 0
    _lock()
    rows = CompanyRollup.objects.filter(company_id__in=ids)
    before = _overall_sums(rows)
    rows.delete()
    written = rollups_write(FigureSlice.objects.filter(company_id__in=ids))
    _overall_add(_overall_sums(rows), before)
    return written


@transaction.atomic
def rollups_rebuild() -> int:
    """Recompute every rollup row from the stored slices (after a full rebuild of the slices)."""
    _lock()
    CompanyRollup.objects.all().delete()
    written = rollups_write(FigureSlice.objects.all())
    overall_rebuild()
    # Every row now has a dead former version, which the indexes still point at until a
    # vacuum (autovacuum comes when it comes, or never on a server with it off): vacuumed
    # once the rebuild commits, so the pages' reads by index stay short.
    transaction.on_commit(lambda: vacuum_analyze(CompanyRollup, OverallRollup), robust=True)
    return written


# The groups summed over every company: all but a figure's own rows (unconverted) and the
# buyers of a vendor (read per vendor, a few rows per buying company).
_OVERALL = [Dimension.TOTAL, Dimension.YEAR, Dimension.SCOPE, Dimension.CATEGORY, Dimension.WORKLOAD, Dimension.VENDOR]
_OVERALL_GROUP = ("basis", "dimension", "measure", "year_mode", "key", "vendors")
_AMOUNTS = ("low_mills", "high_mills", "point_mills", "figures", "open_figures")


def _overall_grouped(company_rows: QuerySet) -> QuerySet:
    return (
        company_rows.filter(dimension__in=_OVERALL)
        .order_by()
        .values(*_OVERALL_GROUP)
        .annotate(**{name: Sum(name) for name in _AMOUNTS})
    )


def _overall_sums(company_rows: QuerySet) -> dict[tuple, tuple]:
    """These company rows summed per overall group: {group: (low, high, point, figures, open figures)}."""
    return {
        tuple(row[name] for name in _OVERALL_GROUP): tuple(row[name] or 0 for name in _AMOUNTS)
        for row in _overall_grouped(company_rows)
    }


def _overall_add(after: dict[tuple, tuple], before: dict[tuple, tuple]) -> None:
    """Add to the overall rows what some companies' rows now hold less what they held."""
    changes = {}
    for group in after.keys() | before.keys():
        new, old = after.get(group, (0,) * 5), before.get(group, (0,) * 5)
        if new != old:
            changes[group] = tuple(n - o for n, o in zip(new, old, strict=True))
    if not changes:
        return
    # Each field narrowed to the values the groups hold (a superset of the groups, matched
    # below): one OR per group would outgrow SQLite's expression limit on a large load.
    candidates = OverallRollup.objects.filter(
        **{f"{name}__in": {group[index] for group in changes} for index, name in enumerate(_OVERALL_GROUP)}
    )
    stored = {tuple(getattr(row, name) for name in _OVERALL_GROUP): row for row in candidates}
    updated, created, emptied = [], [], []
    for group, change in changes.items():
        row = stored.get(group) or OverallRollup(**dict(zip(_OVERALL_GROUP, group, strict=True)))
        for name, difference in zip(_AMOUNTS, change, strict=True):
            setattr(row, name, (getattr(row, name) or 0) + difference)
        if row.figures <= 0:
            if row.pk is not None:
                emptied.append(row.pk)
        elif row.pk is None:
            created.append(row)
        else:
            updated.append(row)
    OverallRollup.objects.filter(pk__in=emptied).delete()
    OverallRollup.objects.bulk_update(updated, _AMOUNTS)
    OverallRollup.objects.bulk_create(created)


def overall_rebuild(
    *, company_model: type[CompanyRollup] = CompanyRollup, model: type[OverallRollup] = OverallRollup
) -> int:
    """Sum every company's rows into the overall rows afresh (the migration that adds the table passes its models)."""
    model.objects.all().delete()
    rows = list(_overall_grouped(company_model.objects.all()))
    return TableWriter(model, database_ids=True).write(rows)


def refresh_after_delete(sender, instance, **kwargs) -> None:
    """
    After a figure is deleted (post_delete), in the deleting transaction: Django has deleted
    the slices that named it (a component's, from its headline's slices), so the rollups of
    the companies those slices belonged to are recomputed from what remains.
    """
    companies = {instance.company_id}
    if instance.parent_id:
        companies |= set(Investment.objects.filter(pk=instance.parent_id).values_list("company_id", flat=True))
    refresh_company_rollups(companies)
