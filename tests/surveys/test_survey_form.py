"""The survey form page, the read-only survey of the other parties, the works service and the
visit's plain-form fallback."""

import io
import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from projects.models import Dwelling, OrganisationKind, Role
from surveys.models import Photo, Survey, Visit
from surveys.schema import SECTIONS
from surveys.selectors import visible_sections
from surveys.services import photo_add
from surveys.works import survey_save_works
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory, UserFactory, fill_survey

pytestmark = pytest.mark.django_db

SECRET = "Zorgen over de schulden van de familie"


@pytest.fixture
def surveyor(advised_project):
    user = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    user.work_roles = ["field_worker"]
    user.save()
    return user


@pytest.fixture
def planned(advised_project, surveyor):
    dwelling = DwellingFactory(
        project=advised_project,
        state="survey_planned",
        surveyor=surveyor,
        survey_party=surveyor.organisation,
        survey_appointment_at="2026-12-01T10:00Z",
        street="Kastanjelaan",
        house_number=3,
    )
    ContactFactory(dwelling=dwelling, role="resident", name="Fam. Bakker", phone="0611111111")
    return dwelling


@pytest.fixture
def installer_org(advised_project):
    return advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation


@pytest.fixture
def lead(advised_project):
    return UserFactory(organisation=advised_project.participations.get(role=Role.LEAD).organisation)


def form_url(dwelling):
    return reverse("surveys:form", args=[dwelling.pk])


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def with_secret(dwelling):
    survey = fill_survey(dwelling)
    survey.answers["kitchen_table.questions"] = {"value": SECRET, "by": "resident"}
    survey.save()
    return survey


# --- The form page -----------------------------------------------------------------------------


def test_the_surveyor_gets_the_form_with_every_section(client, surveyor, planned):
    client.force_login(surveyor)
    response = client.get(form_url(planned))
    assert response.status_code == 200
    assert "surveys/survey_form.html" in [t.name for t in response.templates]
    page = response.text
    for section in SECTIONS:
        assert f'id="section-{section.name}"' in page
        for field in section.fields:
            assert f'data-key="{section.name}.{field.name}"' in page
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert "Fam. Bakker" in page and "0611111111" in page
    config = response.context["config"]
    assert config["urls"]["answers"] == f"/api/v1/surveys/{planned.pk}/answers/"
    # The tablet proposes the works from the scan by the server's rules, with the project's boundary
    # (up to and including the set): the heat company places the set, the owner removes the boiler.
    rules = config["worksRules"]
    assert rules["always"] == ["delivery_set", "indoor_pipes"]
    assert ["dwelling_scan.cooking", ["gas", "needs_group"], "cooking_group"] in rules["rules"]
    assert rules["responsible"]["delivery_set"] == "heat_company"
    assert rules["responsible"]["remove_boiler"] == planned.expected_signatory().replace("_occupier", "")
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_form_shows_saved_answers_and_photos(client, surveyor, planned):
    survey = fill_survey(planned)
    client.force_login(surveyor)
    response = client.get(form_url(planned))
    config = response.context["config"]
    photo = Photo.objects.get()
    assert config["serverPhotos"] == [str(photo.client_id)]
    assert config["version"] == survey.version
    assert f'data-client-id="{photo.client_id}"' in response.text
    assert response.context["view"]["complete"] is True


@pytest.mark.parametrize("who", ["colleague", "stranger", "municipality"])
def test_outside_scope_the_form_does_not_exist(client, advised_project, surveyor, planned, who):
    fill_survey(planned)
    if who == "colleague":  # another field worker of the same survey party
        user = UserFactory(organisation=surveyor.organisation, field_worker=True)
    elif who == "stranger":
        user = UserFactory()
    else:
        user = member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    client.force_login(user)
    assert client.get(form_url(planned)).status_code == 404
    assert client.get(reverse("surveys:photo", args=[Photo.objects.get().pk])).status_code == 404
    finish = {"outcome": "not_home", "client_id": str(uuid.uuid4())}
    assert client.post(reverse("surveys:finish", args=[planned.pk]), finish).status_code == 404
    assert Dwelling.objects.get(pk=planned.pk).state == "survey_planned"
    assert not Visit.objects.exists()


def test_the_office_of_the_survey_party_reads_the_survey(client, surveyor, planned):
    fill_survey(planned)
    planner = UserFactory(organisation=surveyor.organisation)  # not in the field: sees its party's homes
    client.force_login(planner)
    response = client.get(form_url(planned))
    assert response.status_code == 200
    assert "surveys/survey_readonly.html" in [t.name for t in response.templates]
    assert "survey-config" not in response.text
    assert (
        client.post(reverse("surveys:finish", args=[planned.pk]), {"outcome": "not_home"}).status_code == 403
    )


