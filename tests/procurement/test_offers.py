"""Bundling agreed dwellings into a package and offering it to an installer: every condition of the
research's advice for who takes the work is checked, refused with its reason, and changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from procurement.models import (
    AgreementScope,
    AgreementStatus,
    Certificate,
    CertificateKind,
    FrameworkAgreement,
    InstallerProfile,
    PackageStatus,
    Pool,
    ProjectProcurement,
    WorkPackage,
)
from procurement.services import (
    PackageChanged,
    agreements_expire,
    package_create,
    package_decline,
    package_offer,
    package_withdraw,
)
from projects.models import Dwelling, OrganisationKind, Procurement, Role, User
from tests.conftest import member_of, next_monday
from tests.factories import (
    DwellingFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

_counter = iter(range(1, 10_000))


def agreed_homes(count, project, **fields):
    """Dwellings whose owner signed: ready for an installer."""
    values = {
        "state": "agreed",
        "signatory": "owner_occupier",
        "agreement_signed_on": timezone.localdate(),
        **fields,
    }
    return DwellingFactory.create_batch(count, project=project, **values)


def installer_in(project, *, capacity=20, name=None):
    """An installer taking part in ``project`` with a coordinator, its capacity and a valid certificate."""
    installer = OrganisationFactory(kind=OrganisationKind.INSTALLER, **({"name": name} if name else {}))
    ParticipationFactory(project=project, organisation=installer, role=Role.INSTALLER)
    InstallerProfile.objects.create(organisation=installer, connections_per_week=capacity)
    Certificate.objects.create(
        organisation=installer,
        kind=CertificateKind.HEAT_NETWORK,
        valid_until=timezone.localdate() + datetime.timedelta(days=730),
    )
    return installer


def agreement_for(installer, client, *, pool=None, **fields):
    today = timezone.localdate()
    values = {
        "reference": f"RO-{next(_counter):04d}",
        "contracting_party": client,
        "installer": installer,
        "scope": AgreementScope.BOTH,
        "starts_on": today - datetime.timedelta(days=365),
        "ends_on": today + datetime.timedelta(days=365),
        "status": AgreementStatus.ACTIVE,
        "required_certificates": [CertificateKind.HEAT_NETWORK],
        **fields,
    }
    agreement = FrameworkAgreement.objects.create(**values)
    if pool is not None:
        pool.agreements.add(agreement)
    return agreement


@pytest.fixture
def world(advised_project, lead_user):
    project = advised_project
    pool = Pool.objects.create(name="Pool Noord-Holland", owner=lead_user.organisation)
    ProjectProcurement.objects.create(project=project, pool=pool)
    installer = installer_in(project, capacity=10, name="Installatiebedrijf Vonk")
    agreement_for(installer, lead_user.organisation, pool=pool)
    homes = agreed_homes(8, project, street="Merelstraat")
    package = package_create(
        actor=lead_user,
        project=project,
        name="Merelstraat",
        dwelling_ids=[home.pk for home in homes],
        first_week=next_monday(2),
        last_week=next_monday(3),
    )
    return {
        "project": project,
        "lead": lead_user,
        "pool": pool,
        "installer": installer,
        "homes": homes,
        "package": package,
    }


def refusal(world, installer) -> str:
    package = world["package"]
    before = WorkPackage.objects.values().get(pk=package.pk)
    with pytest.raises(ValidationError) as caught:
        package_offer(
            actor=world["lead"], package_id=package.pk, installer_id=installer.pk, expected_version=1
        )
    assert WorkPackage.objects.values().get(pk=package.pk) == before  # nothing changed
    return " ".join(caught.value.message_dict["installer"])


class TestBundling:
    def test_a_package_holds_agreed_dwellings_of_the_project_once(self, world):
        package = world["package"]
        assert (package.number, package.status, package.items.count()) == (1, PackageStatus.DRAFT, 8)
        assert package.weeks == [next_monday(2), next_monday(3)]
        with pytest.raises(ValidationError, match="in another package already"):
            package_create(
                actor=world["lead"],
                project=world["project"],
                name="Again",
                dwelling_ids=[world["homes"][0].pk],
                first_week=next_monday(2),
                last_week=next_monday(2),
            )

    def test_a_dwelling_that_has_not_agreed_is_refused_by_name(self, world):
        informed = DwellingFactory(project=world["project"], state="informed", street="Spreeuwlaan")
        with pytest.raises(ValidationError, match="Spreeuwlaan"):
            package_create(
                actor=world["lead"],
                project=world["project"],
                name="Spreeuwlaan",
                dwelling_ids=[informed.pk],
                first_week=next_monday(2),
                last_week=next_monday(2),
            )
        assert WorkPackage.objects.count() == 1

    def test_another_projects_dwelling_does_not_exist(self, world):
        elsewhere = DwellingFactory(project=ProjectFactory(), state="agreed")
        with pytest.raises(Dwelling.DoesNotExist):
            package_create(
                actor=world["lead"],
                project=world["project"],
                name="Elsewhere",
                dwelling_ids=[elsewhere.pk],
                first_week=next_monday(2),
                last_week=next_monday(2),
            )

    def test_only_a_coordinator_of_the_lead_party_bundles(self, world):
        planner = UserFactory(organisation=world["lead"].organisation, work_roles=["planner"])
        installer_user = UserFactory(organisation=world["installer"])
        for person in (planner, installer_user):
            with pytest.raises(PermissionDenied):
                package_create(
                    actor=person,
                    project=world["project"],
                    name="Mine",
                    dwelling_ids=[world["homes"][0].pk],
                    first_week=next_monday(2),
                    last_week=next_monday(2),
                )


class TestOffer:
    def test_a_valid_installer_gets_the_offer_under_its_agreement(self, world):
        package = package_offer(
            actor=world["lead"],
            package_id=world["package"].pk,
            installer_id=world["installer"].pk,
            expected_version=1,
        )
        assert (package.status, package.installer, package.version) == (
            PackageStatus.OFFERED,
            world["installer"],
            2,
        )
        assert package.agreement.installer == world["installer"]
        # A double submit: the package is offered already, and says so.
        with pytest.raises(PackageChanged, match="changed while you were looking"):
            package_offer(
                actor=world["lead"],
                package_id=package.pk,
                installer_id=world["installer"].pk,
                expected_version=1,
            )
        with pytest.raises(PackageChanged, match="offered"):
            package_offer(actor=world["lead"], package_id=package.pk, installer_id=world["installer"].pk)

    def test_an_installer_outside_the_pool_is_refused(self, world, lead_user):
        outsider = installer_in(world["project"], name="Buiten de Pool BV")
        agreement_for(outsider, lead_user.organisation)  # an agreement, but not in this project's pool
        assert "Buiten de Pool BV has no framework agreement in this project's pool" in refusal(
            world, outsider
        )

    def test_an_expired_agreement_is_refused_before_and_after_the_nightly_task(self, world, lead_user):
        late = installer_in(world["project"], name="Verlopen BV")
        agreement = agreement_for(
            late,
            lead_user.organisation,
            pool=world["pool"],
            ends_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        assert (
            agreement.status == AgreementStatus.ACTIVE
            and agreement.effective_status == AgreementStatus.EXPIRED
        )
        assert f"{agreement.reference} with Verlopen BV is expired" in refusal(world, late)
        assert agreements_expire() == 1
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.EXPIRED
        assert "is expired" in refusal(world, late)

    def test_an_agreement_that_ends_within_the_package_weeks_is_refused(self, world, lead_user):
        short = installer_in(world["project"], name="Kort BV")
        agreement_for(
            short,
            lead_user.organisation,
            pool=world["pool"],
            ends_on=next_monday(2) + datetime.timedelta(days=2),
        )
        assert "not over every week of this package" in refusal(world, short)

    def test_an_agreement_for_surveys_only_is_refused(self, world, lead_user):
        surveyors = installer_in(world["project"], name="Alleen Opname BV")
        agreement_for(surveyors, lead_user.organisation, pool=world["pool"], scope=AgreementScope.SURVEY)
        assert "does not cover installation" in refusal(world, surveyors)

    def test_a_certificate_that_expires_before_the_last_week_is_refused(self, world):
        installer = world["installer"]
        Certificate.objects.filter(organisation=installer).update(
            valid_until=next_monday(3) + datetime.timedelta(days=2)
        )
        text = refusal(world, installer)
        assert "heat network installation" in text and "before the package's last week ends" in text
        Certificate.objects.filter(organisation=installer).delete()
        assert "has no certificate" in refusal(world, installer)

    def test_the_agreements_maximum_volume_is_kept(self, world):
        FrameworkAgreement.objects.filter(installer=world["installer"]).update(max_volume=7)
        assert "allows 7 dwellings" in refusal(world, world["installer"])

    def test_capacity_counts_the_installers_packages_in_every_project(self, world, lead_user):
        installer = world["installer"]  # 10 connections a week
        other = ProjectFactory()
        ParticipationFactory(project=other, organisation=lead_user.organisation, role=Role.LEAD)
        ParticipationFactory(project=other, organisation=installer, role=Role.INSTALLER)
        pool = Pool.objects.create(name="Pool Zuid", owner=lead_user.organisation)
        ProjectProcurement.objects.create(project=other, pool=pool)
        pool.agreements.add(*FrameworkAgreement.objects.filter(installer=installer))
        busy = agreed_homes(7, other)
        lead_user = User.objects.get(pk=lead_user.pk)  # its roles are read once per user object
        elsewhere = package_create(
            actor=lead_user,
            project=other,
            name="Elders",
            dwelling_ids=[home.pk for home in busy],
            first_week=next_monday(3),
            last_week=next_monday(3),
        )
        package_offer(actor=lead_user, package_id=elsewhere.pk, installer_id=installer.pk)
        # This package asks 4 a week over two weeks; the week of next_monday(3) has 7 already.
        text = refusal(world, installer)
        assert "makes 10 connections a week" in text and "has 7 already" in text and "asks 4 a week" in text
        # Spread over four weeks it asks 2 a week, which fits.
        WorkPackage.objects.filter(pk=world["package"].pk).update(last_week=next_monday(5))
        package = package_offer(actor=lead_user, package_id=world["package"].pk, installer_id=installer.pk)
        assert package.status == PackageStatus.OFFERED

    def test_an_ad_hoc_project_offers_only_to_the_installer_awarded_its_tender(self, world, lead_user):
        project = world["project"]
        project.governance.procurement = Procurement.AD_HOC
        project.governance.save()
        assert "tenders ad hoc" in refusal(world, world["installer"])
        agreement_for(world["installer"], lead_user.organisation, project=project)
        package = package_offer(
            actor=lead_user, package_id=world["package"].pk, installer_id=world["installer"].pk
        )
        assert package.agreement.project == project

    def test_an_organisation_not_in_the_project_is_refused(self, world):
        stranger = installer_in(ProjectFactory(), name="Vreemd BV")
        assert "takes part in this project" in refusal(world, stranger)


class TestDecision:
    @pytest.fixture
    def offered(self, world):
        return package_offer(
            actor=world["lead"], package_id=world["package"].pk, installer_id=world["installer"].pk
        )

    def test_the_installer_declines_with_a_reason_and_the_package_returns(self, world, offered):
        coordinator = UserFactory(organisation=world["installer"])
        with pytest.raises(ValidationError):
            package_decline(
                actor=coordinator, package_id=offered.pk, reason=" ", expected_version=offered.version
            )
        package = package_decline(
            actor=coordinator,
            package_id=offered.pk,
            reason="Geen ploeg vrij",
            expected_version=offered.version,
        )
        assert (package.status, package.reason, package.decided_by) == (
            PackageStatus.DECLINED,
            "Geen ploeg vrij",
            coordinator,
        )
        with pytest.raises(PackageChanged, match="no open offer"):
            package_decline(actor=coordinator, package_id=offered.pk, reason="Nogmaals")

    def test_another_installer_cannot_see_the_offer(self, world, offered):
        other = member_of(world["project"], OrganisationKind.INSTALLER, Role.INSTALLER)
        with pytest.raises(WorkPackage.DoesNotExist):
            package_decline(actor=other, package_id=offered.pk, reason="Niet van ons")
        assert WorkPackage.objects.get(pk=offered.pk).status == PackageStatus.OFFERED

    def test_a_withdrawn_offer_cannot_be_declined_and_says_so(self, world, offered):
        package_withdraw(
            actor=world["lead"],
            package_id=offered.pk,
            reason="Verkeerde week",
            expected_version=offered.version,
        )
        coordinator = UserFactory(organisation=world["installer"])
        with pytest.raises(PackageChanged, match="withdrawn; there is no open offer"):
            package_decline(actor=coordinator, package_id=offered.pk, reason="Te laat")
        package = WorkPackage.objects.get(pk=offered.pk)
        assert (package.status, package.reason) == (PackageStatus.WITHDRAWN, "Verkeerde week")
        # It can be offered again.
        again = package_offer(actor=world["lead"], package_id=offered.pk, installer_id=world["installer"].pk)
        assert again.status == PackageStatus.OFFERED


def test_a_refusal_reads_in_dutch_by_default(world, lead_user):
    from django.utils import translation

    outsider = installer_in(world["project"], name="Buiten de Pool BV")
    with translation.override("nl"):
        assert "Buiten de Pool BV heeft geen raamovereenkomst in de pool van dit project." in refusal(
            world, outsider
        )
