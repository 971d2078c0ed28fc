"""
Hostile and malformed input, end to end: NUL bytes, 10 MB bodies, integers beyond 64 bits, NaN and
Infinity, dates out of range, giant page sizes, forged cursors, orderings outside the whitelist,
and script payloads and spreadsheet formulas in every text field. Each is answered with a clear
400 naming what was wrong and nothing stored, or rendered escaped (pages, admin, exports), never
with a 500. Right-to-left and mixed-script text is ordinary data and survives unchanged.
"""

import base64
import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from rest_framework.test import APIClient

from capex.models import Citation, Investment
from capex.tests.factories import CitationFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, new_figure, throttles_reset
from companies.models import Company
from companies.tests.factories import CompanyFactory
from sources.models import Source
from sources.tests.factories import PublisherFactory, SourceFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/investments/"
SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://evil.example","click")'
# Arabic, Hebrew, Chinese, Cyrillic and Latin in one title; the Cyrillic "а" looks like a Latin "a".
MIXED = "مركز بيانات — מרכז נתונים 数据中心 Dаta centre"


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def sample(sample_figures_for_module):
    """The sample figures, made once for the module; each test's changes are undone after it."""


def stored_counts() -> tuple[int, int, int, int]:
    return Investment.objects.count(), Citation.objects.count(), Company.objects.count(), Source.objects.count()


def post_raw(client, body: bytes, content_type: str = "application/json"):
    return client.generic("POST", LIST, body, content_type=content_type)


# --- request bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "\x00"}, "title"),
        ({"description": "plan\x00ned"}, "description"),
        ({"citations": [{"source": 1, "quote": "a\x00b", "locator": ""}]}, "citations"),
        ({"amount": 2**70}, "amount"),
        ({"amount": "1" + "0" * 40}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "-Infinity"}, "amount"),
        ({"amount": "1e999999"}, "amount"),
        ({"parent": 2**64}, "parent"),
        ({"parent": -(2**64)}, "parent"),
        ({"citations": [{"source": 2**70, "quote": "q", "locator": ""}]}, "citations"),
        ({"announced_on": "0000-01-01"}, "announced_on"),
        ({"announced_on": "10000-01-01"}, "announced_on"),
        ({"announced_on": "-2025-01-01"}, "announced_on"),
        ({"period_start": "99999-12-31"}, "period_start"),
        ({"title": "x" * 10_000}, "title"),
        ({"target_countries": ["MY"] * 10_000}, "target_countries"),
    ],
)
def test_bad_values_in_a_figure_are_a_400_naming_the_field_and_nothing_is_stored(sample, overrides, field):
    editor = api_client("editor")
    before = stored_counts()

    response = editor.post(LIST, new_figure(**overrides), format="json")

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert field in response.json()
    assert stored_counts() == before


@pytest.mark.parametrize(
    "literal",
    [b"NaN", b"Infinity", b"-Infinity"],
)
def test_non_standard_json_numbers_are_refused(sample, literal):
    editor = api_client("editor")
    before = stored_counts()
    body = json.dumps(new_figure(amount="__N__")).replace('"__N__"', literal.decode()).encode()

    response = post_raw(editor, body)

    assert response.status_code == 400
    assert "detail" in response.json()
    assert stored_counts() == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "a"',  # truncated
        b"\x00\x00\x00",
        b"\xff\xfe not utf-8",
        b"[]",
        b'"just a string"',
        b"null",
    ],
)
def test_a_body_that_is_not_a_figure_object_is_a_400(sample, body):
    editor = api_client("editor")
    before = stored_counts()

    response = post_raw(editor, body)

    assert response.status_code == 400, response.content
    assert response.json()
    assert stored_counts() == before


def test_a_10_mb_body_is_refused_without_storing_anything(sample):
    editor = api_client("editor")
    before = stored_counts()
    body = json.dumps(new_figure(description="x" * (10 * 1024 * 1024))).encode()

    response = post_raw(editor, body)

    assert response.status_code in (400, 413)
    assert response.json()
    assert stored_counts() == before


def test_a_10_mb_form_to_the_admin_is_refused_without_storing_anything(client, settings):
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-passphrase-1")
    client.force_login(get_user_model().objects.get(username="root"))
    before = Company.objects.count()

    response = client.post(
        "/admin/companies/company/add/",
        {"name": "Huge", "slug": "huge", "country": "US", "kind": "platform", "description": "x" * (10 * 1024 * 1024)},
    )

    assert response.status_code == 400
    assert Company.objects.count() == before


