"""Installers, agreements, pools and a project's choice: each organisation keeps its own (through the
services, in the admin too), the others it works with read them, and a refusal changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from procurement.models import AgreementStatus, FrameworkAgreement, Pool, ProjectProcurement
from procurement.services import (
    agreement_save,
    certificate_save,
    installer_profile_save,
    pool_save,
    project_procurement_set,
)
from projects.models import OrganisationKind, Participation, Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(lead_user, advised_project):
    installer = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Vonk Installaties")
    return {
        "lead": lead_user,
        "project": advised_project,
        "installer": installer,
        "installer_user": UserFactory(organisation=installer),
    }


def agreement_fields(parties, **extra):
    today = timezone.localdate()
    return {
        "reference": "RO-2027-01",
        "contracting_party": parties["lead"].organisation,
        "installer": parties["installer"],
        "scope": "both",
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=730),
        "status": AgreementStatus.ACTIVE,
        **extra,
    }


def test_the_contracting_party_keeps_its_agreements_and_pools(parties):
    agreement = agreement_save(actor=parties["lead"], **agreement_fields(parties))
    pool = pool_save(
        actor=parties["lead"], name="Pool West", owner=parties["lead"].organisation, agreements=[agreement]
    )
    assert list(pool.agreements.all()) == [agreement]
    # The installer cannot change the agreement it is party to, nor make one in another's name.
    with pytest.raises(PermissionDenied):
        agreement_save(actor=parties["installer_user"], agreement=agreement, max_volume=10_000)
    with pytest.raises(PermissionDenied):
        agreement_save(actor=parties["installer_user"], **agreement_fields(parties, reference="RO-X"))
    assert FrameworkAgreement.objects.get(pk=agreement.pk).max_volume is None
    # An agreement that ends before it starts is refused and nothing is saved.
    with pytest.raises(ValidationError):
        agreement_save(
            actor=parties["lead"],
            **agreement_fields(
                parties, reference="RO-2", ends_on=timezone.localdate() - datetime.timedelta(days=1)
            ),
        )
    assert FrameworkAgreement.objects.count() == 1


def test_a_pool_holds_only_its_own_organisations_agreements(parties):
    other_client = OrganisationFactory(kind=OrganisationKind.HEAT_COMPANY)
    coordinator = UserFactory(organisation=other_client)
    theirs = agreement_save(
        actor=coordinator, **agreement_fields(parties, reference="RO-THEIRS", contracting_party=other_client)
    )
    with pytest.raises(ValidationError, match="RO-THEIRS"):
        pool_save(actor=parties["lead"], name="Pool", owner=parties["lead"].organisation, agreements=[theirs])
    assert not Pool.objects.exists()


def test_the_installer_keeps_its_profile_and_certificates(parties):
    installer, user = parties["installer"], parties["installer_user"]
    profile = installer_profile_save(actor=user, organisation=installer, connections_per_week=15)
    assert profile.connections_per_week == 15
    certificate = certificate_save(
        actor=user, organisation=installer, kind="heat_network", valid_until=timezone.localdate()
    )
    assert certificate.pk
    with pytest.raises(PermissionDenied):
        installer_profile_save(actor=parties["lead"], organisation=installer, connections_per_week=99)
    with pytest.raises(PermissionDenied):
        certificate_save(actor=parties["lead"], certificate=certificate, valid_until=timezone.localdate())


def test_the_lead_party_picks_its_main_contractor_from_its_pool(parties):
    lead, project, installer = parties["lead"], parties["project"], parties["installer"]
    agreement = agreement_save(actor=lead, **agreement_fields(parties))
    pool = pool_save(actor=lead, name="Pool Oost", owner=lead.organisation, agreements=[agreement])
    outside = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Niet in de pool BV")
    with pytest.raises(ValidationError, match="Niet in de pool BV"):
        project_procurement_set(actor=lead, project=project, pool=pool, main_contractor=outside)
    assert not ProjectProcurement.objects.exists()
    choice = project_procurement_set(actor=lead, project=project, pool=pool, main_contractor=installer)
    assert (choice.pool, choice.main_contractor) == (pool, installer)
    assert Participation.objects.filter(
        project=project, organisation=installer, role=Role.MAIN_CONTRACTOR
    ).exists()
    with pytest.raises(PermissionDenied):
        project_procurement_set(
            actor=parties["installer_user"], project=project, pool=None, main_contractor=None
        )


def test_the_admin_saves_an_agreement_through_the_service(client, parties):
    lead = parties["lead"]
    lead.is_staff = True
    lead.save()
    from django.contrib.auth.models import Permission

    lead.user_permissions.set(Permission.objects.filter(content_type__app_label="procurement"))
    client.force_login(lead)
    today = timezone.localdate()
    data = {
        "reference": "RO-ADMIN",
        "contracting_party": lead.organisation_id,
        "installer": parties["installer"].pk,
        "project": "",
        "scope": "installation",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=365)).isoformat(),
        "max_volume": "",
        "required_certificates": "[]",
        "status": "active",
        "terminated_on": "",
        "rates-TOTAL_FORMS": "0",
        "rates-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/procurement/frameworkagreement/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = FrameworkAgreement.objects.get(reference="RO-ADMIN")
    assert agreement.created_by == lead
    # Terminated without a date: the service refuses, the form says why, nothing changes.
    data["status"] = "terminated"
    refused = client.post(f"/admin/procurement/frameworkagreement/{agreement.pk}/change/", data)
    assert refused.status_code == 200
    assert FrameworkAgreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE
