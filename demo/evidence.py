"""Completions with evidence for the demo: the checklist filled in as an installer would, through the
services, with photos the demo draws itself (a delivery set, its nameplate, the sealed meter, the
strainer) and the resident's signature."""

import io
import random
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from procurement import checklist, services

COLOURS = {
    "delivery_set.set_photos": (196, 64, 44),
    "delivery_set.nameplate_photos": (180, 180, 170),
    "heat_meter.sealed_meter_photos": (40, 90, 160),
    "flushing.strainer_photos": (90, 90, 90),
}


def _photo(item: str, label: str) -> SimpleUploadedFile:
    """A small picture of what the item shows: a coloured box on a wall, with its label."""
    image = Image.new("RGB", (480, 360), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    colour = COLOURS.get(item, (120, 120, 120))
    draw.rectangle((120, 60, 360, 300), fill=colour, outline=(30, 30, 30), width=4)
    draw.line((160, 300, 160, 350), fill=(150, 30, 30), width=10)  # supply
    draw.line((320, 300, 320, 350), fill=(30, 60, 150), width=10)  # return
    draw.text((130, 70), label[:36], fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(f"{item.replace('.', '-')}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _signature() -> SimpleUploadedFile:
    image = Image.new("RGB", (400, 140), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    points = [(20 + x * 12, 80 + (18 if x % 2 else -14) + x) for x in range(28)]
    draw.line(points, fill=(20, 20, 80), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("signature.png", buffer.getvalue(), content_type="image/png")


def complete(dwelling, actor, *, serial: str, seed: int = 0, skip=()) -> None:
    """Fill in the dwelling's checklist as ``actor`` (every item but ``skip``)."""
    rng = random.Random(seed)
    answers = {
        "delivery_set.serial_number": serial,
        "heat_meter.meter_number": f"HM-{rng.randrange(100000, 999999)}",
        "heat_meter.meter_class": "2",
        "heat_meter.start_reading": 0.001,
        "heat_meter.seal_numbers": f"Z-{rng.randrange(10000, 99999)}, Z-{rng.randrange(10000, 99999)}",
        "pressure_test.primary_bar": 10,
        "pressure_test.primary_minutes": 30,
        "pressure_test.secondary_bar": 6,
        "pressure_test.secondary_minutes": 15,
        "flushing.flushed": "done",
        "temperatures.supply_temperature": 68 + rng.randrange(5),
        "temperatures.return_temperature": 38 + rng.randrange(6),
        "temperatures.hot_water_seconds": 8 + rng.randrange(10),
        "checks.leak_check": "done",
        "checks.insulation": "done",
        "checks.gas_capped": "done",
        "works_done.delivery_set": 1,
        "works_done.indoor_pipes": 4 + rng.randrange(12),
        "works_done.remove_boiler": 1,
        "works_done.cap_gas": 1,
        "handover.instructed": "done",
        "handover.certified_person": "Ruud Verhoeven",
        "handover.certificate_number": "WN-2025-0417",
    }
    services.completion_save_answers(
        actor=actor,
        dwelling_id=dwelling.pk,
        answers={key: value for key, value in answers.items() if key not in skip},
    )
    for _section, field, key in checklist.all_items():
        if field.kind not in checklist.PHOTO_KINDS or key in skip:
            continue
        upload = _signature() if field.kind == "signature" else _photo(key, str(field.label))
        services.completion_photo_add(
            actor=actor, dwelling_id=dwelling.pk, item=key, upload=upload, client_id=uuid.uuid4()
        )
