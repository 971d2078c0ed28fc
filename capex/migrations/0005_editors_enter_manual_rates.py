"""
Editors and reviewers enter manual exchange rates, for currencies no provider covers
(currencies.admin allows only the "manual" provider there).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANUAL_RATES = ["add_exchangerate", "change_exchangerate", "delete_exchangerate"]
GROUPS = ["Editor", "Reviewer"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="currencies", codename__in=MANUAL_RATES)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="currencies", codename__in=MANUAL_RATES)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("capex", "0004_performance_indexes"),
        ("currencies", "0002_refresh_conversions_marker_partial_status"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
