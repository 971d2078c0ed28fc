"""
Keeping the rollups of totals (`CompanyRollup`) in step with the stored slices.

A company's rollup rows are its slices grouped the way `capex.selectors.SliceSet` groups
them: its total, each year (both year views), each scope, category, workload and vendor
bucket, and its unconverted figures. Every writer of slices calls in here in its own
transaction: `slices_refresh_for` for the companies whose slices it rewrote (a publish,
a return to draft, an edit's conversion, a revision), the delete of a figure for its
company, and the full rebuild of the slices for every company. So a reader sees a company's
rollups and slices from the same commit, and a rolled-back publish leaves both as they were.

A refresh recomputes whole companies from their slices rather than adding differences: a
company's slices are few and indexed by company, and a recomputed row cannot drift.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from capex.models import CompanyRollup, FigureSlice, Investment
from config.bulk import TableWriter

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


def _groupings(slices: QuerySet) -> Iterable[dict]:
    """Every rollup row of these slices, as dicts of field values: seven grouped queries."""
    converted = slices.filter(point_mills__isnull=False).order_by()
    for row in converted.values(*_GROUP).annotate(**_SUMS):
        yield {**row, "dimension": Dimension.TOTAL.value}
    for row in converted.values(*_GROUP, "year").annotate(**_SUMS):
        yield {**row, "dimension": Dimension.YEAR.value, "year_mode": "spread", "key": str(row.pop("year"))}
    announced = converted.annotate(announced_year=ExtractYear("announced_on"))
    for row in announced.values(*_GROUP, "announced_year").annotate(**_SUMS):
        yield {
            **row,
            "dimension": Dimension.YEAR.value,
            "year_mode": "announcement",
            "key": str(row.pop("announced_year")),
        }
    for dimension in (Dimension.SCOPE, Dimension.CATEGORY, Dimension.WORKLOAD):
        for row in converted.values(*_GROUP, dimension.value).annotate(**_SUMS):
            yield {**row, "dimension": dimension.value, "key": row.pop(dimension.value)}
    for row in converted.values(*_GROUP, "vendor_kind", "vendors").annotate(**_SUMS):
        yield {**row, "dimension": Dimension.VENDOR.value, "key": row.pop("vendor_kind")}
    missing = slices.filter(point_mills__isnull=True).order_by().values(*_GROUP, "figure_id").distinct()
    for row in missing:
        yield {**row, "dimension": Dimension.UNCONVERTED.value, "key": str(row.pop("figure_id")), "figures": 1}


def rollups_write(slices: QuerySet, *, model: type[CompanyRollup] = CompanyRollup) -> int:
    """
    Store the rollup rows of these slices in `model` (the migration that adds the table passes
    its historical model); the caller deletes the rows they replace.
    """
    # Read in full first: PostgreSQL runs no query on a connection while it COPYs into it.
    rows = list(_groupings(slices))
    return TableWriter(model, database_ids=True).write(rows)


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
    CompanyRollup.objects.filter(company_id__in=ids).delete()
    return rollups_write(FigureSlice.objects.filter(company_id__in=ids))


@transaction.atomic
def rollups_rebuild() -> int:
    """Recompute every rollup row from the stored slices (after a full rebuild of the slices)."""
    _lock()
    CompanyRollup.objects.all().delete()
    return rollups_write(FigureSlice.objects.all())


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
