from django.urls import path

from projects.views import people

app_name = "people"

urlpatterns = [
    path("", people.people_list, name="list"),
    path("new/", people.person_add, name="add"),
    path("<int:pk>/", people.person_edit, name="edit"),
    path("<int:pk>/unlock/", people.person_unlock, name="unlock"),
]
