"""The read API of messages and campaigns, mounted at /api/v1/ beside the projects' routes."""

from rest_framework.routers import SimpleRouter

from .api import CampaignViewSet, MessageViewSet

app_name = "communication_api"

router = SimpleRouter()
router.register("messages", MessageViewSet, basename="message")
router.register("campaigns", CampaignViewSet, basename="campaign")

urlpatterns = router.urls
