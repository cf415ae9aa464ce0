"""Realistic demo data: two projects that differ, one login per party kind, and their dwellings.

Idempotent: organisations and users are found by slug and e-mail, projects by slug; a project that
exists already is left as it is, so a second run adds nothing. Governance is recorded through the
services, so the demo's change log reads like a real one.

Dwellings come in their thousands (``demo --dwellings 100000``), too many to move one at a time
through ``projects.services.dwelling_transition``. So each dwelling's history is played on the unsaved
model with the state machine's own transition methods (which set the fields), every move checked
against the permission rule the service checks, by the party that would make it, and the result is
written with ``bulk_create`` in batches: the same rows the service writes, one log row per move, from
*registered* to the dwelling's state.
"""

import datetime
import itertools
import random
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation

from projects import services
from projects.models import (
    ENERGY_LABELS,
    Agreement,
    Channel,
    Collaboration,
    CollaborationForm,
    Communication,
    ConnectionApproach,
    Contact,
    ContactRole,
    Dwelling,
    DwellingTransition,
    DwellingType,
    HeatCompanyKind,
    InstallerStructure,
    InstallerTiming,
    LeadModel,
    Organisation,
    OrganisationKind,
    Ownership,
    Participation,
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
from projects.models.project import INSTALLING_ROLES
from projects.states import DECLINABLE_STATES, MAIN_PATH, SIDE_STATES, DwellingState, VisitFailure
from surveys.demo import demo_survey, demo_visit
from surveys.models import Photo, Survey, Visit

DEMO_PASSWORD = "warmte-demo-2026"
TUINDORP = "warmtenet-tuindorp-oost"
LINDEWIJK = "buurtwarmte-lindewijk"

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


# What the demo's office people do: everything their organisation may do.
OFFICE_WORK = [WorkRole.ADMINISTRATOR, WorkRole.COORDINATOR, WorkRole.PLANNER, WorkRole.COMMUNICATION]


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
                work_roles=OFFICE_WORK,
            )
        users[org_slug] = user
    return users


def _add_roles(actor, project, orgs, roles) -> None:
    for org_slug, role, extra in roles:
        services.participation_add(
            actor=actor, project=project, organisation=orgs[org_slug], role=role, **extra
        )


def _tuindorp(orgs, users, *, slug=TUINDORP, name="Warmtenet Tuindorp-Oost") -> Project:
    """An area-based project that follows the advice, led by a regional heat company."""
    actor = users["warmtebedrijf-amstelland"]
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
            members=[users[slug] for slug in members],
        )
    return project


def _lindewijk(orgs, users) -> Project:
    """A small cooperative project of private homes where several pieces of advice are not followed."""
    actor = users["warmtebedrijf-amstelland"]
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


# --- Dwellings: the neighbourhoods ---------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


class DemoError(Exception):
    """The demo cannot fill this project (unknown project, or its parties are not the demo's)."""


@dataclass(frozen=True)
class Neighbourhood:
    """How the demo fills a project: its streets and homes, who does what, and how far it has got."""

    key: str
    city: str
    postcode_start: int  # the first four digits; each district (and each round of it) takes the next
    bag_municipality: str  # four digits that start every BAG id
    districts: tuple[tuple[str, tuple[str, ...]], ...]
    segment: tuple[int, int]  # homes per street segment; one segment is one cluster
    blocks: dict[str, float]  # kind of block -> weight
    build_years: dict[str, tuple[int, int]]
    association_share: dict[str, float]  # kind of block -> chance that the housing association owns it
    rental_share: dict[str, float]  # "private"/"vve" -> share of private rental among the rest
    listed_before: int  # blocks built before this year are sometimes listed monuments
    # By the rank of a street in its district (0 = first, furthest along): how far its homes are.
    progress: tuple[tuple[float, dict[str, int]], ...]
    exits: tuple[float, float, float]  # chance of declined, on hold, withdrawn
    default_dwellings: int
    # The demo users (e-mail) and organisations (slug) that make the moves.
    lead: str
    informer: str
    surveyors: tuple[str, ...]
    heat_company: str
    installer_user: str | None
    installers: tuple[str, ...]
    housing_association: str | None


