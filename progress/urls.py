from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("", views.index, name="index"),
    path("projects/<slug:slug>/", views.project_dashboard, name="project"),
    path("<slug:scope>/", views.scope_dashboard, name="scope"),
]
