"""Where the project has the resident sign the record (block 3.1), the survey is complete only when signed."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from projects.services import dwelling_transition
from surveys.models import Photo
from tests.factories import DwellingFactory, _tiny_png, fill_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(advised_project, lead_user):
    dwelling = DwellingFactory(
        project=advised_project,
        state="survey_planned",
        surveyor=lead_user,
        survey_party=lead_user.organisation,
        survey_appointment_at=timezone.now(),
    )
    fill_survey(dwelling, by=lead_user)
    return dwelling


def test_without_sign_off_the_signature_is_optional(home, lead_user):
    assert home.survey.is_complete()
    dwelling_transition(actor=lead_user, dwelling_id=home.pk, transition="record_survey")


def test_with_sign_off_the_survey_needs_the_residents_signature(home, lead_user, advised_project, client):
    advised_project.governance.survey_sign_off = True
    advised_project.governance.save()
    assert home.survey.missing() == [("sign_off", "signature")]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        dwelling_transition(actor=lead_user, dwelling_id=home.pk, transition="record_survey")
    assert "The resident signs" in " ".join(refused.value.message_dict["survey"])
    client.force_login(lead_user)
    page = client.get(reverse("surveys:form", args=[home.pk]))
    assert page.status_code == 200
    marker = '<script id="survey-config" type="application/json">'
    start = page.text.index(marker) + len(marker)
    config = json.loads(page.text[start : page.text.index("</script>", start)])
    assert config["fields"]["sign_off.signature"]["required"] is True
    assert page.context["view"]["missing"] == 1
    Photo.objects.create(
        survey=home.survey,
        field="sign_off.signature",
        uploaded_by=lead_user,
        image=SimpleUploadedFile("handtekening.png", _tiny_png(), content_type="image/png"),
    )
    assert home.survey.is_complete()
    dwelling_transition(actor=lead_user, dwelling_id=home.pk, transition="record_survey")
