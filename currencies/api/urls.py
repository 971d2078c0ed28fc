from rest_framework.routers import SimpleRouter

from currencies.api.views import ExchangeRateViewSet, RateRefreshViewSet

router = SimpleRouter()
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("rate-refreshes", RateRefreshViewSet, basename="rate-refresh")

urlpatterns = router.urls
