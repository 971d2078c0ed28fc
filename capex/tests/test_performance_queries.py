"""
What the performance work must keep: the fast list rows are exactly the serializer's, the
number of queries of a list page does not grow with the data, cached totals are served
without recomputing them, and the admin changelist stays usable with many companies.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capex.admin.investments import MAX_COMPANY_CHOICES
from capex.conversions import conversions_recompute
from capex.tests.factories import CitationFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, throttles_reset
from companies.models import Company
from companies.tests.factories import ChipVendorFactory, CompanyFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/investments/"
STATS = "/api/v1/stats/"


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


def list_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api_client("anonymous").get(LIST, {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def figures_with_everything(count: int) -> None:
    vendor = ChipVendorFactory()
    for _ in range(count):
        headline = PublishedInvestmentFactory()
        headline.chip_vendors.add(vendor)
        headline.partners.add(CompanyFactory())
        CitationFactory(investment=headline)
        PublishedInvestmentFactory(company=headline.company, parent=headline, amount=1)


def test_list_queries_do_not_grow_with_the_data():
    figures_with_everything(3)
    few = list_queries()
    figures_with_everything(30)

    assert list_queries() == few


def test_a_cached_total_is_served_without_reading_the_figures_again():
    PublishedInvestmentFactory()
    conversions_recompute()
    client = api_client("anonymous")
    with CaptureQueriesContext(connection) as first:
        first_data = client.get(STATS, {"group_by": "vendor"}).json()
    with CaptureQueriesContext(connection) as second:
        second_data = client.get(STATS, {"group_by": "vendor"}).json()

    assert second_data == first_data
    figure_reads = [q["sql"] for q in second.captured_queries if "chip_vendors" in q["sql"]]
    assert figure_reads == []
    assert len(second.captured_queries) < len(first.captured_queries)


def test_the_admin_changelist_offers_no_company_links_past_the_limit_but_still_filters_by_company(admin_client):
    kept = PublishedInvestmentFactory(title="Kept by the company filter", company=CompanyFactory(name="Kept Co"))
    PublishedInvestmentFactory(title="Left out by the company filter", company=CompanyFactory(name="Other Co"))
    Company.objects.bulk_create(
        Company(name=f"Bulk firm {n}", slug=f"bulk-firm-{n}", country="US") for n in range(MAX_COMPANY_CHOICES)
    )

    page = admin_client.get("/admin/capex/investment/").content.decode()
    filtered = admin_client.get(f"/admin/capex/investment/?company__id__exact={kept.company_id}").content.decode()

    assert f"?company__id__exact={kept.company_id}" not in page
    assert "Kept by the company filter" in filtered
    assert "Left out by the company filter" not in filtered


def test_the_admin_changelist_links_each_company_while_there_are_few(admin_client):
    figures = [PublishedInvestmentFactory(company=CompanyFactory(name=name)) for name in ("Kept Co", "Other Co")]

    page = admin_client.get("/admin/capex/investment/").content.decode()

    for figure in figures:
        assert f"?company__id__exact={figure.company_id}" in page


def test_the_home_page_lists_the_largest_companies_up_to_its_limit(client, monkeypatch):
    monkeypatch.setattr("capex.page_selectors.HOME_COMPANIES", 2)
    for name, billions in (("Small Co", 1), ("Large Co", 9), ("Middle Co", 5)):
        PublishedInvestmentFactory(company=CompanyFactory(name=name), amount=billions * 1_000_000_000)
    conversions_recompute()

    html = client.get("/").content.decode()

    assert 'data-company="large-co"' in html
    assert 'data-company="middle-co"' in html
    assert 'data-company="small-co"' not in html


def test_the_home_page_says_how_many_figures_are_not_converted_when_it_lists_only_some(client, monkeypatch):
    monkeypatch.setattr("capex.page_selectors.HOME_UNCONVERTED", 1)
    for title in ("First franc plan", "Second franc plan"):
        PublishedInvestmentFactory(title=title, currency="XAF")
    conversions_recompute()

    html = client.get("/").content.decode()

    assert "The first 1 of 2" in html


def test_a_chart_of_many_groups_shows_the_largest_and_sums_the_rest_as_other(monkeypatch):
    from capex.selectors import breakdown
    from capex.views.charts import breakdown_chart

    monkeypatch.setattr("capex.views.charts.MAX_CHART_BUCKETS", 3)
    for billions in (1, 2, 3, 4):
        PublishedInvestmentFactory(amount=billions * 1_000_000_000)
    conversions_recompute()

    chart = breakdown_chart(breakdown(dimension="company"), chart_id="c", title="By company", basis_label="USD")

    labels = [label for _, label in chart.categories]
    assert len(labels) == 3
    assert labels[-1] == "Other (2)"
    assert sum(chart.series[0].values) == 10_000_000_000
