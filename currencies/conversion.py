"""
Converting an amount to US dollars from the stored rates: the one statement of the rule.

The rule is written once, as SQL fragments (`usd_quotes_sql`, `quote_order_sql`,
`usd_amount_sql`, `usd_rate_sql`), which both `convert_to_usd` (one amount) and the set-based
recompute of every figure (capex.conversions) are built from:
* USD converts at 1, with no provider.
* Otherwise use the latest rate on or before the wanted date, at most RATES_TOLERANCE_DAYS
  before it; never a rate from after the date. The rate, its date and its provider are recorded.
* Only published pairs are stored, so the USD price of a currency is derived from one provider and
  one date: 1 / (USD->X) where the provider quotes against the dollar (pegs, manual rates), and
  EUR->USD / EUR->X where it quotes against the euro (the ECB). On a tie of dates the provider
  earlier in PROVIDER_PREFERENCE wins.
* "Latest" means the newest rate no more than the tolerance older than the newest feed rates (the
  "rates as of" date every page shows), and not after today.
* Where no rate qualifies the result is "not converted" with the reason; never a guess or a zero.
The amount is multiplied before dividing so that no rounded cross rate enters it, and the result
is rounded to cents, by the database (exact numerics on PostgreSQL; SQLite's decimals are
floating point, as everywhere in SQLite).
"""

import decimal
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone

from currencies.choices import FEED_PROVIDERS, PROVIDER_PREFERENCE
from currencies.models import ExchangeRate

USD = "USD"
EUR = "EUR"
CENT = Decimal("0.01")
RATE_QUANTUM = Decimal("1e-12")  # the fx_rate fields keep 12 decimal places
# Enough digits that amount x rate is exact before the one rounding to cents.
ARITHMETIC = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)
# Quote kinds, in preference order on a tie of date and provider.
KIND_AGAINST_USD = 0
KIND_THROUGH_EUR = 1


def tolerance_days() -> int:
    return int(settings.RATES_TOLERANCE_DAYS)


@dataclass(frozen=True)
class Conversion:
    """A figure in USD, with the rate that made it, or the reason it could not be converted."""

    amount_usd: Decimal | None
    amount_high_usd: Decimal | None
    rate: Decimal | None
    rate_date: date | None
    provider: str
    note: str

    @property
    def converted(self) -> bool:
        return self.amount_usd is not None


def latest_rates_date() -> date | None:
    """The newest date with feed rates (the "rates as of" date), or None before any are loaded."""
    newest = [
        ExchangeRate.objects.filter(provider=provider).aggregate(newest=Max("date"))["newest"]
        for provider in FEED_PROVIDERS
    ]
    dates = [d for d in newest if d is not None]
    return max(dates) if dates else None


def latest_window(*, today: date | None = None) -> tuple[date, date, date]:
    """
    (low, high, reference) for the latest basis: rates from low to high qualify; reference is the
    "rates as of" date the tolerance counts back from (today when no feed rates are loaded).
    """
    today = today or timezone.localdate()
    reference = min(latest_rates_date() or today, today)
    return reference - timedelta(days=tolerance_days()), today, reference


def _best_quote(*, currency: str, low: date, high: date, amounts: tuple[Decimal | None, ...]) -> tuple | None:
    """
    (provider, rate date, USD per unit, *amounts in USD) from the best quote for `currency`
    dated from low to high, by the same SQL the recompute of every figure runs.
    """
    converted = ", ".join(usd_amount_sql("CAST(%s AS NUMERIC)", "q") for _ in amounts)
    sql = f"""
        SELECT q.provider, q.date, {usd_rate_sql("q")}, {converted}
          FROM ({usd_quotes_sql()}) q
         WHERE q.currency = %s
         ORDER BY {quote_order_sql("q")}
         LIMIT 1
    """  # noqa: S608 (no user input: fragments of this module and placeholders)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*amounts, *usd_quotes_params(low, high), currency])
        return cursor.fetchone()


