"""The slots API, mounted at /api/v1/slots/: ``GET /`` lists, ``POST /<id>/book/`` books."""

from rest_framework.routers import SimpleRouter

from .api import SlotViewSet

app_name = "planning_api"

router = SimpleRouter()
router.register("", SlotViewSet, basename="slot")

urlpatterns = router.urls
