from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("my-day/", views.my_day, name="my-day"),
]
