"""
The image's build context: `COPY . .` must not carry secrets, local databases, backups or the
virtualenv into the image. .dockerignore is read with Docker's rules for the patterns it uses
(a path, a `*` glob within one path segment, a trailing `**`, `!` to re-include).
"""

import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def excluded(path: str) -> bool:
    """Whether Docker leaves `path` (relative, with /) out of the build context: the last matching rule wins."""
    result = False
    parts = path.split("/")
    # A rule that names a directory excludes everything under it: match the path and its parents.
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in patterns():
        negated = pattern.startswith("!")
        rule = (pattern[1:] if negated else pattern).strip("/")
        if rule.startswith("**/"):
            # At any depth: match the tail of the path (or of a parent) from any segment on.
            rule = rule[3:]
            candidates = ["/".join(prefix.split("/")[start:]) for prefix in prefixes for start in range(len(parts))]
        else:
            candidates = prefixes
        if any(candidate and fnmatch.fnmatchcase(candidate, rule) for candidate in candidates):
            result = not negated
    return result


@pytest.mark.parametrize(
    "path",
    [
        ".git/config",
        ".venv/bin/python",
        ".env",
        ".env.production",
        "db.sqlite3",
        "db.sqlite3-journal",
        "backups/capex-20260101T000000Z.dump",
        "staticfiles/css/site.css",
        "test-artifacts/screenshots/home.png",
        "bench/results/run.json",
        "bench/data/figures.csv",
        "capex/__pycache__/models.cpython-311.pyc",
        "capex/tests/__pycache__/conftest.cpython-311-pytest-9.2.0.pyc",
        ".pytest_cache/v/cache/lastfailed",
        ".ruff_cache/content",
        ".local-admin-password",
    ],
)
def test_secrets_local_data_and_caches_stay_out_of_the_image(path):
    assert excluded(path), f"{path} would be copied into the image"


@pytest.mark.parametrize(
    "path",
    ["manage.py", "requirements.txt", "gunicorn.conf.py", "bin/web", "config/settings.py", ".env.example"],
)
def test_what_the_image_runs_is_kept(path):
    assert not excluded(path), f"{path} would be left out of the image"
