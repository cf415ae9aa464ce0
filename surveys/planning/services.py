"""Planning survey visits ahead, by cluster or street, and open slots that residents can book.

Area planning works in two steps. ``plan_area_preview`` proposes which dwelling gets which surveyor
and time: the selected informed dwellings in route order (cluster first when clusters were chosen,
then street, house number, letter, addition), filling each chosen weekday surveyor by surveyor up to
their daily capacity (``User.survey_capacity``), around the visits and open slots the surveyors already
have. Nothing is written. ``plan_area_execute`` then makes each proposed move through ``dwelling_transition``
(checked and logged like any other move); a dwelling that moved meanwhile, or a time taken meanwhile,
is skipped with its reason, never an error. From the page the confirmed preview runs as a Job with
progress (``plan_area_job_create``, ``plan_area_run``); the same confirmation twice gives the first
job back, and a second run would find the dwellings planned and skip them. ``plan_area`` does both
steps at once.

Slots are times a surveyor keeps free for a visit. The survey party makes them in bulk
(``slots_create``: duplicates, clashes and days beyond capacity are refused as a whole), publishes
them per project and deletes open ones. ``slot_book`` books one for an informed dwelling by planning
the survey at the slot's time with the slot's surveyor.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.models import Dwelling, Job, Project, User
from projects.permissions import can_view_dwelling, dwellings_visible_to
from projects.services import DwellingChanged, TransitionRefused, dwelling_transition
from projects.states import DwellingState
from surveys.models import SurveySlot

from .permissions import can_plan_in_project, planning_surveyors, slots_managed_by, slots_visible_to
from .selectors import ROUTE_ORDER, natural_key, waiting_dwellings

# Defaults of the planning forms; the visit length defaults to the SURVEY_VISIT_MINUTES setting.
SURVEY_VISIT_MINUTES = settings.SURVEY_VISIT_MINUTES
DAY_START = datetime.time(9, 0)
DAY_END = datetime.time(17, 0)
WORKING_DAYS = (0, 1, 2, 3, 4)
MIN_VISIT_MINUTES = SURVEY_VISIT_MINUTES  # shorter would overlap: the capacity check keeps visits apart
MAX_VISIT_MINUTES = 8 * 60
# Area planning looks this far ahead for free times; what does not fit is skipped with the reason.
HORIZON_DAYS = 366
# Slots are made for at most this many days at once.
SLOT_RANGE_MAX_DAYS = 92
# A job left "running" this long by a worker that died is taken up again (safe: each move commits
# on its own and a planned dwelling is skipped the second time).
STALE_RUNNING = datetime.timedelta(hours=1)
PROGRESS_EVERY = 10


class SlotTaken(Exception):
    """The slot was booked for another dwelling; nothing changed."""


def _require_planner(actor: User, project: Project) -> None:
    if not can_plan_in_project(actor, project):
        raise PermissionDenied(_("Only the planners of the survey party plan visits in this project."))


def when_text(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _day_text(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _time_text(moment: datetime.datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "TIME_FORMAT")


def _at(day: datetime.date, start: datetime.time, offset_minutes: int = 0) -> datetime.datetime:
    naive = datetime.datetime.combine(day, start) + datetime.timedelta(minutes=offset_minutes)
    return timezone.make_aware(naive)


def _day_times(
    day: datetime.date, start: datetime.time, end: datetime.time, minutes: int
) -> list[datetime.datetime]:
    """The starts of the visits of one day: from ``start``, one every ``minutes``, ending by ``end``."""
    times = []
    offset = 0
    last = datetime.datetime.combine(day, end)
    while datetime.datetime.combine(day, start) + datetime.timedelta(minutes=offset + minutes) <= last:
        times.append(_at(day, start, offset))
        offset += minutes
    return times


def _check_times(
    *,
    first_day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    visit_minutes: int,
    weekdays: Iterable[int],
    last_day: datetime.date | None = None,
) -> set[int]:
    """Validate the shared planning choices; the chosen weekdays as a set."""
    errors = {}
    days = {int(day) for day in weekdays or ()}
    if not days or not days <= set(range(7)):
        errors["weekdays"] = _("Choose at least one weekday.")
    if first_day < timezone.localdate():
        errors["first_day"] = _("The first day cannot be in the past.")
    if last_day is not None:
        if last_day < first_day:
            errors["last_day"] = _("The last day cannot be before the first day.")
        elif (last_day - first_day).days >= SLOT_RANGE_MAX_DAYS:
            errors["last_day"] = _("Make slots for at most %(days)d days at once.") % {
                "days": SLOT_RANGE_MAX_DAYS
            }
    if not MIN_VISIT_MINUTES <= int(visit_minutes) <= MAX_VISIT_MINUTES:
        errors["visit_minutes"] = _("A visit takes between %(min)d and %(max)d minutes.") % {
            "min": MIN_VISIT_MINUTES,
            "max": MAX_VISIT_MINUTES,
        }
    elif datetime.datetime.combine(first_day, start_time) + datetime.timedelta(
        minutes=int(visit_minutes)
    ) > datetime.datetime.combine(first_day, end_time):
        errors["end_time"] = _("The day must end at least one visit after it starts.")
    if errors:
        raise ValidationError(errors)
    return days


def _surveyors(actor: User, project: Project, surveyors: Iterable) -> list[User]:
    """The chosen surveyors, in the order chosen, if each is an active colleague of the planner."""
    ids = list(dict.fromkeys(getattr(surveyor, "pk", surveyor) for surveyor in surveyors or ()))
    if not ids:
        raise ValidationError({"surveyors": _("Choose at least one surveyor.")})
    found = {user.pk: user for user in planning_surveyors(actor, project).filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationError({"surveyors": _("Choose surveyors of your own survey party.")})
    return [found[pk] for pk in ids]


class _Busy:
    """The planned visits and open slots of some surveyors in a time window, per surveyor and day."""

    def __init__(self, surveyor_ids, start: datetime.datetime, end: datetime.datetime, *, exclude=()):
        self.times: dict[tuple[int, datetime.date], list[datetime.datetime]] = defaultdict(list)
        visits = (
            Dwelling.objects.filter(
                surveyor_id__in=surveyor_ids,
                state=DwellingState.SURVEY_PLANNED,
                survey_appointment_at__gte=start,
                survey_appointment_at__lt=end,
            )
            .exclude(pk__in=exclude)
            .values_list("surveyor_id", "survey_appointment_at")
        )
        slots = SurveySlot.objects.filter(
            surveyor_id__in=surveyor_ids, dwelling__isnull=True, starts_at__gte=start, starts_at__lt=end
        ).values_list("surveyor_id", "starts_at")
        for surveyor_id, moment in [*visits, *slots]:
            self.add(surveyor_id, moment)

    def add(self, surveyor_id: int, moment: datetime.datetime) -> None:
        self.times[(surveyor_id, timezone.localtime(moment).date())].append(moment)

    def on(self, surveyor_id: int, day: datetime.date) -> list[datetime.datetime]:
        return self.times[(surveyor_id, day)]

    @staticmethod
    def clashes(taken: list[datetime.datetime], moment: datetime.datetime, minutes: int) -> bool:
        length = datetime.timedelta(minutes=minutes)
        return any(abs(other - moment) < length for other in taken)


# --- area planning ------------------------------------------------------------------------------


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


def _not_waiting_reason(dwelling: Dwelling) -> str:
    if dwelling.state == DwellingState.INFORMED and not dwelling.in_sample:
        return _("Not in the survey sample: this project surveys a selection of its dwellings.")
    if dwelling.state == DwellingState.SURVEY_PLANNED and dwelling.survey_appointment_at:
        return _("Already planned: %(when)s with %(surveyor)s.") % {
            "when": when_text(dwelling.survey_appointment_at),
            "surveyor": dwelling.surveyor,
        }
    return _("Not waiting for a survey visit: the dwelling is %(state)s.") % {
        "state": dwelling.get_state_display()
    }


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
    """Why ``surveyor`` cannot visit at ``moment`` now (another visit or open slot, a full day), or ""."""
    day = timezone.localtime(moment).date()
    busy = _Busy(
        [surveyor.pk],
        _at(day, datetime.time.min),
        _at(day + datetime.timedelta(days=1), datetime.time.min),
        exclude=[dwelling.pk],
    )
    taken = busy.on(surveyor.pk, day)
    if busy.clashes(taken, moment, minutes):
        return _("%(surveyor)s already has a visit or an open slot around %(time)s on %(day)s.") % {
            "surveyor": surveyor,
            "time": _time_text(moment),
            "day": _day_text(day),
        }
    capacity = surveyor.survey_capacity
    if len(taken) >= capacity:
        return _("%(surveyor)s is fully booked on %(day)s (%(capacity)d visits a day).") % {
            "surveyor": surveyor,
            "day": _day_text(day),
            "capacity": capacity,
        }
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


def plan_area_token() -> str:
    """A fresh token for one preview; confirming it twice starts one job."""
    return uuid.uuid4().hex


@transaction.atomic
def plan_area_job_create(
    *,
    actor: User,
    project: Project,
    token: str,
    assignments: list[list],
    visit_minutes: int = SURVEY_VISIT_MINUTES,
) -> tuple[Job, bool]:
    """Store a confirmed preview as a planning job and start it on commit; (job, created).

    The same ``token`` twice (a double click, a browser resending the form) gives the first job back.
    """
    from .tasks import plan_area_task

    _require_planner(actor, project)
    if not token:
        raise ValidationError(_("This confirmation is incomplete; make a new preview."))
    list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk"))
    earlier = Job.objects.filter(project=project, kind=Job.Kind.AREA_PLANNING, params__token=token).first()
    if earlier is not None:
        return earlier, False
    job = Job.objects.create(
        project=project,
        kind=Job.Kind.AREA_PLANNING,
        created_by=actor,
        total=len(assignments),
        params={
            "token": token,
            "assignments": [list(row) for row in assignments],
            "visit_minutes": int(visit_minutes),
            "language": translation.get_language() or "",
        },
    )
    transaction.on_commit(partial(plan_area_task.delay, job.pk))
    return job, True


def plan_area_run(*, job_id: int) -> None:
    """Run a planning job once: claim it, plan its confirmed preview, keep the result.

    Does nothing for a finished job or one that another worker runs.
    """
    now = timezone.now()
    kind = Job.Kind.AREA_PLANNING
    claimed = Job.objects.filter(pk=job_id, kind=kind, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=now
    ) or Job.objects.filter(
        pk=job_id, kind=kind, status=Job.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    ).update(started_at=now, processed=0)
    if not claimed:
        return
    job = Job.objects.select_related("created_by", "project").get(pk=job_id)
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            result = plan_area_execute(
                actor=job.created_by,
                project=job.project,
                assignments=job.params.get("assignments", []),
                visit_minutes=job.params.get("visit_minutes", SURVEY_VISIT_MINUTES),
                progress=job.advance,
            )
        except PermissionDenied as exc:
            job.fail(str(exc))
            return
        except Exception:
            job.fail(_("The planning stopped on an unexpected error; what was planned is kept."))
            raise
        job.finish(result.as_dict())


# --- slots --------------------------------------------------------------------------------------


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
    from .permissions import can_manage_slot

    return can_manage_slot(actor, slot)