TUINDORP_OOST = Neighbourhood(
    key="tuindorp-oost",
    city="Amstelhoven",
    postcode_start=1187,
    bag_municipality="0999",
    districts=(
        (
            "Bloemenbuurt",
            _names(
                "Anjerstraat, Irisstraat, Tulpstraat, Seringenlaan, Goudsbloemstraat, Dahliastraat, "
                "Narcisstraat, Lavendelhof, Klaproosstraat, Zonnebloemstraat, Hyacintstraat, "
                "Rozenstraat"
            ),
        ),
        (
            "Bomenbuurt",
            _names(
                "Lindenlaan, Eikenlaan, Beukenstraat, Kastanjelaan, Esdoornstraat, Berkenhof, "
                "Wilgenstraat, Populierenweg, Iepenstraat, Elzenstraat, Platanenplein, Acaciastraat"
            ),
        ),
        (
            "Vogelbuurt",
            _names(
                "Merelstraat, Lijsterstraat, Spreeuwstraat, Koolmeesstraat, Vinkenstraat, "
                "Zwaluwstraat, Roodborststraat, Kievitstraat, Reigerhof, Ooievaarslaan, "
                "Winterkoninglaan, Putterstraat"
            ),
        ),
        (
            "Schildersbuurt",
            _names(
                "Rembrandtlaan, Vermeerstraat, Frans Halsstraat, Jan Steenstraat, Ruysdaelstraat, "
                "Mondriaanhof, Breitnerstraat, Van Goghstraat, Israëlsstraat, Mesdagstraat, "
                "Jongkindstraat, Tooropstraat"
            ),
        ),
        (
            "Componistenbuurt",
            _names(
                "Sweelinckstraat, Diepenbrocklaan, Andriessenhof, Wagenaarstraat, Zweersstraat, "
                "Röntgenstraat, Badingsstraat, Dopperlaan, Pijperstraat, Van Gilsestraat, Hendrik "
                "Andriessenstraat, Alphons Diepenbrockhof"
            ),
        ),
    ),
    segment=(24, 48),
    blocks={"row": 0.6, "pair": 0.12, "detached": 0.05, "portiek": 0.1, "galerij": 0.04, "updown": 0.09},
    build_years={
        "row": (1930, 1958),
        "pair": (1934, 1975),
        "detached": (1930, 1975),
        "portiek": (1950, 1966),
        "galerij": (1962, 1975),
        "updown": (1930, 1952),
    },
    association_share={"row": 0.3, "portiek": 0.55, "galerij": 0.8, "updown": 0.2},
    rental_share={"private": 0.2, "vve": 0.35},
    listed_before=1936,
    progress=(
        (
            2 / 12,
            {
                "connected": 72,
                "installed": 6,
                "installation_planned": 6,
                "assigned": 3,
                "agreed": 6,
                "plan_ready": 4,
                "surveyed": 3,
            },
        ),
        (
            3 / 12,
            {
                "connected": 20,
                "installed": 12,
                "installation_planned": 25,
                "assigned": 20,
                "agreed": 15,
                "plan_ready": 8,
            },
        ),
        (
            5 / 12,
            {
                "assigned": 8,
                "agreed": 40,
                "plan_ready": 27,
                "surveyed": 15,
                "survey_planned": 6,
                "informed": 4,
            },
        ),
        (7 / 12, {"agreed": 12, "plan_ready": 30, "surveyed": 28, "survey_planned": 15, "informed": 15}),
        (9 / 12, {"plan_ready": 4, "surveyed": 18, "survey_planned": 28, "informed": 50}),
        (1.0, {"survey_planned": 12, "informed": 63, "registered": 25}),
    ),
    exits=(0.04, 0.02, 0.01),
    default_dwellings=600,
    lead="warmtebedrijf@demo.test",
    informer="cooperatie@demo.test",
    # The heat company is the survey party of Tuindorp-Oost; the demo has no surveyor of its own.
    surveyors=("warmtebedrijf@demo.test",),
    heat_company="warmtebedrijf@demo.test",
    installer_user="installateur@demo.test",
    installers=("installatiebedrijf-van-dijk",),
    housing_association="woonstichting-de-linde",
)

LINDEWIJK_OUDE_DORP = Neighbourhood(
    key="lindewijk-oude-dorp",
    city="Lindewijk",
    postcode_start=1191,
    bag_municipality="0998",
    districts=(
        (
            "Oude Dorp",
            (
                "Dorpsstraat",
                "Kerkstraat",
                "Brink",
                "Molenweg",
                "Achterom",
                "Schoolstraat",
                "Pastoorslaan",
                "Veldweg",
            ),
        ),
    ),
    segment=(6, 10),
    blocks={"row": 0.3, "pair": 0.25, "detached": 0.35, "updown": 0.1},
    build_years={"row": (1905, 1960), "pair": (1925, 1975), "detached": (1890, 1975), "updown": (1900, 1935)},
    association_share={},
    rental_share={"private": 0.1, "vve": 0.3},
    listed_before=1915,
    progress=(
        (3 / 8, {"assigned": 8, "agreed": 22, "plan_ready": 30, "surveyed": 30, "survey_planned": 10}),
        (6 / 8, {"plan_ready": 5, "surveyed": 25, "survey_planned": 35, "informed": 35}),
        (1.0, {"informed": 60, "registered": 40}),
    ),
    exits=(0.06, 0.02, 0.015),
    default_dwellings=64,
    lead="cooperatie.lindewijk@demo.test",
    informer="cooperatie.lindewijk@demo.test",
    surveyors=("cooperatie.lindewijk@demo.test", "warmtebedrijf@demo.test"),
    heat_company="cooperatie.lindewijk@demo.test",
    installer_user=None,  # the installers of Lindewijk have no demo login: nothing gets further than assigned
    installers=("installatietechniek-smit", "klusbedrijf-mulder"),
    housing_association=None,
)

NEIGHBOURHOODS = {TUINDORP: TUINDORP_OOST, LINDEWIJK: LINDEWIJK_OUDE_DORP}


# --- Dwellings: the layout of streets, blocks and addresses --------------------------------------


@dataclass(frozen=True, slots=True)
class Home:
    """One address of the layout, with the block it is in."""

    street: str
    number: int
    letter: str
    addition: str
    postcode: str
    cluster: str
    rank: float
    kind: str
    floor_area: int
    build_year: int
    owner: str  # "association", "private" or "vve"
    owners_association: str
    listed: bool
    bag_id: str
    seed: int

    @property
    def key(self) -> tuple:
        return (self.postcode, self.number, self.letter, self.addition)


# Postcode letters that the Dutch post does not use.
_POSTCODE_LETTERS = [
    a + b
    for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if a + b not in ("SA", "SD", "SS")
]
_FLATS = ("portiek", "galerij")


