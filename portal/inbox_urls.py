"""The inbox of residents' questions and aftercare reports, mounted at /inbox/."""

from django.urls import path

from portal import inbox

app_name = "inbox"

urlpatterns = [
    path("", inbox.inbox, name="list"),
    path("<int:pk>/", inbox.question, name="question"),
    path("<int:pk>/photo/", inbox.question_photo, name="photo"),
    path("people/<int:pk>/new-link/", inbox.new_link, name="new-link"),
]
