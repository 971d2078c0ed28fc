"""
What every researcher page shares: the USD basis and year-mode switches read from the URL,
a clear 400 for a bad parameter, and the CSV download of any chart on the page.
"""

import csv
from dataclasses import dataclass

from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from capex.choices import FxBasis, Measure
from capex.selectors import DEFAULT_MEASURE, DEFAULT_YEAR_MODE, YEAR_MODES
from config.page_throttle import page_throttled, throttled_response
from config.spreadsheets import escape_formula

BASIS_LABELS = {
    FxBasis.ANNOUNCEMENT: "Rate on the announcement date",
    FxBasis.LATEST: "Latest rate",
}
YEAR_MODE_LABELS = {
    "spread": "Spread over the years covered",
    "announcement": "By announcement year",
}
MEASURE_LABELS = dict(Measure.choices)


class BadParameter(Exception):
    """A query parameter a page cannot use; the page answers 400 and names it."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class PageOptions:
    basis: str
    year_mode: str
    measure: str = DEFAULT_MEASURE

    @property
    def measure_label(self) -> str:
        return MEASURE_LABELS[self.measure]

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]

    @property
    def year_mode_label(self) -> str:
        return YEAR_MODE_LABELS[self.year_mode]


def page_options(request) -> PageOptions:
    """
    `?basis=announcement|latest`, `?years=spread|announcement` and `?measure=` (what the totals
    add up: AI investment unless asked), each defaulting to the first.
    """
    basis = request.GET.get("basis") or FxBasis.ANNOUNCEMENT.value
    if basis not in FxBasis.values:
        raise BadParameter("basis", f"{basis!r} is not a USD basis; choose one of {', '.join(FxBasis.values)}.")
    year_mode = request.GET.get("years") or DEFAULT_YEAR_MODE
    if year_mode not in YEAR_MODES:
        raise BadParameter("years", f"{year_mode!r} is not a year mode; choose one of {', '.join(YEAR_MODES)}.")
    measure = request.GET.get("measure") or DEFAULT_MEASURE
    if measure not in Measure.values:
        raise BadParameter("measure", f"{measure!r} is not a measure; choose one of {', '.join(Measure.values)}.")
    return PageOptions(basis=basis, year_mode=year_mode, measure=measure)


# Parameters of the pages themselves, never filters.
PAGE_PARAMETERS = frozenset({"basis", "years", "sort", "ordering", "page", "export", "download"})


def filter_params(query: QueryDict, *, without: str | None = None) -> QueryDict:
    """
    The filters in a page's query string, for a FilterSet: without the page's own
    parameters and without empty values, which an HTML form sends for "Any".
    """
    data = QueryDict(mutable=True)
    for name, values in query.lists():
        if name in PAGE_PARAMETERS or name == without:
            continue
        kept = [value for value in values if value != ""]
        if kept:
            data.setlist(name, kept)
    return data


def bad_parameter_response(request, error: BadParameter) -> HttpResponse:
    return render(request, "bad_request.html", {"error": error}, status=400)


class PageOptionsMixin:
    """
    Reads the switches before the view does any work, so a bad value changes nothing and
    answers 400, and serves `?download=<chart id>` as that chart's CSV instead of the page.
    """

    options: PageOptions

    # The throttle scope of a page that computes totals or searches (config.page_throttle).
    throttle_scope = "pages"

    def dispatch(self, request, *args, **kwargs):
        wait = page_throttled(request, self.throttle_scope)
        if wait is not None:
            return throttled_response(request, wait)
        try:
            self.options = page_options(request)
            return super().dispatch(request, *args, **kwargs)
        except BadParameter as error:
            return bad_parameter_response(request, error)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["options"] = self.options
        context["basis_choices"] = list(BASIS_LABELS.items())
        context["year_mode_choices"] = list(YEAR_MODE_LABELS.items())
        context["measure_choices"] = list(MEASURE_LABELS.items())
        return context

    def render_to_response(self, context, **response_kwargs):
        wanted = self.request.GET.get("download")
        if wanted is None:
            return super().render_to_response(context, **response_kwargs)
        charts = context.get("charts", {})
        chart = charts.get(wanted)
        if chart is None:
            available = ", ".join(sorted(charts)) or "none on this page"
            raise BadParameter("download", f"{wanted!r} is not a chart on this page; choose one of {available}.")
        # The file says which view it holds: the measure, the years' view and the USD basis.
        options = self.options
        filename = f"{self.download_name()}-{chart.id}-{options.measure}-{options.year_mode}-{options.basis}.csv"
        return csv_response(chart.table().csv_rows(), filename=filename)

    def download_name(self) -> str:
        return "ai-capex"


def csv_response(rows, *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows([escape_formula(cell) for cell in row] for row in rows)
    return response
