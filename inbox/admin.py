"""
The editors' inbox: feed items newest first with their candidates, filterable by feed and by
company; each candidate can be corrected in place (save), accepted into a draft figure, or
dismissed with a reason. The item's text is shown with each candidate's quote marked.
Keyboard shortcuts come from static/inbox/inbox.js (no inline script: the site's CSP forbids it).
"""

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.forms import Textarea, modelform_factory
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from inbox.choices import CandidateState
from inbox.models import Candidate, Feed, FeedItem, PollRun
from inbox.services import (
    CORRECTABLE_FIELDS,
    candidate_accept,
    candidate_correct,
    candidate_dismiss,
    feeds_make_due,
)
from inbox.tasks import poll_feeds


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "company", "interval_minutes", "last_status", "failures", "last_polled_at"]
    list_filter = ["kind", "last_status", "active"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["company"]
    readonly_fields = ["etag", "last_modified", "last_polled_at", "failures", "last_status", "last_error"]
    actions = ["poll_now"]

    @admin.action(description="Poll the selected feeds now", permissions=["change"])
    def poll_now(self, request, queryset):
        """Beat polls every five minutes; an editor waiting for a release need not wait for it."""
        due = feeds_make_due(feeds=queryset)
        transaction.on_commit(poll_feeds.delay)
        self.message_user(request, f"{due} active feed(s) are being polled; new items appear under Feed items.")


# Deciding on a candidate: correcting it, dismissing it, and (with capex's right to add a figure) accepting it.
DECIDE = ("inbox.change_candidate",)
ACCEPT = ("inbox.change_candidate", "capex.add_investment")


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    can_delete = False
    fields = [
        "amount",
        "amount_high",
        "currency",
        "qualifier",
        "company",
        "period_start",
        "period_end",
        "measure",
        "quote",
        "flag_link",
        "state",
        "actions_cell",
    ]
    readonly_fields = ["flag_link", "state", "actions_cell", "decision"]
    autocomplete_fields = ["company"]
    # A clause is a line or two: a small box keeps the row (and its buttons) on the screen.
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 48})}}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        """Who may not decide (a viewer) sees what was decided, not buttons that would refuse them."""
        fields = super().get_fields(request, obj)
        if request.user.has_perms(DECIDE):
            return [field for field in fields if field != "decision"]
        return [field for field in fields if field != "actions_cell"]

    @admin.display(description="Decision")
    def decision(self, candidate: Candidate):
        if candidate.investment_id:
            url = reverse("admin:capex_investment_change", args=[candidate.investment_id])
            return format_html('<a href="{}">Draft</a>', url)
        return candidate.dismiss_reason or candidate.get_state_display()

    @admin.display(description="Recorded")
    def flag_link(self, candidate: Candidate):
        if candidate.matched_id is None:
            return candidate.get_flag_display()
        url = reverse("admin:capex_investment_change", args=[candidate.matched_id])
        return format_html('{} <a href="{}">{}</a>', candidate.get_flag_display(), url, candidate.matched)

    @admin.display(description="Decide")
    def actions_cell(self, candidate: Candidate):
        if candidate.state != CandidateState.OPEN:
            return self.decision(candidate)
        accept = reverse("admin:inbox_candidate_accept", args=[candidate.pk])
        dismiss = reverse("admin:inbox_candidate_dismiss", args=[candidate.pk])
        return format_html(
            '<button type="submit" class="inbox-accept" formaction="{}" data-candidate="{}">Accept</button> '
            '<input type="text" name="reason-{}" class="inbox-reason" placeholder="Reason" size="14"> '
            '<button type="submit" class="inbox-dismiss" formaction="{}">Dismiss</button>',
            accept,
            candidate.pk,
            candidate.pk,
            dismiss,
        )


def highlighted(text: str, quotes: list[str]) -> str:
    """The text, escaped, with each quote wrapped in <mark>; nothing of the text is trusted."""
    spans = []
    for quote in quotes:
        if not quote.split():
            continue
        # The extractor reads sentences with their spaces collapsed; the text keeps its own.
        found = re.search(r"\s+".join(re.escape(word) for word in quote.split()), text)
        if found:
            spans.append(found.span())
    spans.sort()
    parts, position = [], 0
    for start, end in spans:
        if start < position:
            continue
        parts.append(("{}", text[position:start]))
        parts.append(("<mark>{}</mark>", text[start:end]))
        position = end
    parts.append(("{}", text[position:]))
    return format_html_join("", "{}", ((format_html(template, value),) for template, value in parts))


