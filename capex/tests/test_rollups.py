"""
The rollups of totals (`CompanyRollup`) answer exactly what the stored slices answer, are
kept by the transaction that changes the slices, and spare the dashboard, a company page
and the unfiltered stats from reading the slices at all.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capex.choices import FxBasis, Measure, WorkflowState
from capex.conversions import conversions_recompute
from capex.curated import dataset_load, dataset_read
from capex.models import CompanyRollup, FigureSlice, Investment, OverallRollup
from capex.selectors import DIMENSIONS, YEAR_MODES, Breakdown, RollupSet, SliceSet, names_vendor, slice_set
from capex.services.workflow import investment_publish, investment_return_to_draft
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.personas import sample_figures_with_rates
from capex.tests.test_pages_queries import bulk_figures_add
from companies.models import Company
from companies.tests.factories import CompanyFactory
from currencies.choices import RateProvider
from currencies.providers import get_provider
from currencies.services import rates_store

pytestmark = pytest.mark.django_db

BN = Decimal(10**9)
MEASURES = [*Measure.values, None]


def shown(result: Breakdown) -> dict:
    """Everything a page or the API shows of a breakdown, buckets in the order they are listed."""
    return {
        "total": result.total,
        "figure_count": result.figure_count,
        "open_figures": result.open_figures,
        "unconverted": result.unconverted,
        "buckets": [(b.key, b.label, b.measures, b.figure_count, b.open_figures) for b in result.buckets],
    }


def assert_rollups_answer_as_slices() -> int:
    """Every breakdown the pages and the stats API show, from the rollups and from the slices; how many compared."""
    assert_overall_rows_are_the_sum_of_the_companies()
    compared = 0
    # Each company through its own filter, for the largest few (every company is compared in
    # the grouping per company): the company page's path.
    slugs = [b.key for b in SliceSet(FxBasis.ANNOUNCEMENT, measure=None).group("company").buckets[:3]]
    # The year view changes the year dimension only; every other grouping is over all years.
    groupings = [(d, "spread") for d in DIMENSIONS if d != "year"] + [("year", mode) for mode in YEAR_MODES]
    for basis in FxBasis.values:
        for measure in MEASURES:
            rollups, slices = RollupSet(basis, measure=measure), SliceSet(basis, measure=measure)
            for dimension, year_mode in groupings:
                context = (basis, measure, dimension, year_mode)
                expected = slices.group(dimension, year_mode=year_mode)
                assert shown(rollups.group(dimension, year_mode=year_mode)) == shown(expected), context
                per_company = rollups.group_per_company(dimension, year_mode=year_mode)
                expected_per_company = slices.group_per_company(dimension, year_mode=year_mode)
                assert {k: shown(v) for k, v in per_company.items()} == {
                    k: shown(v) for k, v in expected_per_company.items()
                }, context
                for slug in slugs:
                    one = rollups.filter(company__slug=slug).group(dimension, year_mode=year_mode)
                    expected_one = slices.filter(company__slug=slug).group(dimension, year_mode=year_mode)
                    assert shown(one) == shown(expected_one), (*context, slug)
                compared += 2 + len(slugs)
            by_measure = {k: shown(v) for k, v in rollups.group_by_each("measure", "year").items()}
            assert by_measure == {k: shown(v) for k, v in slices.group_by_each("measure", "year").items()}
            for vendor_id in vendors_named():
                assert shown(rollups.buyers(vendor_id)) == buyers_from_slices(slices, vendor_id), (basis, measure)
                compared += 1
    return compared


def vendors_named() -> set[int]:
    return {
        int(part) for ids in FigureSlice.objects.values_list("vendors", flat=True) for part in ids.split(",") if part
    }


def buyers_from_slices(slices: SliceSet, vendor_id: int) -> dict:
    """A vendor's buyers as the slices give them: each buying company's buckets that name it, and all they sum to."""
    naming = slices.filter(names_vendor(vendor_id))
    names = dict(Company.objects.values_list("slug", "name"))
    buckets = [
        (f"{slug}:{b.key}", f"{names[slug]} · {b.label}", b.measures, b.figure_count, b.open_figures)
        for slug, breakdown in naming.group_per_company("vendor").items()
        for b in breakdown.buckets
    ]
    total, figure_count = naming.totals
    return {
        "total": total,
        "figure_count": figure_count,
        "open_figures": naming.open_figures,
        "unconverted": naming.unconverted,
        "buckets": sorted(buckets, key=lambda bucket: (-bucket[2].point, bucket[0])),
    }


def test_the_rollups_answer_every_breakdown_of_the_sample_figures_as_the_slices_do():
    sample_figures_with_rates()
    # The sample's ByteDance case is in the rollups: more than $12bn, grown to its components.
    bytedance = RollupSet(FxBasis.ANNOUNCEMENT).filter(company__slug="bytedance").group("vendor")
    assert bytedance.high_open and bytedance.total.low > 12 * BN
    assert {b.key for b in bytedance.buckets} >= {"cambricon+huawei", "nvidia"}
    # Nvidia's buyers: one ByteDance figure, in two buckets (Nvidia's stated share, and money it
    # did not allocate), counted once in the total.
    nvidia = Company.objects.get(slug="nvidia")
    buyers = RollupSet(FxBasis.ANNOUNCEMENT).buyers(nvidia.pk)
    assert [(b.label, b.figure_count) for b in buyers.buckets] == [
        ("ByteDance · Unallocated among Nvidia", 1),
        ("ByteDance · Nvidia", 1),
    ]
    assert buyers.figure_count == 1
    assert buyers.total.point == sum(b.measures.point for b in buyers.buckets) > 8 * BN
    assert assert_rollups_answer_as_slices() > 0


def test_the_rollups_answer_every_breakdown_of_the_curated_dataset_as_the_slices_do(
    django_capture_on_commit_callbacks,
):
    """
    The curated load writes each headline's slices and rollups once, at the end of its
    transaction, and converts its figures in one recompute after commit
    (capex.services.loading): what it stores is what a recompute of every figure and a rebuild
    of every slice and rollup give, and the rollups answer every breakdown as the slices do.
    """
    dataset = dataset_read()
    currencies = {"USD", *(figure.fields["currency"] for figure in dataset.figures.values())}
    rows = get_provider(RateProvider.ECB_BUNDLED).fetch(datetime.date(2015, 1, 1), datetime.date.today())
    rates_store(provider=RateProvider.ECB_BUNDLED, rows=[row for row in rows if row.currency in currencies])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dataset_load(dataset)

    # One conversion of all the loaded figures after commit, not one per figure.
    assert len([c for c in callbacks if c.__module__ == "capex.services.loading"]) == 1
    assert not [c for c in callbacks if c.__module__ == "capex.services.investments"]
    batched = stored_totals()
    slices, rollups, conversions = batched
    assert len(conversions) == len(dataset.figures) and len(slices) > len(conversions) and rollups
    assert all(usd is not None for _, usd, _ in conversions)
    conversions_recompute()  # every figure, then every slice and rollup rebuilt
    assert stored_totals() == batched

    assert Investment.objects.countable().count() > 20
    assert CompanyRollup.objects.filter(dimension=CompanyRollup.Dimension.TOTAL).exists()
    assert assert_rollups_answer_as_slices() > 0


def stored_totals() -> tuple[list, list, list]:
    """The slices, the rollups and the figures' USD conversions as stored, in a fixed order."""
    slices = sorted(
        FigureSlice.objects.values_list(
            "basis", "figure_id", "origin_id", "year", "scope", "vendors", "low_mills", "high_mills", "point_mills"
        )
    )
    rollups = sorted(
        CompanyRollup.objects.values_list(
            "basis", "measure", "company_id", "dimension", "year_mode", "key", "point_mills", "figures"
        )
    )
    conversions = sorted(Investment.objects.values_list("pk", "amount_usd_at_announcement", "amount_usd_latest"))
    return slices, rollups, conversions


