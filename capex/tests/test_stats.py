"""
/api/v1/stats/: totals that never double count, on the real sample figures at bundled ECB rates.
The totals themselves come from capex.selectors; these tests check what the API makes of them.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache

from capex.conversions import conversions_recompute
from capex.models import Investment
from capex.services.slices import slices_refresh
from capex.services.workflow import investment_publish
from capex.tests.factories import CitationFactory, InvestmentFactory
from capex.tests.personas import api_client, fast_passwords, throttles_reset
from config.cache import VERSION_KEY

pytestmark = pytest.mark.django_db

STATS = "/api/v1/stats/"
# The sample's AI-investment figures; Meta's and Alphabet's capex guidance and Stargate (a programme)
# are other measures, totalled apart (`?measure=`).
SAMPLE_COMPANIES = {"bytedance", "microsoft", "alibaba"}
ALL_SAMPLE_COMPANIES = {"bytedance", "microsoft", "meta", "alphabet", "alibaba", "stargate"}


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def sample(sample_figures_for_module):
    """Every test here reads the sample figures, or changes them in its own transaction."""


def stats(**params) -> dict:
    response = api_client("anonymous").get(STATS, params)
    assert response.status_code == 200, response.content
    return response.json()


def usd(investment: Investment) -> Decimal:
    return investment.amount_usd_at_announcement


def bucket(data: dict, key: str) -> dict:
    return next(b for b in data["buckets"] if b["key"] == key)


def test_each_sample_company_is_counted_once_and_bytedance_is_not_12bn_plus_its_components(sample):
    data = stats(group_by="company")

    keys = [b["key"] for b in data["buckets"]]
    assert sorted(keys) == sorted(SAMPLE_COMPANIES)
    assert all(b["figure_count"] == 1 for b in data["buckets"])
    bytedance = bucket(data, "bytedance")
    chips = Investment.objects.get(company__slug="bytedance", scope="domestic")
    overseas = Investment.objects.get(company__slug="bytedance", scope="overseas")
    components = usd(chips) + usd(overseas)
    # "More than $12bn" whose parts add up to more: the parts' sum, once.
    assert Decimal(bytedance["point"]) == components.quantize(Decimal("0.01"))
    assert Decimal("12e9") < Decimal(bytedance["point"]) < Decimal("13e9")
    assert Decimal(bytedance["point"]) != Decimal("12e9") + components


def test_the_total_is_the_sum_of_the_groups_and_meta_counts_its_revision_only(sample):
    data = stats(group_by="company", measure="total_capex")

    for measure in ("low", "high", "point"):
        assert Decimal(data["total"][measure]) == sum(Decimal(b[measure]) for b in data["buckets"])
    meta = bucket(data, "meta")
    assert (meta["low"], meta["high"], meta["point"]) == ("64000000000.00", "72000000000.00", "68000000000.00")
    assert data["figure_count"] == 2  # Meta (its revision only) and Alphabet
    assert data["measure"] == "total_capex"
    assert data["currency"] == "USD"


def test_each_measure_is_totalled_apart_and_every_sample_company_once(sample):
    seen = set()
    for measure in ("ai_investment", "total_capex", "programme"):
        keys = {b["key"] for b in stats(group_by="company", measure=measure)["buckets"]}
        assert not keys & seen
        seen |= keys
    assert seen == ALL_SAMPLE_COMPANIES


def test_the_overseas_filter_totals_the_overseas_component_alone(sample):
    data = stats(group_by="company", scope="overseas")

    assert [b["key"] for b in data["buckets"]] == ["bytedance"]
    assert data["total"]["point"] == "6800000000.00"


def test_a_scope_breakdown_shows_the_unspecified_part_explicitly(sample):
    data = stats(group_by="scope", company="bytedance")

    assert {b["key"]: b["point"] for b in data["buckets"]} == {
        "overseas": "6800000000.00",
        "domestic": bucket(data, "domestic")["point"],
        "unspecified": "0.00",
    }
    assert data["buckets"][-1]["key"] == "unspecified"
    assert data["unspecified"]["point"] == "0.00"


def test_alibaba_has_no_stated_scope_so_it_is_unspecified(sample):
    data = stats(group_by="scope", company="alibaba")

    assert [b["key"] for b in data["buckets"]] == ["unspecified"]
    assert data["unspecified"]["point"] == data["total"]["point"]


def test_the_unspecified_bucket_is_present_even_when_everything_is_assigned(sample):
    data = stats(group_by="company")

    assert data["unspecified"] == {
        "key": "unspecified",
        "label": "Unspecified",
        "low": "0.00",
        "high": "0.00",
        "point": "0.00",
        "high_open": False,
        "open_figures": 0,
        "figure_count": 0,
    }


def test_a_vendor_breakdown_follows_the_stated_shares(sample):
    data = stats(group_by="vendor", company="bytedance")

    # 60% of the RMB 40bn shared by Huawei and Cambricon, 40% Nvidia's; the $6.8bn names Nvidia with no share.
    assert {b["key"] for b in data["buckets"]} == {"cambricon+huawei", "nvidia", "unallocated:nvidia", "unspecified"}
    assert sum(Decimal(b["point"]) for b in data["buckets"]) == Decimal(data["total"]["point"])


def test_the_fx_basis_is_a_parameter(sample):
    at_announcement = stats(group_by="company", company="alibaba", basis="announcement")
    latest = stats(group_by="company", company="alibaba", basis="latest")

    assert (at_announcement["basis"], latest["basis"]) == ("announcement", "latest")
    alibaba = Investment.objects.get(company__slug="alibaba")
    assert at_announcement["total"]["point"] == str(alibaba.amount_usd_at_announcement)
    assert latest["total"]["point"] == str(alibaba.amount_usd_latest)
    assert at_announcement["total"] != latest["total"]


def test_a_multi_year_figure_is_spread_over_its_years_unless_asked_by_announcement(sample):
    by_announcement = stats(group_by="year", company="alibaba", year_mode="announcement")
    spread = stats(group_by="year", company="alibaba")

    assert [b["key"] for b in by_announcement["buckets"]] == ["2025"]
    assert [b["key"] for b in spread["buckets"]] == ["2025", "2026", "2027", "2028"]
    # Each year is shown to the cent, so the years may differ from the total by a cent each at most.
    difference = sum(Decimal(b["point"]) for b in spread["buckets"]) - Decimal(spread["total"]["point"])
    assert abs(difference) <= Decimal("0.01") * len(spread["buckets"])
    assert spread["year_mode"] == "spread"


def test_drafts_never_count_even_for_staff(sample):
    admin = api_client("admin")
    Investment.objects.filter(company__slug="microsoft").update(state="draft")
    slices_refresh()  # the nightly rebuild catches a change made outside the workflow

    drafts = admin.get(STATS, {"group_by": "company", "state": "draft"}).json()
    published = admin.get(STATS, {"group_by": "company"}).json()

    assert drafts["figure_count"] == 0
    assert "microsoft" not in [b["key"] for b in published["buckets"]]


def test_the_answer_says_how_fresh_the_rates_are(sample):
    rates = stats()["rates"]

    assert rates["rates_as_of"] == "2025-06-30"
    assert rates["is_stale"] is True
    assert set(rates) >= {"business_days_old", "stale_after_business_days", "last_refresh"}


def test_a_limit_lists_the_largest_groups_and_adds_up_the_rest(sample):
    everything = stats(group_by="company")
    assert everything["bucket_count"] == 3 and everything["other"] is None

    data = stats(group_by="company", limit=1)
    listed = [b["key"] for b in data["buckets"]]
    assert listed == [b["key"] for b in everything["buckets"]][:1]
    assert data["bucket_count"] == 3
    assert data["other"]["group_count"] == 2
    assert data["other"]["label"] == "2 other groups"
    for measure in ("low", "high", "point"):
        listed_sum = sum(Decimal(b[measure]) for b in data["buckets"])
        assert listed_sum + Decimal(data["other"][measure]) == Decimal(data["total"][measure])


def test_the_unspecified_group_is_listed_whatever_the_limit(sample):
    data = stats(group_by="scope", limit=1)
    assert [b["key"] for b in data["buckets"]][-1] == "unspecified"
    assert len(data["buckets"]) == 2


def test_figures_not_converted_are_counted_and_listed_up_to_the_limit(sample):
    Investment.objects.filter(parent__isnull=True, company__slug__in=["microsoft", "alibaba", "bytedance"]).update(
        amount_usd_at_announcement=None, amount_high_usd_at_announcement=None
    )
    slices_refresh()  # as a recompute that found no rate leaves them
    data = stats(group_by="company", limit=2)
    assert data["unconverted_figure_count"] == 3
    assert len(data["unconverted_figure_ids"]) == 2
    assert data["unconverted_figure_ids"] == sorted(stats(group_by="company")["unconverted_figure_ids"])[:2]


def test_stats_as_csv(sample):
    response = api_client("anonymous").get(STATS, {"group_by": "company", "format": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["key"] for row in rows} == SAMPLE_COMPANIES
    assert set(rows[0]) == {"key", "label", "low", "high", "point", "high_open", "open_figures", "figure_count"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"basis": "tomorrow"}, "basis"),
        ({"year_mode": ""}, "year_mode"),
        ({"measure": "capex"}, "measure"),
        ({"company": "no-such-company"}, "company"),
        ({"announced_from": "2025-02-30"}, "announced_from"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100001"}, "limit"),
        ({"limit": "99999999999999999999999"}, "limit"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(params, field):
    response = api_client("anonymous").get(STATS, params)

    assert response.status_code == 400
    assert field in response.json()


def test_a_repeated_anonymous_question_is_answered_from_the_shared_cache(sample, django_assert_max_num_queries):
    first = stats(group_by="company")
    with django_assert_max_num_queries(1):  # the data version, nothing else
        again = stats(group_by="company")
    assert again == first


def test_new_figures_show_in_the_next_shared_answer(sample, django_capture_on_commit_callbacks):
    before = stats(group_by="company")
    company = Investment.objects.get(company__slug="bytedance", parent=None).company
    figure = InvestmentFactory(company=company, amount=Decimal("1e9"), title="New data centre")
    CitationFactory(investment=figure)
    with django_capture_on_commit_callbacks(execute=True):
        conversions_recompute(investment_ids=[figure.pk])
        investment_publish(investment=figure, by=None)

    after = stats(group_by="company")
    assert Decimal(bucket(after, "bytedance")["point"]) == Decimal(bucket(before, "bytedance")["point"]) + Decimal(
        "1e9"
    )


def test_signed_in_readers_never_get_the_shared_anonymous_answer(sample):
    Investment.objects.filter(company__slug="microsoft").update(state="draft")
    slices_refresh()
    anonymous = stats(group_by="company")  # alphabet not counted, and now shared
    assert "microsoft" not in [b["key"] for b in anonymous["buckets"]]
    # Published again behind the data version's back: only a reader who skips the cache sees it.
    version = cache.get(VERSION_KEY)
    Investment.objects.filter(company__slug="microsoft").update(state="published")
    slices_refresh()
    cache.set(VERSION_KEY, version, timeout=None)
    signed_in = api_client("admin").get(STATS, {"group_by": "company"}).json()
    assert "microsoft" in [b["key"] for b in signed_in["buckets"]]
    assert "microsoft" not in [b["key"] for b in stats(group_by="company")["buckets"]]
