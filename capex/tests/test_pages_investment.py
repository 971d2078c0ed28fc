"""One figure's page: the figure as stated, its conversions, structure, evidence, history and citation."""

import pytest
from django.urls import reverse

from capex.choices import WorkflowState
from capex.models import Investment
from capex.services.investments import investment_update
from capex.services.workflow import investment_publish, investment_return_to_draft
from capex.tests.factories import InvestmentFactory
from capex.tests.test_pages_fixtures import chart_table, figures_by_name, table_rows
from capex.views.investments import bibtex_escape

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(page_figures_for_module):
    return figures_by_name(page_figures_for_module)


def page(client, figure, **params):
    response = client.get(reverse("capex:investment-detail", kwargs={"pk": figure.pk}), params)
    assert response.status_code == 200
    return response.content.decode()


def test_headline_shows_the_figure_as_stated_and_why_it_counts_more(client, figures):
    html = page(client, figures["bytedance"])
    assert '<p class="headline-amount" id="stated-amount">more than $12bn</p>' in html
    status = html[html.index('id="count-status"') :]
    assert "Counts as $12.3bn: its components add up to more than the stated “more than $12bn”" in status


def test_rmb_component_shows_both_conversions_with_rate_date_and_provider(client, figures):
    rows = table_rows(page(client, figures["bytedance_chips"]), "conversions")
    assert [cell["text"] for cell in rows[1]] == [
        "Rate on the announcement date",
        "about $5.49bn",
        "0.137282",
        "21 Jan 2025",
        "ECB reference rates (bundled history)",
    ]
    assert [cell["text"] for cell in rows[2]] == [
        "Latest rate",
        "about $5.60bn",
        "0.14",
        "30 Oct 2026",
        "ECB reference rates (bundled history)",
    ]


def test_a_missing_conversion_says_not_converted_and_why(client, figures):
    Investment.objects.filter(pk=figures["bytedance_chips"].pk).update(
        amount_usd_latest=None, fx_note_latest="No CNY rate within 7 days before 2026-11-27."
    )
    rows = table_rows(page(client, figures["bytedance_chips"]), "conversions")
    assert rows[2][1]["text"] == "not converted (No CNY rate within 7 days before 2026-11-27.)"


def test_component_page_names_its_parent_and_headline_lists_components_with_quotes(client, figures):
    component = page(client, figures["bytedance_chips"])
    assert "A component of" in component
    assert "ByteDance: AI infrastructure spending in 2025</a> (more than $12bn)" in component
    headline = page(client, figures["bytedance"])
    components = headline[headline.index('id="components"') :]
    assert "about RMB 40bn" in components
    assert "approximately RMB 40 billion ($5.5 billion)" in components
    assert "invest around $6.8 billion overseas" in components


def test_classification_and_dispute_are_shown(client, figures):
    html = page(client, figures["bytedance_chips"])
    assert "<dt>Where</dt><dd>Domestic (China)</dd>" in html
    assert "<dt>Workload</dt><dd>Inference</dd>" in html
    assert 'href="/companies/huawei/">Huawei</a>' in html
    assert 'id="dispute-note"' in html
    assert "A ByteDance spokesperson called the Financial Times report incorrect" in html


def test_citations_show_quotes_sources_and_archive_links(client, figures):
    source = figures["bytedance"].citations.get(source__publisher__name="Financial Times").source
    source.archived_url = "https://archive.example/ft-bytedance"
    source.save()
    html = page(client, figures["bytedance"])
    citations = html[html.index('id="citations-heading"') :]
    assert "“TikTok owner ByteDance plans to spend $12bn on AI chips in 2025”" in citations
    assert 'href="https://archive.example/ft-bytedance"' in citations
    assert "archived copy" in citations
    assert "paywalled" in citations


def test_multi_year_figure_shows_its_spread_over_the_years(client, figures):
    table = chart_table(page(client, figures["alibaba"]), "spread")
    years = [row[0]["text"] for row in table[1:-1]]
    assert years == ["2025", "2026", "2027", "2028"]
    total = table[-1][1]["value"]
    assert total == "52413447726.10"


def test_revision_chain_lists_both_figures_oldest_first(client, figures):
    html = page(client, figures["meta_january"])
    chain = html[html.index('id="revision-chain"') :]
    assert chain.index("$60–65bn") < chain.index("$64–72bn")
    assert "Not counted: revised by a later figure." in html


def test_history_shows_each_change_of_the_values(client, figures):
    alibaba = figures["alibaba"]
    investment_return_to_draft(investment=alibaba, by=None, reason="Title says how many years")
    investment_update(investment=alibaba, title="Cloud and AI infrastructure over three years")
    investment_publish(investment=alibaba, by=None)
    rows = table_rows(page(client, alibaba), "history")
    changes = [row[4]["text"] for row in rows if row[1]["text"] == "Changed"]
    assert "title" in changes
    assert rows[-1][1]["text"] == "Created"


def test_cite_this_gives_a_permalink_text_and_escaped_bibtex(client, figures):
    html = page(client, figures["bytedance"])
    pk = figures["bytedance"].pk
    assert f'id="permalink">http://testserver/investments/{pk}/</a>' in html
    assert "ByteDance, “AI infrastructure spending in 2025”: more than $12bn, announced 2025-01-21." in html
    assert f"@misc{{aicapex-figure-{pk}," in html
    assert r"title = {ByteDance: AI infrastructure spending in 2025 (more than \$12bn)}," in html


def test_bibtex_download_is_a_bib_file(client, figures):
    response = client.get(reverse("capex:investment-bibtex", kwargs={"pk": figures["alibaba"].pk}))
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    body = response.content.decode()
    assert body.startswith(f"@misc{{aicapex-figure-{figures['alibaba'].pk},")
    assert "more than RMB 380bn (more than \\$52.4bn at the announcement-date rate)" in body


def test_bibtex_escape_protects_latex_specials():
    assert bibtex_escape("R&D 50% of $1bn #1_{x}") == r"R\&D 50\% of \$1bn \#1\_\{x\}"


def test_draft_is_404_for_readers_and_visible_to_staff(client, django_user_model, figures):
    draft = InvestmentFactory(company=figures["alibaba"].company, state=WorkflowState.DRAFT)
    url = reverse("capex:investment-detail", kwargs={"pk": draft.pk})
    assert client.get(url).status_code == 404
    client.force_login(django_user_model.objects.create_user("editor", password="x", is_staff=True))
    html = client.get(url).content.decode()
    assert "Not counted: draft, not yet published." in html


def test_basis_switch_changes_what_a_figure_counts_as(client, figures):
    assert "Counts as $12.4bn" in page(client, figures["bytedance"], basis="latest")