def _units(kind: str, rng: random.Random) -> tuple[int, list[tuple[int, str, str, str, int]]]:
    """House numbers a block takes on its side of the street, and its homes:
    (number index, letter, addition, dwelling type, floor area)."""
    T = DwellingType
    if kind == "row":
        size = rng.randint(4, 9)
        return size, [
            (i, "", "", T.END_OF_TERRACE if i in (0, size - 1) else T.MID_TERRACE, rng.randint(78, 108))
            for i in range(size)
        ]
    if kind == "pair":
        return 2, [(i, "", "", T.SEMI_DETACHED, rng.randint(105, 142)) for i in range(2)]
    if kind == "detached":
        return 1, [(0, "", "", T.DETACHED, rng.randint(125, 195))]
    if kind == "portiek":  # two front doors per stairwell, ground floor and three storeys
        numbers = 2 * rng.randint(2, 3)
        return numbers, [
            (i, "", floor, T.APARTMENT, rng.randint(55, 78)) for i in range(numbers) for floor in "H123"
        ]
    if kind == "galerij":
        size = rng.randint(20, 40)
        return size, [(i, "", "", T.APARTMENT, rng.randint(58, 86)) for i in range(size)]
    # A ground-floor and an upstairs home behind one front door number.
    return 1, [(0, "", "", T.OTHER, rng.randint(60, 85)), (0, "A", "", T.OTHER, rng.randint(55, 80))]


def _layout(hood: Neighbourhood) -> Iterator[Home]:
    """Every home of the neighbourhood, always in the same order: district by district, street by
    street; when all streets have a segment, another round continues their numbering."""
    rng = random.Random(f"demo-layout:{hood.key}")
    kinds, weights = list(hood.blocks), list(hood.blocks.values())
    next_number: dict[str, list[int]] = {}
    serial = 0
    for round_ in itertools.count():
        for d_index, (district, streets) in enumerate(hood.districts):
            area = hood.postcode_start + round_ * len(hood.districts) + d_index
            letters = iter(_POSTCODE_LETTERS)
            for s_index, street in enumerate(streets):
                rank = s_index / len(streets)
                cluster = f"{district} {round_ * len(streets) + s_index + 1}"
                numbers = next_number.setdefault(street, [1, 2])  # odd side, even side
                postcode, used = ["", ""], [99, 99]
                size, made = rng.randint(*hood.segment), 0
                while made < size:
                    kind = rng.choices(kinds, weights)[0]
                    side = rng.randrange(2)
                    count, units = _units(kind, rng)
                    if kind in _FLATS or used[side] + len(units) > 24:
                        postcode[side], used[side] = f"{area} {next(letters)}", 0
                    used[side] += len(units)
                    first = numbers[side]
                    numbers[side] += 2 * count
                    year = rng.randint(*hood.build_years[kind])
                    owner = "association" if rng.random() < hood.association_share.get(kind, 0) else "private"
                    vve = ""
                    if kind in _FLATS and owner == "private":
                        owner, vve = "vve", f"VvE {street} {first}-{first + 2 * (count - 1)}"
                    listed = year < hood.listed_before and rng.random() < 0.3
                    for index, letter, addition, dwelling_type, floor_area in units:
                        serial += 1
                        yield Home(
                            street=street,
                            number=first + 2 * index,
                            letter=letter,
                            addition=addition,
                            postcode=postcode[side],
                            cluster=cluster,
                            rank=rank,
                            kind=dwelling_type,
                            floor_area=floor_area,
                            build_year=year,
                            owner=owner,
                            owners_association=vve,
                            listed=listed,
                            bag_id=f"{hood.bag_municipality}01{serial:010d}",
                            seed=rng.getrandbits(64),
                        )
                    made += len(units)


# --- Dwellings: the people -----------------------------------------------------------------------