def test_the_form_costs_the_same_with_more_photos(client, surveyor, planned):
    fill_survey(planned)
    client.force_login(surveyor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(form_url(planned)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(10):
        photo_add(actor=surveyor, dwelling_id=planned.pk, field="dwelling_scan.scan_photos", upload=jpeg())
    assert queries() == few


# --- Who reads what ----------------------------------------------------------------------------


def test_an_installer_never_sees_the_kitchen_table_talk(client, planned, installer_org, lead):
    with_secret(planned)
    Dwelling.objects.filter(pk=planned.pk).update(state="assigned", installer=installer_org)
    installer = UserFactory(organisation=installer_org)
    dwelling = Dwelling.objects.get(pk=planned.pk)
    assert "kitchen_table" not in [section.name for section in visible_sections(installer, dwelling)]
    client.force_login(installer)
    detail = client.get(reverse("projects:dwelling", args=[dwelling.project.slug, dwelling.pk]))
    assert detail.status_code == 200
    assert 'id="survey-panel"' in detail.text
    assert 'data-summary-section="dwelling_scan"' in detail.text
    assert 'data-summary-section="kitchen_table"' not in detail.text
    assert SECRET not in detail.text
    page = client.get(form_url(dwelling))
    assert page.status_code == 200 and SECRET not in page.text
    assert 'data-summary-section="kitchen_table"' not in page.text
    # The lead party reads everything.
    client.force_login(lead)
    assert SECRET in client.get(reverse("projects:dwelling", args=[dwelling.project.slug, dwelling.pk])).text


def test_the_panel_gives_the_surveyor_one_big_button(client, surveyor, planned):
    client.force_login(surveyor)
    detail = client.get(reverse("projects:dwelling", args=[planned.project.slug, planned.pk]))
    assert 'id="open-survey"' in detail.text
    assert f'href="{form_url(planned)}"' in detail.text


def test_the_panel_shows_others_a_summary_with_photos(client, planned, lead):
    fill_survey(planned)
    client.force_login(lead)
    detail = client.get(reverse("projects:dwelling", args=[planned.project.slug, planned.pk]))
    assert 'id="open-survey"' not in detail.text
    photo = Photo.objects.get()
    assert reverse("surveys:photo", args=[photo.pk]) in detail.text
    image = client.get(reverse("surveys:photo", args=[photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_the_dwelling_page_costs_the_same_with_more_photos(client, planned, lead, surveyor):
    fill_survey(planned)
    client.force_login(lead)
    detail_url = reverse("projects:dwelling", args=[planned.project.slug, planned.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail_url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(6):
        photo_add(actor=surveyor, dwelling_id=planned.pk, field="dwelling_scan.scan_photos", upload=jpeg())
    assert queries() == few


def test_the_timeline_shows_visits_without_the_note_or_reason_for_an_installer(
    client, planned, installer_org, lead
):
    Visit.objects.create(
        dwelling=planned,
        surveyor=planned.surveyor,
        started_at="2026-12-01T10:00Z",
        finished_at="2026-12-01T10:40Z",
        outcome="not_home",
        note=SECRET,
        second_visit_reason="De bewoonster lag in het Zonnehuis-ziekenhuis",
    )
    Dwelling.objects.filter(pk=planned.pk).update(state="assigned", installer=installer_org)
    detail_url = reverse("projects:dwelling", args=[planned.project.slug, planned.pk])
    client.force_login(lead)
    page = client.get(detail_url).text
    assert SECRET in page and "Zonnehuis-ziekenhuis" in page
    client.force_login(UserFactory(organisation=installer_org))
    page = client.get(detail_url).text
    assert 'data-kind="visit"' in page
    assert SECRET not in page
    assert "Zonnehuis-ziekenhuis" not in page


# --- My day ------------------------------------------------------------------------------------


def test_each_visit_of_my_day_opens_its_survey(client, surveyor, planned):
    client.force_login(surveyor)
    page = client.get(reverse("surveys:my-day"), {"date": "2026-12-01"}).text
    assert f'href="{form_url(planned)}"' in page
    assert f'data-survey-link="{planned.pk}"' in page


def test_the_service_worker_is_served_for_the_survey_pages(client):
    response = client.get(reverse("surveys:service-worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/surveys/"
    assert "/static/js/survey.js" in response.text


# --- Finishing without JavaScript ---------------------------------------------------------------


def finish(client, dwelling, **data):
    return client.post(
        reverse("surveys:finish", args=[dwelling.pk]), {"client_id": str(uuid.uuid4()), **data}
    )


def test_finishing_an_incomplete_survey_lists_what_is_missing(client, surveyor, planned):
    client.force_login(surveyor)
    response = finish(client, planned, outcome="completed")
    assert response.status_code == 400
    missing = response.context["finish_missing"]
    assert {"section", "label", "dom_id"} <= set(missing[0])
    assert f'href="#{missing[0]["dom_id"]}"' in response.text
    assert Dwelling.objects.get(pk=planned.pk).state == "survey_planned"
    assert not Visit.objects.exists()


def test_finishing_without_javascript_records_once_and_goes_back_to_my_day(client, surveyor, planned):
    fill_survey(planned)
    client.force_login(surveyor)
    client_id = str(uuid.uuid4())
    response = finish(client, planned, outcome="completed", client_id=client_id)
    assert response.status_code == 302 and response["Location"] == reverse("surveys:my-day")
    finish(client, planned, outcome="completed", client_id=client_id)  # a second tap
    assert Visit.objects.count() == 1
    assert Dwelling.objects.get(pk=planned.pk).state == "surveyed"
    messages = [str(m) for m in client.get(reverse("surveys:my-day")).context["messages"]]
    assert len(messages) == 1


def test_a_second_visit_asks_why(client, surveyor, planned):
    Dwelling.objects.filter(pk=planned.pk).update(visit_count=1)
    client.force_login(surveyor)
    page = client.get(form_url(planned))
    assert 'name="second_visit_reason"' in page.text
    response = finish(client, planned, outcome="not_home")
    assert response.status_code == 400
    assert response.context["finish_form"].errors["second_visit_reason"]
    assert not Visit.objects.exists()


def test_a_first_visit_does_not_ask_why(client, surveyor, planned):
    client.force_login(surveyor)
    assert 'name="second_visit_reason"' not in client.get(form_url(planned)).text


# --- The works service -------------------------------------------------------------------------


def test_works_are_saved_and_the_same_list_twice_changes_nothing(surveyor, planned):
    works = [
        {"work": "remove_boiler", "responsible": "installer"},
        {"work": "cap_gas", "responsible": "owner"},
    ]
    survey = survey_save_works(actor=surveyor, dwelling_id=planned.pk, works=works)
    assert survey.works == works
    version = survey.version
    again = survey_save_works(actor=surveyor, dwelling_id=planned.pk, works=[dict(row) for row in works])
    assert again.version == version


@pytest.mark.parametrize(
    "works",
    [
        "remove_boiler",
        [{"work": "paint_the_house", "responsible": "owner"}],
        [{"work": "cap_gas", "responsible": "the_neighbour"}],
        [{"work": "cap_gas", "responsible": "owner"}, {"work": "cap_gas", "responsible": "installer"}],
        ["cap_gas"],
    ],
)
def test_wrong_works_change_nothing(surveyor, planned, works):
    survey_save_works(
        actor=surveyor, dwelling_id=planned.pk, works=[{"work": "radiators", "responsible": "owner"}]
    )
    with pytest.raises(ValidationError) as raised:
        survey_save_works(actor=surveyor, dwelling_id=planned.pk, works=works)
    assert raised.value.message_dict["works"]
    assert Survey.objects.get(dwelling=planned).works == [{"work": "radiators", "responsible": "owner"}]


def test_only_the_surveyor_saves_works_while_the_survey_is_open(surveyor, planned, lead, outsider_project):
    row = [{"work": "radiators", "responsible": "owner"}]
    with pytest.raises(PermissionDenied):
        survey_save_works(actor=lead, dwelling_id=planned.pk, works=row)
    stranger = UserFactory()
    with pytest.raises(Dwelling.DoesNotExist):
        survey_save_works(actor=stranger, dwelling_id=planned.pk, works=row)
    Dwelling.objects.filter(pk=planned.pk).update(state="installed")
    with pytest.raises(ValidationError):
        survey_save_works(actor=surveyor, dwelling_id=planned.pk, works=row)
    assert not Survey.objects.exists()


def test_the_config_is_valid_json_for_the_script(client, surveyor, planned):
    client.force_login(surveyor)
    page = client.get(form_url(planned)).text
    start = page.index('<script id="survey-config" type="application/json">') + len(
        '<script id="survey-config" type="application/json">'
    )
    config = json.loads(page[start : page.index("</script>", start)])
    assert config["dwelling"] == planned.pk
    assert config["fields"]["delivery_set.photos"] == {
        "section": "delivery_set",
        "kind": "photos",
        "required": True,
        "minPhotos": 1,
        "label": config["fields"]["delivery_set.photos"]["label"],
        "domId": "f-delivery_set-photos",
        "onlyWhen": None,
    }
    assert config["fields"]["dwelling_scan.boiler_place"]["onlyWhen"] == [
        "dwelling_scan.boiler_type",
        ["combi_boiler", "boiler_with_tank", "other"],
    ]
