from rest_framework.routers import DefaultRouter

from projects.api import DwellingViewSet, OrganisationViewSet, ProjectViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("dwellings", DwellingViewSet, basename="dwelling")

urlpatterns = router.urls
