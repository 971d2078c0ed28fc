"""Reading capex from recorded SEC companyconcept/companyfacts responses, with the expected numbers written out."""

from datetime import date
from decimal import Decimal

import pytest

from filings.edgar import EdgarError, fiscal_position, parse_capex_facts
from filings.tests.conftest import fixture_json

PPE = "PaymentsToAcquirePropertyPlantAndEquipment"
MILLION = Decimal(1_000_000)


def current(rows):
    latest = {}
    for row in rows:
        key = (row.fiscal_year, row.fiscal_quarter)
        if key not in latest or (row.filed_on, row.accession_number) >= (
            latest[key].filed_on,
            latest[key].accession_number,
        ):
            latest[key] = row
    return latest


@pytest.mark.parametrize("name", ["googl-companyconcept-capex.json", "googl-companyfacts-capex-excerpt.json"])
def test_alphabet_quarters_match_its_earnings_releases(name):
    # Alphabet's quarterly "purchases of property and equipment" in its 2024 and 2025 earnings
    # releases (USD millions), derived here from its 10-Q year-to-date values and 10-K years.
    rows = current(parse_capex_facts(fixture_json(name), concept=PPE, fiscal_year_end_month=12))
    quarters = {(year, q): rows[(year, q)].amount / MILLION for year in (2024, 2025) for q in (1, 2, 3, 4)}
    assert quarters == {
        (2024, 1): 12012, (2024, 2): 13186, (2024, 3): 13061, (2024, 4): 14276,
        (2025, 1): 17197, (2025, 2): 22446, (2025, 3): 23953, (2025, 4): 27851,
    }  # fmt: skip
    assert rows[(2024, None)].amount / MILLION == 52535
    assert rows[(2025, None)].amount / MILLION == 91447
    assert not rows[(2025, 1)].derived and rows[(2025, 2)].derived and rows[(2025, 4)].derived
    q4 = rows[(2025, 4)]
    assert (q4.period_start, q4.period_end, q4.form) == (date(2025, 10, 1), date(2025, 12, 31), "10-K")
    assert q4.accession_number == "0001652044-26-000018"


def test_meta_quarters_from_its_year_to_date_values():
    # Meta's "Purchases of property and equipment, net" (USD millions). Its 10-Qs print year-to-date
    # columns only, so after each first quarter the quarters are derived: 2024 from three months
    # (6,400), six (14,573), nine (22,831) and the year (37,256); 2025 from three months (12,941), six
    # (29,479) and the year (69,691), whose nine months are not in the fixture (see the fixtures
    # README): 2025 Q3 and Q4 are not derived. Meta's own "Capital expenditures, including principal
    # payments on finance leases" adds those payments and is larger (not this tag).
    rows = current(
        parse_capex_facts(fixture_json("meta-companyconcept-capex.json"), concept=PPE, fiscal_year_end_month=12)
    )
    assert set(rows) == {(2024, 1), (2024, 2), (2024, 3), (2024, 4), (2024, None), (2025, 1), (2025, 2), (2025, None)}
    amounts = {key: row.amount / MILLION for key, row in rows.items()}
    assert amounts == {
        (2024, 1): 6400, (2024, 2): 8173, (2024, 3): 8258, (2024, 4): 14425, (2024, None): 37256,
        (2025, 1): 12941, (2025, 2): 16538, (2025, None): 69691,
    }  # fmt: skip
    assert not rows[(2025, 1)].derived and rows[(2025, 1)].accession_number == "0001326801-25-000054"
    assert not rows[(2024, 1)].derived and rows[(2024, 1)].accession_number == "0001326801-25-000054"
    q2 = rows[(2025, 2)]
    assert q2.derived and (q2.period_start, q2.period_end) == (date(2025, 4, 1), date(2025, 6, 30))
    assert q2.accession_number == "0001628280-25-036791"


def test_recorded_fixtures_are_in_the_companyconcept_shape():
    # The recorded responses carry the API's keys and nothing else (no notes inside the data).
    envelope = {"cik", "taxonomy", "tag", "label", "description", "entityName", "units"}
    fact_keys = {"start", "end", "val", "accn", "fy", "fp", "form", "filed"}
    for name in ("msft", "amzn", "meta", "googl", "aapl", "nvda"):
        document = fixture_json(f"{name}-companyconcept-capex.json")
        assert set(document) == envelope, name
        for fact in document["units"]["USD"]:
            assert fact_keys <= set(fact) <= fact_keys | {"frame"}, (name, fact)
            assert isinstance(fact["val"], int) and isinstance(fact["fy"], int)


def test_nvidia_fiscal_year_ends_in_january_and_uses_its_own_concept():
    # Nvidia FY2026 (ends 25 January 2026), from the shared fixture README: 1,227 / 1,895 / 1,636 / 1,284.
    rows = current(
        parse_capex_facts(
            fixture_json("nvda-companyconcept-capex.json"),
            concept="PaymentsToAcquireProductiveAssets",
            fiscal_year_end_month=1,
        )
    )
    assert [rows[(2026, q)].amount / MILLION for q in (1, 2, 3, 4)] == [1227, 1895, 1636, 1284]
    assert rows[(2026, None)].amount / MILLION == 6042
    assert rows[(2027, 1)].amount / MILLION == 1757


def test_nvidia_abandoned_tag_is_a_missing_concept_when_the_company_uses_the_other():
    with pytest.raises(EdgarError, match="files no us-gaap:PaymentsToAcquireProductiveAssets"):
        parse_capex_facts(
            fixture_json("nvda-companyfacts-legacy-tag-excerpt.json"),
            concept="PaymentsToAcquireProductiveAssets",
            fiscal_year_end_month=1,
        )


def test_every_filing_of_a_period_is_kept():
    rows = parse_capex_facts(fixture_json("googl-companyconcept-capex.json"), concept=PPE, fiscal_year_end_month=12)
    fy2024 = [r for r in rows if r.fiscal_year == 2024 and r.fiscal_quarter is None]
    assert {r.accession_number for r in fy2024} == {"0001652044-25-000014", "0001652044-26-000018"}


@pytest.mark.parametrize(
    ("end", "month", "expected"),
    [
        (date(2024, 9, 30), 6, (2025, 1)),  # Microsoft: fiscal 2025 starts in July 2024
        (date(2025, 6, 30), 6, (2025, 4)),
        (date(2024, 11, 30), 5, (2025, 2)),  # Oracle: fiscal year ends in May
        (date(2022, 10, 1), 9, (2022, 4)),  # Apple's 53-week year ended on 1 October
        (date(2026, 1, 25), 1, (2026, 4)),  # Nvidia
    ],
)
def test_fiscal_position_follows_the_company(end, month, expected):
    assert fiscal_position(end, month) == expected


def concept_document(*facts):
    return {"cik": 1, "tag": PPE, "entityName": "TEST", "units": {"USD": list(facts)}}


def fact(val, start="2025-01-01", end="2025-03-31"):
    return {
        "start": start,
        "end": end,
        "val": val,
        "accn": "0000000001-25-000001",
        "form": "10-Q",
        "filed": "2025-04-30",
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (concept_document(fact(-5)), "negative"),
        (concept_document(fact(5 * 10**12)), "absurd"),
        (concept_document(fact("twelve")), "malformed"),
        ({"cik": 1, "facts": {"us-gaap": {}}}, "files no"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_bad_values_are_refused_with_a_clear_error(document, message):
    with pytest.raises(EdgarError, match=message):
        parse_capex_facts(document, concept=PPE, fiscal_year_end_month=12)
