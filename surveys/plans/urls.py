from django.urls import path

from surveys.plans import views

app_name = "plans"

urlpatterns = [
    path("<int:pk>/file/", views.plan_file, name="file"),
    path("dwellings/<int:pk>/make/", views.plan_make, name="make"),
    path("projects/<slug:slug>/", views.project_plans, name="project"),
    path("projects/<slug:slug>/jobs/<int:job_id>/", views.job_detail, name="job"),
    path("projects/<slug:slug>/jobs/<int:job_id>/status.json", views.job_status, name="job-status"),
]
