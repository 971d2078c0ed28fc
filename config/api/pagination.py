"""
Cursor pagination for every list: a page boundary is a position in the ordering, not an
offset, so figures added while a client pages through do not shift or repeat rows.

A page is made in two steps, DRF's `paginate_queryset` cut in two: `plan` reads the request's
page size, ordering and cursor and builds the page's query, and `paginate_plan` takes the rows
that query returned and works out the page and its neighbours. A view may keep a plan and run
its query again (config.api.plans) without building it anew.
"""

import base64
import binascii
import dataclasses
import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

MAX_PAGE_SIZE = 200
# Positions of decimal orderings are USD amounts; anything beyond this cannot be a stored value.
MAX_DECIMAL_POSITION = Decimal(10) ** 21
MAX_INTEGER_POSITION = 2**63 - 1


@dataclasses.dataclass(frozen=True)
class PagePlan:
    """What a request asks of a list: its page size, ordering and cursor, and the page's query."""

    page_size: int
    ordering: tuple[str, ...]
    cursor: pagination.Cursor | None
    # Ordered, positioned after the cursor and sliced to one row more than the page (is there a
    # next?); None in a plan kept once its query was compiled (config.api.plans).
    queryset: QuerySet | None


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
        plan = self.plan(queryset, request, view)
        return self.paginate_plan(plan, request, list(plan.queryset))

    def plan(self, queryset, request, view=None) -> PagePlan:
        """
        The page `request` asks for, from the filtered `queryset`: DRF's steps before its query
        runs. Bad input (page size, ordering, cursor) is a 400 naming the parameter.
        """
        self._queryset_for_cursor = queryset
        page_size = self.get_page_size(request)
        ordering = tuple(self.get_ordering(request, queryset, view))
        self.ordering = ordering  # `_ordering_field` checks the cursor's position against it
        cursor = self.decode_cursor(request)
        offset, reverse, position = (0, False, None) if cursor is None else cursor
        queryset = queryset.order_by(*(pagination._reverse_ordering(ordering) if reverse else ordering))
        if position is not None:
            order = ordering[0]
            # (cursor reversed) XOR (ordering reversed): rows before the position, else after it.
            lookup = "lt" if cursor.reverse != order.startswith("-") else "gt"
            queryset = queryset.filter(**{f"{order.lstrip('-')}__{lookup}": position})
        return PagePlan(page_size, ordering, cursor, queryset[offset : offset + page_size + 1])

    def paginate_plan(self, plan: PagePlan, request, results: Sequence) -> list:
        """
        The page of `plan` from `results`, the rows its query returned: DRF's steps after its query
        ran, which leave what the `next` and `previous` links are made of.
        """
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size, self.ordering, self.cursor = plan.page_size, plan.ordering, plan.cursor
        offset, reverse, current_position = (0, False, None) if plan.cursor is None else plan.cursor
        self.page = list(results[: self.page_size])
        # The row after the page, fetched to learn whether there is one, and its position.
        has_following_position = len(results) > len(self.page)
        following_position = (
            self._get_position_from_instance(results[-1], self.ordering) if has_following_position else None
        )
        if reverse:
            # The query ran in reverse order; the page reads in the list's order.
            self.page.reverse()
            self.has_next = current_position is not None or offset > 0
            self.has_previous = has_following_position
            if self.has_next:
                self.next_position = current_position
            if self.has_previous:
                self.previous_position = following_position
        else:
            self.has_next = has_following_position
            self.has_previous = current_position is not None or offset > 0
            if self.has_next:
                self.next_position = following_position
            if self.has_previous:
                self.previous_position = current_position
        return self.page

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
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        """The position is compared with the ordering field in SQL, so it must be a value of that field."""
        invalid = ValidationError({self.cursor_query_param: ["This cursor is not valid; use a `next` link."]})
        if "\x00" in position or len(position) > 500:
            raise invalid
        field = self._ordering_field()
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

    def _ordering_field(self) -> models.Field | None:
        name = self.ordering[0].lstrip("-")
        queryset = self._queryset_for_cursor
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
