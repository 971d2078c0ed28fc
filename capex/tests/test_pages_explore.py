"""Explore: the API's filters as facets with counts, the results, and downloads of exactly that view."""

import csv
import io
import json

import pytest
from django.urls import reverse

from capex.choices import WorkflowState
from capex.tests.factories import InvestmentFactory
from capex.tests.test_pages_fixtures import figures_by_name, table_rows

pytestmark = pytest.mark.django_db

EXPLORE = reverse("capex:explore")


@pytest.fixture
def figures(page_figures_for_module):
    return figures_by_name(page_figures_for_module)


def explore(client, params=None, status=200):
    response = client.get(EXPLORE, params or {})
    assert response.status_code == status
    return response.content.decode()


def result_ids(html: str) -> list[str]:
    rows = table_rows(html, "results-table")[1:]
    return [row[2]["link"].strip() for row in rows]


def facet(html: str, name: str) -> dict[str, str]:
    """label -> count text of one facet's options."""
    block = html[html.index(f'id="facet-{name}"') :]
    block = block[: block.index("</fieldset>")]
    options = {}
    for item in block.split("<li>")[1:]:
        label = item[item.index("<label") : item.index("</label>")]
        text = label[label.index(">") + 1 :]
        name_part, _, count = text.partition('<span class="count"')
        options[" ".join(name_part.split())] = count[count.index("(") + 1 : count.index(")")] if count else ""
    return options


def test_every_filter_of_the_api_is_a_facet_or_an_input(client, figures):
    html = explore(client)
    for name in (
        "company",
        "country",
        "scope",
        "target_country",
        "category",
        "workload",
        "vendor",
        "evidence",
        "status",
        "currency",
        "top_level",
        "include_superseded",
    ):
        assert f'id="facet-{name}"' in html, name
    for name in ("q", "announced_from", "announced_to", "usd_min", "usd_max"):
        assert f'name="{name}"' in html, name


def test_facets_count_the_figures_each_value_would_match(client, figures):
    html = explore(client)
    assert facet(html, "scope") == {"Domestic": "4", "Global": "4", "Overseas": "1", "Unspecified": "1"}
    assert facet(html, "vendor") == {"Nvidia": "2", "Cambricon": "1", "Huawei": "1"}
    assert facet(html, "top_level") == {
        "Headlines and components": "",
        "Headline figures only": "6",
        "Components only": "4",
    }
    assert facet(html, "include_superseded") == {"Include revised figures": "1"}


def test_choosing_a_facet_value_changes_the_results_and_the_other_counts(client, figures):
    html = explore(client, {"scope": "overseas"})
    assert result_ids(html) == ["Overseas spending on model training in 2025"]
    scope = html[html.index('id="facet-scope"') : html.index('id="facet-target_country"')]
    assert 'value="overseas" id="f-scope-3" checked' in scope
    assert facet(html, "company") == {"ByteDance": "1"}
    # The scope facet itself still offers every value, so a second one can be added.
    assert facet(html, "scope")["Domestic"] == "4"
    assert 'data-total="6800000000.00"' in html


def test_several_values_of_one_facet_match_any_of_them(client, figures):
    html = explore(client, {"company": ["bytedance", "meta"], "top_level": "true"})
    assert len(result_ids(html)) == 2
    assert "checked" in html[html.index('id="facet-company"') : html.index('id="facet-country"')]


def test_superseded_figures_are_left_out_unless_asked_for(client, figures):
    titles = result_ids(explore(client, {"company": "meta"}))
    assert titles == ["Capital expenditures in 2025 (revised outlook)"]
    titles = result_ids(explore(client, {"company": "meta", "include_superseded": "true"}))
    assert len(titles) == 2


def test_the_filtered_total_counts_each_headline_once(client, figures):
    html = explore(client, {"company": "bytedance"})
    assert len(result_ids(html)) == 3
    assert 'id="filtered-total" data-total="12291298066.09"' in html


