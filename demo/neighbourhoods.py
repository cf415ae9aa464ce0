"""The neighbourhoods the demo fills: streets, blocks and homes, how far each street has got, and who
of the demo's people makes which move there."""

from dataclasses import dataclass, field

from demo.parties import LINDEWIJK, TUINDORP


def names(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


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
    # The installers (slugs) that the lead party assigns homes to, and the demo users who plan and
    # report the installations of an installer (one per installer that has a demo login).
    installers: tuple[str, ...]
    installer_users: tuple[str, ...]
    housing_association: str | None
    # Who plans the survey visits of a survey party's surveyors (by the planner's organisation); a
    # surveyor of a party without a planner here plans their own visits.
    survey_planners: tuple[str, ...] = ()
    # Installers that are assigned every home of some streets (a subcontractor's work package), instead
    # of one of ``installers``: slug -> streets.
    subcontracted: dict[str, tuple[str, ...]] = field(default_factory=dict)


TUINDORP_OOST = Neighbourhood(
    key="tuindorp-oost",
    city="Amstelhoven",
    postcode_start=1187,
    bag_municipality="0999",
    districts=(
        (
            "Bloemenbuurt",
            names(
                "Anjerstraat, Irisstraat, Tulpstraat, Seringenlaan, Goudsbloemstraat, Dahliastraat, "
                "Narcisstraat, Lavendelhof, Klaproosstraat, Zonnebloemstraat, Hyacintstraat, "
                "Rozenstraat"
            ),
        ),
        (
            "Bomenbuurt",
            names(
                "Lindenlaan, Eikenlaan, Beukenstraat, Kastanjelaan, Esdoornstraat, Berkenhof, "
                "Wilgenstraat, Populierenweg, Iepenstraat, Elzenstraat, Platanenplein, Acaciastraat"
            ),
        ),
        (
            "Vogelbuurt",
            names(
                "Merelstraat, Lijsterstraat, Spreeuwstraat, Koolmeesstraat, Vinkenstraat, "
                "Zwaluwstraat, Roodborststraat, Kievitstraat, Reigerhof, Ooievaarslaan, "
                "Winterkoninglaan, Putterstraat"
            ),
        ),
        (
            "Schildersbuurt",
            names(
                "Rembrandtlaan, Vermeerstraat, Frans Halsstraat, Jan Steenstraat, Ruysdaelstraat, "
                "Mondriaanhof, Breitnerstraat, Van Goghstraat, Israëlsstraat, Mesdagstraat, "
                "Jongkindstraat, Tooropstraat"
            ),
        ),
        (
            "Componistenbuurt",
            names(
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
    # The heat company is the survey party of Tuindorp-Oost. Its coordinator made the surveys of the
    # history, so that the demo surveyor's own list holds only the visits the demo plans for today.
    surveyors=("warmtebedrijf@demo.test",),
    survey_planners=("planner@demo.test",),
    heat_company="warmtebedrijf@demo.test",
    installers=("installatiebedrijf-van-dijk",),
    # The main contractor's plumbing subcontractor does the third street of every district.
    subcontracted={
        "loodgieters-bakker": (
            "Tulpstraat",
            "Beukenstraat",
            "Spreeuwstraat",
            "Frans Halsstraat",
            "Andriessenhof",
        )
    },
    installer_users=("installateur@demo.test", "onderaannemer@demo.test"),
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
    survey_planners=("planner@demo.test",),  # the heat company's; the cooperative plans its own
    heat_company="cooperatie.lindewijk@demo.test",
    installers=("installatietechniek-smit", "klusbedrijf-mulder"),
    installer_users=(),  # the installers of Lindewijk have no demo login: nothing gets further than assigned
    housing_association=None,
)

NEIGHBOURHOODS = {TUINDORP: TUINDORP_OOST, LINDEWIJK: LINDEWIJK_OUDE_DORP}
