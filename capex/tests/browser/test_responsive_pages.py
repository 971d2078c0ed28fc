"""
The researcher pages on a phone (375x812) and on a desktop (1280x900), with the sample data and
Meta's filed capex: every table, list and chart fits the screen's width, and each row shows its
figure, company, amount and date within it (not cut off by a box that scrolls sideways); on a
phone explore lists its first result before the filters, which open from a drawer; charts follow
the window's width.

Screenshots of the dashboard on both screens are saved as test artifacts; with
SCREENSHOTS_TO_DOCS=1 (`make screenshots`) they are also written to docs/screenshots/, where the
README shows them.
"""

import datetime
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from capex.tests.test_pages_fixtures import fresh_rates_store, sample_figures_load
from companies.models import Company
from filings.edgar import EdgarClient
from filings.services import reported_refresh
from filings.tests.conftest import FakeTransport, ok

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACT_SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

SCREENS = {
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}

# The cells the tables mark for what a reader looks for in each row.
FIGURE, COMPANY, AMOUNT, DATE, TITLE = ".cell-figure", ".cell-company", ".cell-amount", ".cell-date", ".cell-title"
ROW_HEADING, NUMBER = "th[scope=row]", "td.num"
LISTED_FIGURE = (".figure-date", ".figure-company", ".figure-title", ".figure-amount")


@dataclass(frozen=True)
class Rows:
    """Rows of a table or list (a selector) and the cells each of them must show within the screen."""

    rows: str
    cells: tuple[str, ...]


def chart_rows(chart_id: str) -> Rows:
    """A chart's data table: each category with its amounts."""
    return Rows(f'[data-chart-table="{chart_id}"] tbody tr', (ROW_HEADING, NUMBER))


def pages(figures) -> dict[str, tuple[str, list[Rows]]]:
    alibaba = figures["alibaba"]
    return {
        "dashboard": (
            "/",
            [
                Rows("#measure-series tbody tr", (ROW_HEADING, AMOUNT)),
                Rows("#company-totals tbody tr", (COMPANY, AMOUNT)),
                Rows("#latest-figures > .figure-item", LISTED_FIGURE),
                chart_rows("by-year"),
                chart_rows("share-scope"),
            ],
        ),
        "companies": ("/companies/", [Rows("#companies-table tbody tr", (COMPANY, AMOUNT))]),
        "company": (
            "/companies/bytedance/",
            [
                Rows("#company-series tbody tr", (ROW_HEADING, AMOUNT)),
                Rows("#figures-table tbody tr", (DATE, FIGURE, AMOUNT)),
                Rows("#timeline > .timeline-item", (".figure-date", ".figure-heading", ".figure-amount")),
                chart_rows("scope"),
            ],
        ),
        "company with guided vs reported": (
            "/companies/meta/",
            [
                Rows("#guided-vs-reported tbody tr", (ROW_HEADING, AMOUNT)),
                Rows("#figures-table tbody tr", (DATE, FIGURE, AMOUNT)),
                chart_rows("reported"),
            ],
        ),
        "vendor": ("/companies/nvidia/", [chart_rows("buyers"), Rows("#buyers-heading ~ .buyer-figures > li", ("a",))]),
        "explore": ("/explore/", [Rows("#results-table tbody tr", (DATE, COMPANY, FIGURE, AMOUNT))]),
        "investment": (
            f"/investments/{alibaba.pk}/",
            [
                Rows("#conversions tbody tr", (ROW_HEADING, AMOUNT, DATE)),
                Rows("#history tbody tr", (DATE, AMOUNT)),
                chart_rows("spread"),
            ],
        ),
        "investment with components": (f"/investments/{figures['bytedance'].pk}/", [Rows("#components > li", ("a",))]),
        "sources": ("/sources/", [Rows("#sources-table tbody tr", (TITLE, DATE))]),
        "source": (
            f"/sources/{alibaba.citations.first().source_id}/",
            [Rows("#supported-figures > .figure-item", LISTED_FIGURE)],
        ),
        "compare": (
            "/compare/?companies=bytedance&companies=meta&companies=alibaba",
            [chart_rows("years"), chart_rows("scope"), chart_rows("vendor")],
        ),
        "methodology": ("/methodology/", []),
    }