def test_totals_without_a_filter_of_figures_come_from_the_rollups_and_others_from_the_slices():
    assert isinstance(slice_set(), RollupSet)
    assert isinstance(slice_set().filter(company__slug="bytedance"), RollupSet)
    assert isinstance(slice_set().filter(company__slug="bytedance").filter(scope="overseas"), SliceSet)
    assert isinstance(slice_set(investments=Investment.objects.all()), SliceSet)


def rollup_rows() -> list[tuple]:
    """Every company's rollup rows and the overall ones, as stored."""
    return sorted(
        CompanyRollup.objects.values_list(
            "basis", "measure", "company_id", "dimension", "year_mode", "key", "vendors", "point_mills", "figures"
        )
    ) + sorted(OverallRollup.objects.values_list(*OVERALL_FIELDS))


OVERALL_FIELDS = (
    "basis",
    "dimension",
    "measure",
    "year_mode",
    "key",
    "vendors",
    "low_mills",
    "high_mills",
    "point_mills",
    "figures",
    "open_figures",
)


def assert_overall_rows_are_the_sum_of_the_companies() -> None:
    """The overall rows, kept by differences, are what summing every company's rows gives afresh."""
    groups = {}
    for row in CompanyRollup.objects.exclude(dimension__in=["unconverted", "buyer"]).values(*OVERALL_FIELDS):
        group = tuple(row[name] for name in OVERALL_FIELDS[:6])
        amounts = [row[name] for name in OVERALL_FIELDS[6:]]
        groups[group] = [a + b for a, b in zip(groups.get(group, [0] * 5), amounts, strict=True)]
    assert sorted(OverallRollup.objects.values_list(*OVERALL_FIELDS)) == sorted(
        (*group, *amounts) for group, amounts in groups.items()
    )


