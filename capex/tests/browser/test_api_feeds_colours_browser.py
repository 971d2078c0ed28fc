"""
In a real Chromium, with the sample data: the browsable API and the API documentation pages
load under the site's Content-Security-Policy with no console error (a CSP violation is one)
and no request to another host; and a company's bars are drawn in the same colour on the
dashboard, on compare and on its own page.
"""

import datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from capex.colours import company_colour
from capex.tests.test_pages_fixtures import fresh_rates_store, sample_figures_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    figures = sample_figures_load()
    fresh_rates_store(newest=datetime.date.today())
    return SimpleNamespace(url=live_server.url, figures=figures)


def hosts_answering(page) -> set[str]:
    """The hosts that answer the page's requests from now on (blob: workers and data: images need none)."""
    hosts: set[str] = set()

    def answered(response) -> None:
        if response.url.startswith("http"):
            hosts.add(urlsplit(response.url).netloc)

    page.on("response", answered)
    return hosts


def open_page(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")


def test_the_browsable_api_shows_the_endpoints_without_a_csp_violation(page, site, screenshot):
    answered = hosts_answering(page)
    open_page(page, site.url + "/api/v1/")
    expect(page.locator(".page-header h1")).to_have_text("Api Root")
    response_info = page.locator(".response-info pre")
    expect(response_info).to_contain_text(f'"investments": "{site.url}/api/v1/investments/"')
    assert page.console_errors == []
    assert answered == {urlsplit(site.url).netloc}
    screenshot("api-root")
    # A resource link from the root leads on to the list, in the browser too.
    with page.expect_navigation():
        response_info.locator("a", has_text="/api/v1/investments/").first.click()
    expect(page.locator(".page-header h1")).to_have_text("Investment List")
    expect(response_info).to_contain_text("AI infrastructure spending in 2025")
    # DRF's format menu and tooltips run (its scripts are allowed, its inline styles replaced).
    page.locator("#get-form .dropdown-toggle").click()
    expect(page.locator("#get-form .dropdown-menu a", has_text="json")).to_be_visible()
    assert page.console_errors == []


# Redoc's bundle always draws its maker's logo from their CDN in the side menu ("API docs by
# Redocly"); the docs pages' policy allows images from this site only, so the browser refuses it
# (one CSP report in the console) and Redoc drops the broken image. Nothing else leaves the site.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(("path", "refused"), [("/api/docs/", []), ("/api/docs/redoc/", [REDOC_LOGO])])
def test_the_api_documentation_renders_from_this_site_alone(page, site, path, refused):
    answered, failed = hosts_answering(page), []
    page.on("requestfailed", lambda request: failed.append(request.url))
    open_page(page, site.url + path)
    # The title comes from the schema: the page has fetched and drawn it.
    expect(page.get_by_text("AI Capex Tracker API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/investments/").first).to_be_attached()
    assert answered == {urlsplit(site.url).netloc}
    assert failed == refused
    assert all(REDOC_LOGO in message for message in page.console_errors), page.console_errors
    assert len(page.console_errors) == len(refused)


def _dataset_colours(page, chart_id: str) -> dict[str, str]:
    return page.evaluate(
        """(id) => Object.fromEntries(Chart.getChart(document.querySelector(`#chart-${id} canvas`))
            .data.datasets.map((d) => [d.label, d.borderColor]))""",
        chart_id,
    )


def test_a_company_is_drawn_in_one_colour_on_every_page(page, site, screenshot):
    bytedance, microsoft = company_colour("bytedance"), company_colour("microsoft")

    open_page(page, site.url + "/")
    expect(page.locator("#chart-by-year [data-chart]")).to_have_attribute("data-rendered", "true")
    home = _dataset_colours(page, "by-year")
    assert (home["ByteDance"], home["Microsoft"]) == (bytedance, microsoft)
    screenshot("home-company-colours")

    open_page(page, site.url + "/compare/?companies=bytedance&companies=microsoft")
    expect(page.locator("#chart-years [data-chart]")).to_have_attribute("data-rendered", "true")
    compare = _dataset_colours(page, "years")
    assert (compare["ByteDance"], compare["Microsoft"]) == (bytedance, microsoft)
    screenshot("compare-company-colours")

    open_page(page, site.url + "/companies/bytedance/")
    expect(page.locator("#chart-years [data-chart]")).to_have_attribute("data-rendered", "true")
    bars = page.evaluate(
        "() => Chart.getChart(document.querySelector('#chart-years canvas')).data.datasets[0].backgroundColor"
    )
    assert bars and set(bars) == {bytedance}
    assert page.console_errors == []
