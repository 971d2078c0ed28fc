from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("", include("capex.urls")),
    path("companies/", include("companies.urls")),
    path("sources/", include("sources.urls")),
]
