"""Planning survey visits ahead, by cluster or street, and open slots for residents."""

from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("<slug:slug>/", views.area_plan, name="area"),
    path("<slug:slug>/jobs/<int:job_id>/", views.plan_job, name="job"),
    path("<slug:slug>/jobs/<int:job_id>/status.json", views.plan_job_status, name="job-status"),
    path("<slug:slug>/slots/", views.slots, name="slots"),
]
