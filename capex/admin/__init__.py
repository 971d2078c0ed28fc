"""
Figures and citations in the admin, where editors and reviewers work.

* investments.py: the figure's change form (field groups, citations and components inline,
  read-only conversions), list, filters, search, the workflow actions and buttons.
* extraction.py: "Extract figures" from a source's text, one click per candidate draft.
* citations.py: citations on their own, for search and their change history.
"""

from capex.admin.citations import CitationAdmin
from capex.admin.investments import InvestmentAdmin

__all__ = ["CitationAdmin", "InvestmentAdmin"]
