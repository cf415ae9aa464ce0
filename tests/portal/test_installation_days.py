"""The day of the work: the installer offers days within its package's weeks, the resident chooses one in
the portal and may change it until a set time before; a day's places are counted under a lock, a stale
form or a day of another package changes nothing, and every choice is confirmed and logged as the
resident's own move."""

import datetime
import threading
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from communication.models import Message, TemplateKey
from portal import tokens
from portal.links import link_issue
from portal.services.installation import DayFull, installation_book
from procurement.models import InstallationDay, Pool, ProjectProcurement, WorkPackage
from procurement.services import (
    installation_days_offer,
    package_accept,
    package_create,
    package_offer,
)
from projects.models import Dwelling, DwellingTransition, User
from projects.residents import Resident
from projects.services import dwelling_transition
from tests.conftest import next_monday
from tests.factories import ContactFactory, UserFactory
from tests.procurement.test_offers import agreed_homes, agreement_for, installer_in

pytestmark = pytest.mark.django_db


def url(name, code):
    return reverse(f"portal:{name}", args=[tokens.written(code)])


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def accepted_package(project, lead, installer, planner, homes, name):
    package = package_create(
        actor=lead,
        project=project,
        name=name,
        dwelling_ids=[home.pk for home in homes],
        first_week=next_monday(2),
        last_week=next_monday(3),
    )
    package_offer(actor=lead, package_id=package.pk, installer_id=installer.pk)
    package_accept(actor=fresh(planner), package_id=package.pk)
    return WorkPackage.objects.get(pk=package.pk)


@pytest.fixture
def days_world(advised_project, lead_user, smtp, sms_dir):
    """An accepted package of three homes whose owners have a personal link; the installer offers
    Tuesday, Wednesday and Thursday of the package's first week with two places each."""
    project = advised_project
    pool = Pool.objects.create(name="Pool Noord-Holland", owner=lead_user.organisation)
    ProjectProcurement.objects.create(project=project, pool=pool)
    installer = installer_in(project, capacity=10, name="Installatiebedrijf Vonk")
    agreement_for(installer, lead_user.organisation, pool=pool)
    planner = UserFactory(organisation=installer)
    homes = agreed_homes(3, project, street="Merelstraat")
    package = accepted_package(project, lead_user, installer, planner, homes, "Merelstraat")
    owners = [
        ContactFactory(dwelling=home, role="owner", email=f"eigenaar{n}@example.test")
        for n, home in enumerate(homes)
    ]
    monday = next_monday(2)
    tuesday, wednesday, thursday = (monday + datetime.timedelta(days=n) for n in (1, 2, 3))
    days = installation_days_offer(
        actor=fresh(planner), package_id=package.pk, days=[tuesday, wednesday, thursday], places=2
    )
    return {
        "project": project,
        "lead": lead_user,
        "installer": installer,
        "planner": planner,
        "pool": pool,
        "package": package,
        "homes": homes,
        "owners": owners,
        "codes": [link_issue(owner) for owner in owners],
        "days": {day.date: day for day in days},
        "tuesday": tuesday,
        "wednesday": wednesday,
        "thursday": thursday,
        "smtp": smtp,
    }


def home_of(world, n=0) -> Dwelling:
    return Dwelling.objects.get(pk=world["homes"][n].pk)


def day_pk(world, date) -> int:
    return world["days"][date].pk


def book(client, world, date, *, n=0, seen="none", **extra):
    return client.post(
        url("installation", world["codes"][n]), {"day": day_pk(world, date), "seen": seen}, **extra
    )


# --- the installer offers days ---------------------------------------------------------------------


