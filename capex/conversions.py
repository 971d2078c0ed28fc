"""
USD conversions of investments, recomputed in bulk with set-based SQL.

Each figure carries two conversions (at the announcement date and at the latest rate), each with
the rate, the rate's date and its provider, or the reason it is not converted. The rule is
currencies.conversion's (its SQL fragments pick the quote and do the arithmetic, for one amount
and here alike); this module applies it to many figures at once, and to one figure on commit of
an edit (`investment_convert`):

1. copy the USD quotes the figures' currencies and dates can use (currencies.conversion.
   usd_quotes_sql, which knows how rates are stored and crossed) into a temporary table;
2. pick, for each distinct (currency, announcement date) among the figures, the best quote within
   the tolerance, and for each currency the best quote at the latest basis, into two more;
3. one UPDATE writes all twelve conversion fields of every figure from those picks, so each row
   is written once, whatever the number of figures sharing a currency and date.

It runs in one transaction, so a recompute that is interrupted leaves the previous conversions
whole. The SQL runs on PostgreSQL (exact numeric arithmetic) and SQLite (whose decimals are
floating point, as everywhere in SQLite); the only differences are date arithmetic and naming
the temporary schema.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction

from capex.models import Investment
from capex.services.slices import headlines_touched, slices_refresh, slices_refresh_for
from config.bulk import vacuum_analyze
from config.cache import data_version_bump
from config.validators import EARLIEST_DATE, LATEST_DATE
from currencies.conversion import (
    has_rates_sql,
    latest_window,
    quote_order_sql,
    tolerance_days,
    usd_amount_sql,
    usd_quotes_params,
    usd_quotes_sql,
    usd_rate_sql,
)
from currencies.locks import exclusive_run
from currencies.services import rate_changes_mark_applied, rate_changes_pending

logger = logging.getLogger(__name__)

USD = "USD"
# Ids per statement when recomputing a given set of figures.
ID_CHUNK = 500
# The cache lock (SQLite only) outlives a crashed recompute by at most the task's hard limit.
RECOMPUTE_LOCK_SECONDS = 960
PICK_AT = "capex_fx_pick_at_announcement"
PICK_LATEST = "capex_fx_pick_latest"
QUOTES = "capex_fx_quotes"
TEMPORARY_TABLES = (QUOTES, PICK_AT, PICK_LATEST)


# The largest USD value a money column holds (22 digits, 2 of them decimals).
MONEY_LIMIT = "100000000000000000000"
# A row the recompute cannot convert is skipped, with the reason on the row, so that one bad
# row never stops the recompute of every other figure.
DATE_OUT_OF_RANGE_NOTE = (
    f"Not converted: the announcement date lies outside {EARLIEST_DATE.isoformat()}..{LATEST_DATE.isoformat()}."
)
TOO_LARGE_NOTE = "Not converted: in US dollars the amount is larger than can be stored; check the amount."


@dataclass(frozen=True)
class RecomputeResult:
    investments: int
    not_converted_at_announcement: int
    not_converted_latest: int
    # Figures skipped as unconvertible (a date out of range, an amount too large), each with its reason.
    skipped: int = 0


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _temp(name: str) -> str:
    return f"pg_temp.{name}" if _postgres() else f"temp.{name}"


def _days_before(date_sql: str, days_sql: str) -> str:
    """SQL for the date `days_sql` days before `date_sql`."""
    return f"({date_sql} - {days_sql})" if _postgres() else f"date({date_sql}, '-' || {days_sql} || ' days')"


def _as_date(value: date | str) -> date:
    """SQLite hands dates back from raw SQL as text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _date_text(expression: str) -> str:
    return f"to_char({expression}, 'YYYY-MM-DD')" if _postgres() else expression


def _date_out_of_range(column: str) -> str:
    return f"({column} < '{EARLIEST_DATE.isoformat()}' OR {column} > '{LATEST_DATE.isoformat()}')"


def _too_large(pick: str) -> str:
    """Whether the converted amount (its high end, for a range) would overflow the money columns."""
    return f"(COALESCE(t.amount_high, t.amount) * 1.0 * {pick}.usd / {pick}.units >= {MONEY_LIMIT})"