# Where an element (and the text in it) lies: off the screen's width, or cut off by a box that
# scrolls sideways. Returns a reason, or "" when it is in view.
OUT_OF_VIEW = """(element) => {
    const width = window.innerWidth;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === "hidden") {
        return "not shown";
    }
    const range = document.createRange();
    range.selectNodeContents(element);
    const boxes = [box, range.getBoundingClientRect()].filter((b) => b.width > 0);
    for (const b of boxes) {
        if (b.left < -0.5 || b.right > width + 0.5) {
            return `at ${Math.round(b.left)}..${Math.round(b.right)}px on a ${width}px screen`;
        }
        for (let parent = element.parentElement; parent; parent = parent.parentElement) {
            if (getComputedStyle(parent).overflowX === "visible") continue;
            const clip = parent.getBoundingClientRect();
            if (b.left < clip.left - 0.5 || b.right > clip.right + 0.5) {
                return `cut off at ${Math.round(clip.right)}px by a box that scrolls sideways`;
            }
        }
    }
    return "";
}"""

# Everything in the main content that is wider than the screen or scrolls sideways.
OVERFLOWS = """() => {
    const width = window.innerWidth;
    const name = (e) => {
        const classes = typeof e.className === "string" ? e.className.trim().split(/\\s+/).filter(Boolean) : [];
        return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + classes.map((c) => "." + c).join("");
    };
    const problems = [];
    const page = document.documentElement.scrollWidth;
    if (page > width) problems.push(`the page is ${page}px wide`);
    for (const element of document.querySelectorAll("main *")) {
        const box = element.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1) continue;  // not rendered, or only for screen readers
        if (box.left < -0.5 || box.right > width + 0.5) {
            problems.push(`${name(element)} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
        } else if (getComputedStyle(element).overflowX !== "visible" && element.scrollWidth > element.clientWidth + 1) {
            problems.push(`${name(element)} scrolls sideways (${element.scrollWidth}px in ${element.clientWidth}px)`);
        }
    }
    return problems.slice(0, 8);
}"""


@pytest.fixture
def site(live_server):
    figures = sample_figures_load()
    fresh_rates_store(newest=datetime.date.today())
    # Meta's filings, so its page sets its 2025 guidance against what it reported.
    meta = Company.objects.get(slug="meta")
    meta.cik = "1326801"
    meta.save(update_fields=["cik"])
    client = EdgarClient(
        transport=FakeTransport(ok("meta-companyconcept-capex.json")),
        user_agent="AI Capex Tracker test@example.com",
        base_url="https://edgar.test/api/xbrl/",
        sleep=lambda seconds: None,
        clock=lambda: 0.0,
    )
    reported_refresh(company=meta, client=client)
    return SimpleNamespace(url=live_server.url, figures=figures)


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    """A page on a phone or a desktop screen, recording console errors."""
    context = browser.new_context(**SCREENS[request.param])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield SimpleNamespace(name=request.param, page=page)
    context.close()