def test_days_outside_the_package_weeks_or_on_a_weekend_are_refused(days_world):
    world = days_world
    before = InstallationDay.objects.count()
    outside = next_monday(5) + datetime.timedelta(days=1)
    saturday = next_monday(2) + datetime.timedelta(days=5)
    for wrong in (outside, saturday):
        with pytest.raises(ValidationError) as caught:
            installation_days_offer(
                actor=fresh(world["planner"]), package_id=world["package"].pk, days=[wrong], places=1
            )
        assert set(caught.value.message_dict) == {"days"}
    # More places in a day than the installer makes connections in a week.
    with pytest.raises(ValidationError) as caught:
        installation_days_offer(
            actor=fresh(world["planner"]),
            package_id=world["package"].pk,
            days=[next_monday(3)],
            places=11,
        )
    assert set(caught.value.message_dict) == {"places"}
    assert InstallationDay.objects.count() == before


def test_another_installer_cannot_offer_days_for_the_package(days_world, client):
    world = days_world
    other = UserFactory(organisation=installer_in(world["project"], capacity=10))
    with pytest.raises(WorkPackage.DoesNotExist):
        installation_days_offer(actor=other, package_id=world["package"].pk, days=[next_monday(3)], places=1)
    client.force_login(other)
    page = reverse("packages:days", args=[world["project"].slug, world["package"].number])
    assert client.get(page).status_code == 404
    assert client.post(page, {"days": [next_monday(3).isoformat()], "places": 1}).status_code == 404
    assert not InstallationDay.objects.filter(date=next_monday(3)).exists()


# --- the resident chooses --------------------------------------------------------------------------


def test_the_resident_chooses_a_day_confirmed_and_logged_as_their_own_move(
    days_world, client, django_capture_on_commit_callbacks
):
    world = days_world
    code = world["codes"][0]
    home_page = client.get(url("home", code)).content.decode()
    assert 'id="choose-installation"' in home_page
    page = client.get(url("installation", code))
    assert page.status_code == 200
    content = page.content.decode()
    for date in (world["tuesday"], world["wednesday"], world["thursday"]):
        assert f'value="{day_pk(world, date)}"' in content
    assert Message.objects.count() == 0  # opening the page sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        answer = book(client, world, world["tuesday"])
    assert answer.status_code == 302
    home = home_of(world)
    assert (home.state, home.installation_planned_on) == ("installation_planned", world["tuesday"])
    assert home.technician_id is None
    log = DwellingTransition.objects.filter(dwelling=home).latest("pk")
    assert (log.transition, log.actor_id, log.resident_id) == (
        "plan_installation",
        None,
        world["owners"][0].pk,
    )
    (message,) = Message.objects.filter(contact=world["owners"][0])
    assert message.template_key == TemplateKey.INSTALLATION_DATE
    assert message.trigger.startswith(f"portal:installation:{home.pk}:{world['tuesday']}")
    assert len(world["smtp"].to("eigenaar0@example.test")) == 1

    # The day is on the overview and in a calendar file.
    home_page = client.get(url("home", code)).content.decode()
    assert 'id="change-installation"' in home_page and 'id="choose-installation"' not in home_page
    ics = client.get(url("installation-calendar", code))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    assert f"DTSTART;VALUE=DATE:{world['tuesday']:%Y%m%d}".encode() in ics.content

    # A double submit of the same choice changes nothing more.
    moves = DwellingTransition.objects.filter(dwelling=home).count()
    book(client, world, world["tuesday"], seen=world["tuesday"].isoformat())
    assert DwellingTransition.objects.filter(dwelling=home).count() == moves
    assert Message.objects.filter(contact=world["owners"][0]).count() == 1


