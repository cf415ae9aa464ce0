"""The installer's page to offer installation days for an accepted package: for its planners and
coordinators only (anyone else finds no such page), within the package's weeks and the installer's
capacity per week over all its packages; a day a home chose is not withdrawn."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procurement.models import InstallationDay
from procurement.services import (
    installation_days_offer,
    installation_days_withdraw,
    package_accept,
    package_create,
    package_offer,
)
from projects.models import User, WorkRole
from projects.services import dwelling_transition
from tests.conftest import next_monday
from tests.factories import UserFactory
from tests.procurement.test_offers import agreed_homes, installer_in, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def accepted(world):  # noqa: F811
    package_offer(actor=world["lead"], package_id=world["package"].pk, installer_id=world["installer"].pk)
    world["planner"] = UserFactory(organisation=world["installer"])
    package_accept(actor=fresh(world["planner"]), package_id=world["package"].pk)
    return world


def days_url(setting, name="packages:days"):
    return reverse(name, args=[setting["project"].slug, setting["package"].number])


def tuesday(weeks=2) -> datetime.date:
    return next_monday(weeks) + datetime.timedelta(days=1)


def test_the_planner_offers_days_from_the_package_page(accepted, client):
    client.force_login(accepted["planner"])
    detail = client.get(
        reverse("packages:detail", args=[accepted["project"].slug, accepted["package"].number])
    )
    assert b'id="offer-days-link"' in detail.content
    page = client.get(days_url(accepted))
    assert page.status_code == 200 and b'id="offer-days"' in page.content
    assert f'value="{tuesday():%Y-%m-%d}"'.encode() in page.content
    days = [tuesday().isoformat(), (tuesday() + datetime.timedelta(days=1)).isoformat()]
    answer = client.post(days_url(accepted), {"days": days, "places": 3})
    assert answer.status_code == 302
    rows = InstallationDay.objects.filter(package=accepted["package"]).order_by("date")
    assert [(row.date.isoformat(), row.places, row.created_by_id) for row in rows] == [
        (day, 3, accepted["planner"].pk) for day in days
    ]
    shown = client.get(days_url(accepted)).content.decode()
    assert f'data-day="{days[0]}" data-places="3" data-taken="0"' in shown
    # Offering a day again sets its places.
    client.post(days_url(accepted), {"days": [days[0]], "places": 2})
    assert rows.get(date=tuesday()).places == 2


def test_days_outside_the_weeks_or_beyond_the_capacity_are_refused_on_the_page(accepted, client):
    client.force_login(accepted["planner"])
    for data in (
        {"days": [tuesday(6).isoformat()], "places": 1},  # after the package's weeks
        {"days": [(next_monday(2) - datetime.timedelta(days=6)).isoformat()], "places": 1},  # before
        {"days": [(next_monday(2) + datetime.timedelta(days=6)).isoformat()], "places": 1},  # a Sunday
        {"days": [tuesday().isoformat()], "places": 11},  # the capacity is 10 a week
        {"days": [tuesday().isoformat()], "places": 0},
        {"days": ["not-a-date"], "places": 1},
        {"places": 1},
    ):
        answer = client.post(days_url(accepted), data)
        assert answer.status_code == 400, data
    assert not InstallationDay.objects.exists()


def test_the_places_of_a_week_stay_within_the_capacity_over_all_packages(accepted):
    planner = fresh(accepted["planner"])
    installation_days_offer(
        actor=planner,
        package_id=accepted["package"].pk,
        days=[next_monday(2), tuesday()],
        places=4,
    )
    # Another package of the same installer, the same week: 8 places offered, 2 left.
    homes = agreed_homes(2, accepted["project"], street="Lijsterstraat")
    other = package_create(
        actor=accepted["lead"],
        project=accepted["project"],
        name="Lijsterstraat",
        dwelling_ids=[home.pk for home in homes],
        first_week=next_monday(2),
        last_week=next_monday(2),
    )
    package_offer(actor=accepted["lead"], package_id=other.pk, installer_id=accepted["installer"].pk)
    package_accept(actor=fresh(planner), package_id=other.pk)
    wednesday = tuesday() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        installation_days_offer(actor=fresh(planner), package_id=other.pk, days=[wednesday], places=3)
    assert set(caught.value.message_dict) == {"places"}
    installation_days_offer(actor=fresh(planner), package_id=other.pk, days=[wednesday], places=2)
    assert (
        InstallationDay.objects.filter(
            date__range=(next_monday(2), next_monday(2) + datetime.timedelta(days=6))
        ).count()
        == 3
    )


def test_nobody_else_finds_the_page(accepted, client):
    setting = accepted
    installation_days_offer(
        actor=fresh(setting["planner"]), package_id=setting["package"].pk, days=[tuesday()], places=2
    )
    other_installer = UserFactory(organisation=installer_in(setting["project"], capacity=10))
    field_worker = UserFactory(organisation=setting["installer"], work_roles=[WorkRole.FIELD_WORKER])
    for person in (setting["lead"], other_installer, field_worker):
        client.force_login(person)
        assert client.get(days_url(setting)).status_code == 404
        assert (
            client.post(days_url(setting), {"days": [tuesday(3).isoformat()], "places": 1}).status_code == 404
        )
        withdraw = client.post(days_url(setting, "packages:day-withdraw"), {"days": [tuesday().isoformat()]})
        assert withdraw.status_code == 404
        detail = reverse("packages:detail", args=[setting["project"].slug, setting["package"].number])
        assert b'id="offer-days-link"' not in client.get(detail).content
    # The installer's people who do not plan see the package, not this page.
    reader = UserFactory(organisation=setting["installer"], work_roles=[WorkRole.READ_ONLY])
    client.force_login(reader)
    assert client.get(days_url(setting)).status_code == 403
    assert list(InstallationDay.objects.values_list("date", flat=True)) == [tuesday()]


def test_a_package_not_yet_accepted_has_no_days(world, client):  # noqa: F811
    package_offer(actor=world["lead"], package_id=world["package"].pk, installer_id=world["installer"].pk)
    planner = UserFactory(organisation=world["installer"])
    client.force_login(planner)
    assert client.get(days_url(world)).status_code == 404


def test_a_day_is_withdrawn_only_while_no_home_chose_it(accepted, client):
    setting = accepted
    planner = fresh(setting["planner"])
    wednesday = tuesday() + datetime.timedelta(days=1)
    installation_days_offer(
        actor=planner, package_id=setting["package"].pk, days=[tuesday(), wednesday], places=2
    )
    dwelling_transition(
        actor=fresh(planner),
        dwelling_id=setting["homes"][0].pk,
        transition="plan_installation",
        planned_on=tuesday(),
    )
    with pytest.raises(ValidationError):
        installation_days_withdraw(actor=fresh(planner), package_id=setting["package"].pk, days=[tuesday()])
    with pytest.raises(ValidationError) as caught:
        installation_days_offer(
            actor=fresh(planner), package_id=setting["package"].pk, days=[tuesday()], places=0
        )
    client.force_login(setting["planner"])
    client.post(days_url(setting, "packages:day-withdraw"), {"days": [tuesday().isoformat()]})
    client.post(days_url(setting, "packages:day-withdraw"), {"days": [wednesday.isoformat()]})
    assert list(InstallationDay.objects.values_list("date", flat=True)) == [tuesday()]
    page = client.get(days_url(setting)).content.decode()
    assert f'data-day="{tuesday().isoformat()}" data-places="2" data-taken="1"' in page
    assert caught.value.message_dict["places"]
