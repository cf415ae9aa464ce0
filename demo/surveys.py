"""Demo surveys: what a surveyor would have recorded in the homes the demo has surveyed.

Used by ``demo.history`` while it builds a dwelling's history: every visit becomes a Visit row, and a
home that got past the survey has a complete survey with its answers, works and a photo of the place
of the delivery set. Everything is drawn from the dwelling's own random generator, so a demo is the
same every time.
"""

import datetime
import random
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from surveys.models import Photo, Survey, Visit
from surveys.schema import EXPLAINED, proposed_works

PRESENT = ("bewoner", "bewoner en partner", "bewoners en hun dochter", "bewoner en buurman (als tolk)")
QUESTIONS = (
    "",
    "",
    "Wat kost het vastrecht per maand, en blijft dat zo?",
    "Kan de afleverset in de meterkast, in plaats van in de keuken?",
    "Zorgen over de overlast van het breekwerk in de gang.",
    "Wil eerst weten hoe het met inductie koken gaat: heeft nog gaspannen.",
    "Vraagt of de radiatoren warm genoeg worden in de winter.",
)
# (place, room left)
METER_CUPBOARDS = (
    ("Gang bij de voordeur; ruim 30 cm vrij naast de meter", "room"),
    ("Gang, onder de trap; ongeveer 15 cm vrij", "tight"),
    ("Hal; geen plek meer voor een groep", "full"),
)
BOILER_PLACES = ("zolder", "keuken", "badkamer", "berging", "meterkast")
# (sizes, pipes and obstructions; ready for lower temperatures)
RADIATORS = (
    (
        "Paneelradiatoren type 22 in woonkamer en slaapkamers; leidingen 15 mm koper, vrij bereikbaar.",
        "ready",
    ),
    ("Oude ledenradiatoren in de woonkamer; slaapkamer achter heeft geen radiator.", "partly"),
    ("Vloerverwarming beneden, radiatoren boven; verdeler in de meterkast.", "ready"),
)
# (facade entry point, obstacles along the pipe route)
FACADE_ENTRIES = (
    ("Voorgevel links naast de voordeur.", "Tuinpad met tegels; geen obstakels."),
    ("Achtergevel via de tuin.", "Schuur staat in de route: 1 m opzij."),
    ("Kruipruimte aan de voorkant; luik in de gang.", "Kruipruimte maar 50 cm hoog."),
)
ROOMS = ("meterkast", "gang", "keuken", "berging", "zolder")
POSITIONS = ("tegen de linkerwand, 1,2 m boven de vloer", "naast de oude ketel", "boven de wasmachine")
ROUTES = (
    "Vanaf de gevel door de kruipruimte naar de meterkast.",
    "Langs de plint in de gang, in een koof naar de keuken.",
    "Door de berging, dan omhoog in de leidingschacht.",
)


def demo_photo_name() -> str:
    """One shared picture of a delivery-set place for all demo photos, made once with Pillow."""
    name = "demo/plek-afleverset.jpg"
    if not default_storage.exists(name):
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (640, 480), (226, 222, 214))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 380, 640, 480), fill=(150, 120, 90))  # floor
        draw.rectangle((220, 110, 420, 330), fill=(245, 245, 245), outline=(90, 90, 90), width=4)  # the set
        draw.line((260, 330, 260, 480), fill=(200, 60, 40), width=8)  # supply
        draw.line((380, 330, 380, 480), fill=(40, 90, 200), width=8)  # return
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=80)
        name = default_storage.save(name, ContentFile(buffer.getvalue()))
    return name


def demo_visit(
    rng: random.Random, *, dwelling, surveyor, outcome: str, at: datetime.datetime, note: str
) -> Visit:
    """The Visit row of one move of the demo history; call it before the move changes visit_count."""
    return Visit(
        dwelling=dwelling,
        surveyor_id=surveyor.pk,
        outcome=outcome,
        started_at=at - datetime.timedelta(minutes=rng.choice((35, 50, 65, 80))),
        finished_at=at,
        note=note,
        second_visit_reason=(
            rng.choice(
                ("Eerder niemand thuis.", "Bewoner wilde de partner erbij.", "Geen toegang tot zolder.")
            )
            if dwelling.visit_count
            else ""
        ),
    )


def demo_survey(
    rng: random.Random, *, dwelling, surveyor, at: datetime.datetime, boundary: str
) -> tuple[Survey, list[Photo]]:
    """A complete survey of one home, and the photo of the place of its delivery set; unsaved."""
    old = (dwelling.build_year or 1960) < 1994
    meter_cupboard, meter_cupboard_room = rng.choice(METER_CUPBOARDS)
    scan = {
        "meter_cupboard": meter_cupboard,
        "meter_cupboard_room": meter_cupboard_room,
        "boiler_type": rng.choices(("combi_boiler", "boiler_with_tank", "other"), (85, 10, 5))[0],
        "boiler_age": rng.randint(3, 22),
        "boiler_place": rng.choice(BOILER_PLACES),
        "hot_water": rng.choices(("boiler", "electric", "geyser"), (88, 8, 4))[0],
        "cooking": rng.choices(("gas", "electric", "needs_group"), (55, 35, 10))[0],
        **dict(zip(("radiators", "low_temperature"), rng.choice(RADIATORS), strict=True)),
        "electrical_groups": rng.randint(3, 8),
        "three_phase": rng.choices(("yes", "no", "unknown"), (30, 60, 10))[0],
        "asbestos": rng.choices(("yes", "no", "unknown"), (15, 70, 15) if old else (1, 95, 4))[0],
        "building_work": rng.choice(("", "", "", "Meterkast vergroten.", "Sparing in de keukenvloer.")),
        **dict(zip(("facade_entry", "route_obstacles"), rng.choice(FACADE_ENTRIES), strict=True)),
    }
    answers = {
        "kitchen_table.explained": {
            "value": [code for code, _label in EXPLAINED if rng.random() < 0.9] or ["what_and_when"],
            "by": "surveyor",
        },
        "kitchen_table.present": {"value": rng.choice(PRESENT), "by": "resident"},
        "kitchen_table.questions": {"value": rng.choice(QUESTIONS), "by": "resident"},
        "kitchen_table.intention": {
            "value": rng.choices(("connect", "doubts"), (85, 15))[0],
            "by": "resident",
        },
        "kitchen_table.care_needs": {
            "value": "Graag vooraf bellen; bewoner is slecht ter been." if dwelling.extra_care else "",
            "by": "resident",
        },
        **{f"dwelling_scan.{name}": {"value": value, "by": "surveyor"} for name, value in scan.items()},
        "delivery_set.room": {"value": rng.choice(ROOMS), "by": "surveyor"},
        "delivery_set.position": {"value": rng.choice(POSITIONS), "by": "surveyor"},
        "delivery_set.space_ok": {"value": rng.choices(("yes", "no"), (90, 10))[0], "by": "surveyor"},
        "delivery_set.pipe_route": {"value": rng.choice(ROUTES), "by": "surveyor"},
        "delivery_set.pipe_length": {"value": round(rng.uniform(1.5, 12.0), 1), "by": "surveyor"},
    }
    survey = Survey(
        dwelling=dwelling,
        answers=answers,
        works=proposed_works(boundary=boundary, ownership=dwelling.ownership, scan=scan),
        completed_at=at,
    )
    photo = Photo(
        survey=survey,
        field="delivery_set.photos",
        image=demo_photo_name(),
        width=640,
        height=480,
        uploaded_by_id=surveyor.pk,
    )
    return survey, [photo]