def test_the_resident_changes_the_day_until_the_deadline_and_not_after(
    days_world, client, settings, django_capture_on_commit_callbacks
):
    world = days_world
    with django_capture_on_commit_callbacks(execute=True):
        book(client, world, world["tuesday"])
        answer = book(client, world, world["wednesday"], seen=world["tuesday"].isoformat())
    assert answer.status_code == 302
    home = home_of(world)
    assert home.installation_planned_on == world["wednesday"]
    log = DwellingTransition.objects.filter(dwelling=home).latest("pk")
    assert (log.transition, log.source, log.target) == (
        "reschedule_installation",
        "installation_planned",
        "installation_planned",
    )
    assert (log.actor_id, log.resident_id) == (None, world["owners"][0].pk)
    assert len(world["smtp"].to("eigenaar0@example.test")) == 2  # each choice confirmed

    # The old day's place is free again, the new one taken.
    page = client.get(url("installation", world["codes"][0])).content.decode()
    assert f'value="{day_pk(world, world["tuesday"])}"' in page
    assert f'value="{day_pk(world, world["wednesday"])}"' not in page

    # Past the deadline (a set time before the day starts) nothing changes, in the portal or the service.
    starts = timezone.make_aware(datetime.datetime.combine(world["wednesday"], datetime.time.min))
    with time_machine.travel(starts - datetime.timedelta(hours=settings.PORTAL_CHANGE_HOURS - 1)):
        home_page = client.get(url("home", world["codes"][0])).content.decode()
        assert 'id="change-installation"' not in home_page
        assert 'id="too-close"' in client.get(url("installation", world["codes"][0])).content.decode()
        book(client, world, world["thursday"], seen=world["wednesday"].isoformat())
        with pytest.raises(PermissionDenied):
            dwelling_transition(
                actor=Resident(world["owners"][0]),
                dwelling_id=home.pk,
                transition="reschedule_installation",
                planned_on=world["thursday"],
            )
    assert home_of(world).installation_planned_on == world["wednesday"]
    assert Message.objects.filter(contact=world["owners"][0]).count() == 2


def test_a_stale_form_changes_nothing(days_world, client):
    world = days_world
    book(client, world, world["tuesday"])
    moves = DwellingTransition.objects.filter(dwelling=world["homes"][0]).count()
    # The form of before the choice, sent from another tab.
    answer = book(client, world, world["wednesday"], seen="none", follow=True)
    assert answer.status_code == 200 and b'id="installation-day"' in answer.content
    assert home_of(world).installation_planned_on == world["tuesday"]
    assert DwellingTransition.objects.filter(dwelling=world["homes"][0]).count() == moves
    # The installer moved the day meanwhile: the resident's form of the old day changes nothing.
    dwelling_transition(
        actor=fresh(world["planner"]),
        dwelling_id=world["homes"][0].pk,
        transition="reschedule_installation",
        planned_on=world["thursday"],
    )
    book(client, world, world["wednesday"], seen=world["tuesday"].isoformat())
    assert home_of(world).installation_planned_on == world["thursday"]


def test_a_second_resident_cannot_take_the_last_place(days_world, client):
    world = days_world
    InstallationDay.objects.filter(pk=day_pk(world, world["thursday"])).update(places=1)
    book(client, world, world["thursday"], n=0)
    answer = book(client, world, world["thursday"], n=1, follow=True)
    assert answer.status_code == 200
    content = answer.content.decode()
    # A clear message and the days still free to choose from; the full day is not among them.
    assert 'id="installation-form"' in content and 'role="alert"' in content
    assert f'value="{day_pk(world, world["thursday"])}"' not in content
    assert f'value="{day_pk(world, world["tuesday"])}"' in content
    second = home_of(world, 1)
    assert (second.state, second.installation_planned_on) == ("assigned", None)
    assert not Message.objects.filter(contact=world["owners"][1]).exists()
    # The full day no longer shows to a third home either.
    third = client.get(url("installation", world["codes"][2])).content.decode()
    assert f'value="{day_pk(world, world["thursday"])}"' not in third


def test_a_day_of_another_package_swapped_into_the_form_changes_nothing(days_world, client):
    world = days_world
    elsewhere = agreed_homes(1, world["project"], street="Lijsterstraat")
    other = accepted_package(
        world["project"], world["lead"], world["installer"], world["planner"], elsewhere, "Lijsterstraat"
    )
    (foreign,) = installation_days_offer(
        actor=fresh(world["planner"]), package_id=other.pk, days=[next_monday(3)], places=2
    )
    answer = client.post(url("installation", world["codes"][0]), {"day": foreign.pk, "seen": "none"})
    assert answer.status_code == 302
    assert (home_of(world).state, home_of(world).installation_planned_on) == ("assigned", None)
    for wrong in ("", "not-a-day", "999999"):
        client.post(url("installation", world["codes"][0]), {"day": wrong, "seen": "none"})
    assert home_of(world).state == "assigned"
    assert not Message.objects.exists()


