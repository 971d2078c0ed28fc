"""
PostgreSQL timestamps parsed in C, and values read as the server's text where that is what is shown.

Django's psycopg 3 backend reads every `timestamptz` through its own loader, a subclass of
psycopg's pure-Python one, so that each value carries the connection's time zone object; the C
loader that psycopg's binary package provides cannot be subclassed. Parsing in Python was 8 % of
the instructions of a list page of fifty figures (two timestamps a row; 33.48 -> 30.87 M in
`bench/instructions.py`). `TimestamptzLoader` here does what Django's does, the parsing handed
to the loader psycopg uses by default (C when the binary package is installed): every new
connection gets it in place of Django's, with the same time zone.

`read_as_text(cursor, types)` has one cursor load the values of some types as the text the
server sent, unparsed: for a page that shows them as that text (capex.api.fast), parsing them
into Python objects only to format them back is wasted work.
"""

import functools

from django.db.backends.signals import connection_created
from psycopg import adapt, adapters, postgres, pq

TIMESTAMPTZ_OID = postgres.types["timestamptz"].oid
# psycopg's own loaders for the text format: its C ones with the binary package.
_PARSER = adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
_TEXT = adapters.get_loader(postgres.types["text"].oid, pq.Format.TEXT)
# Types whose text the session's DateStyle shapes.
_DATE_STYLED = {"date", "timestamp", "timestamptz"}


class TimestamptzLoader(adapt.Loader):
    """A timestamptz with `timezone` set on it, as Django's loader gives it, parsed by psycopg's default loader."""

    # Django compares it with the connection's time zone before each cursor and, where they
    # differ, registers its own loader on that cursor (DatabaseWrapper.create_cursor).
    timezone = None

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        self._parse = _PARSER(oid, context).load

    def load(self, data):
        return self._parse(data).replace(tzinfo=self.timezone)


@functools.cache
def _loader_for(zone) -> type[TimestamptzLoader]:
    """One class per time zone, not one per connection."""
    return type("TimestamptzLoader", (TimestamptzLoader,), {"timezone": zone})


def use_fast_timestamp_loader(sender, connection, **kwargs) -> None:
    """On a new PostgreSQL connection, put `TimestamptzLoader` in place of Django's, same time zone."""
    if connection.vendor != "postgresql":
        return
    current = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
    if current is None or issubclass(current, TimestamptzLoader):
        return
    connection.connection.adapters.register_loader("timestamptz", _loader_for(getattr(current, "timezone", None)))


def read_as_text(cursor, type_names: tuple[str, ...]) -> tuple[str, ...]:
    """
    Have `cursor` (psycopg's, under Django's wrapper) load values of these PostgreSQL types as
    the server's text, and return the types it will. The text of dates and timestamps depends on
    the session's DateStyle, so they are read as text only in the ISO style (YYYY-MM-DD, the
    server's default).
    """
    connection = cursor.connection
    if not (connection.info.parameter_status("DateStyle") or "").startswith("ISO"):
        type_names = tuple(name for name in type_names if name not in _DATE_STYLED)
    for name in type_names:
        cursor.adapters.register_loader(postgres.types[name].oid, _TEXT)
    return type_names


def connect() -> None:
    connection_created.connect(use_fast_timestamp_loader, dispatch_uid="config.db.use_fast_timestamp_loader")
