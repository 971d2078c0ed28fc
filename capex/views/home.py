"""The home dashboard: what has been announced, by whom, for what, counted once."""

from django.utils import timezone
from django.views.generic import TemplateView

from capex.page_selectors import dashboard
from capex.views.charts import breakdown_chart, crosstab_chart, usd_display
from capex.views.common import PageOptionsMixin
from capex.views.reported import dashboard_reported_chart
from config.cache import cached_page

SHARE_TITLES = {
    "scope": "Domestic or overseas",
    "workload": "Training or inference",
    "category": "By category",
    "vendor": "By chip vendor",
}


class HomeView(PageOptionsMixin, TemplateView):
    template_name = "capex/home.html"

    def get(self, request, *args, **kwargs):
        # The dashboard totals every countable figure: rendered once per data version and basis (config.cache).
        return cached_page(
            request, "home", lambda: super(HomeView, self).get(request, *args, **kwargs), basis=self.options.basis
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        options = self.options
        data = dashboard(
            basis=options.basis, year_mode=options.year_mode, measure=options.measure, today=timezone.localdate()
        )
        charts = {
            "by-year": crosstab_chart(
                data.stack,
                chart_id="by-year",
                title="Totals by year, stacked by company",
                basis_label=options.basis_label,
                category_label="Year",
                summary=_years_summary(data),
                company_series=True,
            )
        }
        reported = dashboard_reported_chart()
        if reported is not None:
            charts[reported.id] = reported
        for dimension, title in SHARE_TITLES.items():
            chart_id = f"share-{dimension}"
            charts[chart_id] = breakdown_chart(
                data.shares[dimension], chart_id=chart_id, title=title, basis_label=options.basis_label
            )
        context.update(
            {
                "data": data,
                "charts": charts,
                "share_charts": [charts[f"share-{dimension}"] for dimension in SHARE_TITLES],
                "reported_chart": reported,
            }
        )
        return context

    def download_name(self) -> str:
        return "ai-capex-dashboard"


def _years_summary(data) -> str:
    parts = [f"{b.label}: {usd_display(b.measures.point)}" for b in data.years.buckets]
    return ("Totals by year: " + "; ".join(parts) + ".") if parts else "No counted figures."
