"""
The editorial groups: Viewer, Editor and Reviewer.

* Viewer sees everything in the admin and changes nothing.
* Editor adds and changes companies, publishers, sources, figures and citations (and removes
  a wrong citation from a draft), and sends drafts for review.
* Reviewer has the editor's rights and publishes figures in review or returns them to draft.

The four-eyes rule (nobody publishes a figure they created or last changed) is enforced by
capex.services.workflow, not by permissions. Running this again leaves the groups as listed
here; reversing it deletes the three groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = [
    ("companies", "view_company"),
    ("sources", "view_publisher"),
    ("sources", "view_source"),
    ("capex", "view_investment"),
    ("capex", "view_citation"),
    ("currencies", "view_exchangerate"),
    ("currencies", "view_raterefresh"),
]
EDIT = [
    ("companies", "add_company"),
    ("companies", "change_company"),
    ("sources", "add_publisher"),
    ("sources", "change_publisher"),
    ("sources", "add_source"),
    ("sources", "change_source"),
    ("capex", "add_investment"),
    ("capex", "change_investment"),
    ("capex", "add_citation"),
    ("capex", "change_citation"),
    ("capex", "delete_citation"),
    ("capex", "submit_investment"),
]
REVIEW = [
    ("capex", "publish_investment"),
    ("capex", "return_investment"),
]
GROUPS = {
    "Viewer": VIEW,
    "Editor": VIEW + EDIT,
    "Reviewer": VIEW + EDIT + REVIEW,
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); create them
    # now so the groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for app_label, codename in codes:
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("companies", "0001_initial"),
        ("sources", "0001_initial"),
        ("currencies", "0001_initial"),
        ("capex", "0002_investment_workflow_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