DEEP = b'{"title":' * 100_000 + b"1" + b"}" * 100_000


def session_client(persona: str) -> APIClient:
    """A browser-like client: signed in by session, sending the CSRF cookie and header."""
    from capex.tests.fixtures.personas import make_user

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user(persona))
    client.cookies["csrftoken"] = "c" * 32
    client.defaults["HTTP_X_CSRFTOKEN"] = "c" * 32
    return client


@pytest.mark.parametrize("persona", ["anonymous", "viewer"])
def test_a_deeply_nested_body_is_refused_by_the_permission_check_before_it_is_read(persona):
    client = api_client(persona)
    client.raise_request_exception = False
    response = post_raw(client, DEEP)
    assert response.status_code == (401 if persona == "anonymous" else 403)
    assert response["Content-Type"] == "application/json"


def test_a_deeply_nested_body_from_a_session_without_permission_is_a_403_before_it_is_read():
    client = session_client("Viewer")
    client.raise_request_exception = False
    response = post_raw(client, DEEP)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}


def test_a_session_write_without_the_csrf_header_is_still_refused(sample):
    client = session_client("Editor")
    del client.defaults["HTTP_X_CSRFTOKEN"]
    response = client.post(LIST, new_figure(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")


@pytest.mark.parametrize("how", ["token", "session"])
def test_a_deeply_nested_body_from_an_authorised_client_is_a_json_400(sample, how):
    client = api_client("editor") if how == "token" else session_client("Editor")
    client.raise_request_exception = False
    before = stored_counts()
    response = post_raw(client, DEEP)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert stored_counts() == before


def test_a_wrong_content_type_is_a_415(sample):
    response = post_raw(api_client("editor"), b"<figure/>", content_type="application/xml")

    assert response.status_code == 415
    assert "detail" in response.json()


def test_a_forged_cursor_offset_is_clamped_not_sent_to_the_database(sample):
    response = api_client("anonymous").get("/api/v1/companies/", {"cursor": _cursor("o=99999999999999999999999999")})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_right_to_left_and_mixed_script_text_is_stored_and_returned_unchanged(sample):
    editor = api_client("editor")

    response = editor.post(LIST, new_figure(title=MIXED, description="\u202eevil.exe\u202c"), format="json")

    assert response.status_code == 201, response.content
    created = Investment.objects.get(pk=response.json()["id"])
    assert created.title == MIXED
    assert editor.get(f"{LIST}{created.pk}/").json()["title"] == MIXED


# --- query strings ------------------------------------------------------------------------------


def _cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/companies/", {"page_size": "99999999999999999999999"}, "page_size"),
        ("/api/v1/sources/", {"page_size": str(2**64)}, "page_size"),
        ("/api/v1/exchange-rates/", {"page_size": "1e9"}, "page_size"),
        ("/api/v1/sources/", {"cursor": _cursor("p=" + "9" * 30)}, "cursor"),
        (LIST, {"cursor": _cursor("r=1&p=NaN"), "ordering": "amount_usd"}, "cursor"),
        (LIST, {"cursor": _cursor("p=Infinity"), "ordering": "amount_usd"}, "cursor"),
        (LIST, {"cursor": _cursor("p=0000-01-01"), "ordering": "announced_on"}, "cursor"),
        (LIST, {"cursor": _cursor("p=9999-99-99"), "ordering": "announced_on"}, "cursor"),
        (LIST, {"cursor": "%%%"}, "cursor"),
        (LIST, {"ordering": "company__name"}, "ordering"),
        (LIST, {"ordering": "created_by__password"}, "ordering"),
        (LIST, {"ordering": "--amount_usd"}, "ordering"),
        ("/api/v1/companies/", {"ordering": "id;drop table"}, "ordering"),
        (LIST, {"announced_from": "0000-01-01"}, "announced_from"),
        (LIST, {"announced_to": "99999-01-01"}, "announced_to"),
        (LIST, {"usd_min": "Infinity"}, "usd_min"),
        (LIST, {"usd_min": str(2**200)}, "usd_min"),
        (LIST, {"company": "a\x00b"}, "company"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(sample, path, params, field):
    response = api_client("anonymous").get(path, params)

    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/explore/", {"page": "99999999999999999999999"}, None),
        ("/explore/", {"page": "-1"}, None),
        ("/explore/", {"page": "NaN"}, None),
        ("/explore/", {"announced_from": "0000-01-01"}, "announced_from"),
        ("/explore/", {"usd_min": "Infinity"}, "usd_min"),
        ("/explore/", {"usd_min": str(2**200)}, "usd_min"),
        ("/explore/", {"ordering": "created_by__password"}, "ordering"),
        ("/explore/", {"q": "chips\x00"}, "q"),
        ("/explore/", {"company": "\x00"}, "company"),
        ("/explore/", {"export": "xml"}, "export"),
        ("/companies/", {"page": str(2**70)}, None),
        ("/sources/", {"page": "1e9"}, None),
        ("/compare/", {"companies": "a\x00"}, "companies"),
        ("/compare/", {"companies": ["bytedance"] * 500}, "companies"),
    ],
)
def test_pages_answer_bad_parameters_with_a_400_or_a_normal_page_never_an_error(client, sample, path, params, name):
    response = client.get(path, params)

    if name is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 400, response.content[:500]
        assert name in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/companies/%00/",
        "/companies/" + "a" * 5000 + "/",
        "/investments/99999999999999999999999/",
        "/investments/99999999999999999999999/cite.bib",
        "/sources/99999999999999999999999/",
        "/api/v1/companies/%00/",
        "/api/v1/sources/99999999999999999999999/",
    ],
)
def test_impossible_addresses_are_a_404(client, path):
    assert client.get(path).status_code == 404


