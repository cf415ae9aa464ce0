"""A project with a survey party that published times, a cooperative that answers residents, and a home
whose owner has a personal link. E-mails go to a real SMTP server on loopback."""

import datetime

import pytest
from django.utils import timezone

from portal.links import link_issue
from projects.models import Dwelling, OrganisationKind, Role, User
from surveys.planning.services import slots_create, slots_publish
from tests.communication import conftest as communication
from tests.conftest import member_of, next_monday
from tests.factories import ContactFactory, DwellingFactory, UserFactory

smtp = communication.smtp
sms_dir = communication.sms_dir


def next_week_monday() -> datetime.date:
    """A Monday at least three days ahead: its times are far enough away to book and change
    (``PORTAL_CHANGE_HOURS``) whatever day the suite runs, a Sunday night too."""
    day = timezone.localdate() + datetime.timedelta(days=3)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


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


def offer_installation_days(world, homes: dict) -> dict:
    """Each home of ``homes`` (a home: how many days) agreed, then assigned in an accepted package of its
    own of one installer, which offers that many working days from the package's first week (the week
    after next) on, two places each. Returns the offered days per home, in date order."""
    from procurement.models import Pool, ProjectProcurement
    from procurement.services import installation_days_offer, package_accept, package_create, package_offer
    from tests.procurement.test_offers import agreement_for, installer_in

    project, lead = world["project"], world["lead"]
    pool = Pool.objects.create(name="Pool Noord-Holland", owner=lead.organisation)
    ProjectProcurement.objects.create(project=project, pool=pool)
    installer = installer_in(project, capacity=20, name="Installatiebedrijf Vonk")
    agreement_for(installer, lead.organisation, pool=pool)
    planner = UserFactory(organisation=installer)
    first = next_monday(2)
    offered = {}
    for home, count in homes.items():
        Dwelling.objects.filter(pk=home.pk).update(
            state="agreed", signatory="owner_occupier", agreement_signed_on=timezone.localdate()
        )
        package = package_create(
            actor=lead,
            project=project,
            name=f"{home.street} {home.house_number}",
            dwelling_ids=[home.pk],
            first_week=first,
            last_week=first + datetime.timedelta(weeks=(count - 1) // 5),
        )
        package_offer(actor=lead, package_id=package.pk, installer_id=installer.pk)
        package_accept(actor=User.objects.get(pk=planner.pk), package_id=package.pk)
        days = [first + datetime.timedelta(weeks=n // 5, days=n % 5) for n in range(count)]
        offered[home] = installation_days_offer(
            actor=User.objects.get(pk=planner.pk), package_id=package.pk, days=days, places=2
        )
    return offered
