"""The FilterSets of stored exchange rates and of rate refresh runs."""

import django_filters

from config.filtering import FilterSet
from currencies.choices import CURRENCY_CHOICES, RateProvider, RefreshStatus
from currencies.models import ExchangeRate, RateRefresh


class ExchangeRateFilterSet(FilterSet):
    provider = django_filters.MultipleChoiceFilter(
        choices=tuple(RateProvider.choices),
        distinct=False,
        help_text="Where the rate comes from; repeat for several.",
    )
    base = django_filters.MultipleChoiceFilter(
        choices=tuple(CURRENCY_CHOICES),
        distinct=False,
        help_text="Base currency of the published pair (ISO 4217).",
    )
    currency = django_filters.MultipleChoiceFilter(
        choices=tuple(CURRENCY_CHOICES),
        distinct=False,
        help_text="Quoted currency of the published pair (ISO 4217).",
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="Rates on or after this date (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="Rates on or before this date (YYYY-MM-DD)."
    )

    class Meta:
        model = ExchangeRate
        fields: list[str] = []


class RateRefreshFilterSet(FilterSet):
    provider = django_filters.MultipleChoiceFilter(
        choices=tuple(RateProvider.choices), distinct=False, help_text="Provider refreshed; repeat for several."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=tuple(RefreshStatus.choices),
        distinct=False,
        help_text="Outcome of the run; repeat for several.",
    )
    started_from = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__gte", help_text="Runs started on or after this date (YYYY-MM-DD)."
    )
    started_to = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__lte", help_text="Runs started on or before this date (YYYY-MM-DD)."
    )

    class Meta:
        model = RateRefresh
        fields: list[str] = []
