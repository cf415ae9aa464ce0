"""The demo's parties: organisations, their people with their work roles, and the two projects.

Organisations are found by slug, people by e-mail and projects by slug, so a second run adds nothing.
Governance is recorded through the services, so the demo's change log reads like a real one.

People and their roles. Each organisation's roles in a project are the ceiling of what its people may
do there; a person's work roles choose within it (``projects.permissions``). The demo has one login per
kind of work that means something in its projects: the heat company, lead of Tuindorp-Oost, has a
coordinator who also manages its people, a planner, a surveyor in the field and a colleague who only
reads; the main contractor has a coordinator who plans and a technician in the field; the others have
the one person their part needs.

An existing database keeps the roles its people were given, with one exception: a demo user without
roles, or still with the blanket office roles every demo user had before the demo knew work roles,
gets the roles below (once: a role changed by hand afterwards stays as it is).
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
    WorkRole,
)

DEMO_PASSWORD = "warmte-demo-2026"
TUINDORP = "warmtenet-tuindorp-oost"
LINDEWIJK = "buurtwarmte-lindewijk"


class DemoError(Exception):
    """The demo cannot fill this project (unknown project, or its parties are not the demo's)."""


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


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    organisation: str  # slug
    roles: tuple[str, ...]
    staff: bool = False  # may open the admin


W = WorkRole
USERS = [
    # The heat company, lead and survey party of Tuindorp-Oost.
    DemoUser(
        "warmtebedrijf@demo.test",
        "Sanne",
        "de Vries",
        "warmtebedrijf-amstelland",
        (W.ADMINISTRATOR, W.COORDINATOR),
        staff=True,
    ),
    DemoUser("planner@demo.test", "Lotte", "Dekker", "warmtebedrijf-amstelland", (W.PLANNER,)),
    DemoUser("schouwer@demo.test", "Joris", "Meijer", "warmtebedrijf-amstelland", (W.FIELD_WORKER,)),
    DemoUser("meelezer@demo.test", "Wim", "Kok", "warmtebedrijf-amstelland", (W.READ_ONLY,)),
    DemoUser("gemeente@demo.test", "Pieter", "Bos", "gemeente-amstelhoven", (W.READ_ONLY,)),
    DemoUser("gemeente.lindewijk@demo.test", "Fatima", "El Amrani", "gemeente-lindewijk", (W.READ_ONLY,)),
    # The main contractor runs the firm, plans its installations and manages its people.
    DemoUser(
        "installateur@demo.test",
        "Kees",
        "van Dijk",
        "installatiebedrijf-van-dijk",
        (W.ADMINISTRATOR, W.COORDINATOR, W.PLANNER),
    ),
    DemoUser("monteur@demo.test", "Bas", "Vermeulen", "installatiebedrijf-van-dijk", (W.FIELD_WORKER,)),
    DemoUser("onderaannemer@demo.test", "Ruud", "Bakker", "loodgieters-bakker", (W.ADMINISTRATOR, W.PLANNER)),
    DemoUser(
        "corporatie@demo.test",
        "Ingrid",
        "Visser",
        "woonstichting-de-linde",
        (W.ADMINISTRATOR, W.COORDINATOR),
    ),
    DemoUser(
        "cooperatie@demo.test",
        "Jan",
        "Hendriks",
        "warmtecooperatie-tuindorp",
        (W.ADMINISTRATOR, W.COMMUNICATION),
    ),
    # A small cooperative that leads Lindewijk: one volunteer does everything.
    DemoUser(
        "cooperatie.lindewijk@demo.test",
        "Marloes",
        "Kramer",
        "energiecooperatie-lindewijk",
        (W.ADMINISTRATOR, W.COORDINATOR, W.PLANNER, W.COMMUNICATION),
    ),
    # Lindewijk's installers, tendered ad hoc: Smit won the installation, Mulder bid too.
    DemoUser(
        "smit@demo.test",
        "Bas",
        "Smit",
        "installatietechniek-smit",
        (W.ADMINISTRATOR, W.COORDINATOR, W.PLANNER),
    ),
    DemoUser(
        "mulder@demo.test",
        "Ilse",
        "Mulder",
        "klusbedrijf-mulder",
        (W.ADMINISTRATOR, W.COORDINATOR, W.PLANNER),
    ),
    DemoUser("netbeheerder@demo.test", "Henk", "Smits", "netbeheer-midden", (W.READ_ONLY,)),
    DemoUser("waterbedrijf@demo.test", "Anouk", "Peters", "waterbedrijf-amstelland", (W.READ_ONLY,)),
]
USERS_BY_EMAIL = {user.email: user for user in USERS}

LEAD = "warmtebedrijf@demo.test"
PLANNER = "planner@demo.test"
SURVEYOR = "schouwer@demo.test"

# What every demo office user had before the demo gave each person their own work: an existing user
# with exactly these roles has not been changed by hand and gets the roles of USERS.
BLANKET_OFFICE_ROLES = frozenset({W.ADMINISTRATOR, W.COORDINATOR, W.PLANNER, W.COMMUNICATION})


def _ordered(roles) -> list[str]:
    """Roles in the order of the list, as the people service stores them."""
    return [role for role in WorkRole.values if role in roles]


@dataclass
class People:
    """The demo users by e-mail, and what this run did to them."""

    by_email: dict[str, User]
    created: list[str]
    roles_set: list[str]

    def first_of(self, org_slug: str) -> User:
        """The organisation's first person in the table (who acts for it in its projects)."""
        email = next(row.email for row in USERS if row.organisation == org_slug)
        return self.by_email[email]

    def listed(self) -> list[User]:
        return [self.by_email[row.email] for row in USERS]


def organisations() -> dict[str, Organisation]:
    found = {}
    for slug, (name, kind, city) in ORGANISATIONS.items():
        found[slug], _created = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "city": city}
        )
    return found


