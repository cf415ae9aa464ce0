from rest_framework.routers import DefaultRouter

from projects.api import OrganisationViewSet, ProjectViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = router.urls
