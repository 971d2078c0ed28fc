"""Editors add manual rates in the admin; fetched rates and refresh runs are read-only."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from currencies.models import ExchangeRate, RateRefresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw-editor-1", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="currencies",
            codename__in=[
                "add_exchangerate",
                "change_exchangerate",
                "delete_exchangerate",
                "view_exchangerate",
                "view_raterefresh",
                "add_raterefresh",
                "change_raterefresh",
            ],
        )
    )
    client.force_login(user)
    return client


def manual_rate_post(**overrides) -> dict:
    data = {"provider": "manual", "base": "USD", "currency": "TWD", "date": "2025-01-21", "rate": "32.81"}
    data.update(overrides)
    return data


def test_an_editor_adds_a_manual_rate_and_the_run_is_recorded(
    editor, after_rates_change, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(reverse("admin:currencies_exchangerate_add"), manual_rate_post())

    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.provider, rate.base, rate.currency, rate.date, rate.rate) == (
        "manual",
        "USD",
        "TWD",
        date(2025, 1, 21),
        Decimal("32.81"),
    )
    run = RateRefresh.objects.get()
    assert (run.provider, run.status, run.rows_written) == ("manual", "succeeded", 1)
    assert after_rates_change.calls == ["delay"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("provider", "ecb", "Select a valid choice. ecb is not one of the available choices."),
        ("base", "EUR", "Select a valid choice. EUR is not one of the available choices."),
        ("rate", "-3", "A rate must be greater than zero."),
        ("currency", "USD", "Base and currency must differ."),
    ],
)
def test_a_manual_rate_must_be_manual_against_the_dollar_and_positive(editor, field, value, message):
    response = editor.post(reverse("admin:currencies_exchangerate_add"), manual_rate_post(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_a_second_manual_rate_for_the_same_day_is_refused(editor):
    editor.post(reverse("admin:currencies_exchangerate_add"), manual_rate_post())

    response = editor.post(reverse("admin:currencies_exchangerate_add"), manual_rate_post(rate="33"))

    assert "This provider already has a rate for this pair on this date." in response.content.decode()
    assert ExchangeRate.objects.get().rate == Decimal("32.81")


def test_fetched_rates_cannot_be_changed_or_deleted(editor):
    ecb = ExchangeRate.objects.create(
        provider="ecb", base="EUR", currency="CNY", date=date(2025, 1, 21), rate=Decimal("7.5443")
    )

    change = editor.post(
        reverse("admin:currencies_exchangerate_change", args=[ecb.pk]), manual_rate_post(currency="CNY", rate="1")
    )
    delete = editor.post(reverse("admin:currencies_exchangerate_delete", args=[ecb.pk]), {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    ecb.refresh_from_db()
    assert ecb.rate == Decimal("7.5443")


def test_an_editor_deletes_a_manual_rate_and_conversions_follow(
    editor, after_rates_change, django_capture_on_commit_callbacks
):
    rate = ExchangeRate.objects.create(
        provider="manual", base="USD", currency="TWD", date=date(2025, 1, 21), rate=Decimal("32.81")
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(reverse("admin:currencies_exchangerate_delete", args=[rate.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not ExchangeRate.objects.exists()
    assert after_rates_change.calls == ["delay"]


def test_the_rates_list_filters_by_provider_and_currency(editor):
    ExchangeRate.objects.create(provider="ecb", base="EUR", currency="CNY", date=date(2025, 1, 21), rate=Decimal("7.5"))
    ExchangeRate.objects.create(
        provider="peg", base="USD", currency="SAR", date=date(2025, 1, 21), rate=Decimal("3.75")
    )

    response = editor.get(reverse("admin:currencies_exchangerate_changelist"), {"provider__exact": "peg"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "SAR" in content and "7.5000000000" not in content
    by_currency = editor.get(reverse("admin:currencies_exchangerate_changelist"), {"currency": "CNY"})
    assert "7.5000000000" in by_currency.content.decode()


def test_refresh_runs_are_read_only(editor):
    from django.utils import timezone

    run = RateRefresh.objects.create(provider="ecb", started_at=timezone.now(), status="failed", error="HTTP 500")

    assert editor.get(reverse("admin:currencies_raterefresh_add")).status_code == 403
    assert (
        editor.post(reverse("admin:currencies_raterefresh_change", args=[run.pk]), {"status": "succeeded"}).status_code
        == 403
    )
    listing = editor.get(reverse("admin:currencies_raterefresh_changelist"))
    assert listing.status_code == 200 and "HTTP 500" in listing.content.decode()
    run.refresh_from_db()
    assert run.status == "failed"
