"""CSV and XLSX import and export of companies, sources and figures: previews, row errors, idempotence."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from capex.choices import Qualifier, WorkflowState
from capex.models import Investment
from capex.resources import InvestmentResource
from capex.tests.factories import InvestmentFactory, PublishedInvestmentFactory
from capex.tests.fixtures.personas import make_user
from companies.models import Company
from companies.resources import CompanyResource
from companies.tests.factories import ChipVendorFactory, CompanyFactory
from sources.models import Source
from sources.resources import SourceResource
from sources.tests.factories import PublisherFactory, SourceFactory

pytestmark = pytest.mark.django_db

FIGURE_HEADERS = ["company", "title", "announced_on", "amount", "amount_high", "qualifier", "currency", "chip_vendors"]


def dataset(headers, *rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=headers)


def run(resource, data, *, user=None, dry_run=False):
    return resource.import_data(data, dry_run=dry_run, user=user)


def row_errors(result) -> list[str]:
    """Every field message of every invalid row, as "row N: field: message"."""
    messages = []
    for invalid in result.invalid_rows:
        for field, field_messages in invalid.error_dict.items():
            messages.extend(f"row {invalid.number}: {field}: {message}" for message in field_messages)
    return messages


@pytest.fixture
def editor():
    return make_user("Editor", "edith")


@pytest.fixture
def bytedance():
    return CompanyFactory(name="ByteDance", slug="bytedance", country="CN")


# --- figures --------------------------------------------------------------------------------------


def test_imported_figures_arrive_as_drafts_created_by_the_importer(editor, bytedance):
    nvidia = ChipVendorFactory(name="Nvidia", slug="nvidia")
    data = dataset(
        FIGURE_HEADERS,
        ["bytedance", "Overseas training", "2025-01-21", "6800000000", "", "approximately", "USD", "nvidia"],
    )

    result = run(InvestmentResource(), data, user=editor)

    assert not result.has_errors() and not result.has_validation_errors()
    investment = Investment.objects.get()
    assert investment.state == WorkflowState.DRAFT
    assert (investment.created_by, investment.updated_by) == (editor, editor)
    assert (investment.amount, investment.qualifier) == (Decimal("6800000000"), Qualifier.APPROXIMATELY)
    assert list(investment.chip_vendors.all()) == [nvidia]


def test_importing_the_same_figures_twice_changes_nothing(editor, bytedance):
    data = dataset(
        FIGURE_HEADERS, ["bytedance", "AI plan 2025", "2025-01-21", "12000000000", "", "at_least", "USD", ""]
    )

    run(InvestmentResource(), data, user=editor)
    second = run(InvestmentResource(), data, user=editor)

    assert Investment.objects.count() == 1
    assert [row.import_type for row in second.rows] == ["skip"]


def test_a_changed_row_updates_the_draft_it_names(editor, bytedance):
    other = make_user("Editor", "eric")
    run(
        InvestmentResource(),
        dataset(FIGURE_HEADERS, ["bytedance", "AI plan 2025", "2025-01-21", "12000000000", "", "at_least", "USD", ""]),
        user=editor,
    )

    result = run(
        InvestmentResource(),
        dataset(FIGURE_HEADERS, ["bytedance", "AI plan 2025", "2025-01-21", "13000000000", "", "at_least", "USD", ""]),
        user=other,
    )

    assert [row.import_type for row in result.rows] == ["update"]
    investment = Investment.objects.get()
    assert investment.amount == Decimal("13000000000")
    assert (investment.created_by, investment.updated_by) == (editor, other)


def test_an_import_never_changes_a_published_figure(editor, bytedance):
    published = PublishedInvestmentFactory(
        company=bytedance, title="AI plan 2025", announced_on=datetime.date(2025, 1, 21), amount=Decimal(12 * 10**9)
    )
    data = dataset(
        FIGURE_HEADERS, ["bytedance", "AI plan 2025", "2025-01-21", "99000000000", "", "approximately", "USD", ""]
    )

    result = run(InvestmentResource(), data, user=editor)

    assert result.has_validation_errors()
    assert "is published; an import changes only drafts. Return it to draft first." in str(result.invalid_rows[0].error)
    published.refresh_from_db()
    assert published.amount == Decimal(12 * 10**9)


def test_row_errors_name_the_row_and_the_field_and_nothing_is_saved(editor, bytedance):
    data = dataset(
        FIGURE_HEADERS,
        ["bytedance", "Fine row", "2025-01-21", "1000000000", "", "exact", "USD", ""],
        ["nobody", "Unknown company", "2025-01-21", "1000000000", "", "exact", "USD", ""],
        ["bytedance", "Bad range", "2025-01-21", "65000000000", "60000000000", "range", "USD", ""],
        ["bytedance", "Bad amount", "2025-01-21", "twelve billion", "", "exact", "USD", ""],
        ["bytedance", "Bad vendor", "2025-01-21", "1000000000", "", "exact", "USD", "intel"],
        ["bytedance", "Bad currency", "2025-01-21", "1000000000", "", "exact", "XYZ", ""],
    )

    result = run(InvestmentResource(), data, user=editor, dry_run=True)

    errors = row_errors(result)
    assert "row 2: company: No company with the slug “nobody”; import or add it first." in errors
    assert "row 3: amount_high: The high value must be at least the low value." in errors
    assert "row 4: amount: “twelve billion” is not a number; write the full amount, e.g. 12000000000." in errors
    assert "row 5: chip_vendors: No company with the slug “intel”." in errors
    assert "row 6: currency: Value 'XYZ' is not a valid choice." in errors
    assert not Investment.objects.exists()


def test_dry_run_previews_without_saving(editor, bytedance):
    data = dataset(
        FIGURE_HEADERS, ["bytedance", "AI plan 2025", "2025-01-21", "12000000000", "", "at_least", "USD", ""]
    )

    result = run(InvestmentResource(), data, user=editor, dry_run=True)

    assert [row.import_type for row in result.rows] == ["new"]
    assert not Investment.objects.exists()


def test_export_then_import_round_trips_structure_by_natural_keys(editor, bytedance):
    parent = InvestmentFactory(
        company=bytedance, title="AI plan 2025", amount=Decimal(12 * 10**9), qualifier=Qualifier.AT_LEAST
    )
    InvestmentFactory(
        company=bytedance,
        title="Chips in China",
        parent=parent,
        amount=Decimal(40 * 10**9),
        currency="CNY",
        target_countries=["CN"],
    )

    exported = InvestmentResource().export()
    assert exported.dict[1]["parent"] == "bytedance|2025-01-21|AI plan 2025"
    assert exported.dict[1]["target_countries"] == "CN"
    assert exported.dict[0]["state"] == "draft"
    Investment.objects.filter(parent__isnull=False).delete()
    Investment.objects.all().delete()
    result = run(InvestmentResource(), tablib.Dataset().load(exported.csv, format="csv"), user=editor)

    assert not result.has_errors() and not result.has_validation_errors()
    component = Investment.objects.get(title="Chips in China")
    assert component.parent.title == "AI plan 2025"
    assert [country.code for country in component.target_countries] == ["CN"]


# --- companies and sources -----------------------------------------------------------------------------


def test_companies_import_by_slug_and_get_a_slug_from_their_name():
    data = dataset(["name", "country", "kind", "aliases"], ["ByteDance", "CN", "platform", "TikTok owner"])

    first = CompanyResource().import_data(data)
    second = CompanyResource().import_data(
        dataset(["name", "country", "kind", "aliases"], ["ByteDance", "CN", "platform", "TikTok owner"])
    )

    assert not first.has_validation_errors()
    company = Company.objects.get()
    assert (company.slug, company.alias_list) == ("bytedance", ["TikTok owner"])
    assert [row.import_type for row in second.rows] == ["skip"]


def test_a_company_row_with_an_unknown_country_or_parent_is_an_error():
    data = dataset(["slug", "name", "country", "kind", "parent"], ["tiktok", "TikTok", "ZZ", "platform", "bytedance"])

    result = CompanyResource().import_data(data, dry_run=True)

    errors = row_errors(result)
    assert "row 1: parent: No company with the slug “bytedance”; import or add it first." in errors
    assert any(error.startswith("row 1: country:") for error in errors)
    assert not Company.objects.exists()


def test_sources_import_by_normalised_url_and_never_export_their_text():
    PublisherFactory(name="Financial Times")
    SourceFactory(url="https://www.ft.com/content/abc", title="Existing", text="private full text", publisher=None)
    data = dataset(
        ["url", "title", "publisher", "published_on", "kind"],
        [
            "https://www.FT.com/content/abc/?utm_source=x",
            "Existing, retitled",
            "financial times",
            "2025-01-21",
            "article",
        ],
        ["", "Without a URL", "Financial Times", "2025-01-22", "article"],
    )

    first = SourceResource().import_data(data)
    again = SourceResource().import_data(data)

    assert not first.has_validation_errors() and not first.has_errors()
    assert [row.import_type for row in first.rows] == ["update", "new"]
    assert [row.import_type for row in again.rows] == ["skip", "skip"]
    assert Source.objects.count() == 2
    assert Source.objects.get(url="https://www.ft.com/content/abc").title == "Existing, retitled"
    exported = SourceResource().export()
    assert "text" not in exported.headers
    assert "private full text" not in exported.csv


def test_a_source_with_an_unknown_publisher_is_a_row_error():
    data = dataset(["url", "title", "publisher"], ["https://example.org/a", "A", "Nobody Times"])

    result = SourceResource().import_data(data, dry_run=True)

    assert row_errors(result) == ["row 1: publisher: No publisher named “Nobody Times”; add it first."]


# --- the admin: preview, confirm, XLSX ---------------------------------------------------------------------


def test_admin_import_previews_then_imports_on_confirmation(client, editor, bytedance):
    client.force_login(editor)
    csv = (
        "company,title,announced_on,amount,qualifier,currency\n"
        "bytedance,AI plan 2025,2025-01-21,12000000000,at_least,USD\n"
    )
    upload = SimpleUploadedFile("figures.csv", csv.encode(), content_type="text/csv")

    preview = client.post(reverse("admin:capex_investment_import"), {"format": "0", "import_file": upload})

    assert preview.status_code == 200
    assert "AI plan 2025" in preview.content.decode()
    assert not Investment.objects.exists()
    confirm = preview.context["confirm_form"]
    response = client.post(reverse("admin:capex_investment_process_import"), confirm.initial, follow=True)
    assert response.status_code == 200
    investment = Investment.objects.get()
    assert (investment.state, investment.created_by) == (WorkflowState.DRAFT, editor)


def test_admin_import_shows_row_errors_and_offers_no_confirmation(client, editor):
    client.force_login(editor)
    csv = "company,title,announced_on,amount,qualifier,currency\nnobody,AI plan,2025-01-21,1,exact,USD\n"
    upload = SimpleUploadedFile("figures.csv", csv.encode(), content_type="text/csv")

    preview = client.post(reverse("admin:capex_investment_import"), {"format": "0", "import_file": upload})

    assert "No company with the slug “nobody”" in preview.content.decode()
    assert "confirm_form" not in preview.context


def test_admin_exports_figures_as_xlsx(client, editor, bytedance):
    client.force_login(editor)
    InvestmentFactory(company=bytedance, title="AI plan 2025", amount=Decimal(12 * 10**9))

    response = client.post(
        reverse("admin:capex_investment_export"),
        {"format": "1", "resource": "0", **{f"investmentresource_{name}": "on" for name in FIGURE_HEADERS}},
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("company", "title", "announced_on")
    assert rows[1][:2] == ("bytedance", "AI plan 2025")


def test_a_viewer_cannot_import(client):
    client.force_login(make_user("Viewer", "vera"))

    assert client.get(reverse("admin:capex_investment_import")).status_code == 403
