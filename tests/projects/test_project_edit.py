"""The lead party's coordinator corrects the facts of a project; the change is on the change log."""

import pytest
from django.urls import reverse

from projects.models import OrganisationKind, Project, Role
from tests.conftest import member_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def facts(project, **changes):
    data = {
        "name": project.name,
        "municipality": project.municipality,
        "neighbourhood": project.neighbourhood,
        "connection_approach": project.connection_approach,
        "heat_company_kind": project.heat_company_kind,
        "planned_dwellings": str(project.planned_dwellings),
        "signup_threshold": str(project.signup_threshold),
        "private_share": str(project.private_share or ""),
        "start_date": project.start_date.isoformat(),
        "target_date": project.target_date.isoformat() if project.target_date else "",
    }
    return {**data, **changes}


def test_the_lead_corrects_the_facts_and_the_log_says_who_and_what(client, lead_user, advised_project):
    client.force_login(lead_user)
    url = reverse("projects:edit", args=[advised_project.slug])
    response = client.post(url, facts(advised_project, planned_dwellings="135", slug="another-slug"))
    assert response.status_code == 302
    project = Project.objects.get(pk=advised_project.pk)
    assert project.planned_dwellings == 135
    assert project.slug == advised_project.slug  # the slug stays
    log = client.get(reverse("projects:governance-log", args=[project.slug])).text
    assert "135" in log and "120" in log
    assert str(lead_user) in log


def test_a_thousand_with_a_point_is_refused_and_nothing_changes(client, lead_user, advised_project):
    client.force_login(lead_user)
    response = client.post(
        reverse("projects:edit", args=[advised_project.slug]),
        facts(advised_project, planned_dwellings="1.000"),
    )
    assert response.status_code == 200
    assert Project.objects.get(pk=advised_project.pk).planned_dwellings == 120


@pytest.mark.parametrize("who", ["cooperative", "read_only", "municipality"])
def test_other_parties_and_readers_correct_nothing(client, who, lead_user, advised_project):
    users = {
        "cooperative": lambda: member_of(
            advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY
        ),
        "read_only": lambda: UserFactory(organisation=lead_user.organisation, read_only=True),
        "municipality": lambda: member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
    }
    client.force_login(users[who]())
    url = reverse("projects:edit", args=[advised_project.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, facts(advised_project, planned_dwellings="999")).status_code == 403
    assert Project.objects.get(pk=advised_project.pk).planned_dwellings == 120


def test_a_project_outside_scope_does_not_exist(client, lead_user, outsider_project):
    client.force_login(lead_user)
    assert client.get(reverse("projects:edit", args=[outsider_project.slug])).status_code == 404
