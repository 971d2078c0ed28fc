"""
Import and export of companies (CSV, XLSX) through the admin.

A company is identified by its slug, so importing the same file twice changes nothing and a
changed row updates the company it names. A row without a slug gets one from its name. The
parent is named by its slug and must exist already (or come earlier in the same file).
"""

from django.utils.text import slugify
from import_export import fields, resources, widgets

from companies.models import Company
from config.import_preview import PreviewDiffMixin


class CompanyBySlugWidget(widgets.ForeignKeyWidget):
    """A company named by its slug; an unknown slug is an error on the row, naming the slug."""

    def __init__(self, **kwargs):
        super().__init__(Company, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip() if isinstance(value, str) else value
        if not value:
            return None
        try:
            return Company.objects.get(slug=value)
        except Company.DoesNotExist:
            raise ValueError(f"No company with the slug “{value}”; import or add it first.") from None


class CompanyResource(PreviewDiffMixin, resources.ModelResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=CompanyBySlugWidget())

    class Meta:
        model = Company
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "legal_name",
            "aliases",
            "country",
            "parent",
            "kind",
            "ticker",
            "website",
            "description",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        """A sheet without a slug column gets one; its slugs come from the names."""
        if dataset.headers and "slug" not in dataset.headers:
            dataset.append_col([""] * len(dataset), header="slug")

    def before_import_row(self, row, **kwargs):
        """A row without a slug gets one from its name, so a hand-made sheet needs no slugs."""
        slug = str(row.get("slug") or "").strip()
        name = str(row.get("name") or "").strip()
        row["slug"] = slug or slugify(name)

    def dehydrate_country(self, company: Company) -> str:
        return company.country.code or ""
