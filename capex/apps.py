from django.apps import AppConfig


class CapexConfig(AppConfig):
    name = "capex"
    verbose_name = "Announced investments"

    def ready(self) -> None:
        from capex import signals

        signals.connect()
