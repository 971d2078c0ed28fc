"""
The admin's import preview, each changed cell without inline styles.

django-import-export renders a preview cell with diff-match-patch's `diff_prettyHtml`, which
writes `style=""` attributes on `<ins>` and `<del>`. The site's Content-Security-Policy blocks
them (a console error for each, and no colours), so the resources render the same diff as plain
`<ins>` and `<del>`, which the package's own import.css colours in its preview table, in the
light and the dark theme.
"""

from diff_match_patch import diff_match_patch
from django.utils.encoding import force_str
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from import_export.resources import Diff

_TAGS = {
    diff_match_patch.DIFF_INSERT: "<ins>{}</ins>",
    diff_match_patch.DIFF_DELETE: "<del>{}</del>",
    diff_match_patch.DIFF_EQUAL: "<span>{}</span>",
}
LINE_BREAK = mark_safe("&para;<br>")  # a constant: nothing of the data in it


def _text(part: str) -> str:
    """A part of a cell, escaped, its line breaks shown as ¶ and kept."""
    return format_html_join(LINE_BREAK, "{}", ((line,) for line in part.split("\n")))


class PreviewDiff(Diff):
    """A row's cells before and after the import, as the package shows them, with no inline style."""

    def as_html(self) -> list[str]:
        matcher = diff_match_patch()
        cells = []
        for before, after in zip(self.left, self.right, strict=False):
            if before != after and self.new:
                before = ""  # as the package does: a new row shows its values, not a change
            diff = matcher.diff_main(force_str(before), force_str(after))
            matcher.diff_cleanupSemantic(diff)
            parts = ((format_html(_TAGS[op], _text(part)),) for op, part in diff if part)
            cells.append(format_html_join("", "{}", parts))
        return cells


class PreviewDiffMixin:
    """For a ModelResource: the admin's import preview rendered by PreviewDiff."""

    @classmethod
    def get_diff_class(cls):
        return PreviewDiff
