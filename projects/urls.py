from django.urls import include, path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/edit/", views.project_edit, name="edit"),
    path("<slug:slug>/governance/", views.governance_edit, name="governance"),
    path("<slug:slug>/governance/agreement/", views.governance_document, name="agreement"),
    path("<slug:slug>/governance/log/", views.governance_log, name="governance-log"),
    path("<slug:slug>/roles/new/", views.participation_add, name="participation-add"),
    path("<slug:slug>/roles/<int:pk>/remove/", views.participation_remove, name="participation-remove"),
    path("<slug:slug>/subteams/new/", views.subteam_edit, name="subteam-add"),
    path("<slug:slug>/subteams/<int:pk>/", views.subteam_edit, name="subteam-edit"),
    path("<slug:slug>/subteams/<int:pk>/remove/", views.subteam_delete, name="subteam-delete"),
    path("<slug:slug>/dwellings/", views.dwelling_list, name="dwellings"),
    path("<slug:slug>/dwellings/bulk/", views.dwelling_bulk, name="dwelling-bulk"),
    path("<slug:slug>/dwellings/new/", views.dwelling_edit, name="dwelling-add"),
    path("<slug:slug>/dwellings/<int:pk>/edit/", views.dwelling_edit, name="dwelling-edit"),
    path("<slug:slug>/dwellings/<int:pk>/agreement/", views.dwelling_agreement, name="dwelling-agreement"),
    path("<slug:slug>/dwellings/<int:pk>/", views.dwelling_detail, name="dwelling"),
    path("<slug:slug>/dwellings/<int:pk>/history/", views.dwelling_history, name="dwelling-history"),
    path(
        "<slug:slug>/dwellings/<int:pk>/people/<int:contact_pk>/history/",
        views.contact_history,
        name="contact-history",
    ),
    path("<slug:slug>/dwellings/<int:pk>/<str:transition>/", views.dwelling_move, name="dwelling-move"),
    path("<slug:slug>/jobs/<int:job_id>/", views.job_detail, name="job"),
    path("<slug:slug>/jobs/<int:job_id>/status.json", views.job_status, name="job-status"),
    path("<slug:slug>/import/", include("projects.imports.urls")),
]
