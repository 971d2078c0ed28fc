from django.urls import path

from capex import views

app_name = "capex"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("investments/<int:pk>/", views.InvestmentDetailView.as_view(), name="investment-detail"),
    path("investments/<int:pk>/cite.bib", views.InvestmentBibtexView.as_view(), name="investment-bibtex"),
    path("explore/", views.ExploreView.as_view(), name="explore"),
    path("compare/", views.CompareView.as_view(), name="compare"),
]
