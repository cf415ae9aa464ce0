"""Reads for the survey pages, scoped and loaded in a fixed number of queries."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import formats

from projects.models import Contact, Dwelling, Role, User
from projects.states import DwellingState, VisitFailure
from surveys.models import Photo, Visit, VisitOutcome


def surveyor_day(*, surveyor: User, day: datetime.date) -> list[Dwelling]:
    """The surveyor's planned visits of one day in route order: by street, then house number; each
    with what is known already: the access contact, the earlier visits (newest first) and how many
    questions of the survey are still open (``open_questions``, None before anything was recorded)."""
    dwellings = list(
        Dwelling.objects.filter(
            surveyor=surveyor, state=DwellingState.SURVEY_PLANNED, survey_appointment_at__date=day
        )
        .select_related("project", "project__governance", "housing_association", "survey")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("role")),
            Prefetch(
                "visits", queryset=Visit.objects.order_by("-started_at", "-pk"), to_attr="earlier_visits"
            ),
            Prefetch("survey__photos", queryset=Photo.objects.only("pk", "survey_id", "field")),
        )
        .order_by("city", "street", "house_number", "house_letter", "house_number_addition", "pk")
    )
    for dwelling in dwellings:
        dwelling.access_contact = dwelling.access_contact(dwelling.contacts.all())
        survey = getattr(dwelling, "survey", None)
        if survey is None:
            dwelling.open_questions = None
            continue
        photo_counts: dict[str, int] = {}
        for photo in survey.photos.all():
            photo_counts[photo.field] = photo_counts.get(photo.field, 0) + 1
        governance = getattr(dwelling.project, "governance", None)
        sign_off = bool(governance and governance.survey_sign_off)
        dwelling.open_questions = len(survey.missing(photo_counts=photo_counts, sign_off=sign_off))
    return dwellings


def one_visit_figures(*, project) -> dict:
    """How well the project keeps to one visit per home, in two queries and without personal data.

    A home's ``visit_count`` counts its Visit rows (both are written by the same move); the reasons
    are the outcomes of the visits that did not complete the survey.
    """
    surveyed = Dwelling.objects.filter(project=project, survey_completed_at__isnull=False).aggregate(
        dwellings=Count("pk"), once=Count("pk", filter=Q(visit_count=1)), visits=Sum("visit_count")
    )
    failed = dict(
        Visit.objects.filter(dwelling__project=project)
        .exclude(outcome=VisitOutcome.COMPLETED)
        .values_list("outcome")
        .annotate(count=Count("pk"))
        .order_by()
    )
    dwellings = surveyed["dwellings"] or 0
    once = surveyed["once"] or 0
    return {
        "surveyed": dwellings,
        "once": once,
        "repeat": dwellings - once,
        "once_share": round(100 * once / dwellings) if dwellings else None,
        "visits_per_dwelling": round((surveyed["visits"] or 0) / dwellings, 2) if dwellings else None,
        "failed": sum(failed.values()),
        "reasons": [
            {"outcome": failure.value, "label": failure.label, "count": failed[failure.value]}
            for failure in VisitFailure
            if failed.get(failure.value)
        ],
    }


# --- The survey of one dwelling, as far as the viewer may read it ------------------------------

# Relations that read the whole survey, the kitchen-table talk included: the parties that carry the
# resident's process, and the survey party that held the talk. Anyone else who sees the dwelling (an
# installer, a housing association as landlord) reads the technical record only, not the residents'
# personal circumstances (DOMAIN.md). Where an installer's organisation also leads the project or
# surveyed the home itself, it has read the talk through that other role anyway.
PERSONAL_READERS = {
    Role.LEAD,
    Role.HEAT_COMPANY,
    Role.COMMUNICATING_PARTY,
    Role.SURVEY_PARTY,
    "surveyor",
    "admin",
}


def may_read_personal(user: User, dwelling: Dwelling) -> bool:
    """Whether the user may read the personal parts of the survey (the kitchen-table talk)."""
    from projects.permissions import dwelling_relations

    return bool(dwelling_relations(user, dwelling) & PERSONAL_READERS)


def visible_sections(user: User, dwelling: Dwelling) -> tuple:
    """The survey sections (with their fields) the user may read for this dwelling: none outside
    scope, and never the personal ones (``personal=True``) for an installer. The one place of this rule:
    the panel, the form page, the photos and the API all ask here."""
    import dataclasses

    from projects.permissions import dwelling_relations
    from surveys.schema import SECTIONS

    if not dwelling_relations(user, dwelling):
        return ()
    if may_read_personal(user, dwelling):
        return SECTIONS
    sections = []
    for section in SECTIONS:
        if section.personal:
            continue
        fields = tuple(f for f in section.fields if not f.personal)
        sections.append(section if fields == section.fields else dataclasses.replace(section, fields=fields))
    return tuple(sections)


def visible_keys(sections) -> set[str]:
    return {f"{section.name}.{field.name}" for section in sections for field in section.fields}


def survey_with_photos(dwelling: Dwelling):
    """The survey of a dwelling with its photos loaded (two queries), or None before the first answer."""
    from surveys.models import Photo, Survey

    return (
        Survey.objects.filter(dwelling=dwelling)
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("created_at", "pk")))
        .first()
    )


def _display(schema_field, value) -> str:
    if value in (None, "", []):
        return ""
    choices = {code: str(label) for code, label in schema_field.choices}
    if schema_field.kind == "choice":
        return choices.get(value, str(value))
    if schema_field.kind == "multichoice" and isinstance(value, list):
        return ", ".join(choices.get(code, str(code)) for code in value)
    if schema_field.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        # As the pages and the plan show it: 10,5 in Dutch, 10.5 in English.
        return formats.number_format(int(value) if float(value).is_integer() else value, use_l10n=True)
    return str(value)


def survey_view(*, user: User, dwelling: Dwelling, survey=None) -> dict:
    """What a page shows of the survey: the visible sections, each field with its answer, who gave
    it, its photos and whether it is still missing; plus the works and the completeness. No query
    beyond loading the survey and its photos (pass ``survey`` from ``survey_with_photos``)."""
    from surveys.models import AnswerSource, Survey
    from surveys.schema import RESPONSIBLE, WORKS

    by_labels = dict(AnswerSource.choices)
    sections = visible_sections(user, dwelling)
    photos = list(survey.photos.all()) if survey is not None else []
    counts: dict[str, int] = {}
    for photo in photos:
        counts[photo.field] = counts.get(photo.field, 0) + 1
    sign_off = Survey(dwelling=dwelling).sign_off_required()
    missing = set((survey or Survey(dwelling=dwelling)).missing(photo_counts=counts, sign_off=sign_off))
    answers = survey.answers if survey is not None else {}
    work_labels, responsible_labels = dict(WORKS), dict(RESPONSIBLE)
    works = [
        {
            **row,
            "work_label": work_labels.get(row.get("work"), row.get("work")),
            "responsible_label": responsible_labels.get(row.get("responsible"), row.get("responsible")),
        }
        for row in (survey.works if survey is not None else [])
    ]
    section_views = []
    for section in sections:
        fields = []
        for schema_field in section.fields:
            key = f"{section.name}.{schema_field.name}"
            answer = answers.get(key) if isinstance(answers.get(key), dict) else {}
            fields.append(
                {
                    "field": schema_field,
                    "key": key,
                    "dom_id": "f-" + key.replace(".", "-"),
                    "value": answer.get("value"),
                    "by": answer.get("by", ""),
                    "by_label": by_labels.get(answer.get("by"), ""),
                    "display": _display(schema_field, answer.get("value")),
                    "photos": [photo for photo in photos if photo.field == key],
                    "missing": (section.name, schema_field.name) in missing,
                    "applies": schema_field.applies(
                        section.name, lambda key: (answers.get(key) or {}).get("value")
                    ),
                    "required": (
                        schema_field.min_photos > 0
                        if schema_field.kind == "photos"
                        else sign_off
                        if schema_field.kind == "signature"
                        else schema_field.required
                    ),
                }
            )
        missing_count = sum(1 for f in fields if f["missing"])
        section_views.append(
            {"section": section, "fields": fields, "missing": missing_count, "complete": not missing_count}
        )
    return {
        "survey": survey,
        "sections": section_views,
        "works": works,
        "missing": sum(s["missing"] for s in section_views),
        "complete": survey is not None and not missing,
        "version": survey.version if survey is not None else 0,
    }


def second_person_organisations(*, project) -> QuerySet:
    """The parties of a project, to choose the organisation of a second person at a visit."""
    from projects.models import Organisation, Participation

    return Organisation.objects.filter(
        pk__in=Participation.objects.filter(project=project).values("organisation_id")
    ).order_by("name")
