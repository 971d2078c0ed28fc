"""
The admin in a real Chromium, under the site's strict Content-Security-Policy (nothing inline),
with the sample data and an object of every registered model: every page an editor reaches from
the admin index (each model's list, one object's page with its history and delete confirmation,
the add form, import and export) and the project's own admin views (figure extraction, return
to draft, the workflow buttons, the bulk return, the inbox's decisions, an import's preview)
load with no console error and no CSP violation. The export form's "Select all" checks and
clears the field boxes, and the review workflow panel is styled from the admin stylesheet.
"""

import csv
import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from playwright.sync_api import expect

from capex.choices import WorkflowState
from capex.tests.fixtures.personas import PASSWORD, make_user
from capex.tests.test_pages_fixtures import fresh_rates_store, sample_figures_load
from companies.models import Company
from currencies.choices import RateProvider, RefreshStatus
from currencies.models import RateRefresh
from filings.choices import FilingForm, ImportStatus
from filings.models import ImportRun, ReportedCapex
from inbox.choices import ItemStatus, RunStatus
from inbox.fetching import normalise_url
from inbox.models import Feed, FeedItem, PollRun
from inbox.services import candidates_extract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_TEXT = (Path(__file__).resolve().parent.parent / "fixtures" / "seed_bytedance.txt").read_text(encoding="utf-8")
META_Q1_URL = "https://investor.atmeta.com/investor-news/press-release-details/2025/Meta-Reports-First-Quarter-2025-Results/default.aspx"
META_Q1_TEXT = (
    "Meta Reports First Quarter 2025 Results\n\n"
    "We anticipate our full-year 2025 capital expenditures, including principal payments on finance "
    "leases, will be in the range of $64-72 billion, increased from our prior outlook of $60-65 billion."
)

# Every violation of the page's policy, as the page itself sees it: the event fires for inline
# style and script, style attributes and handler attributes alike.
CSP_LISTENER = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.violatedDirective}: ${event.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def site(live_server):
    """The sample figures, a superuser and one object of each model the admin shows."""
    figures = sample_figures_load()
    fresh_rates_store(newest=datetime.date.today())
    superuser = make_user("Admin", "ada")
    make_user("Editor", "edith")
    now = timezone.now()
    meta = Company.objects.get(slug="meta")
    RateRefresh.objects.create(
        provider=RateProvider.ECB,
        started_at=now,
        finished_at=now,
        status=RefreshStatus.SUCCEEDED,
        rows_written=1,
        newest_rate_date=datetime.date.today(),
    )
    ReportedCapex.objects.create(
        company=meta,
        fiscal_year=2025,
        fiscal_quarter=1,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 3, 31),
        amount=Decimal("13692000000"),
        form=FilingForm.FORM_10Q,
        accession_number="0001326801-25-000054",
        filed_on=datetime.date(2025, 5, 1),
    )
    ImportRun.objects.create(company=meta, started_at=now, finished_at=now, status=ImportStatus.SUCCEEDED)
    feed = Feed.objects.create(name="Meta investor relations", url="https://investor.example/meta.rss", company=meta)
    item = FeedItem.objects.create(
        feed=feed,
        url=META_Q1_URL,
        normalised_url=normalise_url(META_Q1_URL),
        title="Meta Reports First Quarter 2025 Results",
        published=datetime.datetime(2025, 4, 30, 20, 5, tzinfo=datetime.UTC),
        text=META_Q1_TEXT,
        status=ItemStatus.FETCHED,
    )
    candidates = candidates_extract(item=item)
    PollRun.objects.create(started_at=now, finished_at=now, status=RunStatus.OK, feeds_polled=1, items_new=1)
    AuthToken.objects.create(user=superuser, expiry=datetime.timedelta(hours=1))
    client = {"ip_address": "127.0.0.1", "user_agent": "Chromium", "http_accept": "text/html", "path_info": "/admin/"}
    AccessAttempt.objects.create(username="mallory", get_data="", post_data="", failures_since_start=1, **client)
    AccessFailureLog.objects.create(username="mallory", **client)
    return SimpleNamespace(url=live_server.url, figures=figures, superuser=superuser, item=item, candidates=candidates)


@pytest.fixture
def admin_page(page, site):
    """The page, signed in as the superuser, recording CSP violations as the page sees them."""
    page.context.add_init_script(CSP_LISTENER)  # on every page of the context, popups too
    page.goto(f"{site.url}/admin/login/?next=/admin/")
    assert_clean(page, "the login page")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("ada")
    return page


def assert_clean(page, where: str) -> None:
    """No CSP violation on the page now shown, and no console error on any page so far."""
    violations = page.evaluate("window.cspViolations || []")
    assert violations == [], f"{where}: CSP violations {violations}"
    assert page.console_errors == [], f"{where}: console errors {page.console_errors}"


