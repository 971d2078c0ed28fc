"""
Editors enter reported figures in the admin for companies that do not file XBRL with the SEC, with
a citation (source and quote), as drafts; a second person with the publish permission publishes
them. Imported EDGAR values are read-only.
"""

import pytest
from django.urls import reverse

from capex.tests.fixtures.personas import make_user
from companies.tests.factories import CompanyFactory
from filings.choices import EntryState, Origin
from filings.models import ReportedCapex
from filings.services import reported_refresh
from filings.tests.conftest import FakeTransport, ok
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:filings_reportedcapex_add")
LIST = reverse("admin:filings_reportedcapex_changelist")


@pytest.fixture
def entry():
    """A figure of a company that files no XBRL with the SEC, as an editor types it in."""
    company = CompanyFactory(name="Tencent", slug="tencent", country="CN")
    source = SourceFactory(title="Tencent annual report 2024")
    return {
        "company": company.pk,
        "fiscal_year": 2024,
        "fiscal_quarter": "",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "amount": "76760000000",
        "currency": "CNY",
        "concept": "PaymentsToAcquirePropertyPlantAndEquipment",
        "form": "",
        "accession_number": "",
        "filed_on": "2025-04-08",
        "edgar_url": "",
        "source": source.pk,
        "quote": "Capital expenditures were RMB76.76 billion in 2024.",
    }


def login(client, role, username):
    user = make_user(role, username)
    client.force_login(user)
    return user


def test_an_editor_enters_a_draft_with_its_citation(client, entry):
    editor = login(client, "Editor", "edith")

    response = client.post(ADD, entry)

    assert response.status_code == 302, response.content.decode()[:2000]
    reported = ReportedCapex.objects.get()
    assert (reported.origin, reported.state) == (Origin.EDITOR, EntryState.DRAFT)
    assert reported.created_by == reported.updated_by == editor
    assert reported.quote.startswith("Capital expenditures were RMB76.76 billion")
    # A draft is not on the company page or in the API until it is published.
    assert client.get("/api/v1/reported/").json()["results"] == []


def test_an_entry_without_its_quote_is_refused_and_nothing_is_saved(client, entry):
    login(client, "Editor", "edith")

    response = client.post(ADD, {**entry, "quote": "  "})

    assert response.status_code == 200
    assert "needs its source and the quote that states it" in response.content.decode()
    assert not ReportedCapex.objects.exists()


def test_the_editor_cannot_publish_their_own_entry_and_a_reviewer_can(client, entry):
    login(client, "Reviewer", "rita")
    client.post(ADD, entry)  # a reviewer who enters a figure is its editor
    reported = ReportedCapex.objects.get()

    response = client.post(LIST, {"action": "publish", "_selected_action": [reported.pk]}, follow=True)

    assert "must not be the editor who entered or last changed the figure" in response.content.decode()
    reported.refresh_from_db()
    assert reported.state == EntryState.DRAFT

    reviewer = login(client, "Reviewer", "ravi")
    client.post(LIST, {"action": "publish", "_selected_action": [reported.pk]}, follow=True)

    reported.refresh_from_db()
    assert (reported.state, reported.reviewed_by) == (EntryState.PUBLISHED, reviewer)
    [row] = client.get("/api/v1/reported/", {"company": "tencent"}).json()["results"]
    assert (row["amount"], row["currency"], row["origin"]) == ("76760000000.00", "CNY", "editor")


def test_an_editor_may_not_publish_at_all(client, entry):
    login(client, "Editor", "edith")
    client.post(ADD, entry)
    reported = ReportedCapex.objects.get()
    login(client, "Editor", "eric")

    client.post(LIST, {"action": "publish", "_selected_action": [reported.pk]}, follow=True)

    reported.refresh_from_db()
    assert reported.state == EntryState.DRAFT  # the action is the reviewers' only


def test_a_change_to_a_published_figure_goes_back_to_review(client, entry):
    login(client, "Editor", "edith")
    client.post(ADD, entry)
    reported = ReportedCapex.objects.get()
    login(client, "Reviewer", "ravi")
    client.post(LIST, {"action": "publish", "_selected_action": [reported.pk]})
    changer = login(client, "Editor", "eric")

    response = client.post(
        reverse("admin:filings_reportedcapex_change", args=[reported.pk]), {**entry, "amount": "76000000000"}
    )

    assert response.status_code == 302
    reported.refresh_from_db()
    assert (reported.state, reported.amount, reported.reviewed_by) == (EntryState.DRAFT, 76000000000, None)
    assert reported.updated_by == changer
    assert client.get("/api/v1/reported/", {"company": "tencent"}).json()["results"] == []


def test_imported_values_are_read_only(client, make_client):
    alphabet = CompanyFactory(name="Alphabet", slug="alphabet", cik="1652044")
    reported_refresh(company=alphabet, client=make_client(FakeTransport(ok("googl-companyconcept-capex.json"))))
    imported = ReportedCapex.objects.filter(company=alphabet).first()
    login(client, "Reviewer", "rita")
    url = reverse("admin:filings_reportedcapex_change", args=[imported.pk])

    page = client.get(url)
    response = client.post(url, {"amount": "1"})

    assert page.status_code == 200 and 'name="amount"' not in page.content.decode()
    assert response.status_code == 403
    imported.refresh_from_db()
    assert imported.amount != 1 and imported.origin == Origin.EDGAR
