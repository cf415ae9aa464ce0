"""A project with a survey party that published times, a cooperative that answers residents, and a home
whose owner has a personal link. E-mails go to a real SMTP server on loopback."""

import datetime

import pytest
from django.utils import timezone

from portal.links import link_issue
from projects.models import OrganisationKind, Role
from surveys.planning.services import slots_create, slots_publish
from tests.communication import conftest as communication
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory, UserFactory

smtp = communication.smtp
sms_dir = communication.sms_dir


def next_week_monday() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=7)
    return day - datetime.timedelta(days=day.weekday())


@pytest.fixture
def portal_world(advised_project, lead_user, smtp, sms_dir):
    project = advised_project
    planner = member_of(project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    surveyor = UserFactory(organisation=planner.organisation, field_worker=True, last_name="Aarts")
    monday = next_week_monday()
    slots = slots_create(
        actor=planner,
        project=project,
        surveyors=[surveyor],
        first_day=monday,
        last_day=monday + datetime.timedelta(days=1),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
        visit_minutes=60,
        weekdays=[0, 1],
    )
    slots_publish(actor=planner, project=project, slot_ids=[slot.pk for slot in slots])
    home = DwellingFactory(
        project=project, state="informed", street="Kastanjelaan", house_number=3, ownership="owner_occupied"
    )
    owner = ContactFactory(dwelling=home, role="owner", name="Anna de Vries", email="anna@example.test")
    neighbour_home = DwellingFactory(project=project, state="informed", street="Kastanjelaan", house_number=5)
    neighbour = ContactFactory(
        dwelling=neighbour_home, role="owner", name="Bram Jansen", email="bram@example.test"
    )
    code = link_issue(owner)
    return {
        "project": project,
        "lead": lead_user,
        "planner": planner,
        "surveyor": surveyor,
        "slots": slots,
        "home": home,
        "owner": owner,
        "code": code,
        "neighbour": neighbour,
        "neighbour_code": link_issue(neighbour),
        "smtp": smtp,
    }
