import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.models import OrganisationKind, Participation, Role
from projects.selectors import governance_log
from tests.conftest import member_of
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_FIELDS = {
    "name": "Warmtenet Noord",
    "slug": "warmtenet-noord",
    "municipality": "Amstelhoven",
    "neighbourhood": "Noord",
    "connection_approach": "area",
    "heat_company_kind": "municipal",
    "planned_dwellings": 800,
    "signup_threshold": 70,
    "start_date": datetime.date(2026, 5, 1),
}


def test_creator_becomes_lead_and_heat_company(lead_user):
    project = services.project_create(actor=lead_user, **PROJECT_FIELDS)
    roles = set(project.participations.values_list("organisation_id", "role"))
    assert roles == {(lead_user.organisation_id, Role.LEAD), (lead_user.organisation_id, Role.HEAT_COMPANY)}
    assert project.governance.version == 1


def test_installer_cannot_start_a_project(db):
    installer = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.INSTALLER))
    with pytest.raises(PermissionDenied):
        services.project_create(actor=installer, **PROJECT_FIELDS)


def test_target_date_before_start_is_refused(lead_user):
    with pytest.raises(ValidationError):
        services.project_create(
            actor=lead_user, **{**PROJECT_FIELDS, "target_date": datetime.date(2025, 1, 1)}
        )


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.HEAT_COOPERATIVE, Role.MAIN_CONTRACTOR),
        (OrganisationKind.INSTALLER, Role.HOUSING_ASSOCIATION),
        (OrganisationKind.MUNICIPALITY, Role.STAKEHOLDER),
        (OrganisationKind.INSTALLER, Role.MUNICIPALITY),
    ],
)
def test_role_must_fit_the_organisation_kind(lead_user, advised_project, kind, role):
    organisation = OrganisationFactory(kind=kind)
    with pytest.raises(ValidationError):
        services.participation_add(
            actor=lead_user, project=advised_project, organisation=organisation, role=role
        )
    assert not Participation.objects.filter(organisation=organisation).exists()


def test_the_same_role_twice_is_refused(lead_user, advised_project):
    with pytest.raises(ValidationError):
        services.participation_add(
            actor=lead_user, project=advised_project, organisation=lead_user.organisation, role=Role.LEAD
        )


def test_phase_is_kept_for_leads_only(lead_user, advised_project):
    installer = OrganisationFactory(kind=OrganisationKind.INSTALLER)
    participation = services.participation_add(
        actor=lead_user, project=advised_project, organisation=installer, role=Role.INSTALLER, phase="survey"
    )
    assert participation.phase == ""


def test_last_lead_cannot_remove_itself(lead_user, advised_project):
    own_lead = advised_project.participations.get(role=Role.LEAD)
    with pytest.raises(ValidationError):
        services.participation_remove(actor=lead_user, participation=own_lead)
    assert advised_project.participations.filter(role=Role.LEAD).exists()


def test_participation_changes_are_in_the_governance_log(lead_user, advised_project):
    organisation = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION)
    services.participation_add(
        actor=lead_user, project=advised_project, organisation=organisation, role=Role.HOUSING_ASSOCIATION
    )
    entry = governance_log(project=advised_project).first()
    assert entry.actor == lead_user
    assert organisation.name in entry.object_repr


def test_subteam_members_must_work_for_a_party(lead_user, advised_project):
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.subteam_save(actor=lead_user, project=advised_project, name="Noord", members=[stranger])
    colleague = UserFactory(organisation=lead_user.organisation)
    subteam = services.subteam_save(
        actor=lead_user, project=advised_project, name="Noord", members=[colleague]
    )
    assert list(subteam.members.all()) == [colleague]


def test_non_lead_cannot_manage_subteams(advised_project):
    municipality = member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    with pytest.raises(PermissionDenied):
        services.subteam_save(actor=municipality, project=advised_project, name="Zuid")
