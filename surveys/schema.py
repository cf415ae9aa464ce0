"""What one survey visit records: every party's needs in one form, section by section.

The schema is code, not data: pages, the offline form on the tablet, the API and the completeness
check all read it from here. A survey is complete when every required field of every section has an
answer (and, where a field asks for photos, at least one photo). Every answer records who gave it:
the resident or the surveyor.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    name: str
    label: object
    kind: str = (
        "text"  # text, longtext, choice, multichoice, number, boolean, photos, sketch, works, signature
    )
    required: bool = True
    choices: tuple[tuple[str, object], ...] = ()
    min_photos: int = 0
    # Hidden from installers, in pages, PDF and API: the kitchen-table talk is personal.
    personal: bool = False
    # Asked only when another answer of the same section is one of these: ("boiler_type", ("combi",)).
    only_when: tuple[str, tuple[str, ...]] | None = None

    def applies(self, section: str, value_of) -> bool:
        """Is this question asked, given the answers (``value_of("<section>.<field>")``)?"""
        if self.only_when is None:
            return True
        name, values = self.only_when
        return value_of(f"{section}.{name}") in values


@dataclass(frozen=True)
class Section:
    name: str
    title: object
    fields: tuple[Field, ...] = field(default_factory=tuple)
    personal: bool = False

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


YES_NO_UNKNOWN = (("yes", _("yes")), ("no", _("no")), ("unknown", _("unknown")))

# A home with a boiler of its own (not on collective heating): where it is and how old it is.
OWN_BOILER = ("boiler_type", ("combi_boiler", "boiler_with_tank", "other"))

EXPLAINED = (
    ("what_and_when", _("what happens and when")),
    ("contract_and_costs", _("the contract and the costs")),
    ("nuisance", _("nuisance during the work")),
    ("electric_cooking", _("electric cooking")),
    ("who_to_call", _("who to call")),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "kitchen_table",
        _("Kitchen-table talk"),
        personal=True,
        fields=(
            Field("explained", _("What was explained"), "multichoice", choices=EXPLAINED),
            Field("present", _("Who was present"), "text"),
            Field(
                "questions", _("Questions, concerns and wishes of the residents"), "longtext", required=False
            ),
            Field(
                "intention",
                _("Intention"),
                "choice",
                choices=(
                    ("connect", _("wants to connect")),
                    ("doubts", _("doubts")),
                    ("declines", _("declines")),
                ),
            ),
            Field("care_needs", _("Extra-care needs"), "longtext", required=False),
        ),
    ),
    Section(
        "dwelling_scan",
        _("Dwelling scan"),
        fields=(
            Field("meter_cupboard", _("Meter cupboard: place"), "text"),
            Field(
                "meter_cupboard_room",
                _("Room left in the meter cupboard"),
                "choice",
                choices=(
                    ("room", _("room for extra groups")),
                    ("tight", _("tight")),
                    ("full", _("full: it must be enlarged")),
                ),
            ),
            Field(
                "boiler_type",
                _("Current heating"),
                "choice",
                choices=(
                    ("combi_boiler", _("combi boiler")),
                    ("boiler_with_tank", _("boiler with hot-water tank")),
                    ("collective", _("collective heating")),
                    ("other", _("other")),
                ),
            ),
            Field(
                "boiler_age", _("Age of the boiler (years)"), "number", required=False, only_when=OWN_BOILER
            ),
            Field("boiler_place", _("Place of the boiler"), "text", only_when=OWN_BOILER),
            Field(
                "hot_water",
                _("Hot water"),
                "choice",
                choices=(
                    ("boiler", _("from the boiler")),
                    ("electric", _("electric boiler")),
                    ("geyser", _("gas geyser")),
                ),
            ),
            Field(
                "cooking",
                _("Cooking"),
                "choice",
                choices=(
                    ("gas", _("gas")),
                    ("electric", _("electric")),
                    ("needs_group", _("electric, needs a new group")),
                ),
            ),
            Field("radiators", _("Radiators: sizes, pipes and obstructions"), "longtext"),
            Field(
                "low_temperature",
                _("Ready for lower temperatures"),
                "choice",
                choices=(
                    ("ready", _("ready")),
                    ("partly", _("partly: some radiators must be replaced")),
                    ("not_ready", _("not ready")),
                    ("unknown", _("unknown")),
                ),
            ),
            Field("electrical_groups", _("Electrical groups"), "number"),
            Field("three_phase", _("Three-phase connection"), "choice", choices=YES_NO_UNKNOWN),
            Field("asbestos", _("Suspected asbestos"), "choice", choices=YES_NO_UNKNOWN),
            Field("building_work", _("Building work needed"), "longtext", required=False),
            Field("facade_entry", _("Facade entry point"), "longtext"),
            Field("route_obstacles", _("Obstacles along the pipe route"), "longtext", required=False),
            Field("scan_photos", _("Photos of the dwelling scan"), "photos", required=False),
        ),
    ),
    Section(
        "delivery_set",
        _("Delivery set"),
        fields=(
            Field("room", _("Room"), "text"),
            Field("position", _("Position"), "text"),
            Field("space_ok", _("Enough space (space check)"), "choice", choices=YES_NO_UNKNOWN),
            Field("pipe_route", _("Pipe route from the facade entry"), "longtext"),
            Field("pipe_length", _("Pipe length from the facade entry (m)"), "number"),
            Field("photos", _("Photos of the place"), "photos", min_photos=1),
            Field("sketch", _("Sketch"), "sketch", required=False),
        ),
    ),
    Section(
        "works",
        _("Works"),
        fields=(Field("works", _("Works this home needs"), "works"),),
    ),
    Section(
        "sign_off",
        _("Sign-off"),
        fields=(
            Field("signature", _("The resident signs that the record is right"), "signature", required=False),
        ),
    ),
)

SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}


def all_fields():
    for section in SECTIONS:
        for schema_field in section.fields:
            yield section, schema_field


# The works a home may need, and who does them by default per responsibility boundary (block 2.1).
WORKS = (
    ("remove_boiler", _("remove the gas boiler")),
    ("cap_gas", _("cap the gas pipe")),
    ("cooking_group", _("electric cooking group")),
    ("radiators", _("radiators")),
    ("building_work", _("building work")),
    ("delivery_set", _("place the delivery set")),
    ("indoor_pipes", _("indoor pipes from the facade to the delivery set")),
)
RESPONSIBLE = (
    ("heat_company", _("heat company")),
    ("installer", _("installer")),
    ("owner", _("owner")),
    ("housing_association", _("housing association")),
)

# Up to the facade the owner does everything inside; up to and including the delivery set the heat
# company places the set and its pipes; a full connection includes the in-house work.
DEFAULT_RESPONSIBLE = {
    "facade": {},
    "delivery_set": {"delivery_set": "heat_company", "indoor_pipes": "heat_company"},
    "full_connection": {work: "heat_company" for work, _label in WORKS},
}


# Answers of "ready for lower temperatures" that mean radiator work.
LOW_TEMPERATURE_NOT_READY = ("partly", "not_ready")

# What every home needs, and what the dwelling scan says a home needs: (scan field, the answers that
# mean it, or None for any answer, the work). The tablet proposes from the same rules while the
# surveyor types, also without a connection (``works_rules``).
ALWAYS_NEEDED = ("delivery_set", "indoor_pipes")
WORK_RULES = (
    ("boiler_type", ("combi_boiler", "boiler_with_tank"), "remove_boiler"),
    ("boiler_type", ("combi_boiler", "boiler_with_tank"), "cap_gas"),
    ("cooking", ("gas", "needs_group"), "cooking_group"),
    ("low_temperature", LOW_TEMPERATURE_NOT_READY, "radiators"),
    ("building_work", None, "building_work"),
    ("meter_cupboard_room", ("full",), "building_work"),  # a full meter cupboard is enlarged
)


def _answered(value) -> bool:
    return value not in (None, "", [], {}) and not (isinstance(value, str) and not value.strip())


def _responsible(*, boundary: str, ownership: str) -> dict[str, str]:
    owner = "housing_association" if ownership == "housing_association" else "owner"
    defaults = DEFAULT_RESPONSIBLE.get(boundary, {})
    return {work: defaults.get(work, owner) for work, _label in WORKS}


def works_rules(*, boundary: str, ownership: str) -> dict:
    """The rules of ``proposed_works`` for one home, as plain data for the tablet."""
    return {
        "always": list(ALWAYS_NEEDED),
        "rules": [
            [f"dwelling_scan.{name}", list(answers) if answers else None, work]
            for name, answers, work in WORK_RULES
        ],
        "responsible": _responsible(boundary=boundary, ownership=ownership),
    }


def proposed_works(*, boundary: str, ownership: str, scan: dict) -> list[dict]:
    """The works list proposed from the dwelling scan and the project's responsibility boundary."""
    needed = list(ALWAYS_NEEDED)
    for name, answers, work in WORK_RULES:
        value = scan.get(name)
        if (answers is None and _answered(value)) or (answers is not None and value in answers):
            needed.append(work)
    responsible = _responsible(boundary=boundary, ownership=ownership)
    return [{"work": work, "responsible": responsible[work]} for work in dict.fromkeys(needed)]


def describe_answer(key: str) -> tuple[str, dict]:
    """A question as the history shows it: "<section title>: <question>", and its choices' labels."""
    section_name, _dot, field_name = key.partition(".")
    section = SECTIONS_BY_NAME.get(section_name)
    question = next((f for f in section.fields if f.name == field_name), None) if section else None
    if question is None:
        return key, {}
    return f"{section.title}: {question.label}", {code: str(label) for code, label in question.choices}
