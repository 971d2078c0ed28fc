"""The importer against recorded responses served by a fake transport: no network, no real sleeps."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from companies.tests.factories import CompanyFactory
from config.celery import app
from filings.choices import ImportStatus
from filings.models import ImportRun, ReportedCapex
from filings.services import reported_refresh
from filings.tasks import refresh_reported
from filings.tests.conftest import FakeTransport, ok, recorded_companies

pytestmark = pytest.mark.django_db

ALPHABET = "googl-companyconcept-capex.json"


@pytest.fixture
def alphabet():
    return CompanyFactory(name="Alphabet", slug="alphabet", cik="1652044")


def test_import_sends_the_fair_access_user_agent_and_stores_the_quarters(alphabet, make_client):
    transport = FakeTransport(ok(ALPHABET))
    run = reported_refresh(company=alphabet, client=make_client(transport))

    assert run.status == ImportStatus.SUCCEEDED and run.rows_written > 0
    url, headers = transport.requests[0]
    assert (
        url
        == "https://edgar.test/api/xbrl/companyconcept/CIK0001652044/us-gaap/PaymentsToAcquirePropertyPlantAndEquipment.json"
    )
    assert headers["User-Agent"] == "AI Capex Tracker test@example.com"
    q3 = ReportedCapex.objects.current().get(company=alphabet, fiscal_year=2025, fiscal_quarter=3)
    assert q3.amount == Decimal("23953000000") and q3.derived
    assert q3.edgar_url == (
        "https://www.sec.gov/Archives/edgar/data/1652044/000165204425000091/0001652044-25-000091-index.htm"
    )


def test_running_twice_stores_nothing_new(alphabet, make_client):
    reported_refresh(company=alphabet, client=make_client(FakeTransport(ok(ALPHABET))))
    count = ReportedCapex.objects.count()
    again = reported_refresh(company=alphabet, client=make_client(FakeTransport(ok(ALPHABET))))
    assert again.status == ImportStatus.SUCCEEDED and again.rows_written == 0
    assert ReportedCapex.objects.count() == count


def test_retries_429_and_500_with_backoff_then_succeeds(alphabet, make_client, sleeps):
    transport = FakeTransport((429, b""), (500, b""), ok(ALPHABET))
    run = reported_refresh(company=alphabet, client=make_client(transport))
    assert run.status == ImportStatus.SUCCEEDED
    assert len(transport.requests) == 3
    # Exponential backoff between attempts, and the pause that keeps under 10 requests a second.
    assert [s for s in sleeps if s >= 1] == [1.0, 2.0]
    assert [s for s in sleeps if s < 1] == [0.125, 0.125]


def test_gives_up_after_the_retries_and_records_the_error(alphabet, make_client, sleeps):
    run = reported_refresh(company=alphabet, client=make_client(FakeTransport((503, b""))))
    assert run.status == ImportStatus.FAILED
    assert "failed 5 times, last with HTTP 503" in run.error
    assert "values stored before stay in use" in run.error
    assert [s for s in sleeps if s >= 1] == [1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((404, b"Not found"), "404"),
        ((200, b"{not json"), "malformed JSON"),
        (
            (200, b'{"cik": 1652044, "facts": {"us-gaap": {}}}'),
            "files no us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
        ),
        (
            (
                200,
                b'{"cik": 1652044, "tag": "PaymentsToAcquirePropertyPlantAndEquipment", "units": {"USD": '
                b'[{"start": "2025-01-01", "end": "2025-03-31", "val": -1, "accn": "x", "form": "10-Q", '
                b'"filed": "2025-04-25"}]}}',
            ),
            "negative",
        ),
    ],
)
def test_bad_answers_fail_the_run_and_change_nothing(alphabet, make_client, answer, message):
    reported_refresh(company=alphabet, client=make_client(FakeTransport(ok(ALPHABET))))
    before = list(ReportedCapex.objects.values_list("pk", "amount"))

    run = reported_refresh(company=alphabet, client=make_client(FakeTransport(answer)))

    assert run.status == ImportStatus.FAILED and message in run.error and run.rows_written == 0
    assert list(ReportedCapex.objects.values_list("pk", "amount")) == before


def test_weekly_job_is_scheduled_and_runs_end_to_end(alphabet, monkeypatch):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-reported-capex-weekly"]
    assert entry["task"] == "filings.tasks.refresh_reported" and "filings.tasks.refresh_reported" in app.tasks
    assert len(entry["schedule"].day_of_week) == 1
    monkeypatch.setattr("filings.services.requests_transport", FakeTransport(ok(ALPHABET)))

    # Run as the worker runs it (the task's own code, retries and limits), in this process.
    result = refresh_reported.apply().get()

    assert result == {"Alphabet": f"succeeded, {ReportedCapex.objects.count()} new rows"}
    assert ReportedCapex.objects.current().get(company=alphabet, fiscal_year=2024, fiscal_quarter=2).amount == Decimal(
        "13186000000"
    )


def test_command_reports_a_failure(alphabet, monkeypatch):
    monkeypatch.setattr("filings.services.requests_transport", FakeTransport((404, b"")))
    with pytest.raises(CommandError, match="failed"):
        call_command("reported_refresh")
    assert ImportRun.objects.get().status == ImportStatus.FAILED


def test_weekly_job_loads_the_recorded_responses_from_a_local_server(sec_server, settings):
    # The task as the worker runs it, in process, over real HTTP to a local server: no network.
    settings.SEC_API_BASE_URL = sec_server.base_url
    settings.SEC_USER_AGENT = "AI Capex Tracker ci@example.com"
    recorded_companies()

    result = refresh_reported.apply().get()

    assert set(result) == {"Alphabet", "Amazon", "Meta", "Microsoft"}
    assert all(line.startswith("succeeded, ") for line in result.values()), result
    assert {agent for _, agent in sec_server.requests} == {"AI Capex Tracker ci@example.com"}
    assert sorted(path.split("/")[4] for path, _ in sec_server.requests) == [
        "CIK0000789019",
        "CIK0001018724",
        "CIK0001326801",
        "CIK0001652044",
    ]
    # Amazon's Q4 2024, derived from its 10-K year less nine months (USD millions: 82,999 - 55,165).
    q4 = ReportedCapex.objects.current().get(company__slug="amazon", fiscal_year=2024, fiscal_quarter=4)
    assert q4.amount == Decimal("27834000000") and q4.derived
    assert ImportRun.objects.filter(status=ImportStatus.SUCCEEDED).count() == 4

    again = refresh_reported.apply().get()  # safe to run twice: nothing new
    assert set(again.values()) == {"succeeded, 0 new rows"}
