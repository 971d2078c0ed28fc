"""
Page plans: a list page's query, built once and run again.

Before a list page's query runs, the request's filters are cleaned and applied, its ordering and
cursor read, and the resulting queryset compiled to SQL by Django. For the figures' list that
was a fifth of the instructions of a built page (30.82 -> 24.27 M per page without it, counted
by `bench/instructions.py`), though readers ask for the same few pages again and again: the
newest figures of a scope, say. So a resource that reads its JSON pages as plain rows
(`values()`) may keep, per process, what a URL's page query compiled to, and run the same SQL
the next time the same URL is asked for.

The resource names the key (`ResourceViewSet.page_plan_key`), and must make it cover everything
the plan depends on: the query string (filters, ordering, cursor, page size), what the reader may
see, and the data the request was checked against (a filter naming a company is refused if it
does not exist; the figures' list keys its plans by the data version, which moves whenever a
company is saved or deleted). Only the plans of requests that succeeded are kept, so a request
that is refused is checked, and refused, every time.
"""

import dataclasses
import threading
from collections import OrderedDict

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import ValuesIterable

from config.api.pagination import PagePlan
from config.db import read_as_text

# Plans kept per process; the least recently used goes first. A plan is kept without its
# queryset: its SQL (a few kB), parameters, column names and converters.
MAX_PLANS = 256


class CompiledRows:
    """
    A `values()` queryset compiled once: its SQL, parameters, column names and the converters
    Django applies to its columns. Calling it runs the SQL and returns the rows as
    `list(queryset)` would, without compiling the queryset again, except that on PostgreSQL the
    values of the types named in `as_text` are the server's text (config.db.read_as_text).
    """

    def __init__(self, queryset, *, as_text: tuple[str, ...] = ()):
        self.as_text = as_text
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("Only values() querysets are compiled; model instances need the ORM's iterator.")
        query = queryset.query
        self.alias = queryset.db
        compiler = query.get_compiler(self.alias)
        try:
            self.sql, self.params = compiler.as_sql()
        except EmptyResultSet:
            self.sql, self.params = None, ()
        if not self.sql:
            self.sql = None  # a query that can match nothing runs no SQL (as Django's `execute_sql`)
            return
        # What ValuesIterable names the columns, and how results_iter converts them.
        self.names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise TypeError("Composite fields are not compiled.")
        self.converters = list(compiler.get_converters(fields).items())
        # Columns selected only for the ordering are cut off, as `execute_sql` does.
        self.width = compiler.col_count if compiler.has_extra_select else None

    def __call__(self) -> list[dict]:
        if self.sql is None:
            return []
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            if self.as_text and connection.vendor == "postgresql":
                read_as_text(cursor.cursor, self.as_text)
            cursor.execute(self.sql, self.params)
            rows = cursor.fetchall()
        names, converters, width = self.names, self.converters, self.width
        result = []
        for row in rows:
            if width is not None:
                row = row[:width]
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            result.append(dict(zip(names, row, strict=True)))
        return result


class PlanCache:
    """The page plans of one process, with their compiled queries, by the keys their resources give."""

    def __init__(self, size: int = MAX_PLANS):
        self.size = size
        self._plans: OrderedDict[object, tuple[PagePlan, CompiledRows]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> tuple[PagePlan, CompiledRows] | None:
        with self._lock:
            found = self._plans.get(key)
            if found is not None:
                self._plans.move_to_end(key)
            return found

    def put(self, key, plan: PagePlan, rows: CompiledRows) -> None:
        kept = dataclasses.replace(plan, queryset=None)  # what it compiled to is in `rows`
        with self._lock:
            self._plans[key] = (kept, rows)
            self._plans.move_to_end(key)
            while len(self._plans) > self.size:
                self._plans.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()

    def __len__(self) -> int:
        return len(self._plans)


PLANS = PlanCache()
