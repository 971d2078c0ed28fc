"""
Request rates for anonymous and signed-in clients (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]):
DRF's throttles on Django's cache. When the cache is down they let every request through
(config.cache fails open: no history read, none written).

DRF reads the rates once, when the class is defined; `get_rate` (DRF's documented hook) reads
them on every request, so a changed setting (an environment value at start, a test's override)
applies.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from config.client_ip import client_ip


class SettingsRateMixin:
    def get_ident(self, request):
        """The client address by the same rule as the login lockout and the access log (DRF's documented hook)."""
        return client_ip(request)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Signed-in clients, by user; anonymous ones are counted by AnonRateThrottle alone."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class LoginRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """
    Token logins per client address. Checked before the credentials are, so guessing
    passwords is throttled too (DRF checks throttles only after authentication succeeds).
    """

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
