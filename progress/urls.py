from django.urls import path

from progress import export_views, report_views, views

app_name = "progress"

urlpatterns = [
    path("", views.index, name="index"),
    path("projects/<slug:slug>/", views.project_dashboard, name="project"),
    # A dashboard's figures as files.
    path(
        "projects/<slug:slug>/figures.csv", export_views.project_figures, {"fmt": "csv"}, name="project-csv"
    ),
    path(
        "projects/<slug:slug>/figures.xlsx",
        export_views.project_figures,
        {"fmt": "xlsx"},
        name="project-xlsx",
    ),
    # The dwellings of a project, for the lead party.
    path("projects/<slug:slug>/exports/", export_views.exports_page, name="dwelling-exports"),
    path("projects/<slug:slug>/exports/dwellings.csv", export_views.dwellings_csv, name="dwellings-csv"),
    path("projects/<slug:slug>/exports/dwellings.xlsx", export_views.dwellings_xlsx, name="dwellings-xlsx"),
    path("projects/<slug:slug>/exports/<int:job_id>/", export_views.export_job, name="export-job"),
    path(
        "projects/<slug:slug>/exports/<int:job_id>/status.json",
        export_views.export_job_status,
        name="export-job-status",
    ),
    path(
        "projects/<slug:slug>/exports/<int:job_id>/download/",
        export_views.export_download,
        name="export-download",
    ),
    # The monthly reports.
    path("projects/<slug:slug>/reports/", report_views.project_reports, name="project-reports"),
    path("projects/<slug:slug>/reports/make/", report_views.project_report_make, name="project-report-make"),
    path("reports/<int:pk>/", report_views.report_file, name="report-file"),
    path("<slug:scope>/figures.csv", export_views.scope_figures, {"fmt": "csv"}, name="scope-csv"),
    path("<slug:scope>/figures.xlsx", export_views.scope_figures, {"fmt": "xlsx"}, name="scope-xlsx"),
    path("<slug:scope>/reports/", report_views.scope_reports, name="scope-reports"),
    path("<slug:scope>/reports/make/", report_views.scope_report_make, name="scope-report-make"),
    path("<slug:scope>/", views.scope_dashboard, name="scope"),
]
