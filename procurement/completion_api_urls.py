"""The completion API, mounted at /api/v1/installations/."""

from django.urls import path

from .completion_api import CompletionViewSet

app_name = "installations_api"

urlpatterns = [
    path("<int:pk>/", CompletionViewSet.as_view({"get": "retrieve"}), name="completion"),
    path("<int:pk>/answers/", CompletionViewSet.as_view({"patch": "answers"}), name="answers"),
    path("<int:pk>/photos/", CompletionViewSet.as_view({"post": "photos"}), name="photos"),
    path(
        "<int:pk>/photos/<uuid:client_id>/",
        CompletionViewSet.as_view({"delete": "remove_photo"}),
        name="photo",
    ),
    path("<int:pk>/report/", CompletionViewSet.as_view({"post": "report"}), name="report"),
    path("<int:pk>/review/", CompletionViewSet.as_view({"post": "review"}), name="review"),
]
