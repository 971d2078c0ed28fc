"""The figure in the admin: list, search, the change form, saving through the services, read-only states."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from capex.choices import Qualifier, WorkflowState
from capex.models import Citation, Investment
from capex.services.workflow import investment_submit
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.fixtures.personas import make_user
from companies.tests.factories import CompanyFactory
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:capex_investment_changelist")
ADD = reverse("admin:capex_investment_add")


def change_url(investment: Investment) -> str:
    return reverse("admin:capex_investment_change", args=[investment.pk])


@pytest.fixture
def editor():
    return make_user("Editor", "edith")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def bytedance():
    return CompanyFactory(name="ByteDance", slug="bytedance", country="CN", aliases="TikTok owner\n字节跳动")


@pytest.fixture
def ft_article():
    return SourceFactory(title="TikTok owner ByteDance plans to spend $12bn on AI chips in 2025")


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def figure_form(company, source=None, quote="ByteDance plans more than $12bn of AI spending.", **overrides) -> dict:
    data = {
        "company": str(company.pk),
        "title": "AI infrastructure spending in 2025",
        "description": "",
        "announced_on": "2025-01-21",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "period_label": "2025",
        "amount": "12000000000",
        "amount_high": "",
        "qualifier": Qualifier.AT_LEAST,
        "currency": "USD",
        "scope": "unspecified",
        "category": "general",
        "workload": "unspecified",
        "evidence": "media_report",
        "status": "planned",
        "measure": "ai_investment",
        "dispute_note": "",
        "parent": "",
        "supersedes": "",
        **management("components"),
        **management("vendor_shares"),
    }
    if source is not None:
        data.update(management("citations", total=1))
        data.update({"citations-0-source": str(source.pk), "citations-0-quote": quote, "citations-0-locator": ""})
    else:
        data.update(management("citations"))
    data.update(overrides)
    return data


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_each_figure_as_stated_and_in_usd(editor_client, bytedance):
    InvestmentFactory(
        company=bytedance,
        title="AI chips in China",
        amount=Decimal("40000000000"),
        currency="CNY",
        qualifier=Qualifier.APPROXIMATELY,
        amount_usd_at_announcement=Decimal("5490000000"),
    )

    page = editor_client.get(CHANGELIST).content.decode()

    assert "AI chips in China" in page
    assert "about RMB 40bn" in page
    assert "about $5.49bn" in page
    assert "Draft" in page


def test_list_search_finds_a_figure_by_company_alias_and_by_source_title(editor_client, bytedance, ft_article):
    cited = InvestmentFactory(company=bytedance, title="AI infrastructure 2025")
    CitationFactory(investment=cited, source=ft_article)
    InvestmentFactory(title="Unrelated figure")

    by_alias = editor_client.get(CHANGELIST, {"q": "TikTok owner"}).content.decode()
    by_chinese_alias = editor_client.get(CHANGELIST, {"q": "字节跳动"}).content.decode()
    by_source = editor_client.get(CHANGELIST, {"q": "plans to spend $12bn"}).content.decode()

    for page in (by_alias, by_chinese_alias, by_source):
        assert "AI infrastructure 2025" in page
        assert "Unrelated figure" not in page


def test_list_filters_by_workflow_state(editor_client):
    InvestmentFactory(title="Still a draft")
    PublishedInvestmentFactory(title="Already public")

    page = editor_client.get(CHANGELIST, {"state__exact": "published"}).content.decode()

    assert "Already public" in page
    assert "Still a draft" not in page


def hierarchy_links(page: str) -> list[str]:
    """The titles of the date hierarchy's links above the changelist."""
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S)
    assert nav is not None, "no date hierarchy on the page"
    return re.findall(r'<a href="[^"]*">([^<&]+)</a>', nav.group(1))


