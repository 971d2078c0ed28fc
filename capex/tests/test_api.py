"""
The figures resource of the API: what a client reads, how it filters, pages and exports, what
it may write, and how bad input is answered.
"""

import base64
import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from capex.choices import Qualifier, Scope, WorkflowState
from capex.models import Investment
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, new_figure, throttles_reset
from companies.models import Company
from companies.tests.factories import CompanyFactory
from sources.models import Source
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/investments/"


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def sample(sample_figures_for_module):
    """The sample figures, made once for the module; each test's changes are undone after it."""


@pytest.fixture
def anonymous():
    return api_client("anonymous")


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def figure(company: str, title_start: str) -> Investment:
    return Investment.objects.get(company__slug=company, title__startswith=title_start)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Reading ---------------------------------------------------------------------------------


def test_overseas_filter_returns_the_bytedance_component_with_its_citation(sample, anonymous):
    rows = results(anonymous.get(LIST, {"company": "bytedance", "scope": "overseas"}))

    assert len(rows) == 1
    overseas = rows[0]
    assert overseas["title"] == "Overseas spending on model training in 2025"
    assert (overseas["amount"], overseas["currency"], overseas["qualifier"]) == (
        "6800000000.00",
        "USD",
        "approximately",
    )
    assert overseas["usd_at_announcement"]["amount_usd"] == "6800000000.00"
    assert overseas["company"] == {
        "slug": "bytedance",
        "name": "ByteDance",
        "api_url": "http://testserver/api/v1/companies/bytedance/",
    }
    assert overseas["parent"] == figure("bytedance", "AI infrastructure spending").pk
    assert [vendor["slug"] for vendor in overseas["chip_vendors"]] == ["nvidia"]
    assert (overseas["scope"], overseas["category"], overseas["workload"]) == ("overseas", "chips", "training")
    assert overseas["disputed"] is True
    assert "incorrect" in overseas["dispute_note"]
    [citation] = overseas["citations"]
    assert "$6.8 billion overseas" in citation["quote"]
    assert citation["source"]["title"].startswith("ByteDance's $12 Billion AI Chip Investment")
    assert citation["source"]["publisher"] == "AInvest"
    assert citation["source"]["published_on"] == "2025-01-23"


def test_a_converted_figure_shows_both_conversions_with_rate_date_and_provider(sample, anonymous):
    chips = figure("bytedance", "AI chips bought in China")

    data = anonymous.get(f"{LIST}{chips.pk}/").json()

    at_announcement = data["usd_at_announcement"]
    assert at_announcement["provider"] == "ecb_bundled"
    assert at_announcement["rate_date"] == "2025-01-21"
    assert at_announcement["not_converted_reason"] is None
    rate = Decimal(at_announcement["rate"])
    assert Decimal("0.13") < rate < Decimal("0.14")
    # The rate shown is rounded to 12 places; the amount was computed with the exact cross rate.
    assert abs(Decimal(at_announcement["amount_usd"]) - Decimal("40e9") * rate) < Decimal("0.05")
    assert data["usd_latest"]["rate_date"] == "2025-06-30"
    assert data["period"] == {"start": "2025-01-01", "end": "2025-12-31", "label": "2025"}
    assert sorted(v["slug"] for v in data["chip_vendors"]) == ["cambricon", "huawei", "nvidia"]
    assert data["api_url"] == f"http://testserver/api/v1/investments/{chips.pk}/"
    assert data["web_url"] == f"http://testserver/investments/{chips.pk}/"


def test_a_figure_not_converted_says_why(anonymous):
    unconverted = PublishedInvestmentFactory(currency="TWD")

    data = anonymous.get(f"{LIST}{unconverted.pk}/").json()

    assert data["usd_at_announcement"]["amount_usd"] is None
    assert data["usd_at_announcement"]["not_converted_reason"]


def test_a_headline_lists_its_components(sample, anonymous):
    headline = figure("bytedance", "AI infrastructure spending")

    data = anonymous.get(f"{LIST}{headline.pk}/").json()

    assert data["parent"] is None
    assert data["components"] == sorted(headline.components.values_list("pk", flat=True))
    assert len(data["components"]) == 2


