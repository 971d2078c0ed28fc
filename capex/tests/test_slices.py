"""
The stored slices that totals are summed from stay in step with the figures: every workflow
transition and recompute rewrites what it touched, and a full rebuild finds nothing to change.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from capex.choices import FxBasis, Qualifier, Scope, WorkflowState
from capex.conversions import conversions_recompute, conversions_recompute_all
from capex.models import FigureSlice, Investment
from capex.selectors import breakdown, company_totals
from capex.services import slices as slice_service
from capex.services import workflow
from capex.services.slices import slices_refresh
from capex.tasks import rebuild_slices
from capex.tests.factories import CitationFactory, InvestmentFactory
from capex.tests.personas import sample_figures_with_rates
from companies.tests.factories import CompanyFactory
from currencies.choices import RateProvider
from currencies.parsers import RateRow
from currencies.services import rates_store

pytestmark = pytest.mark.django_db

BN = Decimal(10**9)


def draft(company, amount, **fields) -> Investment:
    """A cited draft, converted as the save of an editor would leave it."""
    figure = InvestmentFactory(company=company, amount=amount, **fields)
    CitationFactory(investment=figure)
    conversions_recompute(investment_ids=[figure.pk])
    figure.refresh_from_db()
    return figure


def publish(figure: Investment) -> Investment:
    return workflow.investment_publish(investment=figure, by=None)


def stored() -> list[tuple]:
    """The stored slices, without their row ids: what a rebuild must reproduce."""
    fields = [f.attname for f in FigureSlice._meta.concrete_fields if not f.primary_key]
    return sorted(FigureSlice.objects.values_list(*fields))


@pytest.fixture
def company():
    return CompanyFactory(name="ByteDance", slug="bytedance")


def test_publishing_counts_a_figure_and_returning_it_to_draft_takes_it_out(company):
    figure = draft(company, 12 * BN)
    assert company_totals().figure_count == 0

    publish(figure)
    assert company_totals().total.point == 12 * BN

    workflow.investment_return_to_draft(investment=figure, by=None, reason="Amount to be checked")
    assert company_totals().figure_count == 0
    assert not FigureSlice.objects.exists()


def test_publishing_a_component_splits_its_headline_without_a_rebuild(company):
    headline = publish(draft(company, 12 * BN, qualifier=Qualifier.AT_LEAST, scope=Scope.GLOBAL))
    component = draft(company, Decimal("6.8") * BN, parent=headline, scope=Scope.OVERSEAS)
    assert {b.key: b.measures.point for b in breakdown(dimension="scope").buckets} == {"global": 12 * BN}

    publish(component)
    assert {b.key: b.measures.point for b in breakdown(dimension="scope").buckets} == {
        "global": Decimal("5.2") * BN,
        "overseas": Decimal("6.8") * BN,
    }
    assert company_totals().total.point == 12 * BN


def test_publishing_a_revision_replaces_the_figure_it_revises(company):
    original = publish(draft(company, 60 * BN, amount_high=65 * BN, qualifier=Qualifier.RANGE))
    assert company_totals().total.point == Decimal("62.5") * BN

    publish(draft(company, 64 * BN, amount_high=72 * BN, qualifier=Qualifier.RANGE, supersedes=original))
    total = company_totals().total
    assert (total.low, total.high, total.point) == (64 * BN, 72 * BN, 68 * BN)


def test_new_rates_move_the_latest_basis_totals_after_the_recompute():
    sample_figures_with_rates()
    before = breakdown(dimension="company", basis=FxBasis.LATEST).bucket("bytedance").measures.point
    # Rates of a later day than any bundled one: 4 yuan and 1 dollar a euro, so a yuan is $0.25.
    day = datetime.date(2026, 11, 27)
    rates_store(
        provider=RateProvider.ECB_BUNDLED,
        rows=[RateRow("EUR", "CNY", day, Decimal("4")), RateRow("EUR", "USD", day, Decimal("1"))],
    )
    conversions_recompute_all(today=day)
    after = breakdown(dimension="company", basis=FxBasis.LATEST).bucket("bytedance").measures
    assert after.point != before
    # "More than $12bn" grows to its components: RMB 40bn at $0.25 plus the $6.8bn stated in dollars.
    assert after.point == 10 * BN + Decimal("6.8") * BN


def test_what_the_services_keep_equals_a_full_rebuild(company):
    headline = publish(draft(company, 10 * BN, qualifier=Qualifier.EXACT))
    publish(draft(company, 8 * BN, parent=headline, scope=Scope.DOMESTIC))
    publish(draft(company, 7 * BN, parent=headline, scope=Scope.OVERSEAS))  # scaled down to fit
    revised = publish(draft(company, 3 * BN))
    publish(draft(company, 4 * BN, supersedes=revised))
    workflow.investment_return_to_draft(investment=headline, by=None, reason="Check the split")
    publish(Investment.objects.get(pk=headline.pk))

    kept = stored()
    slices_refresh()
    assert stored() == kept
    assert company_totals().total.point == 14 * BN


def test_scaled_shares_add_up_to_the_figure_exactly(company):
    headline = publish(draft(company, 10 * BN, qualifier=Qualifier.EXACT))
    for scope in (Scope.DOMESTIC, Scope.OVERSEAS, Scope.GLOBAL):
        publish(draft(company, 5 * BN, parent=headline, scope=scope))  # $15bn of parts in exactly $10bn
    result = breakdown(dimension="scope")
    assert result.total.point == 10 * BN
    assert sum(b.measures.point for b in result.buckets) == 10 * BN
    # A third each, to the thousandth of a dollar; the last share takes the rounding.
    assert sorted(b.measures.point for b in result.buckets) == [
        Decimal("3333333333.333"),
        Decimal("3333333333.333"),
        Decimal("3333333333.334"),
    ]


def test_a_failed_rebuild_keeps_the_last_good_totals(company, monkeypatch):
    publish(draft(company, 12 * BN))
    kept = stored()

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(slice_service, "figure_slices", broken)
    with pytest.raises(RuntimeError):
        slices_refresh()
    assert stored() == kept
    assert company_totals().total.point == 12 * BN


def test_the_rebuild_command_fills_an_empty_table_once(company, capsys):
    publish(draft(company, 12 * BN))
    FigureSlice.objects.all().delete()

    call_command("slices_rebuild", "--if-empty")
    assert "Stored 2 slices" in capsys.readouterr().out  # one per basis
    assert company_totals().total.point == 12 * BN

    call_command("slices_rebuild", "--if-empty")
    assert "nothing to do" in capsys.readouterr().out


def test_beat_rebuilds_the_slices_nightly(company):
    entry = settings.CELERY_BEAT_SCHEDULE["rebuild-slices-nightly"]
    assert entry["task"] == "capex.tasks.rebuild_slices"
    publish(draft(company, 12 * BN))
    Investment.objects.update(amount_usd_at_announcement=15 * BN)  # written outside the services

    assert rebuild_slices.apply().get() == {"status": "succeeded", "slices": 2}
    assert company_totals().total.point == 15 * BN


def test_a_failed_rebuild_after_new_rates_keeps_the_new_conversions_and_the_previous_totals(monkeypatch):
    sample_figures_with_rates()
    chips = Investment.objects.get(company__slug="bytedance", scope=Scope.DOMESTIC)
    before = breakdown(dimension="company", basis=FxBasis.LATEST).bucket("bytedance").measures.point
    day = datetime.date(2026, 11, 27)
    rates_store(
        provider=RateProvider.ECB_BUNDLED,
        rows=[RateRow("EUR", "CNY", day, Decimal("4")), RateRow("EUR", "USD", day, Decimal("1"))],
    )

    def broken():
        raise RuntimeError("worker lost")

    monkeypatch.setattr("capex.conversions.slices_refresh", broken)
    with pytest.raises(RuntimeError):
        conversions_recompute_all(today=day)

    chips.refresh_from_db()
    assert chips.amount_usd_latest == 10 * BN  # the recompute itself committed
    assert breakdown(dimension="company", basis=FxBasis.LATEST).bucket("bytedance").measures.point == before


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the rebuild swaps tables on PostgreSQL; elsewhere it rewrites rows"
)


def table_layout() -> tuple[list, list, str]:
    """The slice table's indexes, constraints and id sequence, as PostgreSQL describes them."""
    table = FigureSlice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexdef", [table])
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        return indexes, constraints, cursor.fetchone()[0]


