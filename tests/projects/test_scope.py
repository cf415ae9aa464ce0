"""A user sees only the projects in which their organisation takes part; others answer 404."""

import pytest
from django.urls import reverse

from projects.models import OrganisationKind, Role
from tests.conftest import member_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROJECT_PAGES = [
    "projects:detail",
    "projects:governance-log",
    "projects:governance",
    "projects:agreement",
    "projects:participation-add",
    "projects:subteam-add",
]

PARTY_KINDS = [
    (OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
    (OrganisationKind.INSTALLER, Role.MAIN_CONTRACTOR),
    (OrganisationKind.HOUSING_ASSOCIATION, Role.HOUSING_ASSOCIATION),
    (OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY),
    (OrganisationKind.GRID_OPERATOR, Role.STAKEHOLDER),
    (OrganisationKind.WATER_COMPANY, Role.STAKEHOLDER),
    (OrganisationKind.HEAT_COMPANY, Role.LEAD),
]


@pytest.mark.parametrize(("kind", "role"), PARTY_KINDS)
@pytest.mark.parametrize("page", PROJECT_PAGES)
def test_other_partys_project_answers_404(client, advised_project, outsider_project, kind, role, page):
    user = member_of(advised_project, kind, role)
    client.force_login(user)
    assert client.get(reverse(page, args=[outsider_project.slug])).status_code == 404


@pytest.mark.parametrize(("kind", "role"), PARTY_KINDS)
def test_list_shows_only_own_projects(client, advised_project, outsider_project, kind, role):
    client.force_login(member_of(advised_project, kind, role))
    page = client.get(reverse("projects:list"))
    assert page.status_code == 200
    assert advised_project.name in page.text
    assert outsider_project.name not in page.text


def test_participant_sees_project_but_cannot_edit(client, advised_project):
    municipality = member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    client.force_login(municipality)
    assert client.get(advised_project.get_absolute_url()).status_code == 200
    for page in ("projects:governance", "projects:participation-add", "projects:subteam-add"):
        assert client.get(reverse(page, args=[advised_project.slug])).status_code == 403


def test_anonymous_is_sent_to_login(client, advised_project):
    response = client.get(advised_project.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_superuser_sees_every_project(client, advised_project, outsider_project):
    admin = UserFactory(organisation=None, is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(reverse("projects:list"))
    assert advised_project.name in page.text
    assert outsider_project.name in page.text
    assert client.get(outsider_project.get_absolute_url()).status_code == 200


class TestAdmin:
    @pytest.fixture
    def staff(self, advised_project, lead_user):
        lead_user.is_staff = True
        lead_user.save()
        from django.contrib.auth.models import Permission

        lead_user.user_permissions.set(Permission.objects.filter(content_type__app_label="projects"))
        return lead_user

    def test_changelist_is_scoped(self, client, staff, advised_project, outsider_project):
        client.force_login(staff)
        page = client.get(reverse("admin:projects_project_changelist"))
        assert page.status_code == 200
        assert advised_project.name in page.text
        assert outsider_project.name not in page.text

    @pytest.mark.parametrize("view", ["change", "history", "delete"])
    def test_other_project_answers_404(self, client, staff, outsider_project, view):
        client.force_login(staff)
        url = reverse(f"admin:projects_project_{view}", args=[outsider_project.pk])
        assert client.get(url).status_code == 404

    def test_other_projects_governance_and_roles_answer_404(self, client, staff, outsider_project):
        client.force_login(staff)
        governance = outsider_project.governance
        participation = outsider_project.participations.first()
        assert (
            client.get(reverse("admin:projects_governance_change", args=[governance.pk])).status_code == 404
        )
        url = reverse("admin:projects_participation_change", args=[participation.pk])
        assert client.get(url).status_code == 404

    def test_own_project_opens(self, client, staff, advised_project):
        client.force_login(staff)
        url = reverse("admin:projects_project_change", args=[advised_project.pk])
        assert client.get(url).status_code == 200

    def test_audit_log_is_for_superusers_only(self, client, staff):
        client.force_login(staff)
        assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 403


class TestApi:
    def test_list_is_scoped(self, client, advised_project, outsider_project):
        client.force_login(member_of(advised_project, OrganisationKind.INSTALLER, Role.INSTALLER))
        slugs = [p["slug"] for p in client.get("/api/v1/projects/").json()["results"]]
        assert slugs == [advised_project.slug]

    @pytest.mark.parametrize("suffix", ["", "governance/", "advisories/", "governance-log/"])
    def test_other_project_answers_404(self, client, advised_project, outsider_project, suffix):
        client.force_login(member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY))
        assert client.get(f"/api/v1/projects/{outsider_project.slug}/{suffix}").status_code == 404

    def test_patch_other_project_answers_404_and_changes_nothing(
        self, client, lead_user, advised_project, outsider_project
    ):
        client.force_login(lead_user)
        response = client.patch(
            f"/api/v1/projects/{outsider_project.slug}/governance/",
            {"lead_model": "shared", "version": 1},
            content_type="application/json",
        )
        assert response.status_code == 404
        outsider_project.governance.refresh_from_db()
        assert outsider_project.governance.lead_model == "central"

    def test_organisations_are_scoped(self, client, advised_project, outsider_project):
        user = member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
        client.force_login(user)
        ids = {o["id"] for o in client.get("/api/v1/organisations/").json()["results"]}
        outsider_org = outsider_project.participations.get().organisation_id
        assert user.organisation_id in ids
        assert outsider_org not in ids

    def test_token_authentication(self, client, lead_user, advised_project):
        from projects.models import ApiToken

        _token, key = ApiToken.objects.create(user=lead_user, name="GIS")
        response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
        assert response.json()["count"] == 1

    def test_anonymous_is_refused(self, client, advised_project):
        assert client.get("/api/v1/projects/").status_code in (401, 403)
