"""Compare: two to five companies side by side."""

import pytest
from django.urls import reverse

from capex.tests.test_pages_fixtures import chart_table, figures_by_name

pytestmark = pytest.mark.django_db

COMPARE = reverse("capex:compare")


@pytest.fixture
def figures(page_figures_for_module):
    return figures_by_name(page_figures_for_module)


def test_two_companies_side_by_side_by_year(client, figures):
    response = client.get(COMPARE, {"companies": ["bytedance", "microsoft"]})
    assert response.status_code == 200
    html = response.content.decode()
    years = chart_table(html, "years")
    assert [cell["text"] for cell in years[0]] == ["Year", "ByteDance (USD)", "Microsoft (USD)"]
    # ByteDance's headline once ($12.3bn); Microsoft's $80bn for FY2025 spread over July 2024 - June 2025:
    # 184 days in 2024 ($40.3bn), 181 in 2025 ($39.7bn).
    assert [cell["text"] for cell in years[1]] == ["2024", "—", "$40.3bn"]
    assert [cell["text"] for cell in years[2]] == ["2025", "$12.3bn", "$39.7bn"]


def test_capex_guidance_is_compared_as_its_own_measure(client, figures):
    html = client.get(COMPARE, {"companies": ["meta", "alphabet"], "measure": "total_capex"}).content.decode()
    years = chart_table(html, "years")
    # Meta's revised outlook only ($64-72bn, midpoint $68bn); Alphabet's about $75bn.
    assert [cell["text"] for cell in years[1]] == ["2025", "$68.0bn", "$75.0bn"]


def test_columns_follow_the_order_the_reader_chose(client, figures):
    html = client.get(COMPARE, {"companies": ["meta", "alibaba", "bytedance"]}).content.decode()
    header = [cell["text"] for cell in chart_table(html, "years")[0]]
    assert header == ["Year", "Meta (USD)", "Alibaba (USD)", "ByteDance (USD)"]


def test_breakdowns_show_each_companys_share_including_unspecified(client, figures):
    html = client.get(COMPARE, {"companies": ["bytedance", "alibaba"]}).content.decode()
    scope = {row[0]["text"]: [cell["text"] for cell in row[1:]] for row in chart_table(html, "scope")[1:]}
    assert scope["Overseas"] == ["$6.80bn", "55%", "—", "—"]
    assert scope["Unspecified"] == ["—", "—", "$52.4bn", "100%"]


def test_spread_years_apply_to_the_comparison(client, figures):
    html = client.get(COMPARE, {"companies": ["bytedance", "alibaba"], "years": "spread"}).content.decode()
    years = [row[0]["text"] for row in chart_table(html, "years")[1:-1]]
    assert years == ["2025", "2026", "2027", "2028"]


def test_one_company_is_not_a_comparison(client, figures):
    response = client.get(COMPARE, {"companies": ["bytedance"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>Companies:</strong> Choose between 2 and 5 companies; you chose 1." in html
    assert 'data-chart-table="years"' not in html


def test_six_companies_are_too_many(client, figures):
    slugs = ["bytedance", "meta", "alibaba", "alphabet", "microsoft", "stargate"]
    response = client.get(COMPARE, {"companies": slugs})
    assert response.status_code == 400
    assert "you chose 6" in response.content.decode()


def test_an_unknown_company_is_named_in_the_error(client, figures):
    response = client.get(COMPARE, {"companies": ["bytedance", "acme"]})
    assert response.status_code == 400
    assert "acme is not one of the available choices" in response.content.decode()


def test_without_a_choice_the_page_suggests_the_largest(client, figures):
    html = client.get(COMPARE).content.decode()
    # The largest by AI investment (the default measure): Microsoft, Alibaba, ByteDance.
    assert "?companies=microsoft&amp;companies=alibaba&amp;companies=bytedance" in html
