"""Template helpers of the researcher pages: links that keep the page's state, and charts."""

from django import template
from django.http import QueryDict
from django.utils.html import json_script

register = template.Library()


def _query(request) -> QueryDict:
    return request.GET.copy() if request is not None else QueryDict(mutable=True)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """
    The current URL's query string with some parameters replaced (a value of None or ""
    removes one). Page numbers reset whenever anything else changes.
    """
    query = _query(context.get("request"))
    query.pop("download", None)
    if "page" not in changes:
        query.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "":
            query.pop(name, None)
        else:
            query[name] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_toggle(context, name: str, value) -> str:
    """The current query string with one value of a multi-valued parameter switched on or off."""
    query = _query(context.get("request"))
    query.pop("download", None)
    query.pop("page", None)
    value = str(value)
    values = query.getlist(name)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    query.setlist(name, values)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def download_url(context, chart_id: str) -> str:
    """This page, with its current switches, asked for one chart's data as CSV."""
    query = _query(context.get("request"))
    query.pop("page", None)
    query["download"] = chart_id
    return f"?{query.urlencode()}"


@register.simple_tag
def chart_json(chart) -> str:
    """The chart's numbers as a JSON data block (not a script to run), for the chart library."""
    return json_script(chart.as_json(), f"{chart.id}-data")


@register.simple_tag
def chart_table(chart):
    return chart.table()


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dict lookups with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def with_headers(row, headers) -> list:
    """
    A table row's cells, each with its column's header: `{% for header, cell in row|with_headers:headers %}`.
    Narrow screens show the header inside each cell (data-label) when a wide table turns into cards.
    """
    return list(zip(headers, row, strict=True))


@register.simple_tag(takes_context=True)
def carry_basis(context) -> str:
    """A query string that carries a non-default USD basis to a linked page ("" for the default)."""
    options = context.get("options")
    if options is None or options.basis == "announcement":
        return ""
    return f"?basis={options.basis}"


@register.filter
def series_cell(series, year):
    """The bucket of one year in a measure's series (capex.page_selectors.MeasureSeries), or None."""
    return series.cell(str(year))


@register.simple_tag
def series_years(series) -> list[str]:
    """Every year any measure in the series has a total for, in order."""
    return sorted({bucket.key for row in series for bucket in row.years.buckets}, key=int)