def test_revised_figures_are_hidden_unless_asked_for(sample, anonymous):
    original = Investment.objects.get(company__slug="meta", title="Capital expenditures in 2025")
    revision = Investment.objects.get(supersedes=original)

    default = [row["id"] for row in results(anonymous.get(LIST, {"company": "meta"}))]
    everything = results(anonymous.get(LIST, {"company": "meta", "include_superseded": "true"}))

    assert default == [revision.pk]
    by_id = {row["id"]: row for row in everything}
    assert set(by_id) == {original.pk, revision.pk}
    assert by_id[original.pk]["superseded_by"] == revision.pk
    assert by_id[revision.pk]["supersedes"] == original.pk
    assert (by_id[revision.pk]["amount"], by_id[revision.pk]["amount_high"]) == ("64000000000.00", "72000000000.00")


def test_top_level_only_lists_headlines(sample, anonymous):
    rows = results(anonymous.get(LIST, {"company": "bytedance", "top_level": "true"}))

    assert [row["title"] for row in rows] == ["AI infrastructure spending in 2025"]


def test_text_search_finds_a_company_by_alias(sample, anonymous):
    rows = results(anonymous.get(LIST, {"q": "TikTok owner", "top_level": "true"}))

    assert {row["company"]["slug"] for row in rows} == {"bytedance"}


def test_usd_range_and_date_range_filter_figures(sample, anonymous):
    rows = results(
        anonymous.get(
            LIST,
            {"usd_min": "70000000000", "usd_max": "90000000000", "announced_from": "2025-01-01", "top_level": "true"},
        )
    )

    assert sorted(row["company"]["slug"] for row in rows) == ["alphabet", "meta", "microsoft"]


def test_anonymous_never_sees_drafts_even_when_asking(sample, anonymous):
    draft = InvestmentFactory(company=Company.objects.get(slug="bytedance"))

    assert draft.pk not in [row["id"] for row in results(anonymous.get(LIST, {"state": "draft"}))]
    assert anonymous.get(f"{LIST}{draft.pk}/").status_code == 404


def test_staff_list_published_figures_unless_they_ask_for_drafts(sample):
    draft = InvestmentFactory(company=Company.objects.get(slug="bytedance"))
    editor = api_client("editor")

    published = [row["id"] for row in results(editor.get(LIST))]
    drafts = [row["id"] for row in results(editor.get(LIST, {"state": "draft"}))]

    assert draft.pk not in published
    assert drafts == [draft.pk]
    assert editor.get(f"{LIST}{draft.pk}/").json()["state"] == "draft"


# --- Ordering and pagination -------------------------------------------------------------------


def test_ordering_by_usd_value_puts_the_largest_first(sample, anonymous):
    rows = results(anonymous.get(LIST, {"ordering": "-amount_usd", "top_level": "true"}))

    assert [row["company"]["slug"] for row in rows][:3] == ["stargate", "microsoft", "alphabet"]


def test_an_empty_ordering_is_the_default_order_as_the_schema_says(sample, anonymous):
    default = [row["id"] for row in results(anonymous.get(LIST, {"page_size": 100}))]
    assert [row["id"] for row in results(anonymous.get(LIST, {"page_size": 100, "ordering": ""}))] == default

    schema = anonymous.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/investments/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")
    assert "" in ordering["schema"]["enum"] and "-amount_usd" in ordering["schema"]["enum"]


def test_cursor_pages_neither_skip_nor_repeat_when_figures_are_added(sample, anonymous):
    expected = {row["id"] for row in results(anonymous.get(LIST, {"page_size": 100}))}
    seen: list[int] = []
    page = anonymous.get(LIST, {"page_size": 3}).json()
    seen += [row["id"] for row in page["results"]]
    # A new figure lands at the top of the default order (newest announcement first).
    PublishedInvestmentFactory(announced_on=date(2025, 12, 1))

    while page["next"]:
        page = anonymous.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]

    assert len(seen) == len(set(seen))
    assert set(seen) == expected


def test_list_queries_do_not_grow_with_the_page_size(sample, anonymous):
    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as context:
            assert len(results(anonymous.get(LIST, {"page_size": page_size}))) == page_size
        return len(context.captured_queries)

    assert queries(2) == queries(10)