def visit(page, base: str, href: str) -> None:
    response = page.goto(base + href)
    assert response is not None and response.status == 200, f"{href}: {response and response.status}"
    page.wait_for_load_state("load")
    assert_clean(page, href)


def hrefs(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "links => links.map(link => link.getAttribute('href'))")


def test_every_admin_page_from_the_index_has_no_console_error_or_csp_violation(admin_page, site):
    page, base = admin_page, site.url
    request = RequestFactory().get("/admin/")
    request.user = site.superuser
    registered = admin.site.get_app_list(request)

    visit(page, base, "/admin/")
    changelists = hrefs(page, "#content-main th[scope=row] a")
    add_forms = hrefs(page, "#content-main a.addlink")
    # The index links every model the admin registers (Django's public app list says which).
    assert set(changelists) == {model["admin_url"] for app in registered for model in app["models"]}
    assert set(add_forms) == {model["add_url"] for app in registered for model in app["models"] if model["add_url"]}

    for app in registered:
        visit(page, base, app["app_url"])
    without_objects = []
    for changelist in changelists:
        visit(page, base, changelist)
        tools = hrefs(page, "#content-main .object-tools a")
        change_forms = hrefs(page, "#result_list tbody a[href*='/change/']")
        if not change_forms:
            without_objects.append(changelist)
            continue
        for tool in tools:  # import and export, where the model has them
            visit(page, base, tool)
        visit(page, base, change_forms[0])
        history = hrefs(page, "#content-main .object-tools a.historylink")
        delete = hrefs(page, "#content-main a.deletelink")
        for href in history:
            visit(page, base, href)
            for record in hrefs(page, "#change-history tbody td:first-child a")[:1]:  # a past version
                visit(page, base, record)
        for href in delete:  # the confirmation only: nothing is deleted
            visit(page, base, href)
    # Each model has an object here, so that each one's change form was opened.
    assert without_objects == []

    for add_form in add_forms:
        visit(page, base, add_form)
    visit(page, base, "/admin/password_change/")


def test_the_projects_own_admin_views_have_no_console_error_or_csp_violation(admin_page, site, tmp_path):
    page, base = admin_page, site.url
    figure = site.figures["alibaba"]
    source = figure.citations.first().source

    # Figure extraction from a source: the form, then the candidates it found.
    visit(page, base, f"/admin/sources/source/{source.pk}/change/")
    page.click("text=Extract figures")
    page.fill("#id_text", SEED_TEXT)
    page.click("input[name=extract]")
    expect(page.locator("tr.candidate")).to_have_count(4)
    assert_clean(page, "the extracted candidates")

    # A published figure goes back to draft with a reason, then is sent for review.
    visit(page, base, f"/admin/capex/investment/{figure.pk}/change/")
    page.click("#workflow a.button")
    expect(page.locator("#content h1")).to_have_text("Return to draft")
    assert_clean(page, "the return-to-draft form")
    page.fill("#id_reason", "The 6-K gives RMB 380bn; checking the period.")
    page.click("input[type=submit]")
    expect(page.locator("#workflow .state")).to_have_text("Draft")
    assert_clean(page, "a draft's page")
    page.click("button[name=submit-for-review]")
    expect(page.locator("#workflow .state")).to_have_text("In review")
    assert_clean(page, "a figure in review")

    # The bulk return to draft asks for its reason on a page of its own.
    visit(page, base, "/admin/capex/investment/?state__exact=published")
    page.locator("#result_list tbody input.action-select").first.check()
    page.select_option("select[name=action]", "return_selected_to_draft")
    page.click("button[name=index]")
    expect(page.locator("#content h1")).to_have_text("Return to draft")
    assert_clean(page, "the bulk return-to-draft form")

    # The figure's company picker (autocomplete) on the add form.
    visit(page, base, "/admin/capex/investment/add/")
    page.click("#id_company + .select2 .select2-selection")
    page.keyboard.type("Byte")  # into the open picker's search box
    expect(page.locator("#select2-id_company-results li")).to_have_text(["ByteDance"])
    assert_clean(page, "the company picker")

    # A company added from the figure's form, in the admin's popup window, is then chosen in it.
    with page.expect_popup() as opened:
        page.click("#add_id_company")
    popup = opened.value
    popup_errors = []
    popup.on("console", lambda message: popup_errors.append(message.text) if message.type == "error" else None)
    popup.wait_for_load_state("load")
    assert popup.evaluate("window.cspViolations") == [], "the popup's add form"
    popup.fill("#id_name", "Mistral AI")
    popup.fill("#id_slug", "mistral-ai")
    popup.select_option("#id_country", "FR")
    popup.click("input[name=_save]")
    expect(page.locator("#id_company option:checked")).to_have_text("Mistral AI")
    assert popup_errors == [], f"the popup: {popup_errors}"
    assert_clean(page, "the figure's form after the popup")

    # The inbox: a feed item with its candidates and marked text; one is dismissed with a reason.
    visit(page, base, f"/admin/inbox/feeditem/{site.item.pk}/change/")
    expect(page.locator(".inbox-text mark").first).to_be_visible()
    candidate = site.candidates[0]
    page.fill(f"input[name=reason-{candidate.pk}]", "Already recorded from the 10-Q.")
    page.locator(f"input[name=reason-{candidate.pk}] ~ button.inbox-dismiss").click()
    expect(page.locator(".messagelist")).to_contain_text("Candidate dismissed.")
    assert_clean(page, "the inbox item after a dismissal")

    # An import's preview: a source under a new address is a new row, its cells marked inserted.
    visit(page, base, "/admin/sources/source/export/")
    page.select_option("#id_format", label="csv")
    with page.expect_download() as download:
        page.click("input[type=submit]")
    rows = list(csv.DictReader(download.value.path().open(encoding="utf-8")))
    rows[0]["url"] = "https://www.example.org/a-new-address-for-this-report"
    upload = tmp_path / "sources.csv"
    with upload.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    visit(page, base, "/admin/sources/source/import/")
    page.set_input_files("#id_import_file", str(upload))
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    new_row = page.locator("table.import-preview tr.new")
    expect(new_row).to_have_count(1)
    expect(new_row.locator("ins").first).to_contain_text("https://www.example.org/a-new-address-for-this-report")
    assert_clean(page, "the import preview")

    page.click("#logout-form button")
    expect(page.locator("#content h1")).to_have_text("Logged out")
    assert_clean(page, "the logged-out page")