# --- script payloads: escaped everywhere they are shown ----------------------------------------


@pytest.fixture
def hostile():
    """A published figure whose every text field (and its company's, source's, publisher's) is a payload."""
    company = CompanyFactory(
        slug="evil", name=f"Evil {SCRIPT}", legal_name=IMG, aliases=SCRIPT, ticker=IMG[:30], description=SCRIPT
    )
    publisher = PublisherFactory(name=f"Publisher {SCRIPT}", domain="evil.example")
    source = SourceFactory(publisher=publisher, title=f"Source {SCRIPT}", authors=IMG, notes=SCRIPT)
    figure = PublishedInvestmentFactory(
        company=company,
        title=f"Figure {SCRIPT}",
        description=IMG,
        period_label="<b>2025</b>",
        dispute_note=SCRIPT,
        citation=None,
    )
    CitationFactory(investment=figure, source=source, quote=f"Quote {SCRIPT}", locator=IMG)
    PublishedInvestmentFactory(company=CompanyFactory(slug="other", name="Other"))
    return figure


def assert_escaped(html: str, where: str) -> None:
    assert SCRIPT not in html, where
    assert IMG not in html, where
    assert "<b>2025</b>" not in html, where


def test_payloads_are_escaped_on_every_page(client, hostile):
    pages = [
        "/",
        "/companies/",
        "/companies/evil/",
        f"/investments/{hostile.pk}/",
        "/explore/",
        "/explore/?q=Figure",
        "/compare/?companies=evil&companies=other",
        "/sources/",
        f"/sources/{hostile.citations.get().source_id}/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert_escaped(html, path)
    detail = client.get(f"/investments/{hostile.pk}/").content.decode()
    assert f"Figure {ESCAPED_SCRIPT}" in detail


def test_a_payload_in_a_query_parameter_is_escaped_in_the_error_page(client):
    response = client.get("/explore/", {"ordering": SCRIPT})

    assert response.status_code == 400
    assert SCRIPT not in response.content.decode()


def test_payloads_are_escaped_in_the_admin(client, hostile):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-passphrase-1")
    client.force_login(admin)
    source = hostile.citations.get().source
    pages = [
        "/admin/capex/investment/",
        f"/admin/capex/investment/{hostile.pk}/change/",
        f"/admin/capex/investment/{hostile.pk}/history/",
        "/admin/companies/company/",
        f"/admin/companies/company/{hostile.company_id}/change/",
        "/admin/sources/source/",
        f"/admin/sources/source/{source.pk}/change/",
        f"/admin/sources/publisher/{source.publisher_id}/change/",
        "/admin/capex/investment/?q=" + SCRIPT,
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_escaped(response.content.decode(), path)


def test_payloads_in_json_are_plain_strings(hostile):
    response = api_client("anonymous").get(f"{LIST}{hostile.pk}/")

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["title"] == f"Figure {SCRIPT}"


# --- spreadsheet formulas in exports ------------------------------------------------------------


@pytest.fixture
def formulas():
    company = CompanyFactory(slug="formula", name="+1+1", description="@SUM(A1)")
    source = SourceFactory(title="-2+3", notes="=1+1")
    figure = PublishedInvestmentFactory(
        company=company, title=FORMULA, description="\t=1", dispute_note="@SUM(A1)", citation=None
    )
    CitationFactory(investment=figure, source=source, quote="=cmd|' /C calc'!A0", locator="+A1")
    return figure


DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def assert_no_formula(cells: list[str], where: str) -> None:
    for cell in cells:
        assert not cell.startswith(DANGEROUS), f"{where}: {cell!r}"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),
        ("Meta", "Meta"),
    ],
)
def test_one_rule_neutralises_formulas_for_every_export(cell, written):
    from config.api.export import csv_cell
    from config.spreadsheets import escape_formula

    assert escape_formula(cell) == written
    assert csv_cell(cell) == written


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_formulas_are_neutralised_in_the_api_csv_exports(formulas):
    anonymous = api_client("anonymous")
    for path in [f"{LIST}export/", f"{LIST}?format=csv", "/api/v1/companies/export/", "/api/v1/sources/export/"]:
        response = anonymous.get(path)
        assert response.status_code == 200, path
        rows = csv_rows(body(response))
        assert rows, path
        for row in rows:
            assert_no_formula([value for value in row.values() if value], path)
    rows = csv_rows(body(anonymous.get(f"{LIST}export/", {"company": formulas.company.slug})))
    assert [row["title"] for row in rows] == ["'" + FORMULA]


