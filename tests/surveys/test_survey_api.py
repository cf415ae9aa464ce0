"""The survey API as the tablet uses it: scope, validation, idempotency by client_id, the end of the visit."""

import datetime
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from projects.models import Dwelling, OrganisationKind, Role
from surveys.models import Photo, Survey, Visit
from surveys.services import photo_add, photo_remove
from tests.conftest import member_of
from tests.factories import DwellingFactory, OrganisationFactory, UserFactory, fill_survey

pytestmark = pytest.mark.django_db

SECRET = "Buurvrouw vertelde over de schulden"


@pytest.fixture
def surveyor(advised_project):
    user = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    user.work_roles = ["field_worker"]
    user.save()
    return user


@pytest.fixture
def planned(advised_project, surveyor):
    return DwellingFactory(
        project=advised_project,
        state="survey_planned",
        surveyor=surveyor,
        survey_party=surveyor.organisation,
        survey_appointment_at="2026-12-01T10:00Z",
    )


@pytest.fixture
def api(surveyor):
    client = APIClient()
    client.force_authenticate(surveyor)
    return client


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(dwelling, part=""):
    return f"/api/v1/surveys/{dwelling.pk}/{part}"


def jpeg(name="foto.jpg", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def other_partys_dwelling(outsider_project):
    """A dwelling of a project the surveyor's organisation has nothing to do with."""
    other_surveyor = UserFactory()
    return DwellingFactory(project=outsider_project, state="survey_planned", surveyor=other_surveyor)


# --- Reading -----------------------------------------------------------------------------------


def test_the_surveyor_reads_the_whole_survey(api, planned):
    survey = fill_survey(planned)
    response = api.get(url(planned))
    assert response.status_code == 200
    body = response.json()
    assert body["sections"][0] == "kitchen_table"
    assert body["answers"] == survey.answers
    assert body["complete"] is True
    assert body["missing"] == []
    assert [photo["field"] for photo in body["photos"]] == ["delivery_set.photos"]
    assert body["proposed_works"][0] == {"work": "delivery_set", "responsible": "heat_company"}


def test_an_installer_never_gets_the_kitchen_table_talk(advised_project, planned):
    survey = fill_survey(planned)
    survey.answers["kitchen_table.questions"] = {"value": SECRET, "by": "resident"}
    survey.save()
    installer_org = advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
    Dwelling.objects.filter(pk=planned.pk).update(state="assigned", installer=installer_org)
    installer = UserFactory(organisation=installer_org)
    response = client_for(installer).get(url(planned))
    assert response.status_code == 200
    body = response.json()
    assert "kitchen_table" not in body["sections"]
    assert not [key for key in body["answers"] if key.startswith("kitchen_table.")]
    assert SECRET not in response.content.decode()
    assert "dwelling_scan.meter_cupboard" in body["answers"]
    assert body["photos"]  # the technical record, photos included
    # The lead party reads it all.
    lead = UserFactory(organisation=advised_project.participations.get(role=Role.LEAD).organisation)
    assert SECRET in client_for(lead).get(url(planned)).content.decode()


def test_the_housing_association_reads_the_technical_record_not_its_tenants_talk(advised_project, planned):
    survey = fill_survey(planned)
    survey.answers["kitchen_table.questions"] = {"value": SECRET, "by": "resident"}
    survey.save()
    association = member_of(advised_project, OrganisationKind.HOUSING_ASSOCIATION, Role.HOUSING_ASSOCIATION)
    Dwelling.objects.filter(pk=planned.pk).update(
        ownership="housing_association", housing_association=association.organisation
    )
    response = client_for(association).get(url(planned))
    assert response.status_code == 200
    assert "kitchen_table" not in response.json()["sections"]
    assert SECRET not in response.content.decode()
    assert "dwelling_scan.meter_cupboard" in response.json()["answers"]


@pytest.mark.parametrize("who", ["colleague", "stranger", "municipality"])
def test_outside_scope_the_survey_does_not_exist(advised_project, surveyor, planned, who):
    fill_survey(planned)
    if who == "colleague":  # another field worker of the same survey party
        user = UserFactory(organisation=surveyor.organisation, field_worker=True)
    elif who == "stranger":
        user = UserFactory()
    else:
        user = member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    client = client_for(user)
    assert client.get(url(planned)).status_code == 404
    response = client.patch(
        url(planned, "answers/"),
        {"answers": {"kitchen_table.present": {"value": "x", "by": "surveyor"}}},
        format="json",
    )
    assert response.status_code == 404
    assert (
        client.post(
            url(planned, "photos/"),
            {"field": "delivery_set.photos", "client_id": uuid.uuid4(), "image": jpeg()},
        ).status_code
        == 404
    )
    assert client.put(url(planned, "works/"), {"works": []}, format="json").status_code == 404
    visit = {"outcome": "not_home", "client_id": str(uuid.uuid4())}
    assert client.post(url(planned, "visits/"), visit, format="json").status_code == 404
    assert Dwelling.objects.get(pk=planned.pk).state == "survey_planned"
    assert Survey.objects.get(dwelling=planned).answers["kitchen_table.present"]["value"] != "x"
    assert Photo.objects.count() == 1 and not Visit.objects.exists()


def test_another_partys_dwelling_id_answers_404(api, outsider_project):
    dwelling = other_partys_dwelling(outsider_project)
    assert api.get(url(dwelling)).status_code == 404
    response = api.patch(
        url(dwelling, "answers/"),
        {"answers": {"kitchen_table.present": {"value": "x", "by": "surveyor"}}},
        format="json",
    )
    assert response.status_code == 404
    visit = {"outcome": "not_home", "client_id": str(uuid.uuid4())}
    assert api.post(url(dwelling, "visits/"), visit, format="json").status_code == 404
    assert not Survey.objects.exists() and not Visit.objects.exists()


def test_reading_costs_the_same_with_more_photos(api, planned, surveyor):
    fill_survey(planned)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url(planned)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(8):
        photo_add(actor=surveyor, dwelling_id=planned.pk, field="dwelling_scan.scan_photos", upload=jpeg())
    assert queries() == few


# --- Answers -----------------------------------------------------------------------------------


def test_answers_merge_and_a_retry_changes_nothing(api, planned):
    first = {"kitchen_table.intention": {"value": "connect", "by": "resident"}}
    assert api.patch(url(planned, "answers/"), {"answers": first}, format="json").status_code == 200
    second = {"dwelling_scan.electrical_groups": {"value": 4, "by": "surveyor"}}
    response = api.patch(url(planned, "answers/"), {"answers": second}, format="json")
    assert response.status_code == 200
    assert response.json()["answers"] == {**first, **second}
    again = api.patch(url(planned, "answers/"), {"answers": second}, format="json")
    assert again.json()["answers"] == {**first, **second}


@pytest.mark.parametrize(
    "answers, key",
    [
        ({"kitchen_table.intention": {"value": "maybe", "by": "resident"}}, "kitchen_table.intention"),
        ({"kitchen_table.intention": {"value": "connect", "by": "neighbour"}}, "kitchen_table.intention"),
        (
            {"dwelling_scan.electrical_groups": {"value": -2, "by": "surveyor"}},
            "dwelling_scan.electrical_groups",
        ),
        ({"kitchen_table.nonsense": {"value": "x", "by": "surveyor"}}, "kitchen_table.nonsense"),
        ({"delivery_set.photos": {"value": "x", "by": "surveyor"}}, "delivery_set.photos"),
        ({"kitchen_table.present": {"value": "x"}}, "kitchen_table.present"),
    ],
)
def test_a_wrong_answer_names_its_field_and_changes_nothing(api, planned, answers, key):
    good = {"kitchen_table.present": {"value": "bewoner", "by": "resident"}}
    response = api.patch(url(planned, "answers/"), {"answers": {**good, **answers}}, format="json")
    assert response.status_code == 400
    errors = response.json()["answers"]
    assert list(errors) == [key]
    assert errors[key]  # a message, not an empty list
    assert not Survey.objects.filter(dwelling=planned, answers__has_key="kitchen_table.present").exists()


def test_answers_must_be_a_dictionary(api, planned):
    response = api.patch(url(planned, "answers/"), {"answers": ["x"]}, format="json")
    assert response.status_code == 400
    assert "answers" in response.json()


def test_only_the_surveyor_writes(advised_project, planned):
    lead = UserFactory(organisation=advised_project.participations.get(role=Role.LEAD).organisation)
    client = client_for(lead)
    assert client.get(url(planned)).status_code == 200  # the lead party reads
    response = client.patch(
        url(planned, "answers/"),
        {"answers": {"kitchen_table.present": {"value": "x", "by": "surveyor"}}},
        format="json",
    )
    assert response.status_code == 403
    assert (
        client.post(
            url(planned, "visits/"), {"outcome": "not_home", "client_id": str(uuid.uuid4())}, format="json"
        ).status_code
        == 403
    )
    assert not Survey.objects.exists() and not Visit.objects.exists()


def test_a_survey_of_an_installed_home_cannot_be_changed(api, planned):
    fill_survey(planned)
    Dwelling.objects.filter(pk=planned.pk).update(state="installed")
    response = api.patch(
        url(planned, "answers/"),
        {"answers": {"kitchen_table.present": {"value": "x", "by": "surveyor"}}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_a_correction_after_approval_makes_a_new_plan_version(
    api, planned, django_capture_on_commit_callbacks
):
    from surveys.models import ConnectionPlan
    from surveys.plans.services import plans_render

    fill_survey(planned)
    Dwelling.objects.filter(pk=planned.pk).update(state="plan_ready", survey_completed_at=timezone.now())
    plans_render(dwelling_id=planned.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            url(planned, "answers/"),
            {"answers": {"delivery_set.position": {"value": "Naast de trapkast", "by": "surveyor"}}},
            format="json",
        )
    assert response.status_code == 200
    versions = ConnectionPlan.objects.filter(dwelling=planned).values_list("variant", "version")
    assert sorted(versions) == [("full", 1), ("full", 2), ("installer", 1), ("installer", 2)]


# --- Works -------------------------------------------------------------------------------------


def test_works_are_replaced_and_validated(api, planned):
    works = [
        {"work": "remove_boiler", "responsible": "owner"},
        {"work": "delivery_set", "responsible": "heat_company"},
    ]
    response = api.put(url(planned, "works/"), {"works": works}, format="json")
    assert response.status_code == 200
    assert response.json()["works"] == works
    bad = [{"work": "paint_the_house", "responsible": "owner"}]
    response = api.put(url(planned, "works/"), {"works": bad}, format="json")
    assert response.status_code == 400
    assert response.json()["works"]
    assert Survey.objects.get(dwelling=planned).works == works


# --- Photos ------------------------------------------------------------------------------------


def test_a_photo_sent_twice_is_stored_once(api, planned):
    client_id = str(uuid.uuid4())
    data = {"field": "delivery_set.photos", "client_id": client_id}
    first = api.post(url(planned, "photos/"), {**data, "image": jpeg()})
    assert first.status_code == 201
    again = api.post(url(planned, "photos/"), {**data, "image": jpeg()})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Photo.objects.count() == 1
    assert first.json()["url"] == f"/surveys/photos/{first.json()['id']}/"


def test_a_sketch_is_a_png_of_its_field(api, planned):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, "PNG")
    sketch = SimpleUploadedFile("sketch.png", buffer.getvalue(), content_type="image/png")
    response = api.post(
        url(planned, "photos/"), {"field": "delivery_set.sketch", "client_id": uuid.uuid4(), "image": sketch}
    )
    assert response.status_code == 201
    assert Photo.objects.get().field == "delivery_set.sketch"


@pytest.mark.parametrize(
    "upload, field, error",
    [
        (
            SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
            "delivery_set.photos",
            "image",
        ),
        (
            SimpleUploadedFile("foto.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),
            "delivery_set.photos",
            "image",
        ),
        (None, "kitchen_table.present", "field"),
    ],
)
def test_a_wrong_file_is_refused_with_a_message(api, planned, upload, field, error):
    response = api.post(
        url(planned, "photos/"), {"field": field, "client_id": uuid.uuid4(), "image": upload or jpeg()}
    )
    assert response.status_code == 400
    assert response.json()[error]
    assert not Photo.objects.exists()


def test_a_photo_needs_a_client_id(api, planned):
    response = api.post(url(planned, "photos/"), {"field": "delivery_set.photos", "image": jpeg()})
    assert response.status_code == 400
    assert "client_id" in response.json()


# --- Removing a photo --------------------------------------------------------------------------


def sent_photo(api, dwelling, field="delivery_set.photos") -> Photo:
    """A photo as the tablet sends it: through the API, with the device's client_id."""
    response = api.post(
        url(dwelling, "photos/"), {"field": field, "client_id": uuid.uuid4(), "image": jpeg()}
    )
    assert response.status_code == 201
    return Photo.objects.get(pk=response.json()["id"])


def photo_url(dwelling, photo) -> str:
    return url(dwelling, f"photos/{photo.client_id}/")


def test_a_wrong_photo_is_removed_and_its_file_goes_after_the_commit(
    api, planned, django_capture_on_commit_callbacks
):
    wrong, kept = sent_photo(api, planned), sent_photo(api, planned)
    storage, name = wrong.image.storage, wrong.image.name
    assert storage.exists(name)
    version = Survey.objects.get(dwelling=planned).version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.delete(photo_url(planned, wrong))
        assert storage.exists(name)  # nothing leaves the storage before the commit
    assert response.status_code == 204
    assert callbacks
    assert not storage.exists(name)
    assert list(Photo.objects.values_list("pk", flat=True)) == [kept.pk]
    assert kept.image.storage.exists(kept.image.name)
    assert Survey.objects.get(dwelling=planned).version == version + 1
    # The survey says again what is missing: the form shows it the same way.
    body = api.get(url(planned)).json()
    assert [photo["client_id"] for photo in body["photos"]] == [str(kept.client_id)]


def test_removing_a_photo_again_changes_nothing(api, planned, django_capture_on_commit_callbacks):
    wrong, kept = sent_photo(api, planned), sent_photo(api, planned)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(photo_url(planned, wrong)).status_code == 204
    version = Survey.objects.get(dwelling=planned).version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = api.delete(photo_url(planned, wrong))  # the answer to the first one was lost
    assert again.status_code == 204
    assert not callbacks  # no file to delete, no new plan
    assert Survey.objects.get(dwelling=planned).version == version
    assert list(Photo.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_removal_that_is_rolled_back_keeps_the_photo_and_its_file(
    surveyor, api, planned, django_capture_on_commit_callbacks
):
    photo = sent_photo(api, planned)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert photo_remove(actor=surveyor, dwelling_id=planned.pk, client_id=photo.client_id) is True
        raise RuntimeError("something later in the same transaction failed")
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert photo.image.storage.exists(photo.image.name)


def test_a_photo_of_another_dwelling_does_not_exist_here(api, advised_project, surveyor, planned):
    other = DwellingFactory(
        project=advised_project, state="survey_planned", surveyor=surveyor, survey_party=surveyor.organisation
    )
    theirs = sent_photo(api, other)
    version = Survey.objects.get(dwelling=other).version
    assert api.delete(photo_url(planned, theirs)).status_code == 404
    assert Photo.objects.filter(pk=theirs.pk).exists()
    assert theirs.image.storage.exists(theirs.image.name)
    assert Survey.objects.get(dwelling=other).version == version
    assert api.delete(url(planned, "photos/not-a-uuid/")).status_code == 404


@pytest.mark.parametrize("who", ["colleague", "stranger", "municipality"])
def test_outside_scope_no_photo_can_be_removed(api, advised_project, surveyor, planned, who):
    photo = sent_photo(api, planned)
    if who == "colleague":
        user = UserFactory(organisation=surveyor.organisation, field_worker=True)
    elif who == "stranger":
        user = UserFactory()
    else:
        user = member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    assert client_for(user).delete(photo_url(planned, photo)).status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_another_partys_photo_cannot_be_removed(
    api, surveyor, outsider_project, django_capture_on_commit_callbacks
):
    dwelling = other_partys_dwelling(outsider_project)
    theirs = sent_photo(client_for(dwelling.surveyor), dwelling)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(photo_url(dwelling, theirs)).status_code == 404
    assert Photo.objects.filter(pk=theirs.pk).exists()
    assert theirs.image.storage.exists(theirs.image.name)


def test_only_the_surveyor_removes_photos(advised_project, api, planned):
    photo = sent_photo(api, planned)
    lead = UserFactory(organisation=advised_project.participations.get(role=Role.LEAD).organisation)
    client = client_for(lead)
    assert client.get(url(planned)).status_code == 200  # the lead party reads the survey
    response = client.delete(photo_url(planned, photo))
    assert response.status_code == 403
    assert response.json()["detail"]
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_the_service_refuses_others_the_same_way(advised_project, surveyor, planned, outsider_project):
    photo = photo_add(actor=surveyor, dwelling_id=planned.pk, field="delivery_set.photos", upload=jpeg())
    lead = UserFactory(organisation=advised_project.participations.get(role=Role.LEAD).organisation)
    with pytest.raises(PermissionDenied):
        photo_remove(actor=lead, dwelling_id=planned.pk, client_id=photo.client_id)
    with pytest.raises(Dwelling.DoesNotExist):
        photo_remove(actor=UserFactory(), dwelling_id=planned.pk, client_id=photo.client_id)
    dwelling = other_partys_dwelling(outsider_project)
    with pytest.raises(Photo.DoesNotExist):
        photo_remove(actor=dwelling.surveyor, dwelling_id=dwelling.pk, client_id=photo.client_id)
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_a_photo_of_an_installed_home_stays(api, planned, django_capture_on_commit_callbacks):
    photo, gone = sent_photo(api, planned), sent_photo(api, planned)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(photo_url(planned, gone)).status_code == 204
    version = Survey.objects.get(dwelling=planned).version
    Dwelling.objects.filter(pk=planned.pk).update(state="installed")
    response = api.delete(photo_url(planned, photo))
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert photo.image.storage.exists(photo.image.name)
    assert Survey.objects.get(dwelling=planned).version == version
    # A retry of the removal that went through before still succeeds: nothing changes.
    assert api.delete(photo_url(planned, gone)).status_code == 204


def test_removing_a_photo_after_approval_makes_a_new_plan_version(
    api, surveyor, planned, django_capture_on_commit_callbacks
):
    from surveys.models import ConnectionPlan
    from surveys.plans.services import plans_render

    fill_survey(planned)
    extra = photo_add(actor=surveyor, dwelling_id=planned.pk, field="delivery_set.photos", upload=jpeg())
    Dwelling.objects.filter(pk=planned.pk).update(state="plan_ready", survey_completed_at=timezone.now())
    plans_render(dwelling_id=planned.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(photo_url(planned, extra)).status_code == 204
    versions = ConnectionPlan.objects.filter(dwelling=planned).values_list("variant", "version")
    assert sorted(versions) == [("full", 1), ("full", 2), ("installer", 1), ("installer", 2)]


# --- The end of the visit ----------------------------------------------------------------------


def test_completed_with_an_incomplete_survey_says_what_is_missing_and_records_nothing(api, planned):
    api.patch(
        url(planned, "answers/"),
        {"answers": {"kitchen_table.intention": {"value": "connect", "by": "resident"}}},
        format="json",
    )
    response = api.post(
        url(planned, "visits/"), {"outcome": "completed", "client_id": str(uuid.uuid4())}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    keys = [gap["key"] for gap in body["missing"]]
    assert "delivery_set.photos" in keys and "works.works" in keys
    assert "kitchen_table.intention" not in keys
    assert all(gap["dom_id"] == "f-" + gap["key"].replace(".", "-") for gap in body["missing"])
    assert body["survey"]
    dwelling = Dwelling.objects.get(pk=planned.pk)
    assert (dwelling.state, dwelling.visit_count) == ("survey_planned", 0)
    assert not Visit.objects.exists()


def test_a_double_submit_records_one_visit(api, planned):
    fill_survey(planned)
    visit = {"outcome": "completed", "client_id": str(uuid.uuid4()), "note": "Alles gezien."}
    first = api.post(url(planned, "visits/"), visit, format="json")
    assert first.status_code == 201
    assert first.json()["next"] == "/surveys/my-day/"
    again = api.post(url(planned, "visits/"), visit, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    dwelling = Dwelling.objects.get(pk=planned.pk)
    assert (dwelling.state, dwelling.visit_count) == ("surveyed", 1)
    assert Visit.objects.get().note == "Alles gezien."


def test_a_visit_finished_offline_keeps_the_time_it_ended_on_the_tablet(api, planned):
    fill_survey(planned)
    ended = timezone.now() - datetime.timedelta(hours=2)
    visit = {
        "outcome": "completed",
        "client_id": str(uuid.uuid4()),
        "started_at": (ended - datetime.timedelta(minutes=50)).isoformat(),
        "finished_at": ended.isoformat(),
    }
    assert api.post(url(planned, "visits/"), visit, format="json").status_code == 201
    recorded = Visit.objects.get()
    assert recorded.finished_at == ended
    assert recorded.started_at == ended - datetime.timedelta(minutes=50)


def test_a_tablet_clock_ahead_cannot_put_a_visit_in_the_future(api, planned):
    fill_survey(planned)
    before = timezone.now()
    ahead = before + datetime.timedelta(days=1)
    visit = {
        "outcome": "completed",
        "client_id": str(uuid.uuid4()),
        "started_at": ahead.isoformat(),
        "finished_at": (ahead + datetime.timedelta(hours=1)).isoformat(),
    }
    assert api.post(url(planned, "visits/"), visit, format="json").status_code == 201
    recorded = Visit.objects.get()
    assert before <= recorded.finished_at <= timezone.now()
    assert recorded.started_at <= recorded.finished_at


def test_nobody_home_sends_the_dwelling_back(api, planned, advised_project):
    second = advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
    visit = {
        "outcome": "not_home",
        "client_id": str(uuid.uuid4()),
        "note": "Bel vooraf",
        "second_person_organisation": second.pk,
    }
    response = api.post(url(planned, "visits/"), visit, format="json")
    assert response.status_code == 201
    recorded = Visit.objects.get()
    assert (recorded.outcome, recorded.second_person_organisation) == ("not_home", second)
    assert Dwelling.objects.get(pk=planned.pk).state == "informed"


def test_a_second_visit_needs_a_reason_and_a_known_organisation(api, planned):
    fill_survey(planned)
    Dwelling.objects.filter(pk=planned.pk).update(visit_count=1)
    stranger = OrganisationFactory()
    visit = {
        "outcome": "completed",
        "client_id": str(uuid.uuid4()),
        "second_person_organisation": stranger.pk,
    }
    response = api.post(url(planned, "visits/"), visit, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"second_visit_reason", "second_person_organisation"}
    assert not Visit.objects.exists()
    visit.update(second_visit_reason="De bewoner was ziek", second_person_organisation=None)
    assert api.post(url(planned, "visits/"), visit, format="json").status_code == 201
    assert Visit.objects.get().second_visit_reason == "De bewoner was ziek"


def test_an_unknown_outcome_is_refused(api, planned):
    response = api.post(
        url(planned, "visits/"), {"outcome": "gone_fishing", "client_id": str(uuid.uuid4())}, format="json"
    )
    assert response.status_code == 400
    assert "outcome" in response.json()
    assert not Visit.objects.exists()
