"""What goes into a connection plan: everything a plan reads, loaded once for both versions
(``_Source``), turned into plain data per version (``plan_context``: the installer version leaves out
what only the full version may show), and the fingerprint of that data (``plan_source_hash``) that
decides whether a new version is needed.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Contact, Dwelling, Ownership, Participation, Phase, Role
from surveys.models import Photo, PlanVariant, Survey
from surveys.schema import RESPONSIBLE, SECTIONS_BY_NAME, WORKS

# Raise when the template changes what a plan says: every plan then gets a new version when it is
# made again. (A change of layout alone need not make new versions.)
LAYOUT_VERSION = 1

VARIANT_TITLES = {
    PlanVariant.FULL: gettext_lazy("full version"),
    PlanVariant.INSTALLER: gettext_lazy("installer version"),
}

# Sections of the survey in the order the plan shows them; works and sign-off have their own place.
PLAN_SECTIONS = ("delivery_set", "dwelling_scan", "kitchen_table")
IMAGE_KINDS = ("photos", "sketch")

NO_SURVEY = gettext_lazy(
    "A connection plan is made from the recorded survey; this dwelling has not been surveyed yet."
)


@dataclass
class _Source:
    """Everything a plan reads, loaded once for both versions (five queries)."""

    dwelling: Dwelling
    survey: Survey
    photos: list[Photo]
    contacts: list[Contact]
    participations: list[Participation]

    @classmethod
    def load(cls, dwelling_id: int) -> "_Source":
        dwelling = Dwelling.objects.select_related(
            "project", "housing_association", "installer", "survey_party"
        ).get(pk=dwelling_id)
        survey = Survey.objects.filter(dwelling=dwelling).first()
        if survey is None:
            raise ValidationError(NO_SURVEY)
        return cls(
            dwelling=dwelling,
            survey=survey,
            photos=list(survey.photos.order_by("field", "created_at", "pk")),
            contacts=list(dwelling.contacts.order_by("role")),
            participations=list(
                Participation.objects.filter(
                    project_id=dwelling.project_id, role__in=(Role.COMMUNICATING_PARTY, Role.LEAD)
                )
                .select_related("organisation")
                .order_by("organisation__name", "pk")
            ),
        )


def _display(schema_field, value) -> tuple[str, list[str]]:
    """An answer as text (or as a list of items, for a checklist)."""
    if value in (None, "", [], {}):
        return "", []
    choices = dict(schema_field.choices)
    if schema_field.kind == "multichoice":
        values = value if isinstance(value, list) else [value]
        return "", [str(choices.get(item, item)) for item in values]
    if schema_field.kind == "choice":
        return str(choices.get(value, value)), []
    if schema_field.kind == "boolean":
        return (str(_("yes")) if value else str(_("no"))), []
    if schema_field.kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value), []
        return formats.number_format(int(number) if number.is_integer() else number, use_l10n=True), []
    return str(value), []


def _photo(photo: Photo) -> dict:
    return {"id": photo.pk, "name": photo.image.name, "width": photo.width, "height": photo.height}


def _section(source: _Source, name: str, variant: str) -> dict | None:
    section = SECTIONS_BY_NAME[name]
    full = variant == PlanVariant.FULL
    if section.personal and not full:
        return None
    fields, images = [], []
    for schema_field in section.fields:
        if schema_field.personal and not full:
            continue
        key = f"{section.name}.{schema_field.name}"
        if schema_field.kind in IMAGE_KINDS:
            pictures = [_photo(photo) for photo in source.photos if photo.field == key]
            if pictures:
                images.append(
                    {"label": str(schema_field.label), "kind": schema_field.kind, "photos": pictures}
                )
            continue
        if schema_field.kind in ("works", "signature"):
            continue
        if not schema_field.applies(section.name, source.survey.value):
            continue  # not asked for this home
        answer = source.survey.answers.get(key)
        answer = answer if isinstance(answer, dict) else {}
        text, items = _display(schema_field, answer.get("value"))
        if not text and not items and not schema_field.required:
            continue  # an optional question nobody answered says nothing
        fields.append(
            {
                "label": str(schema_field.label),
                "text": text,
                "items": items,
                "long": schema_field.kind == "longtext",
                "by_resident": answer.get("by") == "resident",
            }
        )
    return {"name": section.name, "title": str(section.title), "fields": fields, "images": images}


def _contact_point(source: _Source) -> dict | None:
    """The one contact point for the resident: the communicating party, else the lead party (the one
    leading the communication phase first, under a varying lead)."""
    by_preference = sorted(
        source.participations,
        key=lambda p: (p.role != Role.COMMUNICATING_PARTY, p.phase not in ("", Phase.COMMUNICATION)),
    )
    if not by_preference:
        return None
    organisation = by_preference[0].organisation
    return {"name": organisation.name, "email": organisation.email, "phone": organisation.phone}


def _people(source: _Source, variant: str) -> list[dict]:
    dwelling = source.dwelling
    if variant == PlanVariant.FULL:
        return [
            {
                "role": str(contact.get_role_display()),
                "also_resident": contact.role == "owner" and dwelling.ownership == Ownership.OWNER_OCCUPIED,
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
            }
            for contact in source.contacts
        ]
    # The installer gets the access contact only: the resident's name and phone, nothing more
    # (projects.permissions.can_see_access_contact).
    access = dwelling.access_contact(source.contacts)
    if access is None:
        return []
    return [
        {
            "role": str(_("access contact")),
            "also_resident": False,
            "name": access.name,
            "email": "",
            "phone": access.phone,
        }
    ]


def _facts(dwelling: Dwelling) -> list[list[str]]:
    rows = [
        (_("Ownership"), dwelling.get_ownership_display()),
        (_("Housing association"), dwelling.housing_association.name if dwelling.housing_association else ""),
        (_("Owners' association (VvE)"), dwelling.owners_association),
        (_("Dwelling type"), dwelling.get_dwelling_type_display()),
        (_("Build year"), dwelling.build_year or ""),
        (_("Energy label"), dwelling.energy_label),
        (_("Floor area"), f"{dwelling.floor_area} m²" if dwelling.floor_area else ""),
        (_("Listed monument"), _("yes") if dwelling.listed_monument else ""),
        (_("Cluster"), dwelling.cluster),
        (_("BAG object id"), dwelling.bag_id),
    ]
    return [[str(label), str(value)] for label, value in rows if value not in ("", None)]


def _local_date(moment) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _context(source: _Source, variant: str) -> dict:
    dwelling, survey = source.dwelling, source.survey
    full = variant == PlanVariant.FULL
    works = dict(WORKS)
    responsible = dict(RESPONSIBLE)
    signature = [_photo(p) for p in source.photos if p.field == "sign_off.signature"]
    return {
        "layout": LAYOUT_VERSION,
        "language": settings.LANGUAGE_CODE,
        "variant": str(variant),
        "variant_title": str(VARIANT_TITLES[variant]),
        "full": full,
        "project": {"name": dwelling.project.name, "municipality": dwelling.project.municipality},
        "address": {
            "street": dwelling.street,
            "number": dwelling.house_number_full,
            "postcode": dwelling.postcode,
            "city": dwelling.city,
        },
        "facts": _facts(dwelling),
        "extra_care": dwelling.extra_care,  # the flag only: the care note stays with lead and communicator
        # The note is a personal circumstance: the installer gets the flag only.
        "people": _people(source, variant),
        "contact_point": _contact_point(source),
        "planning": {
            "surveyed_on": _local_date(dwelling.survey_completed_at),
            "survey_party": dwelling.survey_party.name if dwelling.survey_party else "",
            "plan_approved_on": _local_date(dwelling.plan_approved_at),
            "installer": dwelling.installer.name if dwelling.installer else "",
            "installation_planned_on": dwelling.installation_planned_on,
        },
        "works": [
            {
                "work": str(works.get(row.get("work"), row.get("work", ""))),
                "responsible": str(responsible.get(row.get("responsible"), row.get("responsible", ""))),
            }
            for row in survey.works
            if isinstance(row, dict)
        ],
        "sections": [
            section for name in PLAN_SECTIONS if (section := _section(source, name, variant)) is not None
        ],
        "signature": signature if full else [],
    }


def plan_context(dwelling: Dwelling, variant: str) -> dict:
    """What goes into one version of the dwelling's plan, as plain data, in the project's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _context(_Source.load(dwelling.pk), PlanVariant(variant))


def plan_source_hash(context: dict) -> str:
    """The fingerprint of a plan's content: SHA-256 of its context as canonical JSON."""
    canonical = json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
