"""
The API documentation pages, served from this site's static files (drf-spectacular-sidecar):
Swagger UI as drf-spectacular ships it, Redoc without the web fonts its template fetches from a
font CDN, so the docs make no request to another host.
"""

from django.http import HttpResponse
from django.template import engines
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

_REDOC_PAGE = engines["django"].from_string(
    """{% extends "drf_spectacular/redoc.html" %}
{% block head %}
<title>{{ title|default:"Redoc" }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; padding: 0; }</style>
{% endblock head %}"""
)


class RedocView(SpectacularRedocView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        context = super().get(request, *args, **kwargs).data
        return HttpResponse(_REDOC_PAGE.render(context, request))
