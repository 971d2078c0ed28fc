"""
The counting rules a researcher judges totals by, on the real sample figures: periods spread pro
rata by days, open bounds ("at least", "up to"), vendor shares that add up to the total, and
measures that are never added together.
"""

import random
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capex.choices import Measure, Qualifier, WorkflowState
from capex.models import Investment, VendorShare
from capex.selectors import _allocate_vendors, slice_set
from capex.services.slices import slices_refresh
from capex.tests.factories import InvestmentFactory
from capex.tests.personas import throttles_reset
from companies.tests.factories import CompanyFactory

CENT = Decimal("0.01")
BN = Decimal(10) ** 9


@pytest.fixture
def sample(sample_figures_for_module, db):
    """The sample figures, made once for the module; each test's changes are undone after it."""
    throttles_reset()


def figure(company: str, title: str) -> Investment:
    return Investment.objects.get(company__slug=company, title=title, parent__isnull=True)


def close(actual: Decimal, expected: Decimal) -> bool:
    """Equal to the cent: slices are kept in thousandths of a dollar."""
    return abs(actual - expected) < CENT


# --- periods ------------------------------------------------------------------------------------


def test_the_2025_ai_investment_total_spreads_each_figure_over_its_period(sample):
    alibaba = figure("alibaba", "Cloud and AI infrastructure over the next three years").amount_usd_at_announcement
    # ByteDance: more than $12bn in 2025, grown to its components: RMB 40bn ($5,491,298,066.09 at the ECB rate of
    # 2025-01-21) + $6.8bn, all of it in 2025.
    bytedance = Decimal("5491298066.09") + Decimal("6800000000")
    # Microsoft: about $80bn in FY2025, 2024-07-01..2025-06-30, 365 days, of which 181 (Jan-Jun) in 2025.
    microsoft = Decimal(80) * BN * 181 / 365
    # Alibaba: at least RMB 380bn over 2025-02-24..2028-02-23: 311 + 365 + 365 + 54 = 1,095 days, 311 in 2025.
    alibaba_2025 = alibaba * 311 / 1095
    # Meta's and Alphabet's capex guidance and Stargate (a programme) are other measures: not in this total.

    year = slice_set().group("year").bucket("2025")

    assert close(year.measures.point, bytedance + microsoft + alibaba_2025)
    assert year.figure_count == 3


def test_by_announcement_year_puts_each_figure_whole_in_its_year(sample):
    alibaba = figure("alibaba", "Cloud and AI infrastructure over the next three years").amount_usd_at_announcement

    year = slice_set().group("year", year_mode="announcement").bucket("2025")

    assert close(year.measures.point, Decimal("12291298066.09") + Decimal(80) * BN + alibaba)


def test_stargate_contributes_about_125bn_a_year_over_four_years_not_500bn_to_2025(sample):
    # Up to $500bn over 2025-01-21..2029-01-20: 345 + 365 + 365 + 366 + 20 = 1,461 days.
    years = slice_set(measure=Measure.PROGRAMME).group("year")
    point = {bucket.key: bucket.measures.point for bucket in years.buckets}

    assert close(point["2025"], 500 * BN * 345 / 1461)  # $118.07bn
    assert close(point["2026"], 500 * BN * 365 / 1461)  # $124.91bn
    assert close(point["2027"], 500 * BN * 365 / 1461)
    assert close(point["2028"], 500 * BN * 366 / 1461)  # a leap year: $125.26bn
    assert close(point["2029"], 500 * BN * 20 / 1461)
    assert close(sum(point.values()), 500 * BN)


# --- open bounds ----------------------------------------------------------------------------------


def test_up_to_adds_nothing_to_the_low_value_but_its_known_components(sample):
    stargate = slice_set(measure=Measure.PROGRAMME).group("company").bucket("stargate")

    # "Up to $500bn", of which $100bn "deployed immediately": at least the component is known.
    assert (stargate.measures.low, stargate.measures.high, stargate.measures.point) == (
        100 * BN,
        500 * BN,
        500 * BN,
    )
    assert not stargate.high_open


def test_at_least_leaves_the_high_bound_open_and_says_how_many_figures_are_open_ended(sample):
    years = slice_set().group("year")

    assert years.open_figures == 2  # ByteDance's "more than $12bn" and Alibaba's "at least RMB 380bn"
    assert years.bucket("2025").open_figures == 2
    assert years.bucket("2027").open_figures == 1  # Alibaba alone


def test_the_stats_api_shows_an_open_high_bound(sample, client):
    body = client.get("/api/v1/stats/", {"company": "bytedance"}).json()

    assert body["measure"] == "ai_investment"
    assert body["year_mode"] == "spread"
    assert body["total"]["high_open"] is True
    assert body["total"]["open_figures"] == 1
    assert body["total"]["point"] == "12291298066.09"


def test_the_home_page_says_at_least_for_an_open_total(sample, client):
    page = client.get("/").content.decode()

    card = re.search(r'<li class="card[^"]*" data-year="2025">(.*?)</li>', page, re.S).group(1)
    assert "at least" in card
    assert "2 open-ended figures" in card


# --- measures -----------------------------------------------------------------------------------------


def test_totals_never_add_capex_guidance_to_ai_investment(sample, client):
    ai = client.get("/api/v1/stats/", {"company": "meta"}).json()
    capex = client.get("/api/v1/stats/", {"company": "meta", "measure": "total_capex"}).json()

    assert ai["figure_count"] == 0
    assert capex["figure_count"] == 1  # the revised outlook replaces the first
    assert capex["total"]["point"] == "68000000000.00"  # midpoint of $64-72bn


