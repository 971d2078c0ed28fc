"""
Saves and deletes that change what pages and the API show move the data version of
config.cache, whatever path made them (services, the admin, fixtures), so no cached answer
outlives them. Bulk writes that send no signals (COPY, `update()`) call `data_version_bump()`
themselves (capex.services.slices, capex.conversions, the synthetic loader through slices).

A delete of a figure or a company also waits for a full rebuild of the stored slices that is
under way (capex.services.slices.wait_for_rebuild), and a deleted figure's company has its
rollups of totals recomputed in the deleting transaction (capex.services.rollups).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from config.cache import data_version_bump


def _changed(sender, **kwargs) -> None:
    data_version_bump()


def connect() -> None:
    from capex.models import Citation, Investment
    from companies.models import Company
    from sources.models import Publisher, Source

    for model in (Investment, Citation, Company, Source, Publisher):
        post_save.connect(_changed, sender=model, dispatch_uid=f"aggregates-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"aggregates-delete-{model._meta.label}")
    from capex.services.slices import wait_for_rebuild

    for model in (Investment, Company):  # the models whose deletion deletes stored slices
        pre_delete.connect(wait_for_rebuild, sender=model, dispatch_uid=f"slices-delete-{model._meta.label}")
    from capex.services.rollups import refresh_after_delete

    post_delete.connect(refresh_after_delete, sender=Investment, dispatch_uid="rollups-delete-investment")
    for relation in (Investment.partners, Investment.chip_vendors):
        m2m_changed.connect(_changed, sender=relation.through, dispatch_uid=f"aggregates-m2m-{relation.field.name}")