def test_csv_download_holds_exactly_the_filtered_figures(client, figures):
    params = {"category": "chips", "ordering": "-usd"}
    html = explore(client, params)
    response = client.get(EXPLORE, {**params, "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["title"] for row in rows] == [
        "Overseas spending on model training in 2025",
        "AI chips bought in China in 2025",
    ]
    assert len(rows) == len(result_ids(html))
    chips = rows[1]
    assert chips["amount"] == "40000000000.00"
    assert chips["currency"] == "CNY"
    assert chips["usd_at_announcement_amount_usd"] == "5491298066.09"
    assert chips["chip_vendors_slug"] == "cambricon; huawei; nvidia"
    assert chips["parent"] == str(figures["bytedance"].pk)


def test_json_download_holds_the_same_figures_with_exact_amounts(client, figures):
    response = client.get(EXPLORE, {"category": "chips", "basis": "latest", "export": "json"})
    data = json.loads(b"".join(response.streaming_content))
    assert sorted(row["title"] for row in data) == [
        "AI chips bought in China in 2025",
        "Overseas spending on model training in 2025",
    ]
    chips = next(row for row in data if row["currency"] == "CNY")
    assert chips["usd_latest"]["amount_usd"] == "5600000000.00"
    assert chips["chip_vendors"][0]["slug"] == "cambricon"


def test_download_links_carry_the_filters(client, figures):
    html = explore(client, {"scope": "domestic", "page": "1"})
    assert 'href="?scope=domestic&amp;export=csv" id="download-csv"' in html
    assert 'href="?scope=domestic&amp;export=json" id="download-json"' in html


def test_an_invalid_filter_answers_400_naming_it_and_lists_nothing(client, figures):
    html = explore(client, {"usd_min": "lots"}, status=400)
    assert "<strong>usd_min</strong>: Enter a number." in html
    assert 'id="results-table"' not in html


def test_an_unknown_ordering_answers_400(client, figures):
    assert "<strong>ordering</strong>" in explore(client, {"ordering": "random"}, status=400)


def test_readers_never_see_drafts_even_when_asking_for_them(client, figures):
    InvestmentFactory(company=figures["alibaba"].company, title="Unreviewed draft", state=WorkflowState.DRAFT)
    html = explore(client, {"state": "draft"})
    assert "Unreviewed draft" not in html
    assert 'id="facet-state"' not in html


def test_staff_can_facet_by_editorial_state(client, django_user_model, figures):
    InvestmentFactory(company=figures["alibaba"].company, title="Unreviewed draft", state=WorkflowState.DRAFT)
    client.force_login(django_user_model.objects.create_user("editor", password="x", is_staff=True))
    html = explore(client, {"state": "draft"})
    assert result_ids(html) == ["Unreviewed draft"]
    assert facet(html, "state") == {"Published": "10", "Draft": "1"}


def test_active_filters_are_named_and_each_can_be_removed(client, figures):
    html = explore(client, {"scope": ["overseas", "domestic"], "company": "bytedance"})
    chips = html[html.index('aria-label="Active filters"') :]
    chips = chips[: chips.index("</ul>")]
    assert "Domestic or overseas: Overseas" in chips
    assert "Company: ByteDance" in chips
    # Removing one value keeps the others.
    assert (
        'href="?scope=domestic&amp;company=bytedance" aria-label="Remove filter Domestic or overseas: Overseas"'
        in chips
    )


def test_the_filters_drawer_opens_to_show_an_invalid_filter_and_is_closed_otherwise(client, figures):
    """On a phone the filters wait in a closed drawer, unless one of them needs fixing."""
    invalid = explore(client, {"usd_min": "lots"}, status=400)
    assert '<details class="filters-drawer" id="filters-drawer" open>' in invalid
    assert '<details class="filters-drawer" id="filters-drawer">' in explore(client, {"scope": "domestic"})
