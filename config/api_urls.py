"""
The REST API, version 1 (/api/v1/). Each app's api/urls.py registers its resources; all of
them share the "api" namespace (`api:investment-detail`). The schema and the docs pages are
in config/urls.py, outside the version prefix.
"""

from django.urls import include, path, re_path
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from config.api.authentication import SessionAuthentication, TokenAuthentication
from config.api.throttling import LoginRateThrottle
from config.api.views import ApiViewMixin

app_name = "api"

RESOURCES = {
    "companies": "api:company-list",
    "investments": "api:investment-list",
    "sources": "api:source-list",
    "publishers": "api:publisher-list",
    "exchange_rates": "api:exchange-rate-list",
    "rate_refreshes": "api:rate-refresh-list",
    "reported": "api:reported-list",
    "stats": "api:stats",
}

# The schema, for programs; the documentation pages, for people.
DESCRIBED_BY = (("api-schema", "service-desc"), ("api-docs", "service-doc"), ("api-redoc", "service-doc"))


class ApiRootView(ApiViewMixin, APIView):
    """
    The resources of the API, with their addresses. The OpenAPI schema is at /api/schema/, its
    documentation at /api/docs/ (Swagger UI) and /api/docs/redoc/ (Redoc).
    """

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {name: serializers.URLField(help_text=f"The {name.replace('_', ' ')} resource.") for name in RESOURCES},
        )
    )
    def get(self, request, *args, **kwargs):
        response = Response({name: reverse(view, request=request) for name, view in RESOURCES.items()})
        # Where the API is described (RFC 8631), beside the resources rather than among them.
        response["Link"] = ", ".join(
            f'<{reverse(view, request=request)}>; rel="{relation}"' for view, relation in DESCRIBED_BY
        )
        return response


class NotFoundView(ApiViewMixin, APIView):
    """Any other address under /api/v1/: a JSON 404, as every API error is JSON."""

    permission_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        raise NotFound("No such API address; see /api/v1/ for the resources.")


class TokenLoginView(ApiViewMixin, knox_views.LoginView):
    """
    Exchange a user's credentials (HTTP Basic) or session for an API token. Only a hash of the
    token is stored; it expires (see `expiry`) and is revoked by `logout/`.
    """

    authentication_classes = [BasicAuthentication, SessionAuthentication]
    throttle_classes = [LoginRateThrottle]

    def initial(self, request, *args, **kwargs):
        # Throttled before the credentials are checked, so guessing passwords is throttled too.
        APIView.check_throttles(self, request)
        super().initial(request, *args, **kwargs)

    def check_throttles(self, request):
        """Done in initial(), ahead of authentication."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "TokenLogin",
            {
                "expiry": serializers.DateTimeField(help_text="When the token stops working."),
                "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown once."),
            },
        ),
    )
    def post(self, request, format=None):
        response = super().post(request, format=format)
        # The answer holds a secret: no browser, proxy or cache may keep it.
        add_never_cache_headers(response)
        return response


class TokenLogoutView(ApiViewMixin, knox_views.LogoutView):
    """Revoke the token this request is made with."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class TokenLogoutAllView(ApiViewMixin, knox_views.LogoutAllView):
    """Revoke every token of the user this request is made for."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("auth/login/", TokenLoginView.as_view(), name="token-login"),
    path("auth/logout/", TokenLogoutView.as_view(), name="token-logout"),
    path("auth/logout-all/", TokenLogoutAllView.as_view(), name="token-logout-all"),
    path("", include("companies.api.urls")),
    path("", include("sources.api.urls")),
    path("", include("currencies.api.urls")),
    path("", include("capex.api.urls")),
    path("", include("filings.api.urls")),
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="not-found"),
]
