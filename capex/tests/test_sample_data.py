"""The shipped sample data: real figures, each with its source and supporting words, loaded idempotently."""

import datetime
from decimal import Decimal

import pytest

from capex.choices import Measure, Qualifier, Scope, WorkflowState
from capex.conversions import conversions_recompute
from capex.models import Citation, Investment
from capex.sample_data import SEED_ARTICLE, sample_data_load
from capex.selectors import breakdown, company_totals
from companies.models import Company
from currencies.choices import RateProvider
from currencies.providers import BundledEcbProvider
from currencies.services import rates_store
from sources.models import Publisher, Source

pytestmark = pytest.mark.django_db

BN = Decimal(10**9)


def _row_snapshot():
    models = [Company, Publisher, Source, Investment, Citation, Investment.history.model, Company.history.model]
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in models}


@pytest.fixture
def sample():
    sample_data_load()
    rows = BundledEcbProvider().fetch(datetime.date(2024, 12, 1), datetime.date(2025, 5, 31))
    rates_store(provider=RateProvider.ECB_BUNDLED, rows=rows)
    conversions_recompute()


def test_loading_twice_changes_nothing():
    first = sample_data_load()
    snapshot = _row_snapshot()
    second = sample_data_load()
    assert first["investments"] == 11
    assert second == {"companies": 0, "publishers": 0, "sources": 0, "investments": 0}
    assert _row_snapshot() == snapshot


def test_every_figure_is_published_with_a_quoted_citation():
    sample_data_load()
    for investment in Investment.objects.all():
        assert investment.state == WorkflowState.PUBLISHED
        assert investment.citations.exclude(quote="").exists(), investment


def test_seed_article_quotes_are_verbatim():
    sample_data_load()
    seed_text = SEED_ARTICLE.read_text(encoding="utf-8")
    seed_citations = Citation.objects.filter(source__title__startswith="ByteDance's $12 Billion")
    assert seed_citations.count() == 4
    for citation in seed_citations:
        assert citation.quote in seed_text


def test_bytedance_headline_components_and_dispute():
    sample_data_load()
    headline = Investment.objects.get(company__slug="bytedance", parent__isnull=True)
    assert (headline.amount, headline.currency, headline.qualifier) == (12 * BN, "USD", Qualifier.AT_LEAST)
    assert headline.disputed and "incorrect" in headline.dispute_note
    components = {c.scope: c for c in headline.components.all()}
    assert (components[Scope.DOMESTIC].amount, components[Scope.DOMESTIC].currency) == (40 * BN, "CNY")
    assert sorted(components[Scope.DOMESTIC].chip_vendors.values_list("slug", flat=True)) == [
        "cambricon",
        "huawei",
        "nvidia",
    ]
    assert components[Scope.OVERSEAS].amount == Decimal("6.8") * BN


def test_rmb_40bn_converts_to_about_the_ft_figure(sample):
    domestic = Investment.objects.get(company__slug="bytedance", currency="CNY")
    assert Decimal("5.49") * BN <= domestic.amount_usd_at_announcement <= Decimal("5.51") * BN
    assert domestic.fx_date_at_announcement == datetime.date(2025, 1, 21)
    assert domestic.fx_provider_at_announcement == RateProvider.ECB_BUNDLED


def test_company_totals_count_each_headline_once(sample):
    totals = {
        b.key: b.measures
        for measure in (Measure.AI_INVESTMENT, Measure.TOTAL_CAPEX, Measure.PROGRAMME)
        for b in company_totals(measure=measure).buckets
    }
    assert set(totals) == {"bytedance", "microsoft", "meta", "alphabet", "alibaba", "stargate"}
    # More than $12bn, grown to its components (RMB 40bn ~ $5.49bn + $6.8bn), not $12bn plus them.
    assert Decimal("12.28") * BN < totals["bytedance"].point < Decimal("12.30") * BN
    assert totals["microsoft"].point == 80 * BN
    # Meta's revision replaced the original: the $64-72bn range, midpoint $68bn.
    assert (totals["meta"].low, totals["meta"].high, totals["meta"].point) == (64 * BN, 72 * BN, 68 * BN)
    assert totals["stargate"].point == 500 * BN
    assert {b.key for b in company_totals().buckets} == {"bytedance", "microsoft", "alibaba"}


def test_bytedance_scope_breakdown(sample):
    bytedance = Investment.objects.filter(company__slug="bytedance")
    scopes = {b.key: b.measures.point for b in breakdown(dimension="scope", investments=bytedance).buckets}
    assert set(scopes) == {"domestic", "overseas"}
    assert scopes["overseas"] == Decimal("6.8") * BN