FIRST_NAMES = _names(
    "Anja, Annemarie, Bep, Carla, Daphne, Els, Emma, Esther, Fatima, Fenna, Gerda, Hanneke, Ilse, "
    "Jolanda, Julia, Karin, Linda, Lotte, Maria, Marieke, Monique, Nicole, Petra, Riet, Sandra, "
    "Saskia, Sophie, Tineke, Wilma, Yasmina, Zeynep, Priya, Nadia, Sevda, Mila, Noor, Anouk, Femke, "
    "Iris, Ahmed, Arjen, Bart, Bas, Cor, Daan, Dirk, Erik, Frank, Gerrit, Hans, Henk, Jan, Jeroen, "
    "Johan, Joost, Kees, Koen, Lars, Marco, Mark, Martijn, Mehmet, Mohamed, Niels, Peter, Pim, Rik, "
    "Rob, Ruud, Sander, Stefan, Thijs, Tom, Wim, Youssef, Raj, Sem, Luuk, Hüseyin, Gert-Jan"
)
LAST_NAMES = _names(
    "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, de "
    "Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer, de Wit, "
    "Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan, Vermeulen, van "
    "den Heuvel, van der Veen, van den Broek, de Bruijn, van der Heijden, Schouten, van Beek, "
    "Willems, van Vliet, Hoekstra, Maas, Verhoeven, Koster, van Dam, Prins, Blom, Huisman, de Lange, "
    "Kuipers, van Wijk, Yılmaz, El Idrissi, Kaya, Bennani, Öztürk, Ramdin, Tjon A Fong, Nguyen, "
    "Kowalski, Postma"
)
LANDLORDS = (
    "Amstel Vastgoed B.V.",
    "Woningbeheer Van Leeuwen B.V.",
    "Tuindorp Verhuur B.V.",
    "Vastgoedbeheer De Kroon",
    "J. Bakker Beheer B.V.",
    "Hofstede Onroerend Goed",
)
CARE_NOTES = (
    "Bewoner is slechthorend: afspraken altijd schriftelijk bevestigen.",
    "Mantelzorger (dochter) wil bij elk bezoek aanwezig zijn; eerst haar bellen.",
    "Bewoner zit in een rolstoel; de kruipruimte is alleen via de gang bereikbaar.",
    "Beginnende dementie: afspraken via de contactpersoon maken, niet aan de deur.",
    "Bewoner spreekt weinig Nederlands; de bewonersconsulent tolkt.",
    "Thuisbeademing op stroom: een stroomonderbreking vooraf melden en afstemmen.",
    "Angstig voor vreemden in huis: vaste monteur en een vooraankondiging per brief.",
    "Hond in huis; laat vooraf weten wanneer u komt.",
)
DECLINE_REASONS = (
    "Eigenaar wacht liever tot de cv-ketel aan vervanging toe is.",
    "Eigenaar kiest voor een eigen warmtepomp.",
    "De eenmalige aansluitbijdrage is voor deze eigenaar te hoog.",
    "Bewoner wil geen breekwerk in huis; wil eerst een voorbeeldwoning zien.",
    "Eigenaar vertrouwt het vaste warmtetarief niet.",
    "Woning staat te koop; de eigenaar laat het aan de koper.",
)
HOLD_REASONS = (
    "Funderingsherstel in de straat: eerst afwachten.",
    "Asbestinventarisatie loopt nog.",
    "Bewoner langdurig opgenomen in het ziekenhuis; later opnieuw.",
    "Wacht op verzwaring van de elektra-aansluiting door de netbeheerder.",
    "Bezwaar van de buren tegen het leidingtracé door de achtertuin.",
)
WITHDRAW_REASONS = (
    "Valt buiten het tracé van het warmtenet.",
    "Dubbel in het register: dezelfde woning als het adres met toevoeging.",
    "Geen woning: bedrijfsruimte op de begane grond.",
    "Wordt gesloopt voor nieuwbouw.",
)
ASSOCIATION_WITHDRAW_REASONS = ("Sloop-nieuwbouw De Linde: het complex gaat in 2027 tegen de vlakte.",)
REJECT_REASONS = (
    "Afleverset lekt bij de retourkoppeling; opnieuw monteren.",
    "Warmtemeter ontbreekt.",
    "Leidingisolatie in de kruipruimte is onvolledig.",
)
VISIT_NOTES = ("", "", "Kaartje in de bus gedaan.", "Nieuwe afspraak per telefoon.", "Hond alleen thuis.")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _person(rng: random.Random, role: str) -> Contact:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = f"{first} {last}"
    email = ""
    if rng.random() < 0.85:
        local = f"{_ascii(first)}.{_ascii(last).replace(' ', '')}".replace("-", "")
        if rng.random() < 0.5:
            local += str(rng.randint(1, 99))
        email = f"{local}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
    phone = f"06-{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.9 else ""
    draw = rng.random()
    if email and draw < 0.7:
        channel = Channel.EMAIL
    elif phone and draw < 0.85:
        channel = Channel.SMS
    else:
        channel = Channel.LETTER
    language = "nl" if rng.random() < 0.94 else rng.choice(("en", "en", "tr", "ar", "pl"))
    return Contact(
        role=role, name=name, email=email, phone=phone, preferred_channel=channel, language=language
    )


def _landlord(rng: random.Random) -> Contact:
    if rng.random() < 0.6:
        return _person(rng, ContactRole.OWNER)
    name = rng.choice(LANDLORDS)
    domain = _ascii(name).replace(" b.v.", "").replace(".", "").replace(" ", "")
    return Contact(
        role=ContactRole.OWNER,
        name=name,
        email=f"verhuur@{domain}.example.com",
        phone=f"020-{rng.randint(6_000_000, 6_999_999)}",
        preferred_channel=Channel.EMAIL,
    )


# --- Dwellings: the history ----------------------------------------------------------------------

S = DwellingState
# The move that reaches each state of the main path.
MAIN_STEP = {
    S.INFORMED: "inform",
    S.SURVEY_PLANNED: "plan_survey",
    S.SURVEYED: "record_survey",
    S.PLAN_READY: "approve_plan",
    S.AGREED: "record_agreement",
    S.ASSIGNED: "assign",
    S.INSTALLATION_PLANNED: "plan_installation",
    S.INSTALLED: "report_installed",
    S.CONNECTED: "confirm_connection",
}
# Working days since the previous move (for "inform": since the dwelling was registered).
GAPS = {
    "inform": (3, 25),
    "plan_survey": (4, 30),
    "record_survey": (3, 12),
    "visit_failed": (3, 12),
    "approve_plan": (6, 20),
    "record_agreement": (5, 40),
    "assign": (2, 12),
    "plan_installation": (3, 15),
    "report_installed": (5, 20),
    "confirm_connection": (1, 6),
    "reject_installation": (0.2, 3),
    "decline": (3, 30),
    "reopen": (15, 60),
    "hold": (2, 25),
    "resume": (10, 40),
    "withdraw": (3, 30),
}
DAY_START, DAY_MINUTES = 8 * 60, 9 * 60 + 30  # moves happen on working days between 8:00 and 17:30


class _Calendar:
    """Working days from the start of a project's history, as a number line: 2.5 is midday of the third."""

    def __init__(self, start: datetime.date, today: datetime.date):
        self.days = []
        day = start
        while len(self.days) < 5 or day < today + datetime.timedelta(days=180):
            if day.weekday() < 5:
                self.days.append(day)
            day += datetime.timedelta(days=1)
        self.past = sum(1 for d in self.days if d < today)  # moves happen before today
        self.tz = timezone.get_default_timezone()

    def date(self, x: float) -> datetime.date:
        return self.days[int(x)]

    def at(self, x: float) -> datetime.datetime:
        day = self.days[int(x)]
        seconds = DAY_START * 60 + int((x - int(x)) * DAY_MINUTES * 60)
        return datetime.datetime(
            day.year, day.month, day.day, seconds // 3600, seconds // 60 % 60, seconds % 60, tzinfo=self.tz
        )


