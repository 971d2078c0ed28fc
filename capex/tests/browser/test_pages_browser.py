"""
The researcher pages in a real Chromium, with the sample data: every page loads without a
console error, charts draw, facets narrow the results, a chart's CSV holds its table, the USD
basis switch changes the totals, and the pages work from the keyboard, on a phone and
without JavaScript. Screenshots of each page are saved as test artifacts; with
SCREENSHOTS_TO_DOCS=1 the main ones are also written to docs/screenshots/.
"""

import csv
import datetime
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from capex.tests.test_pages_fixtures import fresh_rates_store, sample_figures_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACT_SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture
def site(live_server):
    figures = sample_figures_load()
    fresh_rates_store(newest=datetime.date.today())
    return SimpleNamespace(url=live_server.url, figures=figures)


def save(screenshot, name: str) -> None:
    publish(screenshot(name))


# The screenshots the documentation shows.
DOCS_PAGES = {"home", "company-bytedance", "investment-bytedance", "explore", "compare", "company-bytedance-phone"}


def publish(path: Path) -> None:
    if os.environ.get("SCREENSHOTS_TO_DOCS") == "1" and path.stem in DOCS_PAGES:
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)


def open_page(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")


def test_every_page_loads_without_console_errors(page, site, screenshot):
    figures = site.figures
    pages = {
        "home": "/",
        "companies": "/companies/",
        "company-bytedance": "/companies/bytedance/",
        "company-nvidia": "/companies/nvidia/",
        "investment-bytedance": f"/investments/{figures['bytedance'].pk}/",
        "investment-alibaba": f"/investments/{figures['alibaba'].pk}/",
        "explore": "/explore/?company=bytedance&company=meta&company=alibaba",
        "compare": "/compare/?companies=bytedance&companies=meta&companies=alibaba",
        "sources": "/sources/",
        "source": f"/sources/{figures['bytedance'].citations.first().source_id}/",
    }
    for name, path in pages.items():
        open_page(page, site.url + path)
        assert page.console_errors == [], f"{name}: {page.console_errors}"
        save(screenshot, name)


def test_charts_render_with_the_sample_data(page, site):
    open_page(page, site.url + "/")
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(5)
    for index in range(5):
        expect(charts.nth(index)).to_have_attribute("data-rendered", "true")
    bars = page.evaluate(
        """() => [...document.querySelectorAll('[data-chart] canvas')].map((canvas) => {
            const chart = Chart.getChart(canvas);
            return chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v > 0).length, 0);
        })"""
    )
    assert all(count > 0 for count in bars), bars
    # The stacked chart has one dataset per company, with ByteDance among them.
    labels = page.evaluate(
        "() => Chart.getChart(document.querySelector('#chart-by-year canvas')).data.datasets.map(d => d.label)"
    )
    assert "ByteDance" in labels
    assert page.console_errors == []


def test_chart_tables_fold_away_once_the_chart_is_drawn_and_open_on_demand(page, site):
    open_page(page, site.url + "/companies/bytedance/")
    details = page.locator("#chart-scope details.chart-data")
    expect(details).not_to_have_attribute("open", "")
    table = page.locator('[data-chart-table="scope"]')
    expect(table).to_be_hidden()
    details.locator("summary").click()
    expect(table).to_be_visible()
    expect(table).to_contain_text("Overseas")


def test_facets_change_the_results(page, site):
    open_page(page, site.url + "/explore/")
    expect(page.locator("#result-count")).to_have_attribute("data-count", "10")
    with page.expect_navigation():
        page.locator("#facet-scope label", has_text="Overseas").click()
    assert "scope=overseas" in page.url
    expect(page.locator("#result-count")).to_have_attribute("data-count", "1")
    expect(page.locator("#results-table tbody")).to_contain_text("Overseas spending on model training in 2025")
    # The address holds the state: opening it again shows the same view.
    shared = page.context.new_page()
    shared.goto(page.url)
    expect(shared.locator("#result-count")).to_have_attribute("data-count", "1")
    expect(shared.locator('#facet-scope input[value="overseas"]')).to_be_checked()
    # Keyboard users keep their place: focus returns to the ticked box after the reload.
    assert page.evaluate("() => document.activeElement.value") == "overseas"
    assert page.console_errors == []


def read_csv(download) -> list[list[str]]:
    with open(download.path(), newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_chart_csv_download_matches_the_table(page, site):
    open_page(page, site.url + "/companies/bytedance/")
    table = page.locator('[data-chart-table="scope"]')
    # The table is folded away behind the chart: read its text, visible or not.
    headers = [text.strip() for text in table.locator("thead th").all_text_contents()]
    rows = []
    for row in table.locator("tbody tr, tfoot tr").all():
        label = row.locator("th").text_content().strip()
        values = [cell.get_attribute("value") for cell in row.locator("data").all()]
        rows.append([label, *values])
    with page.expect_download() as download:
        page.locator('#chart-scope a[data-download-chart="scope"]').click()
    assert read_csv(download.value) == [headers, *rows]
    assert rows[0][:2] == ["Overseas", "6800000000.00"]


def test_explore_csv_download_holds_the_listed_figures(page, site):
    open_page(page, site.url + "/explore/?category=chips")
    listed = page.locator("#results-table tbody th a").all_inner_texts()
    with page.expect_download() as download:
        page.locator("#download-csv").click()
    rows = read_csv(download.value)
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    assert titles == listed
    assert len(titles) == 2


def test_basis_switch_changes_the_totals(page, site):
    open_page(page, site.url + "/companies/bytedance/")
    expect(page.locator("#company-total")).to_have_text("at least $12.3bn (1 open-ended figure)")
    page.locator('nav[aria-label="USD basis"] a', has_text="Latest rate").click()
    expect(page.locator("#company-total")).to_have_text("at least $12.4bn (1 open-ended figure)")
    assert "basis=latest" in page.url
    expect(page.locator('nav[aria-label="USD basis"] a[aria-current="true"]')).to_have_text("Latest rate")
    open_page(page, site.url + "/")
    before = page.locator('#company-totals tr[data-company="bytedance"] td.num').first.inner_text()
    page.locator('nav[aria-label="USD basis"] a', has_text="Latest rate").click()
    after = page.locator('#company-totals tr[data-company="bytedance"] td.num').first
    expect(after).not_to_have_text(before)
    assert page.console_errors == []


def test_charts_can_be_read_from_the_keyboard(page, site):
    open_page(page, site.url + "/companies/bytedance/")
    canvas = page.locator("#chart-scope canvas")
    canvas.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#chart-scope-readout")).to_have_text("Overseas: $6.80bn")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#chart-scope-readout")).to_have_text("Domestic: $5.49bn")
    page.keyboard.press("Escape")
    expect(page.locator("#chart-scope-readout")).to_have_text("")


def test_pages_fit_a_phone_screen(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    errors = []
    phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        for path in ("/", "/companies/bytedance/", "/explore/", "/compare/?companies=bytedance&companies=meta"):
            response = phone.goto(site.url + path)
            assert response.status == 200
            overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        phone.goto(site.url + "/companies/bytedance/")
        ARTIFACT_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACT_SCREENSHOTS / "company-bytedance-phone.png"
        phone.screenshot(path=str(path), full_page=True)
        publish(path)
        assert errors == []
    finally:
        context.close()


def test_tables_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.url + "/companies/bytedance/")
        expect(page.locator("#chart-scope .chart-canvas")).to_be_hidden()
        table = page.locator('[data-chart-table="years"]')
        expect(table).to_be_visible()
        expect(table).to_contain_text("$12.3bn")
        page.goto(site.url + "/explore/?scope=domestic")
        expect(page.locator("#result-count")).to_have_attribute("data-count", "4")
    finally:
        context.close()


def test_pages_run_under_the_sites_content_security_policy_without_unsafe_inline(page, site):
    """The policy django-csp sends allows nothing inline; every page runs under it with no violation."""
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    figures = site.figures
    pages_with_charts = {
        "/": True,
        "/companies/bytedance/": True,
        f"/investments/{figures['alibaba'].pk}/": True,
        "/explore/?scope=domestic": False,
        "/compare/?companies=bytedance&companies=meta": True,
        "/sources/": False,
        "/admin/login/": False,
    }
    for path, has_charts in pages_with_charts.items():
        response = page.goto(site.url + path)
        assert response is not None and response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
        page.wait_for_load_state("load")
        if has_charts:
            expect(page.locator("[data-chart]").first).to_have_attribute("data-rendered", "true")
        assert violations == [], f"{path}: {violations}"
        assert page.console_errors == [], f"{path}: {page.console_errors}"


@pytest.mark.parametrize("view", [{}, {"years": "announcement"}, {"basis": "latest"}, {"measure": "total_capex"}])
def test_the_home_pages_2025_figure_is_the_stats_apis_for_the_same_view(page, site, view):
    query = "&".join(f"{name}={value}" for name, value in view.items())
    open_page(page, f"{site.url}/?{query}")
    card = page.locator('#year-totals [data-year="2025"] .card-value')
    shown = card.get_attribute("data-total")

    params = {"group_by": "year", **{"year_mode" if k == "years" else k: v for k, v in view.items()}}
    api = page.request.get(f"{site.url}/api/v1/stats/", params=params).json()
    year = next(bucket for bucket in api["buckets"] if bucket["key"] == "2025")

    # The page keeps the exact sum of slices; the API shows it to the cent.
    assert abs(float(shown) - float(year["point"])) < 0.01
    assert api["year_mode"] == view.get("years", "spread")
    assert api["measure"] == view.get("measure", "ai_investment")
    if year["high_open"]:
        expect(card).to_contain_text("at least")