def company_total(slug: str) -> tuple[Decimal, int]:
    total, figures = RollupSet(FxBasis.ANNOUNCEMENT).filter(company__slug=slug).totals
    return total.point, figures


def a_draft_figure(company: Company, amount: Decimal) -> Investment:
    figure = InvestmentFactory(
        company=company,
        amount=amount,
        announced_on=datetime.date(2025, 6, 1),
        amount_usd_at_announcement=amount,
        amount_usd_latest=amount,
    )
    CitationFactory(investment=figure)
    return figure


def test_a_publish_updates_the_rollups_in_its_own_transaction():
    sample_figures_with_rates()
    bytedance = Company.objects.get(slug="bytedance")
    before_point, before_figures = company_total("bytedance")
    before = rollup_rows()
    figure = a_draft_figure(bytedance, 2 * BN)

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        investment_publish(investment=figure, by=None)
        # Inside the publishing transaction, before any commit: the totals already count it.
        assert company_total("bytedance") == (before_point + 2 * BN, before_figures + 1)
        raise RolledBack
    # Rolled back with the publish: the rollups are as they were.
    assert rollup_rows() == before
    assert company_total("bytedance") == (before_point, before_figures)

    figure.refresh_from_db()
    investment_publish(investment=figure, by=None)
    assert company_total("bytedance") == (before_point + 2 * BN, before_figures + 1)
    year = RollupSet(FxBasis.ANNOUNCEMENT).group("year").bucket("2025")
    assert year == SliceSet(FxBasis.ANNOUNCEMENT).group("year").bucket("2025")
    assert assert_rollups_answer_as_slices() > 0

    investment_return_to_draft(investment=figure, by=None, reason="Wrong amount")
    assert company_total("bytedance") == (before_point, before_figures)
    assert rollup_rows() == before


def test_deleting_a_counted_figure_takes_it_out_of_the_rollups():
    sample_figures_with_rates()
    company = CompanyFactory(slug="deleted-later")
    figure = a_draft_figure(company, 3 * BN)
    investment_publish(investment=figure, by=None)
    assert company_total("deleted-later") == (3 * BN, 1)
    with transaction.atomic():
        Investment.objects.get(pk=figure.pk).delete()
    assert company_total("deleted-later") == (Decimal(0), 0)
    assert "deleted-later" not in {b.key for b in RollupSet(FxBasis.ANNOUNCEMENT).group("company").buckets}
    assert assert_rollups_answer_as_slices() > 0


def test_a_revision_moves_the_company_total_to_the_revised_figure():
    sample_figures_with_rates()
    meta = Company.objects.get(slug="meta")
    current = Investment.objects.countable().get(company=meta)
    revision = a_draft_figure(meta, 80 * BN)
    revision.measure = current.measure
    revision.supersedes = current
    revision.save()
    investment_publish(investment=revision, by=None)
    rollups = RollupSet(FxBasis.ANNOUNCEMENT, measure=current.measure).filter(company=meta)
    assert rollups.totals == (SliceSet(FxBasis.ANNOUNCEMENT, measure=current.measure).filter(company=meta).totals)
    assert rollups.totals[0].point == 80 * BN and rollups.totals[1] == 1
    assert_overall_rows_are_the_sum_of_the_companies()


# --- Pages that read no slice ------------------------------------------------------------------


def pages() -> dict[str, str]:
    return {
        "home": reverse("capex:home"),
        "home-announcement-latest": reverse("capex:home") + "?years=announcement&basis=latest",
        "company": reverse("companies:detail", kwargs={"slug": "bytedance"}),
        "vendor": reverse("companies:detail", kwargs={"slug": "nvidia"}),
        "stats": "/api/v1/stats/",
        "stats-by-vendor": "/api/v1/stats/?group_by=vendor&year_mode=announcement",
    }


