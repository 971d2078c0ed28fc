"""
The data package download: a zip a researcher opens with the csv module or validates with
Frictionless, holding the figures with their sources, quotes, evidence, measure and both USD
bases (absolute links), the reported capex, the column types and the licence.
"""

import csv
import io
import json
import zipfile

import pytest
from frictionless import validate

from capex.tests.personas import sample_figures_with_rates, throttles_reset

pytestmark = pytest.mark.django_db

PACKAGE = "/api/v1/investments/datapackage/"


@pytest.fixture
def package(client):
    throttles_reset()
    sample_figures_with_rates()
    response = client.get(PACKAGE, {"company": "bytedance"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="ai-capex-datapackage-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_package_validates_with_frictionless(package, tmp_path):
    package.extractall(tmp_path)

    report = validate(str(tmp_path / "datapackage.json"))

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_figures_table_carries_source_quote_evidence_measure_bases_and_absolute_links(package):
    descriptor = json.loads(package.read("datapackage.json"))
    rows = list(csv.DictReader(io.StringIO(package.read("investments.csv").decode())))

    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert {resource["name"] for resource in descriptor["resources"]} == {"investments", "reported-capex"}
    headline = next(row for row in rows if row["title"] == "AI infrastructure spending in 2025")
    assert headline["measure"] == "ai_investment"
    assert headline["evidence"] == "media_report"
    assert headline["web_url"].startswith("http://testserver/investments/")
    assert "brecorder.com" in headline["citations_source_url"]
    assert "more than $12 billion" in headline["citations_quote"]
    assert headline["usd_at_announcement_amount_usd"] == "12000000000.00"
    assert headline["usd_latest_amount_usd"] == "12000000000.00"
    assert len(rows) == 3  # the headline and its two components, as the filter selects them


def test_the_explore_page_links_the_package_of_its_view(client):
    throttles_reset()
    sample_figures_with_rates()
    page = client.get("/explore/", {"company": "bytedance"}).content.decode()

    link = page.split('id="download-datapackage"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    response = client.get(link)

    assert link.startswith(PACKAGE)
    assert response.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(response.content)).read("investments.csv").decode()))
    )
    assert {row["company_slug"] for row in rows} == {"bytedance"}
