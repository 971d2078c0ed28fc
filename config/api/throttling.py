"""
Request rates for anonymous and signed-in clients (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

DRF's throttles read the rates once, when the class is defined; these read them on every
request, so a changed setting (an environment value at start, a test's override) applies.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_LiveRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_LiveRateMixin, throttling.UserRateThrottle):
    pass


class LoginRateThrottle(_LiveRateMixin, throttling.SimpleRateThrottle):
    """
    Token logins per client address. Checked before the credentials are, so guessing
    passwords is throttled too (DRF checks throttles only after authentication succeeds).
    """

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
