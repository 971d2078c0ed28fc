"""
.env.example lists every variable the settings and gunicorn read, each with a comment, so a
deployment can see every knob in one place.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READERS = ["config/settings.py", "gunicorn.conf.py", "config/access_log.py"]
# env.str("NAME", ...), env.int(...), env.list(...), env("NAME"), os.environ.get("NAME"), os.getenv("NAME")
ENV_READ = re.compile(r'(?:\benv(?:\.\w+)?|os\.environ\.get|os\.getenv|os\.environ\[)\(?\s*"([A-Z][A-Z0-9_]*)"')
# _secret("NAME"): NAME, or a file named by NAME_FILE.
SECRET_READ = re.compile(r'\b_secret\(\s*"([A-Z][A-Z0-9_]*)"')


def variables_read() -> set[str]:
    names: set[str] = set()
    for path in READERS:
        text = (ROOT / path).read_text()
        names |= set(ENV_READ.findall(text))
        for name in SECRET_READ.findall(text):
            names |= {name, f"{name}_FILE"}
    return names


def documented() -> dict[str, str]:
    """Each variable set (or shown commented out) in .env.example, with the comment line above it."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    found = {}
    for index, line in enumerate(lines):
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            above = lines[index - 1] if index else ""
            found[match.group(1)] = above if above.startswith("#") else ""
    return found


def test_the_parser_finds_the_reads_it_is_meant_to():
    names = variables_read()
    assert {"SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS"} <= names
    assert {"TRUSTED_PROXY_COUNT", "AXES_FAILURE_LIMIT", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT"} <= names


@pytest.mark.parametrize("name", sorted(variables_read()))
def test_every_variable_read_is_in_env_example_with_a_comment(name):
    listed = documented()
    assert name in listed, f"{name} is read by the settings or gunicorn but not listed in .env.example"
    assert listed[name], f"{name} in .env.example has no comment line above it"
