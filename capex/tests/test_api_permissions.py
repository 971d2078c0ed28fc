"""
The permission matrix of the API: every endpoint, every method, for the five personas
(anonymous, viewer, editor, reviewer, admin). Reads are open; a write needs a token and the
model permission (401 without credentials, 403 without the permission); workflow steps need
their workflow permission; a method an endpoint does not offer is a 405 for everyone.
"""

from datetime import date

import pytest

from capex.choices import WorkflowState
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.fixtures.personas import make_user
from capex.tests.personas import PERSONAS, api_client, fast_passwords, throttles_reset
from companies.tests.factories import CompanyFactory
from currencies.choices import RateProvider, RefreshStatus
from currencies.models import ExchangeRate, RateRefresh
from sources.tests.factories import PublisherFactory, SourceFactory

pytestmark = pytest.mark.django_db

OK, CREATED, UNAUTHENTICATED, FORBIDDEN, NOT_ALLOWED = 200, 201, 401, 403, 405
READ = dict.fromkeys(PERSONAS, OK)
NOBODY = dict.fromkeys(PERSONAS, NOT_ALLOWED)


def writers(status: int) -> dict[str, int]:
    """Editors, reviewers and admins may; a viewer is refused; anonymous must sign in."""
    return {"anonymous": UNAUTHENTICATED, "viewer": FORBIDDEN, "editor": status, "reviewer": status, "admin": status}


def reviewers(status: int) -> dict[str, int]:
    return {"anonymous": UNAUTHENTICATED, "viewer": FORBIDDEN, "editor": FORBIDDEN, "reviewer": status, "admin": status}


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def world():
    """One record of every kind, made by someone who is none of the personas (for four eyes)."""
    author = make_user("Editor", "author")
    company = CompanyFactory(slug="acme", name="Acme")
    publisher = PublisherFactory()
    source = SourceFactory(publisher=publisher)
    published = PublishedInvestmentFactory(company=company, created_by=author, updated_by=author)
    draft = InvestmentFactory(company=company, created_by=author, updated_by=author)
    CitationFactory(investment=draft, source=source)
    in_review = InvestmentFactory(company=company, created_by=author, updated_by=author, state=WorkflowState.IN_REVIEW)
    CitationFactory(investment=in_review, source=source)
    rate = ExchangeRate.objects.create(
        provider=RateProvider.ECB, base="EUR", currency="USD", date=date(2025, 1, 21), rate="1.0395"
    )
    refresh = RateRefresh.objects.create(
        provider=RateProvider.ECB, started_at="2025-01-21T16:30Z", status=RefreshStatus.SUCCEEDED
    )
    return {
        "company": company,
        "publisher": publisher,
        "source": source,
        "published": published,
        "draft": draft,
        "in_review": in_review,
        "rate": rate,
        "refresh": refresh,
    }


def figure_payload(world) -> dict:
    return {
        "company": "acme",
        "title": "New plant",
        "announced_on": "2025-03-01",
        "amount": "1000000",
        "currency": "USD",
        "citations": [{"source": world["source"].pk, "quote": "We will build a plant."}],
    }


