"""The companies list and a company's page."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from capex.choices import WorkflowState
from capex.tests.factories import InvestmentFactory
from capex.tests.test_pages_fixtures import chart_table, figures_by_name, table_rows
from companies.models import Company
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

LIST = reverse("companies:list")


@pytest.fixture
def figures(page_figures_for_module):
    return figures_by_name(page_figures_for_module)


def page(client, slug, **params):
    response = client.get(reverse("companies:detail", kwargs={"slug": slug}), params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start:]


def test_bytedance_page_shows_the_headline_as_stated_with_its_dispute(client, figures):
    html = page(client, "bytedance")
    headline = section(html, f"figure-{figures['bytedance'].pk}")
    assert "more than $12bn" in headline
    assert "<strong>Disputed.</strong> A ByteDance spokesperson called the Financial Times report incorrect" in headline


def test_bytedance_page_nests_both_components_with_their_quotes(client, figures):
    html = page(client, "bytedance")
    chips = section(html, f"figure-{figures['bytedance_chips'].pk}")
    chips = chips[: chips.index("</li>")]
    assert "about RMB 40bn" in chips
    assert "approximately RMB 40 billion ($5.5 billion) for AI chip acquisitions within China" in chips
    overseas = section(html, f"figure-{figures['bytedance_overseas'].pk}")
    overseas = overseas[: overseas.index("</li>")]
    assert "about $6.8bn" in overseas
    assert "invest around $6.8 billion overseas to improve its model training capabilities" in overseas
    # Components sit inside their headline's timeline entry, not beside it.
    timeline = section(html, "timeline")
    assert timeline.index(f'id="figure-{figures["bytedance"].pk}"') < timeline.index(
        f'id="figure-{figures["bytedance_chips"].pk}"'
    )
    assert 'aria-label="Components of AI infrastructure spending in 2025"' in timeline


def test_bytedance_2025_total_counts_the_headline_once(client, figures):
    html = page(client, "bytedance")
    years = chart_table(html, "years")
    assert [row[0]["text"] for row in years[1:]] == ["2025"]
    # $5.49bn + $6.8bn = $12.29bn, not $12bn + $5.49bn + $6.8bn.
    assert years[1][1]["value"] == "12291298066.09"
    assert years[1][1]["text"] == "$12.3bn"
    assert 'id="company-total" data-total="12291298066.09"' in html


def test_bytedance_breakdowns_split_the_headline_through_its_components(client, figures):
    html = page(client, "bytedance")
    scope = {row[0]["text"]: row[1]["value"] for row in chart_table(html, "scope")[1:-1]}
    assert scope == {"Overseas": "6800000000.00", "Domestic": "5491298066.09"}
    vendor = {row[0]["text"]: row[1]["text"] for row in chart_table(html, "vendor")[1:-1]}
    # The RMB 40bn: about 60% shared by Huawei and Cambricon, the rest Nvidia's; the $6.8bn names Nvidia, no share.
    assert vendor == {
        "Unallocated among Nvidia": "$6.80bn",
        "Cambricon + Huawei (shared)": "$3.29bn",
        "Nvidia": "$2.20bn",
    }


def test_figures_table_has_evidence_and_disputed_badges_for_every_figure(client, figures):
    rows = table_rows(page(client, "bytedance"), "figures-table")[1:]
    assert len(rows) == 3
    for row in rows:
        assert "Reported by media" in row[4]["text"]
        assert "Disputed" in row[4]["text"]
    assert rows[0][5]["text"] == "Counted in totals."
    assert rows[1][5]["text"] == "Counted once, as part of its headline figure."


def test_company_page_lists_its_sources(client, figures):
    html = section(page(client, "bytedance"), "sources-heading")
    assert "TikTok owner ByteDance plans to spend $12bn on AI chips in 2025" in html
    assert "supports 3 figures" in html
    assert "AI-generated" in html


def test_a_revision_links_both_ways_and_only_the_latest_counts(client, figures):
    html = page(client, "meta")
    january = section(html, f"figure-{figures['meta_january'].pk}")
    assert f'Revised by <a href="/investments/{figures["meta_april"].pk}/">' in january
    assert "Not counted: revised by a later figure." in january
    april = section(html, f"figure-{figures['meta_april'].pk}")
    assert f'Revises <a href="/investments/{figures["meta_january"].pk}/">' in april
    years = chart_table(html, "years")
    assert years[1][1]["text"] == "$68.0bn"


def test_chip_vendor_page_shows_who_buys_from_it(client, figures):
    html = page(client, "nvidia")
    buyers = section(html, "buyers-heading")
    assert "Who buys from Nvidia" in buyers
    table = chart_table(html, "buyers")
    # Nvidia's own 40% of the RMB 40bn, and the $6.8bn that names Nvidia with no share: never the whole $12.3bn.
    assert {row[0]["text"]: row[1]["text"] for row in table[1:-1]} == {
        "ByteDance · Unallocated among Nvidia": "$6.80bn",
        "ByteDance · Nvidia": "$2.20bn",
    }
    assert "AI chips bought in China in 2025" in buyers
    assert "Overseas spending on model training in 2025" in buyers


def test_partner_page_lists_joint_announcements_without_counting_them(client, figures):
    html = page(client, "openai")
    assert "Joint announcements" in html
    assert "Stargate: AI infrastructure in the United States over four years" in html
    assert "No counted figures of its own." in html


def test_parent_and_subsidiaries_are_linked(client, figures):
    alphabet = Company.objects.get(slug="alphabet")
    CompanyFactory(name="Google DeepMind", slug="google-deepmind", parent=alphabet)
    assert 'href="/companies/google-deepmind/">Google DeepMind</a>' in page(client, "alphabet")
    assert 'Parent company</dt><dd><a href="/companies/alphabet/">Alphabet</a>' in page(client, "google-deepmind")


def test_drafts_are_hidden_from_readers_and_shown_to_staff_without_counting(client, figures):
    bytedance = Company.objects.get(slug="bytedance")
    InvestmentFactory(company=bytedance, title="Draft figure under review", state=WorkflowState.DRAFT)
    assert "Draft figure under review" not in page(client, "bytedance")
    staff = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    client.force_login(staff)
    html = page(client, "bytedance")
    assert "Draft figure under review" in html
    assert "Not counted: draft, not yet published." in html
    assert 'data-total="12291298066.09"' in html


def test_unknown_company_is_404(client, figures):
    assert client.get(reverse("companies:detail", kwargs={"slug": "nobody"})).status_code == 404


def test_company_list_shows_country_total_and_latest_figure(client, figures):
    rows = table_rows(client.get(LIST).content.decode(), "companies-table")
    bytedance = next(row for row in rows if row[0]["text"] == "ByteDance")
    assert bytedance[1]["text"] == "China"
    assert bytedance[2]["text"] == "$12.3bn"
    assert bytedance[4]["text"] == "more than $12bn 21 Jan 2025"


def test_company_list_finds_a_company_by_alias(client, figures):
    rows = table_rows(client.get(LIST, {"q": "TikTok owner"}).content.decode(), "companies-table")
    assert [row[0]["text"] for row in rows[1:]] == ["ByteDance"]


def test_company_list_sorts_by_total_largest_first(client, figures):
    rows = table_rows(client.get(LIST, {"sort": "-total"}).content.decode(), "companies-table")
    assert [row[0]["text"] for row in rows[1:4]] == ["Microsoft", "Alibaba", "ByteDance"]
    programmes = table_rows(
        client.get(LIST, {"sort": "-total", "measure": "programme"}).content.decode(), "companies-table"
    )
    assert programmes[1][0]["text"] == "Stargate Joint venture"
    html = client.get(LIST, {"sort": "-total"}).content.decode()
    assert 'aria-sort="descending"' in html


def test_company_list_filters_by_country_with_the_shared_filterset(client, figures):
    rows = table_rows(client.get(LIST, {"country": "CN", "kind": ""}).content.decode(), "companies-table")
    assert {row[0]["text"] for row in rows[1:]} == {
        "Alibaba",
        "ByteDance",
        "Cambricon Chip vendor",
        "Huawei Chip vendor",
    }


def test_company_list_rejects_an_unknown_sort_column(client, figures):
    response = client.get(LIST, {"sort": "profit"})
    assert response.status_code == 400
    assert "<strong>sort</strong>" in response.content.decode()