def _conversion_columns(*, suffix: str, pick: str, rate_date_for_usd: str, note_for_gap: str) -> str:
    """
    SET clauses for the six conversion fields of one basis, from the pick joined as `pick`. The
    latest pick (joined as l) has a row for every currency, saying whether it has any rate at all.
    A figure that cannot be converted (a date out of range, a USD value too large to store) keeps
    no USD value and says why, instead of failing the statement for every figure.
    """
    usd = f"t.currency = '{USD}'"
    missing = f"{pick}.provider IS NULL"
    skipped = _date_out_of_range("t.announced_on")
    too_large = _too_large(pick)
    no_rates_note = (
        "'No exchange rate for ' || t.currency || ' is stored: no provider covers it. "
        "An editor can enter a manual rate.'"
    )
    return f"""
        amount_usd_{suffix} = CASE WHEN {skipped} THEN NULL WHEN {usd} THEN t.amount WHEN {missing} THEN NULL
            WHEN {too_large} THEN NULL ELSE {usd_amount_sql("t.amount", pick)} END,
        amount_high_usd_{suffix} = CASE WHEN {skipped} THEN NULL WHEN {usd} THEN t.amount_high
            WHEN {missing} THEN NULL WHEN {too_large} THEN NULL
            ELSE {usd_amount_sql("t.amount_high", pick)} END,
        fx_rate_{suffix} = CASE WHEN {skipped} THEN NULL WHEN {usd} THEN 1 WHEN {missing} THEN NULL
            ELSE {usd_rate_sql(pick)} END,
        fx_date_{suffix} = CASE WHEN {skipped} THEN NULL WHEN {usd} THEN {rate_date_for_usd} ELSE {pick}.rate_date END,
        fx_provider_{suffix} = CASE WHEN {skipped} OR {usd} THEN '' ELSE COALESCE({pick}.provider, '') END,
        fx_note_{suffix} = CASE WHEN {skipped} THEN '{DATE_OUT_OF_RANGE_NOTE}'
            WHEN {usd} THEN ''
            WHEN NOT ({missing}) THEN CASE WHEN {too_large} THEN '{TOO_LARGE_NOTE}' ELSE '' END
            WHEN l.has_rates = 0 THEN {no_rates_note}
            ELSE {note_for_gap} END"""


