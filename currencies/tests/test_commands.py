"""rates_refresh by hand: what it prints, and a clear error that changes nothing."""

from datetime import date

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from currencies.models import ExchangeRate, RateRefresh
from currencies.tests.conftest import fixture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(monkeypatch, fake_http):
    monkeypatch.setattr("currencies.providers.http_session", lambda: fake_http)
    return fake_http


def test_rates_refresh_for_one_provider_since_a_date(
    served, today, capsys, after_rates_change, django_capture_on_commit_callbacks
):
    today(date(2025, 1, 24))
    served.serve("eurofxref-hist-90d.xml", fixture_bytes("eurofxref-hist-90d.xml"))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("rates_refresh", "--provider", "ecb", "--since", "2025-01-20")

    assert capsys.readouterr().out.strip() == "ecb: Succeeded, 35 new rows, newest rate 2025-01-24"
    assert ExchangeRate.objects.filter(provider="ecb").count() == 35
    assert after_rates_change.calls == ["delay"]


def test_rates_refresh_without_a_provider_runs_the_scheduled_set(served, today, capsys, settings, after_rates_change):
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    today(date(2025, 1, 21))
    served.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))

    call_command("rates_refresh", "--since", "2025-01-21")

    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "ecb: Succeeded, 7 new rows, newest rate 2025-01-21",
        "peg: Succeeded, 2 new rows, newest rate 2025-01-21",
    ]


def test_rates_refresh_reports_a_partial_day(served, stored_ecb_rates, today, capsys):
    stored_ecb_rates(until=date(2025, 1, 21))
    today(date(2025, 1, 22))
    served.serve("eurofxref-daily.xml", fixture_bytes("missing-currencies.xml"))

    call_command("rates_refresh", "--provider", "ecb")

    output = capsys.readouterr().out
    assert "ecb: Succeeded, some currencies missing, 3 new rows" in output
    assert "2025-01-22: CNY, HKD, INR, KRW" in output


def test_rates_refresh_fails_with_the_reason_and_keeps_the_rates(served, stored_ecb_rates, today):
    stored_ecb_rates(until=date(2025, 1, 21))
    today(date(2025, 1, 22))
    served.fail("eurofxref-daily.xml", requests.ConnectTimeout("Connection to 127.0.0.1 timed out"))
    count = ExchangeRate.objects.count()

    with pytest.raises(CommandError, match=r"Timed out fetching rates: .* The rates stored before stay in use\."):
        call_command("rates_refresh", "--provider", "ecb")

    assert ExchangeRate.objects.count() == count
    assert RateRefresh.objects.get().status == "failed"


def test_rates_refresh_rejects_a_bad_date():
    with pytest.raises(CommandError, match="--since must be a date as YYYY-MM-DD, not '21/01/2025'"):
        call_command("rates_refresh", "--since", "21/01/2025")


def test_rates_refresh_rejects_an_unknown_provider():
    with pytest.raises(CommandError, match="invalid choice: 'fed'"):
        call_command("rates_refresh", "--provider", "fed")


# --- rates_load_bundled --if-empty: what bin/release runs on every deploy -----------------------


@pytest.fixture
def bundled_load(monkeypatch):
    """The bundled load, recorded instead of run (it reads the whole ECB history)."""
    calls = []
    monkeypatch.setattr(
        "currencies.management.commands.rates_load_bundled.rates_load_bundled", lambda: calls.append("load") or []
    )
    return calls


def test_rates_load_bundled_if_empty_loads_on_a_fresh_database(bundled_load, capsys):
    call_command("rates_load_bundled", "--if-empty")

    assert bundled_load == ["load"]


def test_rates_load_bundled_if_empty_leaves_stored_rates_alone(bundled_load, capsys):
    ExchangeRate.objects.create(provider="ecb", base="EUR", currency="USD", date=date(2025, 1, 20), rate="1.04")

    call_command("rates_load_bundled", "--if-empty")

    assert bundled_load == []
    assert "Exchange rates are in place; nothing to do." in capsys.readouterr().out


def test_the_release_step_loads_the_bundled_rates_when_there_are_none():
    from pathlib import Path

    release = (Path(__file__).resolve().parents[2] / "bin" / "release").read_text()
    assert "python manage.py rates_load_bundled --if-empty" in release
