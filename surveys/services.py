"""Writes of the survey: answers and photos, safe to send twice from a tablet that lost its connection."""

import math
import re
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.models import Dwelling, DwellingTransition, Organisation, User
from projects.permissions import can_view_dwelling, dwelling_relations
from projects.states import DwellingState
from surveys.models import AnswerSource, Photo, Survey, Visit, VisitOutcome
from surveys.photos import store_photo
from surveys.schema import SECTIONS_BY_NAME

# The survey record is filled while the visit is planned and corrected after it until the
# installation; once the plan is approved, every correction makes a new connection plan version.
EDITABLE_STATES = (
    DwellingState.SURVEY_PLANNED,
    DwellingState.SURVEYED,
    DwellingState.PLAN_READY,
    DwellingState.AGREED,
    DwellingState.ASSIGNED,
    DwellingState.INSTALLATION_PLANNED,
)
PLANNED_STATES = EDITABLE_STATES[2:]


def survey_changed(actor: User, dwelling: Dwelling, survey: Survey) -> None:
    """After a correction to an approved survey: have new connection plan versions made, once the
    surveyor has finished correcting (see ``plans_refresh``)."""
    if dwelling.state in PLANNED_STATES:
        from surveys.plans.services import plans_refresh

        plans_refresh(dwelling, actor=actor, after_survey_version=survey.version)


def _editable_dwelling(actor: User, dwelling_id: int) -> Dwelling:
    dwelling = Dwelling.objects.select_for_update(of=("self",)).select_related("project").get(pk=dwelling_id)
    if not can_view_dwelling(actor, dwelling):
        raise Dwelling.DoesNotExist
    if not dwelling_relations(actor, dwelling) & {"surveyor", "admin"}:
        raise PermissionDenied(_("Only the surveyor of this dwelling fills in its survey."))
    if dwelling.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The survey of a dwelling that is %(state)s cannot be changed here.")
            % {"state": dwelling.get_state_display()}
        )
    return dwelling


def _schema_field(key: str):
    section_name, _dot, field_name = key.partition(".")
    section = SECTIONS_BY_NAME.get(section_name)
    try:
        return section.field(field_name) if section else None
    except StopIteration:
        return None


# A number as the API takes it in a string: digits with a point for decimals ("10.5", ".5", "10").
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class NotANumber(ValueError):
    """Not a number the survey can store; ``comma``: it reads as one written with a decimal comma."""

    def __init__(self, *, comma: bool = False):
        super().__init__("not a number")
        self.comma = comma


def survey_number(value) -> int | float:
    """A number answer as it is stored: a finite JSON number, from a JSON number or a string with a
    point for decimals. A decimal comma ("10,5") is refused rather than guessed: "1,000" means a
    thousand in English and one in Dutch, and a number input cannot show either."""
    if isinstance(value, bool):  # a bool is an int to Python, not to a surveyor
        raise NotANumber
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str) and NUMBER_TEXT.fullmatch(value.strip()):
        text = value.strip()
        number = float(text) if "." in text else int(text)
    elif isinstance(value, str) and NUMBER_TEXT.fullmatch(value.strip().replace(".", "").replace(",", ".")):
        raise NotANumber(comma=True)
    else:
        raise NotANumber
    try:
        finite = math.isfinite(number)
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        raise NotANumber
    return number


