"""
The one export pipeline: every row of a queryset, as its serializer shows it, streamed as CSV,
JSON Lines or a JSON array. The API's `export/` and CSV pages and the pages' downloads
(capex.views.explore) all go through it, so a figure has one representation: its serializer.

Columns are the serializer's fields. Nested serializers are flattened into columns named by
their path (`company_slug`, `usd_latest_amount_usd`); a list of nested records gives one column
per field holding the values of every record ("nvidia; huawei"). JSON formats keep the nesting.
Every CSV cell passes through config.spreadsheets.escape_formula.

Rows are read `BATCH_SIZE` at a time (`iterator(chunk_size=...)`, which runs the queryset's
prefetches once per batch), and the response streams as it goes: memory stays flat however
many rows match.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from config.spreadsheets import escape_formula

BATCH_SIZE = 500
ROWS_PER_CHUNK = 200


@dataclass
class Table:
    """Rows with a fixed column order, for the CSV and JSON Lines renderers."""

    columns: list[str]
    rows: Iterable[dict] = field(default_factory=list)

    @classmethod
    def flattened(cls, columns: list[tuple[str, tuple[str, ...]]], data: Iterable[dict]) -> "Table":
        """Serialized rows under the columns `serializer_columns` names, nested values flattened."""
        return cls(columns=[name for name, _ in columns], rows=[flatten(row, columns) for row in data])


def serializer_columns(serializer: serializers.Serializer) -> list[tuple[str, tuple[str, ...]]]:
    """(column name, path of field names) for every leaf field of `serializer`, in its order."""
    columns = []
    for name, declared in serializer.fields.items():
        nested = declared.child if isinstance(declared, serializers.ListSerializer) else declared
        if isinstance(nested, serializers.Serializer):
            columns += [(f"{name}_{column}", (name, *path)) for column, path in serializer_columns(nested)]
        else:
            columns.append((name, (name,)))
    return columns


def _at(data: Any, path: tuple[str, ...]) -> Any:
    if isinstance(data, list):
        values = []
        for item in data:
            value = _at(item, path)
            values += value if isinstance(value, list) else [value]
        return values
    if not path:
        return data
    if data is None:
        return None
    return _at(data.get(path[0]), path[1:])


def flatten(data: dict, columns: list[tuple[str, tuple[str, ...]]]) -> dict:
    """A serializer's nested output as one flat row of `columns`."""
    return {name: _at(data, path) for name, path in columns}


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: lists joined with "; ", text a spreadsheet would run as a formula escaped."""
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
    return escape_formula(str(value))


_ENCODER = JSONEncoder()


def json_bytes(data: Any) -> bytes:
    """JSON as DRF's renderer writes it (decimals as strings, dates in ISO 8601)."""
    return orjson.dumps(data, default=_ENCODER.default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def csv_chunks(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(row[name]) for name in columns])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[dict]) -> Iterator[bytes]:
    lines: list[bytes] = []
    for row in rows:
        lines.append(json_bytes(row) + b"\n")
        if len(lines) >= ROWS_PER_CHUNK:
            yield b"".join(lines)
            lines = []
    yield b"".join(lines)


def json_array_chunks(rows: Iterable[dict]) -> Iterator[bytes]:
    """A JSON array written as it streams."""
    yield b"["
    for index, row in enumerate(rows):
        yield (b",\n" if index else b"\n") + json_bytes(row)
    yield b"\n]\n"


def serialized(queryset: QuerySet, serializer_class: type[serializers.Serializer], context: dict) -> Iterator[dict]:
    """
    Each row of `queryset` as the serializer shows it, read in batches with the queryset's
    prefetches. One serializer shows every row (`to_representation`, as a `many=True` list
    does), so its fields are built once, not once a row.
    """
    serializer = serializer_class(context=context)
    for instance in queryset.iterator(chunk_size=BATCH_SIZE):
        yield serializer.to_representation(instance)


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl; charset=utf-8",
    "json": "application/json",
}


def streaming_export(
    *,
    queryset: QuerySet,
    serializer_class: type[serializers.Serializer],
    context: dict,
    export_format: str,
    name: str,
) -> StreamingHttpResponse:
    """Every row of `queryset`, serialized, as a download in `export_format` (csv, jsonl or json)."""
    rows = serialized(queryset, serializer_class, context)
    if export_format == "csv":
        columns = serializer_columns(serializer_class(context=context))
        content = csv_chunks([name for name, _ in columns], (flatten(row, columns) for row in rows))
    elif export_format == "jsonl":
        content = jsonl_chunks(rows)
    else:
        content = json_array_chunks(rows)
    response = StreamingHttpResponse(content, content_type=EXPORT_FORMATS[export_format])
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{export_format}"'
    response["Cache-Control"] = "no-store"
    return response
