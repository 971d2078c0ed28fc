"""
Request rates for anonymous and signed-in clients (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

DRF's throttles read the rates once, when the class is defined; these read them on every
request, so a changed setting (an environment value at start, a test's override) applies.

DRF keeps, per client, the list of its request times in the cache, reads and rewrites the whole
list on every request, and loses counts when two workers do so at once. These count instead:
one atomic count per request on a counter that lives for one period from the client's first
request in it (one round trip on Redis: `FailOpenRedisCache.count`), so a throttle costs the same
at 120 or at a million requests a minute. When the cache is down the request is let through
(config.cache).
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from config.client_ip import client_ip


class _CountingThrottleMixin:
    def get_ident(self, request):
        """The client address by the same rule as the login lockout and the access log."""
        return client_ip(request)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.counter(request, view) is None:
            return True
        return self.allow_counted(self._count())

    def counter(self, request, view) -> tuple[str, int] | None:
        """
        The counter this request adds to and the length of its period in seconds, or None when
        this throttle does not apply to it. A view may count it itself, in the same cache round
        trip as other reads (`config.api.views.ApiViewMixin.check_throttles`), then ask
        `allow_counted`.
        """
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return None
        return self.key, self.duration

    def allow_counted(self, count: int | None) -> bool:
        """Whether a request is let through once its counter (see `counter`) reads `count`."""
        self.now = self.timer()
        if count is None:
            return True  # the cache is down, or the period ended between two calls
        if count == 1:
            self.cache.set(f"{self.key}:since", self.now, self.duration)
        if count > self.num_requests:
            return self.throttle_failure()
        return True

    def _count(self) -> int | None:
        if hasattr(self.cache, "count"):  # Redis: one atomic round trip (config.cache)
            return self.cache.count(self.key, self.duration)
        if self.cache.add(self.key, 1, self.duration):
            return 1
        try:
            return self.cache.incr(self.key)
        except ValueError:
            return None

    def wait(self):
        since = self.cache.get(f"{self.key}:since")
        if since is None:
            return self.duration
        return max(since + self.duration - self.now, 1)


class AnonRateThrottle(_CountingThrottleMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_CountingThrottleMixin, throttling.UserRateThrottle):
    """Signed-in clients, by user; anonymous ones are counted by AnonRateThrottle alone."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class LoginRateThrottle(_CountingThrottleMixin, throttling.SimpleRateThrottle):
    """
    Token logins per client address. Checked before the credentials are, so guessing
    passwords is throttled too (DRF checks throttles only after authentication succeeds).
    """

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
