import pytest

from procurement.models import InstallerProfile
from projects.models import OrganisationKind, Role
from tests.factories import OrganisationFactory, ParticipationFactory, ProjectFactory, UserFactory
from tests.progress import data


@pytest.fixture
def programme(db):
    """A heat company leading two projects (Lindehof: 120 homes, with a street of three; Beukenhof: 60)
    in one municipality, an installer with a stated capacity working in the first, a survey party's
    surveyor, and another party's project of 30 homes beside them."""
    heat = OrganisationFactory(kind=OrganisationKind.HEAT_COMPANY, name="Warmtebedrijf Amstelhoven")
    town = OrganisationFactory(kind=OrganisationKind.MUNICIPALITY, name="Gemeente Amstelhoven")
    installer = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Installatiebedrijf Noord")
    InstallerProfile.objects.create(organisation=installer, connections_per_week=12)
    surveying = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Opname BV")
    surveyor = UserFactory(organisation=surveying)
    projects = []
    for name, slug, count, streets in (
        ("Lindehof", "lindehof", 120, [("Kastanjelaan", 3)]),
        ("Beukenhof", "beukenhof", 60, []),
    ):
        project = ProjectFactory(name=name, slug=slug, planned_dwellings=count, signup_threshold=70)
        for role in (Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY):
            ParticipationFactory(project=project, organisation=heat, role=role)
        ParticipationFactory(project=project, organisation=town, role=Role.MUNICIPALITY)
        ParticipationFactory(project=project, organisation=surveying, role=Role.SURVEY_PARTY)
        if slug == "lindehof":
            ParticipationFactory(project=project, organisation=installer, role=Role.INSTALLER)
        data.build(
            project,
            count,
            streets=streets,
            installer=installer if slug == "lindehof" else None,
            surveyor=surveyor,
        )
        projects.append(project)
    other_lead = OrganisationFactory(kind=OrganisationKind.HEAT_COMPANY, name="Ander Warmtebedrijf")
    other = ProjectFactory(name="Elders", slug="elders")
    ParticipationFactory(project=other, organisation=other_lead, role=Role.LEAD)
    data.build(other, 30, seed=2)
    return {
        "projects": projects,
        "lindehof": projects[0],
        "beukenhof": projects[1],
        "other": other,
        "lead": UserFactory(organisation=heat),
        "municipality": UserFactory(organisation=town),
        "installer": UserFactory(organisation=installer),
        "surveyor": surveyor,
        "outsider": UserFactory(organisation=other_lead),
        "installer_org": installer,
    }
