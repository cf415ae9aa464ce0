"""Area planning: proposing a surveyor and a time for each chosen dwelling that waits for a visit
(``plan_area_preview``, writes nothing) and planning a confirmed proposal move by move
(``plan_area_execute``); ``plan_area`` does both at once. The job that runs a confirmed proposal from
the page is in ``area_jobs``.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Dwelling, Project, User
from projects.permissions import can_view_dwelling, dwellings_visible_to
from projects.services import DwellingChanged, TransitionRefused, dwelling_transition
from projects.states import DwellingState
from surveys.planning.permissions import planning_surveyors
from surveys.planning.selectors import ROUTE_ORDER, natural_key, waiting_dwellings

from .checks import (
    DAY_END,
    DAY_START,
    SURVEY_VISIT_MINUTES,
    WORKING_DAYS,
    _at,
    _Busy,
    _check_times,
    _day_times,
    _not_waiting_reason,
    _require_planner,
    _surveyors,
    appointment_refusal,
)

# Area planning looks this far ahead for free times; what does not fit is skipped with the reason.
HORIZON_DAYS = 366
# A run reports its progress every this many dwellings (and at the last).
PROGRESS_EVERY = 10


@dataclass
class Assignment:
    dwelling_id: int
    address: str
    surveyor_id: int
    surveyor: str
    starts_at: datetime.datetime

    def as_row(self) -> list:
        return [self.dwelling_id, self.surveyor_id, self.starts_at.isoformat()]


@dataclass
class AreaPlan:
    """What a planning run proposes (a preview) or did (a result)."""

    planned: list[Assignment] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (dwelling id, address, reason)

    def as_dict(self) -> dict:
        return {
            "moved": len(self.planned),
            "planned": [
                [a.dwelling_id, a.address, a.surveyor, a.starts_at.isoformat()] for a in self.planned
            ],
            "skipped": [list(row) for row in self.skipped],
        }


def _selection(
    actor: User,
    project: Project,
    dwelling_ids: Iterable[int] | None,
    clusters: Iterable[str],
    streets: Iterable[str],
    plan: AreaPlan,
) -> list[Dwelling]:
    """The chosen dwellings that wait for a visit, in route order; chosen ones that do not are skipped."""
    clusters, streets = list(clusters or ()), list(streets or ())
    ids = list(dwelling_ids) if dwelling_ids is not None else []
    if not (ids or clusters or streets):
        raise ValidationError({"clusters": _("Choose at least one cluster or street.")})
    condition = Q(pk__in=ids) | Q(cluster__in=clusters) | Q(street__in=streets)
    fields = ("pk", "project_id", "street", "house_number", "house_letter", "house_number_addition")
    chosen = list(
        waiting_dwellings(user=actor, project=project)
        .filter(condition)
        .order_by(*ROUTE_ORDER)
        .only(*fields, "city", "cluster", "state")
    )
    if clusters:
        chosen.sort(key=lambda dwelling: natural_key(dwelling.cluster))  # stable: the route within a cluster
    if ids:
        # Explicitly chosen dwellings that are not waiting (any more): say why, if the actor may see them.
        waiting = {dwelling.pk for dwelling in chosen}
        others = dwellings_visible_to(actor).filter(project=project, pk__in=set(ids) - waiting)
        for dwelling in others.order_by(*ROUTE_ORDER):
            plan.skipped.append((dwelling.pk, str(dwelling), _not_waiting_reason(dwelling)))
    return chosen


def plan_area_preview(
    *,
    actor: User,
    project: Project,
    surveyors: Iterable,
    first_day: datetime.date,
    start_time: datetime.time = DAY_START,
    end_time: datetime.time = DAY_END,
    visit_minutes: int = SURVEY_VISIT_MINUTES,
    weekdays: Iterable[int] = WORKING_DAYS,
    dwelling_ids: Iterable[int] | None = None,
    clusters: Iterable[str] = (),
    streets: Iterable[str] = (),
) -> AreaPlan:
    """Propose a surveyor and a time for each chosen dwelling that waits for a visit. Writes nothing.

    Dwellings go in route order; each chosen weekday from ``first_day`` on, each surveyor in turn
    gets the next dwellings at the first free times of the day until the day holds
    the surveyor's daily capacity of visits and open slots. Times that overlap a planned visit or an open
    slot, and times already past, are skipped. What does not fit within ``HORIZON_DAYS`` is skipped
    with the reason.
    """
    _require_planner(actor, project)
    days = _check_times(
        first_day=first_day,
        start_time=start_time,
        end_time=end_time,
        visit_minutes=visit_minutes,
        weekdays=weekdays,
    )
    team = _surveyors(actor, project, surveyors)
    plan = AreaPlan()
    queue = _selection(actor, project, dwelling_ids, clusters, streets, plan)
    queue.reverse()  # pop() from the end takes the next dwelling in route order
    last_day = first_day + datetime.timedelta(days=HORIZON_DAYS)
    busy = _Busy(
        [surveyor.pk for surveyor in team],
        _at(first_day, datetime.time.min),
        _at(last_day + datetime.timedelta(days=1), datetime.time.min),
    )
    now = timezone.now()
    day = first_day
    while queue and day <= last_day:
        if day.weekday() in days:
            for surveyor in team:
                taken = busy.on(surveyor.pk, day)
                for moment in _day_times(day, start_time, end_time, visit_minutes):
                    if not queue or len(taken) >= surveyor.survey_capacity:
                        break
                    if moment <= now or busy.clashes(taken, moment, visit_minutes):
                        continue
                    dwelling = queue.pop()
                    taken.append(moment)
                    plan.planned.append(
                        Assignment(dwelling.pk, str(dwelling), surveyor.pk, str(surveyor), moment)
                    )
        day += datetime.timedelta(days=1)
    reason = _("No free time for a visit within %(days)d days of the first day.") % {"days": HORIZON_DAYS}
    plan.skipped.extend((dwelling.pk, str(dwelling), reason) for dwelling in reversed(queue))
    return plan


def _clash_reason(surveyor: User, dwelling: Dwelling, moment: datetime.datetime, minutes: int) -> str:
    """Why ``surveyor`` cannot visit at ``moment`` now, or "": the one rule of a surveyor's time
    (``appointment_refusal``), and a proposed time that has passed meanwhile."""
    _field, reason = appointment_refusal(surveyor, moment, dwelling=dwelling, minutes=minutes)
    if reason:
        return reason
    if moment <= timezone.now():
        return _("The planned time has passed.")
    return ""


def _reason_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Not allowed.")


def plan_area_execute(
    *,
    actor: User,
    project: Project,
    assignments: Iterable[tuple[int, int, datetime.datetime | str]],
    visit_minutes: int = SURVEY_VISIT_MINUTES,
    progress: Callable[[int], None] | None = None,
) -> AreaPlan:
    """Plan each (dwelling id, surveyor id, time) through ``dwelling_transition``, each in its own
    transaction; what cannot be planned any more is skipped with the reason."""
    _require_planner(actor, project)
    rows = [
        (int(dwelling_id), int(surveyor_id), _parse_moment(moment))
        for dwelling_id, surveyor_id, moment in assignments
    ]
    team = {user.pk: user for user in planning_surveyors(actor, project).filter(pk__in={r[1] for r in rows})}
    result = AreaPlan()
    for done, (dwelling_id, surveyor_id, moment) in enumerate(rows, start=1):
        dwelling = None
        try:
            with transaction.atomic():
                dwelling = (
                    Dwelling.objects.select_for_update().filter(pk=dwelling_id, project=project).first()
                )
                if dwelling is None:
                    continue  # not of this project: does not exist here
                if not can_view_dwelling(actor, dwelling):
                    raise TransitionRefused(_("No longer waiting for a visit by your organisation."))
                if dwelling.state != DwellingState.INFORMED:
                    raise TransitionRefused(_not_waiting_reason(dwelling))
                surveyor = team.get(surveyor_id)
                if surveyor is None:
                    raise TransitionRefused(_("The surveyor is no longer one of your active colleagues."))
                User.objects.select_for_update().filter(pk=surveyor.pk).exists()
                reason = _clash_reason(surveyor, dwelling, moment, visit_minutes)
                if reason:
                    raise TransitionRefused(reason)
                dwelling_transition(
                    actor=actor,
                    dwelling_id=dwelling.pk,
                    transition="plan_survey",
                    expected_state=DwellingState.INFORMED,
                    surveyor=surveyor,
                    appointment_at=moment,
                )
        except (DwellingChanged, TransitionRefused, PermissionDenied, ValidationError) as exc:
            result.skipped.append((dwelling_id, str(dwelling) if dwelling else "", _reason_text(exc)))
        else:
            result.planned.append(Assignment(dwelling.pk, str(dwelling), surveyor.pk, str(surveyor), moment))
        finally:
            if progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
                progress(done)
    return result


def _parse_moment(moment) -> datetime.datetime:
    if isinstance(moment, datetime.datetime):
        return moment
    return datetime.datetime.fromisoformat(moment)


def plan_area(
    *,
    actor: User,
    project: Project,
    surveyors: Iterable,
    first_day: datetime.date,
    start_time: datetime.time = DAY_START,
    end_time: datetime.time = DAY_END,
    visit_minutes: int = SURVEY_VISIT_MINUTES,
    weekdays: Iterable[int] = WORKING_DAYS,
    dwelling_ids: Iterable[int] | None = None,
    clusters: Iterable[str] = (),
    streets: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
) -> AreaPlan:
    """Propose and plan at once; what was skipped in the proposal is skipped in the result too."""
    proposal = plan_area_preview(
        actor=actor,
        project=project,
        surveyors=surveyors,
        first_day=first_day,
        start_time=start_time,
        end_time=end_time,
        visit_minutes=visit_minutes,
        weekdays=weekdays,
        dwelling_ids=dwelling_ids,
        clusters=clusters,
        streets=streets,
    )
    result = plan_area_execute(
        actor=actor,
        project=project,
        assignments=[a.as_row() for a in proposal.planned],
        visit_minutes=visit_minutes,
        progress=progress,
    )
    result.skipped = [*proposal.skipped, *result.skipped]
    return result
