from django.urls import path

from projects.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("jobs/<int:job_id>/", views.import_job, name="job"),
    path("jobs/<int:job_id>/status.json", views.import_job_status, name="job-status"),
    path("jobs/<int:job_id>/rejects.csv", views.import_job_rejects, name="rejects"),
    path("jobs/<int:job_id>/changes.csv", views.import_job_changes, name="changes"),
]
