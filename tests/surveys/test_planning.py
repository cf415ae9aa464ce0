import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import Dwelling, OrganisationKind, Role
from projects.services import dwelling_transition
from tests.conftest import member_of
from tests.factories import DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(advised_project):
    return member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)


def at(hour, day=1):
    return timezone.make_aware(datetime.datetime(2026, 12, day, hour, 0))


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
