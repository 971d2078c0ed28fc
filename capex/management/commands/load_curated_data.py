"""
`manage.py load_curated_data [DIRECTORY]`: load the curated dataset (capex/data/*.yaml).

Idempotent: a second run changes nothing. The whole dataset is checked before anything is
written; problems are listed with their file and figure, and the database is left as it was.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capex.curated import DATA_DIR, DatasetError, dataset_load, dataset_read


class Command(BaseCommand):
    help = "Load the curated dataset of announced figures, idempotently."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(DATA_DIR), help="Folder of YAML files.")

    def handle(self, *args, directory: str, **options):
        path = Path(directory)
        if not path.is_dir():
            raise CommandError(f"No such folder: {directory}")
        try:
            dataset = dataset_read(path)
        except DatasetError as error:
            raise CommandError("The dataset has problems; nothing was loaded:\n" + "\n".join(error.problems)) from None
        result = dataset_load(dataset)
        self.stdout.write(
            f"Curated data: {len(dataset.figures)} figures in {len({f.file for f in dataset.figures.values()})} "
            f"files; {result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
            f"{result.companies} new companies, {result.publishers} new publishers, {result.sources} new sources."
        )
