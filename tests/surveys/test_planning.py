import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import Dwelling, OrganisationKind, Role
from projects.services import dwelling_transition
from tests.conftest import member_of, next_monday
from tests.factories import DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(advised_project):
    return member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)


def at(hour, day=1):
    """``hour`` o'clock on the ``day``-th day of the week after this one (day 1 is its Monday)."""
    date = next_monday() + datetime.timedelta(days=day - 1)
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


def plan(planner, dwelling, surveyor, when):
    return dwelling_transition(
        actor=planner,
        dwelling_id=dwelling.pk,
        transition="plan_survey",
        surveyor=surveyor,
        appointment_at=when,
    )


def test_a_full_day_is_refused_with_a_clear_message(settings, planner, advised_project):
    settings.SURVEY_VISITS_PER_DAY = 2
    surveyor = UserFactory(organisation=planner.organisation)
    homes = DwellingFactory.create_batch(3, project=advised_project, state="informed")
    plan(planner, homes[0], surveyor, at(9))
    plan(planner, homes[1], surveyor, at(11))
    with pytest.raises(ValidationError) as error:
        plan(planner, homes[2], surveyor, at(14))
    assert "fully booked" in str(error.value) or "volgeboekt" in str(error.value)
    assert Dwelling.objects.get(pk=homes[2].pk).state == "informed"
    # Another day, or another surveyor, is fine.
    plan(planner, homes[2], surveyor, at(9, day=2))
    assert Dwelling.objects.get(pk=homes[2].pk).state == "survey_planned"


def test_a_surveyor_with_a_capacity_of_their_own_is_full_sooner_in_every_way_of_planning(
    settings, planner, advised_project
):
    from surveys.planning.services import plan_area_preview, slots_create

    settings.SURVEY_VISITS_PER_DAY = 6
    part_timer = UserFactory(organisation=planner.organisation, visits_per_day=2, last_name="Deeltijd")
    homes = DwellingFactory.create_batch(3, project=advised_project, state="informed", street="Lindelaan")
    plan(planner, homes[0], part_timer, at(9))
    plan(planner, homes[1], part_timer, at(11))
    with pytest.raises(ValidationError, match="2"):
        plan(planner, homes[2], part_timer, at(14))
    # Area planning puts the third home on the next working day.
    day = timezone.localtime(at(9)).date()
    proposal = plan_area_preview(
        actor=planner, project=advised_project, streets=["Lindelaan"], surveyors=[part_timer], first_day=day
    )
    assert [timezone.localtime(a.starts_at).date() > day for a in proposal.planned] == [True]
    # And the part-timer's slots stop at two a day as well.
    next_day = day + datetime.timedelta(days=7)
    with pytest.raises(ValidationError, match="2"):
        slots_create(
            actor=planner,
            project=advised_project,
            surveyors=[part_timer],
            first_day=next_day,
            last_day=next_day,
            start_time=datetime.time(9),
            end_time=datetime.time(12),
            visit_minutes=60,
        )
    # The default still holds for the others.
    colleague = UserFactory(organisation=planner.organisation)
    for hour in (9, 11, 14):
        other = DwellingFactory(project=advised_project, state="informed")
        plan(planner, other, colleague, at(hour))


def test_two_visits_at_the_same_time_are_refused(planner, advised_project):
    surveyor = UserFactory(organisation=planner.organisation)
    first, second = DwellingFactory.create_batch(2, project=advised_project, state="informed")
    plan(planner, first, surveyor, at(10))
    with pytest.raises(ValidationError):
        plan(planner, second, surveyor, at(10))
    colleague = UserFactory(organisation=planner.organisation)
    plan(planner, second, colleague, at(10))


def test_visits_of_one_surveyor_cannot_overlap(settings, planner, advised_project):
    settings.SURVEY_VISIT_MINUTES = 60
    surveyor = UserFactory(organisation=planner.organisation)
    first, second = DwellingFactory.create_batch(2, project=advised_project, state="informed")
    plan(planner, first, surveyor, at(10))
    for minutes in (-59, -30, 30, 59):
        with pytest.raises(ValidationError) as error:
            plan(planner, second, surveyor, at(10) + datetime.timedelta(minutes=minutes))
        assert "appointment_at" in error.value.message_dict
    assert Dwelling.objects.get(pk=second.pk).state == "informed"
    plan(planner, second, surveyor, at(11))
    assert Dwelling.objects.get(pk=second.pk).state == "survey_planned"


def test_one_rule_for_the_past_a_day_gone_is_refused_today_is_not(planner, advised_project):
    """The same rule as area planning and slots: no visit on a day in the past; earlier today is fine
    (a visit made this morning, put in the planning on the spot)."""
    surveyor = UserFactory(organisation=planner.organisation)
    home, other = DwellingFactory.create_batch(2, project=advised_project, state="informed")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        plan(
            planner,
            home,
            surveyor,
            timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(10))),
        )
    assert "appointment_at" in error.value.message_dict
    assert Dwelling.objects.get(pk=home.pk).state == "informed"
    early_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(0, 5)))
    plan(planner, other, surveyor, early_today)
    assert Dwelling.objects.get(pk=other.pk).state == "survey_planned"
