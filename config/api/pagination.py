"""
Cursor pagination for every list: a page boundary is a position in the ordering, not an
offset, so figures added while a client pages through do not shift or repeat rows.

DRF's CursorPagination, through its documented hooks only: the page size and the cursor are
checked so that bad input is a 400 naming the parameter, and the response has a schema.
"""

import base64
import binascii
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

MAX_PAGE_SIZE = 200
# Positions of decimal orderings are USD amounts; anything beyond this cannot be a stored value.
MAX_DECIMAL_POSITION = Decimal(10) ** 21
MAX_INTEGER_POSITION = 2**63 - 1


class CursorPagination(pagination.CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"
    cursor_query_description = "Opaque position from a `next` or `previous` link; start without it."
    page_size_query_description = f"Rows per page, 1 to {MAX_PAGE_SIZE} (default 50)."
    template = None

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        message = f"Choose a whole number of rows from 1 to {self.max_page_size}."
        if len(raw) > 6 or not raw.isascii() or not raw.strip().isdigit():
            raise ValidationError({self.page_size_query_param: [message]})
        size = int(raw)
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        # The queryset, for `decode_cursor` to check a cursor's position against the ordering field.
        self.queryset_for_cursor = queryset
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """A cursor that the API did not issue is bad input (400 naming `cursor`), not a missing page."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None:
            # DRF's decoder skips characters that are not base64, so "%%%" would be read as the first page.
            try:
                base64.b64decode(encoded.encode("ascii"), validate=True)
            except (ValueError, binascii.Error):
                raise ValidationError(
                    {self.cursor_query_param: ["This cursor is not valid; use a `next` link."]}
                ) from None
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: ["This cursor is not valid; use a `next` link."]}) from None
        if cursor is not None and cursor.position is not None:
            self.check_position(cursor.position)
        return cursor

    def check_position(self, position: str) -> None:
        """The position is compared with the ordering field in SQL, so it must be a value of that field."""
        invalid = ValidationError({self.cursor_query_param: ["This cursor is not valid; use a `next` link."]})
        if "\x00" in position or len(position) > 500:
            raise invalid
        field = self.ordering_field()
        try:
            value = field.to_python(position) if field is not None else position
        except (DjangoValidationError, InvalidOperation, ValueError, TypeError, OverflowError):
            raise invalid from None
        if value is None:
            raise invalid
        if isinstance(value, Decimal) and (not value.is_finite() or abs(value) >= MAX_DECIMAL_POSITION):
            raise invalid
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER_POSITION:
            raise invalid
        if isinstance(value, datetime.date) and not datetime.date(1, 1, 2) <= _as_date(value) <= datetime.date(
            9999, 12, 30
        ):
            raise invalid

    def ordering_field(self) -> models.Field | None:
        name = self.ordering[0].lstrip("-")
        queryset = self.queryset_for_cursor
        annotation = queryset.query.annotations.get(name)
        if annotation is not None:
            return annotation.output_field
        try:
            return queryset.model._meta.get_field("id" if name == "pk" else name)
        except FieldDoesNotExist:
            return None

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page, or null on the first page.",
                },
                "results": {**schema, "description": "The rows of this page."},
            },
        }

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters

    def link_header(self) -> str:
        """RFC 8288 links for formats without a body envelope (CSV pages)."""
        links = []
        for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link())):
            if url:
                links.append(f'<{url}>; rel="{rel}"')
        return ", ".join(links)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