def people(orgs) -> People:
    """Every demo user, made where missing; the roles of one without roles (or with the old blanket
    ones) are set. The people service is not used: it e-mails a link to choose a password, and demo
    users have the published one."""
    result = People(by_email={}, created=[], roles_set=[])
    for row in USERS:
        roles = _ordered(row.roles)
        user = User.objects.filter(email=row.email).first()
        if user is None:
            user = User.objects.create_user(
                row.email,
                DEMO_PASSWORD,
                first_name=row.first_name,
                last_name=row.last_name,
                organisation=orgs[row.organisation],
                is_staff=row.staff,
                work_roles=roles,
            )
            result.created.append(row.email)
        elif user.work_roles != roles and (
            not user.work_roles or set(user.work_roles) == BLANKET_OFFICE_ROLES
        ):
            user.work_roles = roles
            user.save(update_fields=["work_roles"])
            result.roles_set.append(row.email)
        if row.staff:
            user.groups.add(admin_group())
        result.by_email[row.email] = user
    return result


ADMIN_GROUP = "Beheer van de eigen projecten"


def admin_group():
    """The permissions a staff user of an organisation needs to open the admin at all: every model of
    the domain. What the admin then shows and lets them change is its own scope (their projects) and the
    services' rules, as on the pages."""
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=ADMIN_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=("projects", "surveys")))
    return group


def _add_roles(actor, project, orgs, roles) -> None:
    for org_slug, role, extra in roles:
        services.participation_add(
            actor=actor, project=project, organisation=orgs[org_slug], role=role, **extra
        )


def _tuindorp(orgs, staff: People, *, slug=TUINDORP, name="Warmtenet Tuindorp-Oost") -> Project:
    """An area-based project that follows the advice, led by a regional heat company."""
    actor = staff.by_email[LEAD]
    project = services.project_create(
        actor=actor,
        name=name,
        slug=slug,
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
            members=[staff.first_of(slug) for slug in members],
        )
    return project


def _lindewijk(orgs, staff: People) -> Project:
    """A small cooperative project of private homes where several pieces of advice are not followed."""
    actor = staff.by_email[LEAD]
    project = services.project_create(
        actor=actor,
        name="Buurtwarmte Lindewijk Oude Dorp",
        slug=LINDEWIJK,
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


PROJECTS = {TUINDORP: _tuindorp, LINDEWIJK: _lindewijk}


@transaction.atomic
def parties_and_projects() -> tuple[People, list[str]]:
    """Organisations, people and the demo projects that are missing; (the people, created projects)."""
    orgs = organisations()
    staff = people(orgs)
    created = []
    for slug, build in PROJECTS.items():
        if not Project.objects.filter(slug=slug).exists():
            build(orgs, staff)
            created.append(slug)
    return staff, created


def demo_area_project(*, slug: str, name: str) -> Project:
    """Another project like Tuindorp-Oost (same parties and governance), e.g. for the benchmark."""
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        with transaction.atomic():
            orgs = organisations()
            project = _tuindorp(orgs, people(orgs), slug=slug, name=name)
    return project