def test_stats_refuse_two_measures_at_once(sample, client):
    response = client.get("/api/v1/stats/?measure=ai_investment&measure=total_capex")

    assert response.status_code == 400
    assert "measure" in response.json()


def test_the_dashboard_shows_each_measure_apart(sample, client):
    page = client.get("/").content.decode()

    rows = re.findall(r'<tr data-measure="([a-z_]+)"', page)
    assert rows == ["ai_investment", "total_capex", "programme"]


# --- vendor shares ---------------------------------------------------------------------------------


def test_bytedance_vendor_shares_add_up_to_its_total(sample):
    slices = slice_set().filter(company__slug="bytedance")
    vendors = {bucket.key: bucket.measures.point for bucket in slices.group("vendor").buckets}
    chips_in_china = Decimal("5491298066.09")

    assert close(vendors["cambricon+huawei"], chips_in_china * Decimal("0.6"))
    assert close(vendors["nvidia"], chips_in_china * Decimal("0.4"))
    assert vendors["unallocated:nvidia"] == Decimal("6800000000.00")  # overseas training: no share stated
    assert sum(vendors.values()) == slices.totals[0].point == Decimal("12291298066.09")


def test_a_vendors_page_never_counts_a_shared_figure_in_full(sample, client):
    page = client.get("/companies/huawei/").content.decode()

    assert "Cambricon + Huawei (shared)" in page


@pytest.mark.django_db
def test_vendor_buckets_add_up_to_the_total_for_a_generated_set():
    rng = random.Random(20261203)
    vendors = [CompanyFactory(kind="chip_vendor") for _ in range(5)]
    companies = [CompanyFactory() for _ in range(4)]
    for _ in range(40):
        qualifier = rng.choice(Qualifier.values)
        amount = Decimal(rng.randrange(1, 500)) * BN
        headline = InvestmentFactory(
            company=rng.choice(companies),
            qualifier=qualifier,
            amount=amount,
            amount_high=amount * 2 if qualifier == Qualifier.RANGE else None,
            announced_on=date(2025, rng.randrange(1, 13), 1),
            period_start=date(2025, 3, 1) if rng.random() < 0.5 else None,
            period_end=date(2027 + rng.randrange(3), 6, 30) if rng.random() < 0.5 else None,
            state=WorkflowState.PUBLISHED,
            amount_usd_at_announcement=amount,
            amount_high_usd_at_announcement=amount * 2 if qualifier == Qualifier.RANGE else None,
        )
        if headline.period_start is None or headline.period_end is None:
            Investment.objects.filter(pk=headline.pk).update(period_start=None, period_end=None)
        parts = [headline]
        for _ in range(rng.randrange(3)):
            part = amount / rng.randrange(2, 6)
            parts.append(
                InvestmentFactory(
                    company=headline.company,
                    parent=headline,
                    amount=part,
                    announced_on=headline.announced_on,
                    state=WorkflowState.PUBLISHED,
                    amount_usd_at_announcement=part,
                )
            )
        for part in parts:
            chosen = rng.sample(vendors, rng.randrange(0, 4))
            part.chip_vendors.set(chosen)
            group = f"group-{rng.randrange(2)}"
            for vendor in chosen:
                if rng.random() < 0.7:
                    grouped = rng.random() < 0.4
                    VendorShare.objects.create(
                        investment=part,
                        vendor=vendor,
                        share_percent=Decimal(rng.choice([10, 25, 40, 60, 75])),
                        group=group if grouped else "",
                    )
    slices_refresh()

    for year_mode in ("spread", "announcement"):
        everything = slice_set()
        total = everything.totals[0]
        for dimension in ("vendor", "year", "company", "scope"):
            buckets = everything.group(dimension, year_mode=year_mode).buckets
            for value in ("low", "high", "point"):
                assert sum(getattr(b.measures, value) for b in buckets) == getattr(total, value), (dimension, value)
        for company in companies:
            one = slice_set().filter(company=company)
            summed = sum(b.measures.point for b in one.group("vendor").buckets)
            assert summed == one.totals[0].point


@given(
    mills=st.tuples(*(st.integers(min_value=0, max_value=10**15),) * 3),
    shares=st.lists(
        st.tuples(st.integers(1, 6), st.sampled_from([None, 5, 33, 50, 60, 100]), st.sampled_from(["", "a", "b"])),
        max_size=6,
    ),
    vendor_count=st.integers(0, 6),
)
def test_an_allocation_among_vendors_always_adds_up_to_the_part(mills, shares, vendor_count):
    vendor_ids = tuple(range(1, vendor_count + 1))
    rows = [
        {
            "vendor_id": vendor,
            "share_percent": Decimal(percent) if percent is not None else None,
            "share_percent_high": None,
            "share_amount": None,
            "group": group,
        }
        for vendor, percent, group in {(v, p, g) for v, p, g in shares}
        if vendor in vendor_ids
    ]
    # One row per vendor, as the database keeps them.
    rows = list({row["vendor_id"]: row for row in rows}.values())

    pieces = _allocate_vendors({"amount": Decimal(1000)}, mills, vendor_ids, rows)

    for value in range(3):
        assert sum(piece[value] for _, piece in pieces) == mills[value]
        assert all(piece[value] >= 0 for _, piece in pieces)
