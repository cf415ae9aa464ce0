"""What every kind of planning shares: the defaults of the planning forms, the checks of the chosen
days, times and surveyors, and what the surveyors already have (``_Busy``: planned visits and open slots
per surveyor and day, against which clashes and the daily capacity are counted).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from projects.models import Dwelling, Project, User
from projects.states import DwellingState
from surveys.models import SurveySlot
from surveys.planning.permissions import can_plan_in_project, planning_surveyors

# Defaults of the planning forms; the visit length defaults to the SURVEY_VISIT_MINUTES setting.
SURVEY_VISIT_MINUTES = settings.SURVEY_VISIT_MINUTES
DAY_START = datetime.time(9, 0)
DAY_END = datetime.time(17, 0)
WORKING_DAYS = (0, 1, 2, 3, 4)
MIN_VISIT_MINUTES = SURVEY_VISIT_MINUTES  # shorter would overlap: the capacity check keeps visits apart
MAX_VISIT_MINUTES = 8 * 60
# Slots are made for at most this many days at once.
SLOT_RANGE_MAX_DAYS = 92


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
        self.slots: set[tuple[int, datetime.datetime]] = set()
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
        for surveyor_id, moment in visits:
            self.add(surveyor_id, moment)
        for surveyor_id, moment in slots:
            self.add(surveyor_id, moment)
            self.slots.add((surveyor_id, moment))

    def add(self, surveyor_id: int, moment: datetime.datetime) -> None:
        self.times[(surveyor_id, timezone.localtime(moment).date())].append(moment)

    def on(self, surveyor_id: int, day: datetime.date) -> list[datetime.datetime]:
        return self.times[(surveyor_id, day)]

    @staticmethod
    def clashes(taken: list[datetime.datetime], moment: datetime.datetime, minutes: int) -> bool:
        length = datetime.timedelta(minutes=minutes)
        return any(abs(other - moment) < length for other in taken)


def appointment_refusal(
    surveyor: User, moment: datetime.datetime, *, dwelling: Dwelling | None = None, minutes: int | None = None
) -> tuple[str, str]:
    """The one rule of a surveyor's time, for every kind of planning (a single visit, a booked slot, area
    planning): ``("", "")`` when a visit of ``dwelling`` fits at ``moment``, else (the field, why not).

    No visit on a day in the past. No two at once: a visit ``minutes`` long (``SURVEY_VISIT_MINUTES``)
    may not overlap a planned visit or an open slot; an open slot at exactly this time is the one the
    visit takes. At most the surveyor's daily capacity of visits and open slots (``survey_capacity``).
    """
    minutes = minutes or settings.SURVEY_VISIT_MINUTES
    day = timezone.localtime(moment).date()
    if day < timezone.localdate():
        return "appointment_at", _("A visit cannot be planned on a day in the past.")
    busy = _Busy(
        [surveyor.pk],
        _at(day, datetime.time.min),
        _at(day + datetime.timedelta(days=1), datetime.time.min),
        exclude=[dwelling.pk] if dwelling is not None else [],
    )
    taken = [
        other
        for other in busy.on(surveyor.pk, day)
        if (surveyor.pk, other) not in busy.slots or other != moment
    ]
    length = datetime.timedelta(minutes=minutes)
    clashing = sorted(other for other in taken if abs(other - moment) < length)
    if clashing:
        if all((surveyor.pk, other) in busy.slots for other in clashing):
            return "appointment_at", _(
                "%(surveyor)s has an open slot at %(time)s that residents can book. Plan the visit in that "
                "slot, or delete the slot first."
            ) % {"surveyor": surveyor, "time": _time_text(clashing[0])}
        return "appointment_at", _(
            "%(surveyor)s already has a visit at this time (visits take %(minutes)d minutes)."
        ) % {"surveyor": surveyor, "minutes": minutes}
    if len(taken) >= surveyor.survey_capacity:
        return "appointment_at", _(
            "%(surveyor)s is fully booked on %(day)s (%(capacity)d visits a day). Choose another day or "
            "another surveyor."
        ) % {"surveyor": surveyor, "day": _day_text(day), "capacity": surveyor.survey_capacity}
    return "", ""


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
