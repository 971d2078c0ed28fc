"""
What the list's shortcuts must keep: a JSON page's values render as DRF's fields render them,
its links follow the host and script prefix of each request, and the querysets and conditions
built once per process are not changed by the requests that use them.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.test.utils import override_script_prefix
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from capex.api.fast import _DATE_FIELD, _MONEY_FIELD, _RATE_FIELD, _date, _datetime, _money, _rate
from capex.filters import InvestmentFilterSet
from capex.models import Investment
from capex.tests.factories import PublishedInvestmentFactory
from capex.tests.personas import api_client, throttles_reset

LIST = "/api/v1/investments/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    throttles_reset()


@pytest.mark.parametrize(
    "value",
    [
        Decimal("0.00"),
        Decimal("12.50"),
        Decimal("-3.10"),
        Decimal("12345678901234567890.12"),
        Decimal("1.5"),  # fewer places than the column: quantized by the field
        Decimal("0.005"),  # more places: rounded by the field
        Decimal("1E+3"),
        Decimal("7"),
    ],
)
def test_an_amount_renders_as_drfs_decimal_field_renders_it(value):
    assert _money(value) == _MONEY_FIELD.to_representation(value)
    assert _money(str(value)) == _MONEY_FIELD.to_representation(value)  # as PostgreSQL's text


@pytest.mark.parametrize("value", [Decimal("0.137412000000"), Decimal("7.1"), Decimal("1.0000000000005")])
def test_a_rate_renders_as_drfs_decimal_field_renders_it(value):
    assert _rate(value) == _RATE_FIELD.to_representation(value)
    assert _rate(str(value)) == _RATE_FIELD.to_representation(value)


def test_a_missing_decimal_or_date_renders_as_null():
    assert _money(None) is None
    assert _rate(None) is None
    assert _date(None) is None


def test_a_date_renders_in_the_apis_date_format(settings):
    day = datetime.date(2025, 2, 3)
    assert _date(day) == "2025-02-03" == _DATE_FIELD.to_representation(day)
    assert _date("2025-02-03") == "2025-02-03"  # PostgreSQL's text of the date

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DATE_FORMAT": "%d/%m/%Y"}
    assert api_settings.DATE_FORMAT == "%d/%m/%Y"
    assert _date(day) == "03/02/2025"
    assert _date("2025-02-03") == "03/02/2025"


@pytest.mark.parametrize(
    "text",
    [
        "2025-01-02 03:04:05+00",
        "2025-01-02 03:04:05.12+00",
        "2025-01-02 03:04:05.000001+00",
        "2025-01-02 03:04:05.123456+00",
        "0099-12-31 23:59:59.9+00",
        "2025-01-02 11:04:05.5+08",  # a session in another zone: parsed
        "2025-01-02 08:34:05+05:30",
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_a_timestamp_renders_as_drfs_datetime_field_renders_it(text, zone):
    """From PostgreSQL's text of a timestamptz, or from the value parsed, in the current time zone."""
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        current = timezone.get_current_timezone()
        expected = serializers.DateTimeField().to_representation(datetime.datetime.fromisoformat(text))
        utc = zone == "UTC"
        assert _datetime(text, current, utc=utc) == expected
        assert _datetime(datetime.datetime.fromisoformat(text), current, utc=utc) == expected


@pytest.mark.django_db
def test_a_pages_links_follow_the_host_and_script_prefix_of_each_request(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "mirror.example"]
    figure = PublishedInvestmentFactory()
    client = api_client("anonymous")

    plain = client.get(LIST).json()["results"][0]
    mirrored = client.get(LIST, HTTP_HOST="mirror.example").json()["results"][0]
    with override_script_prefix("/capex/"):  # as a server mounting the site under /capex/ sets it
        prefixed = client.get(LIST, SCRIPT_NAME="/capex").json()["results"][0]
    plain_again = client.get(LIST).json()["results"][0]

    assert plain["api_url"] == f"http://testserver/api/v1/investments/{figure.pk}/"
    assert mirrored["api_url"] == f"http://mirror.example/api/v1/investments/{figure.pk}/"
    assert mirrored["company"]["api_url"] == f"http://mirror.example/api/v1/companies/{figure.company.slug}/"
    assert prefixed["api_url"] == f"http://testserver/capex/api/v1/investments/{figure.pk}/"
    assert prefixed["web_url"] == f"http://testserver/capex/investments/{figure.pk}/"
    assert plain_again == plain


@pytest.mark.django_db
def test_a_filtered_page_leaves_the_next_request_unfiltered():
    domestic = PublishedInvestmentFactory(scope="domestic")
    overseas = PublishedInvestmentFactory(scope="overseas")
    client = api_client("anonymous")

    filtered = client.get(LIST, {"scope": "domestic"}).json()["results"]
    unfiltered = client.get(LIST).json()["results"]

    assert [row["id"] for row in filtered] == [domestic.pk]
    assert {row["id"] for row in unfiltered} == {domestic.pk, overseas.pk}


@pytest.mark.django_db
def test_the_current_condition_serves_queries_that_nest_it():
    original = PublishedInvestmentFactory()
    revision = PublishedInvestmentFactory(company=original.company, supersedes=original)
    other = PublishedInvestmentFactory()

    nested = Investment.objects.filter(pk__in=Investment.objects.current().values("pk")).current()
    twice = Investment.objects.current().filter(company=original.company).current()

    assert set(nested) == {revision, other}
    assert list(twice) == [revision]
    assert set(Investment.objects.current()) == {revision, other}


def test_filter_forms_share_their_fields_but_not_their_data_or_errors():
    bad = InvestmentFilterSet(QueryDict("scope=nowhere"), Investment.objects.none())
    good = InvestmentFilterSet(QueryDict("scope=domestic"), Investment.objects.none())

    assert not bad.is_valid()
    assert good.is_valid()
    assert "scope" in bad.form.errors
    assert good.form.errors == {}
    assert good.form.cleaned_data["scope"] == ["domestic"]
    assert bad.form.fields is not good.form.fields
    assert bad.form.fields["scope"] is good.form.fields["scope"]


@pytest.mark.django_db
def test_a_filter_form_cleans_the_filters_given_and_only_those():
    given = InvestmentFilterSet(QueryDict("scope=domestic&announced_from=2025-01-01"), Investment.objects.all())
    unknown_company = InvestmentFilterSet(QueryDict("company=no-such-company"), Investment.objects.all())
    bad_date = InvestmentFilterSet(QueryDict("scope=domestic&announced_from=someday"), Investment.objects.all())

    assert given.is_valid()
    assert set(given.form.cleaned_data) == {"scope", "announced_from"}
    assert given.form.cleaned_data["announced_from"] == datetime.date(2025, 1, 1)
    assert not unknown_company.is_valid()
    assert list(unknown_company.form.errors) == ["company"]
    assert not bad_date.is_valid()
    assert list(bad_date.form.errors) == ["announced_from"]
