"""
Keeping the stored slices (`FigureSlice`) in step with the figures they come from.

A figure's slices change when it becomes countable or stops being countable (published,
returned to draft, revised by a published figure), when one of its components does, and
when a USD value changes. The workflow calls `slices_refresh_for` with the figures a
transition touched, the conversions call it after every recompute, and the full rebuild
(`slices_refresh`) runs after a recompute of every figure, from `manage.py slices_rebuild`
and daily from beat, as a backstop for a change made outside the services.

Each call rewrites whole headlines in the caller's transaction, and the rollups of their
companies with them (capex.services.rollups), so a reader sees either the old slices and
totals of a figure or the new ones, never a mixture, and a failed rebuild leaves the last
good totals in place.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Max, Min, Q

from capex.models import FigureSlice, Investment
from capex.selectors import Slice, figure_slices
from capex.services.batching import batch_open
from capex.services.rollups import refresh_company_rollups, rollups_rebuild
from config.bulk import TableWriter
from config.cache import data_version_bump

# Headlines cut per pass of a full rebuild: bounds the memory of a rebuild at any table size.
REBUILD_CHUNK = 50_000
# A full rebuild excludes every other writer of slices (PostgreSQL advisory lock; SQLite
# serialises writers anyway): a figure rewritten meanwhile would otherwise be stored twice.
LOCK_KEY = 7_310_552_011


def _lock(*, exclusive: bool) -> None:
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])


def wait_for_rebuild(sender, **kwargs) -> None:
    """
    Before a figure or company is deleted (pre_delete): take the writers' side of the rebuild's
    lock, in the deleting transaction. Django deletes the slices that name it only after the
    pre_delete signals, by their figure, origin or company, so a full rebuild running meanwhile
    either commits first, and the delete then finds the slices in the new table, or waits for
    the delete to commit and does not cut the deleted figure's slices at all. Without this, a
    figure deleted while the rebuild filled its new table kept its slices there.
    """
    _lock(exclusive=False)


# The stored columns, in the order `_values` gives them; checked against the model on first use.
_COLUMNS = (
    "basis",
    "figure_id",
    "origin_id",
    "company_id",
    "announced_on",
    "period_start",
    "period_end",
    "scope",
    "category",
    "workload",
    "vendors",
    "vendor_kind",
    "measure",
    "year",
    "high_open",
    "low_mills",
    "high_mills",
    "point_mills",
)
_NO_MILLS = (None, None, None)


def _values(slices: Iterable[Slice]) -> Iterator[tuple]:
    """Each slice as the tuple of its stored values: two million of them in a full rebuild."""
    for piece in slices:
        yield (
            piece.basis,
            piece.figure_id,
            piece.origin_id,
            piece.company_id,
            piece.announced_on,
            piece.period_start,
            piece.period_end,
            piece.scope,
            piece.category,
            piece.workload,
            ",".join(map(str, piece.vendor_ids)),
            piece.vendor_kind,
            piece.measure,
            piece.year,
            piece.high_open,
            *(piece.mills or _NO_MILLS),
        )


def _write(where: Q | None = None, *, ids: tuple[int, int] | None = None, table: str | None = None) -> int:
    """
    Cut the countable figures that match `where` and `ids` (capex.selectors.figure_slices) and
    store the slices, in the model's table or in `table` (a full rebuild's new one).
    """
    writer = TableWriter(FigureSlice, database_ids=True, table=table)
    if writer.attnames != _COLUMNS:
        raise RuntimeError(f"FigureSlice's columns changed: {writer.attnames}; update _COLUMNS and _values.")
    return writer.write_values(_values(figure_slices(where=where, ids=ids)))


def headlines_touched(investments: Iterable[Investment]) -> set[int]:
    """
    The figures whose headlines' slices a change to these figures can alter: each figure's own
    headline (itself or its parent) and the figure it revises.
    """
    ids: set[int] = set()
    for investment in investments:
        ids.add(investment.parent_id or investment.pk)
        if investment.supersedes_id:
            ids.add(investment.supersedes_id)  # a revised component: `slices_refresh_for` takes it to its headline
    return ids


@transaction.atomic
def slices_refresh_for(*, headline_ids: Iterable[int]) -> int:
    """
    Rewrite the slices of these headline figures (ids of components are taken to their headlines).
    Inside a batch of writes (capex.services.loading) the headlines are noted for its end instead.
    """
    ids = set(headline_ids)
    if not ids:
        return 0
    if (batch := batch_open()) is not None:
        batch.headlines |= ids
        return 0
    ids |= set(Investment.objects.filter(pk__in=ids, parent__isnull=False).values_list("parent_id", flat=True))
    _lock(exclusive=False)
    # Writers of the same headline take turns: each deletes what the one before it wrote.
    list(Investment.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    old = FigureSlice.objects.filter(figure_id__in=ids)
    companies = set(old.order_by().values_list("company_id", flat=True).distinct())
    companies |= set(Investment.objects.filter(pk__in=ids).values_list("company_id", flat=True))
    old.delete()
    written = _write(Q(pk__in=ids))
    refresh_company_rollups(companies)
    data_version_bump()
    return written


@transaction.atomic
def slices_refresh() -> int:
    """
    Rebuild every stored slice, a chunk of headlines at a time, in one transaction. On
    PostgreSQL into a new table that then takes the old one's place (`_swap`); elsewhere by
    deleting and writing the rows again.
    """
    _lock(exclusive=True)
    if connection.vendor == "postgresql":
        with _swap(FigureSlice._meta.db_table) as table:
            written = _write_all(table)
    else:
        FigureSlice.objects.all().delete()
        written = _write_all(None)
    rollups_rebuild()
    data_version_bump()
    return written


def _write_all(table: str | None) -> int:
    bounds = Investment.objects.filter(parent__isnull=True).aggregate(first=Min("pk"), last=Max("pk"))
    written = 0
    if bounds["first"] is not None:
        for start in range(bounds["first"], bounds["last"] + 1, REBUILD_CHUNK):
            written += _write(ids=(start, start + REBUILD_CHUNK), table=table)
    return written


@contextmanager
def _swap(table: str) -> Iterator[str]:
    """
    A new, empty copy of `table` to fill; on leaving, it replaces `table` under the same name,
    with the same columns, constraints and indexes (built once the rows are in, by the old
    ones' definitions), in the caller's transaction (PostgreSQL's DDL is transactional).

    Deleting and inserting every row, as before, left the table twice its size until a vacuum,
    and every total scans it. Readers keep the old table until the transaction commits; they
    wait only for the renames at the end, not for the rebuild.
    """
    fresh = f"{table}_rebuilt"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(fresh)}")
        cursor.execute(f"CREATE TABLE {quote(fresh)} (LIKE {quote(table)} INCLUDING ALL EXCLUDING INDEXES)")
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, c.contype "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
            "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
            [table],
        )
        indexes = cursor.fetchall()
    yield fresh
    with connection.cursor() as cursor:
        built = []
        for number, (name, definition, constraint, kind) in enumerate(indexes):
            temporary = f"{fresh}_index_{number}"
            # "CREATE [UNIQUE] INDEX name ON schema.table USING ...", for the new table.
            head, _, tail = definition.partition(" ON ")
            create = head.rsplit(" ", 1)[0]
            method_and_columns = tail.partition(" ")[2]
            cursor.execute(f"{create} {quote(temporary)} ON {quote(fresh)} {method_and_columns}")
            built.append((name, temporary, constraint, kind))
        sequence = _identity_sequence(cursor, fresh)
        # The planner needs the table's size; autovacuum may not come for a while. Before the
        # swap: from the DROP to the commit, readers of the table wait.
        cursor.execute(f"ANALYZE {quote(fresh)}")
        cursor.execute(f"DROP TABLE {quote(table)}")
        cursor.execute(f"ALTER TABLE {quote(fresh)} RENAME TO {quote(table)}")
        for name, temporary, constraint, kind in built:
            if kind in ("p", "u"):
                clause = "PRIMARY KEY" if kind == "p" else "UNIQUE"
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {clause} "
                    f"USING INDEX {quote(temporary)}"
                )
            else:
                cursor.execute(f"ALTER INDEX {quote(temporary)} RENAME TO {quote(name)}")
        if sequence is not None:
            cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {quote(table + '_id_seq')}")


def _identity_sequence(cursor, table: str) -> str | None:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [connection.ops.quote_name(table)])
    return cursor.fetchone()[0]