# --- Bad input ------------------------------------------------------------------------------


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
        ({"page_size": "1000000000000"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"cursor": "not a cursor!"}, "cursor"),
        ({"cursor": _cursor("o=abc")}, "cursor"),
        ({"cursor": _cursor("p=not-a-date")}, "cursor"),
        ({"cursor": _cursor("p=1e999999"), "ordering": "amount_usd"}, "cursor"),
        ({"cursor": _cursor("p=2025-01-01\x00")}, "cursor"),
        ({"announced_from": "2025-13-45"}, "announced_from"),
        ({"announced_to": "yesterday"}, "announced_to"),
        ({"usd_min": "1e400"}, "usd_min"),
        ({"usd_min": "-5"}, "usd_min"),
        ({"usd_max": "NaN"}, "usd_max"),
        ({"scope": "nowhere"}, "scope"),
        ({"company": "no-such-company"}, "company"),
        ({"vendor": "no-such-vendor"}, "vendor"),
        ({"country": "XX"}, "country"),
        ({"currency": "ZZZ"}, "currency"),
        ({"top_level": "maybe"}, "top_level"),
        ({"q": "chips\x00"}, "q"),
        ({"q": "x" * 5000}, "q"),
        ({"ordering": "title"}, "ordering"),
        ({"format": "xml"}, "format"),
        ({"scope": ""}, "scope"),
    ],
)
def test_bad_query_parameters_are_a_400_naming_the_parameter(sample, anonymous, params, field):
    response = anonymous.get(LIST, params)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


@pytest.mark.parametrize("path", ["99999999999999999999999/", "abc/", "1%00/", "-1/"])
def test_an_impossible_figure_id_is_a_json_404(anonymous, path):
    response = anonymous.get(f"{LIST}{path}")

    assert response.status_code == 404
    assert "detail" in response.json()


# --- CSV and exports ----------------------------------------------------------------------