def test_the_date_hierarchy_lists_the_years_of_the_figures_shown(editor_client):
    for year, state in [(2019, WorkflowState.DRAFT), (2021, WorkflowState.PUBLISHED), (2021, WorkflowState.DRAFT)]:
        figure = InvestmentFactory(announced_on=datetime.date(year, 6, 1))
        Investment.objects.filter(pk=figure.pk).update(state=state)
    InvestmentFactory(announced_on=datetime.date(2025, 12, 31))
    PublishedInvestmentFactory(announced_on=datetime.date(2026, 1, 1))

    every_year = hierarchy_links(editor_client.get(CHANGELIST).content.decode())
    published_years = hierarchy_links(editor_client.get(CHANGELIST, {"state__exact": "published"}).content.decode())
    months_of_2021 = editor_client.get(CHANGELIST, {"announced_on__year": "2021"}).content.decode()

    assert every_year == ["2019", "2021", "2025", "2026"]
    assert every_year == [str(d.year) for d in Investment.objects.dates("announced_on", "year")]
    assert published_years == ["2021", "2026"]
    assert "June 2021" in months_of_2021


def test_viewer_sees_the_list_but_cannot_add(client):
    client.force_login(make_user("Viewer", "vera"))
    InvestmentFactory(title="Visible figure")

    assert "Visible figure" in client.get(CHANGELIST).content.decode()
    assert client.get(ADD).status_code == 403


# --- adding and changing through the services ---------------------------------------------------------


def test_editor_adds_a_draft_with_its_citation(editor_client, editor, bytedance, ft_article):
    response = editor_client.post(ADD, figure_form(bytedance, ft_article))

    assert response.status_code == 302
    investment = Investment.objects.get(title="AI infrastructure spending in 2025")
    assert investment.state == WorkflowState.DRAFT
    assert (investment.created_by, investment.updated_by) == (editor, editor)
    assert investment.amount == Decimal("12000000000")
    citation = investment.citations.get()
    assert citation.source == ft_article
    assert citation.quote == "ByteDance plans more than $12bn of AI spending."
    assert investment.history.first().history_user == editor


