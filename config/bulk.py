"""
Writing many rows fast: COPY on PostgreSQL, batched INSERTs elsewhere. Used by the synthetic
data generator and by the derived tables that are rebuilt in bulk (capex.services.slices).
"""

from collections.abc import Iterable

from django.db import connection, models


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


class TableWriter:
    """Write rows of one model: COPY on PostgreSQL, executemany on SQLite. Unset fields take their defaults."""

    def __init__(self, model: type[models.Model], *, database_ids: bool = False, table: str | None = None) -> None:
        """
        `database_ids`: leave the primary key out and let the database number the rows.
        `table`: write to this table, of the model's columns, instead of the model's own.
        """
        self.model = model
        self.table = table or model._meta.db_table
        self.fields = [f for f in _columns(model) if not (database_ids and f.primary_key)]
        self.names = [f.column for f in self.fields]
        self.attnames = tuple(f.attname for f in self.fields)
        self.defaults = {f.attname: (f.get_default() if f.has_default() or not f.null else None) for f in self.fields}

    def _tuple(self, row: dict) -> tuple:
        values = []
        for field in self.fields:
            value = row[field.attname] if field.attname in row else self.defaults[field.attname]
            values.append(field.get_db_prep_save(value, connection))
        return tuple(values)

    def write(self, rows: Iterable[dict], *, batch: int = 5_000) -> int:
        """Write rows given as dicts of field values (missing fields take their defaults); returns how many."""
        return self.write_values((self._tuple(row) for row in rows), batch=batch)

    def write_values(self, rows_as_tuples: Iterable[tuple], *, batch: int = 5_000) -> int:
        """
        Write rows given as tuples of database-ready values in the order of `attnames`; returns
        how many. The fastest way in: no dictionary per row and no field conversions, which were
        most of the cost of writing a million rows.
        """
        table = self.table
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                columns = ", ".join(f'"{name}"' for name in self.names)
                with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for values in rows_as_tuples:
                        copy.write_row(values)
                        count += 1
            else:
                placeholders = ", ".join(["%s"] * len(self.names))
                columns = ", ".join(f'"{name}"' for name in self.names)
                sql = f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders})'  # noqa: S608 (model metadata only)
                chunk = []
                for values in rows_as_tuples:
                    chunk.append(values)
                    if len(chunk) >= batch:
                        cursor.executemany(sql, chunk)
                        count += len(chunk)
                        chunk = []
                if chunk:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
        return count


def vacuum_analyze(*model_list: type[models.Model]) -> bool:
    """
    After a bulk write has committed: `VACUUM (ANALYZE)` these models' tables on PostgreSQL, and
    return True. Rows written in bulk are not yet marked all-visible, so index-only scans (totals'
    origins, the slice rebuild, the admin's counts) visit the table for every row until a vacuum,
    and the planner has no statistics for them until an analyze; autovacuum comes when it comes
    (or, on a server with it off, never). VACUUM cannot run inside a transaction: a caller that
    holds one gets the statistics alone (ANALYZE) and False.
    """
    if connection.vendor != "postgresql":
        return False
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    return command != "ANALYZE"
