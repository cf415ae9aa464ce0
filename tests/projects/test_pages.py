"""The pages as a user walks them, and their query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from projects.models import OrganisationKind, Participation, Project, Role, SubTeam
from tests.conftest import member_of
from tests.factories import OrganisationFactory, ParticipationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_heat_company_creates_a_project_and_becomes_lead(client, lead_user):
    client.force_login(lead_user)
    response = client.post(
        reverse("projects:create"),
        {
            "name": "Warmtenet Zuid",
            "slug": "warmtenet-zuid",
            "municipality": "Amstelhoven",
            "neighbourhood": "Zuid",
            "connection_approach": "building",
            "heat_company_kind": "municipal",
            "planned_dwellings": "240",
            "signup_threshold": "70",
            "private_share": "20",
            "start_date": "2026-04-01",
            "target_date": "2027-04-01",
        },
    )
    project = Project.objects.get(slug="warmtenet-zuid")
    assert response.url == reverse("projects:governance", args=[project.slug])
    assert project.participations.filter(role=Role.LEAD, organisation=lead_user.organisation).exists()
    # A new project has nothing decided yet: the health check says so per block.
    page = client.get(project.get_absolute_url())
    assert 'data-advisory="undecided_1.1"' in page.text


def test_bad_project_input_is_reported_and_nothing_is_created(client, lead_user):
    client.force_login(lead_user)
    response = client.post(reverse("projects:create"), {"name": "X", "slug": "x", "signup_threshold": "150"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Project.objects.filter(slug="x").exists()


def test_installer_cannot_open_the_new_project_page(client, advised_project):
    client.force_login(member_of(advised_project, OrganisationKind.INSTALLER, Role.INSTALLER))
    assert client.get(reverse("projects:create")).status_code == 403


def test_lead_adds_and_removes_a_role(client, lead_user, advised_project):
    client.force_login(lead_user)
    association = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION, name="Woonstichting Test")
    response = client.post(
        reverse("projects:participation-add", args=[advised_project.slug]),
        {"organisation": association.pk, "role": Role.HOUSING_ASSOCIATION},
    )
    assert response.status_code == 302
    participation = Participation.objects.get(organisation=association)
    assert "Woonstichting Test" in client.get(advised_project.get_absolute_url()).text
    client.post(reverse("projects:participation-remove", args=[advised_project.slug, participation.pk]))
    assert not Participation.objects.filter(organisation=association).exists()


def test_wrong_role_for_the_kind_is_a_form_error(client, lead_user, advised_project):
    client.force_login(lead_user)
    cooperative = OrganisationFactory(kind=OrganisationKind.HEAT_COOPERATIVE)
    response = client.post(
        reverse("projects:participation-add", args=[advised_project.slug]),
        {"organisation": cooperative.pk, "role": Role.MAIN_CONTRACTOR},
    )
    assert response.status_code == 200
    assert not Participation.objects.filter(organisation=cooperative).exists()


def test_removing_another_projects_role_answers_404(client, lead_user, advised_project, outsider_project):
    client.force_login(lead_user)
    other = outsider_project.participations.get()
    url = reverse("projects:participation-remove", args=[advised_project.slug, other.pk])
    assert client.post(url).status_code == 404
    assert Participation.objects.filter(pk=other.pk).exists()


def test_lead_manages_a_subteam(client, lead_user, advised_project):
    client.force_login(lead_user)
    response = client.post(
        reverse("projects:subteam-add", args=[advised_project.slug]),
        {"name": "Gestapelde bouw", "covers": "De flats aan de Dreef", "members": [lead_user.pk]},
    )
    assert response.status_code == 302
    subteam = SubTeam.objects.get(project=advised_project)
    assert list(subteam.members.all()) == [lead_user]
    assert "Gestapelde bouw" in client.get(advised_project.get_absolute_url()).text
    client.post(reverse("projects:subteam-delete", args=[advised_project.slug, subteam.pk]))
    assert not SubTeam.objects.filter(pk=subteam.pk).exists()


def test_overview_shows_parties_governance_and_advisories(client, lead_user, advised_project):
    client.force_login(lead_user)
    advised_project.governance.communication = "dispersed"
    advised_project.governance.save()
    with translation.override("nl"):
        page = client.get(advised_project.get_absolute_url())
    assert lead_user.organisation.name in page.text
    assert 'data-advisory="communication_dispersed"' in page.text
    assert 'id="governance"' in page.text


def _projects_for(user, count):
    for _ in range(count):
        project = ProjectFactory()
        ParticipationFactory(project=project, organisation=user.organisation, role=Role.LEAD)
        ParticipationFactory(
            project=project,
            organisation=OrganisationFactory(kind=OrganisationKind.INSTALLER),
            role=Role.INSTALLER,
        )
        SubTeam.objects.create(project=project, name="Team")


@pytest.mark.parametrize("url_name", ["projects:list", "api"])
def test_list_query_count_does_not_grow_with_projects(client, url_name):
    user = UserFactory()
    client.force_login(user)
    url = "/api/v1/projects/" if url_name == "api" else reverse(url_name)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _projects_for(user, 2)
    few = queries()
    _projects_for(user, 20)
    assert queries() == few


def test_detail_query_count_does_not_grow_with_parties(client, lead_user, advised_project):
    client.force_login(lead_user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(advised_project.get_absolute_url()).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(15):
        ParticipationFactory(
            project=advised_project,
            organisation=OrganisationFactory(kind=OrganisationKind.INSTALLER),
            role=Role.SUBCONTRACTOR,
        )
    assert queries() == few


def test_the_sample_page_is_linked_only_where_a_selection_is_surveyed(client, lead_user, advised_project):
    installer = advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
    client.force_login(lead_user)
    assert 'id="sample-link"' not in client.get(advised_project.get_absolute_url()).content.decode()
    advised_project.governance.survey_coverage = "selection"
    advised_project.governance.save()
    page = client.get(advised_project.get_absolute_url()).content.decode()
    assert reverse("sampling:overview", args=[advised_project.slug]) in page
    assert reverse("plans:project", args=[advised_project.slug]) in page
    client.force_login(UserFactory(organisation=installer))
    page = client.get(advised_project.get_absolute_url()).content.decode()
    assert 'id="sample-link"' not in page
    assert 'id="plans-link"' not in page


def test_the_survey_party_finds_area_planning_and_slots(client, lead_user, advised_project):
    planner = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    field_worker = UserFactory(organisation=planner.organisation, field_worker=True)
    client.force_login(planner)
    page = client.get(advised_project.get_absolute_url()).content.decode()
    assert reverse("planning:area", args=[advised_project.slug]) in page
    assert reverse("planning:slots", args=[advised_project.slug]) in page
    listing = client.get(reverse("projects:dwellings", args=[advised_project.slug])).content.decode()
    assert 'id="plan-visits-link"' in listing
    for user in (field_worker, lead_user):
        client.force_login(user)
        assert 'id="plan-visits-link"' not in client.get(advised_project.get_absolute_url()).content.decode()
