"""
manage.py check_postgres_settings: on PostgreSQL it reads autovacuum, the figures' table's
scale factors and the timeouts and says what to change; on SQLite it says there is nothing to check.
"""

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="check_postgres_settings reads PostgreSQL's settings: set DATABASE_URL to a PostgreSQL database",
)


def test_on_sqlite_it_says_there_is_nothing_to_check(tmp_path):
    """Run in a process of its own on a SQLite file, whatever database the suite uses."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check_postgres_settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "not PostgreSQL" in result.stdout
    assert "Nothing to check." in result.stdout


def run_check() -> tuple[str, str | None]:
    """The command's output, and its error when it refused (autovacuum off on this server)."""
    out = StringIO()
    try:
        call_command("check_postgres_settings", stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def server_setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@needs_postgresql
@pytest.mark.django_db
def test_on_postgresql_it_reports_autovacuum_scale_factors_and_timeouts():
    output, error = run_check()
    lines = output.splitlines()
    autovacuum = server_setting("autovacuum")
    label = "ok     " if autovacuum == "on" else "NEEDED "
    assert any(line.startswith(label) and f" autovacuum = {autovacuum}" in line for line in lines), lines
    if autovacuum == "on":
        assert error is None
    else:
        # A server without autovacuum (a test server may switch it off) is refused, naming it.
        assert "autovacuum must be on" in error
    for name in (
        "capex_investment.autovacuum_vacuum_scale_factor",
        "statement_timeout",
        "lock_timeout",
        "idle_in_transaction_session_timeout",
    ):
        assert any(f" {name} = " in line for line in lines), (name, lines)


@needs_postgresql
@pytest.mark.django_db
def test_on_postgresql_a_table_set_as_advised_is_ok_and_one_left_at_the_default_gets_advice():
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE capex_investment RESET (autovacuum_vacuum_scale_factor)")
    assert "ADVICE  capex_investment.autovacuum_vacuum_scale_factor = server default" in run_check()[0]

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE capex_investment SET (autovacuum_vacuum_scale_factor = 0.02)")
    assert "ok      capex_investment.autovacuum_vacuum_scale_factor = 0.02" in run_check()[0]
