"""
Explore: every filter of the API as a facet with counts, the matching figures, and CSV and
JSON downloads of exactly that view. The state lives in the URL, so a view can be shared.

The filters are the API's own `InvestmentFilterSet`, so a figure is found the same way here,
in the API and in its exports.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import F
from django.http import StreamingHttpResponse
from django.views.generic import TemplateView
from django_countries import countries

from capex.api.serializers import InvestmentSerializer
from capex.choices import FxBasis, WorkflowState
from capex.filters import InvestmentFilterSet
from capex.models import Investment
from capex.page_selectors import Facet, FacetOption, explore_totals, facet_counts
from capex.views.common import BadParameter, PageOptionsMixin, filter_params
from config.api.export import streaming_export
from config.cache import cached_page

PAGE_SIZE = 50

# (filter name, label) of the facets listed with counts, in the order a researcher narrows down.
CHOICE_FACETS = (
    ("company", "Company"),
    ("country", "Headquarters country"),
    ("scope", "Domestic or overseas"),
    ("target_country", "Spent in"),
    ("category", "Category"),
    ("workload", "Training or inference"),
    ("vendor", "Chip vendor"),
    ("evidence", "Evidence"),
    ("status", "Status"),
    ("currency", "Currency as stated"),
    ("top_level", "Level"),
    ("include_superseded", "Revisions"),
)
STAFF_FACETS = (("state", "Editorial state"),)
# Facets whose absence is a default, not "any": counted with every value asked for.
FACETS_OVER_ALL = {"include_superseded": True, "state": list(WorkflowState.values)}
# Filters given as inputs rather than values to tick.
INPUT_LABELS = (
    ("q", "Search"),
    ("announced_from", "Announced from"),
    ("announced_to", "Announced to"),
    ("usd_min", "USD at least"),
    ("usd_max", "USD at most"),
)

ORDERINGS = {
    "-announced_on": ("Newest first", ["-announced_on", "-id"]),
    "announced_on": ("Oldest first", ["announced_on", "id"]),
    "company": ("Company", ["company__name", "-announced_on", "id"]),
    "-usd": ("Largest first", None),
    "usd": ("Smallest first", None),
}
USD_FIELDS = {FxBasis.ANNOUNCEMENT: "amount_usd_at_announcement", FxBasis.LATEST: "amount_usd_latest"}
EXPORT_FORMATS = ("csv", "json")


class ExploreView(PageOptionsMixin, TemplateView):
    template_name = "capex/explore.html"

    def base_queryset(self):
        return Investment.objects.visible_to(self.request.user)

    def filter_data(self, without: str | None = None):
        return filter_params(self.request.GET, without=without)

    def filterset(self) -> InvestmentFilterSet:
        return InvestmentFilterSet(self.filter_data(), queryset=self.base_queryset(), request=self.request)

    def get(self, request, *args, **kwargs):
        self.ordering = request.GET.get("ordering") or "-announced_on"
        if self.ordering not in ORDERINGS:
            raise BadParameter(
                "ordering", f"{self.ordering!r} is not an ordering; choose one of {', '.join(ORDERINGS)}."
            )
        export = request.GET.get("export")
        if export is not None and export not in EXPORT_FORMATS:
            raise BadParameter("export", f"{export!r} is not a download format; choose csv or json.")
        if export and self.filters.is_valid():
            return export_response(request, self.ordered(self.filters.qs), export_format=export)
        if export:
            return self.render_page(**kwargs)
        # The figures, facets and totals change only with the data version (config.cache); the
        # filters are built only when the page is, not for an answer read from the cache.
        return cached_page(request, "explore", lambda: self.render_page(**kwargs), basis=self.options.basis)

    @cached_property
    def filters(self) -> InvestmentFilterSet:
        return self.filterset()

    def render_page(self, **kwargs):
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=200 if self.filters.is_valid() else 400)

    def ordered(self, queryset):
        fields = ORDERINGS[self.ordering][1]
        if fields is not None:
            return queryset.order_by(*fields)
        usd = F(USD_FIELDS[FxBasis(self.options.basis)])
        primary = usd.desc(nulls_last=True) if self.ordering.startswith("-") else usd.asc(nulls_last=True)
        return queryset.order_by(primary, "-announced_on", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.filters
        context.update(
            {
                "filters": filters,
                "form": filters.form,
                "orderings": [(key, label) for key, (label, _) in ORDERINGS.items()],
                "ordering": self.ordering,
            }
        )
        if filters.is_valid():
            figures = self.ordered(filters.qs)
            page = Paginator(
                figures.select_related("company", "parent").prefetch_related("chip_vendors"), PAGE_SIZE
            ).get_page(self.request.GET.get("page"))
            context.update(
                {
                    "page_obj": page,
                    "results": page.object_list,
                    "totals": explore_totals(
                        basis=self.options.basis, figures=filters.qs, measure=self.options.measure
                    ),
                    "facets": self.facets(),
                }
            )
        else:
            context.update({"page_obj": None, "results": [], "totals": None, "facets": []})
        context["active_filters"] = self.active_filters(context["facets"])
        return context

    def facets(self) -> list[Facet]:
        """Each facet counts the figures the other filters leave, so ticking a value shows what it adds."""
        facets = []
        names = CHOICE_FACETS + (STAFF_FACETS if self.request.user.is_staff else ())
        for name, label in names:
            counts = facet_counts(name, self.filtered_without(name))
            selected = set(self.request.GET.getlist(name))
            labels = _choice_labels(self.filters.filters[name])
            options = [
                FacetOption(value, label_from_counts or labels.get(value, value), count, value in selected)
                for value, (label_from_counts, count) in counts.items()
                if count or value in selected
            ]
            for value in selected - counts.keys():
                options.append(FacetOption(value, labels.get(value, value), 0, True))
            if name not in {"top_level", "include_superseded"}:
                options.sort(key=lambda option: (-option.count, option.label))
            facets.append(Facet(name, label, options, str(self.filters.filters[name].extra.get("help_text", ""))))
        return facets

    def filtered_without(self, name: str):
        """
        The figures every filter but one leaves, from the already validated filters (so the
        company and vendor slugs are not looked up again for each facet). Where leaving a
        filter out means a default (only published, only current figures), every value is
        asked for instead, so each one gets its count.
        """
        form = self.filters.form
        validated = form.cleaned_data
        form.cleaned_data = {**validated, name: FACETS_OVER_ALL.get(name)}
        try:
            return self.filters.filter_queryset(self.base_queryset())
        finally:
            form.cleaned_data = validated

    def active_filters(self, facets: list[Facet]) -> list[tuple[str, str, str]]:
        """(parameter, value, what a reader sees: "Domestic or overseas: Overseas") of each filter in use."""
        names = dict(CHOICE_FACETS + STAFF_FACETS + INPUT_LABELS)
        labels = {(facet.name, option.value): option.label for facet in facets for option in facet.options}
        return [
            (name, value, f"{names.get(name, name)}: {labels.get((name, value), value)}")
            for name, values in self.filter_data().lists()
            for value in values
        ]


def _choice_labels(filter_) -> dict[str, str]:
    choices = filter_.extra.get("choices")
    if choices is None:
        return {}
    if choices is countries:
        return dict(countries)
    return {str(value): str(label) for value, label in choices}


# --- Downloads -----------------------------------------------------------------------------


def export_response(request, queryset, *, export_format: str) -> StreamingHttpResponse:
    """
    The filtered figures through the API's export pipeline and serializer (config.api.export),
    so a download holds exactly what the API shows of each figure, both USD bases included.
    """
    queryset = InvestmentSerializer.related(queryset, user=request.user)
    return streaming_export(
        queryset=queryset,
        serializer_class=InvestmentSerializer,
        context={"request": request},
        export_format=export_format,
        name="ai-capex-figures",
    )
