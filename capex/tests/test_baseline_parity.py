"""
The benchmark's "same document" raw-SQL baseline (bench/baseline_wsgi.py) must answer exactly
what the API's E1 answers, page by page and link by link; otherwise comparing their speed says
nothing. It is written in plain SQL for PostgreSQL, so this runs on PostgreSQL only.
"""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from django.db import connection

from bench.baseline_wsgi import same_document
from capex.models import Investment
from capex.tests.factories import CitationFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, sample_figures_with_rates, throttles_reset
from companies.tests.factories import ChipVendorFactory, CompanyFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="bench/baseline_wsgi.py is PostgreSQL SQL; set DATABASE_URL to a PostgreSQL database to run this",
    ),
]

ROOT = "http://testserver"
LIST = "/api/v1/investments/"


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


def baseline_page(url: str) -> dict:
    """The baseline's document for an API URL, read in this test's transaction."""
    params = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    with psycopg.Cursor(connection.connection) as cursor:
        return same_document(
            cursor,
            scope=params["scope"],
            size=int(params["page_size"]),
            encoded_cursor=params.get("cursor"),
            root=ROOT,
            base_url=url,
        )


def walk(first_url: str, link: str) -> list[str]:
    """The URLs of the API's pages, following `link` from the first one."""
    urls, url = [], first_url
    while url:
        urls.append(url)
        url = api_client("anonymous").get(url).json()[link]
    return urls


def figures_sharing_dates() -> None:
    """More domestic figures than a page, several on one date, so cursors need offsets."""
    vendor = ChipVendorFactory(name="Zeta Chips")
    for day in (3, 3, 3, 3, 5, 7, 7):
        figure = PublishedInvestmentFactory(scope="domestic", announced_on=date(2025, 6, day), target_countries="US,CN")
        figure.chip_vendors.set([vendor, ChipVendorFactory(name="Alpha Chips")])
        figure.partners.set([CompanyFactory()])
        CitationFactory(investment=figure, source__publisher=None)
        CitationFactory(investment=figure)


@pytest.mark.parametrize(("scope", "page_size", "pages"), [("domestic", 2, 6), ("domestic", 3, 4), ("overseas", 50, 1)])
def test_the_same_document_baseline_answers_what_the_api_answers_on_every_page(scope, page_size, pages):
    sample_figures_with_rates()
    figures_sharing_dates()

    forward = walk(f"{ROOT}{LIST}?scope={scope}&page_size={page_size}", "next")
    backward = walk(forward[-1], "previous")

    assert len(forward) == len(backward) == pages
    for url in forward + backward:
        api = api_client("anonymous").get(url).json()
        assert baseline_page(url) == api, url


def test_the_baseline_hides_draft_revisions_and_components_as_the_api_does():
    sample_figures_with_rates()
    headline = Investment.objects.published().filter(components__isnull=False).first()
    draft = PublishedInvestmentFactory(company=headline.company, parent=headline, scope=headline.scope, amount=1)
    Investment.objects.filter(pk=draft.pk).update(state="draft")
    url = f"{ROOT}{LIST}?scope={headline.scope}&page_size=50"

    api = api_client("anonymous").get(url).json()

    row = next(row for row in api["results"] if row["id"] == headline.pk)
    assert draft.pk not in row["components"]
    assert baseline_page(url) == api
