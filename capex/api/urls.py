from django.urls import path
from rest_framework.routers import SimpleRouter

from capex.api.views import InvestmentViewSet, StatsView

router = SimpleRouter()
router.register("investments", InvestmentViewSet, basename="investment")

urlpatterns = [
    *router.urls,
    path("stats/", StatsView.as_view(), name="stats"),
]
