"""
The one FilterSet of announced investments: the API's list, export and stats, and the HTML
figure list, all filter through `InvestmentFilterSet`, so a figure is found the same way
everywhere. Ordering and pagination belong to the views that use it.

Defaults when a parameter is absent: only published figures (`state`), and only current
ones (`include_superseded`), which is what a researcher means by "the figures".
"""

from decimal import Decimal

import django_filters
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from capex.choices import Category, Evidence, Measure, Scope, Status, WorkflowState, Workload
from capex.models import Investment
from companies.filters import COUNTRY_CHOICES
from companies.models import Company
from config.filtering import FilterSet, StrictBooleanFilter
from currencies.choices import CURRENCY_CHOICES

MAX_USD = Decimal("1e20") - 1


def _choice_filter(field_name: str, choices, help_text: str) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        field_name=field_name, choices=tuple(choices), help_text=help_text, distinct=False
    )


def _nothing_chosen(value) -> bool:
    """
    No company chosen. Without a value django-filter passes `Company.objects.none()`, and asking
    a queryset for its truth value runs it (or, for `none()`, compiles it): a millisecond of every
    list request spent learning that nothing was asked for.
    """
    if isinstance(value, QuerySet):
        return value.query.is_empty()
    return not value


class InvestmentFilterSet(FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        help_text='Text search in the title, description, company name, legal name and aliases ("TikTok owner").',
    )
    company = django_filters.ModelMultipleChoiceFilter(
        method="filter_company",
        to_field_name="slug",
        queryset=Company.objects.all(),
        help_text="Company slug, e.g. `bytedance`; repeat for several.",
    )
    country = django_filters.MultipleChoiceFilter(
        field_name="company__country",
        choices=COUNTRY_CHOICES,
        distinct=False,
        help_text="Headquarters country of the company (ISO 3166-1 alpha-2), e.g. `CN`; repeat for several.",
    )
    target_country = django_filters.MultipleChoiceFilter(
        choices=COUNTRY_CHOICES,
        method="filter_target_country",
        help_text="A country the money is spent in (ISO 3166-1 alpha-2), e.g. `US`; repeat for several.",
    )
    scope = _choice_filter(
        "scope", Scope.choices, "Where the money is spent relative to the company's home country; repeat for several."
    )
    measure = _choice_filter(
        "measure",
        Measure.choices,
        "What the figure measures (AI investment, total capital expenditure, programme, equity commitment, other); "
        "repeat for several.",
    )
    category = _choice_filter("category", Category.choices, "What the money buys; repeat for several.")
    workload = _choice_filter("workload", Workload.choices, "Training, inference or both; repeat for several.")
    vendor = django_filters.ModelMultipleChoiceFilter(
        method="filter_vendor",
        to_field_name="slug",
        queryset=Company.objects.all(),
        help_text="Slug of a chip vendor the money buys from, e.g. `nvidia`; repeat for several.",
    )
    evidence = _choice_filter("evidence", Evidence.choices, "How the figure is known; repeat for several.")
    status = _choice_filter("status", Status.choices, "Progress of the spending; repeat for several.")
    currency = _choice_filter("currency", CURRENCY_CHOICES, "Currency the figure was stated in (ISO 4217).")
    state = _choice_filter(
        "state",
        WorkflowState.choices,
        "Editorial state. Without it only published figures are listed; drafts and figures in review are "
        "visible to staff only.",
    )
    announced_from = django_filters.DateFilter(
        field_name="announced_on", lookup_expr="gte", help_text="Announced on or after this date (YYYY-MM-DD)."
    )
    announced_to = django_filters.DateFilter(
        field_name="announced_on", lookup_expr="lte", help_text="Announced on or before this date (YYYY-MM-DD)."
    )
    usd_min = django_filters.NumberFilter(
        method="filter_usd_min",
        min_value=Decimal(0),
        max_value=MAX_USD,
        help_text="At least this many US dollars at the announcement-date rate (the high end for a range). "
        "Figures not converted to USD do not match.",
    )
    usd_max = django_filters.NumberFilter(
        method="filter_usd_max",
        min_value=Decimal(0),
        max_value=MAX_USD,
        help_text="At most this many US dollars at the announcement-date rate (the low end for a range). "
        "Figures not converted to USD do not match.",
    )
    converted = StrictBooleanFilter(
        method="filter_converted",
        help_text="`false`: only figures with no USD value at the announcement-date rate (they are left out of "
        "totals, never counted as zero); `true`: only figures with one.",
    )
    top_level = StrictBooleanFilter(
        method="filter_top_level",
        help_text="`true`: only headline figures (no parent); `false`: only components.",
    )
    include_superseded = StrictBooleanFilter(
        method="filter_noop",
        help_text="`true` also lists figures replaced by a published revision (Meta's $60-65bn). Default `false`.",
    )

    class Meta:
        model = Investment
        fields: list[str] = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.published()
        if not self.form.cleaned_data.get("include_superseded"):
            queryset = queryset.current()
        return queryset

    def filter_converted(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(amount_usd_at_announcement__isnull=not value)

    def filter_text(self, queryset, name, value):
        """
        Figures whose title or description, or whose company's name, legal name or aliases,
        contain the text, ignoring case. Each arm is a query of its own, joined by UNION, so
        that on PostgreSQL each is served by its index (trigram GIN indexes on the upper-cased
        title and description, migration 0011; the company's own key for the third) rather
        than one scan of every figure testing an OR across two tables. SQLite scans with LIKE.
        """
        text = value.strip()
        if not text:
            return queryset
        companies = (
            Company.objects.order_by()
            .filter(Q(name__icontains=text) | Q(legal_name__icontains=text) | Q(aliases__icontains=text))
            .values("id")
        )
        figures = Investment.objects.order_by().values("id")
        matching = figures.filter(title__icontains=text).union(
            figures.filter(description__icontains=text), figures.filter(company_id__in=companies)
        )
        return queryset.filter(pk__in=matching)

    def filter_company(self, queryset, name, value: QuerySet[Company]):
        if _nothing_chosen(value):
            return queryset
        return queryset.filter(company__in=value)

    def filter_vendor(self, queryset, name, value: QuerySet[Company]):
        """Figures that buy from any of the vendors; a subquery, so no figure is listed twice."""
        if _nothing_chosen(value):
            return queryset
        buying = Investment.chip_vendors.through.objects.filter(company__in=value).values("investment_id")
        return queryset.filter(pk__in=buying)

    def filter_target_country(self, queryset, name, value: list[str]):
        if not value:
            return queryset
        # Stored as comma-separated alpha-2 codes; two letters can only match a whole code.
        condition = Q()
        for code in value:
            condition |= Q(target_countries__contains=code)
        return queryset.filter(condition)

    def filter_usd_min(self, queryset, name, value):
        if value is None:
            return queryset
        high = Coalesce(F("amount_high_usd_at_announcement"), F("amount_usd_at_announcement"))
        return queryset.alias(usd_high_end=high).filter(usd_high_end__gte=value)

    def filter_usd_max(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(amount_usd_at_announcement__lte=value)

    def filter_top_level(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(parent__isnull=value)

    def filter_noop(self, queryset, name, value):
        """Applied in `filter_queryset`, since its absence changes the result too."""
        return queryset
