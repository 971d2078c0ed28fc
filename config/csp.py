"""
django-csp's middleware, with the site-wide policy built once.

The middleware builds the Content-Security-Policy header for every response from the settings,
twice (enforced and report-only), though almost every response carries the same policy: about a
tenth of a cached API answer's time. Here the header of a response that changes nothing (no
per-view `csp_update`/`csp_replace`/`csp_exempt`, no nonce asked for) comes from a copy built
once and dropped whenever a setting changes; any other response goes through django-csp as it is.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view sets on its response to change or drop the policy (csp.decorators).
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
_built: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_policies(**kwargs) -> None:
    _built.clear()


def _policy(report_only: bool) -> str:
    if report_only not in _built:
        _built[report_only] = build_policy(report_only=report_only)
    return _built[report_only]


def _excluded(request, setting: str) -> bool:
    prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
    return request.path_info.startswith(tuple(prefixes))


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(self, request, response):
        nonce_asked = bool(getattr(request, "_csp_nonce", None))
        if nonce_asked or any(hasattr(response, name) for name in _PER_RESPONSE):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (500, 404):
            return response  # django-csp leaves Django's debug pages alone
        for report_only, header, setting in (
            (False, HEADER, "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _policy(report_only)
            if policy and header not in response and not _excluded(request, setting):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
