"""
Rate limits for the researcher pages that compute totals or search (the dashboard, companies,
Explore, Compare), per client address as config.client_ip reads it (the same rule as the API's
throttles and the login lockout), so one client cannot slow the site for everyone. Staff are not
limited. The count lives in Django's cache; with the cache down the pages serve unlimited rather
than fail.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

from config.client_ip import client_ip

PERIODS = {"second": 1, "minute": 60, "hour": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/minute" -> (60, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period]


def page_throttled(request, scope: str) -> int | None:
    """Seconds to wait when this client has used up the scope's rate in the current window, else None."""
    if request.user.is_authenticated and request.user.is_staff:
        return None
    allowed, period = parse_rate(settings.PAGE_THROTTLE_RATE)
    window = int(time.time() // period)
    key = f"page-throttle:{scope}:{client_ip(request)}:{window}"
    try:
        cache.add(key, 0, timeout=period + 1)
        used = cache.incr(key)
    except Exception:  # the cache is a convenience here: without it, pages serve unlimited
        return None
    if used > allowed:
        return period - int(time.time()) % period
    return None


def throttled_response(request, wait: int) -> HttpResponse:
    body = render_to_string("429.html", {"wait": wait}, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response