def test_the_page_is_there_only_while_the_day_can_be_chosen_or_seen(days_world, client):
    world = days_world
    Dwelling.objects.filter(pk=world["homes"][0].pk).update(state="agreed")
    assert client.get(url("installation", world["codes"][0])).status_code == 404
    assert client.get(url("installation-calendar", world["codes"][0])).status_code == 404
    assert b'id="choose-installation"' not in client.get(url("home", world["codes"][0])).content


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks of PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_residents_at_once_cannot_both_take_the_last_place(days_world):
    world = days_world
    InstallationDay.objects.filter(pk=day_pk(world, world["thursday"])).update(places=1)
    barrier = threading.Barrier(2, timeout=10)
    overlapped = threading.Event()
    results = {}

    def choose(n):
        return installation_book(
            resident=Resident(world["owners"][n]), day_id=day_pk(world, world["thursday"]), seen="none"
        )

    def first():
        with transaction.atomic():
            day = choose(0)
            barrier.wait()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    if cursor.fetchone()[0]:
                        overlapped.set()
                        break
                time.sleep(0.02)
            time.sleep(0.05)
        return day

    def second():
        barrier.wait()
        return choose(1)

    def run(name, work):
        try:
            results[name] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, work)) for name, work in (("a", first), ("b", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
        assert not thread.is_alive()
    assert overlapped.is_set(), "the second choice never waited for the first one's lock"
    assert isinstance(results["a"], InstallationDay), results["a"]
    assert isinstance(results["b"], DayFull), results["b"]
    planned = Dwelling.objects.filter(installation_planned_on=world["thursday"])
    assert list(planned.values_list("pk", flat=True)) == [world["homes"][0].pk]


def test_the_installers_own_planning_locks_an_offered_day_as_a_booking_does(days_world):
    """A planner planning a home on an offered day takes the same lock as a resident's booking, so the
    second of them counts the first one's place."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.services import dwelling_transition

    if not connection.features.has_select_for_update:
        pytest.skip("row locks: PostgreSQL")
    world = days_world
    with CaptureQueriesContext(connection) as queries:
        dwelling_transition(
            actor=fresh(world["planner"]),
            dwelling_id=world["homes"][0].pk,
            transition="plan_installation",
            planned_on=world["tuesday"],
        )
    table = "procurement_installationday"
    assert any(table in q["sql"] and "FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    assert home_of(world).installation_planned_on == world["tuesday"]


def test_after_a_residents_choice_the_installer_names_the_technician(days_world, client):
    """The resident picks the day without a technician; the installer then names who comes, keeping the
    day, and moving the day later keeps that technician."""
    from projects.services import dwelling_transition

    world = days_world
    book(client, world, world["tuesday"])
    assert home_of(world).technician_id is None
    technician = UserFactory(organisation=world["installer"], field_worker=True)
    dwelling_transition(
        actor=fresh(world["planner"]),
        dwelling_id=world["homes"][0].pk,
        transition="reschedule_installation",
        planned_on=world["tuesday"],
        technician=technician,
    )
    home = home_of(world)
    assert (home.installation_planned_on, home.technician_id) == (world["tuesday"], technician.pk)
    dwelling_transition(
        actor=fresh(world["planner"]),
        dwelling_id=home.pk,
        transition="reschedule_installation",
        planned_on=world["wednesday"],
    )
    home = home_of(world)
    assert (home.installation_planned_on, home.technician_id) == (world["wednesday"], technician.pk)
    # Someone of another organisation cannot be named.
    stranger = UserFactory(organisation=world["lead"].organisation, field_worker=True)
    with pytest.raises(ValidationError):
        dwelling_transition(
            actor=fresh(world["planner"]),
            dwelling_id=home.pk,
            transition="reschedule_installation",
            planned_on=world["wednesday"],
            technician=stranger,
        )
