"""
The researcher pages: dashboard, figures, companies, sources, Explore and Compare.

Company and source pages live here, not in the companies and sources apps, because they
show capex figures and totals: dependencies point one way, from capex to the others.
"""

from capex.views.companies import CompanyDetailView, CompanyListView
from capex.views.compare import CompareView
from capex.views.explore import ExploreView
from capex.views.home import HomeView
from capex.views.investments import InvestmentBibtexView, InvestmentDetailView
from capex.views.methodology import MethodologyView
from capex.views.sources import SourceDetailView, SourceListView

__all__ = [
    "CompanyDetailView",
    "CompanyListView",
    "CompareView",
    "ExploreView",
    "HomeView",
    "InvestmentBibtexView",
    "InvestmentDetailView",
    "MethodologyView",
    "SourceDetailView",
    "SourceListView",
]
