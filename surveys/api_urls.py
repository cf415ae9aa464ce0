from django.urls import path

from surveys.api import SurveyViewSet

app_name = "survey_api"

urlpatterns = [
    path("<int:pk>/", SurveyViewSet.as_view({"get": "retrieve"}), name="survey"),
    path("<int:pk>/answers/", SurveyViewSet.as_view({"patch": "answers"}), name="answers"),
    path("<int:pk>/works/", SurveyViewSet.as_view({"put": "works"}), name="works"),
    path("<int:pk>/photos/", SurveyViewSet.as_view({"post": "photos"}), name="photos"),
    path(
        "<int:pk>/photos/<uuid:client_id>/",
        SurveyViewSet.as_view({"delete": "remove_photo"}),
        name="photo",
    ),
    path("<int:pk>/visits/", SurveyViewSet.as_view({"post": "visits"}), name="visits"),
]
