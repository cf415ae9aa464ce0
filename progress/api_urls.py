"""The progress figures' API, mounted at /api/v1/progress/."""

from django.urls import path

from progress.api import ProjectProgressView, ScopeProgressView

app_name = "progress_api"

urlpatterns = [
    path("projects/<slug:slug>/", ProjectProgressView.as_view(), name="project"),
    path("<str:scope>/", ScopeProgressView.as_view(), name="scope"),
]
