"""
The stats API, the company page, the reported-capex API and its CSV download, and the data package
serve the same reported numbers, each with the filing's EDGAR link.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from frictionless import validate

from capex.choices import Measure, Qualifier
from capex.tests.factories import PublishedInvestmentFactory
from capex.tests.personas import throttles_reset
from companies.tests.factories import CompanyFactory
from filings.services import reported_refresh
from filings.tests.conftest import FakeTransport, ok

pytestmark = pytest.mark.django_db

TEN_K_2025 = "https://www.sec.gov/Archives/edgar/data/1652044/000165204426000018/0001652044-26-000018-index.htm"
# Alphabet's 2025 quarters from its filings (USD): 17,197 / 22,446 / 23,953 / 27,851 million; year 91,447 million.
QUARTERS_2025 = ["17197000000.00", "22446000000.00", "23953000000.00", "27851000000.00"]


@pytest.fixture
def alphabet(make_client):
    throttles_reset()
    company = CompanyFactory(name="Alphabet", slug="alphabet", cik="1652044")
    reported_refresh(company=company, client=make_client(FakeTransport(ok("googl-companyconcept-capex.json"))))
    microsoft = CompanyFactory(name="Microsoft", slug="microsoft", cik="789019", fiscal_year_end_month=6)
    reported_refresh(company=microsoft, client=make_client(FakeTransport(ok("msft-companyconcept-capex.json"))))
    # The guidance is set by the test (91-93bn for 2025).
    PublishedInvestmentFactory(
        company=company,
        measure=Measure.TOTAL_CAPEX,
        qualifier=Qualifier.RANGE,
        amount=Decimal("91000000000"),
        amount_high=Decimal("93000000000"),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    return company


def stats_reported(client, **query) -> dict:
    response = client.get("/api/v1/stats/", {"reported": "true", "measure": "total_capex", **query})
    assert response.status_code == 200, response.content
    return {(row["company"], row["fiscal_year"]): row for row in response.json()["reported"]}


def test_stats_report_each_fiscal_year_against_its_guidance_with_edgar_links(client, alphabet):
    rows = stats_reported(client, company="alphabet")

    assert {company for company, _ in rows} == {"alphabet"}
    fy2025 = rows[("alphabet", 2025)]
    assert [fy2025["quarters"][q] for q in "1234"] == QUARTERS_2025
    assert fy2025["reported_so_far"] == fy2025["full_year"] == "91447000000.00"
    assert (fy2025["guidance_low"], fy2025["guidance_high"]) == ("91000000000.00", "93000000000.00")
    assert fy2025["share_delivered"] == "0.9940"  # 91,447 of the 92,000 midpoint
    assert fy2025["quarters_reported"] == 4
    [filing] = fy2025["filings"]  # the year as filed counts, with its 10-K
    assert (filing["period"], filing["form"], filing["edgar_url"]) == ("FY2025", "10-K", TEN_K_2025)
    assert rows[("alphabet", 2024)]["guidance_low"] is None


def test_stats_without_a_company_list_every_company_that_reported(client, alphabet):
    rows = stats_reported(client)
    assert {company for company, _ in rows} == {"alphabet", "microsoft"}
    # Microsoft's fiscal 2026 so far: two quarters as filed, each with its 10-Q.
    fy2026 = rows[("microsoft", 2026)]
    assert fy2026["quarters_reported"] == 2 and fy2026["reported_so_far"] == "49270000000.00"
    assert [f["accession_number"] for f in fy2026["filings"]] == ["0001193125-25-256321", "0001193125-26-027207"]
    # Without the parameter the stats are as they were.
    assert "reported" not in client.get("/api/v1/stats/").json()


def test_a_bad_reported_parameter_is_a_clear_error(client, alphabet):
    response = client.get("/api/v1/stats/", {"reported": "perhaps"})
    assert response.status_code == 400
    assert "reported" in response.json()


def test_the_page_the_api_the_download_and_the_data_package_agree(client, alphabet, tmp_path):
    stats = stats_reported(client, company="alphabet")[("alphabet", 2025)]

    page = client.get("/companies/alphabet/").content.decode()
    row = page.split('<th scope="row">FY2025</th>')[1].split("</tr>")[0]
    assert "91,000–93,000" in row and "91,447" in row and "99%" in row
    chart = list(csv.reader(io.StringIO(client.get("/companies/alphabet/", {"download": "reported"}).content.decode())))
    assert next(r for r in chart if r[0] == "FY2025")[1:] == [
        *QUARTERS_2025,
        stats["reported_so_far"],
        stats["guidance_low"],
        stats["guidance_high"],
    ]

    api = client.get(
        "/api/v1/reported/", {"company": "alphabet", "fiscal_year": 2025, "current": "true", "ordering": "period_end"}
    ).json()["results"]
    assert [r["amount"] for r in api if r["fiscal_quarter"]] == QUARTERS_2025
    assert next(r for r in api if r["fiscal_quarter"] is None)["edgar_url"] == TEN_K_2025

    download = client.get(
        "/api/v1/reported/", {"company": "alphabet", "fiscal_year": 2025, "current": "true", "format": "csv"}
    )
    assert download.status_code == 200
    csv_rows = {r["period"]: r for r in csv.DictReader(io.StringIO(download.content.decode()))}
    assert [csv_rows[f"FY2025 Q{q}"]["amount"] for q in "1234"] == QUARTERS_2025
    assert csv_rows["FY2025"]["edgar_url"] == TEN_K_2025

    response = client.get("/api/v1/investments/datapackage/", {"company": "alphabet"})
    assert response.status_code == 200
    package = zipfile.ZipFile(io.BytesIO(response.content))
    table = list(csv.DictReader(io.StringIO(package.read("reported-capex.csv").decode())))
    assert {r["company"] for r in table} == {"alphabet"}
    fy2025 = {r["period"]: r for r in table if r["fiscal_year"] == "2025"}
    assert [fy2025[f"FY2025 Q{q}"]["amount"] for q in "1234"] == QUARTERS_2025
    assert fy2025["FY2025"]["amount"] == stats["reported_so_far"]
    assert fy2025["FY2025"]["edgar_url"] == TEN_K_2025
    package.extractall(tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