def table_pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [FigureSlice._meta.db_table])
        return cursor.fetchone()[0]


def published_in_bulk(company, count: int) -> None:
    """Many countable figures at once, converted, as a bulk import would leave them."""
    Investment.objects.bulk_create(
        Investment(
            company=company,
            title=f"Campus {n}",
            announced_on=datetime.date(2025, 1, 21),
            amount=BN + n,
            amount_usd_at_announcement=BN + n,
            amount_usd_latest=BN + n,
            currency="USD",
            state=WorkflowState.PUBLISHED,
        )
        for n in range(count)
    )


@needs_postgresql
def test_a_full_rebuild_leaves_the_table_as_migrations_made_it(company):
    layout = table_layout()
    publish(draft(company, 12 * BN))

    slices_refresh()

    assert table_layout() == layout
    assert any("slice_basis_company" in index for index in layout[0])
    assert company_totals().total.point == 12 * BN
    publish(draft(company, 3 * BN))  # a figure published after the rebuild is numbered and stored as before
    assert company_totals().total.point == 15 * BN
    kept = stored()
    slices_refresh()
    assert stored() == kept


@needs_postgresql
def test_rebuilding_again_and_again_does_not_grow_the_table(company):
    """Every full rebuild writes a new table: the old rows do not linger for a vacuum to clear."""
    published_in_bulk(company, 500)
    slices_refresh()
    pages = table_pages()
    assert FigureSlice.objects.count() == 1000 and pages > 5

    slices_refresh()
    slices_refresh()

    assert table_pages() == pages
    assert company_totals().figure_count == 500


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_figure_deleted_while_the_slices_are_rebuilt_leaves_no_slices_behind(monkeypatch):
    """
    The rebuild has cut a figure's slices into its new table when the figure is deleted: the
    delete waits until the rebuild has swapped the table in, then deletes them there.
    """
    company = CompanyFactory(name="ByteDance", slug="bytedance")
    kept, deleted = publish(draft(company, 12 * BN)), publish(draft(company, 3 * BN))
    filled, go = threading.Event(), threading.Event()
    write_all = slice_service._write_all

    def write_all_then_pause(table):
        written = write_all(table)
        filled.set()
        go.wait(timeout=30)
        return written

    monkeypatch.setattr(slice_service, "_write_all", write_all_then_pause)
    errors = []

    def in_thread(work):
        def run():
            try:
                work()
            except Exception as error:  # reported by the test below
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=run)

    rebuild = in_thread(slices_refresh)
    delete = in_thread(lambda: Investment.objects.filter(pk=deleted.pk).delete())
    rebuild.start()
    assert filled.wait(timeout=30)
    delete.start()
    delete.join(timeout=1)
    waited = delete.is_alive()
    go.set()
    rebuild.join(timeout=30)
    delete.join(timeout=30)

    assert errors == []
    assert waited  # the delete waited for the rebuild
    assert not Investment.objects.filter(pk=deleted.pk).exists()
    assert not FigureSlice.objects.filter(figure_id=deleted.pk).exists()
    assert set(FigureSlice.objects.values_list("figure_id", flat=True)) == {kept.pk}
    assert company_totals().total.point == 12 * BN
