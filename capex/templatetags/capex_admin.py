"""
The investments changelist's date hierarchy, with its years found through the date index.

Django lists the years with `SELECT DISTINCT date_trunc('year', announced_on)` over every
figure the list shows: on a large table that reads the whole table on every view of the
changelist, slowest just after a recompute of conversions has rewritten every row. On
PostgreSQL the years are found instead by jumping from one to the next
(the first date of the list, then the first date on or after the next New Year, and so on),
a few dozen index probes; the months and days of one year, and other databases, are Django's.
"""

import copy
from datetime import date

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db import connection
from django.db.models import QuerySet

register = template.Library()


def years_present(queryset: QuerySet, field_name: str) -> list[date]:
    """1 January of every year in which `field_name` (a date) has a value among `queryset`'s rows."""
    if connection.vendor != "postgresql":
        return list(queryset.dates(field_name, "year"))
    rows = queryset.order_by().values(field_name)
    sql, params = rows.query.sql_with_params()
    query = f"""
        WITH RECURSIVE years (first) AS (
            SELECT MIN(rows.day) FROM ({sql}) rows (day)
          UNION ALL
            SELECT (SELECT MIN(rows.day) FROM ({sql}) rows (day)
                     WHERE rows.day >= make_date(EXTRACT(YEAR FROM years.first)::int + 1, 1, 1))
              FROM years WHERE years.first IS NOT NULL
        )
        SELECT EXTRACT(YEAR FROM first)::int FROM years WHERE first IS NOT NULL ORDER BY 1
    """  # noqa: S608 (the queryset's own SQL, its values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *params])
        return [date(year, 1, 1) for (year,) in cursor.fetchall()]


class _YearsByIndex:
    """A changelist's queryset whose `dates(..., "year")` is `years_present`; everything else is the queryset's."""

    def __init__(self, queryset: QuerySet):
        self._queryset = queryset

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def dates(self, field_name: str, kind: str, order: str = "ASC"):
        if kind == "year":
            return years_present(self._queryset, field_name)
        return self._queryset.dates(field_name, kind, order)


@register.inclusion_tag("admin/date_hierarchy.html")
def date_hierarchy_by_index(cl):
    """Django's `{% date_hierarchy cl %}`, with the years read by `years_present`."""
    changelist = copy.copy(cl)
    changelist.queryset = _YearsByIndex(cl.queryset)
    return date_hierarchy(changelist)