def _recompute(*, ids: Collection[int] | None, today: date | None) -> RecomputeResult:
    """All conversions of the figures with these ids (None: every figure), in the caller's transaction."""
    table = Investment._meta.db_table
    days = tolerance_days()
    low, high, reference = latest_window(today=today)
    if ids is None:
        only, only_params = "", []
    else:
        only, only_params = f" AND i.id IN ({', '.join(['%s'] * len(ids))})", list(ids)
    quotes = usd_quotes_sql()
    order = quote_order_sql("q")
    pick_at, pick_latest = _temp(PICK_AT), _temp(PICK_LATEST)

    with connection.cursor() as cursor:
        for name in TEMPORARY_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {_temp(name)}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {QUOTES} (currency VARCHAR(3), date DATE, provider VARCHAR(20), "
            "usd NUMERIC, units NUMERIC, kind INTEGER)"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PICK_AT} (currency VARCHAR(3), wanted DATE, provider VARCHAR(20), "
            "rate_date DATE, usd NUMERIC, units NUMERIC)"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PICK_LATEST} (currency VARCHAR(3), has_rates INTEGER, provider VARCHAR(20), "
            "rate_date DATE, usd NUMERIC, units NUMERIC)"
        )
        # The best quote for each (currency, announcement date): the latest on or before the date,
        # within the tolerance; on a tie, the preferred provider. Each date is joined to the
        # quotes of the tolerance's days one by one (equality joins), not to a date range.
        in_range = f" AND NOT {_date_out_of_range('i.announced_on')}"
        cursor.execute(
            f"SELECT MIN(i.announced_on), MAX(i.announced_on) FROM {table} i "  # noqa: S608
            f"WHERE i.currency <> '{USD}'{in_range}{only}",
            only_params,
        )
        first, last = cursor.fetchone()
        if first is not None:
            # The quotes those figures can use, stored once with an index: joining each date to
            # a derived table of quotes makes SQLite evaluate it again for every row.
            cursor.execute(
                f"""
                INSERT INTO {QUOTES} (currency, date, provider, usd, units, kind)
                SELECT q.currency, q.date, q.provider, q.usd, q.units, q.kind FROM ({quotes}) q
                 WHERE q.currency IN (SELECT DISTINCT i.currency FROM {table} i WHERE i.currency <> '{USD}'{only})
                """,  # noqa: S608 (no user input: table names, constants and placeholders)
                [*usd_quotes_params(_as_date(first) - timedelta(days=days), _as_date(last)), *only_params],
            )
            cursor.execute(f"CREATE INDEX {QUOTES}_key ON {QUOTES} (currency, date)")
            if _postgres():
                cursor.execute(f"ANALYZE {_temp(QUOTES)}")
            days_back = " UNION ALL ".join(f"SELECT {n} AS back" for n in range(days + 1))
            cursor.execute(
                f"""
                INSERT INTO {PICK_AT} (currency, wanted, provider, rate_date, usd, units)
                SELECT currency, wanted, provider, rate_date, usd, units FROM (
                    SELECT p.currency AS currency, p.wanted AS wanted, q.provider AS provider,
                           q.date AS rate_date, q.usd AS usd, q.units AS units,
                           ROW_NUMBER() OVER (PARTITION BY p.currency, p.wanted
                                              ORDER BY {order}) AS choice
                      FROM (SELECT DISTINCT i.currency AS currency, i.announced_on AS wanted
                              FROM {table} i WHERE i.currency <> '{USD}'{in_range}{only}) p
                     CROSS JOIN ({days_back}) o
                      JOIN {QUOTES} q
                        ON q.currency = p.currency AND q.date = {_days_before("p.wanted", "o.back")}
                ) ranked WHERE choice = 1
                """,  # noqa: S608
                only_params,
            )
        # For each currency: whether any rate involves it (to give the right reason once per
        # currency, not once per figure), and its best quote at the latest basis, if any.
        cursor.execute(
            f"""
            INSERT INTO {PICK_LATEST} (currency, has_rates, provider, rate_date, usd, units)
            SELECT p.currency, CASE WHEN {has_rates_sql("p.currency")} THEN 1 ELSE 0 END,
                   best.provider, best.rate_date, best.usd, best.units
              FROM (SELECT DISTINCT i.currency AS currency FROM {table} i
                     WHERE i.currency <> '{USD}'{only}) p
              LEFT JOIN (
                SELECT currency, provider, rate_date, usd, units FROM (
                    SELECT q.currency AS currency, q.provider AS provider, q.date AS rate_date,
                           q.usd AS usd, q.units AS units,
                           ROW_NUMBER() OVER (PARTITION BY q.currency ORDER BY {order}) AS choice
                      FROM ({quotes}) q
                ) ranked WHERE choice = 1
              ) best ON best.currency = p.currency
            """,  # noqa: S608
            [*only_params, *usd_quotes_params(low, high)],
        )
        cursor.execute(f"CREATE INDEX {PICK_AT}_key ON {PICK_AT} (currency, wanted)")
        cursor.execute(f"CREATE INDEX {PICK_LATEST}_key ON {PICK_LATEST} (currency)")
        if _postgres():
            # Temporary tables are never analysed automatically; the planner needs their size.
            cursor.execute(f"ANALYZE {pick_at}")
            cursor.execute(f"ANALYZE {pick_latest}")

        at_announcement = _conversion_columns(
            suffix="at_announcement",
            pick="a",
            rate_date_for_usd="t.announced_on",
            note_for_gap=(
                f"'No ' || t.currency || ' rate on ' || {_date_text('t.announced_on')} || "
                f"' or in the {days} days before it.'"
            ),
        )
        latest = _conversion_columns(
            suffix="latest",
            pick="l",
            rate_date_for_usd="%s",
            note_for_gap=f"'No ' || t.currency || ' rate within {days} days of the latest rates (' || %s || ').'",
        )
        # One pass writes both bases: every figure is written once. The target is joined to
        # itself (t) because UPDATE ... FROM cannot LEFT JOIN the target table directly.
        cursor.execute(
            f"""
            UPDATE {table} SET {at_announcement},
            {latest}
              FROM {table} t
              LEFT JOIN {PICK_AT} a ON a.currency = t.currency AND a.wanted = t.announced_on
              LEFT JOIN {PICK_LATEST} l ON l.currency = t.currency
             WHERE t.id = {table}.id{only.replace("i.id", "t.id")}
            """,  # noqa: S608
            [high, reference.isoformat(), *only_params],
        )
        cursor.execute(
            f"""
            SELECT COUNT(*),
                   COALESCE(SUM(CASE WHEN i.fx_note_at_announcement <> '' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN i.fx_note_latest <> '' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN i.fx_note_at_announcement LIKE 'Not converted:%%'
                                       OR i.fx_note_latest LIKE 'Not converted:%%' THEN 1 ELSE 0 END), 0)
              FROM {table} i WHERE 1 = 1{only}
            """,  # noqa: S608
            only_params,
        )
        total, not_at, not_latest, skipped = cursor.fetchone()
        for name in TEMPORARY_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {_temp(name)}")
    # USD values changed: so do the stored slices of these figures, and cached totals once this
    # commits. After a recompute of every figure the caller rebuilds all slices.
    if ids is not None:
        slices_refresh_for(
            headline_ids=headlines_touched(Investment.objects.filter(pk__in=ids).only("pk", "parent", "supersedes"))
        )
    else:
        data_version_bump()
    if skipped:
        logger.warning(
            "Conversions recompute skipped %s figure(s) it cannot convert; each says why in its fx note.", skipped
        )
    return RecomputeResult(int(total), int(not_at), int(not_latest), int(skipped))


