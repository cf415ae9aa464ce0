"""How the survey takes part in the dwelling's way (``projects.workflow``), registered in
``SurveysConfig.ready()``.

- *plan_survey*: the surveyor's capacity (visits and open slots of a day, never two at once) is checked
  inside the row lock; a visit planned at the time of an open slot takes that slot.
- *record_survey* and *visit_failed*: a second visit says why, a second person comes from a party of
  the project, the survey is complete before it is recorded; every visit is written as a ``Visit``.
- After commit, the connection plans follow the way: made when the plan is approved, made again when
  the installer or the installation date is set, and when the register data of a home with a plan
  changes (the plan shows them).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from projects import workflow
from projects.models import Dwelling, Participation, User
from projects.states import DwellingState


@workflow.validator("plan_survey")
def surveyor_capacity(attempt) -> None:
    """At most the surveyor's daily capacity of planned visits and open slots, and never two at once. An
    open slot at exactly this time is the one this visit takes (``take_slot``); an open slot that
    overlaps it otherwise stays offered to residents, so the visit is refused.

    The surveyor's row is locked, so two planners cannot both take the last place of a day.
    """
    from surveys.models import SurveySlot

    surveyor, dwelling = attempt.kwargs["surveyor"], attempt.dwelling
    appointment_at = attempt.kwargs["appointment_at"]
    User.objects.select_for_update().filter(pk=surveyor.pk).exists()
    day = timezone.localtime(appointment_at).date()
    planned = Dwelling.objects.filter(
        surveyor=surveyor, state=DwellingState.SURVEY_PLANNED, survey_appointment_at__date=day
    ).exclude(pk=dwelling.pk)
    length = datetime.timedelta(minutes=settings.SURVEY_VISIT_MINUTES)
    after, before = appointment_at - length, appointment_at + length
    if planned.filter(survey_appointment_at__gt=after, survey_appointment_at__lt=before).exists():
        raise ValidationError(
            {
                "appointment_at": _(
                    "%(surveyor)s already has a visit at this time (visits take %(minutes)d minutes)."
                )
                % {"surveyor": surveyor, "minutes": settings.SURVEY_VISIT_MINUTES}
            }
        )
    open_slots = SurveySlot.objects.filter(
        surveyor=surveyor, dwelling__isnull=True, starts_at__date=day
    ).exclude(starts_at=appointment_at)
    clashing = open_slots.filter(starts_at__gt=after, starts_at__lt=before).first()
    if clashing is not None:
        raise ValidationError(
            {
                "appointment_at": _(
                    "%(surveyor)s has an open slot at %(time)s that residents can book. Plan the visit "
                    "in that slot, or delete the slot first."
                )
                % {"surveyor": surveyor, "time": formats.time_format(timezone.localtime(clashing.starts_at))}
            }
        )
    capacity = surveyor.survey_capacity
    if planned.count() + open_slots.count() >= capacity:
        raise ValidationError(
            {
                "appointment_at": _(
                    "%(surveyor)s is fully booked on %(day)s (%(capacity)d visits a day). Choose another "
                    "day or another surveyor."
                )
                % {"surveyor": surveyor, "day": formats.date_format(day), "capacity": capacity}
            }
        )


@workflow.writer("plan_survey")
def take_slot(attempt) -> None:
    """A visit planned at the time of one of the surveyor's open slots takes that slot, so that it is no
    longer offered to residents; the dwelling lets go of an earlier slot (after a failed visit)."""
    from surveys.models import SurveySlot

    dwelling = attempt.dwelling
    slot = (
        SurveySlot.objects.select_for_update()
        .filter(surveyor=dwelling.surveyor, starts_at=dwelling.survey_appointment_at, dwelling__isnull=True)
        .first()
    )
    if slot is None:
        return
    SurveySlot.objects.filter(dwelling=dwelling).update(dwelling=None, published=False)
    slot.dwelling = dwelling
    slot.save(update_fields=["dwelling"])


@workflow.validator("record_survey", "visit_failed")
def visit_details(attempt) -> None:
    """What every visit records: why the home is visited again, and who came along."""
    dwelling, params = attempt.dwelling, attempt.params
    errors = {}
    if dwelling.visit_count and not (params.get("second_visit_reason") or "").strip():
        errors["second_visit_reason"] = _(
            "This home was visited before: record why another visit was needed."
        )
    second = params.get("second_person_organisation")
    if second not in (None, ""):
        second_id = getattr(second, "pk", second)
        if not Participation.objects.filter(
            project_id=dwelling.project_id, organisation_id=second_id
        ).exists():
            errors["second_person_organisation"] = _(
                "Choose the organisation of the second person from the parties of this project."
            )
    if errors:
        raise ValidationError(errors)


@workflow.validator("record_survey")
def survey_complete(attempt) -> None:
    from surveys.services import survey_gaps

    gaps = survey_gaps(attempt.dwelling)
    if gaps:
        raise ValidationError(
            {
                "survey": _("The survey is not complete yet. Still missing: %(fields)s.")
                % {"fields": "; ".join(gaps)}
            }
        )


@workflow.writer("record_survey", "visit_failed")
def record_visit(attempt) -> None:
    from surveys.services import visit_log

    params = {**attempt.params, "note": attempt.note}
    visit_log(actor=attempt.actor, dwelling=attempt.dwelling, params=params, log=attempt.log)


# The plan shows the approval, the installer and the installation date: made (again) after these moves.
PLAN_MOVES = {"approve_plan", "assign", "plan_installation"}


@workflow.on_moved
def plans_follow_moves(event) -> None:
    if event.move in PLAN_MOVES:
        from surveys.plans.tasks import render_plans

        render_plans.delay(event.dwelling_id, event.actor_id)


@workflow.on_register_changed
def plans_follow_register(event) -> None:
    """The plan shows the address, the register's facts and the people: the homes with a plan get new
    versions, in chunks (a plan whose content did not change is not made again)."""
    from surveys.plans.services import plans_follow_register as follow

    follow(actor_id=event.actor_id, dwelling_ids=list(event.dwelling_ids))
