"""The installer takes the work: accepting its package assigns the dwellings through the workflow, in
bulk, one log row each; in a project that works from a pool nobody assigns around a package; the
offered installer sees the addresses, the accepting one the access contact, a subcontractor only what
was handed to it, and another installer nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.models import PackageDwelling, PackageStatus, WorkPackage
from procurement.services import (
    PackageChanged,
    package_accept,
    package_create,
    package_hand,
    package_offer,
    package_withdraw,
)
from projects.models import Dwelling, DwellingTransition, OrganisationKind, Role, User
from projects.permissions import can_see_access_contact, dwellings_visible_to
from projects.services import dwelling_transition
from tests.conftest import member_of, next_monday
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
)
from tests.procurement.test_offers import agreed_homes, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    """The same person in a new request: what is read once per person is read again."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def offered(world):  # noqa: F811
    package = package_offer(
        actor=world["lead"], package_id=world["package"].pk, installer_id=world["installer"].pk
    )
    world["coordinator"] = UserFactory(organisation=world["installer"])
    for home in world["homes"]:
        ContactFactory(dwelling=home, role="resident", name=f"Bewoner {home.house_number}")
    return package


def homes_seen(user) -> set[int]:
    return set(dwellings_visible_to(fresh(user)).values_list("pk", flat=True))


def test_the_offered_installer_sees_the_addresses_but_not_the_residents(world, offered):  # noqa: F811
    coordinator, homes = world["coordinator"], world["homes"]
    assert homes_seen(coordinator) == {home.pk for home in homes}
    assert not can_see_access_contact(fresh(coordinator), homes[0])
    other = member_of(world["project"], OrganisationKind.INSTALLER, Role.INSTALLER)
    assert homes_seen(other) == set()


def test_accepting_assigns_every_dwelling_once_through_the_workflow(world, offered):  # noqa: F811
    coordinator, homes = world["coordinator"], world["homes"]
    package, result = package_accept(
        actor=fresh(coordinator), package_id=offered.pk, expected_version=offered.version
    )
    assert (package.status, result.moved, result.skipped) == (PackageStatus.ACCEPTED, 8, [])
    assert set(Dwelling.objects.filter(pk__in=[h.pk for h in homes]).values_list("state", "installer")) == {
        ("assigned", world["installer"].pk)
    }
    logs = DwellingTransition.objects.filter(dwelling__in=homes, transition="assign")
    assert logs.count() == 8
    assert set(logs.values_list("actor", "organisation", "reason")) == {
        (coordinator.pk, world["installer"].pk, "Package #1 accepted")
    }
    assert can_see_access_contact(fresh(coordinator), Dwelling.objects.get(pk=homes[0].pk))
    # A double accept changes nothing and says why.
    with pytest.raises(PackageChanged, match="accepted; there is no open offer"):
        package_accept(actor=fresh(coordinator), package_id=offered.pk)
    assert DwellingTransition.objects.filter(dwelling__in=homes, transition="assign").count() == 8


def test_an_accept_after_the_withdrawal_changes_nothing_and_says_why(world, offered):  # noqa: F811
    package_withdraw(actor=world["lead"], package_id=offered.pk, reason="Andere planning")
    with pytest.raises(PackageChanged, match="withdrawn; there is no open offer"):
        package_accept(actor=fresh(world["coordinator"]), package_id=offered.pk)
    assert not Dwelling.objects.filter(state="assigned").exists()
    assert homes_seen(world["coordinator"]) == set()  # the offer no longer opens the addresses


def test_another_installer_cannot_accept(world, offered):  # noqa: F811
    other = member_of(world["project"], OrganisationKind.INSTALLER, Role.INSTALLER)
    with pytest.raises(WorkPackage.DoesNotExist):
        package_accept(actor=other, package_id=offered.pk)
    assert WorkPackage.objects.get(pk=offered.pk).status == PackageStatus.OFFERED


def test_a_dwelling_withdrawn_meanwhile_is_skipped_and_leaves_the_package(world, offered):  # noqa: F811
    gone = world["homes"][0]
    dwelling_transition(actor=world["lead"], dwelling_id=gone.pk, transition="withdraw", reason="Sloop")
    package, result = package_accept(actor=fresh(world["coordinator"]), package_id=offered.pk)
    assert result.moved == 7 and [row[0] for row in result.skipped] == [gone.pk]
    assert not PackageDwelling.objects.get(package=package, dwelling=gone).open
    assert Dwelling.objects.get(pk=gone.pk).state == "withdrawn"


def test_in_a_pooled_project_nobody_assigns_around_a_package(world):  # noqa: F811
    (home,) = agreed_homes(1, world["project"])
    with pytest.raises(ValidationError, match="bundle the dwelling into a work package"):
        dwelling_transition(
            actor=world["lead"], dwelling_id=home.pk, transition="assign", installer=world["installer"]
        )
    assert Dwelling.objects.get(pk=home.pk).state == "agreed"


