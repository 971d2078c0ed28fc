"""The rule that totals never double count, tried on the ByteDance case and its neighbours."""

import datetime
from decimal import Decimal

import pytest

from capex import selectors
from capex.choices import FxBasis, Qualifier, Scope, Status, WorkflowState, Workload
from capex.models import Investment
from capex.selectors import figure_effective_amount
from capex.services.slices import slices_refresh
from capex.tests.factories import PublishedInvestmentFactory
from companies.tests.factories import ChipVendorFactory, CompanyFactory

pytestmark = pytest.mark.django_db

BN = Decimal(10**9)


def breakdown(**options):
    """Totals as readers get them: summed from the slices, rebuilt here from the figures the test wrote directly."""
    slices_refresh()
    return selectors.breakdown(**options)


def company_totals(**options):
    slices_refresh()
    return selectors.company_totals(**options)


def published(**fields):
    """A published figure whose USD values are set as the currency jobs would leave them."""
    usd = fields.pop("usd", fields.get("amount"))
    usd_high = fields.pop("usd_high", fields.get("amount_high"))
    latest = fields.pop("usd_latest", usd)
    return PublishedInvestmentFactory(
        amount_usd_at_announcement=usd,
        amount_high_usd_at_announcement=usd_high,
        amount_usd_latest=latest,
        amount_high_usd_latest=usd_high,
        **fields,
    )


@pytest.fixture
def bytedance():
    company = CompanyFactory(name="ByteDance", slug="bytedance", country="CN")
    nvidia = ChipVendorFactory(name="Nvidia", slug="nvidia")
    huawei = ChipVendorFactory(name="Huawei", slug="huawei", country="CN")
    headline = published(
        company=company,
        amount=12 * BN,
        qualifier=Qualifier.AT_LEAST,
        scope=Scope.GLOBAL,
        title="AI infrastructure spending in 2025",
    )
    domestic = published(
        company=company,
        parent=headline,
        amount=40 * BN,
        currency="CNY",
        usd=Decimal("5491298066.09"),
        usd_latest=Decimal("5600000000"),
        scope=Scope.DOMESTIC,
        workload=Workload.INFERENCE,
    )
    domestic.chip_vendors.set([huawei, nvidia])
    overseas = published(
        company=company,
        parent=headline,
        amount=Decimal("6.8") * BN,
        scope=Scope.OVERSEAS,
        workload=Workload.TRAINING,
    )
    overseas.chip_vendors.set([nvidia])
    return {"company": company, "headline": headline, "domestic": domestic, "overseas": overseas}


def test_total_counts_the_headline_once_and_grows_at_least_to_its_components(bytedance):
    totals = company_totals()
    assert [b.key for b in totals.buckets] == ["bytedance"]
    # "more than $12bn" with components of $5.49bn + $6.8bn: the components' sum is the figure.
    assert totals.total.point == Decimal("12291298066.09")
    assert totals.bucket("bytedance").figure_count == 1


def test_scope_breakdown_splits_the_headline_through_its_components(bytedance):
    result = breakdown(dimension="scope")
    assert {b.key: b.measures.point for b in result.buckets} == {
        "domestic": Decimal("5491298066.09"),
        "overseas": Decimal("6800000000"),
    }
    assert result.total == company_totals().total


def test_uncovered_part_of_a_headline_goes_to_its_own_bucket():
    company = CompanyFactory(name="Microsoft", slug="microsoft")
    headline = published(company=company, amount=80 * BN, scope=Scope.GLOBAL)
    published(company=company, parent=headline, amount=40 * BN, qualifier=Qualifier.AT_LEAST, scope=Scope.DOMESTIC)
    result = breakdown(dimension="scope")
    assert {b.key: b.measures.point for b in result.buckets} == {"domestic": 40 * BN, "global": 40 * BN}
    assert result.total.point == 80 * BN


def test_unspecified_bucket_is_explicit_and_last():
    company = CompanyFactory()
    published(company=company, amount=75 * BN, workload=Workload.UNSPECIFIED)
    published(company=company, amount=5 * BN, workload=Workload.TRAINING)
    result = breakdown(dimension="workload")
    assert [(b.key, b.measures.point) for b in result.buckets] == [("training", 5 * BN), ("unspecified", 75 * BN)]


def test_components_exceeding_an_exact_parent_are_scaled_to_fit():
    company = CompanyFactory()
    headline = published(company=company, amount=10 * BN, qualifier=Qualifier.EXACT)
    published(company=company, parent=headline, amount=8 * BN, scope=Scope.DOMESTIC)
    published(company=company, parent=headline, amount=8 * BN, scope=Scope.OVERSEAS)
    result = breakdown(dimension="scope")
    assert result.total.point == 10 * BN
    assert result.bucket("domestic").measures.point == 5 * BN


