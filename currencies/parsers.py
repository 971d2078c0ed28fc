"""
Pure parsers for the ECB reference-rate formats, and checks on what they return.

No network and no database here: each function takes the bytes or text of a document and returns
rate rows or raises RatesFormatError saying what is wrong and where. Providers fetch; services store.

Formats (as the ECB publishes them under https://www.ecb.europa.eu/stats/eurofxref/):
* XML (eurofxref-daily.xml, eurofxref-hist-90d.xml): a gesmes Envelope holding one Cube per day,
  each holding one Cube per currency: <Cube time="2025-01-21"><Cube currency="USD" rate="1.0357"/>.
* CSV (eurofxref-hist.csv, inside eurofxref-hist.zip): a "Date,USD,JPY,...," header, then one line
  per day, newest first; "N/A" where a currency has no rate that day; every line ends with a comma,
  so the last column is empty.
All rates are units of the currency per 1 EUR.
"""

import csv
import io
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

GESMES_NS = "http://www.gesmes.org/xml/2002-08-01"
EUROFXREF_NS = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"
ECB_BASE = "EUR"
# The anchor of every cross rate: USD per X = EUR->USD / EUR->X on the same day.
ANCHOR = "USD"
# The model stores rates with 10 decimal places; a finer rate would be silently rounded.
MAX_RATE_DECIMAL_PLACES = 10


class RatesFormatError(ValueError):
    """A document is not a complete, well-formed rates document. Nothing from it may be stored."""


@dataclass(frozen=True, slots=True)
class RateRow:
    """1 unit of `base` buys `rate` units of `currency` on `date`, as a provider published it."""

    base: str
    currency: str
    date: date
    rate: Decimal


def parse_rate(value: str, *, where: str) -> Decimal:
    """A published rate as a Decimal: finite, positive and storable without rounding."""
    try:
        rate = Decimal(value.strip())
    except InvalidOperation:
        raise RatesFormatError(f"{where}: rate {value!r} is not a number.") from None
    if not rate.is_finite() or rate <= 0:
        raise RatesFormatError(f"{where}: rate {value!r} must be a positive number.")
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_RATE_DECIMAL_PLACES:
        raise RatesFormatError(f"{where}: rate {value!r} has more than {MAX_RATE_DECIMAL_PLACES} decimal places.")
    return rate


def parse_currency(value: str, *, where: str) -> str:
    code = value.strip()
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not code.isupper():
        raise RatesFormatError(f"{where}: {value!r} is not a three-letter currency code.")
    return code


def parse_day(value: str, *, where: str) -> date:
    """ISO dates (the XML feeds, the history CSV) or "21 January 2025" (the ECB's daily CSV)."""
    text = value.strip()
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d %B %Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise RatesFormatError(f"{where}: {value!r} is not a date.")


def parse_ecb_xml(content: bytes) -> list[RateRow]:
    """
    Rows from an ECB eurofxref XML document (daily or 90-day). Malformed or truncated XML, a
    document that is not an ECB envelope, a day without rates and a repeated day or currency are
    errors: a partial reading of a broken document must never be stored.
    """
    try:
        root = SafeET.fromstring(content)
    except (ParseError, DefusedXmlException) as exc:
        raise RatesFormatError(f"The ECB XML could not be parsed (malformed or truncated): {exc}") from None
    if root.tag != f"{{{GESMES_NS}}}Envelope":
        raise RatesFormatError(f"Not an ECB rates document: the root element is {root.tag!r}, not a gesmes Envelope.")
    outer = root.find(f"{{{EUROFXREF_NS}}}Cube")
    if outer is None:
        raise RatesFormatError("The ECB XML has no Cube element: it holds no rates.")

    rows: list[RateRow] = []
    seen_days: set[date] = set()
    for day_cube in outer.findall(f"{{{EUROFXREF_NS}}}Cube"):
        if "time" not in day_cube.attrib:
            raise RatesFormatError("The ECB XML has a day Cube without a time attribute.")
        day = parse_day(day_cube.attrib["time"], where="Cube time")
        if day in seen_days:
            raise RatesFormatError(f"{day}: the day appears twice in the ECB XML.")
        seen_days.add(day)
        seen_currencies: set[str] = set()
        for rate_cube in day_cube.findall(f"{{{EUROFXREF_NS}}}Cube"):
            currency_attr, rate_attr = rate_cube.attrib.get("currency"), rate_cube.attrib.get("rate")
            if currency_attr is None or rate_attr is None:
                raise RatesFormatError(f"{day}: a rate Cube lacks its currency or rate attribute.")
            currency = parse_currency(currency_attr, where=f"{day}")
            if currency in seen_currencies:
                raise RatesFormatError(f"{day}: {currency} appears twice.")
            seen_currencies.add(currency)
            rows.append(RateRow(ECB_BASE, currency, day, parse_rate(rate_attr, where=f"{day} {currency}")))
        if not seen_currencies:
            raise RatesFormatError(f"{day}: the day has no rates.")
    if not rows:
        raise RatesFormatError("The ECB XML holds no days.")
    return rows


