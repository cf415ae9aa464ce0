"""Agreements and pools, mounted at ``agreements/``."""

from django.urls import path

from procurement import setup_views as views

app_name = "agreements"

urlpatterns = [
    path("", views.agreements, name="list"),
    path("new/", views.agreement_edit, name="add"),
    path("<int:pk>/", views.agreement_edit, name="edit"),
    path("pools/new/", views.pool_edit, name="pool-add"),
    path("pools/<int:pk>/", views.pool_edit, name="pool-edit"),
    path("projects/<slug:slug>/", views.project_pool, name="project"),
]
