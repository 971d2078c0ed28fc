"""
What config.db changes in reading PostgreSQL's values. Timestamps come back as Django's own
loader returns them (config.db parses them in C): the same moment, with the connection's time
zone set on it. A cursor told to read numerics and dates as the server's text gets the text the
API shows for them, and only that cursor does.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from psycopg import pq

from capex.api.fast import _date, _datetime, _money, _rate
from capex.models import Investment
from capex.tests.factories import PublishedInvestmentFactory
from config.db import TIMESTAMPTZ_OID, TimestamptzLoader, read_as_text

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="config.db reads PostgreSQL's values: set DATABASE_URL to one"
    ),
]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        datetime.datetime(2025, 1, 2, 3, 4, 5, 120000, tzinfo=datetime.UTC),
        datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=SHANGHAI),
        datetime.datetime(1, 1, 2, 0, 0, tzinfo=datetime.UTC),
    ],
)
def test_a_timestamp_reads_back_as_the_moment_written_in_the_connections_time_zone(moment):
    figure = PublishedInvestmentFactory()
    Investment.objects.filter(pk=figure.pk).update(updated_at=moment)

    read = Investment.objects.values_list("updated_at", flat=True).get(pk=figure.pk)

    assert read == moment
    assert read.tzinfo is connection.timezone
    assert issubclass(connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT), TimestamptzLoader)


VALUES_SQL = "SELECT %s::numeric(22, 2), %s::numeric(24, 12), %s::date, %s::timestamptz"
VALUES = (
    Decimal("-1234567.50"),
    Decimal("7.123456000000"),
    datetime.date(987, 6, 5),
    datetime.datetime(2025, 1, 2, 3, 4, 5, 120000, tzinfo=datetime.UTC),
)
TYPES = ("numeric", "date", "timestamptz")


def test_a_cursor_told_to_reads_numerics_dates_and_timestamps_as_the_text_the_api_shows():
    with connection.cursor() as cursor:
        assert read_as_text(cursor.cursor, TYPES) == TYPES
        cursor.execute(VALUES_SQL, VALUES)
        as_text = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(VALUES_SQL, VALUES)
        parsed = cursor.fetchone()

    assert as_text == ("-1234567.50", "7.123456000000", "0987-06-05", "2025-01-02 03:04:05.12+00")
    assert parsed == VALUES  # the next cursor reads them as before
    assert _money(as_text[0]) == _money(parsed[0]) == "-1234567.50"
    assert _rate(as_text[1]) == _rate(parsed[1]) == "7.123456000000"
    assert _date(as_text[2]) == _date(parsed[2]) == "0987-06-05"
    assert (
        _datetime(as_text[3], datetime.UTC, utc=True)
        == _datetime(parsed[3], datetime.UTC, utc=True)
        == "2025-01-02T03:04:05.120000Z"
    )


def test_dates_and_timestamps_are_read_as_text_only_in_the_iso_date_style():
    with connection.cursor() as cursor:
        cursor.execute("SET DateStyle = 'SQL, DMY'")
        try:
            assert read_as_text(cursor.cursor, TYPES) == ("numeric",)
            # Not the timestamp: psycopg parses timestamps in the ISO style only, text or not.
            cursor.execute(VALUES_SQL.rsplit(",", 1)[0], VALUES[:3])
            row = cursor.fetchone()
        finally:
            cursor.execute("RESET DateStyle")

    assert row == ("-1234567.50", "7.123456000000", VALUES[2])
