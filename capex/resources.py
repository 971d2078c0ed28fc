"""
Import and export of figures (CSV, XLSX) through the admin.

A figure is identified by its natural key: company slug, title and announcement date, so
importing the same file twice changes nothing. Related rows are named the same way: partners
and chip vendors by company slugs ("openai,softbank"), the parent and the revised figure by
"company-slug|YYYY-MM-DD|title". Target countries are ISO 3166 codes ("US,MY").

Imported figures arrive as drafts, created or last changed by the importing user, through the
same services as the admin (capex.services.investments), so the same rules apply and the USD
conversions are filled on commit. A figure in review or published is never changed by an
import: an unchanged row for it is skipped, a changed one is an error on that row (return the
figure to draft first). The workflow state and the USD conversions are exported, not imported.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_countries import countries
from import_export import fields, resources, widgets

from capex.choices import WorkflowState
from capex.models import Investment
from capex.services.investments import CONVERSION_INPUTS, investment_create, investment_update
from companies.models import Company
from companies.resources import CompanyBySlugWidget
from config.import_preview import PreviewDiffMixin


class StrictDecimalWidget(widgets.DecimalWidget):
    """A plain number ("12000000000" or "5.5"); anything else is an error on the field."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            return Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"“{value}” is not a number; write the full amount, e.g. 12000000000.") from None


class CompaniesBySlugWidget(widgets.ManyToManyWidget):
    """Companies named by slugs separated by commas; an unknown slug is an error, not skipped."""

    def __init__(self, **kwargs):
        super().__init__(Company, separator=",", field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        slugs = [slug.strip() for slug in str(value or "").split(self.separator) if slug.strip()]
        found = Company.objects.filter(slug__in=slugs)
        missing = sorted(set(slugs) - {company.slug for company in found})
        if missing:
            raise ValueError(f"No company with the slug {', '.join(f'“{slug}”' for slug in missing)}.")
        return found


class CountryCodesWidget(widgets.Widget):
    """ISO 3166-1 alpha-2 codes separated by commas ("US,MY")."""

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip().upper() for code in str(value or "").split(",") if code.strip()]
        unknown = [code for code in codes if code not in countries]
        if unknown:
            raise ValueError(f"Not an ISO 3166 country code: {', '.join(unknown)}.")
        return codes

    def render(self, value, obj=None, **kwargs):
        return ",".join(country.code for country in value or [])


