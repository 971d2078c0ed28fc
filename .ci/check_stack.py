"""
End-to-end check of the production processes that .ci/run starts natively: gunicorn serves
pages, the API, the admin and static files; the worker consumes a refresh sent through Redis
and records it. Usage: python .ci/check_stack.py http://127.0.0.1:8765
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import django

# Run as a script from the repository root: make the project importable for django.setup().
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BASE = sys.argv[1].rstrip("/")


def get(path: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(BASE + path, timeout=10) as response:  # noqa: S310 (our own http URL)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def wait_for_web(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("gunicorn did not answer /healthz in time")


def check(condition: bool, message: str) -> None:
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        sys.exit(1)


def main() -> None:
    wait_for_web(time.monotonic() + 60)

    status, body, _ = get("/readyz")
    check(status == 200, f"/readyz is 200 (got {status}: {body[:200]})")

    status, body, _ = get("/")
    check(status == 200 and "ByteDance" in body, "home page lists ByteDance")

    status, body, _ = get("/api/v1/investments/?company=bytedance&scope=overseas")
    check(status == 200, f"investments API answers (got {status})")
    payload = json.loads(body)
    results = payload.get("results", payload)
    check(any(r["amount"].startswith("6800000000") for r in results), "the $6.8bn overseas figure is in the API")

    status, body, _ = get("/admin/login/")
    check(status == 200 and "csrfmiddlewaretoken" in body, "admin login page is served")

    status, _, _ = get("/static/admin/css/base.css")
    check(status == 200, "static files are served by whitenoise")
    status, _, headers = get("/favicon.ico")
    check(status == 200 and "svg" in headers.get("Content-Type", ""), f"/favicon.ico leads to the icon (got {status})")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from config.celery import app
    from currencies.models import RateRefresh

    before = RateRefresh.objects.count()
    app.send_task("currencies.tasks.refresh_rates", kwargs={"provider": "ecb_bundled"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and RateRefresh.objects.filter(finished_at__isnull=False).count() <= before:
        time.sleep(1)
    latest = RateRefresh.objects.order_by("-started_at").first()
    check(
        latest is not None and RateRefresh.objects.count() > before and latest.status == "succeeded",
        f"the worker ran a refresh sent through Redis ({latest and latest.status})",
    )


if __name__ == "__main__":
    main()
