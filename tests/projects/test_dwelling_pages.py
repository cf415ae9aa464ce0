"""Dwelling pages: scope per party kind, what each may see, moves, bulk moves, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Dwelling, DwellingTransition, Job, OrganisationKind, Role
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(advised_project, lead_user):
    """One user per party kind in the advised project."""
    association = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION)
    return {
        "lead": lead_user,
        "cooperative": member_of(
            advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY
        ),
        "survey": member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY),
        "installer": UserFactory(
            organisation=advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
        ),
        "association": _member(advised_project, association, Role.HOUSING_ASSOCIATION),
        "municipality": member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
        "grid": UserFactory(
            organisation=advised_project.participations.filter(role=Role.STAKEHOLDER).first().organisation
        ),
    }


def _member(project, organisation, role):
    from tests.factories import ParticipationFactory

    ParticipationFactory(project=project, organisation=organisation, role=role)
    return UserFactory(organisation=organisation)


@pytest.fixture
def home(advised_project):
    dwelling = DwellingFactory(
        project=advised_project, extra_care=True, extra_care_note="Doof aan één oor; liefst een brief."
    )
    ContactFactory(
        dwelling=dwelling, role="owner", name="Anna Jansen", email="anna@example.test", phone="0611111111"
    )
    return dwelling


def detail_url(dwelling):
    return reverse("projects:dwelling", args=[dwelling.project.slug, dwelling.pk])


@pytest.mark.parametrize(
    ("party", "sees_page", "sees_contact", "sees_phone", "sees_note"),
    [
        ("lead", True, True, True, True),
        ("cooperative", True, True, True, True),
        ("survey", True, False, True, False),
        ("municipality", False, False, False, False),
        ("grid", False, False, False, False),
    ],
)
def test_what_each_party_sees_of_a_dwelling(
    client, parties, home, party, sees_page, sees_contact, sees_phone, sees_note
):
    client.force_login(parties[party])
    response = client.get(detail_url(home))
    if not sees_page:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    text = response.text
    assert ("anna@example.test" in text) is sees_contact
    assert ("0611111111" in text) is sees_phone
    assert ("Doof aan één oor" in text) is sees_note
    assert "extra care" in text or "extra zorg" in text  # the flag itself is for everyone who sees the home


def test_installer_sees_only_assigned_dwellings_without_notes(client, parties, home, advised_project):
    installer = parties["installer"]
    client.force_login(installer)
    assert client.get(detail_url(home)).status_code == 404
    assigned = DwellingFactory(
        project=advised_project,
        state="assigned",
        installer=installer.organisation,
        extra_care=True,
        extra_care_note="Geheim",
        signatory="owner_occupier",
        agreement_signed_on="2026-01-01",
    )
    ContactFactory(
        dwelling=assigned, role="owner", name="Piet Post", email="piet@example.test", phone="0622222222"
    )
    page = client.get(detail_url(assigned))
    assert page.status_code == 200
    assert "0622222222" in page.text  # access contact
    assert "piet@example.test" not in page.text
    assert "Geheim" not in page.text


def test_housing_association_sees_its_own_homes_only(client, parties, advised_project, home):
    association = parties["association"]
    own = DwellingFactory(
        project=advised_project, ownership="housing_association", housing_association=association.organisation
    )
    client.force_login(association)
    assert client.get(detail_url(own)).status_code == 200
    assert client.get(detail_url(home)).status_code == 404
    listing = client.get(reverse("projects:dwellings", args=[advised_project.slug]))
    assert [d.pk for d in listing.context["page"]] == [own.pk]


def test_other_projects_dwelling_answers_404_everywhere(client, lead_user, outsider_project):
    other = DwellingFactory(project=outsider_project)
    client.force_login(lead_user)
    assert client.get(detail_url(other)).status_code == 404
    assert client.get(reverse("projects:dwellings", args=[outsider_project.slug])).status_code == 404
    url = reverse("projects:dwelling-move", args=[outsider_project.slug, other.pk, "inform"])
    assert client.post(url, {"inform-expected_state": "registered"}).status_code == 404
    assert client.get(f"/api/v1/dwellings/{other.pk}/").status_code == 404
    assert Dwelling.objects.get(pk=other.pk).state == "registered"


def test_municipality_sees_progress_in_aggregate_only(client, parties, home, advised_project):
    client.force_login(parties["municipality"])
    page = client.get(advised_project.get_absolute_url())
    assert page.status_code == 200
    assert 'id="progress"' in page.text
    assert "Anna Jansen" not in page.text
    assert client.get(reverse("projects:dwellings", args=[advised_project.slug])).status_code == 404
    assert client.get("/api/v1/dwellings/").json()["count"] == 0


def test_move_from_the_page_logs_and_shows_in_the_timeline(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-move", args=[home.project.slug, home.pk, "inform"])
    response = client.post(url, {"inform-expected_state": "registered", "inform-reason": "Eerste brief"})
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.state == "informed"
    log = DwellingTransition.objects.get(dwelling=home)
    assert (log.source, log.target, log.actor, log.reason) == (
        "registered",
        "informed",
        lead_user,
        "Eerste brief",
    )
    page = client.get(detail_url(home))
    assert "Eerste brief" in page.text


def test_stale_move_from_the_page_says_it_changed_meanwhile(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-move", args=[home.project.slug, home.pk, "hold"])
    response = client.post(url, {"hold-expected_state": "informed", "hold-reason": "x"}, follow=True)
    assert "meanwhile" in response.text or "intussen" in response.text
    assert Dwelling.objects.get(pk=home.pk).state == "registered"


def test_wrong_party_gets_a_clear_refusal(client, parties, home):
    client.force_login(parties["survey"])
    url = reverse("projects:dwelling-move", args=[home.project.slug, home.pk, "inform"])
    response = client.post(url, {"inform-expected_state": "registered"}, follow=True)
    assert response.status_code == 200
    assert Dwelling.objects.get(pk=home.pk).state == "registered"
    messages = [str(m) for m in response.context["messages"]]
    assert messages and ("may not" in messages[0] or "mag" in messages[0])


def test_missing_reason_is_a_form_error(client, lead_user, home):
    client.force_login(lead_user)
    url = reverse("projects:dwelling-move", args=[home.project.slug, home.pk, "withdraw"])
    response = client.post(url, {"withdraw-expected_state": "registered", "withdraw-reason": ""})
    assert response.status_code == 400
    assert Dwelling.objects.get(pk=home.pk).state == "registered"


def test_bulk_move_reports_moved_and_skipped(client, lead_user, advised_project):
    registered = DwellingFactory.create_batch(5, project=advised_project, cluster="Blok B")
    informed = DwellingFactory(project=advised_project, cluster="Blok B", state="informed")
    client.force_login(lead_user)
    url = reverse("projects:dwelling-bulk", args=[advised_project.slug]) + "?cluster=Blok+B"
    response = client.post(url, {"transition": "inform", "reason": "Brief 1", "confirm_count": 6})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == "done"
    assert job.result["moved"] == 5
    assert [row[0] for row in job.result["skipped"]] == [informed.pk]
    assert set(
        Dwelling.objects.filter(pk__in=[d.pk for d in registered]).values_list("state", flat=True)
    ) == {"informed"}
    assert DwellingTransition.objects.count() == 5
    page = client.get(response.url)
    assert str(informed) in page.text


def test_bulk_move_refuses_a_changed_selection(client, lead_user, advised_project):
    DwellingFactory.create_batch(3, project=advised_project)
    client.force_login(lead_user)
    url = reverse("projects:dwelling-bulk", args=[advised_project.slug])
    response = client.post(url, {"transition": "inform", "confirm_count": 2})
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_bulk_move_is_for_the_lead_party(client, parties, advised_project):
    client.force_login(parties["cooperative"])
    assert client.get(reverse("projects:dwelling-bulk", args=[advised_project.slug])).status_code == 403


def test_filters(client, lead_user, advised_project):
    a = DwellingFactory(project=advised_project, street="Beukenlaan", cluster="Noord", extra_care=True)
    DwellingFactory(project=advised_project, street="Eikenlaan", cluster="Zuid", state="informed")
    ContactFactory(dwelling=a, name="Karel Appel")
    client.force_login(lead_user)
    url = reverse("projects:dwellings", args=[advised_project.slug])

    def found(**params):
        return [d.pk for d in client.get(url, params).context["page"]]

    assert found(street="beuken") == [a.pk]
    assert found(cluster="Noord") == [a.pk]
    assert found(extra_care="true") == [a.pk]
    assert found(q="Appel") == [a.pk]
    assert found(state="informed") != [a.pk]
    assert found(postcode=a.postcode.replace(" ", "").lower()) == [a.pk]


def test_the_search_finds_each_part_of_an_address_and_a_name_in_scope(client, lead_user, advised_project):
    """Every part answers on its own (the parts are gathered as a union): a street, a place, a
    cluster, a postcode typed in any way, a BAG id and a person; a dwelling found twice is listed once."""
    a = DwellingFactory(
        project=advised_project,
        street="Lijsterbeslaan",
        city="Oosterhout",
        cluster="Blok Appel",
        postcode="4901 AB",
    )
    b = DwellingFactory(project=advised_project, street="Hazelaarstraat", bag_id="0826010000123456")
    c = DwellingFactory(project=advised_project, street="Vlierweg")
    ContactFactory(dwelling=c, name="Karel Appel")
    ContactFactory(dwelling=a, name="Anna Appel")
    elsewhere = DwellingFactory(street="Lijsterbeslaan", city="Oosterhout")  # another project
    ContactFactory(dwelling=elsewhere, name="Piet Appel")
    client.force_login(lead_user)
    url = reverse("projects:dwellings", args=[advised_project.slug])

    def found(value):
        page = client.get(url, {"q": value})
        return sorted(d.pk for d in page.context["page"]), page.context["total"]

    assert found("lijsterbes") == ([a.pk], 1)
    assert found("OOSTERHOUT") == ([a.pk], 1)
    assert found("4901ab") == ([a.pk], 1)
    assert found("4901 AB") == ([a.pk], 1)
    assert found("0826010000123456") == ([b.pk], 1)
    assert found("appel") == (sorted([a.pk, c.pk]), 2)  # a: cluster and a person, listed once
    assert found("Hazelaar") == ([b.pk], 1)
    assert found("nergens") == ([], 0)
    api = client.get("/api/v1/dwellings/", {"project": advised_project.slug, "q": "Appel"}).json()
    assert sorted(row["id"] for row in api["results"]) == sorted([a.pk, c.pk])


@pytest.mark.parametrize("url_name", ["page", "api"])
def test_list_query_count_is_the_same_for_10_and_1000_dwellings(client, lead_user, advised_project, url_name):
    client.force_login(lead_user)
    url = (
        reverse("projects:dwellings", args=[advised_project.slug])
        if url_name == "page"
        else f"/api/v1/dwellings/?project={advised_project.slug}"
    )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add(count):
        Dwelling.objects.bulk_create(
            DwellingFactory.build(project=advised_project, state="informed") for _ in range(count)
        )

    add(10)
    ten = queries()
    add(990)
    assert queries() == ten


def test_lead_adds_and_corrects_a_dwelling_but_not_its_state(client, lead_user, advised_project):
    client.force_login(lead_user)
    data = {
        "postcode": "1187ab",
        "house_number": "12",
        "house_letter": "",
        "house_number_addition": "",
        "street": "Kastanjelaan",
        "city": "Amstelhoven",
        "bag_id": "",
        "ownership": "private_rental",
        "owners_association": "",
        "dwelling_type": "apartment",
        "build_year": "1962",
        "energy_label": "D",
        "floor_area": "74",
        "cluster": "Blok C",
        "owner_name": "Verhuur BV",
        "owner_email": "verhuur@example.test",
        "owner_phone": "",
        "owner_preferred_channel": "email",
        "resident_name": "Sara Yilmaz",
        "resident_email": "",
        "resident_phone": "0644444444",
        "resident_preferred_channel": "sms",
    }
    response = client.post(reverse("projects:dwelling-add", args=[advised_project.slug]), data)
    assert response.status_code == 302
    dwelling = Dwelling.objects.get(street="Kastanjelaan")
    assert dwelling.postcode == "1187 AB"
    assert {c.role: c.name for c in dwelling.contacts.all()} == {
        "owner": "Verhuur BV",
        "resident": "Sara Yilmaz",
    }

    dwelling_informed = DwellingFactory(project=advised_project, state="informed")
    url = reverse("projects:dwelling-edit", args=[advised_project.slug, dwelling_informed.pk])
    edit = {**data, "street": "Kastanjelaan", "house_number": "14", "resident_name": "", "state": "connected"}
    assert client.post(url, edit).status_code == 302
    dwelling_informed.refresh_from_db()
    assert dwelling_informed.house_number == 14
    assert dwelling_informed.state == "informed"
    assert list(dwelling_informed.contacts.values_list("role", flat=True)) == ["owner"]


def test_duplicate_address_is_refused_and_nothing_changes(client, lead_user, advised_project):
    existing = DwellingFactory(project=advised_project, postcode="1187 AB", house_number=1)
    client.force_login(lead_user)
    response = client.post(
        reverse("projects:dwelling-add", args=[advised_project.slug]),
        {
            "postcode": "1187 AB",
            "house_number": "1",
            "street": "X",
            "city": "Y",
            "ownership": "owner_occupied",
            "dwelling_type": "other",
            "owner_preferred_channel": "email",
            "resident_preferred_channel": "email",
        },
    )
    assert response.status_code == 200
    assert Dwelling.objects.filter(project=advised_project).count() == 1
    assert Dwelling.objects.get().pk == existing.pk


def test_only_the_lead_keeps_the_register(client, parties, advised_project, home):
    client.force_login(parties["cooperative"])
    assert client.get(reverse("projects:dwelling-add", args=[advised_project.slug])).status_code == 403
    assert (
        client.get(reverse("projects:dwelling-edit", args=[advised_project.slug, home.pk])).status_code == 403
    )


def test_signed_agreement_opens_for_the_lead_not_for_the_installer(client, parties, advised_project):
    from django.core.files.base import ContentFile

    dwelling = DwellingFactory(
        project=advised_project, state="assigned", installer=parties["installer"].organisation
    )
    dwelling.agreement_document.save("akkoord.pdf", ContentFile(b"%PDF-1.4 signed"), save=True)
    url = reverse("projects:dwelling-agreement", args=[advised_project.slug, dwelling.pk])
    client.force_login(parties["lead"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(parties["installer"])
    assert client.get(url).status_code == 404
    client.force_login(parties["municipality"])
    assert client.get(url).status_code == 404


def test_the_page_says_what_the_dwelling_waits_for_and_who_does_it(client, parties, advised_project):
    dwelling = DwellingFactory(
        project=advised_project, state="surveyed", survey_completed_at="2026-11-01T10:00Z"
    )
    client.force_login(parties["cooperative"])
    page = client.get(detail_url(dwelling))
    assert [spec.name for spec, _who in page.context["waiting_for"]] == ["approve_plan"]
    assert 'id="waiting-for"' in page.text
    client.force_login(parties["lead"])
    assert client.get(detail_url(dwelling)).context["waiting_for"] == []
