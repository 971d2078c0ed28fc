from rest_framework.routers import SimpleRouter

from sources.api.views import PublisherViewSet, SourceViewSet

router = SimpleRouter()
router.register("publishers", PublisherViewSet, basename="publisher")
router.register("sources", SourceViewSet, basename="source")

urlpatterns = router.urls
