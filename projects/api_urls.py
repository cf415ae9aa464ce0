from rest_framework.routers import DefaultRouter

from projects.api import DwellingViewSet, OrganisationViewSet, ProjectViewSet

# No ".json" twins of the routes: the API speaks JSON only, and the actions take no format argument.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("projects", ProjectViewSet, basename="project")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("dwellings", DwellingViewSet, basename="dwelling")

urlpatterns = router.urls
