"""
The integrity defects of the security review, each as a user meets it:

1. dates far outside any announcement (year 1, year 9999) are refused in the model, the admin
   and the API, and one figure the recompute cannot convert no longer stops it for everyone;
2. four eyes: nobody publishes a figure in which any change since its last publication
   (fields, citations, components) is their own;
3. components always belong to their parent's company;
4. non-currencies, non-ASCII digits and bidirectional control characters are refused.
"""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from capex.choices import Qualifier, WorkflowState
from capex.conversions import TOO_LARGE_NOTE, conversions_recompute
from capex.models import Investment
from capex.services.investments import citation_add, investment_create, investment_update
from capex.services.workflow import investment_publish, investment_return_to_draft, investment_submit
from capex.tests.factories import InvestmentFactory
from capex.tests.fixtures.personas import make_user
from capex.tests.personas import api_client, fast_passwords, new_figure, throttles_reset
from companies.tests.factories import CompanyFactory
from currencies.choices import RateProvider
from currencies.parsers import RateRow
from currencies.services import rates_store
from sources.models import Source
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/investments/"
RLO = "\u202e"


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def sample(sample_figures_for_module):
    """The sample figures, made once for the module; each test's changes are undone after it."""


# --- 1. dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("announced_on", "0001-01-03"),
        ("announced_on", "9999-12-31"),
        ("announced_on", "1989-12-31"),
        ("period_start", "0001-01-01"),
        ("period_end", "2101-01-01"),
    ],
)
def test_api_refuses_a_date_outside_1990_to_2100_naming_the_field(sample, field, value):
    before = Investment.objects.count()

    response = api_client("editor").post(LIST, new_figure(**{field: value}), format="json")

    assert response.status_code == 400, response.content
    assert "1990-01-01" in str(response.json()[field])
    assert Investment.objects.count() == before