def test_formulas_are_neutralised_in_the_explore_page_export(client, formulas):
    response = client.get("/explore/", {"export": "csv"})

    assert response.status_code == 200
    rows = csv_rows(body(response))
    assert any(row["title"] == "'" + FORMULA for row in rows)
    for row in rows:
        assert_no_formula([value for value in row.values() if value], "explore export")


@pytest.mark.parametrize("page", ["/", "/companies/formula/", "/compare/?companies=formula&companies=bytedance"])
def test_formulas_are_neutralised_in_the_page_charts_csv(client, sample, formulas, page):
    from html import unescape

    from capex.conversions import conversions_recompute

    Investment.objects.filter(pk=formulas.pk).update(amount=Decimal("900000000000"))
    conversions_recompute()
    html = client.get(page).content.decode()
    links = sorted({unescape(link) for link in re.findall(r'href="(\?[^"]*download=[^"]+)"', html)})
    assert links, page
    cells = []
    for link in links:
        response = client.get(page.split("?")[0] + link)
        assert response.status_code == 200, (link, response.content.decode()[:300])
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        for row in rows:
            assert_no_formula([cell for cell in row if cell], f"{page} {link}")
        cells += [cell for row in rows for cell in row]
    if page.startswith("/companies/"):
        return  # a company's own page names no company in its charts
    assert any(cell.startswith("'+1+1") for cell in cells), cells


def export_form(client, model_path: str, file_format: str) -> dict:
    """The admin's export form as a user submits it: every column ticked, the format chosen."""
    form = client.get(f"/admin/{model_path}/export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.__class__.__name__ == "BooleanField"}
    data.update({"resource": "0", "format": file_format})
    return data


@pytest.mark.parametrize(
    ("model_path", "file_format"),
    [
        ("capex/investment", "0"),
        ("companies/company", "0"),
        ("sources/source", "0"),
    ],
)
def test_formulas_are_neutralised_in_the_admin_csv_export(client, formulas, model_path, file_format):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw-long-enough-1"))

    response = client.post(f"/admin/{model_path}/export/", export_form(client, model_path, file_format))

    assert response.status_code == 200, response.content[:500]
    rows = csv_rows(response.content)
    assert rows
    for row in rows:
        assert_no_formula([value for value in row.values() if value], model_path)


def test_formulas_are_text_not_formulas_in_the_admin_xlsx_export(client, formulas):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw-long-enough-1"))

    response = client.post("/admin/capex/investment/export/", export_form(client, "capex/investment", "1"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert any(cell.value == "'" + FORMULA for cell in cells)
