"""
The client's address, the one rule every consumer of it follows: the API throttles
(config.api.throttling, and DRF's NUM_PROXIES), the login lockout (django-axes,
AXES_CLIENT_IP_CALLABLE) and gunicorn's access log (config.access_log).

Without a proxy (TRUSTED_PROXY_COUNT=0, the default) it is the socket address, which a client
cannot forge; X-Forwarded-For is ignored. Behind N trusted proxies each appends the address it
saw to X-Forwarded-For, so the client is the Nth entry from the right; entries further left were
written by the client and are ignored. If the header is shorter than expected, the socket
address is used: never a forged value.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(remote: str | None, forwarded_for: str | None, proxies: int) -> str | None:
    """The client's address from the socket address, the X-Forwarded-For header and the proxy count."""
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]


def client_ip(request: HttpRequest) -> str | None:
    return client_address(
        request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), settings.TRUSTED_PROXY_COUNT
    )
