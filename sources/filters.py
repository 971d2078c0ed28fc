"""The FilterSets of publishers and sources, shared by the API and the HTML source list."""

import django_filters
from django.db.models import Q, QuerySet

from config.filtering import FilterSet
from sources.choices import PublisherKind, Reliability, SourceKind
from sources.models import Publisher, Source


class PublisherFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_text", help_text="Search the name and domain.")
    kind = django_filters.MultipleChoiceFilter(
        choices=tuple(PublisherKind.choices), distinct=False, help_text="Kind of publisher; repeat for several."
    )
    default_reliability = django_filters.MultipleChoiceFilter(
        choices=tuple(Reliability.choices), distinct=False, help_text="Default reliability; repeat for several."
    )

    class Meta:
        model = Publisher
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(name__icontains=text) | Q(domain__icontains=text))


class SourceFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_text", help_text="Search the title, URL and publisher name.")
    publisher = django_filters.ModelMultipleChoiceFilter(
        queryset=Publisher.objects.all(),
        method="filter_publisher",
        to_field_name="name",
        help_text="Publisher name, e.g. `Financial Times`; repeat for several.",
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=tuple(SourceKind.choices), distinct=False, help_text="Kind of source; repeat for several."
    )
    language = django_filters.CharFilter(help_text="Language code (BCP 47), e.g. `en`, `zh`.")
    published_from = django_filters.DateFilter(
        field_name="published_on", lookup_expr="gte", help_text="Published on or after this date (YYYY-MM-DD)."
    )
    published_to = django_filters.DateFilter(
        field_name="published_on", lookup_expr="lte", help_text="Published on or before this date (YYYY-MM-DD)."
    )

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_publisher(self, queryset, name, value: QuerySet[Publisher]):
        if not value:
            return queryset
        return queryset.filter(publisher__in=value)

    def filter_text(self, queryset, name, value):
        return queryset.search(value)
