"""
The data check of the curated dataset (capex/data/*.yaml): it loads, idempotently; every figure
has a citation with a URL and a quote; the project's extraction engine, run on each quote, finds
the figure's amount (low and high) and currency; revisions are consistent. A figure whose quote
does not support its number fails here, naming the file and the figure.
"""

import datetime
import textwrap
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from capex.choices import WorkflowState
from capex.curated import DatasetError, dataset_export, dataset_load, dataset_read, parse_amount
from capex.extraction import extract_figures
from capex.models import Investment

# The files alone: every company a figure names is defined in the dataset.
DATASET = dataset_read(stored_companies=False)
FIGURES = sorted(DATASET.figures.values(), key=lambda figure: (figure.file, figure.key))


def test_the_dataset_covers_at_least_60_figures_of_20_companies_and_programmes():
    companies = {figure.company for figure in FIGURES}
    recent = [
        figure
        for figure in FIGURES
        if datetime.date(2024, 9, 1) <= figure.fields["announced_on"] <= datetime.date(2026, 11, 30)
    ]
    assert len(recent) >= 60, len(recent)
    assert len(companies) >= 20, sorted(companies)


@pytest.mark.parametrize("figure", FIGURES, ids=lambda figure: f"{figure.file}:{figure.key}")
def test_every_quote_supports_its_figures_amount_and_currency(figure):
    low = figure.fields["amount"]
    high = figure.fields.get("amount_high")
    assert any(citation.get("url") for citation in figure.citations), f"{figure.where()}: no citation has a URL"
    for citation in figure.citations:
        found = [
            (Decimal(candidate.amount), Decimal(candidate.amount_high) if candidate.amount_high else None)
            for candidate in extract_figures(citation["quote"])
            if candidate.currency == figure.fields["currency"]
        ]
        amounts = {amount for pair in found for amount in pair if amount is not None}
        assert low in amounts, f"{figure.where()}: the quote does not state {low} {figure.fields['currency']}"
        if high is not None:
            assert (low, high) in found, f"{figure.where()}: the quote does not state the range {low}-{high}"


@pytest.mark.parametrize("figure", [f for f in FIGURES if f.supersedes], ids=lambda figure: figure.key)
def test_a_revision_is_later_than_what_it_revises_with_the_same_company_and_measure(figure):
    earlier = DATASET.figures[figure.supersedes]
    assert earlier.fields["announced_on"] <= figure.fields["announced_on"]
    assert (earlier.company, earlier.fields["measure"]) == (figure.company, figure.fields["measure"])


@pytest.mark.parametrize(
    "figure", [f for f in FIGURES if "period_start" in f.fields or "period_end" in f.fields], ids=lambda f: f.key
)
def test_a_period_has_both_ends_in_order(figure):
    assert figure.fields.get("period_start") and figure.fields.get("period_end"), figure.where()
    assert figure.fields["period_start"] <= figure.fields["period_end"], figure.where()


@pytest.mark.django_db
def test_the_dataset_loads_published_and_a_second_load_changes_nothing():
    first = dataset_load(DATASET)

    assert first.created == len(FIGURES)
    assert Investment.objects.filter(state=WorkflowState.PUBLISHED).count() == len(FIGURES)
    second = dataset_load(dataset_read())
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(FIGURES))


@pytest.mark.django_db
def test_the_bytedance_split_carries_its_vendor_shares_and_quote():
    dataset_load(DATASET)
    chips = Investment.objects.get(dataset_key="bytedance-ai-chips-china-2025")

    shares = {share.vendor.slug: (share.share_percent, share.group) for share in chips.vendor_shares.all()}

    assert shares["huawei"] == (Decimal(60), "chinese-suppliers")
    assert shares["cambricon"] == (Decimal(60), "chinese-suppliers")
    assert shares["nvidia"][0] == Decimal(40)
    assert "60%" in chips.vendor_shares.first().quote


@pytest.mark.django_db
def test_an_edited_figure_is_updated_and_published_again_on_reload(tmp_path):
    (tmp_path / "acme.yaml").write_text(FILE.format(amount="10bn"), encoding="utf-8")
    dataset_load(dataset_read(tmp_path))
    (tmp_path / "acme.yaml").write_text(FILE.format(amount="12bn"), encoding="utf-8")

    result = dataset_load(dataset_read(tmp_path))

    figure = Investment.objects.get(dataset_key="acme-ai-2026")
    assert (result.updated, figure.amount, figure.state) == (1, Decimal("12000000000"), WorkflowState.PUBLISHED)
    assert figure.citations.count() == 1


@pytest.mark.django_db
def test_export_writes_what_the_loader_reads(tmp_path):
    (tmp_path / "acme.yaml").write_text(FILE.format(amount="10bn"), encoding="utf-8")
    dataset_load(dataset_read(tmp_path))
    exported = tmp_path / "exported"
    exported.mkdir()

    text = dataset_export(Investment.objects.all())
    (exported / "acme.yaml").write_text(text, encoding="utf-8")

    again = dataset_read(exported).figures["acme-ai-2026"]
    original = dataset_read(tmp_path).figures["acme-ai-2026"]
    assert again.fields == original.fields
    assert again.citations[0]["quote"] == original.citations[0]["quote"]


FILE = textwrap.dedent(
    """
    companies:
      - {{slug: acme, name: Acme, country: US, kind: platform}}
    figures:
      - key: acme-ai-2026
        company: acme
        title: AI data centres in 2026
        announced_on: 2026-02-01
        period_start: 2026-01-01
        period_end: 2026-12-31
        period_label: "2026"
        amount: {amount}
        qualifier: approximately
        currency: USD
        measure: ai_investment
        evidence: official
        last_checked_on: 2026-12-03
        citations:
          - url: https://example.org/acme-2026
            title: Acme plans
            publisher: Acme
            publisher_kind: company
            quote: "Acme expects to invest about $10 billion in AI data centres in 2026."
    """
)


@pytest.mark.django_db
def test_a_broken_file_is_reported_with_its_file_and_key_and_nothing_is_loaded(tmp_path):
    (tmp_path / "acme.yaml").write_text(
        FILE.format(amount="ten").replace("measure: ai_investment", "measure: capex"), encoding="utf-8"
    )

    with pytest.raises(CommandError) as refused:
        call_command("load_curated_data", str(tmp_path))

    assert "acme.yaml: acme-ai-2026" in str(refused.value)
    assert not Investment.objects.exists()


def test_a_revision_before_what_it_revises_is_refused(tmp_path):
    revision = FILE.format(amount="10bn").split("figures:")[1].replace("acme-ai-2026", "acme-ai-2026-rev")
    revision = revision.replace("announced_on: 2026-02-01", "announced_on: 2026-01-01")
    revision = revision.replace("title:", "supersedes: acme-ai-2026\n    title:", 1)
    (tmp_path / "acme.yaml").write_text(FILE.format(amount="10bn") + revision, encoding="utf-8")

    with pytest.raises(DatasetError, match="acme-ai-2026-rev: a revision cannot be announced before"):
        dataset_read(tmp_path, stored_companies=False)


@pytest.mark.parametrize(
    ("text", "amount"), [("60bn", "60000000000"), ("64.5bn", "64500000000"), ("950m", "950000000"), (1200, "1200")]
)
def test_amounts_are_written_with_a_unit(text, amount):
    assert parse_amount(text) == Decimal(amount)
