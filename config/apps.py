from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project's own settings package, as an app only to connect what every process needs."""

    name = "config"
    verbose_name = "Site"

    def ready(self) -> None:
        from config import db, tokens

        db.connect()
        tokens.connect()
