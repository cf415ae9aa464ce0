"""Projects that survey a selection: the sample and the extrapolation from it.

Mounted at ``projects/<slug:slug>/sample/``: every view receives the project's slug.
"""

from django.urls import path

from surveys.sampling import views

app_name = "sampling"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("propose/", views.propose, name="propose"),
    path("stratum/", views.stratum, name="stratum"),
    path("export.csv", views.export, name="export"),
]
