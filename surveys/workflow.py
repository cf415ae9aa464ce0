"""How the survey takes part in the dwelling's way (``projects.workflow``), registered in
``SurveysConfig.ready()``.

- *plan_survey*: the one rule of a surveyor's time (no day in the past, never two visits at once, the
  daily capacity of visits and open slots) is checked inside the row lock; a visit planned at the time
  of an open slot takes that slot.
- *record_survey* and *visit_failed*: a second visit says why, a second person comes from a party of
  the project, the survey is complete before it is recorded; every visit is written as a ``Visit``.
- After commit, the connection plans follow the way: made when the plan is approved, made again when
  the installer or the installation date is set, and when the register data of a home with a plan
  changes (the plan shows them).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects import workflow
from projects.models import Participation, User


@workflow.validator("plan_survey", "reschedule_survey")
def surveyor_time(attempt) -> None:
    """The one rule of a surveyor's time (``surveys.planning.services.appointment_refusal``): no day in
    the past, no two visits at once, at most the daily capacity of visits and open slots.

    The surveyor's row is locked, so two planners cannot both take the last place of a day.
    """
    from surveys.planning.services import appointment_refusal

    surveyor = attempt.kwargs["surveyor"]
    User.objects.select_for_update().filter(pk=surveyor.pk).exists()
    field, reason = appointment_refusal(surveyor, attempt.kwargs["appointment_at"], dwelling=attempt.dwelling)
    if reason:
        raise ValidationError({field: reason})


def _release_slots(dwelling, keep=None) -> None:
    """The home lets go of its slot: a time still to come returns to the pool of published times (the
    resident changed or called off the visit); a past one (after a failed visit) is withdrawn."""
    from django.utils import timezone

    from surveys.models import SurveySlot

    held = SurveySlot.objects.filter(dwelling=dwelling).exclude(pk=getattr(keep, "pk", None))
    held.filter(starts_at__lte=timezone.now()).update(dwelling=None, published=False)
    held.filter(starts_at__gt=timezone.now()).update(dwelling=None)


@workflow.writer("plan_survey", "reschedule_survey")
def take_slot(attempt) -> None:
    """A visit planned at the time of one of the surveyor's open slots takes that slot, so that it is no
    longer offered to residents; the dwelling lets go of its earlier slot."""
    from surveys.models import SurveySlot

    dwelling = attempt.dwelling
    slot = (
        SurveySlot.objects.select_for_update()
        .filter(surveyor=dwelling.surveyor, starts_at=dwelling.survey_appointment_at, dwelling__isnull=True)
        .first()
    )
    if slot is None:
        if attempt.move.name == "reschedule_survey":
            _release_slots(dwelling)
        return
    _release_slots(dwelling, keep=slot)
    slot.dwelling = dwelling
    slot.save(update_fields=["dwelling"])


@workflow.writer("cancel_survey")
def give_back_slot(attempt) -> None:
    _release_slots(attempt.dwelling)


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


@workflow.on_moved_many
def plans_follow_moves(events) -> None:
    """A task per ``BATCH_CHUNK`` dwellings and actor: a package of thousands accepted at once sends
    hundreds of tasks, not thousands."""
    from surveys.plans.services import BATCH_CHUNK
    from surveys.plans.tasks import render_plans, render_plans_chunk

    by_actor: dict[int | None, list[int]] = {}
    for event in events:
        if event.move in PLAN_MOVES:
            by_actor.setdefault(event.actor_id, []).append(event.dwelling_id)
    for actor_id, ids in by_actor.items():
        if len(ids) == 1:
            render_plans.delay(ids[0], actor_id)
            continue
        for start in range(0, len(ids), BATCH_CHUNK):
            render_plans_chunk.delay(ids[start : start + BATCH_CHUNK], actor_id)


@workflow.on_register_changed
def plans_follow_register(event) -> None:
    """The plan shows the address, the register's facts and the people: the homes with a plan get new
    versions, in chunks (a plan whose content did not change is not made again)."""
    from surveys.plans.services import plans_follow_register as follow

    follow(actor_id=event.actor_id, dwelling_ids=list(event.dwelling_ids))
