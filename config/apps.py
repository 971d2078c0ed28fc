from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project's own settings package, as an app so its management commands and templates are found."""

    name = "config"
    verbose_name = "Site"

    def ready(self) -> None:
        from config import tokens

        tokens.connect()
