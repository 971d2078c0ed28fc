"""
What every web worker would otherwise do on its first requests, done once in the gunicorn master
before it forks workers (`preload_app`), so that a worker recycled under load answers its first
request as fast as its thousandth: import every view through the URLconf and compile the site's
templates. Otherwise the first requests of a fresh
worker wait for this, and requests queue behind them.

Nothing here opens a database or cache connection: connections must not cross a fork.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import engines
from django.urls import get_resolver


def _template_names() -> list[str]:
    """The project's own templates: templates/ and those of the apps that are folders of the project."""
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [
        Path(app.path) / "templates" for app in apps.get_app_configs() if Path(app.path).parent == settings.BASE_DIR
    ]
    names = []
    for folder in folders:
        if folder.is_dir():
            names += [str(path.relative_to(folder)) for path in sorted(folder.rglob("*.html"))]
    return names


def warm() -> dict[str, int]:
    """Load what the first requests of a worker would; returns how much, for the log."""
    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018 (populates the resolver, importing every view)
    engine = engines["django"]
    templates = 0
    for name in _template_names():
        engine.get_template(name)
        templates += 1
    return {"url_patterns": len(resolver.url_patterns), "templates": templates}
