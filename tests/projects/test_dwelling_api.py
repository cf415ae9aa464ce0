import pytest

from projects.models import Dwelling, DwellingTransition, OrganisationKind, Role
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory

pytestmark = pytest.mark.django_db


def move(client, dwelling, **data):
    return client.post(f"/api/v1/dwellings/{dwelling.pk}/transitions/", data, content_type="application/json")


def test_move_through_the_api(client, lead_user, advised_project):
    dwelling = DwellingFactory(project=advised_project)
    client.force_login(lead_user)
    response = move(client, dwelling, transition="inform", expected_state="registered")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "informed"
    timeline = client.get(f"/api/v1/dwellings/{dwelling.pk}/timeline/").json()
    assert timeline[0]["title"]


def test_changed_meanwhile_answers_409(client, lead_user, advised_project):
    dwelling = DwellingFactory(project=advised_project, state="informed")
    client.force_login(lead_user)
    response = move(client, dwelling, transition="hold", expected_state="registered", reason="x")
    assert response.status_code == 409
    assert "meanwhile" in response.json()["detail"] or "intussen" in response.json()["detail"]
    assert not DwellingTransition.objects.exists()


def test_wrong_party_answers_403_and_impossible_move_400(client, advised_project):
    dwelling = DwellingFactory(project=advised_project)
    cooperative = member_of(advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)
    client.force_login(cooperative)
    assert (
        move(client, dwelling, transition="withdraw", expected_state="registered", reason="x").status_code
        == 403
    )
    response = move(client, dwelling, transition="confirm_connection", expected_state="registered")
    assert response.status_code == 400
    assert Dwelling.objects.get(pk=dwelling.pk).state == "registered"


def test_unknown_transition_is_a_400(client, lead_user, advised_project):
    dwelling = DwellingFactory(project=advised_project)
    client.force_login(lead_user)
    assert move(client, dwelling, transition="teleport", expected_state="registered").status_code == 400


def test_contacts_and_note_only_for_those_who_may_see_them(client, lead_user, advised_project):
    dwelling = DwellingFactory(project=advised_project, extra_care=True, extra_care_note="Rolstoel")
    ContactFactory(dwelling=dwelling, role="owner", name="Els", email="els@example.test", phone="0633333333")
    client.force_login(lead_user)
    data = client.get(f"/api/v1/dwellings/{dwelling.pk}/").json()
    assert data["contacts"][0]["email"] == "els@example.test"
    assert data["extra_care_note"] == "Rolstoel"

    survey = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    client.force_login(survey)
    data = client.get(f"/api/v1/dwellings/{dwelling.pk}/").json()
    assert data["contacts"] == [{"role": "resident", "name": "Els", "phone": "0633333333"}]
    assert data["extra_care_note"] is None
    assert data["extra_care"] is True


def test_list_filters_by_project_and_state(client, lead_user, advised_project):
    informed = DwellingFactory(project=advised_project, state="informed")
    DwellingFactory(project=advised_project)
    client.force_login(lead_user)
    data = client.get(f"/api/v1/dwellings/?project={advised_project.slug}&state=informed").json()
    assert [row["id"] for row in data["results"]] == [informed.pk]