@admin.register(FeedItem)
class FeedItemAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "feed", "published", "status", "open_candidates"]
    list_filter = ["status", "feed", ("candidates__company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "url", "text"]
    # Newest first on every database: an item whose feed gave no date goes last, not first.
    ordering = [F("published").desc(nulls_last=True), "-id"]
    inlines = [CandidateInline]
    fields = ["title", "url", "feed", "published", "status", "error", "dismiss_reason", "text_marked"]
    readonly_fields = ["title", "url", "feed", "published", "status", "error", "dismiss_reason", "text_marked"]

    def has_add_permission(self, request) -> bool:
        return False  # items come from polling feeds

    def get_queryset(self, request):
        # The open candidates are counted in the list's own query, not once per row.
        return (
            super()
            .get_queryset(request)
            .select_related("feed")
            .annotate(open_count=Count("candidates", filter=Q(candidates__state=CandidateState.OPEN)))
        )

    @admin.display(description="Open candidates", ordering="open_count")
    def open_candidates(self, item: FeedItem) -> int:
        return item.open_count

    @admin.display(description="Text")
    def text_marked(self, item: FeedItem):
        quotes = [candidate.quote for candidate in item.candidates.all()]
        return format_html('<div class="inbox-text">{}</div>', highlighted(item.text, quotes))

    def get_urls(self):
        own = [
            path(
                "candidate/<int:candidate_id>/accept/",
                self.admin_site.admin_view(self.accept_view),
                name="inbox_candidate_accept",
            ),
            path(
                "candidate/<int:candidate_id>/dismiss/",
                self.admin_site.admin_view(self.dismiss_view),
                name="inbox_candidate_dismiss",
            ),
        ]
        return own + super().get_urls()

    def _decide(self, request, candidate_id: int, decide, *, permissions: tuple[str, ...]):
        if not request.user.has_perms(permissions):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        candidate = get_object_or_404(Candidate.objects.select_related("item__feed", "company"), pk=candidate_id)
        try:
            message = decide(candidate)
            messages.success(request, message)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return HttpResponseRedirect(reverse("admin:inbox_feeditem_change", args=[candidate.item_id]))

    def save_formset(self, request, form, formset, change):
        """Corrections go through the service, which works the duplicate/revision flag out again."""
        if formset.model is not Candidate:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # the corrected rows, as the admin's change message reads them
        for candidate, changed in formset.changed_objects:
            candidate_correct(candidate=candidate, changes={name: getattr(candidate, name) for name in changed})
        return None

    @staticmethod
    def _posted_corrections(request, candidate: Candidate) -> dict:
        """
        The corrections made to the candidate's row of the item form that was posted with Accept,
        so an editor need not save first; invalid ones are refused with the field named.
        """
        prefix = next(
            (
                name.removesuffix("-id")
                for name, value in request.POST.items()
                if name.startswith("candidates-") and name.endswith("-id") and value == str(candidate.pk)
            ),
            None,
        )
        if prefix is None:
            return {}
        row = modelform_factory(Candidate, fields=CORRECTABLE_FIELDS)(request.POST, instance=candidate, prefix=prefix)
        if not row.changed_data:
            return {}
        if not row.is_valid():
            raise ValidationError(
                [f"{row.fields[name].label}: {error}" for name, errors in row.errors.items() for error in errors]
            )
        return {name: row.cleaned_data[name] for name in row.changed_data}

    def accept_view(self, request, candidate_id: int):
        def accept(candidate):
            if changes := self._posted_corrections(request, candidate):
                candidate_correct(candidate=candidate, changes=changes)
            investment = candidate_accept(candidate=candidate, by=request.user)
            return f"Draft “{investment}” created with its citation; send it for review when checked."

        return self._decide(request, candidate_id, accept, permissions=ACCEPT)

    def dismiss_view(self, request, candidate_id: int):
        def dismiss(candidate):
            candidate_dismiss(candidate=candidate, reason=request.POST.get(f"reason-{candidate.pk}", ""))
            return "Candidate dismissed."

        return self._decide(request, candidate_id, dismiss, permissions=DECIDE)


@admin.register(PollRun)
class PollRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "feeds_polled", "feeds_failed", "items_new", "items_failed"]
    readonly_fields = [f.name for f in PollRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