def test_api_accepts_the_bounds_themselves(sample):
    response = api_client("editor").post(
        LIST, new_figure(announced_on="1990-01-01", period_start="1990-01-01", period_end="2100-12-31"), format="json"
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("field", ["published_on", "accessed_on"])
def test_api_refuses_a_source_date_out_of_range(sample, field):
    before = Source.objects.count()

    response = api_client("editor").post(
        "/api/v1/sources/", {"title": "A report", "url": "https://example.org/r", field: "0001-01-01"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Source.objects.count() == before


def test_admin_refuses_an_announcement_in_year_one(client):
    editor = make_user("Editor", "edith")
    company = CompanyFactory()
    client.force_login(editor)

    response = client.post(
        "/admin/capex/investment/add/",
        {
            "company": company.pk,
            "title": "Data centres",
            "announced_on": "0001-01-03",
            "amount": "1000",
            "qualifier": Qualifier.APPROXIMATELY,
            "currency": "USD",
            "scope": "unspecified",
            "category": "unspecified",
            "workload": "unspecified",
            "evidence": "official",
            "status": "planned",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
            "vendor_shares-TOTAL_FORMS": "0",
            "vendor_shares-INITIAL_FORMS": "0",
            "measure": "ai_investment",
        },
    )

    assert response.status_code == 200
    assert "Enter a date between 1990-01-01 and 2100-12-31." in response.content.decode()
    assert not Investment.objects.filter(company=company).exists()


def test_the_database_refuses_a_date_out_of_range_written_around_the_model():
    figure = InvestmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Investment.objects.filter(pk=figure.pk).update(announced_on=datetime.date(1, 1, 3))


def test_a_figure_too_large_to_convert_is_skipped_with_its_reason_and_the_others_convert(sample):
    others = list(Investment.objects.exclude(currency="USD").values_list("pk", flat=True))
    # The ECB's rates of 2025-01-21: 1 EUR = 1.0390 USD = 0.84500 GBP, so 1 GBP is about 1.23 USD.
    rates_store(
        provider=RateProvider.ECB_BUNDLED,
        rows=[RateRow("EUR", "GBP", datetime.date(2025, 1, 21), Decimal("0.84500"))],
    )
    # About 1.1e20 US dollars: more than a money column holds (1e20).
    huge = InvestmentFactory(currency="GBP", amount=Decimal("90000000000000000000"), announced_on="2025-01-21")
    Investment.objects.exclude(currency="USD").update(amount_usd_at_announcement=None, fx_note_at_announcement="")

    result = conversions_recompute()

    huge.refresh_from_db()
    assert huge.amount_usd_at_announcement is None
    assert huge.fx_note_at_announcement == TOO_LARGE_NOTE
    assert result.skipped == 1
    assert others
    assert all(
        value is not None
        for value in Investment.objects.filter(pk__in=others).values_list("amount_usd_at_announcement", flat=True)
    )


# --- 2. four eyes -------------------------------------------------------------------------------


def draft(editor) -> Investment:
    figure = investment_create(
        company=CompanyFactory(),
        title="AI infrastructure in 2025",
        announced_on=datetime.date(2025, 1, 21),
        amount=Decimal("12000000000"),
        currency="USD",
        created_by=editor,
    )
    citation_add(investment=figure, source=SourceFactory(), quote="more than $12bn", by=editor)
    return figure


def test_a_reviewer_cannot_publish_an_amount_they_changed_after_an_editor_touched_the_title(
    editor, reviewer, second_reviewer
):
    figure = draft(editor)
    investment_update(investment=figure, updated_by=reviewer, amount=Decimal("99000000000"))
    investment_update(investment=figure, updated_by=editor, title="AI infrastructure spending in 2025")
    investment_submit(investment=figure, by=editor)

    with pytest.raises(PermissionDenied, match="changes of yours"):
        investment_publish(investment=figure, by=reviewer)

    investment_publish(investment=figure, by=second_reviewer)
    assert Investment.objects.get(pk=figure.pk).state == WorkflowState.PUBLISHED


def test_a_reviewer_cannot_publish_a_figure_whose_citation_they_added(editor, reviewer):
    figure = draft(editor)
    citation_add(investment=figure, source=SourceFactory(), quote="RMB 40bn", locator="para 2", by=reviewer)
    investment_submit(investment=figure, by=editor)

    with pytest.raises(PermissionDenied):
        investment_publish(investment=figure, by=reviewer)


def test_a_reviewer_cannot_publish_a_headline_whose_component_they_changed(editor, reviewer):
    figure = draft(editor)
    component = investment_create(
        company=figure.company,
        title="AI chips in China",
        announced_on=figure.announced_on,
        amount=Decimal("5500000000"),
        currency="USD",
        parent=figure,
        created_by=editor,
    )
    investment_update(investment=component, updated_by=reviewer, amount=Decimal("6000000000"))
    investment_submit(investment=figure, by=editor)

    with pytest.raises(PermissionDenied):
        investment_publish(investment=figure, by=reviewer)


def test_changes_before_the_last_publication_do_not_bar_a_reviewer(editor, reviewer, second_reviewer):
    figure = draft(editor)
    investment_update(investment=figure, updated_by=reviewer, amount=Decimal("13000000000"))
    investment_submit(investment=figure, by=editor)
    investment_publish(investment=figure, by=second_reviewer)
    investment_return_to_draft(investment=figure, by=reviewer, reason="Typo in the title")
    investment_update(investment=figure, updated_by=editor, title="AI infrastructure spending in 2025")
    investment_submit(investment=figure, by=editor)

    investment_publish(investment=figure, by=reviewer)

    assert Investment.objects.get(pk=figure.pk).state == WorkflowState.PUBLISHED


def test_api_a_citation_posted_by_the_reviewer_bars_them_from_publishing(sample):
    editor_client, reviewer_client = api_client("editor"), api_client("reviewer")
    source = Source.objects.first()
    created = editor_client.post(LIST, new_figure(), format="json").json()
    cite = reviewer_client.post(
        f"{LIST}{created['id']}/citations/", {"source": source.pk, "quote": "a quote", "locator": "p. 1"}, format="json"
    )
    assert cite.status_code == 201, cite.content
    assert editor_client.post(f"{LIST}{created['id']}/submit/").status_code == 200

    response = reviewer_client.post(f"{LIST}{created['id']}/publish/")

    assert response.status_code == 403
    assert Investment.objects.get(pk=created["id"]).state == WorkflowState.IN_REVIEW


# --- 3. components follow their parent --------------------------------------------------------------


def test_moving_a_headline_moves_its_components(editor):
    headline = draft(editor)
    component = investment_create(
        company=headline.company,
        title="Overseas training",
        announced_on=headline.announced_on,
        amount=Decimal("6800000000"),
        currency="USD",
        parent=headline,
        created_by=editor,
    )
    elsewhere = CompanyFactory()

    investment_update(investment=headline, updated_by=editor, company=elsewhere)

    component.refresh_from_db()
    assert component.company == elsewhere


def test_a_component_under_another_company_is_refused_naming_the_company(editor):
    headline = draft(editor)

    with pytest.raises(ValidationError) as refused:
        investment_create(
            company=CompanyFactory(),
            title="Overseas training",
            announced_on=headline.announced_on,
            amount=Decimal("6800000000"),
            currency="USD",
            parent=headline,
            created_by=editor,
        )

    assert "parent's company" in str(refused.value.message_dict["company"])


def test_the_data_migration_moves_components_left_under_another_company(capsys):
    headline = InvestmentFactory()
    component = InvestmentFactory(company=headline.company, parent=headline)
    Investment.objects.filter(pk=component.pk).update(company=CompanyFactory())
    migration = importlib.import_module("capex.migrations.0009_bounded_dates_components_follow_parent")

    migration.components_follow_their_parent(apps, None)

    component.refresh_from_db()
    assert component.company_id == headline.company_id
    assert f"figure {component.pk}" in capsys.readouterr().out


# --- 4. extreme input ------------------------------------------------------------------------------


@pytest.mark.parametrize("currency", ["XXX", "XTS", "XAU", "XDR", "ZZZ"])
def test_api_refuses_codes_that_are_not_spendable_currencies(sample, currency):
    before = Investment.objects.count()

    response = api_client("editor").post(LIST, new_figure(currency=currency), format="json")

    assert response.status_code == 400
    assert "currency" in response.json()
    assert Investment.objects.count() == before


@pytest.mark.parametrize("amount", ["٣٠٠٠", "۳۰۰۰", "३०००", "３０００"])
def test_api_refuses_amounts_in_non_ascii_digits(sample, amount):
    before = Investment.objects.count()

    response = api_client("editor").post(LIST, new_figure(amount=amount), format="json")

    assert response.status_code == 400
    assert response.json()["amount"] == ["Write the number with the digits 0-9."]
    assert Investment.objects.count() == before


def test_admin_refuses_an_amount_in_arabic_indic_digits(client):
    from capex.admin.investments import AsciiDecimalFormField

    field = AsciiDecimalFormField(max_digits=22, decimal_places=2)

    with pytest.raises(ValidationError, match="digits 0-9"):
        field.clean("٣٠")
    assert field.clean("30") == Decimal("30")


@pytest.mark.parametrize("control", [RLO, "\u202a", "\u2066", "\u200f", "\u061c"])
def test_api_refuses_bidi_controls_in_a_figure_title(sample, control):
    response = api_client("editor").post(LIST, new_figure(title=f"Data centres{control}exe.txt"), format="json")

    assert response.status_code == 400
    assert "title" in response.json()


def test_api_refuses_bidi_controls_in_a_company_name(sample):
    response = api_client("admin").post(
        "/api/v1/companies/", {"name": f"Nvidia{RLO}", "slug": "nvidia-2", "country": "US"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "name" in response.json()


def test_api_refuses_bidi_controls_in_a_source_title(sample):
    response = api_client("editor").post(
        "/api/v1/sources/", {"title": f"Report{RLO}fdp.exe", "url": "https://example.org/x"}, format="json"
    )

    assert response.status_code == 400
    assert "title" in response.json()


def test_right_to_left_text_without_controls_is_ordinary_data(sample):
    response = api_client("editor").post(LIST, new_figure(title="مركز بيانات — data centre"), format="json")

    assert response.status_code == 201, response.content


def test_a_unicode_slug_is_refused(sample):
    response = api_client("admin").post(
        "/api/v1/companies/", {"name": "Nvidia two", "slug": f"nvidia{RLO}", "country": "US"}, format="json"
    )

    assert response.status_code == 400
    assert "slug" in response.json()


# --- 10. whoever may create a draft may read and change it -----------------------------------------


def test_a_non_staff_writer_reads_and_changes_the_draft_they_created_but_not_others(sample):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    writer = get_user_model().objects.create_user("tool", "tool@example.org", "x" * 20)
    writer.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_investment", "change_investment", "add_citation"])
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=writer)[1]}")
    someone_elses = InvestmentFactory(state=WorkflowState.DRAFT)

    created = client.post(LIST, new_figure(), format="json")
    assert created.status_code == 201, created.content
    figure = created.json()["id"]

    assert client.get(f"{LIST}{figure}/").status_code == 200
    changed = client.patch(f"{LIST}{figure}/", {"title": "AI data centres in 2025"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "AI data centres in 2025"
    assert client.get(f"{LIST}{someone_elses.pk}/").status_code == 404
    assert api_client("anonymous").get(f"{LIST}{figure}/").status_code == 404


# --- 11. unbounded queries ------------------------------------------------------------------------


def _cancelled_query():
    """What Django raises when PostgreSQL cancels a statement past its timeout."""
    from django.db import OperationalError
    from psycopg.errors import QueryCanceled

    try:
        try:
            raise QueryCanceled("canceling statement due to statement timeout")
        except QueryCanceled as cancelled:
            raise OperationalError("canceling statement due to statement timeout") from cancelled
    except OperationalError as error:
        return error


@pytest.mark.parametrize(("path", "kind"), [("/api/v1/stats/", "application/json"), ("/explore/", "text/html")])
def test_a_cancelled_query_is_a_503_that_says_to_narrow_the_request(rf, path, kind):
    from config.timeouts import StatementTimeoutMiddleware

    response = StatementTimeoutMiddleware(lambda request: None).process_exception(rf.get(path), _cancelled_query())

    assert response.status_code == 503
    assert response["Content-Type"].startswith(kind)
    assert "Narrow it" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_other_database_errors_are_left_to_the_usual_handling(rf):
    from django.db import OperationalError

    from config.timeouts import StatementTimeoutMiddleware

    middleware = StatementTimeoutMiddleware(lambda request: None)

    assert middleware.process_exception(rf.get("/api/v1/stats/"), OperationalError("server closed")) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement timeouts are PostgreSQL's: set DATABASE_URL")
def test_on_postgresql_a_query_past_the_statement_timeout_answers_503(sample, client, monkeypatch):
    from capex.api.views import StatsView

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        configured = cursor.fetchone()[0]
        # Inside the test's transaction, so it ends with the test.
        cursor.execute("SET statement_timeout = 10")
    # A total that takes longer than the bound, whatever the machine: its first query sleeps.
    build = StatsView.build_stats

    def slow_build(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(1)")
        return build(self, request)

    monkeypatch.setattr(StatsView, "build_stats", slow_build)

    response = client.get("/api/v1/stats/", {"group_by": "vendor", "company": "bytedance"})

    assert configured == "30s"
    assert response.status_code == 503
    assert "Narrow it" in response.json()["detail"]


# --- 7. the expensive pages are rate-limited per client ----------------------------------------------


def test_a_client_past_the_page_rate_gets_429_and_another_client_is_served(sample, client, settings):
    settings.PAGE_THROTTLE_RATE = "3/minute"
    settings.TRUSTED_PROXY_COUNT = 0

    answers = [client.get("/explore/", {"q": "data"}, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    # Rotating a forged X-Forwarded-For does not help: without a trusted proxy it is not read.
    forged = client.get("/explore/", {"q": "x"}, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.9")
    other = client.get("/explore/", {"q": "data"}, REMOTE_ADDR="203.0.113.8")

    assert answers == [200, 200, 200, 429]
    assert forged.status_code == 429
    assert int(forged["Retry-After"]) > 0
    assert "Too many requests" in forged.content.decode()
    assert other.status_code == 200


def test_staff_are_not_rate_limited_on_pages(sample, client, settings):
    settings.PAGE_THROTTLE_RATE = "1/minute"
    client.force_login(make_user("Editor", "edith"))

    assert [client.get("/companies/").status_code for _ in range(3)] == [200, 200, 200]
