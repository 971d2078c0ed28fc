"""The FilterSet of reported capex, for the API and any HTML list."""

import django_filters
from django import forms

from config.filtering import FilterSet, StrictBooleanFilter
from filings.models import ReportedCapex


class IntegerFilter(django_filters.NumberFilter):
    """A whole number: "2025.5" or "0.5" is a 400 naming the parameter, not an empty list."""

    field_class = forms.IntegerField


class ReportedCapexFilterSet(FilterSet):
    company = django_filters.CharFilter(field_name="company__slug", help_text="Company slug, e.g. meta.")
    fiscal_year = IntegerFilter(min_value=1990, max_value=2100, help_text="The company's fiscal year, e.g. 2025.")
    fiscal_quarter = IntegerFilter(min_value=1, max_value=4, help_text="1-4; use `period=FY` for full years.")
    period = django_filters.CharFilter(method="filter_period", help_text="Q1, Q2, Q3, Q4 or FY.")
    concept = django_filters.CharFilter(
        help_text="The us-gaap concept, e.g. PaymentsToAcquirePropertyPlantAndEquipment."
    )
    derived = StrictBooleanFilter(help_text="Only derived (true) or only as-reported (false) values.")
    current = StrictBooleanFilter(
        method="filter_current", help_text="true: only the latest filed value of each period."
    )

    class Meta:
        model = ReportedCapex
        fields: list[str] = []

    def filter_period(self, queryset, name, value):
        value = value.strip().upper()
        if value == "FY":
            return queryset.filter(fiscal_quarter__isnull=True)
        if value in {"Q1", "Q2", "Q3", "Q4"}:
            return queryset.filter(fiscal_quarter=int(value[1]))
        return queryset.none()

    def filter_current(self, queryset, name, value):
        return queryset.current() if value else queryset
