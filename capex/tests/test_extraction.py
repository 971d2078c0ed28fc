"""The figure extractor, on the seed article and on sentences for every currency and unit it reads."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from capex.choices import Category, Qualifier, Scope, Workload
from capex.extraction import extract_figures, split_sentences

SEED = Path(__file__).parent / "fixtures" / "seed_bytedance.txt"
BN = Decimal(10) ** 9


def only(text: str):
    """The one figure in a sentence."""
    found = extract_figures(text)
    assert len(found) == 1, found
    return found[0]


def figure(text: str) -> tuple:
    candidate = only(text)
    return candidate.amount, candidate.amount_high, candidate.currency, candidate.qualifier


@pytest.fixture(scope="module")
def seed_figures():
    return extract_figures(SEED.read_text(encoding="utf-8"))


# --- the seed article ---------------------------------------------------------------------------


def test_seed_finds_the_more_than_12bn_headline(seed_figures):
    headline = [c for c in seed_figures if c.amount == 12 * BN and c.qualifier == Qualifier.AT_LEAST]
    assert len(headline) == 1
    assert headline[0].currency == "USD"
    assert headline[0].quote.startswith("ByteDance, the parent company of TikTok, is planning")
    assert headline[0].category == Category.GENERAL
    assert headline[0].year == 2025


def test_seed_reads_rmb_40bn_with_its_dollar_gloss_as_one_figure(seed_figures):
    rmb = [c for c in seed_figures if c.currency == "CNY"]
    assert len(rmb) == 1
    assert (rmb[0].amount, rmb[0].qualifier) == (40 * BN, Qualifier.APPROXIMATELY)
    assert "RMB 40 billion ($5.5 billion)" in rmb[0].quote
    # The $5.5bn is the conversion of the RMB 40bn, not a figure of its own.
    assert not [c for c in seed_figures if c.amount == Decimal("5.5") * BN]
    assert rmb[0].scope == "in China"
    assert rmb[0].countries == ("CN",)
    assert rmb[0].category == Category.CHIPS


def test_seed_finds_the_overseas_training_figure_with_nvidia(seed_figures):
    overseas = [c for c in seed_figures if c.amount == Decimal("6.8") * BN]
    assert len(overseas) == 1
    candidate = overseas[0]
    assert (candidate.currency, candidate.qualifier) == ("USD", Qualifier.APPROXIMATELY)
    assert candidate.scope == Scope.OVERSEAS
    assert candidate.workload == Workload.TRAINING
    assert candidate.vendors == ("Nvidia",)
    assert candidate.category == Category.CHIPS
    assert candidate.quote == (
        "Additionally, ByteDance plans to invest around $6.8 billion overseas to improve its model training "
        "capabilities using advanced Nvidia Corp. NVDA chips."
    )


def test_seed_ignores_numbers_that_are_not_money(seed_figures):
    # "32-billion-parameter", "50% U.S. ownership", dates and read times carry no currency.
    assert {(c.amount, c.currency) for c in seed_figures} == {
        (12 * BN, "USD"),
        (40 * BN, "CNY"),
        (Decimal("6.8") * BN, "USD"),
    }


def test_seed_headline_title_is_a_candidate_of_its_own(seed_figures):
    title = seed_figures[0]
    assert title.quote == "ByteDance's $12 Billion AI Chip Investment: A Strategic Move Amid U.S. Export Controls"
    assert (title.amount, title.qualifier) == (12 * BN, Qualifier.EXACT)


# --- currencies and units -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("The company will spend $5bn on servers.", 5 * BN, "USD"),
        ("It committed US$1.5bn to data centres.", Decimal("1.5") * BN, "USD"),
        ("Spending of USD 700 million is planned.", 700 * 10**6, "USD"),
        ("The plan costs 5 billion dollars.", 5 * BN, "USD"),
        ("It allocated RMB 40bn to chips.", 40 * BN, "CNY"),
        ("It allocated Rmb40bn to chips.", 40 * BN, "CNY"),
        ("It allocated 40 billion yuan to chips.", 40 * BN, "CNY"),
        ("It allocated CNY 10 billion to chips.", 10 * BN, "CNY"),
        ("The group pledged EUR 20bn for data centres.", 20 * BN, "EUR"),
        ("SoftBank will put 1 trillion yen into chips.", 10**12, "JPY"),
        ("Samsung will invest 450 trillion won in semiconductors.", 450 * 10**12, "KRW"),
        ("Reliance will spend 500 billion rupees on compute.", 500 * BN, "INR"),
        ("The startup raised $6.6B.", Decimal("6.6") * BN, "USD"),
        ("It plans to spend $500m on GPUs.", 500 * 10**6, "USD"),
        ("It plans to spend $250 mn on GPUs.", 250 * 10**6, "USD"),
        ("The fund has $1.2 trillion to deploy.", Decimal("1.2") * 10**12, "USD"),
        ("The bill was $1,250,000,000.", 1250 * 10**6, "USD"),
        ("字节跳动今年计划投入120亿美元用于AI基础设施。", 12 * BN, "USD"),
        ("腾讯计划投资1.2万亿元建设数据中心。", Decimal("1.2") * 10**12, "CNY"),
        ("阿里巴巴将投入3800亿元人民币。", 380 * BN, "CNY"),
        ("公司将投资人民币400亿元采购芯片。", 40 * BN, "CNY"),
    ],
)
def test_reads_each_currency_and_unit(text, amount, currency):
    candidate = only(text)
    assert (candidate.amount, candidate.currency) == (Decimal(amount), currency)
    assert candidate.quote == text


# --- qualifiers and ranges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("ByteDance will spend more than $12bn this year.", Qualifier.AT_LEAST),
        ("ByteDance will spend over $12bn this year.", Qualifier.AT_LEAST),
        ("ByteDance will spend at least $12bn this year.", Qualifier.AT_LEAST),
        ("ByteDance will spend $12bn or more this year.", Qualifier.AT_LEAST),
        ("A $12bn-plus budget was approved.", Qualifier.AT_LEAST),
        ("阿里巴巴将投入超过3800亿元。", Qualifier.AT_LEAST),
        ("Microsoft will spend about $80bn.", Qualifier.APPROXIMATELY),
        ("Microsoft will spend around $80bn.", Qualifier.APPROXIMATELY),
        ("Microsoft will spend approximately $80bn.", Qualifier.APPROXIMATELY),
        ("Microsoft will spend roughly $80bn.", Qualifier.APPROXIMATELY),
        ("腾讯计划投资约1.2万亿元。", Qualifier.APPROXIMATELY),
        ("Stargate will invest up to $500bn.", Qualifier.UP_TO),
        ("Stargate will invest as much as $500bn.", Qualifier.UP_TO),
        ("Microsoft will spend $80bn.", Qualifier.EXACT),
    ],
)
def test_qualifier_words(text, qualifier):
    assert only(text).qualifier == qualifier


@pytest.mark.parametrize(
    "text",
    [
        "Meta expects capital expenditures of $60-65bn in 2025.",
        "Meta expects capital expenditures of $60–65 billion in 2025.",
        "Meta expects capital expenditures of $60bn-$65bn in 2025.",
        "Meta expects capital expenditures of $60 billion to $65 billion in 2025.",
        "Meta expects capital expenditures of between $60 billion and $65 billion in 2025.",
    ],
)
def test_ranges_are_one_figure_with_low_and_high(text):
    assert figure(text) == (60 * BN, 65 * BN, "USD", Qualifier.RANGE)


def test_from_one_amount_to_another_is_a_change_not_a_range():
    found = extract_figures("Meta raised its outlook from $60bn to $65bn.")
    assert [(c.amount, c.amount_high, c.qualifier) for c in found] == [
        (60 * BN, None, Qualifier.EXACT),
        (65 * BN, None, Qualifier.EXACT),
    ]


def test_an_amount_to_a_year_is_not_a_range():
    assert figure("The company will spend $5bn to 2030.") == (5 * BN, None, "USD", Qualifier.EXACT)


@pytest.mark.parametrize(
    "text",
    [
        "It will spend 40bn yuan ($5.5bn) on chips.",
        "It will spend RMB 40bn (about $5.5bn) on chips.",
        "It will spend RMB 40bn, or about $5.5bn, on chips.",
        "It will spend RMB 40bn, equivalent to $5.5bn, on chips.",
    ],
)
def test_a_converted_gloss_is_not_a_second_figure(text):
    assert figure(text) == (40 * BN, None, "CNY", Qualifier.EXACT)


def test_numbers_without_a_currency_are_not_figures():
    assert extract_figures("The 32-billion-parameter model took 50% of 2025 and 1.5 million GPU hours.") == []


# --- hints ------------------------------------------------------------------------------------------


def test_two_figures_in_one_sentence_keep_their_own_hints():
    first, second = extract_figures(
        "ByteDance will spend RMB 40bn on Huawei chips in China for inference and $6.8bn overseas on training "
        "with Nvidia chips."
    )
    assert (first.currency, first.scope, first.workload, first.vendors) == ("CNY", "in China", "inference", ("Huawei",))
    assert (second.currency, second.scope, second.workload, second.vendors) == (
        "USD",
        Scope.OVERSEAS,
        Workload.TRAINING,
        ("Nvidia",),
    )


@pytest.mark.parametrize(
    ("text", "scope", "workload", "category", "vendors"),
    [
        ("Samsung will invest $3bn in data centres at home.", Scope.DOMESTIC, None, Category.DATA_CENTRES, ()),
        (
            "The firm will spend $3bn on domestic chips from Cambricon.",
            Scope.DOMESTIC,
            None,
            Category.CHIPS,
            ("Cambricon",),
        ),
        (
            "It will spend $2bn worldwide on AMD accelerators for inference.",
            Scope.GLOBAL,
            "inference",
            "chips",
            ("AMD",),
        ),
        ("It will spend $2bn on training and inference clusters.", None, Workload.MIXED, None, ()),
        ("It will spend $2bn on power plants for its campuses.", None, None, Category.ENERGY, ()),
        ("It will spend $2bn on rental of cloud compute.", None, None, Category.COMPUTE_RENTAL, ()),
        ("It will spend $2bn on chips and data centres.", None, None, Category.GENERAL, ()),
        ("It will spend $2bn on AI infrastructure.", None, None, Category.GENERAL, ()),
        ("It will spend $2bn.", None, None, None, ()),
        ("公司将投入100亿元采购华为昇腾芯片用于推理。", None, Workload.INFERENCE, Category.CHIPS, ("Huawei",)),
    ],
)
def test_hints(text, scope, workload, category, vendors):
    candidate = only(text)
    assert (candidate.scope, candidate.workload, candidate.category, candidate.vendors) == (
        scope,
        workload,
        category,
        vendors,
    )


def test_a_named_country_is_a_scope_hint_with_its_code():
    candidate = only("Microsoft will spend $80bn on datacenters in the United States.")
    assert candidate.scope == "in the United States"
    assert candidate.countries == ("US",)


def test_hint_values_are_the_stored_choice_values():
    stored = {*Scope.values, *Workload.values, *Category.values}
    text = (
        SEED.read_text(encoding="utf-8") + "\nIt will spend $2bn worldwide on data centres for inference and training."
    )
    for candidate in extract_figures(text):
        for hint in (candidate.workload, candidate.category):
            assert hint is None or hint in stored
        assert candidate.qualifier in Qualifier.values
        assert candidate.scope is None or candidate.scope in stored or candidate.scope.startswith("in ")


# --- sentences ----------------------------------------------------------------------------------------


def test_sentences_do_not_break_at_abbreviations():
    assert split_sentences("It buys Nvidia Corp. NVDA chips. The U.S. President spoke. Next one.") == [
        "It buys Nvidia Corp. NVDA chips.",
        "The U.S. President spoke.",
        "Next one.",
    ]


def test_every_line_is_a_sentence_boundary_and_chinese_stops_end_sentences():
    assert split_sentences("A headline with $1bn\n\n第一句。第二句！") == [
        "A headline with $1bn",
        "第一句。",
        "第二句！",
    ]


# --- the command ----------------------------------------------------------------------------------------


def test_command_prints_one_json_object_per_candidate():
    out = StringIO()
    call_command("extract_figures", str(SEED), stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 4
    keys = {"amount", "amount_high", "currency", "qualifier", "quote", "scope", "workload", "category", "vendors"}
    assert all(set(line) == keys for line in lines)
    overseas = next(line for line in lines if line["amount"] == "6800000000")
    assert overseas == {
        "amount": "6800000000",
        "amount_high": None,
        "currency": "USD",
        "qualifier": "approximately",
        "quote": overseas["quote"],
        "scope": "overseas",
        "workload": "training",
        "category": "chips",
        "vendors": ["Nvidia"],
    }
    rmb = next(line for line in lines if line["currency"] == "CNY")
    assert (rmb["amount"], rmb["qualifier"], rmb["vendors"], rmb["workload"]) == (
        "40000000000",
        "approximately",
        None,
        None,
    )


def test_command_reports_a_missing_file_by_name(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(CommandError, match="No such file"):
        call_command("extract_figures", str(missing))
