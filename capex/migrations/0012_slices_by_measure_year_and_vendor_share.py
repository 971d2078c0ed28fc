"""
Slices carry the headline's measure, the calendar year they fall in (each figure spread over
its period), whether the headline's high bound is open, and their vendor bucket. The stored
slices of the earlier shape cannot be completed here: they are deleted, and the release step
(`manage.py slices_rebuild --if-empty`) cuts them again.
"""

from django.db import migrations, models


def forget_slices(apps, schema_editor):
    apps.get_model("capex", "FigureSlice").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("capex", "0011_groups_edit_vendor_shares")]

    operations = [
        migrations.RunPython(forget_slices, migrations.RunPython.noop),
        migrations.AddField(
            model_name="figureslice",
            name="vendor_kind",
            field=models.CharField(
                default="unspecified",
                help_text="share (one vendor's stated share), group (a group's shared share), unallocated, unspecified.",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="figureslice",
            name="measure",
            field=models.CharField(
                choices=[
                    ("ai_investment", "AI investment"),
                    ("total_capex", "Total capital expenditure"),
                    ("programme", "Programme (multi-party or national)"),
                    ("equity_commitment", "Equity or financing commitment"),
                    ("other", "Other (purchase or compute contracts)"),
                ],
                default="ai_investment",
                help_text="The headline's measure.",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="figureslice",
            name="year",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="The calendar year this part falls in, spread over the period."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="figureslice",
            name="high_open",
            field=models.BooleanField(default=False, help_text='The headline says "at least": its high bound is open.'),
        ),
        migrations.AlterField(
            model_name="figureslice",
            name="vendors",
            field=models.CharField(
                blank=True,
                help_text="Ids of the vendors of this part's bucket (see vendor_kind), ascending, joined by commas.",
                max_length=500,
            ),
        ),
        migrations.AddIndex(
            model_name="figureslice",
            index=models.Index(fields=["basis", "measure", "year"], name="slice_basis_measure_year"),
        ),
    ]
