"""
The PostgreSQL settings production needs, read from the server the app is connected to
(`manage.py check_postgres_settings`; the README's production section says why each matters).

The recompute after new rates rewrites every figure's conversions once a day, so the figures'
table produces a table's worth of dead row versions daily: autovacuum must run (it needs
track_counts), and on the figures' table it should start well before PostgreSQL's default of a
fifth of the table has changed. Timeouts keep one stuck statement, lock or idle transaction from
holding up every reader.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import connection

# The most a per-table autovacuum/analyze scale factor should be on the figures' table.
SCALE_FACTOR_LIMIT = 0.05


@dataclass(frozen=True)
class Finding:
    name: str
    value: str
    ok: bool
    required: bool
    advice: str = ""


def _show(cursor, name: str) -> str:
    cursor.execute(f"SHOW {name}")  # a fixed name from this module, never user input
    return cursor.fetchone()[0]


def _reloptions(cursor, table: str) -> dict[str, str]:
    cursor.execute("SELECT reloptions FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    options = (row[0] if row else None) or []
    return dict(option.split("=", 1) for option in options)


def postgres_findings() -> list[Finding]:
    """What the connected PostgreSQL server has, each against what production needs."""
    figures = apps.get_model("capex", "Investment")._meta.db_table
    findings = []
    with connection.cursor() as cursor:
        for name in ("autovacuum", "track_counts"):
            value = _show(cursor, name)
            findings.append(
                Finding(name, value, value == "on", True, f"set {name} = on in postgresql.conf: autovacuum needs it")
            )
        options = _reloptions(cursor, figures)
        for option in ("autovacuum_vacuum_scale_factor", "autovacuum_analyze_scale_factor"):
            value = options.get(option)
            findings.append(
                Finding(
                    f"{figures}.{option}",
                    value or "server default",
                    value is not None and float(value) <= SCALE_FACTOR_LIMIT,
                    False,
                    f"ALTER TABLE {figures} SET ({option} = 0.02);",
                )
            )
        for name, suggested in (
            ("statement_timeout", "5min"),
            ("lock_timeout", "10s"),
            ("idle_in_transaction_session_timeout", "5min"),
        ):
            value = _show(cursor, name)
            findings.append(
                Finding(
                    name,
                    value,
                    value not in ("0", "0ms"),
                    False,
                    f"ALTER ROLE <app role> SET {name} = '{suggested}'; (0 means no limit)",
                )
            )
    return findings
