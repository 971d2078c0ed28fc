"""Two to five companies side by side, by year and by each breakdown."""

from django import forms
from django.views.generic import TemplateView

from capex.page_selectors import BREAKDOWN_DIMENSIONS, DIMENSION_LABELS, companies_with_figures, comparison
from capex.selectors import company_totals
from capex.views.charts import crosstab_chart
from capex.views.common import PageOptionsMixin

MIN_COMPANIES = 2
MAX_COMPANIES = 5


class CompareForm(forms.Form):
    companies = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Choose {MIN_COMPANIES} to {MAX_COMPANIES} companies.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = companies_with_figures()

    def clean_companies(self):
        chosen = list(self.cleaned_data["companies"])
        if not MIN_COMPANIES <= len(chosen) <= MAX_COMPANIES:
            raise forms.ValidationError(
                f"Choose between {MIN_COMPANIES} and {MAX_COMPANIES} companies; you chose {len(chosen)}."
            )
        # Keep the order the reader chose them in: it is the order of the columns.
        order = {slug: index for index, slug in enumerate(self.data.getlist("companies"))}
        return sorted(chosen, key=lambda company: order.get(company.slug, len(order)))


class CompareView(PageOptionsMixin, TemplateView):
    template_name = "capex/compare.html"

    def get(self, request, *args, **kwargs):
        bound = "companies" in request.GET
        self.form = CompareForm(request.GET if bound else None)
        context = self.get_context_data(**kwargs)
        status = 400 if bound and not self.form.is_valid() else 200
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["min_companies"], context["max_companies"] = MIN_COMPANIES, MAX_COMPANIES
        charts = {}
        if self.form.is_bound and self.form.is_valid():
            companies = self.form.cleaned_data["companies"]
            result = comparison(
                companies=companies,
                basis=self.options.basis,
                year_mode=self.options.year_mode,
                measure=self.options.measure,
            )
            charts["years"] = crosstab_chart(
                result.years,
                chart_id="years",
                title="By year",
                basis_label=self.options.basis_label,
                category_label="Year",
                transpose=True,
                stacked=False,
                company_series=True,
            )
            for dimension in BREAKDOWN_DIMENSIONS:
                charts[dimension] = crosstab_chart(
                    result.breakdowns[dimension],
                    chart_id=dimension,
                    title=DIMENSION_LABELS[dimension],
                    basis_label=self.options.basis_label,
                    category_label=DIMENSION_LABELS[dimension],
                    transpose=True,
                    stacked=False,
                    series_shares=True,
                    plot_shares=True,
                    kind="hbar",
                    company_series=True,
                )
            context["result"] = result
        else:
            largest = company_totals(basis=self.options.basis, measure=self.options.measure).buckets[:3]
            if len(largest) >= MIN_COMPANIES:
                context["suggestion"] = largest
        context["charts"] = charts
        context["breakdown_charts"] = [charts[d] for d in BREAKDOWN_DIMENSIONS if d in charts]
        return context

    def download_name(self) -> str:
        return "ai-capex-compare"
