"""
Data safety. `make backup` / `make restore` round-trip the PostgreSQL database without losing
a row or a byte: every table's row count and a checksum of its full content match after a
restore into an empty database and after a restore over a damaged one. And the deletes that
would orphan citations or figures are refused by PROTECT.

The round trip needs PostgreSQL (pg_dump/pg_restore); CI runs it there and forbids skips.
"""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.models import ProtectedError

from capex.models import Citation, Investment
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.personas import sample_figures_with_rates
from companies.models import Company
from sources.models import Publisher, Source

ROOT = Path(__file__).resolve().parents[2]

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="make backup / make restore use pg_dump and pg_restore: set DATABASE_URL to a PostgreSQL database",
)


def database_url(name: str) -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{name}"
    )


def make(target: str, url: str, backup: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DATABASE_URL_FILE", None)
    return subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", target, f"BACKUP={backup}"],  # noqa: S607 (make from PATH, as the README says)
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and an md5 of all its rows, in a stable order."""
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        result = {}
        for table in tables:
            ident = psycopg.sql.Identifier(table)
            query = psycopg.sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {} AS t"
            ).format(ident)
            count, digest = conn.execute(query).fetchone()
            result[table] = (count, digest)
        return result


@pytest.fixture
def scratch_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"capex_restore_{uuid.uuid4().hex[:12]}"
    admin_url = database_url("postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    yield database_url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


@pytest.fixture
def data():
    """The sample data with rates and conversions, plus text that stresses encodings."""
    sample_figures_with_rates()
    figure = Investment.objects.filter(citations__isnull=False).first()
    CitationFactory(investment=figure, quote="字节跳动 — مركز بيانات\ttab\nnewline 'quote' \"double\" \\ back")
    return figure


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_every_row_and_byte(data, scratch_database, tmp_path):
    source_url = database_url(connection.settings_dict["NAME"])
    before = fingerprint(source_url)
    backup = tmp_path / "capex.dump"

    made = make("backup", source_url, backup)
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0
    restored = make("restore", scratch_database, backup)
    assert restored.returncode == 0, restored.stderr

    after = fingerprint(scratch_database)
    assert set(after) == set(before)
    assert after == before
    assert before["capex_investment"][0] > 0
    assert before["capex_citation"][0] > 0
    assert before["currencies_exchangerate"][0] > 0


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_restore_over_a_damaged_database_brings_back_what_was_lost(data, tmp_path):
    url = database_url(connection.settings_dict["NAME"])
    before = fingerprint(url)
    backup = tmp_path / "capex.dump"
    assert make("backup", url, backup).returncode == 0

    # The damage: figures deleted, a company renamed.
    Citation.objects.all().delete()
    Investment.objects.filter(parent__isnull=False).delete()
    Company.objects.filter(slug="bytedance").update(name="Vandalised")
    assert fingerprint(url) != before
    connection.close()

    restored = make("restore", url, backup)
    assert restored.returncode == 0, restored.stderr
    assert fingerprint(url) == before
    # Sequences came back too: new rows get fresh ids.
    company = Company.objects.create(name="After restore", slug="after-restore", country="DE")
    assert company.pk > max(Company.objects.exclude(pk=company.pk).values_list("pk", flat=True))


def test_restore_names_the_missing_backup(tmp_path):
    result = subprocess.run(
        ["make", "--no-print-directory", "restore"],  # noqa: S607
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "make restore BACKUP=" in result.stderr


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": "sqlite:///db.sqlite3"}
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "backup", f"BACKUP={tmp_path / 'x.dump'}"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr
    assert not (tmp_path / "x.dump").exists()


# --- PROTECT: nothing cited or built upon is deleted from under it ---------------------------------


@pytest.mark.django_db
def test_a_cited_source_cannot_be_deleted():
    citation = CitationFactory()
    with pytest.raises(ProtectedError):
        citation.source.delete()
    assert Citation.objects.filter(pk=citation.pk).exists()


@pytest.mark.django_db
def test_a_publisher_with_sources_cannot_be_deleted():
    source = CitationFactory().source
    with pytest.raises(ProtectedError):
        source.publisher.delete()
    assert Source.objects.filter(pk=source.pk).exists()
    assert Publisher.objects.filter(pk=source.publisher_id).exists()


@pytest.mark.django_db
def test_a_company_with_figures_cannot_be_deleted():
    figure = PublishedInvestmentFactory()
    with pytest.raises(ProtectedError):
        figure.company.delete()
    assert Investment.objects.filter(pk=figure.pk).exists()


@pytest.mark.django_db
def test_a_figure_with_components_or_revisions_cannot_be_deleted():
    headline = InvestmentFactory()
    InvestmentFactory(company=headline.company, parent=headline)
    with pytest.raises(ProtectedError):
        headline.delete()
    older = InvestmentFactory()
    InvestmentFactory(company=older.company, supersedes=older)
    with pytest.raises(ProtectedError):
        older.delete()
    assert Investment.objects.filter(pk__in=[headline.pk, older.pk]).count() == 2


@pytest.mark.django_db
def test_the_admin_refuses_to_delete_a_cited_source(client):
    from django.contrib.auth import get_user_model

    citation = CitationFactory()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw-long-enough-1"))
    response = client.post(f"/admin/sources/source/{citation.source_id}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete source" in response.content.decode()
    assert Source.objects.filter(pk=citation.source_id).exists()
