"""The delivery set register, mounted at /api/v1/delivery-sets/."""

from rest_framework.routers import SimpleRouter

from .completion_api import DeliverySetViewSet

app_name = "delivery_sets_api"

router = SimpleRouter()
router.register("", DeliverySetViewSet, basename="delivery-set")

urlpatterns = router.urls
