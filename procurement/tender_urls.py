"""Ad hoc tenders, mounted at ``tenders/``; a project's new tender at ``tenders/new/<project slug>/``."""

from django.urls import path

from procurement import tender_views as views

app_name = "tenders"

urlpatterns = [
    path("", views.tender_list, name="list"),
    path("new/<slug:slug>/", views.tender_create, name="create"),
    path("<int:pk>/", views.tender_detail, name="detail"),
    path("<int:pk>/bid/", views.bid, name="bid"),
    path("<int:pk>/award/", views.award, name="award"),
]