# (name, method, url(world), body(world), expected per persona)
CASES = [
    ("api root", "get", lambda w: "/api/v1/", None, READ),
    ("stats", "get", lambda w: "/api/v1/stats/", None, READ),
    ("stats", "post", lambda w: "/api/v1/stats/", {}, NOBODY),
    # companies
    ("company list", "get", lambda w: "/api/v1/companies/", None, READ),
    ("company export", "get", lambda w: "/api/v1/companies/export/", None, READ),
    ("company detail", "get", lambda w: "/api/v1/companies/acme/", None, READ),
    (
        "company create",
        "post",
        lambda w: "/api/v1/companies/",
        lambda w: {"name": "Newco", "slug": "newco", "country": "DE"},
        writers(CREATED),
    ),
    ("company change", "patch", lambda w: "/api/v1/companies/acme/", lambda w: {"ticker": "X:ACME"}, writers(OK)),
    ("company replace", "put", lambda w: "/api/v1/companies/acme/", lambda w: {"name": "Acme"}, NOBODY),
    ("company delete", "delete", lambda w: "/api/v1/companies/acme/", None, NOBODY),
    ("company list delete", "delete", lambda w: "/api/v1/companies/", None, NOBODY),
    # publishers
    ("publisher list", "get", lambda w: "/api/v1/publishers/", None, READ),
    ("publisher detail", "get", lambda w: f"/api/v1/publishers/{w['publisher'].pk}/", None, READ),
    ("publisher create", "post", lambda w: "/api/v1/publishers/", lambda w: {"name": "Reuters"}, writers(CREATED)),
    ("publisher change", "patch", lambda w: f"/api/v1/publishers/{w['publisher'].pk}/", lambda w: {}, NOBODY),
    ("publisher delete", "delete", lambda w: f"/api/v1/publishers/{w['publisher'].pk}/", None, NOBODY),
    # sources
    ("source list", "get", lambda w: "/api/v1/sources/", None, READ),
    ("source export", "get", lambda w: "/api/v1/sources/export/", None, READ),
    ("source detail", "get", lambda w: f"/api/v1/sources/{w['source'].pk}/", None, READ),
    ("source create", "post", lambda w: "/api/v1/sources/", lambda w: {"title": "A filing"}, writers(CREATED)),
    ("source change", "patch", lambda w: f"/api/v1/sources/{w['source'].pk}/", lambda w: {"notes": "x"}, writers(OK)),
    ("source delete", "delete", lambda w: f"/api/v1/sources/{w['source'].pk}/", None, NOBODY),
    # investments
    ("figure list", "get", lambda w: "/api/v1/investments/", None, READ),
    ("figure export", "get", lambda w: "/api/v1/investments/export/", None, READ),
    ("figure detail", "get", lambda w: f"/api/v1/investments/{w['published'].pk}/", None, READ),
    ("figure create", "post", lambda w: "/api/v1/investments/", figure_payload, writers(CREATED)),
    (
        "draft change",
        "patch",
        lambda w: f"/api/v1/investments/{w['draft'].pk}/",
        lambda w: {"title": "Renamed"},
        # The viewer is staff, so sees the draft, and lacks the permission to change it.
        writers(OK),
    ),
    ("figure replace", "put", lambda w: f"/api/v1/investments/{w['draft'].pk}/", lambda w: {}, NOBODY),
    ("figure delete", "delete", lambda w: f"/api/v1/investments/{w['draft'].pk}/", None, NOBODY),
    (
        "citation add",
        "post",
        lambda w: f"/api/v1/investments/{w['draft'].pk}/citations/",
        lambda w: {"source": w["source"].pk, "quote": "More words.", "locator": "p. 9"},
        writers(CREATED),
    ),
    ("submit", "post", lambda w: f"/api/v1/investments/{w['draft'].pk}/submit/", None, writers(OK)),
    ("publish", "post", lambda w: f"/api/v1/investments/{w['in_review'].pk}/publish/", None, reviewers(OK)),
    (
        "return to draft",
        "post",
        lambda w: f"/api/v1/investments/{w['published'].pk}/return-to-draft/",
        lambda w: {"reason": "The amount needs checking."},
        reviewers(OK),
    ),
    # currencies: read-only
    ("rate list", "get", lambda w: "/api/v1/exchange-rates/", None, READ),
    ("rate export", "get", lambda w: "/api/v1/exchange-rates/export/", None, READ),
    ("rate detail", "get", lambda w: f"/api/v1/exchange-rates/{w['rate'].pk}/", None, READ),
    ("rate create", "post", lambda w: "/api/v1/exchange-rates/", lambda w: {}, NOBODY),
    ("rate change", "patch", lambda w: f"/api/v1/exchange-rates/{w['rate'].pk}/", lambda w: {}, NOBODY),
    ("rate delete", "delete", lambda w: f"/api/v1/exchange-rates/{w['rate'].pk}/", None, NOBODY),
    ("refresh list", "get", lambda w: "/api/v1/rate-refreshes/", None, READ),
    ("refresh detail", "get", lambda w: f"/api/v1/rate-refreshes/{w['refresh'].pk}/", None, READ),
    ("refresh create", "post", lambda w: "/api/v1/rate-refreshes/", lambda w: {}, NOBODY),
    ("refresh delete", "delete", lambda w: f"/api/v1/rate-refreshes/{w['refresh'].pk}/", None, NOBODY),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "url", "payload", "expected"),
    [
        pytest.param(method, url, payload, expected, id=f"{name}-{method}")
        for name, method, url, payload, expected in CASES
    ],
)
def test_permission_matrix(world, persona, method, url, payload, expected):
    client = api_client(persona)
    data = payload(world) if payload else None

    response = getattr(client, method)(url(world), data, format="json")

    assert response.status_code == expected[persona], response.content
    if expected[persona] == NOT_ALLOWED:
        assert response["Allow"]


def test_anonymous_is_told_how_to_authenticate(world):
    response = api_client("anonymous").post("/api/v1/companies/", {"name": "X", "slug": "x", "country": "DE"})

    assert response.status_code == UNAUTHENTICATED
    assert response["WWW-Authenticate"] == "Token"
