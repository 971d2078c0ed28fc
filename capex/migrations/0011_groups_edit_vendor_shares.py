"""
Vendor shares are part of a figure: viewers see them, editors and reviewers enter them, as they
do citations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Viewer": ["view_vendorshare"],
    "Editor": ["view_vendorshare", "add_vendorshare", "change_vendorshare", "delete_vendorshare"],
    "Reviewer": ["view_vendorshare", "add_vendorshare", "change_vendorshare", "delete_vendorshare"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="capex", codename__in=GROUPS[group.name])
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="capex", codename__in=GROUPS[group.name])
        )


class Migration(migrations.Migration):
    dependencies = [("capex", "0010_figure_measure_vendor_shares_dataset_keys")]

    operations = [migrations.RunPython(grant, revoke)]