def stored_number(value) -> int | float | None:
    """A stored number answer as a number, or None when there is none or it cannot be read. Answers
    stored before ``survey_number`` took anything Python's float() reads (" 10.5", "1e3")."""
    if value in (None, ""):
        return None
    try:
        return survey_number(value)
    except NotANumber:
        pass
    if not isinstance(value, str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def check_answer(key: str, schema_field, value):
    """The answer as it is stored, or a ValidationError for the field ``key``."""
    if value in (None, ""):
        return value
    if schema_field.kind in ("text", "longtext") and not isinstance(value, str):
        raise ValidationError({key: _("Enter text.")})
    if schema_field.kind == "choice" and value not in {code for code, _label in schema_field.choices}:
        raise ValidationError({key: _("Choose one of the options.")})
    if schema_field.kind == "multichoice":
        allowed = {code for code, _label in schema_field.choices}
        if not isinstance(value, list) or not set(value) <= allowed:
            raise ValidationError({key: _("Choose from the options.")})
    if schema_field.kind == "number":
        try:
            value = survey_number(value)
        except NotANumber as exc:
            if exc.comma:
                message = _(
                    "Write the number without thousands separators and with a point for decimals, "
                    "for example 1250.5."
                )
                raise ValidationError({key: message}) from None
            raise ValidationError({key: _("Enter a number.")}) from None
        if value < 0:
            raise ValidationError({key: _("Enter a number of zero or more.")})
    return value


@transaction.atomic
def survey_save_answers(*, actor: User, dwelling_id: int, answers: dict) -> Survey:
    """Merge answers into the survey of a dwelling. ``answers`` maps "<section>.<field>" to
    {"value": ..., "by": "resident" | "surveyor"}; a number is stored as a JSON number, also when it
    came as a string ("10.5"). Unknown fields or wrong values change nothing."""
    dwelling = _editable_dwelling(actor, dwelling_id)
    cleaned = {}
    for key, answer in answers.items():
        schema_field = _schema_field(key)
        if schema_field is None or schema_field.kind in ("photos", "works"):
            raise ValidationError({key: _("This is not a question of the survey.")})
        if not isinstance(answer, dict) or answer.get("by") not in AnswerSource.values:
            raise ValidationError({key: _("Say who gave the answer: the resident or the surveyor.")})
        cleaned[key] = {"value": check_answer(key, schema_field, answer.get("value")), "by": answer["by"]}
    survey, _created = Survey.objects.select_for_update().get_or_create(dwelling=dwelling)
    if cleaned:
        _answers_history(actor, dwelling, survey, cleaned)
        survey.answers = {**survey.answers, **cleaned}
        survey.version += 1
        survey.save()
        survey_changed(actor, dwelling, survey)
    return survey


def _answers_history(actor: User, dwelling: Dwelling, survey: Survey, cleaned: dict) -> None:
    """One history row for the answers that change: ``{"<section>.<field>": [old, new]}``; free text
    (the kitchen-table notes, a remark) only as changed. An answer sent again unchanged is no change."""
    from projects import history

    before = {key: (survey.answers.get(key) or {}).get("value") for key in cleaned}
    after = {key: answer["value"] for key, answer in cleaned.items()}
    hidden = [key for key in cleaned if _schema_field(key).kind == "longtext"]
    changes = history.changes_between(before, after, hidden=hidden)
    history.history_record(
        actor=actor,
        source="survey",
        changes=[
            history.Change(
                instance=survey, changes=changes, dwelling_id=dwelling.pk, project_id=dwelling.project_id
            )
        ],
    )


@transaction.atomic
def photo_add(
    *, actor: User, dwelling_id: int, field: str, upload, client_id: uuid.UUID | str | None = None
) -> Photo:
    """Add a photo to a survey field. Sending the same ``client_id`` again returns the stored photo."""
    if client_id:
        existing = Photo.objects.filter(client_id=client_id).select_related("survey").first()
        if existing is not None:
            if existing.survey.dwelling_id != dwelling_id:
                raise ValidationError(_("This photo belongs to another dwelling."))
            return existing
    dwelling = _editable_dwelling(actor, dwelling_id)
    schema_field = _schema_field(field)
    if schema_field is None or schema_field.kind not in ("photos", "sketch", "signature"):
        raise ValidationError({"field": _("Photos cannot be added to this field.")})
    survey, _created = Survey.objects.select_for_update().get_or_create(dwelling=dwelling)
    photo, stored = store_photo(
        Photo(survey=survey, field=field, uploaded_by=actor),
        upload,
        name=field.replace(".", "-"),
        client_id=client_id,
    )
    if not stored:
        return photo
    survey.version += 1
    survey.save(update_fields=["version"])
    survey_changed(actor, dwelling, survey)
    return photo


@transaction.atomic
def photo_remove(*, actor: User, dwelling_id: int, client_id: uuid.UUID | str) -> bool:
    """Remove a photo (or a sketch, or a signature) from the survey of a dwelling; its file leaves the
    storage once the removal is committed. Returns whether a photo was removed: removing a photo that is
    already gone changes nothing (a retry after the connection dropped). A photo of another dwelling
    does not exist here (``Photo.DoesNotExist``)."""
    try:
        dwelling = _editable_dwelling(actor, dwelling_id)
    except ValidationError:
        # The state no longer allows changes: a retry of a removal that went through still succeeds.
        if Photo.objects.filter(client_id=client_id).exists():
            if not Photo.objects.filter(client_id=client_id, survey__dwelling_id=dwelling_id).exists():
                raise Photo.DoesNotExist from None
            raise
        return False
    photo = (
        Photo.objects.select_for_update(of=("self",))
        .select_related("survey")
        .filter(client_id=client_id)
        .first()
    )
    if photo is None:
        return False
    if photo.survey.dwelling_id != dwelling.pk:
        raise Photo.DoesNotExist
    survey = Survey.objects.select_for_update().get(pk=photo.survey_id)
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    survey.version += 1
    survey.save()
    # The file goes only once the row is gone for good: a rollback keeps photo and file together.
    transaction.on_commit(lambda: storage.delete(name))
    survey_changed(actor, dwelling, survey)
    return True


def survey_gaps(dwelling: Dwelling) -> list[str]:
    """What the survey of a dwelling still misses, as "Section: field" labels (empty when complete)."""
    survey = Survey.objects.filter(dwelling=dwelling).first()
    if survey is None:
        return [str(_("the whole survey"))]
    return [
        f"{SECTIONS_BY_NAME[section].title}: {SECTIONS_BY_NAME[section].field(name).label}"
        for section, name in survey.missing()
    ]


def visit_log(*, actor: User, dwelling: Dwelling, params: dict, log: DwellingTransition) -> Visit:
    """Write the Visit row of a record_survey or visit_failed move (called by the transition service)."""

    outcome = VisitOutcome.COMPLETED if log.transition == "record_survey" else params["failure"]
    second = params.get("second_person_organisation")
    if second not in (None, "") and not isinstance(second, Organisation):
        second = Organisation.objects.get(pk=second)
    # A visit finished offline arrives later: it ended when the tablet says, but never after it
    # arrived (a tablet's clock can be wrong) and never before it started.
    finished_at = min(params.get("finished_at") or log.at, log.at)
    started_at = min(params.get("started_at") or finished_at, finished_at)
    visit = Visit(
        dwelling=dwelling,
        surveyor=actor,
        outcome=outcome,
        started_at=started_at,
        finished_at=finished_at,
        note=params.get("note") or "",
        second_visit_reason=(params.get("second_visit_reason") or "").strip(),
        second_person_organisation=second or None,
    )
    if params.get("client_id"):
        visit.client_id = params["client_id"]
    visit.save()
    return visit


def visit_record(
    *, actor: User, dwelling_id: int, outcome: str, client_id, expected_state: str | None = None, **params
) -> Visit:
    """Record the outcome of a visit from the tablet: "completed" records the survey (which must be
    complete), any other outcome is a failed visit. Sending the same ``client_id`` twice (a double
    tap, a retry after the connection dropped) records one visit and returns it."""
    from projects.services import dwelling_transition

    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.dwelling_id != dwelling_id:
            raise ValidationError(_("This visit belongs to another dwelling."))
        return existing
    if outcome not in VisitOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the visit.")})
    from projects.services import DwellingChanged, TransitionRefused

    note = params.pop("note", "")
    if outcome == VisitOutcome.COMPLETED:
        move = {"transition": "record_survey"}
    else:
        move = {"transition": "visit_failed", "failure": outcome}
    try:
        dwelling_transition(
            actor=actor,
            dwelling_id=dwelling_id,
            expected_state=expected_state,
            reason=note,
            client_id=client_id,
            **move,
            **params,
        )
    except (DwellingChanged, TransitionRefused):
        # The same visit sent twice at once: the first one moved the dwelling, this copy found it moved.
        existing = Visit.objects.filter(client_id=client_id, dwelling_id=dwelling_id).first()
        if existing is None:
            raise
        return existing
    return Visit.objects.get(client_id=client_id)