def open_page(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")
    charts = page.locator("[data-chart]")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-rendered", "true")


def open_every_disclosure(page) -> None:
    """Open what a reader can unfold (chart data tables, explore's filters), so it is measured too."""
    for summary in page.locator("main details > summary:visible").all():
        if not summary.evaluate("(summary) => summary.parentElement.open"):
            summary.click()


def save_screenshot(page, name: str, **options) -> None:
    ARTIFACT_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACT_SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    if os.environ.get("SCREENSHOTS_TO_DOCS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)


def rows_out_of_view(page, rows: Rows) -> list[str]:
    found = page.locator(rows.rows)
    if found.count() == 0:
        return [f"{rows.rows}: no rows"]
    problems = []
    for index, row in enumerate(found.all()):
        for selector in rows.cells:
            cells = row.locator(selector)
            if cells.count() == 0:
                problems.append(f"{rows.rows} row {index + 1}: no {selector}")
            for cell in cells.all():
                reason = cell.evaluate(OUT_OF_VIEW)
                if reason:
                    problems.append(f"{rows.rows} row {index + 1}, {selector} {cell.inner_text()!r}: {reason}")
    return problems


def test_every_page_fits_the_screen_and_shows_each_rows_figure_company_amount_and_date(screen, site):
    page = screen.page
    problems = {}
    for name, (path, expected) in pages(site.figures).items():
        open_page(page, site.url + path)
        if name == "dashboard":
            top = {"clip": {"x": 0, "y": 0, "width": 375, "height": 1624}, "full_page": True}
            save_screenshot(page, f"dashboard-{screen.name}", **(top if screen.name == "phone" else {}))
        open_every_disclosure(page)
        found = page.evaluate(OVERFLOWS)
        for rows in expected:
            found += rows_out_of_view(page, rows)
        found += page.console_errors
        page.console_errors.clear()
        if found:
            problems[name] = found
    assert problems == {}


def test_explore_on_a_phone_lists_the_first_result_before_the_filters(browser, site):
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    try:
        open_page(page, site.url + "/explore/")
        first_result = page.locator("#results-table tbody tr").first
        filters = page.locator("#explore-form")
        toggle = page.locator("#filters-drawer > summary")
        # The first result is on the first screen; the filters wait behind their button above it.
        expect(first_result).to_be_in_viewport()
        expect(filters).to_be_hidden()
        expect(toggle).to_be_visible()
        assert toggle.bounding_box()["y"] < first_result.bounding_box()["y"]

        toggle.click()
        expect(filters).to_be_visible()
        # In the drawer values are ticked one after another and applied together.
        page.locator("#facet-scope label", has_text="Overseas").click()
        page.locator("#facet-scope label", has_text="Domestic").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert "scope=overseas" in page.url and "scope=domestic" in page.url
        expect(page.locator("#result-count")).to_have_attribute("data-count", "5")
        expect(toggle).to_contain_text("(2 active)")
        expect(filters).to_be_hidden()
        expect(page.locator("#results-table tbody tr").first).to_be_in_viewport()
    finally:
        context.close()


def test_explore_on_a_desktop_shows_the_filters_beside_the_results(page, site):
    open_page(page, site.url + "/explore/")
    filters = page.locator("#explore-form")
    results = page.locator("#results-table")
    expect(filters).to_be_visible()
    expect(filters).to_be_in_viewport()
    expect(page.locator("#filters-drawer")).to_have_attribute("open", "")
    assert filters.bounding_box()["x"] + filters.bounding_box()["width"] <= results.bounding_box()["x"]
    # Ticking a value applies it at once beside the results.
    with page.expect_navigation():
        page.locator("#facet-scope label", has_text="Overseas").click()
    expect(page.locator("#result-count")).to_have_attribute("data-count", "1")
    expect(filters).to_be_visible()


def test_charts_follow_the_width_of_the_window(page, site):
    open_page(page, site.url + "/")
    canvases = page.locator("[data-chart] canvas")
    wide = [box["width"] for box in (canvas.bounding_box() for canvas in canvases.all())]
    assert min(wide) > 375, wide

    page.set_viewport_size({"width": 375, "height": 812})
    # Each chart redraws to its box's new width: narrower than the phone's screen, and not empty.
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-chart] canvas')].every((canvas) => {
            const box = canvas.getBoundingClientRect();
            const area = canvas.parentElement.getBoundingClientRect();
            return box.right <= window.innerWidth && Math.abs(box.width - area.width) < 1;
        })"""
    )
    narrow = [box["width"] for box in (canvas.bounding_box() for canvas in canvases.all())]
    assert all(0 < width < 375 for width in narrow), narrow
    # Chart.js drew again at the new size: its drawing area is the canvas's new width.
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('[data-chart] canvas')].map((canvas) => Chart.getChart(canvas).width)"
    )
    assert [round(width) for width in drawn] == [round(width) for width in narrow]
    assert page.console_errors == []
