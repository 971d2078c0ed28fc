"""
Every page runs a bounded number of queries whatever the data size: the same cap holds with
the sample data and with many more companies, figures, components, vendors and sources.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capex.choices import Qualifier, Scope, WorkflowState, Workload
from capex.models import Investment
from capex.services.slices import slices_refresh
from capex.tests.factories import CitationFactory, PublishedInvestmentFactory
from capex.tests.test_pages_fixtures import sample_figures_load
from companies.models import Company
from companies.tests.factories import CompanyFactory
from sources.models import Source

pytestmark = pytest.mark.django_db

EXTRA_COMPANIES = 30
BN = Decimal(10**9)


def bulk_figures_add(count: int = EXTRA_COMPANIES) -> None:
    """Many companies, each with a multi-year headline split into two components that buy from vendors."""
    nvidia = Company.objects.get(slug="nvidia")
    huawei = Company.objects.get(slug="huawei")
    for index in range(count):
        company = CompanyFactory(
            name=f"Bulk Company {index}", slug=f"bulk-{index}", country="CN" if index % 2 else "US"
        )
        usd = {"amount_usd_at_announcement": 10 * BN, "amount_usd_latest": 10 * BN}
        headline = PublishedInvestmentFactory(
            company=company,
            amount=10 * BN,
            qualifier=Qualifier.AT_LEAST,
            announced_on=datetime.date(2024 + index % 3, 3, 1),
            period_start=datetime.date(2024, 1, 1),
            period_end=datetime.date(2027, 12, 31),
            **usd,
        )
        for scope, workload in ((Scope.DOMESTIC, Workload.TRAINING), (Scope.OVERSEAS, Workload.INFERENCE)):
            component = PublishedInvestmentFactory(
                company=company,
                parent=headline,
                amount=6 * BN,
                scope=scope,
                workload=workload,
                amount_usd_at_announcement=6 * BN,
                amount_usd_latest=6 * BN,
            )
            component.chip_vendors.set([nvidia, huawei] if index % 2 else [nvidia])
            CitationFactory(investment=component)
        for revision in range(3):
            headline.title = f"{headline.title} (edit {revision})"
            headline.save()
    slices_refresh()  # written outside the services: as the nightly rebuild leaves them


@pytest.fixture(params=["sample", "large"])
def data(request):
    figures = sample_figures_load()
    if request.param == "large":
        bulk_figures_add()
        assert Investment.objects.filter(state=WorkflowState.PUBLISHED).count() > 90
    return figures


def urls(figures) -> dict[str, str]:
    seed = Source.objects.get(publisher__name="AInvest")
    return {
        "home": reverse("capex:home"),
        "home-spread-latest": reverse("capex:home") + "?years=spread&basis=latest",
        "companies": reverse("companies:list"),
        "companies-by-total": reverse("companies:list") + "?sort=-total&q=a",
        "company": reverse("companies:detail", kwargs={"slug": "bytedance"}),
        "vendor": reverse("companies:detail", kwargs={"slug": "nvidia"}),
        "partner": reverse("companies:detail", kwargs={"slug": "openai"}),
        "investment": reverse("capex:investment-detail", kwargs={"pk": figures["bytedance"].pk}),
        "component": reverse("capex:investment-detail", kwargs={"pk": figures["bytedance_chips"].pk}),
        "revised": reverse("capex:investment-detail", kwargs={"pk": figures["meta_january"].pk}),
        "explore": reverse("capex:explore"),
        "explore-filtered": reverse("capex:explore")
        + "?scope=domestic&vendor=nvidia&company=bytedance&top_level=false",
        "compare": reverse("capex:compare") + "?companies=bytedance&companies=meta&companies=alibaba",
        "sources": reverse("sources:list"),
        "source": reverse("sources:detail", kwargs={"pk": seed.pk}),
    }


# The most queries each page may run: what it needs today plus two, so a new query per row
# (an N+1) fails here at either data size. Whatever the size, the count stays the same (below).
# Totals are one GROUP BY per grouping a page shows (capex.selectors.SliceSet), so pages
# with many charts run more, constant, queries; they are cached by data version besides.
LIMITS = {
    "home": 23,
    "home-spread-latest": 26,
    "companies": 11,
    "companies-by-total": 11,
    "company": 28,
    "vendor": 30,
    "partner": 23,
    "investment": 18,
    "component": 17,
    "revised": 12,
    "explore": 23,
    "explore-filtered": 25,
    "compare": 31,
    "sources": 8,
    "source": 7,
}


def test_every_page_stays_within_its_query_limit(client, data, django_assert_max_num_queries):
    for page, url in urls(data).items():
        with django_assert_max_num_queries(LIMITS[page], info=f"the {page} page ({url})"):
            response = client.get(url)
        assert response.status_code == 200, page


def query_counts(client, figures) -> dict[str, int]:
    counts = {}
    for page, url in urls(figures).items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[page] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_data(client):
    figures = sample_figures_load()
    small = query_counts(client, figures)
    bulk_figures_add()
    assert query_counts(client, figures) == small
