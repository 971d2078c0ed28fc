"""
Editors enter reported capex for companies that do not file XBRL with the SEC (as drafts);
reviewers publish what someone else entered (filings.services.reported_publish).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Editor": ["view_reportedcapex", "add_reportedcapex", "change_reportedcapex", "view_importrun"],
    "Reviewer": [
        "view_reportedcapex",
        "add_reportedcapex",
        "change_reportedcapex",
        "publish_reportedcapex",
        "view_importrun",
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        permissions = Permission.objects.filter(content_type__app_label="filings", codename__in=codenames)
        for group in Group.objects.filter(name=name):
            group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        permissions = Permission.objects.filter(content_type__app_label="filings", codename__in=codenames)
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("capex", "0003_editorial_groups"),
        ("filings", "0002_reported_capex_updated_by_and_publish_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
