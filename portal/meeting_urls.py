"""The communicating party's pages of meetings with residents and the sounding board, mounted at
/meetings/."""

from django.urls import path

from portal import meeting_manage

app_name = "meetings"

urlpatterns = [
    path("projects/<slug:slug>/", meeting_manage.meeting_list, name="list"),
    path("projects/<slug:slug>/new/", meeting_manage.meeting_create, name="create"),
    path("<int:pk>/", meeting_manage.meeting_detail, name="detail"),
    path("<int:pk>/edit/", meeting_manage.meeting_edit, name="edit"),
    path("<int:pk>/notes/", meeting_manage.meeting_notes, name="notes"),
    path("<int:pk>/invite/", meeting_manage.meeting_invite, name="invite"),
]
