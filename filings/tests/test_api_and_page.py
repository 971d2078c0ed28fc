"""The API and the company page serve the imported numbers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from capex.choices import Measure, Qualifier
from capex.tests.factories import PublishedInvestmentFactory
from companies.tests.factories import CompanyFactory
from filings.services import reported_refresh
from filings.tests.conftest import FakeTransport, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def alphabet(make_client):
    company = CompanyFactory(name="Alphabet", slug="alphabet", cik="1652044")
    reported_refresh(company=company, client=make_client(FakeTransport(ok("googl-companyconcept-capex.json"))))
    return company


def test_api_lists_current_quarters_filtered_by_company_and_period(client, alphabet):
    CompanyFactory(name="Other", slug="other")
    response = client.get(
        "/api/v1/reported/", {"company": "alphabet", "fiscal_year": 2025, "period": "Q4", "current": "true"}
    )
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["amount"] == "27851000000.00" and row["derived"] is True
    assert row["period"] == "FY2025 Q4" and row["form"] == "10-K"
    assert row["edgar_url"].endswith("0001652044-26-000018-index.htm")


def test_company_page_sets_guidance_against_reported(client, alphabet):
    # The guidance figure is set by the test (91-93bn for fiscal 2025); the reported numbers are Alphabet's filings.
    PublishedInvestmentFactory(
        company=alphabet,
        measure=Measure.TOTAL_CAPEX,
        qualifier=Qualifier.RANGE,
        amount=Decimal("91000000000"),
        amount_high=Decimal("93000000000"),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    response = client.get("/companies/alphabet/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Guided vs reported so far" in html
    row = html.split('<th scope="row">FY2025</th>')[1].split("</tr>")[0]
    assert "91,000–93,000" in row and "91,447" in row and "4 of 4" in row and "99%" in row
    assert 'id="chart-reported"' in html


def test_the_dashboard_stacks_the_largest_spenders_reported_quarters(client, alphabet):
    html = client.get("/").content.decode()

    assert "What the largest spenders reported" in html
    assert 'id="chart-reported-by-quarter"' in html
    chart = html.split('id="chart-reported-by-quarter"')[1]
    # Alphabet's calendar quarters of 2025, derived from its filings (USD millions): 17,197 / 22,446 / 23,953 / 27,851.
    for quarter in ("2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"):
        assert quarter in chart
    assert "27851000000.00" in chart


def test_meta_page_sets_its_2025_guidance_against_reported(client, make_client):
    # Meta raised its 2025 capital expenditure outlook (including principal payments on finance leases)
    # to $70-72bn with its Q3 2025 results on 29 October 2025 (as reported by newsbytesapp.com,
    # odaily.news and advfn). The recorded response holds Meta's 2025 year as its 10-K filed it
    # (69,691m of purchases of property and equipment, net), so the year is in and 98% of the 71bn
    # midpoint was delivered.
    meta = CompanyFactory(name="Meta", slug="meta", cik="1326801")
    reported_refresh(company=meta, client=make_client(FakeTransport(ok("meta-companyconcept-capex.json"))))
    PublishedInvestmentFactory(
        company=meta,
        measure=Measure.TOTAL_CAPEX,
        qualifier=Qualifier.RANGE,
        amount=Decimal("70000000000"),
        amount_high=Decimal("72000000000"),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        citation__source__title="Meta Reports Third Quarter 2025 Results",
        citation__source__url="https://www.newsbytesapp.com/news/business/meta-s-q3-revenue-hits-record-51b-amid-increased-ai-spending/story",
        citation__source__published_on=datetime.date(2025, 10, 30),
        citation__quote=(
            "The company also raised its 2025 capital expenditure guidance to a range of $70 billion to $72 billion."
        ),
    )
    response = client.get("/companies/meta/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Guided vs reported so far" in html
    row = html.split('<th scope="row">FY2025</th>')[1].split("</tr>")[0]
    assert "70,000–72,000" in row and "69,691" in row and "4 of 4" in row and "98%" in row


def test_the_chart_table_and_its_csv_set_each_years_quarters_beside_its_guidance(client, alphabet):
    # Alphabet's 2025 quarters from its filings (USD millions: 17,197 / 22,446 / 23,953 / 27,851, year
    # 91,447); the 91-93bn guidance is set by the test.
    PublishedInvestmentFactory(
        company=alphabet,
        measure=Measure.TOTAL_CAPEX,
        qualifier=Qualifier.RANGE,
        amount=Decimal("91000000000"),
        amount_high=Decimal("93000000000"),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    html = client.get("/companies/alphabet/").content.decode()
    chart = html.split('id="chart-reported"')[1].split("</figure>")[0]
    assert 'data-guided-chart="reported-data"' in chart
    assert "Guidance low (USD)" in chart and "Guidance high (USD)" in chart

    response = client.get("/companies/alphabet/", {"download": "reported"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Fiscal year",
        "Q1 (USD)",
        "Q2 (USD)",
        "Q3 (USD)",
        "Q4 (USD)",
        "Reported so far (USD)",
        "Guidance low (USD)",
        "Guidance high (USD)",
    ]
    fy2025 = next(row for row in rows if row[0] == "FY2025")
    assert fy2025 == [
        "FY2025",
        "17197000000.00",
        "22446000000.00",
        "23953000000.00",
        "27851000000.00",
        "91447000000.00",
        "91000000000.00",
        "93000000000.00",
    ]
    fy2024 = next(row for row in rows if row[0] == "FY2024")
    assert fy2024[5:] == ["52535000000.00", "", ""]  # no guidance for 2024 in this test


def test_a_new_import_shows_at_once_on_the_cached_company_page(client, make_client):
    company = CompanyFactory(name="Alphabet", slug="alphabet", cik="1652044")
    assert "Guided vs reported so far" not in client.get("/companies/alphabet/").content.decode()

    reported_refresh(company=company, client=make_client(FakeTransport(ok("googl-companyconcept-capex.json"))))

    assert "Guided vs reported so far" in client.get("/companies/alphabet/").content.decode()
