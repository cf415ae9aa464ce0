from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("my-day/", views.my_day, name="my-day"),
    path("dwellings/<int:pk>/", views.survey_form, name="form"),
    path("dwellings/<int:pk>/finish/", views.survey_finish, name="finish"),
    path("photos/<int:pk>/", views.photo_image, name="photo"),
    path("sw.js", views.service_worker, name="service-worker"),
]
