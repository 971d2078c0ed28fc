"""
Meta's company page in a real Chromium with the recorded reported figures imported and Meta's 2025
guidance of $70-72bn: the chart stacks the reported quarters (and the part of a filed year not split
into quarters) as a bar and draws the guidance as a band for the same fiscal year, and the "guided vs
reported so far" table shows the numbers and downloads them as CSV.
"""

import csv
import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from capex.choices import Measure, Qualifier
from capex.tests.factories import PublishedInvestmentFactory
from companies.tests.factories import CompanyFactory
from filings.edgar import EdgarClient
from filings.services import reported_refresh
from filings.tests.conftest import FakeTransport, ok

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meta_page(live_server):
    meta = CompanyFactory(name="Meta", slug="meta", cik="1326801")
    client = EdgarClient(
        transport=FakeTransport(ok("meta-companyconcept-capex.json")),
        user_agent="AI Capex Tracker test@example.com",
        base_url="https://edgar.test/api/xbrl/",
        sleep=lambda seconds: None,
    )
    reported_refresh(company=meta, client=client)
    # Meta raised its 2025 capital expenditure outlook to $70-72bn with its third-quarter 2025 results
    # (29 October 2025).
    PublishedInvestmentFactory(
        company=meta,
        measure=Measure.TOTAL_CAPEX,
        qualifier=Qualifier.RANGE,
        amount=Decimal("70000000000"),
        amount_high=Decimal("72000000000"),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    return live_server.url + "/companies/meta/"


def chart_geometry(page) -> dict:
    """Where Chart.js drew each dataset, read back in the chart's own units (USD billions)."""
    return page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector('#chart-reported canvas'));
            const y = chart.scales.y;
            const out = {labels: chart.data.labels, datasets: {}};
            chart.data.datasets.forEach((dataset, index) => {
                out.datasets[dataset.label] = chart.getDatasetMeta(index).data.map((bar, position) =>
                    dataset.data[position] === null ? null : {
                        top: Math.round(y.getValueForPixel(bar.y) * 1000) / 1000,
                        bottom: Math.round(y.getValueForPixel(bar.base) * 1000) / 1000,
                        width: Math.round(bar.width),
                    });
            });
            return out;
        }"""
    )


def span(bar) -> tuple:
    """A bar's bottom and top, to within a pixel's worth of the axis (a border shifts the base by one)."""
    return pytest.approx((bar["bottom"], bar["top"]), abs=0.3)


def test_meta_page_draws_reported_bars_against_the_guidance_band(page, meta_page, screenshot):
    response = page.goto(meta_page)
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")

    expect(page.locator("[data-guided-chart]")).to_have_attribute("data-rendered", "true")
    page.locator("#chart-reported").screenshot(
        path=str(screenshot("company-meta").with_name("company-meta-reported.png"))
    )
    geometry = chart_geometry(page)
    assert geometry["labels"] == ["FY2024", "FY2025"]
    q1, q2, q3, q4 = (geometry["datasets"][f"Q{number}"] for number in (1, 2, 3, 4))
    year = geometry["datasets"]["Year, not split into quarters"]
    # FY2024 (USD bn): its four quarters stacked to the 10-K's year, 37.256 (6.4, 8.173, 8.258, 14.425;
    # Q1 as filed, the others derived from Meta's year-to-date values), nothing left unsplit.
    assert [span(q1[0]), span(q2[0]), span(q3[0]), span(q4[0])] == [
        (0, 6.4), (6.4, 14.573), (14.573, 22.831), (22.831, 37.256)
    ]  # fmt: skip
    assert year[0] is None
    # FY2025: Q1 12.941 and Q2 16.538, then the rest of the 10-K's year (69.691) not split into
    # quarters, as the nine months were not read; the guidance band from 70 to 72.
    assert span(q1[1]) == (0, 12.941) and span(q2[1]) == (12.941, 29.479)
    assert q3[1] is None and q4[1] is None
    assert span(year[1]) == (29.479, 69.691)
    band = geometry["datasets"]["Guidance (low to high)"]
    assert band[0] is None and span(band[1]) == (70, 72)
    assert band[1]["width"] > q1[1]["width"]  # the band spans the year behind the bar

    row = page.locator("#guided-vs-reported tbody tr", has=page.locator("th", has_text="FY2025"))
    cells = [text.strip() for text in row.locator("td").all_text_contents()]
    assert cells == ["70,000–72,000", "69,691", "4 of 4", "98%"]

    # The keyboard reads the same numbers.
    page.locator("#chart-reported canvas").focus()
    page.keyboard.press("End")
    expect(page.locator("#chart-reported-readout")).to_have_text(
        "FY2025: Q1 $12.9bn, Q2 $16.5bn, Year, not split into quarters $40.2bn; reported so far $69.7bn; "
        "guidance $70–72bn"
    )

    # The chart's CSV holds its table.
    with page.expect_download() as download:
        page.locator('#chart-reported a[data-download-chart="reported"]').click()
    with open(download.value.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[-1] == [
        "FY2025", "12941000000.00", "16538000000.00", "", "", "40212000000.00",
        "69691000000.00", "70000000000.00", "72000000000.00",
    ]  # fmt: skip

    # The table's CSV: every fiscal year reported, each with the EDGAR link of its filings.
    with page.expect_download() as download:
        page.locator("#download-reported-csv").click()
    assert download.value.suggested_filename == "meta-guided-vs-reported.csv"
    with open(download.value.path(), newline="", encoding="utf-8") as handle:
        years = {row["fiscal_year"]: row for row in csv.DictReader(handle)}
    fy2025 = years["2025"]
    assert (fy2025["quarters_1"], fy2025["quarters_2"], fy2025["full_year"]) == (
        "12941000000.00", "16538000000.00", "69691000000.00",
    )  # fmt: skip
    assert fy2025["complete"] == "true"
    assert (fy2025["guidance_low"], fy2025["guidance_high"]) == ("70000000000.00", "72000000000.00")
    assert fy2025["filings_edgar_url"].startswith("https://www.sec.gov/Archives/edgar/data/1326801/")
    assert page.console_errors == []
