"""The benchmark data generator: deterministic, sized as asked, and valid by the model's own rules."""

import pytest
from django.db import connection

from capex.models import Citation, FigureSlice, Investment
from capex.selectors import company_totals
from capex.synthetic import SyntheticData, SyntheticSize
from companies.models import Company

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="VACUUM and the visibility map are PostgreSQL's: set DATABASE_URL"
)

SIZE = SyntheticSize(companies=20, figures=300, sources=50, citations=450)


def _fingerprint():
    return list(Investment.objects.order_by("id").values_list("company_id", "amount", "currency", "parent_id"))


def test_generates_the_requested_counts():
    counts = SyntheticData(SIZE, seed=7).load()
    assert counts["companies"] == Company.objects.count() == 20
    assert counts["investments"] == Investment.objects.count() == 300
    assert Citation.objects.count() == counts["citations"]
    assert 400 <= counts["citations"] <= 450
    assert Investment.objects.filter(parent__isnull=False).exists()
    assert Investment.objects.filter(supersedes__isnull=False).exists()
    assert Investment.objects.filter(amount_high__isnull=False).exists()
    assert Investment.objects.values("currency").distinct().count() > 5


def test_same_seed_gives_the_same_data():
    SyntheticData(SIZE, seed=7).load()
    first = _fingerprint()
    Citation.objects.all().delete()
    Investment.objects.filter(parent__isnull=False).delete()
    Investment.objects.filter(supersedes__isnull=False).delete()
    Investment.objects.all().delete()
    Company.objects.all().delete()
    SyntheticData(SIZE, seed=7).load()
    second = _fingerprint()
    offset = second[0][0] - first[0][0]
    assert [(c - offset, a, cur) for c, a, cur, _ in second] == [(c, a, cur) for c, a, cur, _ in first]


def test_generated_figures_pass_validation_and_totals_run():
    SyntheticData(SIZE, seed=7).load()
    for investment in Investment.objects.order_by("?")[:25]:
        investment.full_clean()
    assert company_totals().figure_count == 0  # nothing converted yet: reported, not counted as zero
    assert company_totals().unconverted


def _pages(model) -> tuple[int, int]:
    """The table's pages, and those its visibility map marks all-visible (as the last vacuum left them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_committed_load_leaves_its_tables_vacuumed_for_index_only_scans():
    SyntheticData(SIZE, seed=7).load()

    for model in (Investment, Citation, FigureSlice, Company):
        pages, visible = _pages(model)
        assert pages > 0
        assert visible == pages, model


@ON_POSTGRESQL
def test_a_load_inside_a_callers_transaction_is_analysed_not_vacuumed():
    SyntheticData(SIZE, seed=7).load()

    pages, visible = _pages(Investment)
    assert pages > 0  # the statistics of ANALYZE
    assert visible == 0