def test_accepting_takes_the_same_queries_for_a_few_dwellings_as_for_many(world, lead_user):  # noqa: F811
    coordinator = UserFactory(organisation=world["installer"])

    def accept(count, street):
        homes = agreed_homes(count, world["project"], street=street)
        package = package_create(
            actor=fresh(lead_user),
            project=world["project"],
            name=street,
            dwelling_ids=[h.pk for h in homes],
            first_week=next_monday(8),
            last_week=next_monday(12),
        )
        package_offer(actor=fresh(lead_user), package_id=package.pk, installer_id=world["installer"].pk)
        actor = fresh(coordinator)
        with CaptureQueriesContext(connection) as queries:
            _package, result = package_accept(actor=actor, package_id=package.pk)
        assert result.moved == count
        return len(queries)

    # Within one chunk of the bulk move the queries do not grow with the dwellings.
    assert accept(3, "Lijsterlaan") == accept(30, "Zwaluwlaan")


def test_the_main_contractor_hands_dwellings_to_a_subcontractor_who_sees_only_those(world, offered):  # noqa: F811
    coordinator = world["coordinator"]
    package, _result = package_accept(actor=fresh(coordinator), package_id=offered.pk)
    sub = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Onderaannemer Klein")
    ParticipationFactory(project=world["project"], organisation=sub, role=Role.SUBCONTRACTOR)
    sub_user = UserFactory(organisation=sub)
    assert homes_seen(sub_user) == set()
    handed = [home.pk for home in world["homes"][:3]]
    assert (
        package_hand(
            actor=fresh(coordinator), package_id=package.pk, dwelling_ids=handed, subcontractor_id=sub.pk
        )
        == 3
    )
    assert homes_seen(sub_user) == set(handed)
    assert can_see_access_contact(fresh(sub_user), Dwelling.objects.get(pk=handed[0]))
    # Only its own subcontractors, only its own package's dwellings.
    stranger = OrganisationFactory(kind=OrganisationKind.INSTALLER)
    with pytest.raises(ValidationError):
        package_hand(
            actor=fresh(coordinator), package_id=package.pk, dwelling_ids=handed, subcontractor_id=stranger.pk
        )
    (elsewhere,) = agreed_homes(1, world["project"])
    with pytest.raises(ValidationError):
        package_hand(
            actor=fresh(coordinator),
            package_id=package.pk,
            dwelling_ids=[elsewhere.pk],
            subcontractor_id=sub.pk,
        )
    # Taken back: the subcontractor sees nothing again.
    package_hand(actor=fresh(coordinator), package_id=package.pk, dwelling_ids=handed, subcontractor_id=None)
    assert homes_seen(sub_user) == set()


def test_the_subcontractor_plans_and_reports_the_dwellings_handed_to_it(world, offered):  # noqa: F811
    package, _result = package_accept(actor=fresh(world["coordinator"]), package_id=offered.pk)
    sub = OrganisationFactory(kind=OrganisationKind.INSTALLER)
    ParticipationFactory(project=world["project"], organisation=sub, role=Role.SUBCONTRACTOR)
    planner = UserFactory(organisation=sub, work_roles=["planner"])
    handed, kept = world["homes"][0], world["homes"][1]
    package_hand(
        actor=fresh(world["coordinator"]),
        package_id=package.pk,
        dwelling_ids=[handed.pk],
        subcontractor_id=sub.pk,
    )
    when = next_monday(2)
    dwelling_transition(
        actor=fresh(planner), dwelling_id=handed.pk, transition="plan_installation", planned_on=when
    )
    dwelling_transition(
        actor=fresh(planner), dwelling_id=handed.pk, transition="report_installed", installed_on=None
    )
    assert Dwelling.objects.get(pk=handed.pk).state == "installed"
    with pytest.raises(Dwelling.DoesNotExist):  # not handed: it does not exist for the subcontractor
        dwelling_transition(
            actor=fresh(planner), dwelling_id=kept.pk, transition="plan_installation", planned_on=when
        )
    assert Dwelling.objects.get(pk=kept.pk).state == "assigned"


def test_the_subcontractor_plans_its_own_technician_who_sees_and_reports_only_that_home(world, offered):  # noqa: F811
    package, _result = package_accept(actor=fresh(world["coordinator"]), package_id=offered.pk)
    sub = OrganisationFactory(kind=OrganisationKind.INSTALLER)
    ParticipationFactory(project=world["project"], organisation=sub, role=Role.SUBCONTRACTOR)
    planner = UserFactory(organisation=sub, work_roles=["planner"])
    technician = UserFactory(organisation=sub, work_roles=["field_worker"])
    stranger = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.INSTALLER), work_roles=["field_worker"]
    )
    handed = world["homes"][0]
    package_hand(
        actor=fresh(world["coordinator"]),
        package_id=package.pk,
        dwelling_ids=[handed.pk],
        subcontractor_id=sub.pk,
    )
    with pytest.raises(ValidationError):  # a technician of neither installer
        dwelling_transition(
            actor=fresh(planner),
            dwelling_id=handed.pk,
            transition="plan_installation",
            planned_on=next_monday(2),
            technician=stranger,
        )
    dwelling_transition(
        actor=fresh(planner),
        dwelling_id=handed.pk,
        transition="plan_installation",
        planned_on=next_monday(2),
        technician=technician,
    )
    assert homes_seen(technician) == {handed.pk}
    dwelling_transition(actor=fresh(technician), dwelling_id=handed.pk, transition="report_installed")
    assert Dwelling.objects.get(pk=handed.pk).state == "installed"