@dataclass
class _Cast:
    """Who makes which move in a project, resolved from the demo users and checked against the rules."""

    project: Project
    lead: User
    informer: User
    surveyors: list[User]
    heat_company: User
    installer: User | None
    installers: list[Organisation]
    association: Organisation | None
    association_signer: str
    boundary: str  # the project's responsibility boundary (block 2.1), for the works of a survey
    selection: bool  # the project surveys a selection: some surveyed homes are its sample

    def actor(self, step: str, dwelling: Dwelling) -> User:
        if step in ("inform", "decline", "reopen", "record_agreement"):
            return self.informer
        if step in ("plan_survey", "record_survey", "visit_failed"):
            return dwelling.surveyor or self.surveyors[0]
        if step in ("plan_installation", "report_installed"):
            return self.installer
        if step in ("confirm_connection", "reject_installation"):
            return self.heat_company
        return self.lead  # approve_plan, assign, hold, resume, withdraw

    def furthest(self) -> str:
        if self.installer is not None:
            return S.CONNECTED
        return S.ASSIGNED if self.installers else S.AGREED


def _cast(project: Project, hood: Neighbourhood) -> _Cast:
    emails = {hood.lead, hood.informer, hood.heat_company, *hood.surveyors, hood.installer_user} - {None}
    # Fresh user objects: permissions cache a user's roles, and the project may be new.
    users = {u.email: u for u in User.objects.filter(email__in=emails).select_related("organisation")}
    missing = sorted(emails - set(users))
    if missing:
        raise DemoError(f"The demo users {', '.join(missing)} do not exist; run `manage.py demo` first.")
    taking_part = Participation.objects.filter(project=project)
    installers = list(
        Organisation.objects.filter(
            slug__in=hood.installers,
            pk__in=taking_part.filter(role__in=INSTALLING_ROLES).values("organisation_id"),
        ).order_by("slug")
    )
    survey_parties = set(taking_part.filter(role=Role.SURVEY_PARTY).values_list("organisation_id", flat=True))
    surveyors = [users[email] for email in hood.surveyors]
    if any(user.organisation_id not in survey_parties for user in surveyors):
        raise DemoError(f"The surveyors of the demo are not of a survey party in {project.slug}.")
    installer = users.get(hood.installer_user)
    if installer is not None and installer.organisation_id not in {org.pk for org in installers}:
        installer = None
    association = (
        Organisation.objects.filter(
            slug=hood.housing_association,
            pk__in=taking_part.filter(role=Role.HOUSING_ASSOCIATION).values("organisation_id"),
        ).first()
        if hood.housing_association
        else None
    )
    signer = ""
    if association is not None:
        person = User.objects.filter(organisation=association).order_by("pk").first()
        signer = f"{association.name}, namens deze {person.get_full_name()}" if person else association.name
    return _Cast(
        project=project,
        lead=users[hood.lead],
        informer=users[hood.informer],
        surveyors=surveyors,
        heat_company=users[hood.heat_company],
        installer=installer,
        installers=installers,
        association=association,
        association_signer=signer,
        boundary=project.governance.responsibility_boundary,
        selection=project.governance.survey_coverage == SurveyCoverage.SELECTION,
    )


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _steps(rng: random.Random, state: str, exit_step: str) -> list[str]:
    """The moves from registered to ``state`` (with the detours real dwellings take), then the exit."""
    stop = MAIN_PATH.index(state)
    steps = []
    for target in MAIN_PATH[1 : stop + 1]:
        step = MAIN_STEP[target]
        steps.append(step)
        if step == "inform" and stop >= 2 and rng.random() < 0.03:
            steps += ["decline", "reopen"]  # said no at first, changed their mind after the info evening
        elif step == "plan_survey":
            while rng.random() < 0.14:
                steps += ["visit_failed", "plan_survey"]
        elif step == "report_installed" and stop == len(MAIN_PATH) - 1 and rng.random() < 0.05:
            steps += ["reject_installation", "report_installed"]
    if stop == 1 and rng.random() < 0.08:
        steps += ["plan_survey", "visit_failed"]  # the survey visit failed and is not planned again yet
    pauses = [i + 1 for i, step in enumerate(steps) if step not in ("decline", "confirm_connection")]
    if pauses and rng.random() < 0.03:
        # On hold for a while, then resumed where it was (hold is possible from any active state).
        at = rng.choice(pauses)
        steps[at:at] = ["hold", "resume"]
    if exit_step:
        steps.append(exit_step)
    return steps


def _exit(rng: random.Random, hood: Neighbourhood, state: str, owner: str) -> tuple[str, str]:
    """Maybe a side exit: (the state the dwelling got to before it, the exit move) or (state, "")."""
    declined, held, withdrawn = hood.exits
    if owner == "association":
        declined, withdrawn = declined / 2, withdrawn * 2  # the association decides; some blocks go
    draw = rng.random()
    if draw < declined and state != S.REGISTERED:
        if state not in DECLINABLE_STATES:
            state = rng.choice((S.INFORMED, S.SURVEYED, S.PLAN_READY, S.PLAN_READY))
        return state, "decline"
    draw -= declined
    if draw < held:
        return (S.AGREED if state == S.CONNECTED else state), "hold"
    draw -= held
    if draw < withdrawn:
        return (rng.choice((S.INFORMED, S.SURVEYED)) if state == S.CONNECTED else state), "withdraw"
    return state, ""