def test_a_citation_needs_its_quote(editor_client, bytedance, ft_article):
    response = editor_client.post(ADD, figure_form(bytedance, ft_article, quote=""))

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Investment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"qualifier": Qualifier.RANGE, "amount": "60000000000"}, "A range needs its high value."),
        (
            {"qualifier": Qualifier.RANGE, "amount": "65000000000", "amount_high": "60000000000"},
            "The high value must be at least the low value.",
        ),
        ({"amount_high": "13000000000"}, "Only a range has a high value"),
        ({"period_end": "2024-12-31"}, "The period cannot end before it starts."),
        ({"currency": "XXY"}, "Select a valid choice. XXY is not one of the available choices."),
        ({"amount": "-5"}, "The amount cannot be negative."),
    ],
)
def test_invalid_figures_get_a_clear_message_and_change_nothing(editor_client, bytedance, overrides, message):
    response = editor_client.post(ADD, figure_form(bytedance, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Investment.objects.exists()


def test_a_component_of_another_companys_figure_is_refused(editor_client, bytedance):
    parent = InvestmentFactory(company=CompanyFactory(name="Meta", slug="meta"))

    response = editor_client.post(ADD, figure_form(bytedance, parent=str(parent.pk)))

    assert "A component belongs to its parent&#x27;s company (Meta)." in response.content.decode()
    assert Investment.objects.count() == 1


def test_a_revision_cycle_is_refused(editor_client, editor, bytedance):
    january = InvestmentFactory(company=bytedance, title="Outlook January", created_by=editor)
    april = InvestmentFactory(company=bytedance, title="Outlook April", supersedes=january, created_by=editor)

    data = figure_form(bytedance, title="Outlook January", supersedes=str(april.pk))
    response = editor_client.post(change_url(january), data)

    assert "This would make a cycle of revisions." in response.content.decode()
    january.refresh_from_db()
    assert january.supersedes is None


def test_editor_changes_a_draft_and_becomes_its_last_editor(client, bytedance):
    creator = make_user("Editor", "first")
    fixer = make_user("Editor", "second")
    investment = InvestmentFactory(company=bytedance, created_by=creator, updated_by=creator, amount=Decimal(10**9))
    client.force_login(fixer)

    response = client.post(change_url(investment), figure_form(bytedance, title="Corrected title"))

    assert response.status_code == 302
    investment.refresh_from_db()
    assert investment.title == "Corrected title"
    assert investment.created_by == creator
    assert investment.updated_by == fixer


def test_components_exceeding_an_exact_parent_are_a_warning_not_an_error(editor_client, editor, bytedance):
    parent = InvestmentFactory(company=bytedance, amount=Decimal(10 * 10**9), qualifier=Qualifier.EXACT)
    InvestmentFactory(company=bytedance, parent=parent, amount=Decimal(6 * 10**9), qualifier=Qualifier.EXACT)
    component = InvestmentFactory(
        company=bytedance, parent=parent, amount=Decimal(3 * 10**9), qualifier=Qualifier.EXACT, created_by=editor
    )

    data = figure_form(bytedance, title="Overseas training", amount="5000000000", qualifier=Qualifier.EXACT)
    data["parent"] = str(parent.pk)
    response = editor_client.post(change_url(component), data, follow=True)

    page = response.content.decode()
    assert "add up to USD 11,000,000,000, more than its exact USD 10,000,000,000" in page
    component.refresh_from_db()
    assert component.amount == Decimal(5 * 10**9)


# --- read-only states and the workflow buttons -------------------------------------------------------------


def test_a_published_figure_is_read_only_even_for_an_admin(client):
    client.force_login(make_user("Admin", "ada"))
    investment = PublishedInvestmentFactory(title="Public figure")

    page = client.get(change_url(investment)).content.decode()
    response = client.post(change_url(investment), figure_form(investment.company, title="Changed behind review"))

    assert "cannot be changed here. Return it to draft to change it." in page
    assert 'name="_save"' not in page
    assert response.status_code == 403
    investment.refresh_from_db()
    assert investment.title == "Public figure"


def test_draft_page_offers_send_for_review_and_it_works(editor_client, editor, bytedance):
    investment = InvestmentFactory(company=bytedance, created_by=editor, updated_by=editor)
    CitationFactory(investment=investment)

    page = editor_client.get(change_url(investment)).content.decode()
    response = editor_client.post(reverse("admin:capex_investment_submit", args=[investment.pk]), follow=True)

    assert "Send for review" in page
    assert "was sent for review" in response.content.decode()
    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW


def test_send_for_review_without_citation_says_why(editor_client, editor):
    investment = InvestmentFactory(created_by=editor, updated_by=editor)

    response = editor_client.post(reverse("admin:capex_investment_submit", args=[investment.pk]), follow=True)

    assert "was not sent for review" in response.content.decode()
    assert "State: A figure cannot be published without at least one citation" in response.content.decode()
    investment.refresh_from_db()
    assert investment.state == WorkflowState.DRAFT


def test_reviewer_sees_no_publish_button_on_their_own_figure_and_cannot_publish_it(client):
    reviewer = make_user("Reviewer", "rita")
    investment = InvestmentFactory(created_by=reviewer, updated_by=reviewer)
    CitationFactory(investment=investment)
    investment_submit(investment=investment, by=reviewer)
    client.force_login(reviewer)

    page = client.get(change_url(investment)).content.decode()
    response = client.post(reverse("admin:capex_investment_publish", args=[investment.pk]), follow=True)

    assert 'name="publish"' not in page
    assert "another reviewer must publish it (four eyes)" in page
    assert "was not published" in response.content.decode()
    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW


def test_reviewer_publishes_an_editors_figure_from_its_page(client, editor):
    investment = InvestmentFactory(created_by=editor, updated_by=editor)
    CitationFactory(investment=investment)
    investment_submit(investment=investment, by=editor)
    reviewer = make_user("Reviewer", "rita")
    client.force_login(reviewer)

    page = client.get(change_url(investment)).content.decode()
    response = client.post(reverse("admin:capex_investment_publish", args=[investment.pk]), follow=True)

    assert 'name="publish"' in page
    assert "was published" in response.content.decode()
    investment.refresh_from_db()
    assert (investment.state, investment.reviewed_by) == (WorkflowState.PUBLISHED, reviewer)


def test_publishing_takes_a_post(client):
    client.force_login(make_user("Reviewer", "rita"))
    investment = InvestmentFactory()

    assert client.get(reverse("admin:capex_investment_publish", args=[investment.pk])).status_code == 405


def test_bulk_publish_reports_what_happened_to_each_figure(client, editor):
    reviewer = make_user("Reviewer", "rita")
    theirs = InvestmentFactory(title="Entered by the editor", created_by=editor, updated_by=editor)
    own = InvestmentFactory(title="Entered by the reviewer", created_by=reviewer, updated_by=reviewer)
    draft = InvestmentFactory(title="Still a draft", created_by=editor, updated_by=editor)
    for investment in (theirs, own):
        CitationFactory(investment=investment)
        investment_submit(investment=investment, by=investment.created_by)
    client.force_login(reviewer)

    response = client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [theirs.pk, own.pk, draft.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "Entered by the editor”: published." in page
    assert "Entered by the reviewer”: not published. This figure carries changes of yours" in page
    assert "Still a draft”: not published. State: Only a figure in review can be published" in page
    states = dict(Investment.objects.values_list("title", "state"))
    assert states == {
        "Entered by the editor": WorkflowState.PUBLISHED,
        "Entered by the reviewer": WorkflowState.IN_REVIEW,
        "Still a draft": WorkflowState.DRAFT,
    }


def test_editor_has_no_publish_action(editor_client):
    InvestmentFactory()

    page = editor_client.get(CHANGELIST).content.decode()

    assert "submit_selected" in page
    assert "publish_selected" not in page


def test_return_to_draft_asks_for_a_reason(client):
    client.force_login(make_user("Reviewer", "rita"))
    investment = PublishedInvestmentFactory(title="Public figure")
    url = reverse("admin:capex_investment_return", args=[investment.pk])

    form_page = client.get(url).content.decode()
    without_reason = client.post(url, {"reason": ""})
    with_reason = client.post(url, {"reason": "Amount is RMB, not USD"}, follow=True)

    assert "Reason" in form_page
    assert "This field is required." in without_reason.content.decode()
    assert "was returned to draft" in with_reason.content.decode()
    investment.refresh_from_db()
    assert investment.state == WorkflowState.DRAFT
    assert investment.history.first().history_change_reason == "Returned to draft: Amount is RMB, not USD"


def test_bulk_return_to_draft_asks_once_for_the_reason_then_reports_each(client):
    client.force_login(make_user("Reviewer", "rita"))
    first = PublishedInvestmentFactory(title="First public")
    second = PublishedInvestmentFactory(title="Second public")
    selected = {"action": "return_selected_to_draft", "_selected_action": [first.pk, second.pk]}

    confirmation = client.post(CHANGELIST, selected)
    done = client.post(CHANGELIST, {**selected, "apply": "yes", "reason": "Source retracted"}, follow=True)

    assert "First public" in confirmation.content.decode()
    assert Investment.objects.filter(state=WorkflowState.PUBLISHED).count() == 0
    page = done.content.decode()
    assert "First public”: returned to draft." in page
    assert "Second public”: returned to draft." in page


# --- history and pickers --------------------------------------------------------------------------------------


def test_history_shows_who_changed_which_field(client, bytedance):
    creator = make_user("Editor", "first")
    fixer = make_user("Editor", "second")
    client.force_login(creator)
    client.post(ADD, figure_form(bytedance, title="Original title"))
    investment = Investment.objects.get()
    client.force_login(fixer)
    client.post(change_url(investment), figure_form(bytedance, title="Corrected title"))

    page = client.get(reverse("admin:capex_investment_history", args=[investment.pk])).content.decode()

    changes = re.sub(r"\s+", " ", page)
    assert f'<a href="/admin/auth/user/{fixer.pk}/change/">second</a>' in changes
    assert "<strong>Title:</strong> Original title &nbsp;&rarr;&nbsp;&nbsp;Corrected title" in changes
    assert "<strong>Updated by:</strong> first &nbsp;&rarr;&nbsp;&nbsp;second" in changes


def test_parent_picker_offers_only_headline_figures(editor_client, bytedance):
    headline = InvestmentFactory(company=bytedance, title="Headline 2025")
    InvestmentFactory(company=bytedance, title="Component 2025", parent=headline)

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "capex", "model_name": "investment", "field_name": "parent", "term": "2025"},
    )

    titles = [result["text"] for result in response.json()["results"]]
    assert titles == ["ByteDance: Headline 2025"]


def test_conversions_are_shown_read_only_with_rate_date_and_provider(editor_client, editor, bytedance):
    investment = InvestmentFactory(
        company=bytedance,
        created_by=editor,
        amount=Decimal("40000000000"),
        currency="CNY",
        amount_usd_at_announcement=Decimal("5491280000"),
        fx_rate_at_announcement=Decimal("0.137282"),
        fx_date_at_announcement=datetime.date(2025, 1, 21),
        fx_provider_at_announcement="ecb_bundled",
        fx_note_latest="no rate for CNY within 7 days of 2025-06-01",
    )

    page = editor_client.get(change_url(investment)).content.decode()

    assert "$5.49bn · rate 0.137282 USD per CNY of 2025-01-21 · ECB reference rates (bundled history)" in page
    assert "not converted (no rate for CNY within 7 days of 2025-06-01)" in page
    assert 'name="amount_usd_at_announcement"' not in page


def test_citations_of_a_published_figure_cannot_be_deleted_on_their_own(client):
    client.force_login(make_user("Reviewer", "rita"))
    investment = PublishedInvestmentFactory()
    citation = investment.citations.get()

    response = client.post(reverse("admin:capex_citation_delete", args=[citation.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_adding_a_citation_makes_the_reviewer_the_last_editor_so_they_cannot_publish(client, editor, bytedance):
    reviewer = make_user("Reviewer", "rita")
    investment = InvestmentFactory(company=bytedance, created_by=editor, updated_by=editor, title="AI plan 2025")
    client.force_login(reviewer)

    unchanged = {
        "title": "AI plan 2025",
        "amount": "1000000000",
        "qualifier": "approximately",
        "category": "unspecified",
    }
    client.post(change_url(investment), figure_form(bytedance, SourceFactory(), **unchanged))
    investment.refresh_from_db()
    assert investment.history.count() == 2  # created, then the citation added by the reviewer
    investment_submit(investment=investment, by=editor)
    response = client.post(reverse("admin:capex_investment_publish", args=[investment.pk]), follow=True)

    assert investment.updated_by == reviewer
    assert investment.citations.count() == 1
    assert "another reviewer must publish it (four eyes)" in response.content.decode()
    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW


def test_add_a_component_starts_from_the_headline(editor_client, editor, bytedance):
    headline = InvestmentFactory(company=bytedance, title="AI plan 2025", created_by=editor, currency="USD")

    page = editor_client.get(change_url(headline)).content.decode()
    start = re.search(r'href="([^"]+)">Add a component</a>', page).group(1).replace("&amp;", "&")
    form = editor_client.get(start).content.decode()

    assert f'<option value="{headline.pk}" selected>ByteDance: AI plan 2025</option>' in form
    assert f'<option value="{bytedance.pk}" selected>ByteDance</option>' in form
