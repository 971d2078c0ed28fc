"""The editorial workflow services: who may move a figure where, and the four-eyes rule."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from capex.choices import WorkflowState
from capex.models import Investment
from capex.services.investments import investment_update
from capex.services.workflow import investment_publish, investment_return_to_draft, investment_submit
from capex.tests.factories import CitationFactory, InvestmentFactory
from capex.tests.fixtures.personas import make_user

pytestmark = pytest.mark.django_db


def draft_by(user, *, cited: bool = True) -> Investment:
    investment = InvestmentFactory(created_by=user, updated_by=user)
    if cited:
        CitationFactory(investment=investment)
    return investment


def in_review_by(user) -> Investment:
    return investment_submit(investment=draft_by(user), by=user)


def test_data_migration_creates_the_three_groups_with_their_rights():
    rights = {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.filter(name__in=["Viewer", "Editor", "Reviewer"])
    }
    assert set(rights) == {"Viewer", "Editor", "Reviewer"}
    assert "view_investment" in rights["Viewer"]
    assert not any(code.startswith(("add_", "change_", "delete_")) for code in rights["Viewer"])
    assert {"add_investment", "change_investment", "add_citation", "submit_investment"} <= rights["Editor"]
    assert "publish_investment" not in rights["Editor"]
    assert {"publish_investment", "return_investment"} <= rights["Reviewer"]
    assert rights["Editor"] <= rights["Reviewer"]


def test_editor_sends_a_cited_draft_for_review_and_stays_its_last_editor(editor):
    investment = draft_by(editor)

    investment_submit(investment=investment, by=editor)

    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW
    assert investment.updated_by == editor
    last = investment.history.first()
    assert last.history_user == editor
    assert last.history_change_reason == "Sent for review"


def test_a_draft_without_a_citation_is_not_sent_for_review(editor):
    investment = draft_by(editor, cited=False)

    with pytest.raises(ValidationError) as error:
        investment_submit(investment=investment, by=editor)

    assert "without at least one citation" in error.value.message_dict["state"][0]
    investment.refresh_from_db()
    assert investment.state == WorkflowState.DRAFT


def test_a_viewer_cannot_send_for_review(viewer, editor):
    investment = draft_by(editor)

    with pytest.raises(PermissionDenied):
        investment_submit(investment=investment, by=viewer)

    investment.refresh_from_db()
    assert investment.state == WorkflowState.DRAFT


def test_only_a_draft_is_sent_for_review(editor):
    investment = in_review_by(editor)

    with pytest.raises(ValidationError) as error:
        investment_submit(investment=investment, by=editor)

    assert error.value.message_dict["state"] == ["Only a draft can be sent for review."]


def test_reviewer_publishes_a_figure_someone_else_entered(editor, reviewer):
    investment = in_review_by(editor)

    investment_publish(investment=investment, by=reviewer)

    investment.refresh_from_db()
    assert investment.state == WorkflowState.PUBLISHED
    assert investment.reviewed_by == reviewer
    assert investment.published_at is not None
    assert investment.updated_by == editor
    assert investment.history.first().history_user == reviewer


def test_reviewer_cannot_publish_a_figure_they_created(reviewer):
    investment = in_review_by(reviewer)

    with pytest.raises(PermissionDenied) as error:
        investment_publish(investment=investment, by=reviewer)

    assert "four eyes" in str(error.value)
    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW
    assert investment.reviewed_by is None


def test_reviewer_cannot_publish_a_figure_they_changed_last(editor, reviewer):
    investment = draft_by(editor)
    investment_update(investment=investment, updated_by=reviewer, title="Corrected title")
    investment_submit(investment=investment, by=editor)

    with pytest.raises(PermissionDenied):
        investment_publish(investment=investment, by=reviewer)

    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW


def test_a_second_reviewer_publishes_the_first_reviewers_figure(reviewer, second_reviewer):
    investment = in_review_by(reviewer)

    investment_publish(investment=investment, by=second_reviewer)

    assert Investment.objects.get(pk=investment.pk).state == WorkflowState.PUBLISHED


def test_even_a_superuser_does_not_publish_their_own_figure():
    admin = make_user("Admin", "ada")
    investment = in_review_by(admin)

    with pytest.raises(PermissionDenied):
        investment_publish(investment=investment, by=admin)


def test_an_editor_cannot_publish(editor, second_editor):
    investment = in_review_by(editor)

    with pytest.raises(PermissionDenied):
        investment_publish(investment=investment, by=second_editor)


def test_a_reviewer_publishes_only_what_is_in_review(editor, reviewer):
    investment = draft_by(editor)

    with pytest.raises(ValidationError) as error:
        investment_publish(investment=investment, by=reviewer)

    assert "in review" in error.value.message_dict["state"][0]


def test_a_figure_whose_citations_were_removed_in_review_is_not_published(editor, reviewer):
    investment = in_review_by(editor)
    investment.citations.all().delete()

    with pytest.raises(ValidationError):
        investment_publish(investment=investment, by=reviewer)

    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW


def test_the_system_load_publishes_a_cited_draft_directly():
    investment = draft_by(None)

    investment_publish(investment=investment, by=None)

    investment.refresh_from_db()
    assert investment.state == WorkflowState.PUBLISHED
    assert investment.reviewed_by is None


def test_the_system_load_does_not_publish_without_a_citation():
    investment = draft_by(None, cited=False)

    with pytest.raises(ValidationError):
        investment_publish(investment=investment, by=None)


def test_reviewer_returns_a_published_figure_to_draft_with_a_reason(editor, reviewer):
    investment = investment_publish(investment=in_review_by(editor), by=reviewer)

    investment_return_to_draft(investment=investment, by=reviewer, reason="The quote says RMB, not USD.")

    investment.refresh_from_db()
    assert investment.state == WorkflowState.DRAFT
    assert investment.published_at is None
    assert investment.reviewed_by is None
    assert investment.updated_by == editor
    record = investment.history.first()
    assert record.history_user == reviewer
    assert record.history_change_reason == "Returned to draft: The quote says RMB, not USD."


def test_return_to_draft_needs_a_reason(editor, reviewer):
    investment = in_review_by(editor)

    with pytest.raises(ValidationError) as error:
        investment_return_to_draft(investment=investment, by=reviewer, reason="  ")

    assert error.value.message_dict["reason"] == ["Say why the figure goes back to draft."]
    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW


def test_return_to_draft_reason_must_fit_in_the_history(editor, reviewer):
    investment = in_review_by(editor)

    with pytest.raises(ValidationError) as error:
        investment_return_to_draft(investment=investment, by=reviewer, reason="x" * 81)

    assert "80 characters" in error.value.message_dict["reason"][0]


def test_an_editor_takes_back_their_own_figure_from_review(editor):
    investment = in_review_by(editor)

    investment_return_to_draft(investment=investment, by=editor, reason="Forgot the period")

    assert Investment.objects.get(pk=investment.pk).state == WorkflowState.DRAFT


def test_an_editor_cannot_take_back_someone_elses_figure_or_a_published_one(editor, second_editor, reviewer):
    in_review = in_review_by(editor)
    with pytest.raises(PermissionDenied):
        investment_return_to_draft(investment=in_review, by=second_editor, reason="Not mine")

    published = investment_publish(investment=in_review_by(second_editor), by=reviewer)
    with pytest.raises(PermissionDenied):
        investment_return_to_draft(investment=published, by=second_editor, reason="Mine but published")
    assert Investment.objects.get(pk=published.pk).state == WorkflowState.PUBLISHED


def test_a_draft_is_not_returned_to_draft(editor, reviewer):
    investment = draft_by(editor)

    with pytest.raises(ValidationError) as error:
        investment_return_to_draft(investment=investment, by=reviewer, reason="Again")

    assert error.value.message_dict["state"] == ["This figure is already a draft."]


def test_editors_and_reviewers_may_enter_manual_rates_viewers_may_not():
    from capex.tests.fixtures.personas import make_user

    for role in ("Editor", "Reviewer"):
        assert make_user(role).has_perm("currencies.add_exchangerate"), role
    assert not make_user("Viewer").has_perm("currencies.add_exchangerate")
