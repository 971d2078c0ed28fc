"""manage.py check_postgres_settings: the PostgreSQL settings production needs, as the server has them."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.postgres_settings import postgres_findings


class Command(BaseCommand):
    help = (
        "Read autovacuum, track_counts, the figures' table's autovacuum scale factors and the statement, "
        "lock and idle-transaction timeouts from the PostgreSQL server, and say what to change. Fails "
        "when autovacuum cannot run; the rest is advice. On SQLite there is nothing to check."
    )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write(
                f"check_postgres_settings: the database is {connection.display_name}, not PostgreSQL; "
                "these settings apply to PostgreSQL only. Nothing to check."
            )
            return
        findings = postgres_findings()
        for finding in findings:
            if finding.ok:
                self.stdout.write(f"ok      {finding.name} = {finding.value}")
            else:
                label = "NEEDED " if finding.required else "ADVICE "
                self.stdout.write(f"{label} {finding.name} = {finding.value}: {finding.advice}")
        missing = [finding.name for finding in findings if finding.required and not finding.ok]
        if missing:
            raise CommandError(f"PostgreSQL is not ready for production: {', '.join(missing)} must be on.")
        advised = sum(1 for finding in findings if not finding.ok)
        self.stdout.write(
            f"PostgreSQL settings checked: {len(findings) - advised} as advised, {advised} with advice above."
        )
