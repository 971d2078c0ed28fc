"""
The stats API (as JSON and as CSV), the company page, the reported-capex API and its CSV download,
and the data package serve the same reported numbers, each with the filing's EDGAR link.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from frictionless import validate

from capex.choices import Measure, Qualifier
from capex.conversions import conversions_recompute
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


# --- The reported table as CSV ------------------------------------------------------------

REPORTED_CSV_HEADER = [
    "company",
    "company_name",
    "fiscal_year",
    "currency",
    "quarters_1",
    "quarters_2",
    "quarters_3",
    "quarters_4",
    "quarters_reported",
    "complete",
    "reported_so_far",
    "full_year",
    "guidance_low",
    "guidance_high",
    "share_delivered",
    "filings_period",
    "filings_amount",
    "filings_form",
    "filings_accession_number",
    "filings_filed_on",
    "filings_edgar_url",
    "filings_derived",
    "filings_origin",
]
BUCKETS_CSV_HEADER = ["key", "label", "low", "high", "point", "high_open", "open_figures", "figure_count"]


def stats_csv(client, **query) -> tuple[list[str], list[dict]]:
    response = client.get("/api/v1/stats/", {"measure": "total_capex", "format": "csv", **query})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    return list(reader.fieldnames or []), list(reader)


def test_the_reported_table_as_csv_one_row_per_company_and_fiscal_year(client, alphabet):
    header, rows = stats_csv(client, reported="true")

    assert header == REPORTED_CSV_HEADER
    by_year = {(row["company"], row["fiscal_year"]): row for row in rows}
    assert by_year[("alphabet", "2025")] == {
        "company": "alphabet",
        "company_name": "Alphabet",
        "fiscal_year": "2025",
        "currency": "USD",
        "quarters_1": QUARTERS_2025[0],
        "quarters_2": QUARTERS_2025[1],
        "quarters_3": QUARTERS_2025[2],
        "quarters_4": QUARTERS_2025[3],
        "quarters_reported": "4",
        "complete": "true",
        "reported_so_far": "91447000000.00",
        "full_year": "91447000000.00",
        "guidance_low": "91000000000.00",
        "guidance_high": "93000000000.00",
        "share_delivered": "0.9940",
        "filings_period": "FY2025",
        "filings_amount": "91447000000.00",
        "filings_form": "10-K",
        "filings_accession_number": "0001652044-26-000018",
        "filings_filed_on": by_year[("alphabet", "2025")]["filings_filed_on"],
        "filings_edgar_url": TEN_K_2025,
        "filings_derived": "false",
        "filings_origin": by_year[("alphabet", "2025")]["filings_origin"],
    }
    assert by_year[("alphabet", "2025")]["filings_filed_on"].startswith("2026-")
    # A year under way, without guidance: its quarters so far, each 10-Q's link in one cell.
    fy2026 = by_year[("microsoft", "2026")]
    assert (fy2026["company_name"], fy2026["quarters_reported"], fy2026["complete"]) == ("Microsoft", "2", "false")
    assert fy2026["reported_so_far"] == "49270000000.00"
    assert (fy2026["quarters_3"], fy2026["quarters_4"], fy2026["full_year"]) == ("", "", "")
    assert (fy2026["guidance_low"], fy2026["share_delivered"]) == ("", "")
    assert fy2026["filings_accession_number"] == "0001193125-25-256321; 0001193125-26-027207"
    links = fy2026["filings_edgar_url"].split("; ")
    assert len(links) == 2 and all(link.startswith("https://www.sec.gov/Archives/edgar/data/789019/") for link in links)
    # Companies by name, each one's years in order, as in the JSON.
    assert [row["company"] for row in rows] == sorted(
        (row["company"] for row in rows), key=["alphabet", "microsoft"].index
    )


@pytest.mark.parametrize("query", [{}, {"company": "alphabet"}, {"company": "microsoft"}])
def test_the_reported_csv_holds_the_numbers_of_the_json_for_the_same_query(client, alphabet, query):
    json_rows = client.get("/api/v1/stats/", {"reported": "true", "measure": "total_capex", **query}).json()["reported"]
    _, csv_rows = stats_csv(client, reported="true", **query)

    assert [(r["company"], r["fiscal_year"]) for r in csv_rows] == [
        (r["company"], str(r["fiscal_year"])) for r in json_rows
    ]
    for json_row, csv_row in zip(json_rows, csv_rows, strict=True):
        for key, value in json_row.items():
            if key == "quarters":
                assert {q: csv_row[f"quarters_{q}"] for q in "1234" if csv_row[f"quarters_{q}"]} == value
            elif key == "filings":
                for field_name in value[0] if value else ():
                    cells = [
                        str(f[field_name]).lower() if isinstance(f[field_name], bool) else str(f[field_name])
                        for f in value
                    ]
                    assert csv_row[f"filings_{field_name}"] == "; ".join(cells)
            elif isinstance(value, bool):
                assert csv_row[key] == str(value).lower()
            else:
                assert csv_row[key] == ("" if value is None else str(value)), key


def test_csv_without_reported_is_the_groups_as_before(client, alphabet):
    conversions_recompute()  # the guidance in USD, so Alphabet's group has its total
    header, rows = stats_csv(client)
    buckets = client.get("/api/v1/stats/", {"measure": "total_capex"}).json()["buckets"]

    assert header == BUCKETS_CSV_HEADER
    assert [(row["key"], row["label"], row["low"], row["high"], row["point"]) for row in rows] == [
        ("alphabet", "Alphabet", "91000000000.00", "93000000000.00", "92000000000.00")
    ]
    assert [row["point"] for row in rows] == [bucket["point"] for bucket in buckets]
    # `reported=false` is the same table.
    assert stats_csv(client, reported="false") == (header, rows)


def test_the_two_csvs_and_the_two_jsons_are_never_served_for_each_other(client, alphabet):
    # Asked in turn, each query gets its own table, however the other was asked before.
    for _ in range(2):
        assert stats_csv(client, reported="true")[0] == REPORTED_CSV_HEADER
        assert stats_csv(client)[0] == BUCKETS_CSV_HEADER
        assert stats_csv(client, reported="true", company="alphabet")[0] == REPORTED_CSV_HEADER
    # The CSVs are built for each request, never kept as a shared answer: private, each with the
    # ETag of its own body. The JSON answers are shared, each under its own key (the normalised
    # query, `reported` included).
    csv_answers = [client.get("/api/v1/stats/", {"format": "csv", **q}) for q in ({}, {"reported": "true"})]
    assert all("private" in answer["Cache-Control"] for answer in csv_answers)
    assert csv_answers[0]["ETag"] != csv_answers[1]["ETag"]
    plain = client.get("/api/v1/stats/", {"measure": "total_capex"})
    reported = client.get("/api/v1/stats/", {"measure": "total_capex", "reported": "true"})
    assert plain["ETag"] != reported["ETag"]
    assert "reported" in client.get("/api/v1/stats/", {"measure": "total_capex", "reported": "true"}).json()
    assert "reported" not in client.get("/api/v1/stats/", {"measure": "total_capex"}).json()


def test_the_schema_says_which_table_the_csv_is(client, alphabet):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"]: p["description"] for p in schema["paths"]["/api/v1/stats/"]["get"]["parameters"]}
    assert "`reported=true`" in parameters["format"] and "one row per company and fiscal year" in parameters["format"]
    assert "`format=csv`" in parameters["reported"] and "`filings_edgar_url`" in parameters["reported"]


def test_the_company_page_links_its_guided_vs_reported_table_as_csv(client, alphabet):
    page = client.get("/companies/alphabet/").content.decode()
    section = page.split('id="reported-heading"')[1].split("</section>")[0]
    link = section.split('id="download-reported-csv"')[0].rsplit("<a ", 1)[1]
    href = link.split('href="')[1].split('"')[0].replace("&amp;", "&")

    assert href == "/api/v1/stats/?company=alphabet&reported=true&format=csv"
    header, rows = stats_csv(client, **dict(pair.split("=") for pair in href.split("?")[1].split("&")))
    assert header == REPORTED_CSV_HEADER and {row["company"] for row in rows} == {"alphabet"}