class InvestmentKeyWidget(widgets.ForeignKeyWidget):
    """Another figure by its natural key, "company-slug|YYYY-MM-DD|title"."""

    def __init__(self, **kwargs):
        super().__init__(Investment, **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        parts = value.split("|", 2)
        if len(parts) != 3:
            raise ValueError(f"“{value}” should read company-slug|YYYY-MM-DD|title.")
        slug, announced_on, title = (part.strip() for part in parts)
        found = Investment.objects.filter(company__slug=slug, announced_on=announced_on, title=title).first()
        if found is None:
            raise ValueError(f"No figure “{title}” of {slug} announced on {announced_on}.")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return investment_natural_key(value)


def investment_natural_key(investment: Investment) -> str:
    return f"{investment.company.slug}|{investment.announced_on:%Y-%m-%d}|{investment.title}"


class InvestmentResource(PreviewDiffMixin, resources.ModelResource):
    company = fields.Field(attribute="company", column_name="company", widget=CompanyBySlugWidget())
    amount = fields.Field(attribute="amount", column_name="amount", widget=StrictDecimalWidget())
    amount_high = fields.Field(attribute="amount_high", column_name="amount_high", widget=StrictDecimalWidget())
    partners = fields.Field(attribute="partners", column_name="partners", widget=CompaniesBySlugWidget())
    chip_vendors = fields.Field(attribute="chip_vendors", column_name="chip_vendors", widget=CompaniesBySlugWidget())
    target_countries = fields.Field(
        attribute="target_countries", column_name="target_countries", widget=CountryCodesWidget()
    )
    parent = fields.Field(attribute="parent", column_name="parent", widget=InvestmentKeyWidget())
    supersedes = fields.Field(attribute="supersedes", column_name="supersedes", widget=InvestmentKeyWidget())
    state = fields.Field(attribute="state", column_name="state", readonly=True)
    amount_usd_at_announcement = fields.Field(
        attribute="amount_usd_at_announcement", column_name="amount_usd_at_announcement", readonly=True
    )
    amount_high_usd_at_announcement = fields.Field(
        attribute="amount_high_usd_at_announcement", column_name="amount_high_usd_at_announcement", readonly=True
    )
    fx_rate_at_announcement = fields.Field(
        attribute="fx_rate_at_announcement", column_name="fx_rate_at_announcement", readonly=True
    )
    fx_date_at_announcement = fields.Field(
        attribute="fx_date_at_announcement", column_name="fx_date_at_announcement", readonly=True
    )
    fx_provider_at_announcement = fields.Field(
        attribute="fx_provider_at_announcement", column_name="fx_provider_at_announcement", readonly=True
    )

    class Meta:
        model = Investment
        import_id_fields = ["company", "title", "announced_on"]
        fields = [
            "company",
            "title",
            "announced_on",
            "period_start",
            "period_end",
            "period_label",
            "amount",
            "amount_high",
            "qualifier",
            "currency",
            "scope",
            "target_countries",
            "category",
            "workload",
            "chip_vendors",
            "partners",
            "evidence",
            "disputed",
            "dispute_note",
            "status",
            "description",
            "parent",
            "supersedes",
            "state",
            "amount_usd_at_announcement",
            "amount_high_usd_at_announcement",
            "fx_rate_at_announcement",
            "fx_date_at_announcement",
            "fx_provider_at_announcement",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        self._user = kwargs.get("user")

    def get_instance(self, instance_loader, row):
        """
        By natural key. A row whose company or date cannot be read is new: the same problem
        is then reported on its field, as a row error, instead of failing the lookup.
        """
        try:
            company = self.fields["company"].clean(row)
            announced_on = self.fields["announced_on"].clean(row)
        except (KeyError, ValueError):
            return None
        title = str(row.get("title") or "").strip()
        if company is None or announced_on is None or not title:
            return None
        return Investment.objects.filter(company=company, title=title, announced_on=announced_on).first()

    def import_instance(self, instance, row, **kwargs):
        """Also read the partner and vendor columns now, so an unknown slug is an error on its row and field."""
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors.setdefault(field.attribute, []).append(ValidationError(str(error), code="invalid"))
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None:
            state = Investment.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
            if state != WorkflowState.DRAFT:
                raise ValidationError(
                    f"“{instance.title}” is {WorkflowState(state).label.lower()}; an import changes only drafts. "
                    "Return it to draft first."
                )

    def do_instance_save(self, instance, is_create):
        """Save through the services, so imports keep the same rules and history as the admin."""
        user = getattr(self, "_user", None)
        user = user if user is not None and user.is_authenticated else None
        if is_create:
            values = {
                field.name: getattr(instance, field.name)
                for field in Investment._meta.concrete_fields
                if field.editable and not field.primary_key and field.name not in SERVICE_SET_FIELDS
            }
            created = investment_create(created_by=user, **values)
            for field in Investment._meta.concrete_fields:
                setattr(instance, field.attname, getattr(created, field.attname))
            instance._state.adding = False
            instance._state.db = created._state.db
        else:
            investment_update(
                investment=instance, updated_by=user, **{name: getattr(instance, name) for name in CONVERSION_INPUTS}
            )

    def iter_queryset(self, queryset):
        """Oldest first, so a parent or a revised figure comes before the rows that name it."""
        if isinstance(queryset, QuerySet):
            queryset = (
                queryset.order_by("announced_on", "id")
                .select_related("company", "parent__company", "supersedes__company")
                .prefetch_related("partners", "chip_vendors")
            )
        return super().iter_queryset(queryset)


# Set by the services or the workflow, never from a row.
SERVICE_SET_FIELDS = frozenset({"state", "created_by", "updated_by", "reviewed_by", "published_at"})
