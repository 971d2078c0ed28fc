from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from capex import urls as capex_urls
from config.api.docs import RedocView


class FaviconView(RedirectView):
    """The site icon, for browsers and feed readers that ask for /favicon.ico whatever the page links to."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        # Resolved per request: the hashed name exists only once collectstatic has run.
        return static("img/favicon.svg")


# Swagger UI and Redoc (third-party pages showing only the schema) need inline styles, an inline
# start-up script and blob workers; every other page runs under the strict policy in settings.
_DOCS_CSP = {"style-src": [UNSAFE_INLINE], "script-src": [UNSAFE_INLINE], "worker-src": ["'self'", "blob:"]}

urlpatterns = [
    path("", include("config.health")),
    path("favicon.ico", FaviconView.as_view()),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", csp_update(_DOCS_CSP)(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/docs/redoc/", csp_update(_DOCS_CSP)(RedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("", include("capex.urls")),
    path("companies/", include(capex_urls.company_patterns)),
    path("sources/", include(capex_urls.source_patterns)),
]
