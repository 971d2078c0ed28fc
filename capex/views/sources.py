"""
The sources list and a source's page with the figures it supports. A source's private text
is never shown here.
"""

from django.views.generic import DetailView, ListView

from capex.models import Investment
from capex.page_selectors import source_citations, sources_with_counts
from capex.views.common import BadParameter, bad_parameter_response, filter_params
from sources.choices import SourceKind
from sources.filters import SourceFilterSet
from sources.models import Publisher, Source

PAGE_SIZE = 50


class SourceListView(ListView):
    """Filtered through the API's own SourceFilterSet, so a source is found the same way in both."""

    template_name = "sources/source_list.html"
    context_object_name = "sources"
    paginate_by = PAGE_SIZE

    def get(self, request, *args, **kwargs):
        self.filters = SourceFilterSet(filter_params(request.GET), queryset=Source.objects.defer("text"))
        if not self.filters.is_valid():
            name, errors = next(iter(self.filters.errors.items()))
            return bad_parameter_response(request, BadParameter(name, " ".join(errors)))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return sources_with_counts(self.filters.qs).order_by("-published_on", "title")

    def paginate_queryset(self, queryset, page_size):
        """As on the companies list, a page number that is not one shows the nearest page, not a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "query": self.request.GET.get("q", "").strip(),
                "selected_kinds": self.request.GET.getlist("kind"),
                "selected_publishers": self.request.GET.getlist("publisher"),
                "kind_choices": SourceKind.choices,
                "publisher_choices": Publisher.objects.order_by("name").values_list("name", flat=True),
            }
        )
        return context


class SourceDetailView(DetailView):
    template_name = "sources/source_detail.html"
    context_object_name = "source"

    def get_queryset(self):
        return Source.objects.select_related("publisher").defer("text")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["citations"] = source_citations(
            source=self.object, visible=Investment.objects.visible_to(self.request.user)
        )
        return context
