"""The resident picks, changes or calls off the survey visit from the times the survey party published.

Each is a move of the workflow made by the resident (``plan_survey``, ``reschedule_survey``,
``cancel_survey``), checked by the same rules as a planner's (the surveyor's time and capacity) and
logged; the slot is taken or given back by the survey's writer, so the surveyor's day follows. The form
carries the appointment the resident saw: if it changed meanwhile, nothing happens and they see the
new state. Every booking, change and cancellation is confirmed on the person's channel.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communication.models import TemplateKey
from communication.services.personal import message_person
from portal.grants import may_change_visit
from projects.errors import Conflict
from projects.residents import Resident
from projects.services import dwelling_transition
from projects.states import DwellingState
from surveys.models import SurveySlot

# How many open times the page offers at once.
OFFERED = 40


class VisitChanged(Conflict):
    """The appointment is not the one the resident saw (changed in another tab or by the planner)."""


class TimeTaken(Conflict):
    """Someone else booked the time meanwhile."""


def offered_slots(dwelling):
    """Open, published times of the home's project, far enough ahead to be changed still."""
    earliest = timezone.now() + datetime.timedelta(hours=settings.PORTAL_CHANGE_HOURS)
    return (
        SurveySlot.objects.filter(
            project_id=dwelling.project_id, published=True, dwelling__isnull=True, starts_at__gt=earliest
        )
        .select_related("surveyor")
        .order_by("starts_at", "pk")[:OFFERED]
    )


def seen_value(dwelling) -> str:
    """What the form remembers of the appointment the resident saw."""
    moment = dwelling.survey_appointment_at
    return moment.isoformat() if moment else "none"


def _check_seen(dwelling, seen: str) -> None:
    if seen != seen_value(dwelling):
        raise VisitChanged(_("Your appointment changed meanwhile. Look at it below and choose again."))


@transaction.atomic
def visit_book(*, resident: Resident, slot_id, seen: str) -> SurveySlot:
    """Book the time for the resident's home, or move the planned visit to it."""
    from projects.models import Dwelling

    dwelling = Dwelling.objects.select_for_update(of=("self",)).get(pk=resident.dwelling_id)
    _check_seen(dwelling, seen)
    try:
        slot = (
            SurveySlot.objects.select_for_update(of=("self",))
            .select_related("surveyor")
            .get(pk=int(slot_id), project_id=dwelling.project_id, published=True)
        )
    except (SurveySlot.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("This time is not offered (any more). Choose another time.")) from None
    if slot.dwelling_id == dwelling.pk:
        return slot  # the same choice sent twice
    if slot.dwelling_id is not None:
        raise TimeTaken(_("Someone else just chose this time. Choose another time below."))
    if slot.starts_at <= timezone.now() + datetime.timedelta(hours=settings.PORTAL_CHANGE_HOURS):
        raise ValidationError(_("This time is too soon to book here. Choose a later time."))
    if dwelling.state == DwellingState.INFORMED:
        move, expected = "plan_survey", DwellingState.INFORMED
    elif dwelling.state == DwellingState.SURVEY_PLANNED:
        if not may_change_visit(dwelling):
            raise ValidationError(_("Your visit is too close to change here. Please call us."))
        move, expected = "reschedule_survey", DwellingState.SURVEY_PLANNED
    else:
        raise ValidationError(_("A visit cannot be chosen for your home now."))
    dwelling_transition(
        actor=resident,
        dwelling_id=dwelling.pk,
        transition=move,
        expected_state=expected,
        surveyor=slot.surveyor,
        appointment_at=slot.starts_at,
    )
    message_person(
        contact=resident.contact,
        template_key=TemplateKey.APPOINTMENT_CONFIRMED,
        trigger=f"portal:visit:{dwelling.pk}:{slot.starts_at:%Y%m%d%H%M}:{slot.surveyor_id}",
    )
    slot.refresh_from_db()
    return slot


@transaction.atomic
def visit_cancel(*, resident: Resident, seen: str) -> None:
    from projects.models import Dwelling

    dwelling = Dwelling.objects.select_for_update(of=("self",)).get(pk=resident.dwelling_id)
    _check_seen(dwelling, seen)
    if dwelling.state != DwellingState.SURVEY_PLANNED:
        raise ValidationError(_("There is no visit to call off."))
    if not may_change_visit(dwelling):
        raise ValidationError(_("Your visit is too close to call off here. Please call us."))
    moment = dwelling.survey_appointment_at
    dwelling_transition(
        actor=resident,
        dwelling_id=dwelling.pk,
        transition="cancel_survey",
        expected_state=DwellingState.SURVEY_PLANNED,
        reason=_("Called off by the resident in the portal."),
    )
    message_person(
        contact=resident.contact,
        template_key=TemplateKey.APPOINTMENT_CANCELLED,
        trigger=f"portal:cancel:{dwelling.pk}:{moment:%Y%m%d%H%M}",
    )


def calendar_file(dwelling, *, title: str, place: str, minutes: int) -> bytes:
    """The visit as an iCalendar file (icalendar) to add to one's own calendar."""
    import icalendar

    start = dwelling.survey_appointment_at
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//De laatste meter//Bewonersportaal//NL")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    host = settings.PUBLIC_URL.split("//")[-1].split("/")[0]
    event.add("uid", f"survey-{dwelling.pk}-{start:%Y%m%dT%H%M}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=minutes))
    event.add("summary", title)
    event.add("location", place)
    calendar.add_component(event)
    return calendar.to_ical()
