"""
The companies list and a company's page. They show capex totals, so they read through
capex.page_selectors, which takes every total from capex.selectors.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from django_countries import countries

from capex.colours import company_colour
from capex.models import Investment
from capex.page_selectors import BREAKDOWN_DIMENSIONS, DIMENSION_LABELS, company_page, company_rows
from capex.views.charts import breakdown_chart
from capex.views.common import BadParameter, PageOptionsMixin, filter_params
from capex.views.reported import reported_context
from companies.choices import CompanyKind
from companies.filters import CompanyFilterSet
from companies.models import Company
from config.cache import cached_page

SORTS = ("name", "country", "total", "figures", "latest")
# Columns a reader expects largest or newest first on the first click.
DESCENDING_FIRST = {"total", "figures", "latest"}
PAGE_SIZE = 50


class CompanyListView(PageOptionsMixin, TemplateView):
    template_name = "companies/company_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sort = self.request.GET.get("sort") or "name"
        descending = sort.startswith("-")
        column = sort.removeprefix("-")
        if column not in SORTS:
            raise BadParameter(
                "sort", f"{sort!r} is not a column; choose one of {', '.join(SORTS)} (prefix - to reverse)."
            )
        filters = CompanyFilterSet(filter_params(self.request.GET), queryset=Company.objects.all())
        if not filters.is_valid():
            name, errors = next(iter(filters.errors.items()))
            raise BadParameter(name, " ".join(errors))
        query = self.request.GET.get("q", "").strip()
        rows = company_rows(
            companies=filters.qs,
            basis=self.options.basis,
            sort=column,
            descending=descending,
            measure=self.options.measure,
        )
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            {
                "page_obj": page,
                "rows": page.object_list,
                "query": query,
                "selected_countries": self.request.GET.getlist("country"),
                "selected_kinds": self.request.GET.getlist("kind"),
                "country_choices": _country_choices(),
                "kind_choices": CompanyKind.choices,
                "sort": column,
                "descending": descending,
                "columns": [
                    {
                        "key": key,
                        "label": label,
                        "active": key == column,
                        "next": _next_sort(key, column, descending),
                        "aria_sort": ("descending" if descending else "ascending") if key == column else None,
                    }
                    for key, label in (
                        ("name", "Company"),
                        ("country", "Country"),
                        ("total", "Total"),
                        ("figures", "Counted figures"),
                        ("latest", "Latest figure"),
                    )
                ],
            }
        )
        return context

    def download_name(self) -> str:
        return "ai-capex-companies"


def _country_choices() -> list[tuple[str, str]]:
    """The headquarters countries that companies have, by name."""
    codes = Company.objects.order_by().values_list("country", flat=True).distinct()
    return sorted(((str(code), countries.name(code)) for code in codes), key=lambda choice: choice[1])


def _next_sort(key: str, current: str, descending: bool) -> str:
    """Clicking the active column reverses it; another column starts in its natural order."""
    if key == current:
        return key if descending else f"-{key}"
    return f"-{key}" if key in DESCENDING_FIRST else key


class CompanyDetailView(PageOptionsMixin, TemplateView):
    template_name = "companies/company_detail.html"

    def get(self, request, *args, **kwargs):
        # The company's totals and figures change only with the data version (config.cache).
        return cached_page(
            request,
            "company",
            lambda: super(CompanyDetailView, self).get(request, *args, **kwargs),
            basis=self.options.basis,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        company = get_object_or_404(Company.objects.select_related("parent"), slug=self.kwargs["slug"])
        self.company = company
        page = company_page(
            company=company,
            basis=self.options.basis,
            year_mode=self.options.year_mode,
            visible=Investment.objects.visible_to(self.request.user),
            # Without ?measure= the page shows what most of the company's figures measure.
            measure=self.options.measure if self.request.GET.get("measure") else None,
        )
        label = self.options.basis_label
        colour = company_colour(company.slug)
        charts = {
            "years": breakdown_chart(
                page.breakdowns["year"],
                chart_id="years",
                title="Totals by year",
                basis_label=label,
                kind="bar",
                colour=colour,
            )
        }
        for dimension in BREAKDOWN_DIMENSIONS:
            charts[dimension] = breakdown_chart(
                page.breakdowns[dimension],
                chart_id=dimension,
                title=DIMENSION_LABELS[dimension],
                basis_label=label,
                colour=colour,
            )
        if page.buyers is not None:
            charts["buyers"] = breakdown_chart(
                page.buyers,
                chart_id="buyers",
                title=f"Who buys from {company.name}",
                basis_label=label,
            )
        reported = reported_context(company)
        if reported["reported_chart"] is not None:
            charts["reported"] = reported["reported_chart"]  # its CSV download, as every chart's
        context.update(
            {
                "company": company,
                "page": page,
                "charts": charts,
                "breakdown_charts": [charts[d] for d in BREAKDOWN_DIMENSIONS],
                **reported,
            }
        )
        return context

    def download_name(self) -> str:
        return f"ai-capex-{self.kwargs['slug']}"
