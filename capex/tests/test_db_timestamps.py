"""
Timestamps come back from PostgreSQL as Django's own loader returns them (config.db parses them
in C): the same moment, with the connection's time zone set on it.
"""

import datetime

import pytest
from django.db import connection
from psycopg import pq

from capex.models import Investment
from capex.tests.factories import PublishedInvestmentFactory
from config.db import TIMESTAMPTZ_OID, TimestamptzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="config.db loads PostgreSQL's timestamps: set DATABASE_URL to one"
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
