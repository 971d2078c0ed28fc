import time

from django.core.management.base import BaseCommand, CommandError

from capex.synthetic import SIZES, SyntheticData, SyntheticSize


class Command(BaseCommand):
    help = (
        "Write a deterministic synthetic data set for benchmarks (COPY on PostgreSQL). "
        "--size large is 20,000 companies, 1,000,000 figures, 300,000 sources and 1,500,000 "
        "citations; the counts can be set one by one. Run rates_load_bundled after it to convert."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
        parser.add_argument("--companies", type=int)
        parser.add_argument("--figures", type=int)
        parser.add_argument("--sources", type=int)
        parser.add_argument("--citations", type=int)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, size: str, seed: int, **options):
        preset = SIZES[size]
        chosen = SyntheticSize(
            companies=options["companies"] or preset.companies,
            figures=options["figures"] or preset.figures,
            sources=options["sources"] or preset.sources,
            citations=options["citations"] or preset.citations,
        )
        if min(chosen.companies, chosen.figures, chosen.sources) < 1 or chosen.companies < 10:
            raise CommandError("Counts must be positive, with at least 10 companies.")
        started = time.monotonic()
        counts = SyntheticData(chosen, seed=seed).load()
        summary = ", ".join(f"{count:,} {kind}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {summary} in {time.monotonic() - started:.1f} s."))
