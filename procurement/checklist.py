"""The commissioning checklist: what an installer records at completion, in a meter cupboard.

Like the survey's schema it is code, not data, and uses the same building blocks (``surveys.schema``
sections and fields), so the tablet form, its offline draft, the API and the check before *report
installed* read it from one place. Each project works from this template; its lead party may make some
items optional (``CommissioningChecklist``), but never what the heat company needs to take the delivery
set into its management (``LOCKED``).

The works actually done are quantities per kind of work (the survey's kinds), for the costs.
"""

from django.utils.translation import gettext_lazy as _

from surveys.schema import WORKS, Field, Section

DONE = (("done", _("done")),)
METER_CLASSES = (("2", _("class 2")), ("3", _("class 3")))

# How a kind of work is counted at completion; the agreement's unit rate is the price of one.
WORK_UNITS = {
    "remove_boiler": _("pieces"),
    "cap_gas": _("pieces"),
    "cooking_group": _("pieces"),
    "radiators": _("radiators"),
    "building_work": _("hours"),
    "delivery_set": _("pieces"),
    "indoor_pipes": _("metres"),
}

SECTIONS: tuple[Section, ...] = (
    Section(
        "delivery_set",
        _("Delivery set"),
        fields=(
            Field("serial_number", _("Serial number of the delivery set")),
            Field("set_photos", _("Photo of the installed delivery set"), "photos", min_photos=1),
            Field("nameplate_photos", _("Photo of the nameplate"), "photos", min_photos=1),
        ),
    ),
    Section(
        "heat_meter",
        _("Heat meter"),
        fields=(
            Field("meter_number", _("Meter number")),
            Field("meter_class", _("Accuracy class"), "choice", choices=METER_CLASSES),
            Field("start_reading", _("Start reading (GJ)"), "number"),
            Field("seal_numbers", _("Seal numbers")),
            Field("sealed_meter_photos", _("Photo of the sealed meter"), "photos", min_photos=1),
        ),
    ),
    Section(
        "pressure_test",
        _("Pressure test"),
        fields=(
            Field("primary_bar", _("Primary side: pressure (bar)"), "number"),
            Field("primary_minutes", _("Primary side: duration (minutes)"), "number"),
            Field("secondary_bar", _("Secondary side: pressure (bar)"), "number"),
            Field("secondary_minutes", _("Secondary side: duration (minutes)"), "number"),
        ),
    ),
    Section(
        "flushing",
        _("Flushing"),
        fields=(
            Field("flushed", _("The installation was flushed"), "choice", choices=DONE),
            Field("strainer_photos", _("Photo of the strainer after flushing"), "photos", min_photos=1),
        ),
    ),
    Section(
        "temperatures",
        _("Temperatures"),
        fields=(
            Field("supply_temperature", _("Supply temperature (°C)"), "number"),
            Field("return_temperature", _("Return temperature (°C)"), "number"),
            Field("hot_water_seconds", _("Seconds until hot water reaches 45 °C"), "number"),
        ),
    ),
    Section(
        "checks",
        _("Checks"),
        fields=(
            Field("leak_check", _("Leak check: no leaks"), "choice", choices=DONE),
            Field("insulation", _("Pipes and set insulated"), "choice", choices=DONE),
            Field(
                "gas_capped",
                _("Gas pipe capped where the boiler was"),
                "choice",
                choices=(("done", _("capped")), ("no_boiler", _("there was no gas boiler"))),
            ),
        ),
    ),
    Section(
        "works_done",
        _("Works done"),
        fields=tuple(
            Field(code, f"{label} ({WORK_UNITS[code]})", "number", required=False) for code, label in WORKS
        ),
    ),
    Section(
        "handover",
        _("Handover"),
        fields=(
            Field("instructed", _("The resident was shown how the set works"), "choice", choices=DONE),
            Field("signature", _("The resident signs for the handover"), "signature"),
            Field("certified_person", _("Certified person who did the work")),
            Field("certificate_number", _("Their certificate number")),
        ),
    ),
)

SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}
WORKS_SECTION = "works_done"

# What the heat company needs to take the set into its management: never optional.
LOCKED = frozenset(
    {
        "delivery_set.serial_number",
        "delivery_set.set_photos",
        "delivery_set.nameplate_photos",
        "heat_meter.meter_number",
        "heat_meter.meter_class",
        "heat_meter.start_reading",
        "heat_meter.seal_numbers",
        "heat_meter.sealed_meter_photos",
        "pressure_test.primary_bar",
        "pressure_test.primary_minutes",
        "pressure_test.secondary_bar",
        "pressure_test.secondary_minutes",
        "handover.signature",
        "handover.certified_person",
        "handover.certificate_number",
    }
)
PHOTO_KINDS = ("photos", "signature")


def all_items():
    for section in SECTIONS:
        for item in section.fields:
            yield section, item, f"{section.name}.{item.name}"


def item(key: str) -> Field | None:
    section_name, _dot, name = key.partition(".")
    section = SECTIONS_BY_NAME.get(section_name)
    return next((f for f in section.fields if f.name == name), None) if section else None


def default_required() -> list[str]:
    """The items the template requires: every required field and every field that asks for a photo."""
    return [key for _section, f, key in all_items() if f.required or f.min_photos]


def describe(key: str) -> str:
    """An item as a person reads it: "<section>: <item>"."""
    section = SECTIONS_BY_NAME.get(key.partition(".")[0])
    field = item(key)
    return f"{section.title}: {field.label}" if section and field else key