def _register(
    home: Home, hood: Neighbourhood, project: Project, association: Organisation | None, rng: random.Random
) -> tuple[Dwelling, list[Contact]]:
    """One dwelling as it enters the register, with its people; unsaved."""
    ownership = Ownership.OWNER_OCCUPIED
    if home.owner == "association" and association is not None:
        # Now and then an association home was sold to its tenant.
        if home.kind == DwellingType.APARTMENT or rng.random() > 0.08:
            ownership = Ownership.HOUSING_ASSOCIATION
    elif rng.random() < hood.rental_share["vve" if home.owners_association else "private"]:
        ownership = Ownership.PRIVATE_RENTAL
    label_index = max(0, min(10, 10 - (home.build_year - 1925) // 15 - rng.randint(0, 2)))
    if rng.random() < 0.3:
        label_index = max(4, label_index - rng.randint(1, 3))  # insulated since
    care = rng.random() < 0.05
    dwelling = Dwelling(
        project=project,
        postcode=home.postcode,
        house_number=home.number,
        house_letter=home.letter,
        house_number_addition=home.addition,
        street=home.street,
        city=hood.city,
        bag_id=home.bag_id if rng.random() < 0.98 else "",
        ownership=ownership,
        housing_association=association if ownership == Ownership.HOUSING_ASSOCIATION else None,
        owners_association=home.owners_association,
        dwelling_type=home.kind,
        build_year=home.build_year,
        energy_label=ENERGY_LABELS[label_index] if rng.random() < 0.95 else "",
        floor_area=home.floor_area,
        listed_monument=home.listed,
        cluster=home.cluster,
        extra_care=care,
        extra_care_note=rng.choice(CARE_NOTES) if care else "",
        state=S.REGISTERED,
    )
    if ownership == Ownership.HOUSING_ASSOCIATION:
        contacts = [_person(rng, ContactRole.RESIDENT)]
    elif ownership == Ownership.PRIVATE_RENTAL:
        contacts = [_landlord(rng), _person(rng, ContactRole.RESIDENT)]
    else:
        contacts = [_person(rng, ContactRole.OWNER)]
    for contact in contacts:
        contact.dwelling = dwelling
    return dwelling, contacts


@dataclass
class _Records:
    """What a history leaves besides the log: visits, and the survey with its photos; unsaved."""

    visits: list = field(default_factory=list)
    surveys: list = field(default_factory=list)
    photos: list = field(default_factory=list)

    def extend(self, other: "_Records") -> None:
        self.visits += other.visits
        self.surveys += other.surveys
        self.photos += other.photos


def _build(
    home: Home, hood: Neighbourhood, cast: _Cast, calendar: _Calendar, check: bool
) -> tuple[Dwelling, list[Contact], list[DwellingTransition], _Records]:
    """One dwelling with its people, its history and its survey records, unsaved."""
    rng = random.Random(home.seed)
    dwelling, contacts = _register(home, hood, cast.project, cast.association, rng)
    records = _Records()
    ownership = dwelling.ownership
    registered_at = rng.uniform(0, min(5, calendar.past / 20))
    dwelling.state_changed_at = calendar.at(registered_at)

    # How far it has got: by its street's rank, capped at what the project's parties can do.
    bucket = next(weights for upper, weights in hood.progress if home.rank < upper)
    state = _weighted(rng, bucket)
    furthest = cast.furthest()
    if MAIN_PATH.index(state) > MAIN_PATH.index(furthest):
        state = furthest
    state, exit_step = _exit(rng, hood, state, home.owner)
    steps = _steps(rng, state, exit_step)
    if not steps:
        return dwelling, contacts, [], records

    # When: gaps in working days, squeezed into the time there was, or spread out with a lead-in
    # that is longer the further down its district a street is.
    speed = rng.uniform(0.7, 1.4)
    gaps = [max(0.05, rng.uniform(*GAPS[step]) * speed) for step in steps]
    room = calendar.past - registered_at - 0.05
    total = sum(gaps)
    if total > room:
        gaps = [gap * room / total for gap in gaps]
    else:
        lead_in = (room - total) * min(1.0, max(0.0, home.rank * 0.9 + rng.uniform(-0.1, 0.3)))
        gaps[0] += lead_in
    times, x = [], registered_at
    for gap in gaps:
        x += gap
        times.append(x)

    surveyor = rng.choice(cast.surveyors)
    rows = []
    for i, step in enumerate(steps):
        x = times[i]
        at = calendar.at(x)
        following = steps[i + 1] if i + 1 < len(steps) else ""
        reason, kwargs = "", {}
        if step == "plan_survey":
            if following in ("record_survey", "visit_failed"):
                appointment = calendar.at(times[i + 1]).replace(minute=0, second=0)
                appointment = max(appointment, at)
            else:
                appointment = calendar.at(x + rng.uniform(3, 12)).replace(minute=0, second=0)
            kwargs = {"surveyor": surveyor, "appointment_at": appointment}
        elif step == "record_survey":
            kwargs = {"completed_at": at}
            visit_rng = random.Random(home.seed + 1)  # its own stream: the history stays as it was
            records.visits.append(
                demo_visit(
                    visit_rng, dwelling=dwelling, surveyor=surveyor, outcome="completed", at=at, note=""
                )
            )
            survey, photos = demo_survey(
                visit_rng, dwelling=dwelling, surveyor=surveyor, at=at, boundary=cast.boundary
            )
            records.surveys.append(survey)
            records.photos += photos
        elif step == "visit_failed":
            failure = rng.choice(VisitFailure.values[:2] * 3 + VisitFailure.values[2:3])
            note = rng.choice(VISIT_NOTES)
            if random.Random(home.seed + 7 + i).random() < 0.2:
                failure = VisitFailure.SECOND_VISIT_NEEDED  # surveyed halfway; the rest another day
            with translation.override("nl"):
                label = str(VisitFailure(failure).label)
            reason = f"{label}: {note}" if note else label
            records.visits.append(
                demo_visit(
                    random.Random(home.seed + len(records.visits) + 1),
                    dwelling=dwelling,
                    surveyor=surveyor,
                    outcome=failure,
                    at=at,
                    note=note,
                )
            )
        elif step == "approve_plan":
            kwargs = {"approved_at": at}
        elif step == "record_agreement":
            signed_on = max(
                calendar.date(x) - datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3, 5))),
                dwelling.plan_approved_at.astimezone(calendar.tz).date(),
            )
            kwargs = {
                "signatory": dwelling.expected_signatory(),
                "signatory_name": (
                    cast.association_signer
                    if ownership == Ownership.HOUSING_ASSOCIATION
                    else contacts[0].name
                ),
                "signed_on": signed_on,
                "owners_association_consent_on": (
                    signed_on - datetime.timedelta(days=rng.randint(5, 60))
                    if dwelling.needs_owners_association_consent()
                    else None
                ),
                "tenant_supports": rng.random() < 0.88 if dwelling.is_rental() else None,
            }
        elif step == "assign":
            kwargs = {"installer": rng.choice(cast.installers)}
        elif step == "plan_installation":
            when = times[i + 1] if following == "report_installed" else x + rng.uniform(3, 20)
            kwargs = {"planned_on": calendar.date(when)}
        elif step == "report_installed":
            kwargs = {"installed_on": calendar.date(x)}
        elif step == "confirm_connection":
            kwargs = {"connected_on": calendar.date(x)}
        elif step == "decline":
            reason = rng.choice(DECLINE_REASONS)
            if dwelling.owners_association and rng.random() < 0.3:
                reason = "De VvE heeft in de ledenvergadering tegen gestemd."
        elif step == "hold":
            reason = rng.choice(HOLD_REASONS)
        elif step == "withdraw":
            reasons = WITHDRAW_REASONS
            if ownership == Ownership.HOUSING_ASSOCIATION:
                reasons += ASSOCIATION_WITHDRAW_REASONS * 3
            reason = rng.choice(reasons)
        elif step == "reject_installation":
            reason = rng.choice(REJECT_REASONS)
        rows.append(_move(dwelling, step, cast.actor(step, dwelling), at, reason, kwargs, check))
    if cast.selection and records.surveys:
        dwelling.in_sample = random.Random(home.seed + 3).random() < 0.6
    return dwelling, contacts, rows, records


