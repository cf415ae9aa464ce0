"""The work packages API, mounted at /api/v1/packages/."""

from rest_framework.routers import SimpleRouter

from .api import PackageViewSet

app_name = "packages_api"

router = SimpleRouter()
router.register("", PackageViewSet, basename="package")

urlpatterns = router.urls
