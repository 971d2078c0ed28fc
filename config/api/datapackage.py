"""
A Frictionless Data Package of the data a researcher cites: one zip with `datapackage.json` (what
each table holds, its columns and their types, the licence, the sources, when it was made) and
one CSV per table, written by the one export pipeline (config.api.export) from the resources'
serializers, so the package shows exactly what the API shows.

The column types come from the serializer's fields (Table Schema: number, integer, boolean, date,
datetime, string); a list of nested records is one text column of values joined by "; ", as in
every CSV the project writes.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import serializers

from config.api.export import csv_cell, flatten, serialized, serializer_columns

TYPES = (
    (serializers.BooleanField, "boolean"),
    (serializers.IntegerField, "integer"),
    (serializers.DecimalField, "number"),
    (serializers.FloatField, "number"),
    (serializers.DateTimeField, "datetime"),
    (serializers.DateField, "date"),
)


@dataclass(frozen=True)
class Table:
    """One resource of the package: a name, a description and the rows its serializer shows."""

    name: str
    description: str
    queryset: QuerySet
    serializer_class: type[serializers.Serializer]


def _leaf(serializer: serializers.Serializer, path: tuple[str, ...]) -> tuple[serializers.Field, bool]:
    """The field at `path` and whether a list lies on the way (its values are then joined as text)."""
    field, many = serializer, False
    for name in path:
        if isinstance(field, serializers.ListSerializer):
            field, many = field.child, True
        field = field.fields[name]
    if isinstance(field, serializers.ListSerializer | serializers.ListField | serializers.ManyRelatedField):
        many = True
    return field, many


def _type(field: serializers.Field, many: bool) -> str:
    if many:
        return "string"
    for kind, name in TYPES:
        if isinstance(field, kind):
            return name
    return "string"


def schema(serializer: serializers.Serializer) -> dict:
    """The Table Schema of a serializer's CSV columns."""
    fields = []
    for name, path in serializer_columns(serializer):
        field, many = _leaf(serializer, path)
        described = {"name": name, "type": _type(field, many)}
        if field.help_text:
            described["description"] = str(field.help_text)
        if described["type"] == "datetime":
            described["format"] = "any"
        fields.append(described)
    return {"fields": fields, "missingValues": [""]}


def table_csv(table: Table, context: dict) -> bytes:
    serializer = table.serializer_class(context=context)
    columns = serializer_columns(serializer)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _ in columns])
    for row in serialized(table.queryset, table.serializer_class, context):
        flat = flatten(row, columns)
        writer.writerow([csv_cell(flat[name]) for name, _ in columns])
    return buffer.getvalue().encode()


DEFAULT_SOURCES = [{"title": "The sources cited by each figure: see the citations_* columns."}]


def data_package(
    *, tables: list[Table], context: dict, title: str, description: str, sources: list[dict] | None = None
) -> bytes:
    """The zip: datapackage.json and a CSV per table; `sources` names where the data comes from."""
    created = timezone.now().replace(microsecond=0)
    resources = []
    files = {}
    for table in tables:
        path = f"{table.name}.csv"
        files[path] = table_csv(table, context)
        resources.append(
            {
                "profile": "tabular-data-resource",
                "name": table.name,
                "path": path,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema(table.serializer_class(context=context)),
            }
        )
    descriptor = {
        "profile": "tabular-data-package",
        "name": "ai-capex-tracker",
        "title": title,
        "description": description,
        "created": created.isoformat(),
        "licenses": [
            {"name": settings.DATA_LICENCE, "title": settings.DATA_LICENCE_TITLE, "path": settings.DATA_LICENCE_URL}
        ],
        "sources": sources or DEFAULT_SOURCES,
        "resources": resources,
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False))
        for path, content in files.items():
            archive.writestr(path, content)
    return output.getvalue()


def data_package_response(content: bytes, *, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response
