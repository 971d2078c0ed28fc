"""The researcher pages of the capex app: dashboard, figures, Explore and Compare."""

from capex.views.compare import CompareView
from capex.views.explore import ExploreView
from capex.views.home import HomeView
from capex.views.investments import InvestmentBibtexView, InvestmentDetailView

__all__ = ["CompareView", "ExploreView", "HomeView", "InvestmentBibtexView", "InvestmentDetailView"]
