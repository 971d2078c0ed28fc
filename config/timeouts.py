"""
A web request's queries are bounded (`statement_timeout`, DATABASE_STATEMENT_TIMEOUT_MS, 30 s by
default; jobs run with a longer one, see bin/worker): a query past it is cancelled by PostgreSQL,
which frees the web worker and the database workers, and the reader gets a clear 503 that says
to narrow the request, instead of a 500 or an answer that never comes.
"""

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

try:
    from psycopg.errors import QueryCanceled
except ImportError:  # pragma: no cover - psycopg is a requirement; SQLite alone never cancels
    QueryCanceled = None

MESSAGE = (
    "This request took too long to answer and was stopped. Narrow it (for example by company, year or "
    "measure) and try again."
)
RETRY_AFTER_SECONDS = "30"


def is_statement_timeout(error: BaseException) -> bool:
    """Whether PostgreSQL cancelled the request's query (its cause is psycopg's QueryCanceled)."""
    return (
        QueryCanceled is not None
        and isinstance(error, OperationalError)
        and isinstance(getattr(error, "__cause__", None), QueryCanceled)
    )


class StatementTimeoutMiddleware:
    """Turns a cancelled query into a 503: JSON under /api/, a page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": MESSAGE}, status=503)
        else:
            body = render_to_string("503.html", {"message": MESSAGE}, request=request)
            response = HttpResponse(body, status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        response["Cache-Control"] = "no-store"
        return response