def _decimal(value, quantum: Decimal) -> Decimal | None:
    """A number the database returned (a float on SQLite), as a Decimal to `quantum`."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(quantum, context=ARITHMETIC)


def currency_has_rates(currency: str) -> bool:
    return ExchangeRate.objects.filter(Q(currency=currency) | Q(base=currency)).exists()


def reason_no_rates(currency: str) -> str:
    return f"No exchange rate for {currency} is stored: no provider covers it. An editor can enter a manual rate."


def reason_gap_on(currency: str, on: date) -> str:
    return f"No {currency} rate on {on.isoformat()} or in the {tolerance_days()} days before it."


def reason_gap_latest(currency: str, reference: date) -> str:
    return f"No {currency} rate within {tolerance_days()} days of the latest rates ({reference.isoformat()})."


def convert_to_usd(
    *,
    amount: Decimal,
    currency: str,
    on: date | None = None,
    amount_high: Decimal | None = None,
    today: date | None = None,
) -> Conversion:
    """
    `amount` (and the high end of a range) in USD at the rate of `on`, or at the latest rate
    when `on` is None.
    """
    if currency == USD:
        rate_date = on or (today or timezone.localdate())
        return Conversion(amount, amount_high, Decimal(1).quantize(RATE_QUANTUM), rate_date, "", "")

    if on is None:
        low, high, reference = latest_window(today=today)
    else:
        low, high, reference = on - timedelta(days=tolerance_days()), on, on
    quote = _best_quote(currency=currency, low=low, high=high, amounts=(amount, amount_high))
    if quote is None:
        if not currency_has_rates(currency):
            note = reason_no_rates(currency)
        elif on is None:
            note = reason_gap_latest(currency, reference)
        else:
            note = reason_gap_on(currency, on)
        return Conversion(None, None, None, None, "", note)
    provider, rate_date, rate, amount_usd, amount_high_usd = quote
    return Conversion(
        amount_usd=_decimal(amount_usd, CENT),
        amount_high_usd=_decimal(amount_high_usd, CENT),
        rate=_decimal(rate, RATE_QUANTUM),
        rate_date=rate_date if isinstance(rate_date, date) else date.fromisoformat(rate_date),
        provider=provider,
        note="",
    )


def usd_quotes_sql() -> str:
    """
    SQL (PostgreSQL and SQLite) for the USD quotes the stored rates give between two dates: one
    row per provider, currency and date with columns provider, currency, date, usd, units, kind,
    meaning one unit of currency costs usd / units dollars. Other apps join it to their figures to
    convert in bulk without knowing how rates are stored. Its placeholders take
    usd_quotes_params(low, high). The "* 1.0" keeps SQLite from dividing integers.
    """
    table = ExchangeRate._meta.db_table
    return f"""
        SELECT r.provider AS provider, r.currency AS currency, r.date AS date,
               1.0 AS usd, r.rate * 1.0 AS units, {KIND_AGAINST_USD} AS kind
          FROM {table} r
         WHERE r.base = '{USD}' AND r.date >= %s AND r.date <= %s
        UNION ALL
        SELECT u.provider, '{EUR}', u.date, u.rate * 1.0, 1.0, {KIND_THROUGH_EUR}
          FROM {table} u
         WHERE u.base = '{EUR}' AND u.currency = '{USD}' AND u.date >= %s AND u.date <= %s
        UNION ALL
        SELECT x.provider, x.currency, x.date, u.rate * 1.0, x.rate * 1.0, {KIND_THROUGH_EUR}
          FROM {table} x
         CROSS JOIN {table} u
         WHERE x.base = '{EUR}' AND x.currency <> '{USD}' AND x.date >= %s AND x.date <= %s
           AND u.provider = x.provider AND u.base = '{EUR}' AND u.currency = '{USD}' AND u.date = x.date
    """  # noqa: S608 (no user input: table name and constants)
    # CROSS JOIN makes SQLite loop over x and look each USD leg up by its unique key; left to
    # itself it loops over the USD rows and scans a date range of x for each. PostgreSQL plans
    # it as any other join.


def usd_quotes_params(low: date, high: date) -> list[date]:
    """The parameters of usd_quotes_sql() for quotes dated from low to high."""
    return [low, high] * 3


def provider_rank_sql(column: str) -> str:
    """A CASE expression ranking providers by PROVIDER_PREFERENCE, for ORDER BY."""
    whens = " ".join(f"WHEN '{provider}' THEN {rank}" for rank, provider in enumerate(PROVIDER_PREFERENCE))
    return f"CASE {column} {whens} ELSE {len(PROVIDER_PREFERENCE)} END"


def quote_order_sql(alias: str) -> str:
    """ORDER BY terms putting the best quote first: the latest date, then the preferred provider, then the kind."""
    return f"{alias}.date DESC, {provider_rank_sql(f'{alias}.provider')}, {alias}.kind"


def usd_amount_sql(amount_sql: str, quote: str) -> str:
    """SQL for `amount_sql` in USD at the quote joined as `quote`: multiplied before dividing, rounded to cents."""
    return f"ROUND({amount_sql} * 1.0 * {quote}.usd / {quote}.units, 2)"


def usd_rate_sql(quote: str) -> str:
    """SQL for the USD price of one unit at the quote joined as `quote`, to the 12 places stored."""
    return f"ROUND({quote}.usd * 1.0 / {quote}.units, 12)"


def has_rates_sql(currency_column: str) -> str:
    """SQL condition: some stored rate involves the currency in `currency_column`."""
    table = ExchangeRate._meta.db_table
    sql = "(EXISTS (SELECT 1 FROM {t} h WHERE h.currency = {c}) OR EXISTS (SELECT 1 FROM {t} h WHERE h.base = {c}))"
    return sql.format(t=table, c=currency_column)