def test_superseded_figure_is_not_counted_but_a_draft_revision_does_not_hide_it():
    company = CompanyFactory(name="Meta", slug="meta")
    original = published(company=company, amount=60 * BN, amount_high=65 * BN, qualifier=Qualifier.RANGE)
    assert company_totals().total.point == Decimal("62.5") * BN

    revision = published(
        company=company, supersedes=original, amount=64 * BN, amount_high=72 * BN, qualifier=Qualifier.RANGE
    )
    Investment.objects.filter(pk=revision.pk).update(state=WorkflowState.DRAFT)
    assert company_totals().total.point == Decimal("62.5") * BN

    Investment.objects.filter(pk=revision.pk).update(state=WorkflowState.PUBLISHED)
    total = company_totals().total
    assert (total.low, total.high, total.point) == (64 * BN, 72 * BN, 68 * BN)


def test_drafts_and_cancelled_figures_are_not_counted():
    company = CompanyFactory()
    published(company=company, amount=1 * BN)
    cancelled = published(company=company, amount=2 * BN, status=Status.CANCELLED)
    draft = published(company=company, amount=4 * BN)
    Investment.objects.filter(pk=draft.pk).update(state=WorkflowState.DRAFT)
    assert cancelled.status == Status.CANCELLED
    assert company_totals().total.point == 1 * BN


def test_unconverted_figure_is_reported_not_counted_as_zero():
    company = CompanyFactory()
    published(company=company, amount=1 * BN)
    missing = published(company=company, amount=3 * BN, currency="TWD", usd=None)
    result = company_totals()
    assert result.total.point == 1 * BN
    assert result.unconverted == [missing.pk]


def test_filtering_by_origin_counts_a_component_without_its_headline(bytedance):
    origins = Investment.objects.filter(scope=Scope.OVERSEAS)
    result = breakdown(dimension="company", origins=origins)
    assert result.total.point == Decimal("6.8") * BN
    assert result.bucket("bytedance").figure_count == 1


def test_vendors_without_a_stated_share_are_unallocated_never_counted_in_full_for_each(bytedance):
    result = breakdown(dimension="vendor")
    assert {b.label: b.measures.point for b in result.buckets} == {
        "Unallocated among Huawei, Nvidia": Decimal("5491298066.09"),
        "Unallocated among Nvidia": Decimal("6800000000"),
    }
    assert sum(b.measures.point for b in result.buckets) == result.total.point


def test_latest_basis_uses_latest_conversions(bytedance):
    assert breakdown(dimension="scope", basis=FxBasis.LATEST).bucket("domestic").measures.point == 56 * BN / 10


def test_multi_year_figure_can_be_spread_over_the_years_it_covers():
    company = CompanyFactory(name="Stargate", slug="stargate")
    published(
        company=company,
        amount=500 * BN,
        qualifier=Qualifier.UP_TO,
        announced_on=datetime.date(2025, 1, 21),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2028, 12, 31),
    )
    by_announcement = breakdown(dimension="year", year_mode="announcement")
    assert [(b.key, b.measures.point) for b in by_announcement.buckets] == [("2025", 500 * BN)]
    spread = breakdown(dimension="year")  # the default view
    assert [b.key for b in spread.buckets] == ["2025", "2026", "2027", "2028"]
    assert sum(b.measures.point for b in spread.buckets) == 500 * BN
    assert spread.bucket("2028").measures.point > spread.bucket("2027").measures.point  # a leap year has a day more


def test_effective_amount_of_one_figure(bytedance):
    measures = figure_effective_amount(investment=bytedance["headline"])
    assert measures.point == Decimal("12291298066.09")


def test_breakdown_runs_a_fixed_number_of_queries(bytedance, django_assert_max_num_queries):
    for _ in range(5):
        published(company=bytedance["company"], amount=1 * BN)
    slices_refresh()
    # The groups, their vendors' names, the total and the figures left unconverted.
    with django_assert_max_num_queries(4):
        selectors.breakdown(dimension="vendor")


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="Unknown dimension"):
        breakdown(dimension="colour")


def test_filtering_on_a_headline_counts_it_whole(bytedance):
    origins = Investment.objects.filter(company__slug="bytedance", parent__isnull=True)
    result = breakdown(dimension="scope", origins=origins)
    assert result.total.point == Decimal("12291298066.09")
    assert {b.key for b in result.buckets} == {"domestic", "overseas"}
