"""The one FilterSet of companies, shared by the API and the HTML company list."""

import django_filters
from django_countries import countries

from companies.choices import CompanyKind
from companies.models import Company
from config.filtering import FilterSet

# (alpha-2 code, name) of every country, by code; names stay lazy so importing needs no translation.
COUNTRY_CHOICES = tuple(sorted(countries.countries.items()))


class CompanyFilterSet(FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        help_text='Search the name, legal name, aliases ("TikTok owner", "字节跳动") and ticker.',
    )
    country = django_filters.MultipleChoiceFilter(
        choices=COUNTRY_CHOICES,
        distinct=False,
        help_text="Headquarters country (ISO 3166-1 alpha-2), e.g. `CN`; repeat for several.",
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=tuple(CompanyKind.choices), distinct=False, help_text="Kind of company; repeat for several."
    )

    class Meta:
        model = Company
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        return queryset.search(value)
