"""
The editors' inbox: feed items newest first with their candidates, filterable by feed and by
company; each candidate can be corrected in place (save), accepted into a draft figure, or
dismissed with a reason. The item's text is shown with each candidate's quote marked.
Keyboard shortcuts come from static/inbox/inbox.js (no inline script: the site's CSP forbids it).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from inbox.choices import CandidateState
from inbox.models import Candidate, Feed, FeedItem, PollRun
from inbox.services import candidate_accept, candidate_dismiss


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "company", "interval_minutes", "last_status", "failures", "last_polled_at"]
    list_filter = ["kind", "last_status", "active"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["company"]
    readonly_fields = ["etag", "last_modified", "last_polled_at", "failures", "last_status", "last_error"]


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
    readonly_fields = ["flag_link", "state", "actions_cell"]
    autocomplete_fields = ["company"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Recorded")
    def flag_link(self, candidate: Candidate):
        if candidate.matched_id is None:
            return candidate.get_flag_display()
        url = reverse("admin:capex_investment_change", args=[candidate.matched_id])
        return format_html('{} <a href="{}">{}</a>', candidate.get_flag_display(), url, candidate.matched)

    @admin.display(description="Decide")
    def actions_cell(self, candidate: Candidate):
        if candidate.state != CandidateState.OPEN:
            if candidate.investment_id:
                url = reverse("admin:capex_investment_change", args=[candidate.investment_id])
                return format_html('<a href="{}">Draft</a>', url)
            return candidate.dismiss_reason
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
        start = text.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote)))
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
    list_display = ["title", "feed", "published", "status", "open_candidates"]
    list_filter = ["status", "feed", ("candidates__company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "url", "text"]
    ordering = ["-published", "-id"]
    inlines = [CandidateInline]
    fields = ["title", "url", "feed", "published", "status", "error", "dismiss_reason", "text_marked"]
    readonly_fields = ["title", "url", "feed", "published", "status", "error", "text_marked"]

    @admin.display(description="Open candidates")
    def open_candidates(self, item: FeedItem) -> int:
        return item.candidates.filter(state=CandidateState.OPEN).count()

    @admin.display(description="Text")
    def text_marked(self, item: FeedItem):
        quotes = [candidate.quote for candidate in item.candidates.all()]
        # Line breaks kept by the class's rule in static/admin_site/admin.css (no inline style under the CSP).
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

    def _decide(self, request, candidate_id: int, decide):
        if request.method != "POST" or not request.user.has_perm("capex.add_investment"):
            raise PermissionDenied
        candidate = get_object_or_404(Candidate.objects.select_related("item__feed", "company"), pk=candidate_id)
        try:
            message = decide(candidate)
            messages.success(request, message)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return HttpResponseRedirect(reverse("admin:inbox_feeditem_change", args=[candidate.item_id]))

    def accept_view(self, request, candidate_id: int):
        def accept(candidate):
            investment = candidate_accept(candidate=candidate, by=request.user)
            return f"Draft “{investment}” created with its citation; send it for review when checked."

        return self._decide(request, candidate_id, accept)

    def dismiss_view(self, request, candidate_id: int):
        def dismiss(candidate):
            candidate_dismiss(candidate=candidate, reason=request.POST.get(f"reason-{candidate.pk}", ""))
            return "Candidate dismissed."

        return self._decide(request, candidate_id, dismiss)


@admin.register(PollRun)
class PollRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "feeds_polled", "feeds_failed", "items_new", "items_failed"]
    readonly_fields = [f.name for f in PollRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
