"""
Import and export of sources (CSV, XLSX) through the admin.

A source is identified by its normalised URL, or, where it has none (the exact address is
not known), by title, publisher and published date; importing the same file twice changes
nothing. The publisher is named by its name and must exist. The private full text is neither
exported nor imported.
"""

from django.db.models import Q
from import_export import fields, resources, widgets

from config.import_preview import PreviewDiffMixin
from sources.models import Publisher, Source
from sources.urls_normalize import normalize_url


class PublisherByNameWidget(widgets.ForeignKeyWidget):
    """A publisher named by its name (case-insensitive); an unknown name is an error on the row."""

    def __init__(self, **kwargs):
        super().__init__(Publisher, field="name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        try:
            return Publisher.objects.get(name__iexact=value)
        except Publisher.DoesNotExist:
            raise ValueError(f"No publisher named “{value}”; add it first.") from None


class SourceResource(PreviewDiffMixin, resources.ModelResource):
    publisher = fields.Field(attribute="publisher", column_name="publisher", widget=PublisherByNameWidget())

    class Meta:
        model = Source
        import_id_fields = ["url"]
        fields = [
            "url",
            "title",
            "publisher",
            "authors",
            "published_on",
            "accessed_on",
            "language",
            "kind",
            "paywalled",
            "archived_url",
            "notes",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        """Normalise the URL before it is looked up, so a pasted tracking link finds its source."""
        if "url" in row:
            row["url"] = normalize_url(str(row.get("url") or ""))

    def get_instance(self, instance_loader, row):
        """By URL where there is one; otherwise by title, publisher and published date."""
        url = row.get("url") or ""
        if url:
            return Source.objects.filter(url=url).first()
        title = str(row.get("title") or "").strip()
        if not title:
            return None
        lookup = Q(url="", title=title)
        try:
            published_on = self.fields["published_on"].clean(row)
        except (KeyError, ValueError):
            return None
        lookup &= Q(published_on=published_on)
        publisher_name = str(row.get("publisher") or "").strip()
        lookup &= Q(publisher__name__iexact=publisher_name) if publisher_name else Q(publisher__isnull=True)
        return Source.objects.filter(lookup).first()
