"""The moves a resident makes through their personal link (``projects.residents``), for their own home:
book a published survey time, change or call it off until ``PORTAL_CHANGE_HOURS`` before the visit,
accept the agreement where they are the signatory (an owner-occupier), and choose the day of the work
from the days the installer offers, changing it until ``PORTAL_CHANGE_HOURS`` before that day starts."""

import datetime

from django.conf import settings
from django.utils import timezone

from projects import workflow
from projects.models import ContactRole
from projects.residents import acts_for
from projects.states import DwellingState, Signatory


def change_deadline(dwelling) -> datetime.datetime | None:
    if dwelling.survey_appointment_at is None:
        return None
    return dwelling.survey_appointment_at - datetime.timedelta(hours=settings.PORTAL_CHANGE_HOURS)


def may_change_visit(dwelling) -> bool:
    deadline = change_deadline(dwelling)
    return deadline is not None and timezone.now() < deadline


def installation_deadline(dwelling) -> datetime.datetime | None:
    """Until when the resident may change the day of the work: a set time before the day starts."""
    day = dwelling.installation_planned_on
    if day is None:
        return None
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return starts - datetime.timedelta(hours=settings.PORTAL_CHANGE_HOURS)


def may_change_installation(dwelling) -> bool:
    deadline = installation_deadline(dwelling)
    return deadline is not None and timezone.now() < deadline


def is_signatory(contact, dwelling) -> bool:
    """The person may give the agreement themselves: the owner of an owner-occupied home. For a rental
    the tenant's support is recorded apart; associations and owners' associations sign as today."""
    return (
        contact.role == ContactRole.OWNER
        and dwelling.expected_signatory() == Signatory.OWNER_OCCUPIER
        and not dwelling.needs_owners_association_consent()
    )


@workflow.grant("plan_survey")
def resident_books_a_visit(user, dwelling) -> bool:
    return acts_for(user, dwelling)


@workflow.grant("change_survey")
def resident_changes_the_visit(user, dwelling) -> bool:
    return acts_for(user, dwelling) and may_change_visit(dwelling)


@workflow.grant("record_agreement")
def owner_occupier_accepts(user, dwelling) -> bool:
    return acts_for(user, dwelling) and is_signatory(user.contact, dwelling)


@workflow.grant("plan_installation")
def resident_chooses_the_day_of_the_work(user, dwelling) -> bool:
    # Only the first choice: the base's rule for another day (``can_change_installation``) asks
    # ``plan_installation``'s grants too, and a change has its own grant, with the deadline.
    return acts_for(user, dwelling) and dwelling.state == DwellingState.ASSIGNED


@workflow.grant("change_installation")
def resident_changes_the_day_of_the_work(user, dwelling) -> bool:
    return acts_for(user, dwelling) and may_change_installation(dwelling)
