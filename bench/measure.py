"""
The Django side of the benchmark, run against the same database as the server:

    python bench/measure.py plan      -> the URLs of E1..E10 for this data set, and an admin cookie (JSON)
    python bench/measure.py queries   -> queries per request of each URL (JSON), read from stdin
    python bench/measure.py change publish   -> an editor's publish of a figure, through the workflow service
    python bench/measure.py change rates     -> the recompute that new exchange rates start (every figure)

Queries are counted with the test client and CaptureQueriesContext, one warm-up request first,
so the count is that of a request served by a warm worker (caches filled as in production).
Anonymous answers are counted as built (`Cache-Control: no-cache`, as bench/run measures E1-E4,
E6 and E9), except under names ending in " cached", which count an answer from the shared cache.
"""

import base64
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from capex.conversions import conversions_recompute_all  # noqa: E402
from capex.models import Company, Investment  # noqa: E402
from capex.services.workflow import investment_publish, investment_return_to_draft  # noqa: E402

SCOPE = "domestic"
EXPORT_ROWS = 100_000
ADMIN_USERNAME = "bench-admin"
# Measured built: the client sends `Cache-Control: no-cache`, so the app computes the answer.
BUILT = {"E1", "E2", "E3", "E4", "E6", "E9", "E10"}


def _cursor(position: str) -> str:
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def plan() -> dict:
    public = Investment.objects.published().current()
    listed = public.filter(scope=SCOPE).order_by("-announced_on", "-id")
    total = listed.count()
    deep = listed.values_list("announced_on", flat=True)[total // 2] if total else None
    top_company = (
        public.values("company__slug").order_by().annotate(n=django.db.models.Count("id")).order_by("-n").first()
    )
    year = (
        public.order_by()
        .values("announced_on__year")
        .annotate(n=django.db.models.Count("id"))
        .order_by("-n")
        .values_list("announced_on__year", flat=True)
        .first()
    )
    ordered = public.order_by("-announced_on").values_list("announced_on", flat=True)
    public_count = public.count()
    export_from = ordered[min(EXPORT_ROWS, public_count - 1)]
    export_count = public.filter(announced_on__gte=export_from).count()
    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.com"}
    )
    client = Client()
    client.force_login(admin)
    e1 = f"/api/v1/investments/?scope={SCOPE}&page_size=50"
    # Explore's text search for a company's name as a reader types it ("Company 123" finds 123, 1230-1239...).
    searched = Company.objects.get(slug=top_company["company__slug"]).name.removeprefix("Synthetic ")
    return {
        "figures": Investment.objects.count(),
        "public_figures": public_count,
        "e1_rows": total,
        "e3_depth": total // 2,
        "export_rows": export_count,
        "company": top_company["company__slug"],
        "company_figures": top_company["n"],
        "year": year,
        "admin_cookie": f"sessionid={client.cookies['sessionid'].value}",
        "urls": {
            "E1": e1,
            "E2": f"{e1}&category=chips&currency=USD&workload=training",
            "E3": f"{e1}&cursor={_cursor(deep.isoformat())}" if deep else e1,
            "E4": f"/companies/{top_company['company__slug']}/",
            "E5": f"/api/v1/stats/?group_by=company&announced_from={year}-01-01&announced_to={year}-12-31",
            "E6": "/",
            "E7": f"/api/v1/investments/export/?announced_from={export_from.isoformat()}",
            "E8": "/admin/capex/investment/",
            "E9": "/api/v1/stats/?group_by=company",
            "E10": f"/explore/?{urlencode({'q': searched})}",
        },
    }


def change(kind: str) -> dict:
    """
    The two changes after which every cached answer is stale, made as production makes them;
    returns how long the change took, in seconds. "publish": the newest published headline of
    the company with most figures goes back to draft and is published again (each step through
    the workflow service, which rewrites that company's slices and rollups in its transaction),
    so the data set is unchanged afterwards. "rates": the full recompute that a rate refresh
    starts (every conversion, then every slice and rollup).
    """
    started = time.monotonic()
    if kind == "publish":
        company = (
            Investment.objects.published()
            .values("company_id")
            .order_by()
            .annotate(n=django.db.models.Count("id"))
            .order_by("-n")
            .values_list("company_id", flat=True)
            .first()
        )
        figure = (
            Investment.objects.published()
            .filter(company_id=company, parent__isnull=True)
            .order_by("-announced_on", "-id")
            .first()
        )
        investment_return_to_draft(investment=figure, by=None, reason="Benchmark: publish again")
        started = time.monotonic()
        investment_publish(investment=figure, by=None)
    elif kind == "rates":
        if conversions_recompute_all() is None:
            sys.exit("Another full recompute holds the lock; try again when it is done.")
    else:
        sys.exit(f"Unknown change {kind!r}: publish or rates.")
    return {"change": kind, "seconds": round(time.monotonic() - started, 2)}


def queries(urls: dict) -> dict:
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    anonymous, staff = Client(), Client()
    staff.force_login(admin)
    result = {}
    for name, url in urls.items():
        client = staff if url.startswith("/admin/") else anonymous
        headers = {"HTTP_HOST": "localhost"}
        if name in BUILT:
            headers["HTTP_CACHE_CONTROL"] = "no-cache"
        client.get(url, **headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
            if getattr(response, "streaming", False):
                for _ in response.streaming_content:
                    pass
        result[name] = {"status": response.status_code, "queries": len(captured.captured_queries)}
    return result


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        print(json.dumps(plan()))
    elif sys.argv[1] == "change":
        print(json.dumps(change(sys.argv[2])))
    else:
        print(json.dumps(queries(json.load(sys.stdin))))
