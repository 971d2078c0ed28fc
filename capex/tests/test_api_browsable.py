"""
The API in a browser: /api/v1/ and the resources answer a browser (Accept: text/html) with
DRF's browsable API, under the site's Content-Security-Policy; every other client gets JSON
exactly as before.
"""

import pytest
from django.test import Client

from capex.tests.fixtures.personas import make_user
from capex.tests.personas import sample_figures_with_rates, throttles_reset

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    throttles_reset()


@pytest.fixture
def sample():
    sample_figures_with_rates()


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_api_clients_get_json_from_the_root(client, accept):
    headers = {"accept": accept} if accept else {}
    response = client.get("/api/v1/", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["investments"] == "http://testserver/api/v1/investments/"


def test_the_root_names_its_documentation_in_a_link_header(client):
    response = client.get("/api/v1/")
    assert response["Link"] == (
        '<http://testserver/api/schema/>; rel="service-desc", '
        '<http://testserver/api/docs/>; rel="service-doc", '
        '<http://testserver/api/docs/redoc/>; rel="service-doc"'
    )


def test_a_browser_sees_the_endpoints_and_the_documentation(client):
    response = client.get("/api/v1/", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<title>Api Root · AI Capex Tracker API</title>" in html
    for resource in ("investments", "companies", "stats", "exchange-rates", "reported"):
        assert f"http://testserver/api/v1/{resource}/" in html
    for docs in ('href="/api/docs/"', 'href="/api/docs/redoc/"', 'href="/api/schema/"'):
        assert docs in html
    # The strict policy holds: nothing inline is allowed, and the page writes no inline style.
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert " style=" not in html and "<style" not in html


def test_a_browser_reads_a_list_and_a_figure(client, sample):
    listing = client.get("/api/v1/investments/?company=bytedance", headers={"accept": BROWSER_ACCEPT})
    assert listing.status_code == 200
    assert listing["Content-Type"] == "text/html; charset=utf-8"
    html = listing.content.decode()
    assert "AI infrastructure spending in 2025" in html
    assert " style=" not in html and "<style" not in html
    stats = client.get("/api/v1/stats/?group_by=company", headers={"accept": BROWSER_ACCEPT})
    assert stats.status_code == 200
    assert "ByteDance" in stats.content.decode()


def test_the_json_of_a_list_is_the_same_whatever_a_browser_saw_before(sample):
    browser, program = Client(), Client()
    browser.get("/api/v1/investments/", headers={"accept": BROWSER_ACCEPT})
    first = program.get("/api/v1/investments/")
    second = program.get("/api/v1/investments/", headers={"accept": "application/json"})
    assert first["Content-Type"] == second["Content-Type"] == "application/json"
    assert first.content == second.content
    assert first.json()["results"]


def test_an_error_stays_json_in_a_browser(client):
    response = client.get("/api/v1/investments/999999999/", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_an_editor_browses_the_figures_with_the_form_to_write_one(client, sample):
    client.force_login(make_user("Editor", "edith"))
    response = client.get("/api/v1/investments/", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    html = response.content.decode()
    # The JSON parser is the only one, so the form is the raw JSON one, posting a draft.
    assert 'id="post-generic-content-form"' in html
    assert " style=" not in html and "<style" not in html
