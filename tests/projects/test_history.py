"""The history of personal and register data: who changed which field, when; only for the lead party."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import OrganisationKind, Role
from surveys.services import survey_save_answers
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(advised_project):
    dwelling = DwellingFactory(
        project=advised_project,
        state="informed",
        street="Kastanjelaan",
        house_number=12,
        extra_care=True,
        extra_care_note="Slechthorend, bel aan bij de buren",
    )
    ContactFactory(
        dwelling=dwelling,
        role="resident",
        name="Sara Yilmaz",
        phone="0644444444",
        email="",
        preferred_channel="sms",
    )
    return dwelling


def edit_form(dwelling, **changes):
    data = {
        "postcode": dwelling.postcode,
        "house_number": str(dwelling.house_number),
        "house_letter": dwelling.house_letter,
        "house_number_addition": dwelling.house_number_addition,
        "street": dwelling.street,
        "city": dwelling.city,
        "bag_id": dwelling.bag_id,
        "ownership": dwelling.ownership,
        "owners_association": "",
        "dwelling_type": dwelling.dwelling_type,
        "build_year": str(dwelling.build_year or ""),
        "energy_label": dwelling.energy_label,
        "floor_area": str(dwelling.floor_area or ""),
        "cluster": dwelling.cluster,
        "extra_care": "on" if dwelling.extra_care else "",
        "extra_care_note": dwelling.extra_care_note,
        "owner_name": "",
        "owner_preferred_channel": "email",
        "resident_name": "Sara Yilmaz",
        "resident_email": "",
        "resident_phone": "0644444444",
        "resident_preferred_channel": "sms",
    }
    if dwelling.housing_association_id:
        data["housing_association"] = str(dwelling.housing_association_id)
    return {**data, **changes}


def test_a_changed_phone_shows_who_changed_it_when_and_from_what_to_what(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-edit", args=[home.project.slug, home.pk])
    response = client.post(url, edit_form(home, resident_phone="0611112222"))
    assert response.status_code == 302, response.content.decode()[:2000]

    resident = home.contacts.get(role="resident")
    page = client.get(reverse("projects:contact-history", args=[home.project.slug, home.pk, resident.pk]))
    assert page.status_code == 200
    rows = page.content.decode()
    assert str(lead_user) in rows
    assert "0644444444" in rows and "0611112222" in rows
    # The whole home's history and its timeline say it too, as internal entries.
    assert (
        "0611112222"
        in client.get(reverse("projects:dwelling-history", args=[home.project.slug, home.pk])).text
    )
    detail = client.get(reverse("projects:dwelling", args=[home.project.slug, home.pk])).text
    assert 'data-kind="history"' in detail
    api = client.get(f"/api/v1/dwellings/{home.pk}/history/").json()
    (row,) = api["results"]
    assert row["actor"] == str(lead_user)
    assert row["source"]
    assert [(c["field"], c["old"], c["new"]) for c in row["changes"]] == [
        ("phone", "0644444444", "0611112222")
    ]


def test_saving_without_a_change_writes_no_history(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-edit", args=[home.project.slug, home.pk])
    assert client.post(url, edit_form(home)).status_code == 302
    assert not LogEntry.objects.filter(additional_data__dwelling_id=home.pk).exists()


def test_a_care_note_is_recorded_as_changed_without_its_words(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-edit", args=[home.project.slug, home.pk])
    client.post(url, edit_form(home, extra_care_note="Gebruikt een rolstoel", build_year="1935"))
    entry = LogEntry.objects.get(additional_data__dwelling_id=home.pk)
    assert entry.changes["build_year"] == [None, 1935] or entry.changes["build_year"][1] == 1935
    assert entry.changes["extra_care_note"] == ["…", "…"]
    stored = str(entry.changes) + str(entry.serialized_data or "") + entry.object_repr
    assert "rolstoel" not in stored and "Slechthorend" not in stored
    page = client.get(reverse("projects:dwelling-history", args=[home.project.slug, home.pk])).text
    assert "rolstoel" not in page


def test_removing_a_person_is_in_the_history(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-edit", args=[home.project.slug, home.pk])
    client.post(url, edit_form(home, resident_name="", resident_phone=""))
    entry = LogEntry.objects.get(additional_data__dwelling_id=home.pk)
    assert entry.action == LogEntry.Action.DELETE
    assert entry.changes["name"] == ["Sara Yilmaz", None]


def test_survey_answers_are_in_the_history_with_free_text_hidden(home, advised_project):
    surveyor = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    home.surveyor, home.survey_party = surveyor, surveyor.organisation
    home.save()
    home.__class__.objects.filter(pk=home.pk).update(state="survey_planned")
    survey_save_answers(
        actor=surveyor,
        dwelling_id=home.pk,
        answers={
            "dwelling_scan.boiler_type": {"value": "combi_boiler", "by": "surveyor"},
            "kitchen_table.questions": {"value": "Dochter regelt de papieren", "by": "resident"},
        },
    )
    # The same answers again change nothing and write nothing.
    survey_save_answers(
        actor=surveyor,
        dwelling_id=home.pk,
        answers={"dwelling_scan.boiler_type": {"value": "combi_boiler", "by": "surveyor"}},
    )
    (entry,) = LogEntry.objects.filter(additional_data__dwelling_id=home.pk, additional_data__source="survey")
    assert entry.actor == surveyor
    assert entry.changes["dwelling_scan.boiler_type"] == [None, "combi_boiler"]
    assert entry.changes["kitchen_table.questions"] == ["…", "…"]
    assert "papieren" not in str(entry.changes)


@pytest.mark.parametrize(
    "who", ["cooperative", "installer", "survey", "field_worker", "read_only_elsewhere", "outsider"]
)
def test_only_the_lead_party_reads_the_history(
    client, who, lead_user, home, advised_project, outsider_project
):
    installer = advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
    home.installer = installer
    home.save()
    users = {
        "cooperative": lambda: member_of(
            advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY
        ),
        "installer": lambda: UserFactory(organisation=installer),
        "survey": lambda: member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY),
        "field_worker": lambda: UserFactory(organisation=lead_user.organisation, field_worker=True),
        "read_only_elsewhere": lambda: member_of(outsider_project, OrganisationKind.HEAT_COMPANY, Role.LEAD),
        "outsider": lambda: member_of(outsider_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
    }
    client.force_login(users[who]())
    resident = home.contacts.get()
    assert (
        client.get(reverse("projects:dwelling-history", args=[home.project.slug, home.pk])).status_code == 404
    )
    assert (
        client.get(
            reverse("projects:contact-history", args=[home.project.slug, home.pk, resident.pk])
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/dwellings/{home.pk}/history/").status_code == 404


def test_a_read_only_colleague_of_the_lead_reads_the_history(client, lead_user, home):
    reader = UserFactory(organisation=lead_user.organisation, read_only=True)
    client.force_login(reader)
    assert (
        client.get(reverse("projects:dwelling-history", args=[home.project.slug, home.pk])).status_code == 200
    )


def test_the_history_page_reads_in_a_fixed_number_of_queries(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-edit", args=[home.project.slug, home.pk])
    history_url = reverse("projects:dwelling-history", args=[home.project.slug, home.pk])

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(history_url).status_code == 200
        return len(context)

    client.post(url, edit_form(home, resident_phone="0600000001"))
    few = queries()
    for n in range(2, 12):
        client.post(url, edit_form(home, resident_phone=f"06000000{n:02d}", build_year=str(1900 + n)))
    assert queries() == few


def test_a_field_the_form_does_not_send_keeps_its_value(client, lead_user, home):
    resident = home.contacts.get()
    resident.language = "en"
    resident.save()
    client.force_login(lead_user)
    url = reverse("projects:dwelling-edit", args=[home.project.slug, home.pk])
    assert client.post(url, edit_form(home, resident_phone="0611112222")).status_code == 302
    resident.refresh_from_db()
    assert resident.language == "en"
    (entry,) = LogEntry.objects.filter(additional_data__dwelling_id=home.pk)
    assert set(entry.changes) == {"phone"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="an expression index of PostgreSQL")
def test_a_homes_history_is_found_through_its_index(home):
    """The history of one home is read on every page of it: PostgreSQL finds its rows by an index."""
    from projects import history

    query, params = history.history_for_dwelling(home.pk).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "auditlog_logentry_dwelling_id" in plan
