"""
The client's address for the login lockout (django-axes, AXES_CLIENT_IP_CALLABLE).

Without a proxy (TRUSTED_PROXY_COUNT=0) it is the socket address, which a client cannot forge.
Behind N trusted proxies each appends the address it saw to X-Forwarded-For, so the client is
the Nth entry from the right; entries further left were written by the client and are ignored.
If the header is shorter than expected, the socket address is used: never a forged value.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]
