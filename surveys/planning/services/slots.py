"""Slots: times a surveyor keeps free for a visit. The survey party makes them in bulk, publishes them
per project and deletes open ones; ``slot_book`` books one for an informed dwelling.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.errors import Conflict
from projects.models import Project, User
from projects.permissions import dwellings_visible_to
from projects.services import dwelling_transition
from projects.states import DwellingState
from surveys.models import SurveySlot
from surveys.planning.permissions import slots_managed_by, slots_visible_to
from surveys.planning.selectors import waiting_dwellings

from .checks import (
    DAY_END,
    DAY_START,
    SURVEY_VISIT_MINUTES,
    WORKING_DAYS,
    _at,
    _Busy,
    _check_times,
    _day_text,
    _day_times,
    _not_waiting_reason,
    _require_planner,
    _surveyors,
    _time_text,
)


class SlotTaken(Conflict):
    """The slot was booked for another dwelling; nothing changed."""


def _listed(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    if more > 0:
        shown += " " + ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
    return shown


@transaction.atomic
def slots_create(
    *,
    actor: User,
    project: Project,
    surveyors: Iterable,
    first_day: datetime.date,
    last_day: datetime.date,
    start_time: datetime.time = DAY_START,
    end_time: datetime.time = DAY_END,
    visit_minutes: int = SURVEY_VISIT_MINUTES,
    weekdays: Iterable[int] = WORKING_DAYS,
    published: bool = False,
) -> list[SurveySlot]:
    """Make open slots for the chosen surveyors: each chosen weekday in the range, one every
    ``visit_minutes`` from ``start_time`` until ``end_time``. All or nothing: a slot that exists
    already, a clash with a planned visit or another slot, or a day beyond capacity refuses the lot."""
    _require_planner(actor, project)
    days = _check_times(
        first_day=first_day,
        start_time=start_time,
        end_time=end_time,
        visit_minutes=visit_minutes,
        weekdays=weekdays,
        last_day=last_day,
    )
    team = _surveyors(actor, project, surveyors)
    # Locks the surveyors, as plan_survey does: nobody plans them while their slots are counted.
    list(User.objects.select_for_update().filter(pk__in=[s.pk for s in team]).order_by("pk").values("pk"))
    now = timezone.now()
    wanted: dict[tuple[int, datetime.date], list[datetime.datetime]] = {}
    day = first_day
    while day <= last_day:
        if day.weekday() in days:
            for surveyor in team:
                times = [
                    moment for moment in _day_times(day, start_time, end_time, visit_minutes) if moment > now
                ]
                if times:
                    wanted[(surveyor.pk, day)] = times
        day += datetime.timedelta(days=1)
    if not wanted:
        raise ValidationError(_("These choices give no slot: check the days, the weekdays and the times."))
    existing_slots = set(
        SurveySlot.objects.filter(
            surveyor__in=team,
            starts_at__gte=_at(first_day, datetime.time.min),
            starts_at__lt=_at(last_day + datetime.timedelta(days=1), datetime.time.min),
        ).values_list("surveyor_id", "starts_at")
    )
    busy = _Busy(
        [s.pk for s in team],
        _at(first_day, datetime.time.min),
        _at(last_day + datetime.timedelta(days=1), datetime.time.min),
    )
    names = {s.pk: str(s) for s in team}
    capacities = {s.pk: s.survey_capacity for s in team}
    errors = []
    for (surveyor_id, day), times in wanted.items():
        taken = busy.on(surveyor_id, day)
        duplicates = [m for m in times if (surveyor_id, m) in existing_slots]
        clashes = [m for m in times if m not in duplicates and busy.clashes(taken, m, visit_minutes)]
        context = {"surveyor": names[surveyor_id], "day": _day_text(day)}
        if duplicates:
            errors.append(
                _("%(surveyor)s already has slots on %(day)s at %(times)s.")
                % {**context, "times": _listed([_time_text(m) for m in duplicates])}
            )
        if clashes:
            errors.append(
                _("%(surveyor)s already has a visit or a slot around %(times)s on %(day)s.")
                % {**context, "times": _listed([_time_text(m) for m in clashes])}
            )
        if not duplicates and not clashes and len(taken) + len(times) > capacities[surveyor_id]:
            errors.append(
                _(
                    "%(surveyor)s would have %(count)d visits and open slots on %(day)s; at most "
                    "%(capacity)d a day. Choose a shorter day or fewer days."
                )
                % {**context, "count": len(taken) + len(times), "capacity": capacities[surveyor_id]}
            )
    if errors:
        raise ValidationError(errors)
    slots = [
        SurveySlot(
            project=project,
            surveyor_id=surveyor_id,
            starts_at=moment,
            published=bool(published),
            created_by=actor,
        )
        for (surveyor_id, _day), times in wanted.items()
        for moment in times
    ]
    return SurveySlot.objects.bulk_create(slots)


@transaction.atomic
def slots_publish(*, actor: User, project: Project, slot_ids: Iterable[int], published: bool = True) -> int:
    """Offer (or stop offering) the chosen open slots to residents; the number changed."""
    _require_planner(actor, project)
    return (
        slots_managed_by(actor, project)
        .filter(pk__in=list(slot_ids), dwelling__isnull=True)
        .exclude(published=published)
        .update(published=published)
    )


@transaction.atomic
def slots_delete(*, actor: User, project: Project, slot_ids: Iterable[int]) -> tuple[int, int]:
    """Delete the chosen open slots; booked ones stay. (deleted, booked and kept)."""
    _require_planner(actor, project)
    chosen = list(
        slots_managed_by(actor, project).select_for_update(of=("self",)).filter(pk__in=list(slot_ids))
    )
    open_ids = [slot.pk for slot in chosen if slot.is_open]
    SurveySlot.objects.filter(pk__in=open_ids).delete()
    return len(open_ids), len(chosen) - len(open_ids)


@transaction.atomic
def slot_book(*, actor: User, slot_id: int, dwelling_id: int) -> SurveySlot:
    """Book an open slot for an informed dwelling: plans the survey with the slot's surveyor at the
    slot's time (checked and logged by ``plan_survey``). The slot row is locked, so two bookings of
    one slot cannot both succeed; booking the same slot for the same dwelling again changes nothing.

    Raises SurveySlot.DoesNotExist or Dwelling.DoesNotExist outside the actor's scope, SlotTaken,
    and what ``dwelling_transition`` raises when the survey cannot be planned.
    """
    slot = (
        slots_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("project", "surveyor")
        .get(pk=slot_id)
    )
    dwelling = dwellings_visible_to(actor).filter(project_id=slot.project_id).get(pk=dwelling_id)
    if slot.dwelling_id == dwelling.pk:
        return slot
    if slot.dwelling_id is not None:
        raise SlotTaken(_("This time was just booked for another home. Choose another time."))
    if not slot.published and not _manages(actor, slot):
        raise ValidationError(_("This time is not offered (any more). Choose another time."))
    if slot.starts_at <= timezone.now():
        raise ValidationError(_("This time has passed. Choose another time."))
    if not waiting_dwellings(user=actor, project=slot.project).filter(pk=dwelling.pk).exists():
        raise ValidationError({"dwelling": _not_waiting_reason(dwelling)})
    # A dwelling keeps one slot: after a failed visit it goes back to informed, and its old slot
    # (in the past) is let go so that the new one can point to it.
    SurveySlot.objects.filter(dwelling_id=dwelling.pk).update(dwelling=None, published=False)
    dwelling_transition(
        actor=actor,
        dwelling_id=dwelling.pk,
        transition="plan_survey",
        expected_state=DwellingState.INFORMED,
        surveyor=slot.surveyor,
        appointment_at=slot.starts_at,
    )
    slot.dwelling = dwelling
    slot.save(update_fields=["dwelling"])
    return slot


def _manages(actor: User, slot: SurveySlot) -> bool:
    from surveys.planning.permissions import can_manage_slot

    return can_manage_slot(actor, slot)
