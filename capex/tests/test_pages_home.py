"""The home dashboard, as a researcher reads it."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from capex.models import Investment
from capex.services.slices import slices_refresh
from capex.tests.test_pages_fixtures import (
    chart_csv_rows,
    chart_table,
    figures_by_name,
    fresh_rates_store,
    table_rows,
)

pytestmark = pytest.mark.django_db

HOME = reverse("capex:home")


@pytest.fixture
def figures(page_figures_for_module):
    return figures_by_name(page_figures_for_module)


@pytest.fixture
def today_2026(monkeypatch):
    monkeypatch.setattr("capex.views.home.timezone.localdate", lambda: datetime.date(2026, 3, 2))


def html_of(response) -> str:
    return response.content.decode()


def row_for(rows, first_cell_text):
    return next(row for row in rows if row[0]["text"] == first_cell_text)


def test_home_lists_bytedance_headline_as_stated_and_its_rmb_component_in_usd(client, figures):
    html = html_of(client.get(HOME))
    latest = html[html.index('id="latest-figures"') :]
    bytedance = latest[latest.index(f'data-figure="{figures["bytedance"].pk}"') :]
    assert "more than $12bn" in bytedance
    assert "about RMB 40bn" in bytedance
    assert "≈ about $5.49bn" in bytedance
    assert "about $6.8bn" in bytedance


def test_home_company_totals_count_the_bytedance_headline_once(client, figures):
    rows = table_rows(html_of(client.get(HOME)), "company-totals")
    bytedance = row_for(rows, "ByteDance")
    # "more than $12bn" with components of $5.49bn and $6.8bn counts as their sum, once, and stays open-ended.
    assert bytedance[2]["text"] == "at least $12.3bn (1 open-ended figure)"
    assert bytedance[3]["text"] == "1"


def test_home_year_cards_show_the_current_year_and_the_past_years(client, figures, today_2026):
    html = html_of(client.get(HOME))
    cards = html[html.index('id="year-totals"') : html.index('id="chart-by-year"')]
    assert 'data-year="2026"' in cards
    assert "(current year)" in cards
    year_2025 = cards[cards.index('data-year="2025"') :]
    card = year_2025[: year_2025.index("</li>")]
    # AI investment only, each figure spread over its period: ByteDance 12.29 (all in 2025) + Microsoft
    # 80 x 181/365 (Jan-Jun of FY2025) = 39.67 + Alibaba 52.41 x 311/1095 = 14.89: at least $66.8bn, never the
    # $788bn of Stargate, Meta's and Alphabet's capex guidance and whole multi-year plans added into 2025.
    assert "at least $66.8bn" in card
    assert "2 open-ended figures" in card
    assert "$788bn" not in html


def test_spreading_years_moves_multi_year_figures_into_later_years(client, figures, today_2026):
    table = chart_table(html_of(client.get(HOME, {"years": "spread"})), "by-year")
    years = [row[0]["text"] for row in table[1:-1]]
    # Microsoft's FY2025 starts in July 2024; Alibaba's three years run into 2028.
    assert years == ["2024", "2025", "2026", "2027", "2028"]
    programmes = chart_table(html_of(client.get(HOME, {"measure": "programme"})), "by-year")
    # Stargate's four years run into 2029.
    assert [row[0]["text"] for row in programmes[1:-1]] == ["2025", "2026", "2027", "2028", "2029"]


def test_basis_switch_changes_the_totals(client, figures):
    announcement = row_for(table_rows(html_of(client.get(HOME)), "company-totals"), "ByteDance")
    latest = row_for(table_rows(html_of(client.get(HOME, {"basis": "latest"})), "company-totals"), "ByteDance")
    assert announcement[2]["text"] == "at least $12.3bn (1 open-ended figure)"
    # RMB 40bn at the latest rate (0.14) is $5.6bn; with $6.8bn the figure counts $12.4bn.
    assert latest[2]["text"] == "at least $12.4bn (1 open-ended figure)"


def test_basis_switch_links_keep_the_other_parameters(client, figures):
    html = html_of(client.get(HOME, {"years": "spread"}))
    assert 'href="?years=spread&amp;basis=latest"' in html
    assert 'aria-current="true">Spread over the years covered' in html


def test_bad_basis_answers_400_and_names_the_parameter(client, figures):
    response = client.get(HOME, {"basis": "yesterday"})
    assert response.status_code == 400
    assert "<strong>basis</strong>" in html_of(response)
    assert "&#x27;yesterday&#x27; is not a USD basis" in html_of(response)


def test_each_breakdown_shows_its_unspecified_part(client, figures):
    html = html_of(client.get(HOME))
    workload = chart_table(html, "share-workload")
    labels = [row[0]["text"] for row in workload[1:-1]]
    assert labels[-1] == "Unspecified"
    assert {"Training", "Inference", "Training and inference"} <= set(labels)
    assert "is not broken down by this dimension" in html


def test_chart_csv_download_holds_exactly_the_table(client, figures):
    html = html_of(client.get(HOME))
    response = client.get(HOME, {"download": "share-scope"})
    assert response["Content-Type"].startswith("text/csv")
    downloaded = list(csv.reader(io.StringIO(response.content.decode())))
    assert downloaded == chart_csv_rows(html, "share-scope")
    # AI investment has no ranges among the sample figures: no low and high columns.
    assert downloaded[0] == ["Domestic or overseas", "Total (USD)", "Share"]


def test_downloading_a_chart_the_page_does_not_have_is_400(client, figures):
    response = client.get(HOME, {"download": "pie"})
    assert response.status_code == 400
    assert "is not a chart on this page" in html_of(response)


def test_a_figure_without_usd_value_is_listed_as_not_converted_never_zero(client, figures):
    Investment.objects.filter(pk=figures["alibaba"].pk).update(
        amount_usd_at_announcement=None, fx_note_at_announcement="No CNY rate within 7 days before 2025-02-24."
    )
    slices_refresh()  # as the conversions leave it after a recompute
    html = html_of(client.get(HOME))
    assert "Not in the totals: not converted to USD" in html
    assert 'not converted <span class="reason">(No CNY rate within 7 days before 2025-02-24.)</span>' in html
    companies = [row[0]["text"] for row in table_rows(html, "company-totals")[1:]]
    assert "Alibaba" not in companies


def live_refresh_tried(status: str = "failed") -> None:
    from django.utils import timezone

    from currencies.models import RateRefresh

    RateRefresh.objects.create(provider="ecb", started_at=timezone.now(), finished_at=timezone.now(), status=status)


def test_stale_rates_show_a_warning_and_the_footer_says_how_old_they_are(client, figures):
    fresh_rates_store(newest=datetime.date(2020, 1, 3))
    live_refresh_tried()
    html = html_of(client.get(HOME))
    assert "Exchange rates are stale." in html
    assert "Rates as of 3 January 2020" in html


def test_before_the_first_refresh_old_bundled_rates_are_named_not_alarmed(client, figures):
    fresh_rates_store(newest=datetime.date(2020, 1, 3))
    html = html_of(client.get(HOME))
    assert "Exchange rates are stale." not in html
    assert "Bundled rates as of 3 January 2020" in html
    assert "bundled rates, no refresh yet" in html


def test_fresh_rates_show_no_warning(client, figures):
    fresh_rates_store(newest=datetime.date.today())
    live_refresh_tried("succeeded")
    html = html_of(client.get(HOME))
    assert "Exchange rates are stale." not in html
    assert f"Rates as of {datetime.date.today():%-d %B %Y}" in html


def test_the_chart_table_and_its_csv_agree_for_the_stacked_chart(client, figures):
    html = html_of(client.get(HOME))
    response = client.get(HOME, {"download": "by-year"})
    downloaded = list(csv.reader(io.StringIO(response.content.decode())))
    assert downloaded == chart_csv_rows(html, "by-year")
    assert downloaded[0][:2] == ["Year", "Microsoft (USD)"]


def test_favicon_ico_answers_with_the_site_icon(client):
    response = client.get("/favicon.ico")

    # The icon itself is a static file (WhiteNoise serves it; the stack check fetches it).
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


def test_a_chart_download_is_named_after_the_view_it_holds(client, figures):
    response = client.get(HOME, {"download": "by-year", "basis": "latest", "years": "announcement"})

    assert response["Content-Disposition"].endswith('ai-capex-dashboard-by-year-ai_investment-announcement-latest.csv"')
