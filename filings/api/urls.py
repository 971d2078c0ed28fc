from rest_framework.routers import SimpleRouter

from filings.api.views import ReportedCapexViewSet

router = SimpleRouter()
router.register("reported", ReportedCapexViewSet, basename="reported")

urlpatterns = router.urls
