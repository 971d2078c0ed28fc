"""
Saves and deletes of reported capex move the data version of config.cache, whatever path made
them (the weekly import, an editor in the admin, a publish), so a cached company page, dashboard
or API answer never outlives a change to the figures it shows.
"""

from django.db.models.signals import post_delete, post_save

from config.cache import data_version_bump


def _changed(sender, **kwargs) -> None:
    data_version_bump()


def connect() -> None:
    from filings.models import ReportedCapex

    post_save.connect(_changed, sender=ReportedCapex, dispatch_uid="filings-reported-save")
    post_delete.connect(_changed, sender=ReportedCapex, dispatch_uid="filings-reported-delete")
