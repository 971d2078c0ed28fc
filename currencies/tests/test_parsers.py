"""The ECB parsers are pure: fixture documents in, rate rows or a precise error out."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from currencies.parsers import (
    RateRow,
    RatesFormatError,
    days_without_anchor,
    missing_currencies,
    parse_ecb_csv,
    parse_ecb_xml,
    parse_ecb_zip,
    rows_between,
)
from currencies.tests.conftest import fixture_bytes, zip_of


def test_daily_xml_gives_one_day_of_euro_rates():
    rows = parse_ecb_xml(fixture_bytes("eurofxref-daily.xml"))

    assert len(rows) == 7
    assert {row.date for row in rows} == {date(2025, 1, 21)}
    assert {row.base for row in rows} == {"EUR"}
    by_currency = {row.currency: row.rate for row in rows}
    assert by_currency["USD"] == Decimal("1.0357")
    assert by_currency["CNY"] == Decimal("7.5443")
    assert by_currency["KRW"] == Decimal("1493.41")


def test_ninety_day_xml_gives_every_day():
    rows = parse_ecb_xml(fixture_bytes("eurofxref-hist-90d.xml"))

    days = sorted({row.date for row in rows})
    assert days == [date(2025, 1, d) for d in (16, 17, 20, 21, 22, 23, 24)]
    assert RateRow("EUR", "CNY", date(2025, 1, 17), Decimal("7.5474")) in rows


def test_rates_are_exact_decimals_not_floats():
    rows = parse_ecb_xml(fixture_bytes("eurofxref-daily.xml"))

    gbp = next(row for row in rows if row.currency == "GBP")
    assert isinstance(gbp.rate, Decimal)
    assert str(gbp.rate) == "0.84553"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("malformed.xml", "malformed or truncated"),
        ("truncated.xml", "malformed or truncated"),
        ("not-rates.xml", "not a gesmes Envelope"),
    ],
)
def test_broken_xml_is_rejected_whole(fixture, message):
    with pytest.raises(RatesFormatError, match=message):
        parse_ecb_xml(fixture_bytes(fixture))


@pytest.mark.parametrize(
    ("rate", "message"),
    [("-1.03", "positive"), ("abc", "not a number"), ("0", "positive"), ("1.00000000001", "decimal places")],
)
def test_a_bad_rate_fails_the_document(rate, message):
    content = fixture_bytes("eurofxref-daily.xml").replace(b"rate='1.0357'", f"rate='{rate}'".encode())

    with pytest.raises(RatesFormatError, match=message):
        parse_ecb_xml(content)


def test_a_repeated_currency_in_a_day_fails_the_document():
    content = fixture_bytes("eurofxref-daily.xml").replace(b"currency='JPY'", b"currency='USD'")

    with pytest.raises(RatesFormatError, match="USD appears twice"):
        parse_ecb_xml(content)


def test_history_csv_skips_na_cells_and_the_trailing_empty_column():
    rows = parse_ecb_csv(fixture_bytes("eurofxref-hist.csv").decode())

    on_2025_01_17 = {row.currency: row.rate for row in rows if row.date == date(2025, 1, 17)}
    # CYP and RUB are "N/A" that day; the empty last column is no currency at all.
    assert set(on_2025_01_17) == {"USD", "JPY", "GBP", "CNY", "HKD", "INR", "KRW"}
    assert on_2025_01_17["USD"] == Decimal("1.0298")
    on_2022_03_01 = {row.currency: row.rate for row in rows if row.date == date(2022, 3, 1)}
    assert on_2022_03_01["RUB"] == Decimal("117.201")
    on_2007 = {row.currency: row.rate for row in rows if row.date == date(2007, 12, 31)}
    assert on_2007["CYP"] == Decimal("0.585274")
    assert "INR" not in on_2007


def test_csv_reads_the_daily_csv_date_style_too():
    text = "Date, USD, CNY, \n21 January 2025, 1.0357, 7.5443, \n"

    rows = parse_ecb_csv(text)

    assert rows == [
        RateRow("EUR", "USD", date(2025, 1, 21), Decimal("1.0357")),
        RateRow("EUR", "CNY", date(2025, 1, 21), Decimal("7.5443")),
    ]


def test_a_truncated_csv_line_fails_the_whole_file():
    text = fixture_bytes("eurofxref-hist.csv").decode()
    truncated = text[: text.index("2022-03-02") + 25]

    with pytest.raises(RatesFormatError, match=r"Line 4 has .* cells where the header has 11"):
        parse_ecb_csv(truncated)


def test_csv_without_the_date_header_is_not_ecb_data():
    with pytest.raises(RatesFormatError, match="first column"):
        parse_ecb_csv("Day,USD,\n2025-01-21,1.0357,\n")


def test_history_zip_reads_its_csv():
    rows = parse_ecb_zip(zip_of())

    assert len(rows) == len(parse_ecb_csv(fixture_bytes("eurofxref-hist.csv").decode()))


def test_a_truncated_zip_is_rejected():
    content = zip_of()

    with pytest.raises(RatesFormatError, match="damaged or truncated"):
        parse_ecb_zip(content[: len(content) // 2])


def test_a_zip_without_one_csv_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "nothing here")

    with pytest.raises(RatesFormatError, match="one CSV file"):
        parse_ecb_zip(buffer.getvalue())


def test_rows_between_keeps_both_ends():
    rows = parse_ecb_xml(fixture_bytes("eurofxref-hist-90d.xml"))

    kept = rows_between(rows, date(2025, 1, 17), date(2025, 1, 21))

    assert sorted({row.date for row in kept}) == [date(2025, 1, 17), date(2025, 1, 20), date(2025, 1, 21)]


def test_a_day_without_usd_is_found():
    rows = parse_ecb_xml(fixture_bytes("missing-usd.xml")) + parse_ecb_xml(fixture_bytes("eurofxref-daily.xml"))

    assert days_without_anchor(rows) == [date(2025, 1, 22)]


def test_missing_currencies_compare_each_day_with_the_one_before():
    rows = parse_ecb_xml(fixture_bytes("missing-currencies.xml"))

    gaps = missing_currencies(rows, previous={"USD", "JPY", "GBP", "CNY", "HKD", "INR", "KRW"})

    assert gaps == {date(2025, 1, 22): {"CNY", "HKD", "INR", "KRW"}}


def test_a_currency_that_stays_missing_is_reported_once():
    previous = {"USD", "CNY", "RUB"}
    rows = [
        RateRow("EUR", "USD", date(2022, 3, 2), Decimal("1.1106")),
        RateRow("EUR", "CNY", date(2022, 3, 2), Decimal("7.0153")),
        RateRow("EUR", "USD", date(2022, 3, 3), Decimal("1.1")),
        RateRow("EUR", "CNY", date(2022, 3, 3), Decimal("7.0")),
    ]

    assert missing_currencies(rows, previous=previous) == {date(2022, 3, 2): {"RUB"}}