def test_export_select_all_checks_and_clears_every_field_and_the_file_has_the_chosen_ones(admin_page, site):
    page, base = admin_page, site.url
    visit(page, base, "/admin/capex/investment/")
    page.click("a.export_link")
    page.wait_for_url("**/admin/capex/investment/export/**")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:not(.select-toggle)")
    select_all = page.get_by_label("Select all")
    expect(select_all).to_be_checked()
    # The package's inline styles, now classes: the intro lines up with the boxes, "Select all" is bold.
    expect(page.locator(".export-fields-intro")).to_have_css("padding-left", "0px")
    expect(page.locator("label[for^=select-all-toggle]")).to_have_css("font-weight", "700")
    count = fields.count()
    assert count > 10
    assert [fields.nth(index).is_checked() for index in range(count)] == [True] * count

    select_all.uncheck()
    assert [fields.nth(index).is_checked() for index in range(count)] == [False] * count
    page.click("label[for^=select-all-toggle]")  # its label toggles it too
    assert [fields.nth(index).is_checked() for index in range(count)] == [True] * count

    # Clearing one field clears "Select all"; checking it again checks it.
    fields.first.uncheck()
    expect(select_all).not_to_be_checked()
    fields.first.check()
    expect(select_all).to_be_checked()

    # Only the fields left checked are exported.
    select_all.uncheck()
    page.get_by_label("Title", exact=True).check()
    page.get_by_label("Currency", exact=True).check()
    page.select_option("#id_format", label="csv")
    with page.expect_download() as download:
        page.click("input[type=submit]")
    with download.value.path().open(encoding="utf-8") as file:
        header = next(csv.reader(file))
    assert header == ["title", "currency"]
    assert_clean(page, "the export form")


def test_the_review_workflow_panel_and_the_state_colours_come_from_the_admin_stylesheet(admin_page, site):
    page, base = admin_page, site.url
    figure = site.figures["meta_april"]
    assert figure.state == WorkflowState.PUBLISHED

    visit(page, base, f"/admin/capex/investment/{figure.pk}/change/")
    panel = page.locator("#workflow")
    expect(panel).to_have_css("border-top-style", "solid")
    expect(panel).to_have_css("border-top-width", "1px")
    expect(panel).to_have_css("padding", "10px 14px")
    expect(panel).to_have_css("border-radius", "4px")
    expect(panel.locator(".state")).to_have_css("font-weight", "700")
    expect(panel.locator(".workflow-buttons")).to_have_css("display", "flex")

    visit(page, base, f"/admin/capex/investment/?id__exact={figure.pk}")
    state = page.locator("#result_list .workflow-state").first
    expect(state).to_have_text("Published")
    expect(state).to_have_css("color", "rgb(21, 128, 61)")
    expect(state).to_have_css("font-weight", "700")

    # Returned to draft, the figure is grey in the list.
    visit(page, base, f"/admin/capex/investment/{figure.pk}/return-to-draft/")
    page.fill("#id_reason", "Checking the revised range.")
    page.click("input[type=submit]")
    expect(page.locator("#workflow .state")).to_have_text("Draft")
    visit(page, base, f"/admin/capex/investment/?id__exact={figure.pk}")
    state = page.locator("#result_list .workflow-state").first
    expect(state).to_have_text("Draft")
    expect(state).to_have_css("color", "rgb(107, 114, 128)")
