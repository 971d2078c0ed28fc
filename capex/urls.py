from django.urls import path

from capex import feeds, views

app_name = "capex"

# Company and source pages keep their own namespaces ("companies:detail", "sources:detail"),
# included from config/urls.py; their views are capex's because they show figures and totals.
company_patterns = (
    [
        path("", views.CompanyListView.as_view(), name="list"),
        path("<slug:slug>/", views.CompanyDetailView.as_view(), name="detail"),
        path("<slug:slug>/feed/", feeds.company_figures_feed, name="feed"),
        # A chip vendor's page shows who buys from it; this is the feed of those figures.
        path("<slug:slug>/buyers/feed/", feeds.vendor_figures_feed, name="vendor-feed"),
    ],
    "companies",
)
source_patterns = (
    [
        path("", views.SourceListView.as_view(), name="list"),
        path("<int:pk>/", views.SourceDetailView.as_view(), name="detail"),
    ],
    "sources",
)

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("investments/<int:pk>/", views.InvestmentDetailView.as_view(), name="investment-detail"),
    path("investments/<int:pk>/cite.bib", views.InvestmentBibtexView.as_view(), name="investment-bibtex"),
    path("explore/", views.ExploreView.as_view(), name="explore"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("feed/", feeds.figures_feed, name="feed"),
]
