from django.apps import AppConfig


class CapexConfig(AppConfig):
    name = "capex"
    verbose_name = "Announced investments"