def test_a_list_page_as_csv_links_to_the_next_page(sample, anonymous):
    response = anonymous.get(LIST, {"format": "csv", "page_size": 2, "company": "bytedance"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    columns = {"company_slug", "amount", "currency", "usd_at_announcement_amount_usd", "citations_quote", "web_url"}
    assert columns <= set(rows[0])
    assert 'rel="next"' in response["Link"]


def test_csv_neutralises_text_a_spreadsheet_would_run_as_a_formula(anonymous):
    hostile = PublishedInvestmentFactory(title='=HYPERLINK("http://evil.example","click")', dispute_note="@SUM(A1)")

    response = anonymous.get(LIST, {"format": "csv", "company": hostile.company.slug})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[0]["dispute_note"] == "'@SUM(A1)"
    assert rows[0]["amount"] == "1000000000.00"


def test_export_streams_every_matching_row_as_json_lines(sample, anonymous):
    response = anonymous.get(f"{LIST}export/", {"format": "jsonl", "company": "bytedance"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/jsonl")
    lines = [orjson.loads(line) for line in body(response).splitlines()]
    assert sorted(line["title"] for line in lines) == [
        "AI chips bought in China in 2025",
        "AI infrastructure spending in 2025",
        "Overseas spending on model training in 2025",
    ]
    overseas = next(line for line in lines if line["scope"] == "overseas")
    assert overseas["usd_at_announcement"]["amount_usd"] == "6800000000.00"
    assert [vendor["slug"] for vendor in overseas["chip_vendors"]] == ["nvidia"]


def test_export_reads_rows_in_batches_whatever_their_number(anonymous):
    company = CompanyFactory()
    Investment.objects.bulk_create(
        [
            Investment(
                company=company,
                title=f"Figure {n}",
                announced_on=date(2025, 1, 1) + timedelta(days=n % 300),
                amount=Decimal(n),
                currency="USD",
                state=WorkflowState.PUBLISHED,
            )
            for n in range(1, 1201)
        ]
    )

    with CaptureQueriesContext(connection) as context:
        response = anonymous.get(f"{LIST}export/", {"format": "csv", "company": company.slug})
        rows = list(csv.DictReader(io.StringIO(body(response).decode())))

    assert len(rows) == 1200
    assert {row["amount"] for row in rows} >= {"1.00", "1200.00"}
    # One query per chunk of rows and a fixed handful per batch of 500, never one per row.
    assert len(context.captured_queries) < 40


# --- Conditional GET ---------------------------------------------------------------------


def test_lists_and_details_answer_304_while_nothing_changed(sample, anonymous):
    overseas = figure("bytedance", "Overseas spending")
    for url in (LIST, f"{LIST}{overseas.pk}/"):
        first = anonymous.get(url)
        etag = first["ETag"]

        again = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)

        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        assert anonymous.get(url)["ETag"] == etag

    Investment.objects.filter(pk=overseas.pk).update(title="Overseas model training")
    changed = anonymous.get(f"{LIST}{overseas.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# --- Writing --------------------------------------------------------------------------------


def test_an_editor_writes_a_figure_with_its_citation_and_it_arrives_as_a_draft(sample):
    editor = api_client("editor")

    response = editor.post(LIST, new_figure(), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"] == data["api_url"]
    assert data["state"] == "draft"
    assert data["target_countries"] == ["MY"]
    assert [c["quote"] for c in data["citations"]] == ["ByteDance plans to invest"]
    created = Investment.objects.get(pk=data["id"])
    assert created.created_by == editor.user
    assert api_client("anonymous").get(f"{LIST}{created.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"qualifier": "range"}, "amount_high"),
        ({"amount_high": "1", "qualifier": "exact"}, "amount_high"),
        ({"company": "no-such-company"}, "company"),
        ({"chip_vendors": ["nvidia", "no-such-vendor"]}, "chip_vendors"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"announced_on": "2025-02-30"}, "announced_on"),
        ({"parent": 99999999999999999999}, "parent"),
        ({"title": "Chips\x00"}, "title"),
        ({"period_start": "2025-12-31", "period_end": "2025-01-01"}, "period_end"),
    ],
)
def test_a_figure_that_breaks_a_rule_is_a_400_naming_the_field_and_nothing_is_saved(sample, overrides, field):
    before = Investment.objects.count()

    response = api_client("editor").post(LIST, new_figure(**overrides), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Investment.objects.count() == before


def test_a_component_of_another_company_is_refused_by_the_rule_in_the_model(sample):
    microsoft = figure("microsoft", "AI-enabled datacenters in FY2025")

    response = api_client("editor").post(LIST, new_figure(parent=microsoft.pk), format="json")

    assert response.status_code == 400
    assert "parent's company" in response.json()["company"][0]


@pytest.mark.parametrize(
    ("second", "field"),
    [
        ({"quote": "   "}, "quote"),  # shape: checked by the serializer
        ({"quote": "Other words", "locator": "p. 1"}, "non_field_errors"),  # rule: one citation per place
    ],
)
def test_a_bad_citation_is_reported_at_its_position_and_nothing_is_saved(sample, second, field):
    before = (Investment.objects.count(), Investment.citations.rel.related_model.objects.count())
    source = Source.objects.first()
    citations = [{"source": source.pk, "quote": "A good quote", "locator": "p. 1"}, {"source": source.pk, **second}]

    response = api_client("editor").post(LIST, new_figure(citations=citations), format="json")

    assert response.status_code == 400
    errors = response.json()["citations"]
    assert list(errors) == ["1"]
    assert field in errors["1"]
    assert (Investment.objects.count(), Investment.citations.rel.related_model.objects.count()) == before


def test_editor_changes_a_draft_but_not_a_published_figure(sample):
    editor = api_client("editor")
    draft = editor.post(LIST, new_figure(), format="json").json()
    published = figure("bytedance", "Overseas spending")

    changed = editor.patch(f"{LIST}{draft['id']}/", {"amount": "2500000000"}, format="json")
    refused = editor.patch(f"{LIST}{published.pk}/", {"amount": "1"}, format="json")

    assert changed.status_code == 200
    assert changed.json()["amount"] == "2500000000.00"
    assert refused.status_code == 400
    assert "state" in refused.json()
    published.refresh_from_db()
    assert published.amount == Decimal("6800000000.00")


def test_a_citation_is_added_to_a_draft(sample):
    editor = api_client("editor")
    draft = editor.post(LIST, new_figure(citations=[]), format="json").json()
    source = SourceFactory()

    response = editor.post(
        f"{LIST}{draft['id']}/citations/", {"source": source.pk, "quote": "The words", "locator": "p. 2"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["source"]["title"] == source.title
    assert Investment.objects.get(pk=draft["id"]).citations.count() == 1


def test_the_review_workflow_runs_through_the_api_with_four_eyes(sample):
    editor, reviewer = api_client("editor"), api_client("reviewer")
    draft = editor.post(LIST, new_figure(), format="json").json()
    url = f"{LIST}{draft['id']}/"

    assert editor.post(f"{url}submit/").json()["state"] == "in_review"
    assert editor.post(f"{url}publish/").status_code == 403
    published = reviewer.post(f"{url}publish/")

    assert published.status_code == 200
    assert published.json()["state"] == "published"
    assert api_client("anonymous").get(url).status_code == 200
    returned = reviewer.post(f"{url}return-to-draft/", {"reason": "Amount to be checked"}, format="json")
    assert returned.json()["state"] == "draft"


def test_publishing_a_figure_one_changed_is_refused(sample):
    reviewer = api_client("reviewer")
    draft = reviewer.post(LIST, new_figure(), format="json").json()
    reviewer.post(f"{LIST}{draft['id']}/submit/")

    response = reviewer.post(f"{LIST}{draft['id']}/publish/")

    assert response.status_code == 403
    assert "four eyes" in response.json()["detail"]


# --- Authentication, throttling, CORS ------------------------------------------------------


def test_a_token_is_issued_for_credentials_and_revoked_on_logout(sample):
    from capex.tests.fixtures.personas import PASSWORD, make_user

    make_user("Editor", "tokenuser")
    client = api_client("anonymous")
    credentials = base64.b64encode(f"tokenuser:{PASSWORD}".encode()).decode()

    login = client.post("/api/v1/auth/login/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    token = login.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post(LIST, new_figure(), format="json")
    logout = client.post("/api/v1/auth/logout/")
    after = client.post(LIST, new_figure(title="Another"), format="json")

    assert login.status_code == 200
    assert AuthToken.objects.filter(user__username="tokenuser").count() == 0
    assert created.status_code == 201
    assert logout.status_code == 204
    assert after.status_code == 401


def test_wrong_credentials_get_no_token():
    from capex.tests.fixtures.personas import make_user

    make_user("Editor", "someone")
    credentials = base64.b64encode(b"someone:wrong").decode()

    response = api_client("anonymous").post("/api/v1/auth/login/", HTTP_AUTHORIZATION=f"Basic {credentials}")

    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Token nonsense", "Token " + "a" * 64, "Token \u00e9\u00e9", "Token"])
def test_a_bad_or_unknown_token_is_a_401(header):
    client = api_client("anonymous")
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get(LIST).status_code == 401


def test_an_expired_token_is_refused(sample):
    client = api_client("editor")
    AuthToken.objects.filter(user=client.user).update(expiry=timezone.now() - timedelta(minutes=1))

    assert client.post(LIST, new_figure(), format="json").status_code == 401


def test_anonymous_clients_are_throttled(settings, anonymous):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/minute"},
    }

    statuses = [anonymous.get(LIST).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert int(anonymous.get(LIST)["Retry-After"]) > 0


def test_signed_in_clients_are_throttled_on_their_own_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "1/minute"},
    }
    viewer = api_client("viewer")

    assert [viewer.get(LIST).status_code for _ in range(2)] == [200, 429]
    assert api_client("anonymous").get(LIST).status_code == 200


def test_other_sites_may_read_but_not_write(anonymous):
    read = anonymous.options(LIST, HTTP_ORIGIN="https://elsewhere.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    get = anonymous.get(LIST, HTTP_ORIGIN="https://elsewhere.example")

    assert read["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in read["Access-Control-Allow-Methods"]
    assert get["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in get["Access-Control-Expose-Headers"]


def test_responses_vary_on_credentials(anonymous):
    vary = anonymous.get(LIST)["Vary"]

    assert "Authorization" in vary
    assert "Cookie" in vary


def test_errors_are_json_even_when_csv_was_asked_for(anonymous):
    response = anonymous.get(LIST, {"format": "csv", "scope": "nowhere"})

    assert response.status_code == 400
    assert json.loads(response.content) == {"scope": [response.json()["scope"][0]]}


def test_figures_in_review_are_listed_for_staff_who_ask(sample):
    in_review = InvestmentFactory(state=WorkflowState.IN_REVIEW, qualifier=Qualifier.EXACT, scope=Scope.DOMESTIC)
    CitationFactory(investment=in_review)

    rows = results(api_client("reviewer").get(LIST, {"state": "in_review"}))

    assert [row["id"] for row in rows] == [in_review.pk]