def parse_ecb_csv(text: str) -> list[RateRow]:
    """
    Rows from the ECB's CSV layout. "N/A" and empty cells (the trailing column every line has)
    mean "no rate that day"; a line with a different number of cells than the header is a
    truncated or damaged file and fails the whole document.
    """
    lines = [line for line in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in line)]
    if not lines:
        raise RatesFormatError("The ECB CSV is empty.")
    header = [cell.strip() for cell in lines[0]]
    if not header or header[0] != "Date":
        raise RatesFormatError(f"Not an ECB rates CSV: the first column is {header[0]!r}, not 'Date'.")
    columns: list[str | None] = [None]
    for cell in header[1:]:
        columns.append(parse_currency(cell, where="CSV header") if cell else None)
    codes = [code for code in columns if code]
    if len(set(codes)) != len(codes):
        raise RatesFormatError("The ECB CSV header repeats a currency.")

    rows: list[RateRow] = []
    seen_days: set[date] = set()
    for number, line in enumerate(lines[1:], start=2):
        if len(line) != len(header):
            raise RatesFormatError(
                f"Line {number} has {len(line)} cells where the header has {len(header)}: the file is truncated "
                "or damaged."
            )
        day = parse_day(line[0], where=f"Line {number}")
        if day in seen_days:
            raise RatesFormatError(f"{day}: the day appears twice in the ECB CSV.")
        seen_days.add(day)
        for currency, cell in zip(columns[1:], line[1:], strict=True):
            value = cell.strip()
            if currency is None:
                if value:
                    raise RatesFormatError(f"Line {number}: a value under an unnamed column.")
                continue
            if value in ("", "N/A"):
                continue
            rows.append(RateRow(ECB_BASE, currency, day, parse_rate(value, where=f"{day} {currency}")))
    if not rows:
        raise RatesFormatError("The ECB CSV holds no rates.")
    return rows


def parse_ecb_zip(content: bytes) -> list[RateRow]:
    """Rows from a zip holding one ECB CSV (eurofxref-hist.zip); a damaged zip is an error."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [name for name in archive.namelist() if name.lower().endswith(".csv")]
            if len(names) != 1:
                raise RatesFormatError(f"The ECB zip should hold one CSV file; it holds {len(names)}.")
            data = archive.read(names[0])
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise RatesFormatError(f"The ECB zip could not be read (damaged or truncated): {exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RatesFormatError(f"The ECB CSV is not UTF-8 text: {exc}") from None
    return parse_ecb_csv(text)


def rows_between(rows: Iterable[RateRow], start: date | None, end: date) -> list[RateRow]:
    """The rows dated from start (None: the beginning) to end, both included."""
    return [row for row in rows if row.date <= end and (start is None or row.date >= start)]


def days_without_anchor(rows: Iterable[RateRow]) -> list[date]:
    """
    Days of EUR-based rows that lack EUR->USD. Every cross rate of a day goes through that one
    rate, so such a day is unusable: a feed that has one is treated as broken.
    """
    days: set[date] = set()
    anchored: set[date] = set()
    for row in rows:
        if row.base != ECB_BASE:
            continue
        days.add(row.date)
        if row.currency == ANCHOR:
            anchored.add(row.date)
    return sorted(days - anchored)


def missing_currencies(rows: Iterable[RateRow], *, previous: set[str]) -> dict[date, set[str]]:
    """
    For each day, the currencies the publication before it had and it lacks. `previous` is the
    set of the last stored day before the rows begin; later days compare with the day before
    them. A gap is reported, not filled: the last good rate of a missing currency stays in use
    within the tolerance.
    """
    by_day: dict[date, set[str]] = defaultdict(set)
    for row in rows:
        by_day[row.date].add(row.currency)
    gaps: dict[date, set[str]] = {}
    expected = set(previous)
    for day in sorted(by_day):
        lacking = expected - by_day[day]
        if lacking:
            gaps[day] = lacking
        expected = by_day[day]
    return gaps
