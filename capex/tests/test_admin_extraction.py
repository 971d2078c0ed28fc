""" "Extract figures" on a source: candidates from pasted text, one click per draft with its citation."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from capex.admin.extraction import candidate_key
from capex.choices import Category, Qualifier, Scope, WorkflowState, Workload
from capex.extraction import extract_figures
from capex.models import Investment
from capex.tests.fixtures.personas import make_user
from companies.tests.factories import ChipVendorFactory, CompanyFactory
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

SEED_TEXT = (Path(__file__).parent / "fixtures" / "seed_bytedance.txt").read_text(encoding="utf-8")


@pytest.fixture
def editor(client):
    user = make_user("Editor", "edith")
    client.force_login(user)
    return user


@pytest.fixture
def bytedance():
    return CompanyFactory(name="ByteDance", slug="bytedance", country="CN")


@pytest.fixture
def seed_source():
    return SourceFactory(title="ByteDance's $12 Billion AI Chip Investment", published_on="2025-01-23", text="")


def extract_url(source) -> str:
    return reverse("admin:capex_investment_extract", args=[source.pk])


def create_post(index: int, *, company, text: str = SEED_TEXT, **extra) -> dict:
    candidate = extract_figures(text)[index]
    return {
        "text": text,
        "company": str(company.pk),
        "announced_on": "2025-01-23",
        "create": str(index),
        f"key-{index}": candidate_key(candidate),
        **extra,
    }


def test_source_page_links_to_extraction(client, editor, seed_source):
    page = client.get(reverse("admin:sources_source_change", args=[seed_source.pk])).content.decode()

    assert extract_url(seed_source) in page


def test_extraction_form_starts_with_the_sources_text_and_date(client, editor):
    source = SourceFactory(text="Alibaba will invest more than RMB 380bn.", published_on="2025-02-24")

    page = client.get(extract_url(source)).content.decode()

    assert "Alibaba will invest more than RMB 380bn.</textarea>" in page
    assert 'value="24/02/2025"' in page


def test_extract_lists_the_candidates_in_the_pasted_text(client, editor, bytedance, seed_source):
    response = client.post(extract_url(seed_source), {"text": SEED_TEXT, "announced_on": "2025-01-23", "extract": "1"})

    page = response.content.decode()
    assert "4 figures found" in page
    assert "more than $12bn" in page
    assert "about RMB 40bn" in page and "40,000,000,000 CNY" in page
    assert "about $6.8bn" in page and "6,800,000,000 USD" in page
    assert "Nvidia (not a company here yet)" in page
    # The company is guessed from the text: ByteDance is named most.
    assert f'<option value="{bytedance.pk}" selected>ByteDance</option>' in page
    # "within China" is domestic for a Chinese company.
    assert "Chips and accelerators, domestic" in page


def test_one_click_creates_a_draft_with_its_citation(client, editor, bytedance, seed_source):
    nvidia = ChipVendorFactory(name="Nvidia", slug="nvidia")

    response = client.post(
        extract_url(seed_source), create_post(3, company=bytedance, **{"title-3": "Overseas training"})
    )

    investment = Investment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:capex_investment_change", args=[investment.pk])
    assert (investment.company, investment.title, investment.state) == (
        bytedance,
        "Overseas training",
        WorkflowState.DRAFT,
    )
    assert (investment.amount, investment.currency, investment.qualifier) == (
        Decimal("6800000000"),
        "USD",
        Qualifier.APPROXIMATELY,
    )
    assert (investment.scope, investment.workload, investment.category) == (
        Scope.OVERSEAS,
        Workload.TRAINING,
        Category.CHIPS,
    )
    assert list(investment.chip_vendors.all()) == [nvidia]
    assert investment.created_by == editor
    assert str(investment.announced_on) == "2025-01-23"
    citation = investment.citations.get()
    assert citation.source == seed_source
    assert citation.quote.startswith("Additionally, ByteDance plans to invest around $6.8 billion overseas")


def test_the_rmb_figure_becomes_a_domestic_draft_in_its_own_currency(client, editor, bytedance, seed_source):
    client.post(extract_url(seed_source), create_post(2, company=bytedance))

    investment = Investment.objects.get()
    assert (investment.amount, investment.currency) == (Decimal("40000000000"), "CNY")
    assert investment.scope == Scope.DOMESTIC
    assert [country.code for country in investment.target_countries] == ["CN"]
    assert investment.title == "Chips and accelerators, domestic"


def test_the_year_named_becomes_the_period(client, editor, bytedance, seed_source):
    client.post(extract_url(seed_source), create_post(1, company=bytedance))

    investment = Investment.objects.get()
    assert investment.qualifier == Qualifier.AT_LEAST
    assert (investment.period_label, str(investment.period_start), str(investment.period_end)) == (
        "2025",
        "2025-01-01",
        "2025-12-31",
    )


def test_a_draft_needs_a_company(client, editor, seed_source):
    data = create_post(3, company=CompanyFactory())
    data["company"] = ""
    data["text"] = data["text"].replace("ByteDance", "The firm")
    data["key-3"] = candidate_key(extract_figures(data["text"])[3])

    response = client.post(extract_url(seed_source), data)

    assert "Choose the company whose figure this is." in response.content.decode()
    assert not Investment.objects.exists()


def test_a_changed_text_does_not_create_a_different_figure(client, editor, bytedance, seed_source):
    data = create_post(3, company=bytedance)
    data["text"] = SEED_TEXT.replace("$6.8 billion", "$9.9 billion")

    response = client.post(extract_url(seed_source), data)

    assert "The text has changed since the figures were listed" in response.content.decode()
    assert not Investment.objects.exists()


def test_a_viewer_cannot_extract(client, seed_source):
    client.force_login(make_user("Viewer", "vera"))

    assert client.get(extract_url(seed_source)).status_code == 403
