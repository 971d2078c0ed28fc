"""
Figures in context (capex.extraction.extract_in_context): company, period, measure and the clause,
on the project's own real quotes (the curated dataset in capex/data) and on short real sentences.
"""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from capex.extraction import KnownCompany, clause_of, extract_in_context, resolve_period

DATA = Path(__file__).resolve().parents[1] / "data"
# The Company model records no fiscal year yet; these two are the dataset's own (oracle.yaml: fiscal
# 2026 runs 2025-06-01 to 2026-05-31; Microsoft's ends in June).
FISCAL_YEAR_END = {"oracle": 5, "microsoft": 6}
META_Q1_2025 = (
    "We anticipate our full year 2025 capital expenditures, including principal payments on finance leases, "
    "will be in the range of $64-72 billion, increased from our prior outlook of $60-65 billion."
)


def curated_companies() -> list[KnownCompany]:
    companies = []
    for path in sorted(DATA.glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")).get("companies") or []:
            if row.get("kind") != "chip_vendor":
                names = (row["name"], *row.get("aliases", []))
                companies.append(KnownCompany(row["slug"], names, FISCAL_YEAR_END.get(row["slug"], 12)))
    return companies


def curated_capex_quotes() -> list[tuple[dict, str]]:
    """Every quote of a capital-expenditure figure in the curated dataset, with its figure."""
    quotes = []
    for path in sorted(DATA.glob("*.yaml")):
        for figure in yaml.safe_load(path.read_text(encoding="utf-8")).get("figures") or []:
            if figure["measure"] == "total_capex" and figure.get("period_start"):
                quotes += [(figure, citation["quote"]) for citation in figure["citations"]]
    return quotes


def test_meta_q1_2025_outlook_reads_as_capex_guidance_for_2025():
    first, prior = extract_in_context(
        META_Q1_2025, published=date(2025, 4, 30), companies=[KnownCompany("meta", ("Meta",))], default_company="meta"
    )
    assert (first.candidate.amount, first.candidate.amount_high, first.candidate.qualifier) == (64e9, 72e9, "range")
    assert (first.company, first.period_start, first.period_end) == ("meta", date(2025, 1, 1), date(2025, 12, 31))
    assert first.measure == "total_capex"
    assert first.quote == (
        "We anticipate our full year 2025 capital expenditures, including principal payments on finance leases, "
        "will be in the range of $64-72 billion"
    )
    assert prior.quote == "increased from our prior outlook of $60-65 billion."
    assert first.paragraph == 1


@pytest.mark.parametrize(("figure", "quote"), curated_capex_quotes(), ids=lambda value: str(value)[:40])
def test_every_curated_capex_quote_gives_its_company_and_period(figure, quote):
    found = extract_in_context(
        quote, published=figure["announced_on"], companies=curated_companies(), default_company=figure["company"]
    )
    assert found, quote
    assert found[0].company == figure["company"]
    assert (found[0].period_start, found[0].period_end) == (figure["period_start"], figure["period_end"])


def test_each_figure_takes_the_company_named_nearest_it_not_one_per_article():
    companies = [KnownCompany("alphabet", ("Alphabet", "Google")), KnownCompany("bytedance", ("ByteDance", "字节跳动"))]
    text = "Google said it expects to spend $75 billion this year.\n字节跳动计划2025年投入400亿元人民币用于芯片。"
    google, bytedance = extract_in_context(text, published=date(2025, 2, 4), companies=companies)
    assert google.company == "alphabet"
    assert bytedance.company == "bytedance"
    assert bytedance.candidate.currency == "CNY"
    assert bytedance.paragraph == 2


@pytest.mark.parametrize(
    ("words", "published", "end_month", "period"),
    [
        ("capex this year", date(2025, 1, 24), 12, (date(2025, 1, 1), date(2025, 12, 31))),
        ("spending next year", date(2025, 10, 30), 12, (date(2026, 1, 1), date(2026, 12, 31))),
        ("in fiscal 2026", date(2025, 6, 11), 5, (date(2025, 6, 1), date(2026, 5, 31))),
        ("in fiscal 2026", date(2025, 6, 11), 12, (date(2026, 1, 1), date(2026, 12, 31))),
        ("over the next three years", date(2025, 2, 24), 12, (date(2025, 2, 24), date(2028, 2, 23))),
        ("by 2028", date(2025, 9, 16), 12, (date(2025, 9, 16), date(2028, 12, 31))),
        ("between 2025 and 2028", date(2025, 9, 16), 12, (date(2025, 1, 1), date(2028, 12, 31))),
    ],
)
def test_periods_resolve_against_the_publication_date_and_fiscal_year(words, published, end_month, period):
    start, end, _label = resolve_period(words, published=published, fiscal_year_end_month=end_month)
    assert (start, end) == period


@pytest.mark.parametrize(
    ("sentence", "measure"),
    [
        ("Meta expects capital expenditures of $70 billion this year.", "total_capex"),
        ("Microsoft will invest $80 billion in AI data centers in fiscal 2025.", "ai_investment"),
        ("The government announced a national programme worth €109 billion.", "programme"),
        ("Amazon will invest up to $4 billion in Anthropic.", "equity_commitment"),
        ("SoftBank takes an $8 billion stake in the venture.", "equity_commitment"),
    ],
)
def test_measure_comes_from_the_words(sentence, measure):
    companies = [KnownCompany("anthropic", ("Anthropic",)), KnownCompany("amazon", ("Amazon",))]
    (figure,) = extract_in_context(sentence, published=date(2025, 1, 3), companies=companies)
    assert figure.measure == measure


def test_clause_is_verbatim_and_holds_the_amount():
    sentence = "Oracle expects $25 billion in fiscal 2026; it spent $7 billion in 2024."
    assert clause_of(sentence, sentence.index("$25"), sentence.index(" in fiscal")) == (
        "Oracle expects $25 billion in fiscal 2026"
    )


def test_command_with_published_prints_company_period_and_measure(db, tmp_path):
    from companies.models import Company

    Company.objects.create(name="Meta", slug="meta", country="US", aliases="Facebook")
    path = tmp_path / "release.txt"
    path.write_text("Meta: " + META_Q1_2025, encoding="utf-8")
    out = StringIO()
    call_command("extract_figures", str(path), "--published", "2025-04-30", stdout=out)
    first = json.loads(out.getvalue().splitlines()[0])
    assert first["company"] == "meta"
    assert (first["period_start"], first["period_end"], first["measure"]) == ("2025-01-01", "2025-12-31", "total_capex")
    assert (first["amount"], first["amount_high"], first["qualifier"], first["currency"]) == (
        "64000000000",
        "72000000000",
        "range",
        "USD",
    )
    assert first["quote"].endswith("will be in the range of $64-72 billion")