def conversions_recompute(
    *, investment_ids: Collection[int] | None = None, today: date | None = None
) -> RecomputeResult:
    """
    Recompute the conversions of the given figures (all of them when None) in one transaction.
    No lock: concurrent runs write the same values, and each row update is atomic.
    """
    if investment_ids is None:
        with transaction.atomic():
            result = _recompute(ids=None, today=today)
        _after_every_figure_changed()
        return result
    with transaction.atomic():
        ids = sorted(set(investment_ids))
        totals = [0, 0, 0, 0]
        for start in range(0, len(ids), ID_CHUNK):
            part = _recompute(ids=ids[start : start + ID_CHUNK], today=today)
            totals = [
                totals[0] + part.investments,
                totals[1] + part.not_converted_at_announcement,
                totals[2] + part.not_converted_latest,
                totals[3] + part.skipped,
            ]
        return RecomputeResult(*totals)


def conversions_recompute_all(*, today: date | None = None) -> RecomputeResult | None:
    """
    Recompute every figure after new rates landed, and record which refresh runs the result
    reflects, in the same transaction. Locked: returns None (skipped) while another full
    recompute runs; the runs it did not see stay pending and the next refresh starts it again.
    """
    with exclusive_run("capex:recompute-conversions", timeout=RECOMPUTE_LOCK_SECONDS) as acquired:
        if not acquired:
            return None
        with transaction.atomic():
            pending = rate_changes_pending()
            result = _recompute(ids=None, today=today)
            rate_changes_mark_applied(refresh_ids=pending)
        _after_every_figure_changed()
        return result


def _after_every_figure_changed() -> None:
    """
    After a committed recompute of every figure: vacuum the figures, then rebuild the stored
    slices of totals in a transaction of their own, so figures stay locked for the recompute
    alone. Readers see the previous totals until the rebuild commits; a failed rebuild leaves
    them for the nightly one.

    The vacuum: each row now has a dead former version, and the visibility map no longer vouches
    for any page, so index-only scans (the origins of totals, the slice rebuild, the admin) visit
    the table again until a vacuum. Done now rather than whenever autovacuum comes round, so the
    first totals after new rates are read from the indexes. VACUUM cannot run inside a
    transaction; a caller that holds one leaves it to autovacuum.
    """
    if not connection.in_atomic_block:
        vacuum_analyze(Investment)
    slices_refresh()


def investment_convert(*, investment_id: int, today: date | None = None) -> bool:
    """
    Recompute one figure's conversions, e.g. on commit after an editor changed its amount,
    currency or date. Safe for any id: returns False when no such figure exists.
    """
    return conversions_recompute(investment_ids=[investment_id], today=today).investments == 1
