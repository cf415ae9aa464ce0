from django.urls import path

from surveys.plans import api

app_name = "plans_api"

urlpatterns = [
    path("dwellings/<int:pk>/", api.DwellingPlanList.as_view(), name="dwelling-plans"),
    path("dwellings/<int:pk>/render/", api.DwellingPlanRender.as_view(), name="render"),
    path("<int:pk>/file/", api.PlanFile.as_view(), name="file"),
]
