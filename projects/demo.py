"""Realistic demo data: two projects that differ, and one login per party kind.

Idempotent: organisations and users are found by slug and e-mail, projects by slug; a project that
exists already is left as it is, so a second run adds nothing. Governance is recorded through the
services, so the demo's change log reads like a real one.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from projects import services
from projects.models import (
    Agreement,
    Collaboration,
    CollaborationForm,
    Communication,
    ConnectionApproach,
    HeatCompanyKind,
    InstallerStructure,
    InstallerTiming,
    LeadModel,
    Organisation,
    OrganisationKind,
    Procurement,
    Project,
    ResponsibilityBoundary,
    Role,
    SurveyCoverage,
    SurveyParties,
    SurveyVisits,
    Tender,
    User,
)

DEMO_PASSWORD = "warmte-demo-2026"

K = OrganisationKind
ORGANISATIONS = {
    # slug: (name, kind, city)
    "warmtebedrijf-amstelland": ("Warmtebedrijf Amstelland", K.HEAT_COMPANY, "Amstelhoven"),
    "gemeente-amstelhoven": ("Gemeente Amstelhoven", K.MUNICIPALITY, "Amstelhoven"),
    "gemeente-lindewijk": ("Gemeente Lindewijk", K.MUNICIPALITY, "Lindewijk"),
    "woonstichting-de-linde": ("Woonstichting De Linde", K.HOUSING_ASSOCIATION, "Amstelhoven"),
    "installatiebedrijf-van-dijk": ("Installatiebedrijf Van Dijk", K.INSTALLER, "Amstelhoven"),
    "loodgieters-bakker": ("Loodgietersbedrijf Bakker & Zn.", K.INSTALLER, "Ouderkerk"),
    "elektrotechniek-jansen": ("Elektrotechniek Jansen", K.INSTALLER, "Amstelhoven"),
    "installatietechniek-smit": ("Installatietechniek Smit", K.INSTALLER, "Lindewijk"),
    "klusbedrijf-mulder": ("Klus- en installatiebedrijf Mulder", K.INSTALLER, "Lindewijk"),
    "warmtecooperatie-tuindorp": ("Warmtecoöperatie Tuindorp", K.HEAT_COOPERATIVE, "Amstelhoven"),
    "energiecooperatie-lindewijk": ("Energiecoöperatie Lindewijk Duurzaam", K.HEAT_COOPERATIVE, "Lindewijk"),
    "netbeheer-midden": ("Netbeheer Midden", K.GRID_OPERATOR, "Utrecht"),
    "waterbedrijf-amstelland": ("Waterbedrijf Amstelland", K.WATER_COMPANY, "Amstelhoven"),
}

USERS = [
    # (e-mail, first name, last name, organisation slug, staff)
    ("warmtebedrijf@demo.test", "Sanne", "de Vries", "warmtebedrijf-amstelland", True),
    ("gemeente@demo.test", "Pieter", "Bos", "gemeente-amstelhoven", False),
    ("gemeente.lindewijk@demo.test", "Fatima", "El Amrani", "gemeente-lindewijk", False),
    ("installateur@demo.test", "Kees", "van Dijk", "installatiebedrijf-van-dijk", False),
    ("onderaannemer@demo.test", "Ruud", "Bakker", "loodgieters-bakker", False),
    ("corporatie@demo.test", "Ingrid", "Visser", "woonstichting-de-linde", False),
    ("cooperatie@demo.test", "Jan", "Hendriks", "warmtecooperatie-tuindorp", False),
    ("cooperatie.lindewijk@demo.test", "Marloes", "Kramer", "energiecooperatie-lindewijk", False),
    ("netbeheerder@demo.test", "Henk", "Smits", "netbeheer-midden", False),
    ("waterbedrijf@demo.test", "Anouk", "Peters", "waterbedrijf-amstelland", False),
]


@dataclass
class DemoResult:
    created_projects: list[str]
    users: list[User]


def _organisations() -> dict[str, Organisation]:
    found = {}
    for slug, (name, kind, city) in ORGANISATIONS.items():
        found[slug], _created = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "city": city}
        )
    return found


def _users(orgs) -> dict[str, User]:
    users = {}
    for email, first, last, org_slug, staff in USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                organisation=orgs[org_slug],
                is_staff=staff,
            )
        users[org_slug] = user
    return users


def _add_roles(actor, project, orgs, roles) -> None:
    for org_slug, role, extra in roles:
        services.participation_add(
            actor=actor, project=project, organisation=orgs[org_slug], role=role, **extra
        )


def _tuindorp(orgs, users) -> Project:
    """An area-based project that follows the advice, led by a regional heat company."""
    actor = users["warmtebedrijf-amstelland"]
    project = services.project_create(
        actor=actor,
        name="Warmtenet Tuindorp-Oost",
        slug="warmtenet-tuindorp-oost",
        municipality="Amstelhoven",
        neighbourhood="Tuindorp-Oost",
        connection_approach=ConnectionApproach.AREA,
        heat_company_kind=HeatCompanyKind.REGIONAL,
        planned_dwellings=1850,
        signup_threshold=70,
        private_share=45,
        start_date=datetime.date(2026, 3, 1),
        target_date=datetime.date(2029, 12, 31),
    )
    _add_roles(
        actor,
        project,
        orgs,
        [
            ("warmtebedrijf-amstelland", Role.SURVEY_PARTY, {}),
            ("gemeente-amstelhoven", Role.MUNICIPALITY, {}),
            ("woonstichting-de-linde", Role.HOUSING_ASSOCIATION, {}),
            ("installatiebedrijf-van-dijk", Role.MAIN_CONTRACTOR, {}),
            ("loodgieters-bakker", Role.SUBCONTRACTOR, {}),
            ("elektrotechniek-jansen", Role.SUBCONTRACTOR, {}),
            ("warmtecooperatie-tuindorp", Role.COMMUNICATING_PARTY, {}),
            ("netbeheer-midden", Role.STAKEHOLDER, {"involved_on": datetime.date(2025, 11, 12)}),
            ("waterbedrijf-amstelland", Role.STAKEHOLDER, {"involved_on": datetime.date(2026, 1, 20)}),
        ],
    )
    # First an informal start, then formalised: the change log shows the way there.
    services.governance_update(
        actor=actor,
        project=project,
        version=1,
        lead_model=LeadModel.CENTRAL,
        collaboration=Collaboration.INFORMAL,
        responsibility_boundary=ResponsibilityBoundary.DELIVERY_SET,
    )
    services.governance_update(
        actor=actor,
        project=project,
        version=2,
        collaboration=Collaboration.FORMAL,
        collaboration_form=CollaborationForm.BUILDING_TEAM,
        agreement=Agreement.SIGNED,
        agreement_signed_on=datetime.date(2026, 2, 14),
        installer_timing=InstallerTiming.FROM_START,
        installer_structure=InstallerStructure.MAIN_CONTRACTOR,
        survey_coverage=SurveyCoverage.EVERY_DWELLING,
        survey_parties=SurveyParties.ONE,
        survey_visits=SurveyVisits.ONCE,
        procurement=Procurement.FRAMEWORK,
        tender=Tender.SINGLE,
        communication=Communication.CENTRAL_ACTIVE,
    )
    for name, covers, members in [
        (
            "Corporatiewoningen De Linde",
            "De 720 huurwoningen van Woonstichting De Linde, met de bewonersconsulenten.",
            ["woonstichting-de-linde", "installatiebedrijf-van-dijk"],
        ),
        (
            "Particuliere woningen en VvE's",
            "Eigenaar-bewoners, particuliere verhuur en de vier VvE's in de Bloemenbuurt.",
            ["warmtecooperatie-tuindorp", "warmtebedrijf-amstelland"],
        ),
        (
            "Techniek en netaansluiting",
            "Gevelpunten, leidingtracés en de verzwaring van elektra-aansluitingen.",
            ["warmtebedrijf-amstelland", "netbeheer-midden"],
        ),
    ]:
        services.subteam_save(
            actor=actor,
            project=project,
            name=name,
            covers=covers,
            members=[users[slug] for slug in members],
        )
    return project


def _lindewijk(orgs, users) -> Project:
    """A small cooperative project of private homes where several pieces of advice are not followed."""
    actor = users["warmtebedrijf-amstelland"]
    project = services.project_create(
        actor=actor,
        name="Buurtwarmte Lindewijk Oude Dorp",
        slug="buurtwarmte-lindewijk",
        municipality="Lindewijk",
        neighbourhood="Oude Dorp",
        connection_approach=ConnectionApproach.INDIVIDUAL,
        heat_company_kind=HeatCompanyKind.COOPERATIVE,
        planned_dwellings=64,
        signup_threshold=60,
        private_share=94,
        start_date=datetime.date(2026, 9, 1),
        target_date=datetime.date(2027, 10, 1),
    )
    _add_roles(
        actor,
        project,
        orgs,
        [
            ("energiecooperatie-lindewijk", Role.LEAD, {}),
            ("energiecooperatie-lindewijk", Role.HEAT_COMPANY, {}),
            ("energiecooperatie-lindewijk", Role.SURVEY_PARTY, {}),
            ("warmtebedrijf-amstelland", Role.SURVEY_PARTY, {}),
            ("gemeente-lindewijk", Role.MUNICIPALITY, {}),
            ("installatietechniek-smit", Role.INSTALLER, {}),
            ("klusbedrijf-mulder", Role.INSTALLER, {}),
            ("installatietechniek-smit", Role.COMMUNICATING_PARTY, {}),
            ("netbeheer-midden", Role.STAKEHOLDER, {"note": "Nog uitnodigen voor het gevelpuntenoverleg."}),
        ],
    )
    services.governance_update(
        actor=actor,
        project=project,
        version=1,
        lead_model=LeadModel.SHARED,
        collaboration=Collaboration.FORMAL,
        collaboration_form=CollaborationForm.PROJECT_TEAM,
        agreement=Agreement.LETTER_OF_INTENT,
        responsibility_boundary=ResponsibilityBoundary.FACADE,
        installer_timing=InstallerTiming.LATER,
        installer_structure=InstallerStructure.SEPARATE,
        survey_coverage=SurveyCoverage.SELECTION,
        survey_parties=SurveyParties.SEVERAL,
        survey_visits=SurveyVisits.SEVERAL,
        procurement=Procurement.AD_HOC,
        tender=Tender.SPLIT,
        communication=Communication.DISPERSED,
    )
    return project


PROJECTS = {"warmtenet-tuindorp-oost": _tuindorp, "buurtwarmte-lindewijk": _lindewijk}


@transaction.atomic
def load_demo() -> DemoResult:
    orgs = _organisations()
    users = _users(orgs)
    created = []
    for slug, build in PROJECTS.items():
        if not Project.objects.filter(slug=slug).exists():
            build(orgs, users)
            created.append(slug)
    return DemoResult(created_projects=created, users=[users[u[3]] for u in USERS])
