"""The tenders API, mounted at /api/v1/tenders/."""

from rest_framework.routers import SimpleRouter

from .tender_api import TenderViewSet

app_name = "tenders_api"

router = SimpleRouter()
router.register("", TenderViewSet, basename="tender")

urlpatterns = router.urls
