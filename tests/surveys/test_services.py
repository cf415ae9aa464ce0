import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.models import Dwelling, OrganisationKind, Role
from surveys.models import Photo, Survey
from surveys.services import photo_add, survey_save_answers
from tests.conftest import member_of
from tests.factories import DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveyor(advised_project):
    return member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)


@pytest.fixture
def planned(advised_project, surveyor):
    return DwellingFactory(
        project=advised_project, state="survey_planned", surveyor=surveyor, survey_party=surveyor.organisation
    )


def jpeg(name="foto.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_answers_are_merged_with_who_gave_them(surveyor, planned):
    survey_save_answers(
        actor=surveyor,
        dwelling_id=planned.pk,
        answers={"kitchen_table.intention": {"value": "connect", "by": "resident"}},
    )
    survey = survey_save_answers(
        actor=surveyor,
        dwelling_id=planned.pk,
        answers={"dwelling_scan.electrical_groups": {"value": 4, "by": "surveyor"}},
    )
    assert survey.answers == {
        "kitchen_table.intention": {"value": "connect", "by": "resident"},
        "dwelling_scan.electrical_groups": {"value": 4, "by": "surveyor"},
    }


@pytest.mark.parametrize(
    "answers",
    [
        {"kitchen_table.intention": {"value": "maybe", "by": "resident"}},
        {"kitchen_table.intention": {"value": "connect", "by": "neighbour"}},
        {"kitchen_table.nonsense": {"value": "x", "by": "surveyor"}},
        {"dwelling_scan.electrical_groups": {"value": "many", "by": "surveyor"}},
        {"kitchen_table.explained": {"value": ["gossip"], "by": "surveyor"}},
        {"kitchen_table.present": {"value": ["a", "list"], "by": "surveyor"}},
        {"dwelling_scan.radiators": {"value": {"an": "object"}, "by": "surveyor"}},
    ],
)
def test_wrong_answers_change_nothing(surveyor, planned, answers):
    with pytest.raises(ValidationError):
        survey_save_answers(actor=surveyor, dwelling_id=planned.pk, answers=answers)
    assert not Survey.objects.filter(dwelling=planned).exists()


def test_only_the_surveyor_fills_in_the_survey(lead_user, planned, advised_project, outsider_project):
    with pytest.raises(PermissionDenied):
        survey_save_answers(
            actor=lead_user,
            dwelling_id=planned.pk,
            answers={"kitchen_table.present": {"value": "x", "by": "surveyor"}},
        )
    stranger = UserFactory()
    with pytest.raises(Dwelling.DoesNotExist):
        survey_save_answers(actor=stranger, dwelling_id=planned.pk, answers={})


def test_a_photo_sent_twice_is_stored_once(surveyor, planned):
    client_id = uuid.uuid4()
    first = photo_add(
        actor=surveyor,
        dwelling_id=planned.pk,
        field="delivery_set.photos",
        upload=jpeg(),
        client_id=client_id,
    )
    again = photo_add(
        actor=surveyor,
        dwelling_id=planned.pk,
        field="delivery_set.photos",
        upload=jpeg(),
        client_id=client_id,
    )
    assert first.pk == again.pk
    assert Photo.objects.count() == 1


def test_a_fake_photo_is_refused_and_nothing_stored(surveyor, planned):
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        photo_add(actor=surveyor, dwelling_id=planned.pk, field="delivery_set.photos", upload=fake)
    assert not Photo.objects.exists()


def test_completeness_names_what_is_missing(surveyor, planned):
    survey = survey_save_answers(
        actor=surveyor,
        dwelling_id=planned.pk,
        answers={"kitchen_table.intention": {"value": "connect", "by": "resident"}},
    )
    missing = survey.missing()
    assert ("kitchen_table", "intention") not in missing
    assert ("delivery_set", "photos") in missing
    assert ("works", "works") in missing
    photo_add(actor=surveyor, dwelling_id=planned.pk, field="delivery_set.photos", upload=jpeg())
    assert ("delivery_set", "photos") not in survey.missing()
    assert not survey.is_complete()
