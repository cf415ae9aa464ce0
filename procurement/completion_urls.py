"""The installer's pages and the heat company's review and register, mounted at ``installations/``."""

from django.urls import path

from procurement import completion_views as views

app_name = "installations"

urlpatterns = [
    path("", views.my_week, name="my-week"),
    path("plan/", views.plan, name="plan"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("register/", views.register, name="register"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("projects/<slug:slug>/", views.project_installations, name="project"),
    path("projects/<slug:slug>/settings/", views.project_settings, name="settings"),
    path("<int:pk>/", views.completion, name="completion"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/extra-work/", views.extra_work, name="extra-work"),
]
