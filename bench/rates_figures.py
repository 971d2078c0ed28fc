"""
Many figures at once, for the currency benchmark and the end-to-end tests: one INSERT ... SELECT
over a generated series (a recursive CTE, so it runs on PostgreSQL and SQLite alike). Every column
gets the value an Investment saved through the ORM would have; only the title, amount, currency
and announcement date vary from row to row.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from capex.models import Investment
from companies.models import Company


def _param(cast_type: str) -> str:
    # PostgreSQL types the select list on its own, so an untyped NULL or string would be text.
    return f"CAST(%s AS {cast_type})" if connection.vendor == "postgresql" else "%s"


def insert_figures(
    *,
    count: int,
    company: Company,
    currencies: Sequence[str],
    days: Sequence[date],
    amount_step: Decimal = Decimal("1000000"),
) -> int:
    """
    Insert `count` draft figures of `company`: figure n is in currencies[n % len], announced on
    days[n % len], for n x amount_step. Returns the number of rows inserted.
    """
    template = Investment(company=company, title="", announced_on=days[0], amount=amount_step, currency="USD")
    columns, selects, params = [], [], []
    for field in Investment._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name == "title":
            selects.append("'Generated figure ' || CAST(g.n AS VARCHAR(20))")
        elif field.name == "amount":
            selects.append(f"g.n * {_param('NUMERIC')}")
            params.append(str(amount_step))
        elif field.name == "currency":
            selects.append("c.code")
        elif field.name == "announced_on":
            selects.append("d.day")
        else:
            selects.append(_param(field.cast_db_type(connection)))
            params.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    currency_rows = " UNION ALL ".join(f"SELECT {i}, {_param('VARCHAR(3)')}" for i in range(len(currencies)))
    day_rows = " UNION ALL ".join(f"SELECT {i}, {_param('DATE')}" for i in range(len(days)))
    table = Investment._meta.db_table
    sql = f"""
        WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s),
             c(k, code) AS ({currency_rows}),
             d(k, day) AS ({day_rows})
        INSERT INTO {table} ({", ".join(columns)})
        SELECT {", ".join(selects)}
          FROM g
          JOIN c ON c.k = g.n %% {len(currencies)}
          JOIN d ON d.k = g.n %% {len(days)}
    """  # noqa: S608 (no user input: table and column names come from the model)
    day_values = [connection.ops.adapt_datefield_value(day) for day in days]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [count, *currencies, *day_values, *params])
        return cursor.rowcount
