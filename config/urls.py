from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from capex import urls as capex_urls
from config.api.docs import RedocView

urlpatterns = [
    path("", include("config.health")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/docs/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("capex.urls")),
    path("companies/", include(capex_urls.company_patterns)),
    path("sources/", include(capex_urls.source_patterns)),
]
