"""
Done when: from the recorded responses the importer loads Microsoft's, Alphabet's, Amazon's and
Meta's quarterly capex for fiscal 2024 and 2025, and each quarter equals the company's own quarterly
figure. The expected numbers are written out (USD millions) with where they were read; the
fixtures README names every filing (form, accession number, filed date).
"""

from decimal import Decimal

import pytest

from companies.tests.factories import CompanyFactory
from filings.choices import ImportStatus
from filings.models import ReportedCapex
from filings.services import reported_refresh
from filings.tests.conftest import FakeTransport, ok

pytestmark = pytest.mark.django_db

MILLION = Decimal(1_000_000)
PPE = "PaymentsToAcquirePropertyPlantAndEquipment"


@pytest.fixture
def imported(make_client):
    companies = {
        "microsoft": CompanyFactory(name="Microsoft", slug="microsoft", cik="789019", fiscal_year_end_month=6),
        "alphabet": CompanyFactory(name="Alphabet", slug="alphabet", cik="1652044"),
        "amazon": CompanyFactory(
            name="Amazon", slug="amazon", cik="1018724", capex_concept="PaymentsToAcquireProductiveAssets"
        ),
        "meta": CompanyFactory(name="Meta", slug="meta", cik="1326801"),
    }
    files = {
        "microsoft": "msft-companyconcept-capex.json",
        "alphabet": "googl-companyconcept-capex.json",
        "amazon": "amzn-companyconcept-capex.json",
        "meta": "meta-companyconcept-capex.json",
    }
    for slug, company in companies.items():
        run = reported_refresh(company=company, client=make_client(FakeTransport(ok(files[slug]))))
        assert run.status == ImportStatus.SUCCEEDED, run.error
    return companies


def quarters(company, years) -> dict[tuple[int, int], int]:
    rows = ReportedCapex.objects.current().quarters().filter(company=company, fiscal_year__in=years)
    return {(row.fiscal_year, row.fiscal_quarter): int(row.amount / MILLION) for row in rows}


def full_years(company, years) -> dict[int, int]:
    rows = ReportedCapex.objects.current().filter(company=company, fiscal_year__in=years, fiscal_quarter=None)
    return {row.fiscal_year: int(row.amount / MILLION) for row in rows}


def test_microsoft_fiscal_2024_and_2025_quarters(imported):
    # Microsoft's "Additions to property and equipment", fiscal years ending 30 June. Q1-Q3 are the
    # 10-Qs' three-month columns (fiscal 2025 Q1: 14,923, as the FY2025 Q1 earnings release's cash-flow
    # statement on Microsoft's investor-relations site also shows, beside 9,917 for FY2024 Q1);
    # Q4 is the 10-K's year less the Q3 10-Q's nine months: 44,477 - 30,604 and 64,551 - 47,472.
    microsoft = imported["microsoft"]
    assert quarters(microsoft, [2024, 2025]) == {
        (2024, 1): 9917, (2024, 2): 9735, (2024, 3): 10952, (2024, 4): 13873,
        (2025, 1): 14923, (2025, 2): 15804, (2025, 3): 16745, (2025, 4): 17079,
    }  # fmt: skip
    assert full_years(microsoft, [2024, 2025]) == {2024: 44477, 2025: 64551}
    q4 = ReportedCapex.objects.current().get(company=microsoft, fiscal_year=2025, fiscal_quarter=4)
    assert q4.derived and (q4.period_start.isoformat(), q4.period_end.isoformat()) == ("2025-04-01", "2025-06-30")
    assert q4.accession_number == "0000950170-25-100235" and q4.form == "10-K"
    # Fiscal 2026 has begun: July-September and October-December 2025 as filed.
    assert quarters(microsoft, [2026]) == {(2026, 1): 19394, (2026, 2): 29876}


def test_alphabet_2024_and_2025_quarters(imported):
    # Alphabet's "Purchases of property and equipment" in its 2024 and 2025 earnings releases.
    assert quarters(imported["alphabet"], [2024, 2025]) == {
        (2024, 1): 12012, (2024, 2): 13186, (2024, 3): 13061, (2024, 4): 14276,
        (2025, 1): 17197, (2025, 2): 22446, (2025, 3): 23953, (2025, 4): 27851,
    }  # fmt: skip


def test_amazon_2024_and_2025_quarters_under_its_own_concept(imported):
    # Amazon's gross "Purchases of property and equipment" (us-gaap PaymentsToAcquireProductiveAssets):
    # Q1-Q3 the 10-Qs' three-month columns, Q4 the 10-K's year less nine months
    # (82,999 - 55,165 and 131,819 - 92,297).
    amazon = imported["amazon"]
    assert quarters(amazon, [2024, 2025]) == {
        (2024, 1): 14925, (2024, 2): 17620, (2024, 3): 22620, (2024, 4): 27834,
        (2025, 1): 25019, (2025, 2): 32183, (2025, 3): 35095, (2025, 4): 39522,
    }  # fmt: skip
    assert full_years(amazon, [2024, 2025]) == {2024: 82999, 2025: 131819}
    assert set(ReportedCapex.objects.filter(company=amazon).values_list("concept", flat=True)) == {
        "PaymentsToAcquireProductiveAssets"
    }


def test_meta_2024_quarters_and_2025_first_half(imported):
    # Meta's "Purchases of property and equipment, net" (USD millions), as its earnings releases print
    # the quarters: 2024 Q2 8,173 (second-quarter 2024 release), Q3 8,258 (third-quarter 2024
    # release), Q4 14,425 (fourth-quarter 2024 release); 2025 Q1 12,941 and Q2 16,538 (first- and
    # second-quarter 2025 releases). 2024 Q1 (6,400) is filed as three months (the first-quarter 2025
    # 10-Q's prior-year column); the others are derived from the year-to-date values
    # (14,573 - 6,400, 22,831 - 14,573, 37,256 - 22,831, 29,479 - 12,941).
    meta = imported["meta"]
    assert quarters(meta, [2024, 2025]) == {
        (2024, 1): 6400, (2024, 2): 8173, (2024, 3): 8258, (2024, 4): 14425,
        (2025, 1): 12941, (2025, 2): 16538,
    }  # fmt: skip
    assert full_years(meta, [2024, 2025]) == {2024: 37256, 2025: 69691}
    q4 = ReportedCapex.objects.current().get(company=meta, fiscal_year=2024, fiscal_quarter=4)
    assert q4.derived and (q4.period_start.isoformat(), q4.period_end.isoformat()) == ("2024-10-01", "2024-12-31")
    assert q4.accession_number == "0001326801-25-000017" and q4.form == "10-K"
    # The nine months of 2025 were not read (see the fixtures README), so neither 2025 Q3 (18,829 in
    # the third-quarter 2025 release) nor Q4 (21,383) is derived, rather than one made up.
    assert not ReportedCapex.objects.filter(company=meta, fiscal_year=2025, fiscal_quarter__in=[3, 4]).exists()


def test_a_company_without_its_concept_fails_with_the_concept_named(make_client):
    # Amazon imported under the default concept: the response names another tag, so nothing is stored.
    amazon = CompanyFactory(name="Amazon", slug="amazon", cik="1018724", capex_concept=PPE)
    run = reported_refresh(company=amazon, client=make_client(FakeTransport(ok("amzn-companyconcept-capex.json"))))
    assert run.status == ImportStatus.FAILED
    assert f"files no us-gaap:{PPE}" in run.error
    assert not ReportedCapex.objects.filter(company=amazon).exists()