def run_pages(client) -> dict[str, list[str]]:
    result = {}
    for name, url in pages().items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        result[name] = [query["sql"] for query in captured.captured_queries]
    return result


def more_figures(count: int, *, start: int) -> None:
    """`count` more companies with a published figure each, their slices and rollups written by the workflow."""
    for index in range(start, start + count):
        company = CompanyFactory(name=f"Growth Company {index}", slug=f"growth-{index}")
        investment_publish(investment=a_draft_figure(company, (index + 1) * BN), by=None)


def test_the_dashboard_a_company_page_and_the_stats_read_no_slice_and_as_many_queries_at_any_size(client):
    sample_figures_with_rates()
    bulk_figures_add(5)
    more_figures(4, start=0)
    small = run_pages(client)
    more_figures(12, start=4)
    large = run_pages(client)
    for name, queries in large.items():
        assert not [sql for sql in queries if FigureSlice._meta.db_table in sql], name
        assert len(queries) == len(small[name]), name
    # And what they show is what the slices give: the stats API's total, on every figure.
    total = client.get("/api/v1/stats/").json()["total"]
    slices_total = SliceSet(FxBasis.ANNOUNCEMENT).totals[0]
    assert Decimal(str(total["point"])) == slices_total.point


def test_a_filtered_stats_request_still_totals_the_matching_parts(client):
    sample_figures_with_rates()
    answer = client.get("/api/v1/stats/?scope=overseas&group_by=company").json()
    bytedance = next(bucket for bucket in answer["buckets"] if bucket["key"] == "bytedance")
    assert Decimal(str(bytedance["point"])) == Decimal("6800000000")
    assert answer["figure_count"] == 1


def test_a_published_figure_written_outside_the_services_is_in_the_rollups_after_the_rebuild():
    sample_figures_with_rates()
    from capex.services.slices import slices_refresh

    company = CompanyFactory(slug="outside")
    PublishedInvestmentFactory(company=company, amount_usd_at_announcement=BN, amount_usd_latest=BN)
    assert company_total("outside") == (Decimal(0), 0)
    slices_refresh()
    assert company_total("outside") == (BN, 1)
    assert Investment.objects.get(company=company).state == WorkflowState.PUBLISHED


@pytest.mark.parametrize("largest", [2, 3])
def test_a_grouping_for_a_chart_shows_what_the_chart_of_every_group_shows(monkeypatch, largest):
    """
    The dashboard's share charts group with `largest`, which sums the smallest groups before
    they are named: the chart is the one drawn from every group, cut to the same size.
    """
    from capex.views.charts import breakdown_chart

    sample_figures_with_rates()
    monkeypatch.setattr("capex.views.charts.MAX_CHART_BUCKETS", largest)
    cut = 0
    for basis in FxBasis.values:
        for dimension in ("company", "country", "scope", "category", "workload", "vendor"):
            full = RollupSet(basis).group(dimension)
            grouped = RollupSet(basis).group(dimension, largest=largest)
            charts = [breakdown_chart(result, chart_id="c", title="", basis_label="USD") for result in (full, grouped)]
            assert charts[0] == charts[1], (basis, dimension)
            cut += grouped.rest is not None
    assert cut >= 4  # enough groups to cut in several dimensions


@pytest.mark.parametrize(
    "query",
    ["scope=overseas", "company=bytedance&top_level=true", "company=bytedance", "category=chips", "q=ByteDance", ""],
)
def test_filtered_totals_are_the_same_whether_the_chosen_figures_are_listed_or_a_subquery(monkeypatch, query):
    """A few figures chosen by a filter are read as a list of ids first; more stay a subquery. Both total alike."""
    from django.http import QueryDict

    from capex.filters import InvestmentFilterSet
    from capex.selectors import breakdown

    sample_figures_with_rates()
    chosen = InvestmentFilterSet(QueryDict(query), queryset=Investment.objects.published()).qs
    results = {}
    for listed in (10_000, 0):
        monkeypatch.setattr("capex.selectors.ORIGINS_LISTED", listed)
        results[listed] = {
            dimension: shown(breakdown(dimension=dimension, basis=FxBasis.ANNOUNCEMENT, origins=chosen))
            for dimension in ("company", "scope", "vendor")
        }
    assert results[10_000] == results[0]
    assert results[0]["company"]["buckets"]
