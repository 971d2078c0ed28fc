"""
Tabular output of a list: the CSV of one page (`?format=csv`) and the streaming export of
every matching row (`export/`, CSV or JSON Lines), with the same columns for a resource.

An export never holds the whole result: rows come from `.values().iterator(chunk_size=...)`,
many-valued columns (vendors, citations...) are fetched once per batch of rows, and the
response streams as it goes, so memory stays flat however many rows match.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

import orjson
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from config.spreadsheets import neutralise

BATCH_SIZE = 500


@dataclass(frozen=True)
class Column:
    """One output column: a `.values()` field, or a function of the row and the batch extras."""

    name: str
    source: str | None = None
    get: Callable[[dict, dict], Any] | None = None

    def value(self, row: dict, extras: dict) -> Any:
        if self.get is not None:
            return self.get(row, extras)
        return row[self.source or self.name]


@dataclass(frozen=True)
class ExportSpec:
    """
    The columns of a resource's tables. `values` lists the fields read per row; `enrich`
    receives a batch of rows and returns lookups (id -> list) for the many-valued columns.
    """

    columns: tuple[Column, ...]
    values: tuple[str, ...]
    enrich: Callable[[list[dict], Any], dict] | None = None

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def rows(self, queryset: QuerySet, request, *, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
        # Plain rows: the list's prefetches (objects for serializers) have no place here.
        iterator = queryset.prefetch_related(None).values(*self.values).iterator(chunk_size=batch_size)
        while batch := list(islice(iterator, batch_size)):
            extras = self.enrich(batch, request) if self.enrich else {}
            for row in batch:
                yield {column.name: column.value(row, extras) for column in self.columns}

    def rows_for_ids(self, queryset: QuerySet, ids: list[int], request) -> list[dict]:
        """The rows of one page, in the page's order."""
        position = {pk: index for index, pk in enumerate(ids)}
        rows = list(self.rows(queryset.filter(pk__in=ids).order_by(), request))
        return sorted(rows, key=lambda row: position[row["id"]])


@dataclass
class Table:
    """Rows with a fixed column order, for the CSV and JSON Lines renderers."""

    columns: list[str]
    rows: Iterable[dict] = field(default_factory=list)


def csv_cell(value: Any) -> str:
    """A value as a CSV cell; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return csv_cell("; ".join(csv_cell(item) for item in value))
    return neutralise(str(value))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonl_line(row: dict) -> bytes:
    return orjson.dumps(row, default=_json_default, option=orjson.OPT_APPEND_NEWLINE)


def csv_chunks(columns: list[str], rows: Iterable[dict], *, rows_per_chunk: int = 200) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(row[name]) for name in columns])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[dict], *, rows_per_chunk: int = 200) -> Iterator[bytes]:
    lines: list[bytes] = []
    for row in rows:
        lines.append(jsonl_line(row))
        if len(lines) >= rows_per_chunk:
            yield b"".join(lines)
            lines = []
    yield b"".join(lines)


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl; charset=utf-8",
}


def streaming_export(
    *, spec: ExportSpec, queryset: QuerySet, request, export_format: str, name: str
) -> StreamingHttpResponse:
    rows = spec.rows(queryset, request)
    content = csv_chunks(spec.names, rows) if export_format == "csv" else jsonl_chunks(rows)
    response = StreamingHttpResponse(content, content_type=EXPORT_FORMATS[export_format])
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{export_format}"'
    response["Cache-Control"] = "no-store"
    return response
