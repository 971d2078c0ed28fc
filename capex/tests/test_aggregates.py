"""
Cached answers (config.cache): the stats endpoint, the home page and company pages are
computed once per data version, and publishing, returning to draft or recomputing
conversions makes a new version, so readers never see totals from before the change.
"""

from decimal import Decimal

import pytest

from capex.choices import WorkflowState
from capex.conversions import conversions_recompute
from capex.models import Investment
from capex.services.workflow import investment_publish, investment_return_to_draft
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, throttles_reset

pytestmark = pytest.mark.django_db

STATS = "/api/v1/stats/"
BILLION = Decimal("1000000000")


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def figure() -> Investment:
    """One published USD figure of $1bn, converted."""
    investment = PublishedInvestmentFactory(amount=BILLION)
    conversions_recompute()
    return investment


def stats_total(**params) -> Decimal:
    response = api_client("anonymous").get(STATS, params)
    assert response.status_code == 200, response.content
    return Decimal(response.json()["total"]["point"])


def in_review(company, amount: Decimal, title: str = "Second data centre plan") -> Investment:
    draft = InvestmentFactory(company=company, amount=amount, title=title, state=WorkflowState.IN_REVIEW)
    CitationFactory(investment=draft)
    conversions_recompute(investment_ids=[draft.pk])
    return draft


def test_a_published_figure_enters_the_cached_totals(figure, django_capture_on_commit_callbacks):
    draft = in_review(figure.company, 2 * BILLION)
    assert stats_total() == BILLION  # cached now, without the figure in review

    with django_capture_on_commit_callbacks(execute=True):
        investment_publish(investment=draft, by=None)

    assert stats_total() == 3 * BILLION
    assert stats_total(group_by="year") == 3 * BILLION


def test_a_figure_returned_to_draft_leaves_the_cached_totals(figure, django_capture_on_commit_callbacks):
    assert stats_total() == BILLION

    with django_capture_on_commit_callbacks(execute=True):
        investment_return_to_draft(investment=figure, by=None, reason="The quote does not say so")

    assert stats_total() == Decimal("0.00")


def test_recomputed_conversions_refresh_the_cached_totals(figure, django_capture_on_commit_callbacks):
    assert stats_total() == BILLION
    # A corrected amount whose USD value is not recomputed yet: totals still show the old USD value.
    Investment.objects.filter(pk=figure.pk).update(amount=4 * BILLION)
    assert stats_total() == BILLION

    with django_capture_on_commit_callbacks(execute=True):
        conversions_recompute(investment_ids=[figure.pk])

    assert stats_total() == 4 * BILLION


def test_cached_totals_are_kept_per_filter(figure):
    PublishedInvestmentFactory(amount=3 * BILLION, scope="overseas")
    conversions_recompute()

    assert stats_total() == 4 * BILLION
    assert stats_total(scope="overseas") == 3 * BILLION
    assert stats_total(scope="unspecified") == BILLION


def test_the_home_page_shows_a_figure_published_after_it_was_cached(client, figure, django_capture_on_commit_callbacks):
    draft = in_review(figure.company, 2 * BILLION, title="Gigawatt campus in Texas")
    assert "Gigawatt campus in Texas" not in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        investment_publish(investment=draft, by=None)

    assert "Gigawatt campus in Texas" in client.get("/").content.decode()


def test_a_company_page_drops_a_figure_returned_to_draft(client, figure, django_capture_on_commit_callbacks):
    url = figure.company.get_absolute_url()
    assert figure.title in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        investment_return_to_draft(investment=figure, by=None, reason="Wrong company")

    assert figure.title not in client.get(url).content.decode()


def test_staff_see_a_new_draft_at_once_on_a_page_readers_have_cached(admin_client, client, figure):
    url = figure.company.get_absolute_url()
    client.get(url)  # cached for readers
    in_review(figure.company, BILLION, title="Draft plan for Ohio")

    assert "Draft plan for Ohio" in admin_client.get(url).content.decode()
    assert "Draft plan for Ohio" not in client.get(url).content.decode()


def slice_queries(queries) -> int:
    return sum("capex_figureslice" in query["sql"] for query in queries.captured_queries)
