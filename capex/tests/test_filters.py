"""InvestmentFilterSet on its own: the filters the API, the exports, the stats and the pages share."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict

from capex.choices import Scope, Status, WorkflowState
from capex.filters import InvestmentFilterSet
from capex.models import Investment
from capex.tests.factories import InvestmentFactory, PublishedInvestmentFactory
from companies.tests.factories import ChipVendorFactory, CompanyFactory

pytestmark = pytest.mark.django_db


def filtered(query: str) -> set[int]:
    filterset = InvestmentFilterSet(data=QueryDict(query), queryset=Investment.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def errors(query: str) -> dict:
    filterset = InvestmentFilterSet(data=QueryDict(query), queryset=Investment.objects.all())
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def bytedance():
    nvidia = ChipVendorFactory(name="Nvidia", slug="nvidia")
    company = CompanyFactory(name="ByteDance", slug="bytedance", country="CN", aliases="TikTok owner")
    headline = PublishedInvestmentFactory(company=company, title="AI infrastructure in 2025", amount=Decimal("12e9"))
    overseas = PublishedInvestmentFactory(
        company=company,
        parent=headline,
        title="Overseas training",
        scope=Scope.OVERSEAS,
        target_countries=["MY", "US"],
        amount=Decimal("6.8e9"),
    )
    overseas.chip_vendors.add(nvidia)
    Investment.objects.filter(pk=headline.pk).update(amount_usd_at_announcement=Decimal("12e9"))
    Investment.objects.filter(pk=overseas.pk).update(amount_usd_at_announcement=Decimal("6.8e9"))
    return headline, overseas


def test_without_parameters_only_published_current_figures_are_listed(bytedance):
    draft = InvestmentFactory()
    original = PublishedInvestmentFactory()
    revision = PublishedInvestmentFactory(company=original.company, supersedes=original)

    found = filtered("")

    assert {revision.pk, *(f.pk for f in bytedance)} == found
    assert draft.pk not in found
    assert original.pk in filtered("include_superseded=true")
    assert filtered("state=draft") == {draft.pk}


def test_a_draft_revision_does_not_hide_its_original():
    original = PublishedInvestmentFactory()
    InvestmentFactory(company=original.company, supersedes=original)

    assert original.pk in filtered("")


def test_company_vendor_and_countries_filter(bytedance):
    headline, overseas = bytedance
    PublishedInvestmentFactory(company=CompanyFactory(country="US"))

    assert filtered("company=bytedance") == {headline.pk, overseas.pk}
    assert filtered("vendor=nvidia") == {overseas.pk}
    assert filtered("country=CN") == {headline.pk, overseas.pk}
    assert filtered("target_country=US") == {overseas.pk}
    assert filtered("target_country=CN") == set()


def test_scope_top_level_and_usd_range(bytedance):
    headline, overseas = bytedance

    assert filtered("scope=overseas") == {overseas.pk}
    assert filtered("top_level=true") == {headline.pk}
    assert filtered("top_level=false") == {overseas.pk}
    assert filtered("usd_min=10000000000") == {headline.pk}
    assert filtered("usd_max=7000000000") == {overseas.pk}


def test_a_range_matches_the_usd_range_by_overlap():
    figure = PublishedInvestmentFactory()
    Investment.objects.filter(pk=figure.pk).update(
        amount_usd_at_announcement=Decimal("60e9"), amount_high_usd_at_announcement=Decimal("65e9")
    )

    assert figure.pk in filtered("usd_min=63000000000")
    assert figure.pk in filtered("usd_max=61000000000")
    assert figure.pk not in filtered("usd_min=66000000000")


def test_text_search_reaches_company_aliases(bytedance):
    assert filtered("q=TikTok owner") == {f.pk for f in bytedance}
    assert filtered("q=overseas") == {bytedance[1].pk}


def test_text_search_matches_title_description_and_company_in_any_case_and_position():
    chips = PublishedInvestmentFactory(title="AI chips bought in China", description="")
    training = PublishedInvestmentFactory(title="Overseas plan", description="Model TRAINING on Nvidia chips")
    named = PublishedInvestmentFactory(company=CompanyFactory(name="Cambricon Technologies"), title="Plan")
    PublishedInvestmentFactory(title="Data centres", description="Power and land")

    assert filtered("q=CHIPS") == {chips.pk, training.pk}
    assert filtered("q=training") == {training.pk}
    assert filtered("q=bricon tech") == {named.pk}
    assert filtered("q=chips&q=") == {chips.pk, training.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
def test_text_search_is_served_by_the_trigram_indexes_on_postgresql():
    PublishedInvestmentFactory(title="AI chips bought in China")
    queryset = InvestmentFilterSet(QueryDict("q=chips"), queryset=Investment.objects.all()).qs
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "capex_investment_title_trgm" in plan
    assert "capex_investment_description_trgm" in plan


def test_dates_and_status(bytedance):
    later = PublishedInvestmentFactory(announced_on=date(2025, 6, 1), status=Status.CANCELLED)

    assert filtered("announced_from=2025-03-01") == {later.pk}
    assert filtered("status=cancelled") == {later.pk}


def test_a_blank_value_means_not_given(bytedance):
    assert filtered("company=&scope=&q=") == filtered("")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("company=nobody", "company"),
        ("scope=nowhere", "scope"),
        ("announced_from=2025-02-30", "announced_from"),
        ("usd_min=-1", "usd_min"),
        ("top_level=perhaps", "top_level"),
        ("state=archived", "state"),
    ],
)
def test_unknown_values_are_errors_naming_the_filter(query, field):
    assert field in errors(query)


def test_filters_do_not_repeat_a_figure_bought_from_several_vendors():
    figure = PublishedInvestmentFactory()
    figure.chip_vendors.add(ChipVendorFactory(slug="huawei"), ChipVendorFactory(slug="cambricon"))

    filterset = InvestmentFilterSet(data=QueryDict("vendor=huawei&vendor=cambricon"), queryset=Investment.objects.all())

    assert list(filterset.qs.values_list("pk", flat=True)) == [figure.pk]


def test_in_review_figures_are_found_by_state():
    in_review = InvestmentFactory(state=WorkflowState.IN_REVIEW)

    assert filtered("state=in_review") == {in_review.pk}


def test_converted_filter_finds_the_figures_left_out_of_totals(bytedance):
    headline, overseas = bytedance
    Investment.objects.filter(pk=overseas.pk).update(amount_usd_at_announcement=None)
    assert filtered("converted=false") == {overseas.pk}
    assert filtered("converted=true") == {headline.pk}
    assert filtered("converted=false&top_level=true") == set()


def test_filter_sets_side_by_side_each_filter_their_own_data(bytedance):
    """Each FilterSet has its own filters (copied from the class's, not shared), `method=` filters included."""
    by_text = InvestmentFilterSet(data=QueryDict("q=overseas"), queryset=Investment.objects.all())
    by_company = InvestmentFilterSet(data=QueryDict("company=bytedance"), queryset=Investment.objects.all())

    assert by_text.filters["q"] is not by_company.filters["q"]
    assert by_text.filters["q"].parent is by_text and by_company.filters["q"].parent is by_company
    assert by_text.filters["q"] is not InvestmentFilterSet.base_filters["q"]
    assert {i.title for i in by_text.qs} == {"Overseas training"}
    assert len(by_company.qs) == Investment.objects.filter(company__slug="bytedance").count() > 1