def _move(dwelling, step, actor, at, reason, kwargs, check) -> DwellingTransition:
    """What ``projects.services.dwellings._apply`` does, without the save: the same transition method,
    the same permission rule, the same fields and log row."""
    method = getattr(dwelling, step)
    source = dwelling.state
    if check and not method._django_fsm.has_transition_perm(dwelling, source, actor):
        raise DemoError(
            f"{actor.email} may not {step} a dwelling of {dwelling.project.slug} that is {source}."
        )
    method(**kwargs)
    dwelling.state_reason = reason if dwelling.state in SIDE_STATES else ""
    dwelling.state_changed_at = at
    return DwellingTransition(
        dwelling=dwelling,
        transition=step,
        source=source,
        target=dwelling.state,
        actor_id=actor.pk,
        organisation_id=actor.organisation_id,
        at=at,
        reason=reason,
    )


# --- Dwellings: filling a project ----------------------------------------------------------------


@dataclass
class FillResult:
    project: str
    target: int
    before: int
    added: int = 0
    seconds: float = 0.0

    @property
    def after(self) -> int:
        return self.before + self.added


def dwellings_fill(
    project: Project,
    target: int,
    *,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> FillResult:
    """Add demo dwellings to ``project`` until it has ``target``; never removes any.

    Each batch is one transaction, so an interrupted run leaves whole dwellings with their history; a
    second run finds the addresses already there and adds only what is missing.
    """
    started = time.monotonic()
    before = Dwelling.objects.filter(project=project).count()
    result = FillResult(project=project.slug, target=target, before=before)
    if before >= target:
        return result
    hood = NEIGHBOURHOODS.get(project.slug, TUINDORP_OOST)
    cast = _cast(project, hood)
    today = timezone.localdate()
    start = project.start_date
    if (today - start).days < 60:
        start = today - datetime.timedelta(days=240)
    calendar = _Calendar(start, today)
    existing = Dwelling.objects.filter(project=project)
    taken = set(existing.values_list("postcode", "house_number", "house_letter", "house_number_addition"))
    taken_bag_ids = set(existing.exclude(bag_id="").values_list("bag_id", flat=True))
    wanted = target - before
    homes = (h for h in _layout(hood) if h.key not in taken and h.bag_id not in taken_bag_ids)
    while result.added < wanted:
        batch = list(itertools.islice(homes, min(batch_size, wanted - result.added)))
        dwellings, contacts, transitions, records = [], [], [], _Records()
        for home in batch:
            dwelling, people, rows, extra = _build(home, hood, cast, calendar, check=True)
            dwellings.append(dwelling)
            contacts += people
            transitions += rows
            records.extend(extra)
        with transaction.atomic():
            Dwelling.objects.bulk_create(dwellings, batch_size=batch_size)
            Contact.objects.bulk_create(contacts, batch_size=batch_size)
            DwellingTransition.objects.bulk_create(transitions, batch_size=batch_size)
            Visit.objects.bulk_create(records.visits, batch_size=batch_size)
            Survey.objects.bulk_create(records.surveys, batch_size=batch_size)
            Photo.objects.bulk_create(records.photos, batch_size=batch_size)
        result.added += len(dwellings)
        if progress:
            progress(result.added, wanted)
    result.seconds = time.monotonic() - started
    return result


def register_sample(project: Project, count: int) -> Iterator[tuple[Dwelling, list[Contact]]]:
    """The first ``count`` dwellings the demo would register in ``project``, with their people, unsaved
    and without history (e.g. to write an import file)."""
    hood = NEIGHBOURHOODS.get(project.slug, TUINDORP_OOST)
    association = Organisation.objects.filter(slug=hood.housing_association or "").first()
    for home in itertools.islice(_layout(hood), count):
        yield _register(home, hood, project, association, random.Random(home.seed))


# --- Loading the demo ----------------------------------------------------------------------------


@dataclass
class DemoResult:
    created_projects: list[str]
    users: list[User]
    dwellings: list[FillResult] = field(default_factory=list)


@transaction.atomic
def _parties_and_projects() -> tuple[dict[str, Organisation], dict[str, User], list[str]]:
    orgs = _organisations()
    users = _users(orgs)
    created = []
    for slug, build in PROJECTS.items():
        if not Project.objects.filter(slug=slug).exists():
            build(orgs, users)
            created.append(slug)
    return orgs, users, created


def load_demo(*, dwellings: dict[str, int] | None = None, progress=None) -> DemoResult:
    """Organisations, users and the demo projects; each project without dwellings gets its register.

    ``dwellings`` maps a project's slug to the number of dwellings it should have (more are added,
    none removed); ``progress(slug, done, total)`` is told after every batch.
    """
    dwellings = dwellings or {}
    _orgs, users, created = _parties_and_projects()
    fills = []
    for slug in [*PROJECTS, *(s for s in dwellings if s not in PROJECTS)]:
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise DemoError(f"There is no project “{slug}”.")
        target = dwellings.get(slug)
        if target is None:
            if project.dwellings.exists():
                continue
            target = NEIGHBOURHOODS[slug].default_dwellings
        report = (lambda done, total, slug=slug: progress(slug, done, total)) if progress else None
        fills.append(dwellings_fill(project, target, progress=report))
    people = [users[row[3]] for row in USERS]
    surveyor = surveyor_with_visits_today()
    if surveyor is not None:
        people.insert(1, surveyor)
    return DemoResult(created_projects=created, users=people, dwellings=fills)


SURVEYOR = ("schouwer@demo.test", "Joris", "Meijer", "warmtebedrijf-amstelland")
SURVEY_TIMES = ((9, 0), (10, 30), (12, 0), (13, 30), (15, 0))


def _publish_slots(project: Project, surveyor: User, today: datetime.date) -> None:
    """Open slots of the demo surveyor on the next two working days, offered to residents."""
    from surveys.planning.services import slots_create

    if surveyor.survey_slots.filter(starts_at__date__gt=today).exists():
        return
    days = [today + datetime.timedelta(days=n) for n in range(1, 8)]
    days = [day for day in days if day.weekday() < 5][:2]
    slots_create(
        actor=User.objects.get(email="warmtebedrijf@demo.test"),
        project=project,
        surveyors=[surveyor],
        first_day=days[0],
        last_day=days[-1],
        start_time=datetime.time(9, 0),
        end_time=datetime.time(15, 0),
        visit_minutes=90,
        published=True,
    )


def surveyor_with_visits_today() -> User | None:
    """A surveyor of the heat company with five visits planned for today in Tuindorp-Oost.

    The visits are planned through the service, by the heat company's planner, as a real planning
    would be. Idempotent per day: a second run on the same day plans nothing; on a later day, when the
    surveyor has nothing planned for that day, it plans today's five, so "My day" is never empty.
    """
    project = Project.objects.filter(slug=TUINDORP).first()
    if project is None:
        return User.objects.filter(email=SURVEYOR[0]).first()
    email, first, last, org_slug = SURVEYOR
    surveyor = User.objects.filter(email=email).first()
    if surveyor is None:
        surveyor = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            organisation=Organisation.objects.get(slug=org_slug),
            # Sees only the homes planned for him, not all of the heat company's.
            work_roles=[WorkRole.FIELD_WORKER],
        )
    today = timezone.localdate()
    if surveyor.survey_dwellings.filter(survey_appointment_at__date=today).exists():
        return surveyor
    _publish_slots(project, surveyor, today)
    planner = User.objects.get(email="warmtebedrijf@demo.test")
    homes = project.dwellings.filter(state="informed", survey_party__isnull=True).order_by(
        "city", "street", "house_number", "house_letter", "house_number_addition", "pk"
    )[: len(SURVEY_TIMES)]  # route order, as the surveyor's day shows them
    for dwelling, (hour, minute) in zip(homes, SURVEY_TIMES, strict=False):
        services.dwelling_transition(
            actor=planner,
            dwelling_id=dwelling.pk,
            transition="plan_survey",
            expected_state="informed",
            surveyor=surveyor,
            appointment_at=timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour, minute))),
        )
    return surveyor


def demo_area_project(*, slug: str, name: str) -> Project:
    """Another project like Tuindorp-Oost (same parties and governance), e.g. for the benchmark."""
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        with transaction.atomic():
            orgs = _organisations()
            project = _tuindorp(orgs, _users(orgs), slug=slug, name=name)
    return project
