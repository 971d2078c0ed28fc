from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "Reported spending (filings)"

    def ready(self) -> None:
        from filings import signals

        signals.connect()
