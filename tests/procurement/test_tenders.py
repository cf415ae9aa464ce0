"""Ad hoc tenders: the lead party invites installers, each bids a price per kind of work before the
deadline and sees only its own bid, and the award becomes an agreement for that project only, with the
bid's prices as rates; in an ad hoc project a package then goes only to the awarded installer."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from procurement.models import FrameworkAgreement, InstallerProfile, PackageStatus, Tender, UnitRate
from procurement.services import (
    TenderClosed,
    bid_submit,
    package_create,
    package_offer,
    tender_award,
    tender_create,
)
from projects.models import Governance, OrganisationKind, Participation, Procurement, Role
from tests.communication import conftest as communication
from tests.conftest import next_monday
from tests.factories import OrganisationFactory, UserFactory
from tests.procurement.test_offers import agreed_homes, installer_in

pytestmark = pytest.mark.django_db

smtp = communication.smtp  # the real SMTP server on loopback


@pytest.fixture
def tender(advised_project, lead_user):
    Governance.objects.filter(project=advised_project).update(procurement=Procurement.AD_HOC)
    bidders = [OrganisationFactory(kind=OrganisationKind.INSTALLER, name=name) for name in ("Vonk", "Kolk")]
    for org in bidders:  # they work in the project's municipality: the lead party may invite them
        InstallerProfile.objects.create(
            organisation=org, connections_per_week=20, municipalities=[advised_project.municipality]
        )
    coordinators = [UserFactory(organisation=org) for org in bidders]
    made = tender_create(
        actor=lead_user,
        project=advised_project,
        title="Installatie Merelbuurt",
        scope="installation",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
        installer_ids=[org.pk for org in bidders],
    )
    return {"tender": made, "bidders": bidders, "coordinators": coordinators, "lead": lead_user}


def test_installers_bid_and_see_only_their_own_prices(tender, client):
    vonk, kolk = tender["coordinators"]
    bid_submit(
        actor=vonk, tender_id=tender["tender"].pk, prices={"delivery_set": "1400", "indoor_pipes": "60"}
    )
    bid_submit(actor=kolk, tender_id=tender["tender"].pk, prices={"delivery_set": "1525,50"})
    client.force_login(vonk)
    data = client.get(f"/api/v1/tenders/{tender['tender'].pk}/").json()
    assert [bid["prices"] for bid in data["bids"]] == [{"delivery_set": "1400.00", "indoor_pipes": "60.00"}]
    page = client.get(reverse("tenders:detail", args=[tender["tender"].pk])).content.decode()
    assert "1525" not in page
    client.force_login(tender["lead"])
    data = client.get(f"/api/v1/tenders/{tender['tender'].pk}/").json()
    assert sorted(bid["installer"] for bid in data["bids"]) == ["Kolk", "Vonk"]


def test_an_uninvited_installer_and_a_wrong_price_change_nothing(tender, client):
    outsider = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.INSTALLER))
    with pytest.raises(PermissionDenied):
        bid_submit(actor=outsider, tender_id=tender["tender"].pk, prices={"delivery_set": "1"})
    client.force_login(outsider)
    assert client.get(reverse("tenders:detail", args=[tender["tender"].pk])).status_code == 404
    assert client.get(f"/api/v1/tenders/{tender['tender'].pk}/").status_code == 404
    with pytest.raises(ValidationError):
        bid_submit(
            actor=tender["coordinators"][0], tender_id=tender["tender"].pk, prices={"delivery_set": "veel"}
        )
    assert not tender["tender"].bids.exists()


def test_no_bid_after_the_deadline(tender):
    later = timezone.now() + datetime.timedelta(days=15)
    with time_machine.travel(later, tick=False), pytest.raises(TenderClosed):
        bid_submit(
            actor=tender["coordinators"][0], tender_id=tender["tender"].pk, prices={"delivery_set": "1"}
        )


def test_the_award_is_an_agreement_for_this_project_only_and_packages_follow_it(tender, advised_project):
    vonk, kolk = tender["coordinators"]
    winning = bid_submit(actor=vonk, tender_id=tender["tender"].pk, prices={"delivery_set": "1400"})
    bid_submit(actor=kolk, tender_id=tender["tender"].pk, prices={"delivery_set": "1300"})
    with pytest.raises(PermissionDenied):
        tender_award(
            actor=vonk,
            tender_id=tender["tender"].pk,
            bid_id=winning.pk,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + datetime.timedelta(days=365),
        )
    agreement = tender_award(
        actor=tender["lead"],
        tender_id=tender["tender"].pk,
        bid_id=winning.pk,
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    assert (agreement.project, agreement.installer, agreement.scope) == (
        advised_project,
        tender["bidders"][0],
        "installation",
    )
    assert list(UnitRate.objects.filter(agreement=agreement).values_list("work", "price")) == [
        ("delivery_set", 1400)
    ]
    assert Participation.objects.filter(
        project=advised_project, organisation=tender["bidders"][0], role=Role.INSTALLER
    ).exists()
    with pytest.raises(TenderClosed):
        bid_submit(actor=kolk, tender_id=tender["tender"].pk, prices={"delivery_set": "1200"})
    # A package goes to the awarded installer, and not to another in the project.
    homes = agreed_homes(3, advised_project)
    package = package_create(
        actor=tender["lead"],
        project=advised_project,
        name="Merelbuurt",
        dwelling_ids=[h.pk for h in homes],
        first_week=next_monday(2),
        last_week=next_monday(3),
    )
    other = installer_in(advised_project)
    FrameworkAgreement.objects.create(
        reference="RO-ELDERS",
        contracting_party=tender["lead"].organisation,
        installer=other,
        scope="both",
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
        status="active",
    )
    with pytest.raises(ValidationError, match="awarded the tender"):
        package_offer(actor=tender["lead"], package_id=package.pk, installer_id=other.pk)
    offered = package_offer(actor=tender["lead"], package_id=package.pk, installer_id=tender["bidders"][0].pk)
    assert (offered.status, offered.agreement) == (PackageStatus.OFFERED, agreement)


def test_only_installers_of_the_municipality_or_the_project_can_be_invited(tender, advised_project):
    elsewhere = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Ver Weg")
    InstallerProfile.objects.create(organisation=elsewhere, connections_per_week=5, municipalities=["Elders"])
    with pytest.raises(ValidationError, match="Invite one or more installers"):
        tender_create(
            actor=tender["lead"],
            project=advised_project,
            title="Nog een",
            scope="survey",
            deadline=timezone.localdate(),
            installer_ids=[elsewhere.pk],
        )


def test_the_pages_make_a_tender_and_award_it(tender, advised_project, client):
    client.force_login(tender["lead"])
    response = client.post(
        reverse("tenders:create", args=[advised_project.slug]),
        {
            "title": "Opname",
            "scope": "survey",
            "deadline": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "installers": [tender["bidders"][1].pk],
        },
    )
    made = Tender.objects.get(title="Opname")
    assert response.status_code == 302 and list(made.invited.all()) == [tender["bidders"][1]]
    client.force_login(tender["coordinators"][1])
    response = client.post(
        reverse("tenders:bid", args=[made.pk]), {"price_delivery_set": "1450,00", "note": ""}
    )
    assert response.status_code == 302
    client.force_login(tender["lead"])
    bid = made.bids.get()
    response = client.post(
        reverse("tenders:award", args=[made.pk]),
        {
            "bid": bid.pk,
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": (timezone.localdate() + datetime.timedelta(days=300)).isoformat(),
        },
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == "awarded" and made.agreement.scope == "survey"


def test_the_health_check_says_what_leaving_ad_hoc_tenders_would_mean(tender, advised_project, client):
    client.force_login(tender["lead"])
    page = client.get(advised_project.get_absolute_url()).content.decode()
    start = page.index('data-advisory="procurement_ad_hoc"')
    advisory = page[start : page.index("</li>", start)]
    assert "data-advisory-change" in advisory and "zonder nieuwe aanbesteding" in advisory
    assert reverse("projects:governance", args=[advised_project.slug]) in advisory


def test_the_invited_installers_coordinators_get_an_e_mail_with_the_link(
    advised_project, lead_user, smtp, django_capture_on_commit_callbacks
):
    Governance.objects.filter(project=advised_project).update(procurement=Procurement.AD_HOC)
    invited, passed_over = (OrganisationFactory(kind=OrganisationKind.INSTALLER) for _ in range(2))
    for org in (invited, passed_over):
        InstallerProfile.objects.create(
            organisation=org, connections_per_week=20, municipalities=[advised_project.municipality]
        )
    coordinator = UserFactory(organisation=invited, email="planning@vonk.test")
    UserFactory(organisation=invited, email="monteur@vonk.test", work_roles=["field_worker"])
    UserFactory(organisation=passed_over, email="planning@kolk.test")
    with django_capture_on_commit_callbacks(execute=True):
        made = tender_create(
            actor=lead_user,
            project=advised_project,
            title="Installatie Merelbuurt",
            scope="installation",
            deadline=timezone.localdate() + datetime.timedelta(days=14),
            installer_ids=[invited.pk],
        )
    assert sorted(to for recipients, _mail in smtp.messages for to in recipients) == [coordinator.email]
    (mail,) = smtp.to(coordinator.email)
    assert "Installatie Merelbuurt" in mail
    assert reverse("tenders:detail", args=[made.pk]) in mail
    # A refused tender sends nothing.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        tender_create(
            actor=lead_user,
            project=advised_project,
            title="Nog een",
            scope="survey",
            deadline=timezone.localdate() + datetime.timedelta(days=14),
            installer_ids=[],
        )
    assert sorted(to for recipients, _mail in smtp.messages for to in recipients) == [coordinator.email]
