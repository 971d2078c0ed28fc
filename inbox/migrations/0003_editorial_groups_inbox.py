"""
The inbox belongs to the editorial groups: viewers see feeds, items, candidates and poll runs;
editors and reviewers also register and change feeds, correct candidates and decide on them
(accepting one needs capex's add_investment too, which both have). Nobody deletes an item or a
candidate: a dismissal with its reason is the record.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_feed", "view_feeditem", "view_candidate", "view_pollrun"]
EDIT = ["add_feed", "change_feed", "change_feeditem", "change_candidate"]
GROUPS = {"Viewer": VIEW, "Editor": VIEW + EDIT, "Reviewer": VIEW + EDIT}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="inbox", codename__in=GROUPS[group.name])
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="inbox", codename__in=GROUPS[group.name])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("capex", "0003_editorial_groups"),
        ("inbox", "0002_pollrun_failed"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
